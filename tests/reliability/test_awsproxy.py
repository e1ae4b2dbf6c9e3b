"""The stricter stand-in itself: AWS's limits, throttling and error shapes, seeded faults."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from tests.support.awsproxy import AwsProxy, Fault, FaultPlan


def client(proxy: AwsProxy, service: str) -> Any:
    return boto3.client(
        service,  # type: ignore[call-overload]
        region_name="us-east-1",
        endpoint_url=proxy.endpoint,
        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}, read_timeout=2),
    )


def error_of(call: Callable[[], Any]) -> dict[str, Any]:
    with pytest.raises(ClientError) as raised:
        call()
    return {
        "status": raised.value.response["ResponseMetadata"]["HTTPStatusCode"],
        **raised.value.response["Error"],
    }


def test_a_category_shares_one_bucket_and_throttles_as_ecs_does(
    start_proxy: Callable[..., AwsProxy],
) -> None:
    """DescribeClusters and ListClusters share the cluster-read bucket (burst 50, refill
    20/s); past it, HTTP 400 ThrottlingException "Rate exceeded", and moto sees nothing."""
    proxy = start_proxy(throttle=True)
    ecs = client(proxy, "ecs")
    started = time.monotonic()
    calls = [lambda: ecs.describe_clusters(clusters=["a"]), ecs.list_clusters]
    passed = 0
    while True:
        try:
            calls[passed % 2]()
        except ClientError as error:
            throttled = error.response
            break
        passed += 1
    elapsed = time.monotonic() - started

    assert 50 <= passed <= 50 + 20 * elapsed + 1
    assert throttled["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert throttled["Error"] == {"Code": "ThrottlingException", "Message": "Rate exceeded"}
    assert [r.forwarded for r in proxy.requests].count(False) == 1
    ecs.list_task_definitions()  # another category, another bucket


def test_a_drained_bucket_refills_at_the_sustained_rate(
    start_proxy: Callable[..., AwsProxy],
) -> None:
    """RegisterTaskDefinition refills at one token per second."""
    proxy = start_proxy(throttle=True)
    proxy.drain("ecs", "RegisterTaskDefinition")
    ecs = client(proxy, "ecs")

    def register() -> Any:
        return ecs.register_task_definition(
            family="f", containerDefinitions=[{"name": "a", "image": "nginx", "memory": 64}]
        )

    assert error_of(register)["Code"] == "ThrottlingException"
    time.sleep(1.1)
    register()
    assert error_of(register)["Code"] == "ThrottlingException"


@pytest.mark.parametrize(
    ("service", "operation", "params"),
    [
        ("ecs", "describe_services", {"cluster": "c", "services": [f"s{i}" for i in range(11)]}),
        ("ecs", "describe_clusters", {"clusters": [f"c{i}" for i in range(101)]}),
        ("ecs", "list_services", {"cluster": "c", "maxResults": 101}),
        ("ecs", "describe_capacity_providers", {"maxResults": 11}),
        ("ecr", "describe_repositories", {"repositoryNames": [f"r{i}" for i in range(10, 111)]}),
        ("ecr", "describe_repositories", {"repositoryNames": ["rr"], "maxResults": 5}),
        ("ecr", "describe_images", {"repositoryName": "rr", "imageIds": [{"imageTag": "t"}] * 101}),
    ],
    ids=[
        "services>10",
        "clusters>100",
        "listservices-maxresults>100",
        "capacityproviders-maxresults>10",
        "repositorynames>100",
        "repositorynames-with-maxresults",
        "imageids>100",
    ],
)
def test_requests_beyond_aws_limits_are_refused(
    start_proxy: Callable[..., AwsProxy], service: str, operation: str, params: dict[str, Any]
) -> None:
    """What AWS refuses is refused with HTTP 400 InvalidParameterException, unforwarded."""
    proxy = start_proxy()

    refused = error_of(lambda: getattr(client(proxy, service), operation)(**params))

    assert (refused["status"], refused["Code"]) == (400, "InvalidParameterException")
    assert [(r.fault, r.forwarded) for r in proxy.requests] == [("limit", False)]


def test_the_same_seed_gives_the_same_faults(start_proxy: Callable[..., AwsProxy]) -> None:
    """Sequential requests through two proxies with one plan see the same faults."""
    plan = FaultPlan(rate=0.5, seed=11, kinds=(Fault.THROTTLE, Fault.SERVER_ERROR))
    seen = []
    for proxy in (start_proxy(plan), start_proxy(plan)):
        ecs = client(proxy, "ecs")
        for _ in range(30):
            with contextlib.suppress(ClientError):
                ecs.list_clusters()
        seen.append([r.fault for r in proxy.requests])

    assert seen[0] == seen[1]
    assert 5 < sum(fault is not None for fault in seen[0]) < 25


def test_faults_strike_before_writes_unless_answers_may_be_lost(
    start_proxy: Callable[..., AwsProxy],
) -> None:
    """Without lost_writes no faulted write reaches moto; with it, some are applied."""
    arn = client(start_proxy(), "ecs").create_cluster(clusterName="c")["cluster"]["clusterArn"]
    for lost in (False, True):
        plan = FaultPlan(
            rate=0.5,
            seed=3,
            kinds=(Fault.SERVER_ERROR, Fault.RESET),
            operations=frozenset({"TagResource"}),
            lost_writes=lost,
        )
        proxy = start_proxy(plan)
        ecs = client(proxy, "ecs")
        for i in range(40):
            with contextlib.suppress(ClientError, BotoCoreError):
                ecs.tag_resource(resourceArn=arn, tags=[{"key": "k", "value": str(i)}])
        faulted = [r for r in proxy.calls("TagResource") if r.fault]
        assert faulted
        assert any(r.forwarded for r in faulted) is lost
