"""Builds a fleet in the embedded AWS quickly, exactly as `ecsync apply` would leave it.

`ecsync apply` itself creates the registry, the clusters and the first 50
services (one per repository) through a recording proxy. Every other
service i is then created from the requests ecsync sent for service
i mod 50, with the names changed: the same task definition content (so the
same content hash tag), the same service fields. Those requests go straight
to the embedded AWS, several at a time, which takes seconds where applying
10,000 services through ecsync would take minutes. The scenarios then check
that ecsync finds nothing to change (no write in a first sync).
"""

from __future__ import annotations

import http.client
import json
import subprocess
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import boto3

from bench import fleet as fleets
from bench.servers import CountingProxy, Recorded
from tests.support.cli import ECSYNC, aws_env

TEMPLATED = frozenset({"RegisterTaskDefinition", "CreateService"})
REPLAY_THREADS = 4


def network(endpoint: str, region: str) -> fleets.Network:
    """A VPC with one subnet and one security group in `region`, for the fleet's services."""
    ec2 = boto3.client("ec2", endpoint_url=endpoint, region_name=region)
    vpc = ec2.create_vpc(CidrBlock="10.42.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.42.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="bench", Description="bench", VpcId=vpc)
    return fleets.Network(subnet, group["GroupId"])


def build(endpoint: str, region: str, shape: fleets.Fleet, root: Path) -> fleets.Network:
    """`shape` live in `region` and its manifests under `root`; returns the network used."""
    net = network(endpoint, region)
    fleets.write(shape, root, net)
    seed = root.with_name(f"{root.name}-seed")
    fleets.write(shape, seed, net, only=shape.repositories)
    with CountingProxy(endpoint, record=TEMPLATED) as proxy:
        applied = subprocess.run(
            [ECSYNC, "apply", str(seed), "--region", region, "--endpoint-url", proxy.endpoint,
             "--log-format", "json", "--log-level", "error"],
            env=aws_env(), capture_output=True, text=True, timeout=600, check=False,
        )  # fmt: skip
    if applied.returncode != 0:
        output = applied.stdout + applied.stderr
        raise RuntimeError(f"ecsync apply of the seed fleet failed:\n{output[-3000:]}")
    templates = _templates(proxy.recorded)
    requests = [
        _renamed(templates[("RegisterTaskDefinition", i % shape.repositories)], i, cluster)
        for i, cluster in shape.placement()
        if i >= shape.repositories
    ]
    _send(endpoint, requests)
    _send(
        endpoint,
        (
            _renamed(templates[("CreateService", i % shape.repositories)], i, cluster)
            for i, cluster in shape.placement()
            if i >= shape.repositories
        ),
    )
    return net


def _templates(recorded: list[Recorded]) -> dict[tuple[str, int], Recorded]:
    """The recorded requests by (operation, service index)."""
    found = {}
    for request in recorded:
        body = json.loads(request.body)
        name = (
            body["family"] if request.operation == "RegisterTaskDefinition" else body["serviceName"]
        )
        found[(request.operation, int(name.removeprefix("svc-")))] = request
    return found


def _renamed(template: Recorded, index: int, cluster: str) -> Recorded:
    """`template` (a request for a service in the first cluster) for service `index` in
    `cluster`: the names are fixed-width, so replacing them changes nothing else."""
    source = json.loads(template.body)
    family = source.get("family") or source["serviceName"]
    body = template.body.replace(family, fleets.service_name(index))
    body = body.replace(fleets.cluster_name(0), cluster)
    return Recorded(template.operation, template.path, template.headers, body)


def _send(endpoint: str, requests: Iterable[Recorded]) -> None:
    """Every request, `REPLAY_THREADS` at a time, each thread on a connection of its own."""
    address = urlsplit(endpoint).netloc
    local = threading.local()

    def send(request: Recorded) -> None:
        if not hasattr(local, "connection"):
            local.connection = http.client.HTTPConnection(address, timeout=120)
        headers = {k: v for k, v in request.headers.items() if k.lower() != "content-length"}
        local.connection.request("POST", request.path, request.body.encode(), headers)
        response = local.connection.getresponse()
        answer = response.read()
        if response.status != 200:
            raise RuntimeError(f"{request.operation} failed ({response.status}): {answer[:500]!r}")

    with ThreadPoolExecutor(REPLAY_THREADS) as pool:
        for _ in pool.map(send, requests):
            pass
