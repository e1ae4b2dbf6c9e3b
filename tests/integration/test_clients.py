"""Connection settings: the standard AWS chain, our overrides, and botocore's retries off."""

from __future__ import annotations

import pytest

from controller.aws import calls
from controller.aws.clients import Aws, AwsConfig


def test_region_falls_back_to_us_east_1(aws_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """With no region anywhere, clients use us-east-1."""
    monkeypatch.delenv("AWS_REGION")
    monkeypatch.delenv("AWS_DEFAULT_REGION")

    connection = Aws()

    assert connection.region == "us-east-1"
    assert connection.ecs.meta.region_name == "us-east-1"


def test_aws_region_is_honoured_and_explicit_region_wins(
    aws_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """AWS_REGION beats AWS_DEFAULT_REGION, and AwsConfig.region beats both."""
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-south-1")

    assert Aws().region == "eu-west-1"
    assert Aws(AwsConfig(region="us-west-2")).region == "us-west-2"


def test_aws_endpoint_url_from_the_environment_works(
    moto_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """AWS_ENDPOINT_URL alone points every client at the server (botocore reads it)."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    connection = Aws()

    calls.call(connection, "ecs", "create_cluster", clusterName="via-env")

    assert connection.ecs.meta.endpoint_url == moto_endpoint
    assert calls.call(connection, "ecs", "list_clusters")["clusterArns"][0].endswith("/via-env")


def test_botocore_retries_are_off_and_the_pool_is_sized(aws: Aws) -> None:
    """Every client makes exactly one attempt per call and pools 32 connections."""
    for service in ("ecs", "ecr", "ec2", "autoscaling", "dynamodb"):
        config = aws.client(service).meta.config
        assert config.retries["total_max_attempts"] == 1
        assert config.max_pool_connections == 32
        assert config.connect_timeout == 5


def test_clients_are_created_once(aws: Aws) -> None:
    """The same client object serves every call of one Aws."""
    assert aws.ecs is aws.client("ecs")


def test_stats_count_successful_calls_by_operation(aws: Aws) -> None:
    """Aws.stats counts calls by (API operation, outcome)."""
    calls.call(aws, "ecs", "list_clusters")
    calls.call(aws, "ecs", "list_clusters")
    calls.call(aws, "ecr", "describe_repositories")

    assert aws.stats == {("ListClusters", "ok"): 2, ("DescribeRepositories", "ok"): 1}
