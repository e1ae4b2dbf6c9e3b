"""Batched reads: independent requests run side by side, bounded, in order, failing cleanly."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
import structlog
from structlog.testing import capture_logs

from controller.aws import batching, calls, errors


def test_items_run_side_by_side() -> None:
    """Eight items that each wait for all eight to have started finish: they overlap."""
    started = threading.Barrier(8, timeout=5)

    def work(item: int) -> int:
        started.wait()
        return item * 2

    assert batching.each(work, list(range(8))) == [0, 2, 4, 6, 8, 10, 12, 14]


def test_no_more_than_read_workers_are_in_flight() -> None:
    """However many items there are, at most READ_WORKERS run at the same time."""
    lock = threading.Lock()
    running = 0
    peak = 0

    def work(item: int) -> int:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.01)
        with lock:
            running -= 1
        return item

    assert batching.each(work, list(range(40))) == list(range(40))
    assert peak == batching.READ_WORKERS


def test_results_keep_the_order_of_the_items() -> None:
    """Items that finish in reverse order still come back in the order they were given."""

    def work(item: int) -> int:
        time.sleep(0.002 * (10 - item))
        return item

    assert batching.each(work, list(range(10))) == list(range(10))


def test_a_failure_is_raised_and_the_items_not_started_are_cancelled() -> None:
    """The first failing item's error is raised; of 100 items, those queued behind it never run."""
    ran: list[int] = []
    lock = threading.Lock()

    def work(item: int) -> int:
        with lock:
            ran.append(item)
        if item == 0:
            raise errors.PermanentAwsError("DescribeServices", "Service/x", "AccessDenied", "no")
        time.sleep(0.01)
        return item

    with pytest.raises(errors.PermanentAwsError, match="AccessDenied"):
        batching.each(work, list(range(100)))
    assert len(ran) < 100


def test_one_item_runs_on_the_calling_thread() -> None:
    """A single request needs no pool: it runs where the caller runs."""
    assert batching.each(lambda _: threading.current_thread().name, ["x"]) == [
        threading.current_thread().name
    ]


def test_log_fields_bound_by_the_caller_stay_bound_in_the_workers() -> None:
    """A field bound with structlog's contextvars before a read is on the workers' events."""
    structlog.contextvars.bind_contextvars(revision="abc123")
    try:
        with capture_logs(processors=[structlog.contextvars.merge_contextvars]) as logs:
            batching.each(lambda n: structlog.get_logger().info("read_one", n=n), [1, 2])
    finally:
        structlog.contextvars.unbind_contextvars("revision")
    assert sorted((e["n"], e.get("revision")) for e in logs) == [(1, "abc123"), (2, "abc123")]


def test_describe_keeps_each_answer_with_its_request(monkeypatch: pytest.MonkeyPatch) -> None:
    """25 names go out as batches of 10, 10 and 5, each answer paired with its own batch."""
    sent: list[dict[str, Any]] = []
    lock = threading.Lock()

    def fake_call(aws: Any, service: str, operation: str, resource: str, **params: Any) -> Any:
        with lock:
            sent.append({"resource": resource, **params})
        return {"services": [{"serviceName": n} for n in params["services"]]}

    monkeypatch.setattr(calls, "call", fake_call)
    names = [f"svc-{n:02}" for n in range(25)]
    requests = batching.batches(names, 10, "Service/prod", "services", cluster="prod")

    pages = batching.describe(None, "ecs", "describe_services", "services", requests)  # type: ignore[arg-type]

    assert [[s["serviceName"] for s in page or []] for page in pages] == [
        names[:10],
        names[10:20],
        names[20:],
    ]
    assert sorted(s["resource"] for s in sent) == [
        "Service/prod/svc-00 (+9 more)",
        "Service/prod/svc-10 (+9 more)",
        "Service/prod/svc-20 (+4 more)",
    ]
    assert {s["cluster"] for s in sent} == {"prod"}


def test_describe_answers_none_for_an_accepted_not_found(monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch whose not-found error `absent` accepts answers None; an unaccepted one raises."""

    def fake_call(aws: Any, service: str, operation: str, resource: str, **params: Any) -> Any:
        if params["cluster"] == "gone":
            raise errors.NotFoundError(operation, resource, "ClusterNotFoundException", "gone")
        return {"services": []}

    monkeypatch.setattr(calls, "call", fake_call)
    requests = [
        *batching.batches(["a"], 10, "Service/gone", "services", cluster="gone"),
        *batching.batches(["b"], 10, "Service/here", "services", cluster="here"),
    ]

    def cluster_gone(exc: errors.NotFoundError) -> bool:
        return exc.code == "ClusterNotFoundException"

    pages = batching.describe(
        None,  # type: ignore[arg-type]
        "ecs",
        "describe_services",
        "services",
        requests,
        absent=cluster_gone,
    )

    assert pages == [None, []]
    with pytest.raises(errors.NotFoundError):
        batching.describe(None, "ecs", "describe_services", "services", requests)  # type: ignore[arg-type]


def test_describe_reduces_each_answer_as_it_arrives(monkeypatch: pytest.MonkeyPatch) -> None:
    """With `keep`, each answer is reduced by it, with its own request, before the next
    answers are gathered: the pages returned are what `keep` made of them."""
    kept: list[tuple[str, int]] = []
    lock = threading.Lock()

    def fake_call(aws: Any, service: str, operation: str, resource: str, **params: Any) -> Any:
        return {"services": [{"serviceName": n} for n in params["services"]]}

    def keep(request: batching.Batch, items: list[Any]) -> list[Any]:
        with lock:
            kept.append((request.names[0], len(items)))
        return [item["serviceName"].upper() for item in items if item["serviceName"] != "svc-03"]

    monkeypatch.setattr(calls, "call", fake_call)
    names = [f"svc-{n:02}" for n in range(15)]
    requests = batching.batches(names, 10, "Service/prod", "services", cluster="prod")

    pages = batching.describe(None, "ecs", "describe_services", "services", requests, keep=keep)  # type: ignore[arg-type]

    assert pages == [
        [n.upper() for n in names[:10] if n != "svc-03"],
        [n.upper() for n in names[10:]],
    ]
    assert sorted(kept) == [("svc-00", 10), ("svc-10", 5)]
