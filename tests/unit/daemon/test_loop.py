"""The daemon loop only schedules: which pass each key asks for, and how it applies the
requeue each key's result carries."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from controller.apply.outcomes import Outcome
from controller.aws.clients import Aws, AwsConfig
from controller.aws.errors import TransientAwsError
from controller.core.kinds import Kind, ResourceId
from controller.core.settings import defaults
from controller.daemon import loop
from controller.daemon.metrics import Metrics
from controller.daemon.queue import Backoff, WorkQueue
from controller.daemon.status import StatusBoard
from controller.plan.actions import Plan
from controller.reconcile.result import BACKOFF, KeyResult, Mode, PassResult, Request, Requeue
from controller.reconcile.target import Target
from tests.support.sources import FixedFolder

WEB = ResourceId(Kind.SERVICE, "web", "shop")
CLUSTER = ResourceId(Kind.CLUSTER, "shop")
MANIFESTS = """
apiVersion: ecsync/v1
kind: Cluster
metadata: {name: shop}
spec: {}
---
apiVersion: ecsync/v1
kind: Service
metadata: {name: web}
spec: {cluster: shop, desiredCount: 1}
"""


class FakeClock:
    """A clock that stands still until a test moves it."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class FakePass:
    """Stands in for the reconcile pass: records each request, answers what it is told."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.answer: dict[ResourceId, KeyResult] = {}
        self.error: TransientAwsError | None = None

    def __call__(self, target: Target, request: Request) -> PassResult:
        self.requests.append(request)
        if self.error is not None:
            return PassResult.unread(target.desired.resources, self.error, 0.1)
        keys = {
            rid: self.answer.get(rid, KeyResult(rid, Outcome.UNCHANGED))
            for rid in target.desired.resources
        }
        return PassResult(keys, Plan(), seconds=0.1)


@pytest.fixture
def fake_pass(monkeypatch: pytest.MonkeyPatch) -> FakePass:
    """The fake pass, in place of the loop's reconcile."""
    fake = FakePass()
    monkeypatch.setattr(loop, "reconcile", fake)
    return fake


@pytest.fixture
def clock() -> FakeClock:
    """The queue's clock, moved by hand."""
    return FakeClock()


@pytest.fixture
def controller(tmp_path: Path, clock: FakeClock) -> loop.Controller:
    """A loop on a fixed folder of manifests (its AWS endpoint a closed port), with a queue
    on `clock`: backoff from 1 s, doubling up to 8 s."""
    (tmp_path / "shop.yaml").write_text(MANIFESTS)
    aws = Aws(AwsConfig("us-east-1", "http://127.0.0.1:9"))
    made = loop.Controller(
        aws, FixedFolder(tmp_path), defaults(resync=60), board=StatusBoard(), metrics=Metrics()
    )
    made.queue = WorkQueue(Backoff(base=1.0, factor=2.0, maximum=8.0), clock=clock)
    return made


def run_ready(controller: loop.Controller) -> list[loop.Key]:
    keys = controller.queue.get_batch(timeout=0)
    if keys:
        controller.process(keys)
    return keys


def test_the_first_load_is_one_pass_over_everything(
    controller: loop.Controller, fake_pass: FakePass
) -> None:
    """Loading the source queues one key for everything, which is one pass with one read of
    everything (not one pass per batch of keys), and the daemon is ready after it."""
    controller.process([loop.SOURCE])
    assert run_ready(controller) == [loop.ALL]
    assert fake_pass.requests == [Request(everything=True, prune=True)]
    assert controller.ready


def test_an_error_backs_off_and_success_resets(
    controller: loop.Controller, fake_pass: FakePass, clock: FakeClock
) -> None:
    """A key whose result says backoff comes back after a growing delay; a success resets it."""
    controller.process([loop.SOURCE])
    fake_pass.answer[WEB] = KeyResult(WEB, Outcome.FAILED, BACKOFF)
    run_ready(controller)
    assert controller.queue.failures(WEB) == 1
    assert run_ready(controller) == []

    clock.now += 1.0
    assert run_ready(controller) == [WEB]
    assert fake_pass.requests[-1] == Request(keys=frozenset({WEB}))
    assert controller.queue.failures(WEB) == 2

    fake_pass.answer.clear()
    clock.now += 2.0
    assert run_ready(controller) == [WEB]
    assert controller.queue.failures(WEB) == 0


def test_requeue_after_resets_the_backoff_then_waits(
    controller: loop.Controller, fake_pass: FakePass, clock: FakeClock
) -> None:
    """A result with `after` resets the key's backoff and brings it back after that delay."""
    controller.process([loop.SOURCE])
    fake_pass.answer[WEB] = KeyResult(WEB, Outcome.FAILED, BACKOFF)
    run_ready(controller)
    assert controller.queue.failures(WEB) == 1

    fake_pass.answer[WEB] = KeyResult(WEB, Outcome.UPDATED, Requeue(after=5.0))
    clock.now += 1.0
    run_ready(controller)
    assert controller.queue.failures(WEB) == 0
    clock.now += 4.9
    assert run_ready(controller) == []
    clock.now += 0.2
    assert run_ready(controller) == [WEB]


def test_a_failed_read_of_everything_comes_back_as_one_key(
    controller: loop.Controller, fake_pass: FakePass, clock: FakeClock
) -> None:
    """When the one read of everything fails, everything comes back as one key with backoff,
    not as one key per resource each repeating the reads of the whole account."""
    controller.process([loop.SOURCE])
    fake_pass.error = TransientAwsError(
        "DescribeServices", "", "ThrottlingException", "Rate exceeded"
    )
    run_ready(controller)
    assert controller.queue.failures(loop.ALL) == 1
    assert controller.queue.failures(WEB) == 0

    fake_pass.error = None
    clock.now += 1.0
    assert run_ready(controller) == [loop.ALL]
    assert controller.queue.failures(loop.ALL) == 0


def test_a_resync_is_one_pass_and_schedules_the_next(
    controller: loop.Controller, fake_pass: FakePass, clock: FakeClock
) -> None:
    """The resync key asks for one pass over everything, and puts itself back after the
    resync interval."""
    controller.process([loop.SOURCE])
    run_ready(controller)
    controller.process([loop.RESYNC])
    assert fake_pass.requests[-1] == Request(everything=True, prune=True)
    clock.now += 60.0
    assert run_ready(controller) == [loop.RESYNC]


def test_a_standby_observes(controller: loop.Controller, fake_pass: FakePass) -> None:
    """A replica that does not lead asks for a pass that writes nothing."""
    controller.is_leader = lambda: False
    controller.process([loop.SOURCE])
    run_ready(controller)
    assert fake_pass.requests[-1].mode is Mode.OBSERVE


@pytest.mark.parametrize("own_process", [True, False])
def test_the_collector_waits_only_while_the_daemons_own_pass_runs(
    controller: loop.Controller, fake_pass: FakePass, own_process: bool
) -> None:
    """In the daemon's own process the cyclic collector is paused for a pass and resumes
    after it, even when the pass raises; elsewhere it is left alone."""
    controller.freeze_loaded = own_process
    seen: list[bool] = []

    def recording(target: Target, request: Request) -> PassResult:
        seen.append(gc.isenabled())
        if len(seen) == 2:
            raise RuntimeError("the pass broke")
        return fake_pass(target, request)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(loop, "reconcile", recording)
        patch.setattr(gc, "freeze", lambda: None)  # the test's process is not the daemon's
        controller.process([loop.SOURCE])
        run_ready(controller)
        controller.queue.add(loop.ALL)
        with pytest.raises(RuntimeError, match="the pass broke"):
            run_ready(controller)
    assert seen == [not own_process, not own_process]
    assert gc.isenabled()
