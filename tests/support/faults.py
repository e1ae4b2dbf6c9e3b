"""Fault injection in front of moto (which has none).

Two levels: canned HTTP answers per operation through one client's botocore
hooks (`answer`, `fail_always`, `raise_always`), and seeded `FaultPlan`s that
`awsproxy.AwsProxy` applies on the wire to every client, a daemon included.
"""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.compat import HTTPHeaders


class _Body:
    """The `raw` object botocore reads a response body from."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body


def json_response(status: int, payload: dict[str, Any]) -> AWSResponse:
    """An AWS JSON-protocol response (ECS, ECR, DynamoDB) with `status` and `payload`."""
    headers = HTTPHeaders.from_dict(
        {"Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": "test"}
    )
    return AWSResponse("http://fault", status, headers, _Body(json.dumps(payload).encode()))


def error_response(status: int, code: str, message: str = "injected") -> AWSResponse:
    return json_response(status, {"__type": code, "message": message})


def answer(
    client: Any, operation: str, responses: Callable[[dict[str, Any]], AWSResponse | None]
) -> Callable[[], None]:
    """Answer `operation` on `client` with `responses(request)` instead of sending it.

    `responses` gets the prepared request (its `body` holds the serialised
    parameters) and returns a response, or None to let the request through.
    Returns a function that removes the hook.
    """
    event = f"before-send.{client.meta.service_model.service_id.hyphenize()}.{operation}"

    def hook(request: Any, **_: Any) -> AWSResponse | None:
        return responses(request)

    client.meta.events.register(event, hook)
    return lambda: client.meta.events.unregister(event, hook)


def fail_always(client: Any, operation: str, status: int, code: str) -> Callable[[], None]:
    """Every `operation` on `client` fails with HTTP `status` and error `code`."""
    return answer(client, operation, lambda _request: error_response(status, code))


def raise_always(client: Any, operation: str, error: Exception) -> Callable[[], None]:
    """Every `operation` on `client` raises `error` (e.g. a connection error) while sending."""

    def hook(_request: Any) -> AWSResponse | None:
        raise error

    return answer(client, operation, hook)


class Fault(StrEnum):
    THROTTLE = "throttle"
    """HTTP 400 ThrottlingException, as an exhausted bucket gives."""
    SERVER_ERROR = "http_500"
    UNAVAILABLE = "http_503"
    RESET = "reset"
    """The connection is closed (RST) without any response."""
    TIMEOUT = "timeout"
    """No response for `FaultPlan.hang` seconds (past the client's read timeout), then a close."""
    SLOW = "slow"
    """The request goes through, `FaultPlan.slow` seconds late."""
    DENIED = "access_denied"
    """HTTP 400 AccessDeniedException: a permanent error, for tests of what is not retried."""


TRANSIENT = (
    Fault.THROTTLE,
    Fault.SERVER_ERROR,
    Fault.UNAVAILABLE,
    Fault.RESET,
    Fault.TIMEOUT,
    Fault.SLOW,
)
"""The faults real AWS shows now and then; the default choice of a `FaultPlan`."""


LOSABLE = frozenset({Fault.SERVER_ERROR, Fault.UNAVAILABLE, Fault.RESET, Fault.TIMEOUT})
"""Faults that can strike after a write was applied (a throttled request never is)."""
_READ_PREFIXES = ("Describe", "List", "Get", "BatchGet", "BatchCheck")


def is_write(operation: str) -> bool:
    """Whether an API operation (e.g. `TagResource`) may change anything, as AWS names them."""
    return not operation.startswith(_READ_PREFIXES)


@dataclass(frozen=True)
class FaultPlan:
    """Which requests fail, and how: each request draws once from a generator seeded with `seed`."""

    rate: float = 0.0
    """Probability that a request gets a fault."""
    seed: int = 0
    kinds: tuple[Fault, ...] = TRANSIENT
    """The faults to choose from, uniformly."""
    operations: frozenset[str] | None = None
    """Only these operations get faults (None: every JSON-protocol operation)."""
    lost_writes: bool = False
    """Let losable faults on writes strike after the write was forwarded and applied."""
    lost_share: float = 0.5
    """With `lost_writes`, the share of losable faults on writes that strike after forwarding."""
    budget: int | None = None
    """At most this many faults in all (None: no limit); then requests go through."""
    hang: float = 1.5
    """How long a TIMEOUT holds the connection; keep it above the client's read timeout."""
    slow: tuple[float, float] = (0.05, 0.3)
    """Range of the delay added by SLOW, in seconds (before forwarding). Keep it well under
    the client's read timeout, or a slow write turns into one whose answer is lost."""


NO_FAULTS = FaultPlan()


@dataclass(frozen=True)
class Decision:
    """What happens to one request: no fault, or which, and when."""

    fault: Fault | None = None
    after: bool = False
    """The fault strikes after the request was forwarded (its answer is lost)."""
    delay: float = 0.0
    """Seconds a SLOW or TIMEOUT fault waits."""


class Dice:
    """Draws each request's fault from `plan`'s generator, seeded with `plan.seed` (thread-safe)."""

    def __init__(self, plan: FaultPlan) -> None:
        self.plan = plan
        self._random = random.Random(plan.seed)
        self._injected = 0
        self._lock = threading.Lock()

    def decide(self, operation: str) -> Decision:
        plan = self.plan
        with self._lock:
            if plan.operations is not None and operation not in plan.operations:
                return Decision()
            if plan.budget is not None and self._injected >= plan.budget:
                return Decision()
            if self._random.random() >= plan.rate:
                return Decision()
            self._injected += 1
            fault = self._random.choice(plan.kinds)
            after = (
                plan.lost_writes
                and fault in LOSABLE
                and is_write(operation)
                and self._random.random() < plan.lost_share
            )
            delay = self._random.uniform(*plan.slow) if fault is Fault.SLOW else plan.hang
            return Decision(fault, after, delay)
