"""The embedded AWS (`--local`): a moto server on 127.0.0.1 and a seeded sandbox.

The sandbox holds what sample manifests refer to (subnets, a security group,
an Auto Scaling group). moto's EC2 ids are random; seeding moto's random
generator right before creating them makes them the same on every fresh
server, so committed manifests can name them.

No CI pushes images to the embedded ECR, so `put_placeholder_images` puts a
minimal image under each private-ECR tag a task definition is about to need,
in the repositories this instance owns: the image preflight then finds
exists, and an edited tag rolls out as it would once CI had pushed it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import urllib.request
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

import structlog
from moto.server import ThreadedMotoServer

from controller.aws import calls, errors, motofixes, repositories
from controller.aws import preflight as lookups
from controller.core.preflight_facts import EcrImage, Seen

if TYPE_CHECKING:
    from controller.aws.clients import Aws

log = structlog.get_logger()

SANDBOX_SEED = 20240601
"""The seed that fixes the sandbox ids; changing it changes every id below."""
SANDBOX_NAME = "ecsync-demo"
ASG_NAME = f"{SANDBOX_NAME}-asg"
_VPC_CIDR = "10.42.0.0/16"
_SUBNET_CIDRS = ("10.42.1.0/24", "10.42.2.0/24")
_SANDBOX_IMAGE_ID = "ami-12c6146b"  # a placeholder moto accepts; no instance is ever started


@dataclass(frozen=True)
class LocalAws:
    """A running embedded moto server."""

    endpoint_url: str
    _server: ThreadedMotoServer

    def stop(self) -> None:
        self._server.stop()


def start_local(port: int = 0) -> LocalAws:
    """Start moto (with `motofixes` applied) on 127.0.0.1; port 0 picks a free one."""
    motofixes.apply_fixes()
    motofixes.settle_services()
    # One log line per request is noise next to ecsync's own logs; errors still show.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    host, bound = server.get_host_and_port()
    return LocalAws(endpoint_url=f"http://{host}:{bound}", _server=server)


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


_CONFIG_MEDIA_TYPE = "application/vnd.docker.container.image.v1+json"
_MANIFEST_MEDIA_TYPE = "application/vnd.docker.distribution.manifest.v2+json"
_PLACEHOLDER_CONFIG = (
    b'{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}'
)
PLACEHOLDER_MANIFEST = json.dumps(
    {
        "schemaVersion": 2,
        "mediaType": _MANIFEST_MEDIA_TYPE,
        "config": {
            "mediaType": _CONFIG_MEDIA_TYPE,
            "size": len(_PLACEHOLDER_CONFIG),
            "digest": f"sha256:{hashlib.sha256(_PLACEHOLDER_CONFIG).hexdigest()}",
        },
        "layers": [],
    },
    separators=(",", ":"),
)
"""A Docker image manifest (schema 2) of an empty image: what PutImage stores as a placeholder.

The same bytes for every tag, so a repository holds one placeholder image with many
tags, as ECR does when one manifest is pushed under several tags."""


def put_placeholder_images(aws: Aws, instance: str, images: Collection[EcrImage]) -> None:
    """Put a placeholder image under each missing tag of `images` whose repository `instance`
    owns (tag `ecsync:managed-by`), and log `local_image_placeholder` for each.

    Images pinned by digest are left alone: ECR stores an image under the digest of its
    manifest, so no placeholder can have a digest written in a manifest. Images in
    repositories someone else made stay missing, as they would on AWS. Never raises: a
    failure is logged, and preflight then reports the image as missing.
    """
    if not aws.config.endpoint_url:
        raise ValueError("placeholder images are for an embedded AWS endpoint only")
    by_repository: dict[str, list[EcrImage]] = defaultdict(list)
    for image in images:
        if image.tag and not image.digest:
            by_repository[image.repository].append(image)
    if not by_repository:
        return
    try:
        live = repositories.read_repositories(aws, dict.fromkeys(by_repository, frozenset()))
        for name, wanted in sorted(by_repository.items()):
            repository = live.get(name)
            if repository is None or repository.owner != instance:
                continue
            registry = repository.status.get("registryId")
            mine = [image for image in wanted if image.registry == registry]
            answers = lookups.describe_images(aws, mine) if mine else {}
            for image in sorted(i for i, a in answers.items() if a.seen is Seen.MISSING):
                _put_placeholder(aws, image)
    except errors.AwsError as error:
        log.warning("local_image_placeholder_failed", error=str(error))


def _put_placeholder(aws: Aws, image: EcrImage) -> None:
    calls.call(
        aws,
        "ecr",
        "put_image",
        f"Repository/{image.repository}",
        registryId=image.registry,
        repositoryName=image.repository,
        imageTag=image.tag,
        imageManifest=PLACEHOLDER_MANIFEST,
        imageManifestMediaType=_MANIFEST_MEDIA_TYPE,
    )
    log.info(
        "local_image_placeholder",
        repository=image.repository,
        tag=image.tag,
        registry=image.registry,
        message="an empty placeholder image in the embedded ECR, standing for the image CI "
        "would push",
    )
