"""The lean read path against botocore's, over HTTP: same requests, same answers, same errors."""

from __future__ import annotations

import datetime
import json
import socket
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.exceptions import BotoCoreError, ClientError

from controller.aws import calls, errors, lean, seam
from controller.aws.clients import Aws, AwsConfig, RetryPolicy
from tests.support import arrange
from tests.support.awsproxy import AwsProxy, Fault, FaultPlan
from tests.support.rawhttp import RawServer
from tests.support.shop import LIFECYCLE
from tests.unit.aws.lean_reads import LEAN_READS

REGION = "us-east-1"
ACCOUNT = "123456789012"


@dataclass(frozen=True)
class World:
    """What the reads below read: ARNs moto made up."""

    task_definition: str
    repository: str
    log_group: str


@pytest.fixture
def world(boto_client: Callable[[str], Any]) -> World:
    """A cluster with a service, a repository with a policy and an image, a log group,
    a scalable target and a scaling policy."""
    ecs, ecr, logs = boto_client("ecs"), boto_client("ecr"), boto_client("logs")
    arrange.services(ecs, "prod", ["web", "api"])
    task_definition = arrange.register(ecs, "web", fargate=True)
    repository = ecr.create_repository(repositoryName="web", tags=[{"Key": "team", "Value": "a"}])
    ecr.create_repository(repositoryName="bare")
    ecr.put_lifecycle_policy(repositoryName="web", lifecyclePolicyText=json.dumps(LIFECYCLE))
    arrange.push_image(ecr, "web", "v1")
    logs.create_log_group(logGroupName="/ecs/web", tags={"team": "a"})
    log_group = logs.describe_log_groups(logGroupNamePrefix="/ecs/web")["logGroups"][0]
    scaling = boto_client("application-autoscaling")
    scaling.register_scalable_target(
        ServiceNamespace="ecs",
        ResourceId="service/prod/web",
        ScalableDimension="ecs:service:DesiredCount",
        MinCapacity=1,
        MaxCapacity=4,
    )
    return World(
        task_definition=task_definition,
        repository=repository["repository"]["repositoryArn"],
        log_group=log_group["logGroupArn"].removesuffix(":*"),
    )


def reads(world: World) -> list[tuple[str, str, dict[str, Any]]]:
    """Each read ecsync sends, with the parameters it sends (and some that fail)."""
    missing_task = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task/prod/0123456789abcdef"
    return [
        (
            "ecs",
            "describe_services",
            {"cluster": "prod", "services": ["web", "gone"], "include": ["TAGS"]},
        ),
        ("ecs", "describe_services", {"cluster": "nowhere", "services": ["web"]}),
        ("ecs", "list_services", {"cluster": "prod", "maxResults": 100}),
        (
            "ecs",
            "describe_clusters",
            {"clusters": ["prod", "gone"], "include": ["TAGS", "SETTINGS"]},
        ),
        ("ecs", "list_clusters", {"maxResults": 100}),
        (
            "ecs",
            "describe_capacity_providers",
            {"capacityProviders": ["FARGATE"], "include": ["TAGS"]},
        ),
        ("ecs", "describe_capacity_providers", {"include": ["TAGS"], "maxResults": 10}),
        ("ecs", "list_task_definitions", {"status": "ACTIVE", "maxResults": 100}),
        (
            "ecs",
            "list_task_definitions",
            {"familyPrefix": "web", "sort": "DESC", "maxResults": 100},
        ),
        (
            "ecs",
            "describe_task_definition",
            {"taskDefinition": world.task_definition, "include": ["TAGS"]},
        ),
        ("ecs", "describe_task_definition", {"taskDefinition": "nothing:9"}),
        ("ecs", "describe_tasks", {"cluster": "prod", "tasks": [missing_task]}),
        ("ecs", "list_service_deployments", {"cluster": "prod", "service": "web"}),
        ("ecs", "describe_service_deployments", {"serviceDeploymentArns": [missing_task]}),
        ("ecs", "describe_service_revisions", {"serviceRevisionArns": [missing_task]}),
        ("ecr", "describe_repositories", {"repositoryNames": ["web", "bare"]}),
        ("ecr", "describe_repositories", {"repositoryNames": ["missing"]}),
        ("ecr", "describe_repositories", {"maxResults": 1000}),
        ("ecr", "list_tags_for_resource", {"resourceArn": world.repository}),
        ("ecr", "get_lifecycle_policy", {"repositoryName": "web"}),
        ("ecr", "get_lifecycle_policy", {"repositoryName": "bare"}),
        ("ecr", "get_repository_policy", {"repositoryName": "bare"}),
        (
            "ecr",
            "describe_images",
            {"registryId": ACCOUNT, "repositoryName": "web", "imageIds": [{"imageTag": "v1"}]},
        ),
        ("logs", "describe_log_groups", {"logGroupIdentifiers": ["/ecs/web"], "limit": 50}),
        ("logs", "describe_log_groups", {"limit": 50}),
        ("logs", "list_tags_for_resource", {"resourceArn": world.log_group}),
        ("application-autoscaling", "describe_scalable_targets", {"ServiceNamespace": "ecs"}),
        ("application-autoscaling", "describe_scaling_policies", {"ServiceNamespace": "ecs"}),
        ("application-autoscaling", "describe_scheduled_actions", {"ServiceNamespace": "ecs"}),
        (
            "application-autoscaling",
            "list_tags_for_resource",
            {
                "ResourceARN": f"arn:aws:application-autoscaling:{REGION}:{ACCOUNT}:scalable-target/x"
            },
        ),
        ("kms", "list_aliases", {"Limit": 100}),
        ("servicediscovery", "list_namespaces", {"MaxResults": 100}),
    ]


def outcome(send: Callable[[], dict[str, Any] | None]) -> tuple[Any, ...]:
    """A read's answer without its metadata, or its exception as botocore raised it."""
    try:
        answer = send()
    except ClientError as exc:
        status = exc.response["ResponseMetadata"]["HTTPStatusCode"]
        retry = exc.response["ResponseMetadata"].get("MaxAttemptsReached")
        return (type(exc), str(exc), exc.response["Error"], status, retry)
    except BotoCoreError as exc:
        return (type(exc), str(exc))
    assert answer is not None
    answer.pop("ResponseMetadata", None)
    return ("answer", answer)


def both_paths(aws: Aws, service: str, method: str, params: dict[str, Any]) -> tuple[Any, Any]:
    """(botocore's outcome, the lean path's outcome) of one read."""
    client = aws.client(service)
    sender = aws.lean_sender(service, client.meta.method_to_api_mapping[method])
    assert sender is not None
    botocore = outcome(lambda: getattr(client, method)(**params))
    return botocore, outcome(lambda: sender(dict(params)))


def test_every_read_ecsync_sends_answers_as_botocore_answers(aws: Aws, world: World) -> None:
    """Each read of every JSON-protocol service ecsync reads (answers and not-found,
    invalid-parameter or unsupported errors alike) comes back from the lean path exactly
    as from botocore."""
    sent = reads(world)
    assert {(s, aws.client(s).meta.method_to_api_mapping[m]) for s, m, _ in sent} == {
        (service, operation)
        for service, operations in LEAN_READS.items()
        for operation in operations
    }
    answered = 0
    for service, method, params in sent:
        botocore, lean_outcome = both_paths(aws, service, method, params)
        assert lean_outcome == botocore, (service, method, params)
        answered += botocore[0] == "answer"
    assert answered >= 20


class Recorder(RawServer):
    """An HTTP server that answers every request `{}` and keeps each request's bytes."""

    def __init__(self) -> None:
        self.requests: list[bytes] = []
        super().__init__(self._record)

    def _record(self, conn: socket.socket, head: bytes, body: bytes) -> bool:
        self.requests.append(head + b"\r\n\r\n" + body)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
        return True


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    server = Recorder()
    yield server
    server.close()


@pytest.mark.parametrize("token", [None, "session-token"])
def test_the_lean_request_is_botocores_byte_for_byte(
    recorder: Recorder, aws_env: None, monkeypatch: pytest.MonkeyPatch, token: str | None
) -> None:
    """At the same instant and with the same invocation id, the lean path puts on the
    wire exactly the bytes botocore puts there: request line, headers in botocore's order
    (user agent, signature, session token included), body."""
    if token:
        monkeypatch.setenv("AWS_SESSION_TOKEN", token)
    when = datetime.datetime(2026, 12, 7, 12, 30, 5)
    monkeypatch.setattr("botocore.auth.get_current_datetime", lambda: when)
    monkeypatch.setattr(lean, "_amz_date", lambda: when.strftime("%Y%m%dT%H%M%SZ"))
    fixed = uuid.UUID("8a9b64d6-7f2f-4f5e-9b8a-1c2d3e4f5a6b")
    monkeypatch.setattr(uuid, "uuid4", lambda: fixed)
    monkeypatch.setattr(lean, "invocation_id", lambda: str(fixed))
    aws = Aws(AwsConfig(region="eu-west-3", endpoint_url=recorder.endpoint))
    cases: list[tuple[str, str, dict[str, Any]]] = [
        ("ecs", "describe_services", {"cluster": "prod", "services": ["web"], "include": ["TAGS"]}),
        ("ecs", "list_clusters", {}),
        ("ecr", "get_lifecycle_policy", {"repositoryName": "web"}),
        ("logs", "describe_log_groups", {"logGroupIdentifiers": ["/ecs/wé"], "limit": 50}),
    ]

    for service, method, params in cases:
        both_paths(aws, service, method, params)

    assert len(recorder.requests) == 2 * len(cases)
    for botocore_bytes, lean_bytes in zip(
        recorder.requests[::2], recorder.requests[1::2], strict=True
    ):
        assert lean_bytes == botocore_bytes
    assert (b"X-Amz-Security-Token: session-token" in recorder.requests[0]) == bool(token)


def test_a_session_token_http_cannot_carry_is_left_to_botocore(
    recorder: Recorder, aws_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A header value with a line break is not sent by the lean path (http.client refuses
    it, and botocore raises that): the read goes to botocore and nothing was sent."""
    monkeypatch.setenv("AWS_SESSION_TOKEN", "broken\ntoken")
    aws = Aws(AwsConfig(region="eu-west-3", endpoint_url=recorder.endpoint))
    sender = aws.lean_sender("ecs", "ListClusters")
    assert sender is not None

    assert sender({}) is None
    assert recorder.requests == []


def through_proxy(moto_endpoint: str, plan: FaultPlan, **config: Any) -> tuple[AwsProxy, Aws]:
    proxy = AwsProxy(moto_endpoint, faults=plan)
    aws = Aws(AwsConfig(region=REGION, endpoint_url=proxy.endpoint, **config))
    aws.retry = RetryPolicy(attempts=2, base_delay=0.001, max_delay=0.002)
    return proxy, aws


def botocore_only(aws: Aws, service: str) -> None:
    """Take every read of `service` off the lean path: a handler it does not model."""

    def untouched(**_: Any) -> None:
        return None

    aws.client(service).meta.events.register(f"before-send.{service}", untouched)


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (Fault.THROTTLE, "ThrottlingException"),
        (Fault.DENIED, "AccessDeniedException"),
        (Fault.SERVER_ERROR, None),
        (Fault.UNAVAILABLE, None),
        (Fault.RESET, "ConnectionClosedError"),
        (Fault.TIMEOUT, "ReadTimeoutError"),
    ],
)
def test_each_failure_raises_what_botocore_raises(
    moto_endpoint: str, fault: Fault, error: str | None
) -> None:
    """Throttling, access denied, HTTP 500 and 503, a reset connection and a read timeout
    raise the same exception on both paths, and `calls` makes the same error of it
    (retryable or not, possibly applied or not) after the same number of attempts."""
    plan = FaultPlan(rate=1.0, kinds=(fault,), hang=0.6)
    proxy, aws = through_proxy(moto_endpoint, plan, read_timeout=0.3)
    with proxy:
        botocore, lean_outcome = both_paths(aws, "ecs", "describe_clusters", {"clusters": ["prod"]})
        failures = []
        for path in ("lean", "botocore"):
            if path == "botocore":
                botocore_only(aws, "ecs")
            with pytest.raises(errors.AwsError) as raised:
                calls.call(aws, "ecs", "describe_clusters", "Cluster/prod", clusters=["prod"])
            failure = raised.value
            failures.append(
                (type(failure), str(failure), failure.retryable, errors.may_have_applied(failure))
            )

    assert lean_outcome == botocore
    assert botocore[0] != "answer"
    if error is not None:
        assert error in str(botocore)
    assert failures[0] == failures[1]


def test_a_refused_connection_raises_what_botocore_raises(aws_env: None, unused_port: int) -> None:
    """Nothing listening on the endpoint: EndpointConnectionError on both paths."""
    aws = Aws(AwsConfig(region=REGION, endpoint_url=f"http://127.0.0.1:{unused_port}"))

    botocore, lean_outcome = both_paths(aws, "ecs", "list_clusters", {})

    assert lean_outcome == botocore
    assert botocore[0].__name__ == "EndpointConnectionError"


def test_a_counting_proxy_sees_the_same_requests(moto_endpoint: str, world: World) -> None:
    """A pass's worth of reads through `calls`, once on each path, sends the same requests
    with the same parameters and gets the same statuses."""
    seen = []
    for path in ("lean", "botocore"):
        proxy, aws = through_proxy(moto_endpoint, FaultPlan())
        if path == "botocore":
            for service in ("ecs", "ecr"):
                botocore_only(aws, service)
        with proxy:
            calls.paginate(aws, "ecs", "list_task_definitions", "taskDefinitionArns", maxResults=1)
            calls.call(aws, "ecs", "describe_services", cluster="prod", services=["web", "api"])
            calls.call(aws, "ecs", "describe_clusters", clusters=["prod"], include=["TAGS"])
            calls.call(aws, "ecr", "describe_repositories", repositoryNames=["web", "bare"])
            with pytest.raises(errors.NotFoundError):
                calls.call(aws, "ecr", "get_lifecycle_policy", repositoryName="bare")
        seen.append([(r.operation, r.params, r.status) for r in proxy.requests])

    assert seen[0] == seen[1]
    assert len(seen[0]) == 6


def test_a_closed_client_reads_again_on_new_connections(aws: Aws, world: World) -> None:
    """After the client is closed, the next lean read answers from a new pool, as
    botocore's next request would, also where urllib3 closes the pools it drops (1.26)."""
    sender = aws.lean_sender("ecs", "ListClusters")
    assert sender is not None
    first = sender({})
    client = aws.client("ecs")
    url = seam.request_url(client.meta.endpoint_url)
    held = seam.url_pool(seam.http_session(client), url)

    client.close()
    held.close()

    assert sender({}) == first
    assert seam.url_pool(seam.http_session(client), url) is not held
