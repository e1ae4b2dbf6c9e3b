"""The one retry layer for a single AWS API call, and pagination on top of it.

Every request ecsync sends goes through `call`: botocore's own retries are
off, so a transient failure is retried here (tenacity, exponential backoff
with full jitter, driven by `Aws.retry`) and nowhere else below the work
queue. A permanent failure is raised at once.
"""

from __future__ import annotations

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

if TYPE_CHECKING:
    from controller.aws.clients import Aws

log = structlog.get_logger(__name__)


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
    try:
        client = aws.client(service)
    except BotoCoreError as exc:  # e.g. an unknown region or a broken config file
        raise errors.translate(exc, operation, resource) from exc
    api_name: str = client.meta.method_to_api_mapping.get(operation, operation)
    method = getattr(client, operation)
    policy = aws.retry
    attempts = 0

    def attempt() -> dict[str, Any]:
        nonlocal attempts
        attempts += 1
        try:
            response: dict[str, Any] = method(**params)
        except (ClientError, BotoCoreError, ProtocolError) as exc:
            error = errors.translate(exc, api_name, resource)
            aws.record(api_name, "transient_error" if error.retryable else "permanent_error")
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

    retrying = Retrying(
        retry=retry_if_exception_type(errors.TransientAwsError),
        stop=stop_after_attempt(policy.attempts),
        wait=wait_random_exponential(multiplier=policy.base_delay, max=policy.max_delay),
        before_sleep=before_sleep,
        reraise=True,
    )
    try:
        return retrying(attempt)
    except errors.AwsError as error:
        error.attempts = attempts
        _log_failure(error)
        raise


def paginate(
    aws: Aws, service: str, operation: str, result_key: str, resource: str = "", /, **params: Any
) -> list[Any]:
    """Every item of `result_key` across all pages, following `nextToken` ourselves.

    Each page is one `call` (so each page is retried on its own). Pass
    `maxResults` where the API allows it: AWS pages at 100 and some calls
    (ListServices) default to 10.
    """
    items: list[Any] = []
    token: str | None = None
    while True:
        page_params = {**params, "nextToken": token} if token else params
        page = call(aws, service, operation, resource, **page_params)
        items.extend(page.get(result_key, []))
        token = page.get("nextToken")
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
    elif error.retryable:
        log.error("aws_call_failed", reason="giving up", **fields)
    else:
        log.error("aws_call_failed", reason="permanent", **fields)
