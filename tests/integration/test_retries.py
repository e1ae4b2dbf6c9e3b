"""The single retry layer: what is retried, how often, and what it reports."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ConnectionClosedError, ReadTimeoutError
from structlog.testing import capture_logs

from controller.aws import calls, errors
from controller.aws.clients import Aws, AwsConfig, RetryPolicy
from tests.support import faults
from tests.support.counting import CallCounter

ATTEMPTS = 5


@pytest.mark.parametrize(
    ("status", "code", "message", "retried"),
    [
        pytest.param(400, "ValidationException", "bad", False, id="400-validation"),
        pytest.param(400, "InvalidParameterException", "bad", False, id="400-invalid-parameter"),
        pytest.param(400, "ClientException", "bad", False, id="400-client"),
        pytest.param(400, "AccessDeniedException", "no", False, id="400-access-denied"),
        pytest.param(400, "ClusterNotFoundException", "gone", False, id="400-not-found"),
        pytest.param(400, "LimitExceededException", "quota reached", False, id="400-quota"),
        pytest.param(429, "ThrottlingException", "Rate exceeded", True, id="429-throttling"),
        pytest.param(400, "ThrottlingException", "Rate exceeded", True, id="400-throttling"),
        pytest.param(400, "TooManyRequestsException", "slow", True, id="400-too-many"),
        pytest.param(400, "LimitExceededException", "Rate exceeded", True, id="400-rate-limit"),
        pytest.param(500, "ServerException", "oops", True, id="500-server"),
        pytest.param(503, "ServiceUnavailable", "later", True, id="503-unavailable"),
    ],
)
def test_retry_classification(
    aws: Aws, calls_sent: CallCounter, status: int, code: str, message: str, retried: bool
) -> None:
    """Transient errors are sent RetryPolicy.attempts times, permanent ones exactly once."""
    faults.answer(aws.ecs, "ListClusters", lambda _: faults.error_response(status, code, message))

    with pytest.raises(errors.AwsError) as raised:
        calls.call(aws, "ecs", "list_clusters")

    expected = ATTEMPTS if retried else 1
    assert calls_sent["ListClusters"] == expected
    assert raised.value.attempts == expected
    assert raised.value.retryable is retried
    assert raised.value.code == code
    assert isinstance(
        raised.value, errors.TransientAwsError if retried else errors.PermanentAwsError
    )


@pytest.mark.parametrize(
    "failure",
    [
        ConnectionClosedError(endpoint_url="http://127.0.0.1"),
        ReadTimeoutError(endpoint_url="http://127.0.0.1"),
    ],
    ids=["connection-closed", "read-timeout"],
)
def test_connection_failures_are_retried(
    aws: Aws, calls_sent: CallCounter, failure: Exception
) -> None:
    """A dropped connection or a read timeout is transient and retried like throttling."""
    faults.raise_always(aws.ecs, "ListClusters", failure)

    with pytest.raises(errors.TransientAwsError) as raised:
        calls.call(aws, "ecs", "list_clusters")

    assert calls_sent["ListClusters"] == ATTEMPTS
    assert raised.value.code == type(failure).__name__


def test_unreachable_endpoint_is_transient(aws_env: None, unused_port: int) -> None:
    """Nothing listening at the endpoint gives a TransientAwsError, not a botocore exception."""
    offline = Aws(AwsConfig(region="us-east-1", endpoint_url=f"http://127.0.0.1:{unused_port}"))
    offline.retry = RetryPolicy(attempts=2, base_delay=0.001, max_delay=0.001)

    with pytest.raises(errors.TransientAwsError) as raised:
        calls.call(offline, "ecs", "list_clusters")

    assert raised.value.code == "EndpointConnectionError"
    assert offline.stats[("ListClusters", "transient_error")] == 2


def test_transient_failure_then_success_returns_the_answer(
    aws: Aws, calls_sent: CallCounter
) -> None:
    """After two throttled attempts the third goes through, and stats count each outcome."""
    remaining = [2]

    def throttle_twice(_: Any) -> Any:
        if remaining[0]:
            remaining[0] -= 1
            return faults.error_response(400, "ThrottlingException", "Rate exceeded")
        return None

    faults.answer(aws.ecs, "ListClusters", throttle_twice)

    assert calls.call(aws, "ecs", "list_clusters") == {"clusterArns": []}
    assert calls_sent["ListClusters"] == 3
    assert aws.stats[("ListClusters", "transient_error")] == 2
    assert aws.stats[("ListClusters", "ok")] == 1


def test_retry_policy_is_settable(aws: Aws, calls_sent: CallCounter) -> None:
    """The attempt count comes from Aws.retry, read at call time."""
    aws.retry = RetryPolicy(attempts=2, base_delay=0.001, max_delay=0.001)
    faults.fail_always(aws.ecs, "ListClusters", 500, "ServerException")

    with pytest.raises(errors.TransientAwsError):
        calls.call(aws, "ecs", "list_clusters")

    assert calls_sent["ListClusters"] == 2


def test_backoff_is_full_jitter_under_the_exponential_cap(aws: Aws) -> None:
    """Each delay lies in [0, min(max_delay, base_delay * 2**(n-1))]."""
    aws.retry = RetryPolicy(attempts=6, base_delay=0.002, max_delay=0.01)
    faults.fail_always(aws.ecs, "ListClusters", 429, "ThrottlingException")

    with capture_logs() as logs, pytest.raises(errors.TransientAwsError):
        calls.call(aws, "ecs", "list_clusters")

    delays = [e["delay"] for e in logs if e["event"] == "aws_call_retrying"]
    assert len(delays) == 5
    for n, delay in enumerate(delays, start=1):
        assert 0 <= delay <= min(0.01, 0.002 * 2 ** (n - 1))


def test_retries_and_giving_up_are_logged(aws: Aws) -> None:
    """Every retry logs aws_call_retrying (attempt n/N, code); the last failure logs giving up."""
    faults.fail_always(aws.ecs, "DescribeClusters", 429, "ThrottlingException")

    with capture_logs() as logs, pytest.raises(errors.TransientAwsError):
        calls.call(aws, "ecs", "describe_clusters", "Cluster/prod", clusters=["prod"])

    retrying = [e for e in logs if e["event"] == "aws_call_retrying"]
    assert [e["attempt"] for e in retrying] == ["1/5", "2/5", "3/5", "4/5"]
    assert {e["log_level"] for e in retrying} == {"warning"}
    assert {(e["operation"], e["code"], e["resource"]) for e in retrying} == {
        ("DescribeClusters", "ThrottlingException", "Cluster/prod")
    }
    failed = [e for e in logs if e["event"] == "aws_call_failed"]
    assert len(failed) == 1
    assert failed[0]["log_level"] == "error"
    assert failed[0]["reason"] == "giving up"
    assert failed[0]["attempts"] == 5


def test_permanent_failure_is_logged_once_and_not_retried(aws: Aws) -> None:
    """A permanent error logs one aws_call_failed (reason permanent) and no retry."""
    faults.fail_always(aws.ecs, "ListClusters", 400, "AccessDeniedException")

    with capture_logs() as logs, pytest.raises(errors.PermanentAwsError):
        calls.call(aws, "ecs", "list_clusters")

    assert [(e["event"], e["log_level"], e.get("reason")) for e in logs] == [
        ("aws_call_failed", "error", "permanent")
    ]


def test_not_found_is_a_quiet_permanent_error(aws: Aws) -> None:
    """A real "not found" from the server is a NotFoundError, logged at debug only."""
    with capture_logs() as logs, pytest.raises(errors.NotFoundError) as raised:
        calls.call(aws, "ecr", "describe_repositories", "Repository/nope", repositoryNames=["nope"])

    assert raised.value.code == "RepositoryNotFoundException"
    assert [e["log_level"] for e in logs] == ["debug"]


def test_error_message_says_what_failed_and_whether_it_is_retried(aws: Aws) -> None:
    """str(error) names the operation, the resource, the code, the message and the verdict."""
    faults.answer(
        aws.ecs,
        "DescribeServices",
        lambda _: faults.error_response(429, "ThrottlingException", "Rate exceeded"),
    )
    with pytest.raises(errors.TransientAwsError) as transient:
        calls.call(aws, "ecs", "describe_services", "Service/prod/web", services=["web"])
    faults.fail_always(aws.ecs, "ListClusters", 400, "AccessDeniedException")
    with pytest.raises(errors.PermanentAwsError) as permanent:
        calls.call(aws, "ecs", "list_clusters")

    assert str(transient.value) == (
        "DescribeServices on Service/prod/web failed after 5 attempts: "
        "ThrottlingException: Rate exceeded (transient: will be retried)"
    )
    assert str(permanent.value) == (
        "ListClusters failed: AccessDeniedException: injected "
        "(permanent: will not be retried until the input changes)"
    )


def test_invalid_parameters_never_leak_botocore_errors(aws: Aws) -> None:
    """botocore's client-side validation surfaces as a PermanentAwsError, sent zero times."""
    with pytest.raises(errors.PermanentAwsError) as raised:
        calls.call(aws, "ecs", "describe_clusters", clusters="not-a-list-of-names", bogus=1)

    assert raised.value.code == "ParamValidationError"
    assert aws.stats[("DescribeClusters", "permanent_error")] == 1


def test_response_metadata_is_dropped(aws: Aws) -> None:
    """call() returns the operation's own output, without botocore's ResponseMetadata."""
    assert "ResponseMetadata" not in calls.call(aws, "ecs", "list_clusters")


@pytest.mark.parametrize(
    ("error", "applied"),
    [
        (errors.TransientAwsError("Op", "", "ThrottlingException", "Rate exceeded"), False),
        (errors.TransientAwsError("Op", "", "LimitExceededException", "Rate exceeded"), False),
        (errors.TransientAwsError("Op", "", "EndpointConnectionError", "refused"), False),
        (errors.TransientAwsError("Op", "", "ConnectTimeoutError", "no answer"), False),
        (errors.TransientAwsError("Op", "", "ServerException", "oops"), True),
        (errors.TransientAwsError("Op", "", "ServiceUnavailable", "later"), True),
        (errors.TransientAwsError("Op", "", "ConnectionClosedError", "closed"), True),
        (errors.TransientAwsError("Op", "", "ReadTimeoutError", "timed out"), True),
        (errors.PermanentAwsError("Op", "", "AccessDeniedException", "no"), False),
    ],
    ids=lambda value: getattr(value, "code", ""),
)
def test_which_failures_may_have_been_applied(error: errors.AwsError, applied: bool) -> None:
    """Only 5xx and connections broken after sending leave a write's outcome unknown."""
    assert errors.may_have_applied(error) is applied


def _fail_first(status: int, code: str) -> Any:
    remaining = [1]

    def respond(_: Any) -> Any:
        if remaining[0]:
            remaining[0] -= 1
            return faults.error_response(status, code)
        return None

    return respond


def test_create_looks_before_resending_after_an_uncertain_failure(
    aws: Aws, calls_sent: CallCounter
) -> None:
    """After a 500 the finder runs; what it finds is the answer, and nothing is resent."""
    faults.answer(aws.ecs, "CreateCluster", _fail_first(500, "ServerException"))
    found = {"cluster": {"clusterArn": "arn:found"}}

    with capture_logs() as logs:
        answer = calls.create(
            aws, "ecs", "create_cluster", "Cluster/c", lambda: found, clusterName="c"
        )

    assert answer == found
    assert calls_sent["CreateCluster"] == 1
    assert [e["event"] for e in logs if e["log_level"] == "info"] == ["aws_write_recovered"]


def test_create_resends_when_the_finder_finds_nothing(aws: Aws, calls_sent: CallCounter) -> None:
    """A finder that finds nothing lets the create be sent again."""
    faults.answer(aws.ecs, "CreateCluster", _fail_first(503, "ServiceUnavailable"))
    looked = []

    answer = calls.create(
        aws, "ecs", "create_cluster", "Cluster/c", lambda: looked.append(1), clusterName="c"
    )

    assert answer["cluster"]["clusterName"] == "c"
    assert (calls_sent["CreateCluster"], len(looked)) == (2, 1)


def test_create_does_not_look_after_a_throttled_attempt(aws: Aws, calls_sent: CallCounter) -> None:
    """A throttled request was never applied: it is resent without a look."""
    faults.answer(aws.ecs, "CreateCluster", _fail_first(400, "ThrottlingException"))

    def never() -> Any:
        raise AssertionError("no look after throttling")

    calls.create(aws, "ecs", "create_cluster", "Cluster/c", never, clusterName="c")

    assert calls_sent["CreateCluster"] == 2


def test_a_failing_finder_ends_the_create(aws: Aws, calls_sent: CallCounter) -> None:
    """When the look itself fails, its error ends the call: the work queue retries later."""
    faults.answer(aws.ecs, "CreateCluster", _fail_first(500, "ServerException"))
    failure = errors.TransientAwsError("DescribeClusters", "Cluster/c", "ThrottlingException", "x")

    def find() -> Any:
        raise failure

    with pytest.raises(errors.TransientAwsError) as raised:
        calls.create(aws, "ecs", "create_cluster", "Cluster/c", find, clusterName="c")

    assert raised.value is failure
    assert calls_sent["CreateCluster"] == 1
