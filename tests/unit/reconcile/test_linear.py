"""A no-op pass costs O(N): its CPU grows no faster than the number of resources.

AWS is left out (the reads are replaced by the live state they would return),
so that what is timed is the pass's own work: the desired set's facts, the
plan, the drift decisions and the judging of every key. A ratio is asserted,
not a time, so that a slow or busy machine does not fail it; a quadratic step
(every fingerprint walking the whole set, as before) makes the ratio about 16.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import pytest

from controller.apply.outcomes import Outcome
from controller.aws.clients import Aws, AwsConfig
from controller.core.kinds import Kind, ResourceId
from controller.core.resources import OWNER_TAG, Desired, Live
from controller.core.service_state import Deployment, ServiceState
from controller.core.settings import defaults
from controller.reconcile import observe
from controller.reconcile.desired import DesiredSet
from controller.reconcile.reconciler import reconcile
from controller.reconcile.result import Request
from controller.reconcile.target import Memory, Target

SMALL, LARGE = 1000, 4000
LINEAR_BOUND = 1.6 * LARGE / SMALL
"""Four times the resources may cost at most 6.4 times the CPU (linear, with slack for noise)."""
CLUSTERS = 10
AWS = Aws(AwsConfig("us-east-1", "http://127.0.0.1:9"))
OWNED = {"tags": {OWNER_TAG: "ecsync"}}


def fleet(services: int) -> tuple[list[Desired], dict[ResourceId, Live]]:
    """`services` services over a few clusters, with the live state that matches them."""
    desired: list[Desired] = []
    live: dict[ResourceId, Live] = {}
    for c in range(CLUSTERS):
        rid = ResourceId(Kind.CLUSTER, f"c{c}")
        desired.append(Desired(rid, {}))
        live[rid] = Live(rid, f"arn:cluster/c{c}", dict(OWNED), owner="ecsync")
    steady = Deployment(id="d1", status="PRIMARY", rollout_state="COMPLETED")
    state = ServiceState(desired_count=1, running_count=1, deployments=(steady,))
    for i in range(services):
        rid = ResourceId(Kind.SERVICE, f"s{i}", f"c{i % CLUSTERS}")
        spec = {
            "cluster": rid.cluster,
            "desiredCount": 1,
            "launchType": "FARGATE",
            "taskDefinition": f"arn:aws:ecs:us-east-1:1:task-definition/s{i}:1",
        }
        live[rid] = Live(
            rid, f"arn:s{i}", {**spec, **OWNED}, owner="ecsync", status={"state": state}
        )
        desired.append(Desired(rid, spec))
    return desired, live


def cpu_of_load_and_pass(
    monkeypatch: pytest.MonkeyPatch, resources: Sequence[Desired], live: dict[ResourceId, Live]
) -> float:
    """CPU seconds to build the desired set and run one no-op pass over everything (the
    fastest of three runs)."""
    monkeypatch.setattr(observe, "read_live", lambda *args, **kwargs: live)
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        target = Target(AWS, defaults(), DesiredSet.of(resources, "rev-1"), Memory())
        result = reconcile(target, Request.all())
        best = min(best, time.process_time() - started)
        assert result.plan is not None
        assert result.plan.empty
        assert {key.outcome for key in result.keys.values()} == {Outcome.UNCHANGED}
    return best


def test_a_no_op_pass_grows_no_faster_than_the_fleet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Four times the services cost at most about four times the CPU, load and pass together."""
    small = cpu_of_load_and_pass(monkeypatch, *fleet(SMALL))
    large = cpu_of_load_and_pass(monkeypatch, *fleet(LARGE))
    assert large / small <= LINEAR_BOUND, (small, large)
