"""The embedded AWS: a seeded sandbox whose ids committed manifests can name."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

import ecsync_local as local
from controller.aws.clients import Aws, AwsConfig
from tests.support import server

REPO = Path(__file__).resolve().parents[2]
FRESH_PROCESS = """
import json, os
from dataclasses import asdict
import ecsync_local as local
from controller.aws.clients import Aws, AwsConfig
running = local.start_local()
try:
    aws = Aws(AwsConfig(region="us-east-1", endpoint_url=running.endpoint_url))
    print(json.dumps(asdict(local.seed_sandbox(aws))))
finally:
    running.stop()
"""


def test_sandbox_ids_repeat_after_a_reset(aws: Aws, moto_endpoint: str) -> None:
    """Seeding a wiped server twice yields the same ids."""
    first = local.seed_sandbox(aws)
    server.reset(moto_endpoint)

    assert local.seed_sandbox(aws) == first


def test_sandbox_ids_repeat_in_a_fresh_process(aws: Aws, aws_env: None) -> None:
    """A fresh process with its own server (as `--local` runs) gets the ids seen here."""
    here = asdict(local.seed_sandbox(aws))

    ran = subprocess.run(
        [sys.executable, "-c", FRESH_PROCESS],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )

    there = json.loads(ran.stdout.strip().splitlines()[-1])
    assert there == {**here, "subnet_ids": list(here["subnet_ids"])}


def test_seeding_again_returns_the_existing_sandbox(aws: Aws, boto_client: Any) -> None:
    """A second seed_sandbox finds the first sandbox instead of building another."""
    first = local.seed_sandbox(aws)

    assert local.seed_sandbox(aws) == first
    vpcs = boto_client("ec2").describe_vpcs(
        Filters=[{"Name": "tag:Name", "Values": [local.SANDBOX_NAME]}]
    )["Vpcs"]
    assert [v["VpcId"] for v in vpcs] == [first.vpc_id]


def test_sandbox_network_is_what_fargate_tasks_need(aws: Aws, boto_client: Any) -> None:
    """The VPC resolves DNS names, and its two subnets sit in two zones."""
    sandbox = local.seed_sandbox(aws)
    ec2 = boto_client("ec2")

    for attribute in ("enableDnsHostnames", "enableDnsSupport"):
        described = ec2.describe_vpc_attribute(VpcId=sandbox.vpc_id, Attribute=attribute)
        assert described[attribute[0].upper() + attribute[1:]]["Value"] is True
    subnets = ec2.describe_subnets(SubnetIds=list(sandbox.subnet_ids))["Subnets"]
    assert {s["AvailabilityZone"] for s in subnets} == {"us-east-1a", "us-east-1b"}
    assert sandbox.asg_name == "ecsync-demo-asg"
    assert sandbox.asg_arn.endswith(":autoScalingGroupName/ecsync-demo-asg")


def test_sandbox_refuses_real_aws(aws_env: None) -> None:
    """Without an explicit endpoint, seed_sandbox refuses to run at all."""
    with pytest.raises(ValueError, match="local moto endpoint"):
        local.seed_sandbox(Aws(AwsConfig(region="us-east-1")))
