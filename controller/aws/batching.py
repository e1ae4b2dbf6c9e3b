"""Batched, concurrent reads: names in AWS-sized batches, independent requests side by side.

Every reader describes many names the same way: split them at the call's
limit, send the batches, keep the items each batch asked for. The batches
(and other independent requests, such as one DescribeTaskDefinition per
revision) run on a bounded thread pool; the client-side rate buckets
(`ratelimit`, taken in `calls` before every attempt) do the pacing, so the
pool only bounds how many requests are in flight at once.
"""

from __future__ import annotations

import contextvars
import itertools
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from controller.aws import calls, errors

if TYPE_CHECKING:
    from controller.aws.clients import Aws

T = TypeVar("T")
R = TypeVar("R")

DESCRIBE_SERVICES = 10
DESCRIBE_CLUSTERS = 100
DESCRIBE_CAPACITY_PROVIDERS = 100
DESCRIBE_REPOSITORIES = 100

READ_WORKERS = 8
"""Requests one read keeps in flight. Readers of different kinds run side by side
(`reconcile.observe`), and botocore keeps 32 connections per client, so a few
readers at 8 each never wait for a connection. On AWS the rate buckets, not
this number, set the pace (DescribeTaskDefinition: 20 per second after a burst
of 50), and 8 requests in flight exceed that rate at any usual latency."""


def chunks(items: Sequence[T], size: int) -> Iterator[list[T]]:
    """`items` in consecutive lists of at most `size` (itertools.batched is 3.12+)."""
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def label(prefix: str, names: Sequence[str]) -> str:
    """`Service/prod/web`, or `Service/prod/web (+9 more)` for a batch."""
    if not names:
        return ""
    more = f" (+{len(names) - 1} more)" if len(names) > 1 else ""
    return f"{prefix}/{names[0]}{more}"


def each(work: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """`work(item)` for every item, up to `READ_WORKERS` at once; results in `items` order.

    A single item runs on the calling thread. When any item raises, the
    items not yet started are not started, and the first failure (in `items`
    order) is raised once the running ones have finished. Each item runs in a
    copy of the caller's context, so log fields bound by the caller stay bound.

    Each worker thread takes the next item itself: no future, lock and wake-up
    per item, which cost a read of 100 items more CPU than the requests' own work.
    """
    count = len(items)
    if count <= 1:
        return [work(item) for item in items]
    context = contextvars.copy_context()
    results: list[Any] = [None] * count
    failures: dict[int, BaseException] = {}
    taken = itertools.count()  # next() on a count is atomic under the GIL
    failed = threading.Event()

    def worker() -> None:
        while not failed.is_set():
            index = next(taken)
            if index >= count:
                return
            try:
                results[index] = context.copy().run(work, items[index])
            except BaseException as exc:  # raised again on the caller's thread
                failures[index] = exc
                failed.set()

    threads = [
        threading.Thread(target=worker, name=f"ecsync-read_{n}")
        for n in range(min(READ_WORKERS, count))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[min(failures)]
    return results


@dataclass(frozen=True)
class Batch:
    """One describe request: the names it asks for and the rest of its parameters."""

    names: list[str]
    resource: str
    """What the request is about, for errors and logs (`batching.label`)."""
    params: Mapping[str, Any] = field(default_factory=dict)


def batches(
    names: Sequence[str],
    size: int,
    prefix: str,
    names_param: str,
    **params: Any,
) -> list[Batch]:
    """`names` as describe requests of at most `size` names, sent as `names_param`."""
    return [
        Batch(batch, label(prefix, batch), {**params, names_param: batch})
        for batch in chunks(names, size)
    ]


def describe(
    aws: Aws,
    service: str,
    operation: str,
    result_key: str,
    requests: Sequence[Batch],
    *,
    absent: Callable[[errors.NotFoundError], bool] = lambda _: False,
    keep: Callable[[Batch, list[Any]], list[Any]] | None = None,
) -> list[list[Any] | None]:
    """The `result_key` items of each request's answer, the requests sent concurrently.

    A request that fails with a not-found error `absent` accepts (say, the
    cluster of a DescribeServices batch is gone) answers None; any other
    failure is raised. Callers keep only the items their batch asked for:
    `keep(request, items)`, when given, does it as each answer arrives, so that
    the answers of a large read are not all held at once before being reduced.
    """

    def send(request: Batch) -> list[Any] | None:
        try:
            page = calls.call(aws, service, operation, request.resource, **request.params)
        except errors.NotFoundError as exc:
            if absent(exc):
                return None
            raise
        items: list[Any] = page.get(result_key, [])
        return items if keep is None else keep(request, items)

    return each(send, requests)
