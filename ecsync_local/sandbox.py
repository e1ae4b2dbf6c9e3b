"""The sandbox of the embedded AWS: the network and Auto Scaling group sample manifests name.

The sandbox holds what sample manifests refer to (subnets, a security group,
an Auto Scaling group). moto's EC2 ids are random; seeding moto's random
generator right before creating them makes them the same on every fresh
server, so committed manifests can name them.
"""

from __future__ import annotations

import urllib.request
from dataclasses import dataclass
from typing import TYPE_CHECKING

from controller.aws import calls

if TYPE_CHECKING:
    from controller.aws.clients import Aws

SANDBOX_SEED = 20240601
"""The seed that fixes the sandbox ids; changing it changes every id below."""
SANDBOX_NAME = "ecsync-demo"
ASG_NAME = f"{SANDBOX_NAME}-asg"
_VPC_CIDR = "10.42.0.0/16"
_SUBNET_CIDRS = ("10.42.1.0/24", "10.42.2.0/24")
_SANDBOX_IMAGE_ID = "ami-12c6146b"  # a placeholder moto accepts; no instance is ever started


@dataclass(frozen=True)
class Sandbox:
    """The ids of the sandbox network and Auto Scaling group."""

    vpc_id: str
    subnet_ids: tuple[str, ...]
    security_group_id: str
    asg_name: str
    asg_arn: str


def seed_sandbox(aws: Aws) -> Sandbox:
    """Create the sandbox on the moto server `aws` points at, or return the existing one.

    The ids are deterministic on a fresh (or reset) server. Refuses to run
    without an explicit endpoint, so that it can never touch real AWS.
    """
    endpoint = aws.config.endpoint_url
    if not endpoint:
        raise ValueError("seed_sandbox needs a local moto endpoint (AwsConfig.endpoint_url)")
    existing = _existing(aws)
    if existing is not None:
        return existing
    # Create the region's EC2 and Auto Scaling backends (moto makes a default VPC
    # with random ids on first use) before seeding, so that only our own
    # creations draw from the seeded sequence.
    calls.call(aws, "ec2", "describe_vpcs")
    calls.call(aws, "autoscaling", "describe_auto_scaling_groups")
    _seed(endpoint, SANDBOX_SEED)
    vpc_id = _create_network(aws)
    subnet_ids = tuple(
        calls.call(
            aws,
            "ec2",
            "create_subnet",
            VpcId=vpc_id,
            CidrBlock=cidr,
            AvailabilityZone=f"{aws.region}{zone}",
        )["Subnet"]["SubnetId"]
        for cidr, zone in zip(_SUBNET_CIDRS, "ab", strict=True)
    )
    calls.call(
        aws,
        "ec2",
        "create_security_group",
        GroupName=SANDBOX_NAME,
        Description="ecsync sandbox tasks",
        VpcId=vpc_id,
    )
    calls.call(
        aws,
        "ec2",
        "create_launch_template",
        LaunchTemplateName=SANDBOX_NAME,
        LaunchTemplateData={"ImageId": _SANDBOX_IMAGE_ID, "InstanceType": "t3.micro"},
    )
    calls.call(
        aws,
        "autoscaling",
        "create_auto_scaling_group",
        AutoScalingGroupName=ASG_NAME,
        LaunchTemplate={"LaunchTemplateName": SANDBOX_NAME, "Version": "$Latest"},
        MinSize=0,
        MaxSize=2,
        DesiredCapacity=0,
        VPCZoneIdentifier=",".join(subnet_ids),
    )
    created = _existing(aws)
    if created is None:
        raise RuntimeError(f"{ASG_NAME} was created but cannot be described")
    return created


def _seed(endpoint: str, seed: int) -> None:
    """Seed moto's id generator through its control API (works for any moto server)."""
    if not endpoint.startswith(("http://", "https://")):
        raise ValueError(f"not an HTTP endpoint: {endpoint}")
    url = f"{endpoint}/moto-api/seed?a={seed}"
    request = urllib.request.Request(url, method="POST")  # noqa: S310 (scheme checked above)
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        response.read()


def _create_network(aws: Aws) -> str:
    """A VPC with DNS support and hostnames on (moto's run_task needs the latter)."""
    vpc_id: str = calls.call(
        aws,
        "ec2",
        "create_vpc",
        CidrBlock=_VPC_CIDR,
        TagSpecifications=[
            {"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": SANDBOX_NAME}]}
        ],
    )["Vpc"]["VpcId"]
    for attribute in ("EnableDnsSupport", "EnableDnsHostnames"):
        calls.call(aws, "ec2", "modify_vpc_attribute", VpcId=vpc_id, **{attribute: {"Value": True}})
    return vpc_id


def _existing(aws: Aws) -> Sandbox | None:
    """The sandbox as found through its Auto Scaling group, if it exists."""
    groups = calls.call(
        aws, "autoscaling", "describe_auto_scaling_groups", AutoScalingGroupNames=[ASG_NAME]
    )["AutoScalingGroups"]
    if not groups:
        return None
    subnet_ids = tuple(groups[0]["VPCZoneIdentifier"].split(","))
    subnets = calls.call(aws, "ec2", "describe_subnets", SubnetIds=list(subnet_ids))["Subnets"]
    vpc_id = subnets[0]["VpcId"]
    security_groups = calls.call(
        aws,
        "ec2",
        "describe_security_groups",
        Filters=[
            {"Name": "vpc-id", "Values": [vpc_id]},
            {"Name": "group-name", "Values": [SANDBOX_NAME]},
        ],
    )["SecurityGroups"]
    return Sandbox(
        vpc_id=vpc_id,
        subnet_ids=subnet_ids,
        security_group_id=security_groups[0]["GroupId"],
        asg_name=ASG_NAME,
        asg_arn=groups[0]["AutoScalingGroupARN"],
    )
