"""A create whose answer is lost is applied once: the retry finds it instead of sending it again."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from structlog.testing import capture_logs

from controller.aws.clients import RetryPolicy
from controller.core.settings import defaults
from controller.reconcile.sync import sync
from tests.reliability.conftest import proxied_aws
from tests.support.arrange import INSTANCE
from tests.support.awsproxy import AwsProxy, Fault, FaultPlan
from tests.support.stacks import Stack, active_revisions, active_services

POLICY = RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05)
SMALL = Stack(clusters=1, repositories=1, task_definitions=1, services=1)
CREATES = ["CreateRepository", "CreateCluster", "RegisterTaskDefinition", "CreateService"]


@pytest.mark.parametrize("fault", [Fault.SERVER_ERROR, Fault.RESET, Fault.TIMEOUT])
@pytest.mark.parametrize("operation", CREATES)
def test_a_lost_create_is_applied_once(
    start_proxy: Callable[..., AwsProxy],
    boto_client: Callable[[str], Any],
    tmp_path: Path,
    operation: str,
    fault: Fault,
) -> None:
    """The first create is applied but its answer lost; apply converges with one resource."""
    proxy = start_proxy(
        FaultPlan(
            rate=1.0,
            kinds=(fault,),
            operations=frozenset({operation}),
            lost_writes=True,
            lost_share=1.0,
            budget=1,
            hang=1.0,
        )
    )
    aws = proxied_aws(proxy, POLICY)
    folder = SMALL.write(tmp_path / "manifests")

    with capture_logs() as logs:
        report = sync(aws, folder, defaults(instance=INSTANCE), apply=True)

    assert report.converged, [r.error for r in report.results if r.error]
    lost = [r for r in proxy.calls(operation) if r.after_forwarding]
    assert len(lost) == 1, "the fault struck after the create was applied"
    # CreateCluster is idempotent in AWS: sending it again is right, and harmless.
    resent = 2 if operation == "CreateCluster" else 1
    assert len([r for r in proxy.calls(operation) if r.applied]) == resent
    assert [e["operation"] for e in logs if e["event"] == "aws_write_recovered"] == (
        [] if operation == "CreateCluster" else [operation]
    )
    ecs = boto_client("ecs")
    assert active_revisions(ecs, SMALL.families()) == dict.fromkeys(SMALL.families(), 1)
    assert active_services(ecs, SMALL.cluster_names()[0]) == {"svc-0": 1}
    again = sync(aws, folder, defaults(instance=INSTANCE), apply=False)
    assert again.plan is not None
    assert again.plan.empty, [str(a) for a in again.plan.actions]
