"""The retry policy as AWS would exercise it: counted on the wire, behind a faulty proxy.

One retry layer per kind of failure: a call retries inside `calls` (exactly
`RetryPolicy.attempts` requests reach the server, never more, whatever
botocore's own settings say), and a resource whose call gave up retries
through the work queue's per-key backoff.
"""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from structlog.testing import capture_logs

from controller.aws import calls, errors
from controller.aws.clients import RetryPolicy
from controller.core.kinds import Kind, ResourceId
from controller.core.settings import defaults
from controller.daemon.loop import SOURCE, Controller
from controller.daemon.metrics import Metrics
from controller.daemon.queue import Backoff, WorkQueue
from controller.daemon.status import StatusBoard
from tests.reliability.conftest import SHORT_READ_TIMEOUT, proxied_aws
from tests.support.awsproxy import NO_FAULTS, AwsProxy, Fault, FaultPlan
from tests.support.sources import FixedFolder
from tests.support.stacks import Stack

POLICY = RetryPolicy(attempts=5, base_delay=0.04, max_delay=0.2)
SLACK = 0.25
"""Seconds of scheduling and request overhead allowed on top of a planned delay."""
CALLS = 100
"""Calls sampled to see the mean delay double."""
"""Calls sampled to see the mean delay double."""


def bound(policy: RetryPolicy, retry: int) -> float:
    """The upper bound of the delay before retry number `retry` (1-based): full jitter."""
    return min(policy.max_delay, policy.base_delay * 2.0 ** (retry - 1))


@pytest.mark.parametrize(
    ("fault", "code"),
    [
        pytest.param(Fault.THROTTLE, "ThrottlingException", id="throttling"),
        pytest.param(Fault.SERVER_ERROR, "ServerException", id="http-500"),
        pytest.param(Fault.UNAVAILABLE, "ServiceUnavailableException", id="http-503"),
        pytest.param(Fault.RESET, "ConnectionClosedError", id="connection-reset"),
        pytest.param(Fault.TIMEOUT, "ReadTimeoutError", id="read-timeout"),
    ],
)
def test_transient_errors_take_exactly_the_policy_attempts(
    start_proxy: Callable[..., AwsProxy], fault: Fault, code: str
) -> None:
    """Each transient error reaches the server RetryPolicy.attempts times, with jittered,
    growing, bounded delays between them."""
    proxy = start_proxy(FaultPlan(rate=1.0, kinds=(fault,), hang=SHORT_READ_TIMEOUT + 0.5))
    aws = proxied_aws(proxy, POLICY)

    with capture_logs() as logs, pytest.raises(errors.TransientAwsError) as raised:
        calls.call(aws, "ecs", "list_clusters")

    sent = proxy.calls("ListClusters")
    assert len(sent) == POLICY.attempts
    assert raised.value.attempts == POLICY.attempts
    assert raised.value.code == code
    assert not any(r.forwarded for r in sent), "a failure before forwarding changes nothing"
    planned = [e["delay"] for e in logs if e["event"] == "aws_call_retrying"]
    assert len(planned) == POLICY.attempts - 1
    assert len(set(planned)) > 1, f"jitter: the delays differ ({planned})"
    for retry, delay in enumerate(planned, start=1):
        assert 0 <= delay <= bound(POLICY, retry)
    # On the wire: each retry came after its planned delay (plus the failed attempt's own time).
    attempt_time = SHORT_READ_TIMEOUT if fault is Fault.TIMEOUT else 0.0
    gaps = [b.started - a.started for a, b in itertools.pairwise(sent)]
    for gap, delay in zip(gaps, planned, strict=True):
        assert delay - 0.002 <= gap <= delay + attempt_time + SLACK


@pytest.mark.parametrize(
    ("arrange", "code"),
    [
        pytest.param("limit", "InvalidParameterException", id="validation"),
        pytest.param(Fault.DENIED, "AccessDeniedException", id="access-denied"),
    ],
)
def test_permanent_errors_are_sent_exactly_once(
    start_proxy: Callable[..., AwsProxy], arrange: Fault | str, code: str
) -> None:
    """A validation error or AccessDenied reaches the server once and is never retried."""
    plan = FaultPlan(rate=1.0, kinds=(arrange,)) if isinstance(arrange, Fault) else NO_FAULTS
    proxy = start_proxy(plan)
    aws = proxied_aws(proxy, POLICY)
    # AWS takes at most 10 names, which the proxy checks before any fault.
    names = [f"svc-{i}" for i in range(11 if arrange == "limit" else 1)]

    with capture_logs() as logs, pytest.raises(errors.PermanentAwsError) as raised:
        calls.call(aws, "ecs", "describe_services", cluster="c", services=names)

    assert len(proxy.calls("DescribeServices")) == 1
    assert raised.value.code == code
    assert raised.value.attempts == 1
    assert not [e for e in logs if e["event"] == "aws_call_retrying"]


def test_delays_grow_exponentially_on_average(
    start_proxy: Callable[..., AwsProxy], seed: int
) -> None:
    """Over many calls, the mean delay before retry n doubles with n (full jitter under
    a doubling cap), and no delay exceeds its cap."""
    random.seed(seed)  # tenacity draws its jitter from the module generator
    policy = RetryPolicy(attempts=4, base_delay=0.004, max_delay=1.0)
    proxy = start_proxy(FaultPlan(rate=1.0, kinds=(Fault.THROTTLE,)))
    aws = proxied_aws(proxy, policy)
    by_retry: dict[int, list[float]] = {n: [] for n in range(1, policy.attempts)}

    with capture_logs() as logs:
        for _ in range(CALLS):
            with pytest.raises(errors.TransientAwsError):
                calls.call(aws, "ecs", "list_clusters")
    for event in logs:
        if event["event"] == "aws_call_retrying":
            retry = int(event["attempt"].split("/")[0])
            by_retry[retry].append(event["delay"])

    assert len(proxy.calls("ListClusters")) == CALLS * policy.attempts
    means = [sum(d) / len(d) for _, d in sorted(by_retry.items())]
    for retry, delays in by_retry.items():
        assert max(delays) <= bound(policy, retry) + 0.0005  # logged delays are rounded
    for earlier, later in itertools.pairwise(means):
        # With 100 samples, the ratio's standard deviation is about 0.16.
        assert 1.3 < later / earlier < 3.0, means


def test_botocore_never_retries_on_its_own(
    start_proxy: Callable[..., AwsProxy], monkeypatch: pytest.MonkeyPatch
) -> None:
    """AWS_MAX_ATTEMPTS and AWS_RETRY_MODE=adaptive in the environment change nothing:
    botocore sends each attempt once, with no rate limiter of its own."""
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "10")
    monkeypatch.setenv("AWS_RETRY_MODE", "adaptive")
    proxy = start_proxy(FaultPlan(rate=1.0, kinds=(Fault.THROTTLE,)))
    aws = proxied_aws(proxy, POLICY)

    with pytest.raises(errors.TransientAwsError):
        calls.call(aws, "ecs", "list_clusters")

    assert len(proxy.calls("ListClusters")) == POLICY.attempts
    assert aws.client("ecs").meta.config.retries == {"total_max_attempts": 1, "mode": "standard"}


def test_after_giving_up_the_queue_backs_off_per_key(
    start_proxy: Callable[..., AwsProxy], boto_client: Callable[[str], Any], tmp_path: Path
) -> None:
    """When every attempt of a call failed, the resource is requeued with growing per-key
    delays (each pass again RetryPolicy.attempts requests), and succeeds once AWS recovers."""
    proxy = start_proxy(
        FaultPlan(rate=1.0, kinds=(Fault.UNAVAILABLE,), operations=frozenset({"CreateService"}))
    )
    aws = proxied_aws(proxy, RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.02))
    folder = Stack(clusters=1, repositories=0, task_definitions=1, services=1).write(tmp_path)
    controller = Controller(
        aws, FixedFolder(folder), defaults(resync=3600), board=StatusBoard(), metrics=Metrics()
    )
    controller.queue = WorkQueue(Backoff(base=0.2, factor=2.0, maximum=5.0))
    service = ResourceId(Kind.SERVICE, "svc-0", "rel-0")

    controller.process([SOURCE])
    controller.process(controller.queue.get_batch(timeout=1))
    assert len(proxy.calls("CreateService")) == 3
    assert controller.queue.failures(service) == 1

    waits = []
    for failures in (2, 3):
        started = time.monotonic()
        keys = controller.queue.get_batch(timeout=5)
        waits.append(time.monotonic() - started)
        assert keys == [service]
        controller.process(keys)
        assert controller.queue.failures(service) == failures
    assert len(proxy.calls("CreateService")) == 3 * 3
    assert 0.1 <= waits[0] <= 0.2 + SLACK  # jitter in [ceiling/2, ceiling], ceiling 0.2 s
    assert 0.2 <= waits[1] <= 0.4 + SLACK  # ceiling doubled

    proxy.faults = NO_FAULTS
    controller.process(controller.queue.get_batch(timeout=5))
    assert controller.queue.failures(service) == 0
    assert len([r for r in proxy.calls("CreateService") if r.applied]) == 1
    ecs = boto_client("ecs")
    assert ecs.describe_services(cluster="rel-0", services=["svc-0"])["services"][0]["status"] == (
        "ACTIVE"
    )
