"""The one retry layer for a single AWS API call, and pagination on top of it.

Every request ecsync sends goes through `call` (or `create`): botocore's own
retries are off, so a transient failure is retried here (tenacity,
exponential backoff with full jitter, driven by `Aws.retry`) and nowhere else
below the work queue. A permanent failure is raised at once.

A read of a JSON-protocol service goes out through `lean` when it can (the
same request on the wire, the same answer and errors, a fraction of
botocore's CPU); everything else through the botocore client.

Retrying a write is safe when sending it twice changes nothing more than
sending it once (updates, tags, deletes, CreateCluster). The creates AWS does
not make idempotent go through `create`, which looks for what an unanswered
attempt may have created before it sends the request again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import structlog
from botocore.exceptions import BotoCoreError, ClientError
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_random_exponential,
)
from urllib3.exceptions import ProtocolError

from controller.aws import errors
from controller.core import redact

if TYPE_CHECKING:
    from controller.aws.clients import Aws, RetryPolicy

log = structlog.get_logger(__name__)

READ_PREFIXES = ("Describe", "List", "Get", "BatchGet")
"""API operations that only read. Every other operation is a write, and asks
`Aws.write_gate` before each attempt."""


def is_write(operation: str) -> bool:
    """Whether the API operation (e.g. `UpdateService`) may change anything."""
    return not operation.startswith(READ_PREFIXES)


def call(
    aws: Aws, service: str, operation: str, resource: str = "", /, **params: Any
) -> dict[str, Any]:
    """Send one request (`operation` is the boto3 method name), retrying transient failures.

    Returns the response without `ResponseMetadata`. Raises `errors.AwsError`
    (never a botocore exception); `resource` (e.g. ``Service/prod/web``) names
    what the call was about in errors and logs. The leading arguments are
    positional-only, so API parameters such as UpdateService's `service` pass
    through `params`.
    """
    return _send(aws, service, operation, resource, find=None, params=params)


Finder = Callable[[], "dict[str, Any] | None"]
"""Looks for what a create made: its answer in the create's response shape, or None."""


def create(
    aws: Aws, service: str, operation: str, resource: str, find: Finder, /, **params: Any
) -> dict[str, Any]:
    """`call` for a create that AWS does not make idempotent; never creates twice.

    When an attempt failed in a way that may have come after AWS applied it
    (HTTP 5xx, a connection closed or timed out after the request was sent:
    `errors.may_have_applied`), `find()` runs before the next attempt. If it
    finds the resource (ours: finders check the ownership tag), its answer is
    returned as the create's, and nothing is sent again. A failure of `find`
    itself ends the call: the work queue retries the whole resource, which
    reads live state afresh.
    """
    return _send(aws, service, operation, resource, find=find, params=params)


def _send(
    aws: Aws,
    service: str,
    operation: str,
    resource: str,
    *,
    find: Finder | None,
    params: dict[str, Any],
) -> dict[str, Any]:
    try:
        client = aws.client(service)
    except BotoCoreError as exc:  # e.g. an unknown region or a broken config file
        raise errors.translate(exc, operation, resource) from exc
    api_name: str = client.meta.method_to_api_mapping.get(operation, operation)
    method = getattr(client, operation)
    lean_send = None if is_write(api_name) else aws.lean_sender(service, api_name)
    policy = aws.retry
    attempts = 0
    uncertain = False  # the last attempt failed, but may have been applied

    def attempt() -> dict[str, Any]:
        nonlocal attempts, uncertain
        if uncertain and find is not None:
            found = _look(find, api_name, resource, attempts)
            if found is not None:
                return found
        if aws.write_gate is not None and is_write(api_name) and not aws.write_gate():
            raise errors.NotLeaderError(
                api_name,
                resource,
                "NotLeader",
                "this replica does not hold the leader lease (or it ran out): the write was "
                "not sent; the leader makes it",
            )
        if aws.rate_limiter is not None:
            aws.rate_limiter.acquire(service, api_name)
        attempts += 1
        try:
            response = lean_send(params) if lean_send is not None else None
            if response is None:
                response = method(**params)
        except (ClientError, BotoCoreError, ProtocolError) as exc:
            error = _scrubbed(errors.translate(exc, api_name, resource), params)
            aws.record(api_name, "transient_error" if error.retryable else "permanent_error")
            uncertain = errors.may_have_applied(error)
            raise error from exc
        aws.record(api_name, "ok")
        response.pop("ResponseMetadata", None)
        return response

    def before_sleep(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        log.warning(
            "aws_call_retrying",
            operation=api_name,
            resource=resource,
            attempt=f"{state.attempt_number}/{policy.attempts}",
            delay=round(state.upcoming_sleep, 3),
            code=getattr(error, "code", None),
            message=getattr(error, "message", None),
        )

    try:
        # The first attempt runs without tenacity, a twentieth of a read's CPU.
        try:
            return attempt()
        except errors.TransientAwsError as error:
            if policy.attempts <= 1:
                raise
            return _retried(attempt, error, policy, before_sleep)
    except _FinderError as failed:
        raise failed.error from failed
    except errors.AwsError as error:
        error.attempts = attempts
        _log_failure(error)
        raise


def _retried(
    attempt: Callable[[], dict[str, Any]],
    first: errors.TransientAwsError,
    policy: RetryPolicy,
    before_sleep: Callable[[RetryCallState], None],
) -> dict[str, Any]:
    """The retries of `attempt` after its first attempt failed with `first`: tenacity
    meets that failure again as its own first attempt, then waits, logs and counts
    exactly as if it had run that attempt itself."""
    replay: list[errors.TransientAwsError] = [first]

    def replayed() -> dict[str, Any]:
        if replay:
            raise replay.pop()
        return attempt()

    retrying = Retrying(
        retry=retry_if_exception_type(errors.TransientAwsError),
        stop=stop_after_attempt(policy.attempts),
        wait=wait_random_exponential(multiplier=policy.base_delay, max=policy.max_delay),
        before_sleep=before_sleep,
        reraise=True,
    )
    return retrying(replayed)


def _scrubbed(error: errors.AwsError, params: dict[str, Any]) -> errors.AwsError:
    """`error` without the secret values of its request: botocore's parameter errors
    quote the values they reject, and an AWS message may quote the request too."""
    error.message = redact.scrub(error.message, redact.secret_values(params))
    error.args = (error.operation, error.resource, error.code, error.message)
    return error


class _FinderError(Exception):
    """A finder failed: not retried here (see `create`)."""

    def __init__(self, error: errors.AwsError) -> None:
        super().__init__(error)
        self.error = error


def _look(find: Finder, operation: str, resource: str, attempts: int) -> dict[str, Any] | None:
    """Run `find` after an uncertain failure; a hit is logged as a recovered write."""
    try:
        found = find()
    except errors.AwsError as error:
        raise _FinderError(error) from error
    if found is not None:
        log.info(
            "aws_write_recovered",
            operation=operation,
            resource=resource,
            attempts=attempts,
            message="an earlier attempt was applied though its answer was lost; not sent again",
        )
    return found


def paginate(
    aws: Aws,
    service: str,
    operation: str,
    result_key: str,
    resource: str = "",
    /,
    *,
    cursor: str = "nextToken",
    **params: Any,
) -> list[Any]:
    """Every item of `result_key` across all pages, following the page token ourselves.

    Each page is one `call` (so each page is retried on its own). Pass
    `maxResults` where the API allows it: AWS pages at 100 and some calls
    (ListServices) default to 10. `cursor` is the page token's name in both the
    request and the answer: `nextToken` (ECS, ECR) or `NextToken` (Application
    Auto Scaling, EventBridge Scheduler).
    """
    items: list[Any] = []
    token: str | None = None
    while True:
        page_params = {**params, cursor: token} if token else params
        page = call(aws, service, operation, resource, **page_params)
        items.extend(page.get(result_key, []))
        token = page.get(cursor)
        if not token:
            return items


def _log_failure(error: errors.AwsError) -> None:
    fields = {
        "operation": error.operation,
        "resource": error.resource,
        "code": error.code,
        "message": error.message,
        "attempts": error.attempts,
    }
    if isinstance(error, errors.NotFoundError):
        # Readers and deletes expect "not found" as an ordinary answer.
        log.debug("aws_call_failed", reason="not found", **fields)
    elif isinstance(error, errors.ConditionFailedError):
        # A lease write that lost to another replica's write: an answer, not a fault.
        log.debug("aws_call_failed", reason="condition not met", **fields)
    elif isinstance(error, errors.NotLeaderError):
        log.warning("aws_call_failed", reason="not leader", **fields)
    elif error.retryable:
        log.error("aws_call_failed", reason="giving up", **fields)
    else:
        log.error("aws_call_failed", reason="permanent", **fields)
