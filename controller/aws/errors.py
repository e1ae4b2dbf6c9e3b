"""Our AWS error types, and the one mapping from botocore failures onto them.

Transient errors (throttling, 5xx, broken connections) are retried with
backoff by `calls.call`; permanent ones (validation, access, not found...)
are reported and not retried until the input changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)
from urllib3.exceptions import ProtocolError

THROTTLING_CODES = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "ThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "RequestThrottled",
        "RequestThrottledException",
        "ProvisionedThroughputExceededException",
        # Application Auto Scaling: "an update to an Application Auto Scaling resource that
        # already has a pending update" (API Reference, ConcurrentUpdateException). Refused,
        # not applied; it succeeds once the other update is done.
        "ConcurrentUpdateException",
    }
)
SERVER_CODES = frozenset(
    {
        "ServerException",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "InternalFailure",
        "InternalError",
        "InternalServerError",
    }
)
CONNECTION_ERRORS = (
    EndpointConnectionError,
    ConnectionClosedError,
    ReadTimeoutError,
    ConnectTimeoutError,
    ProtocolError,
)


class AwsError(Exception):
    """An AWS call that failed, with what a user needs to act on it."""

    retryable: ClassVar[bool] = False

    def __init__(
        self, operation: str, resource: str, code: str, message: str, *, attempts: int = 1
    ) -> None:
        super().__init__(operation, resource, code, message)
        self.operation = operation
        """The API operation, e.g. `DescribeServices`."""
        self.resource = resource
        """What the call was about, e.g. `Service/prod/web`, or ``""``."""
        self.code = code
        self.message = message
        self.attempts = attempts

    def __str__(self) -> str:
        target = f" on {self.resource}" if self.resource else ""
        tries = f" after {self.attempts} attempts" if self.attempts > 1 else ""
        verdict = (
            "transient: will be retried"
            if self.retryable
            else "permanent: will not be retried until the input changes"
        )
        return f"{self.operation}{target} failed{tries}: {self.code}: {self.message} ({verdict})"


class TransientAwsError(AwsError):
    """Throttling, a server-side fault or a broken connection: retrying may succeed."""

    retryable = True


class PermanentAwsError(AwsError):
    """The request itself is wrong, forbidden or impossible: retrying cannot help."""


class NotFoundError(PermanentAwsError):
    """The named resource (or policy, or revision) does not exist."""


class ConditionFailedError(PermanentAwsError):
    """A conditional write found its condition false (DynamoDB `ConditionalCheckFailedException`).

    An ordinary answer for a lease write: another replica wrote first.
    """


class NotLeaderError(PermanentAwsError):
    """A write refused before it was sent: this replica does not hold the leader lease.

    Raised by `calls` when `Aws.write_gate` is closed; code `NotLeader`.
    """


def translate(exc: BaseException, operation: str, resource: str) -> AwsError:
    """Map any botocore/urllib3 failure of one call onto our error types."""
    if isinstance(exc, AwsError):
        return exc
    if isinstance(exc, ClientError):
        return _from_client_error(exc, operation, resource)
    code = type(exc).__name__
    message = str(exc)
    if isinstance(exc, CONNECTION_ERRORS):
        return TransientAwsError(operation, resource, code, message)
    # Anything else botocore raises (parameter validation, credentials, config) is
    # about our input or setup, which no retry changes.
    return PermanentAwsError(operation, resource, code, message or repr(exc))


def _from_client_error(exc: ClientError, operation: str, resource: str) -> AwsError:
    error = exc.response.get("Error", {})
    code = error.get("Code") or "Unknown"
    message = error.get("Message") or str(exc)
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    if is_transient(code, message, status):
        return TransientAwsError(operation, resource, code, message)
    if is_not_found(code):
        return NotFoundError(operation, resource, code, message)
    if code == "ConditionalCheckFailedException":
        return ConditionFailedError(operation, resource, code, message)
    return PermanentAwsError(operation, resource, code, message)


def is_transient(code: str, message: str, status: int) -> bool:
    """Throttling, 5xx and server faults are transient; so is a *rate* LimitExceeded."""
    if code in THROTTLING_CODES or code in SERVER_CODES:
        return True
    if status == 429 or status >= 500:
        return True
    # LimitExceededException also means "quota reached" (ECR), which no retry fixes.
    return code == "LimitExceededException" and "rate" in message.lower()


NOT_SENT_CODES = frozenset({"EndpointConnectionError", "ConnectTimeoutError"})
"""Connection failures before the request left: AWS never saw it."""


def may_have_applied(error: AwsError) -> bool:
    """Whether a failed request may still have been applied by AWS.

    A server error (5xx) or a connection that broke or timed out after the
    request was sent leaves it unknown; a throttled request, a permanent
    error or a connection that was never made was certainly not applied.
    """
    if not error.retryable or error.code in THROTTLING_CODES or error.code in NOT_SENT_CODES:
        return False
    return error.code != "LimitExceededException"


def is_not_found(code: str) -> bool:
    """`RepositoryNotFoundException`, `ServiceNotFoundException`, `InvalidSubnetID.NotFound`..."""
    return code.endswith("NotFoundException") or code.endswith("NotFound")


def refuse_update(operation: str, resource: str, fields: Iterable[str], hint: str = "") -> None:
    """Raise a permanent error when `fields` holds anything an in-place update cannot change."""
    names = sorted(fields)
    if names:
        message = f"{', '.join(names)} cannot be changed in place"
        raise PermanentAwsError(
            operation, resource, "UnsupportedUpdate", f"{message}; {hint}" if hint else message
        )
