"""Cloud Map namespace names: one paged ListNamespaces per pass, and only when a manifest
names a Service Connect namespace by name (ECS reports the ARN)."""

from __future__ import annotations

import json
from typing import Any

import boto3

from controller.aws import namespaces
from controller.aws.clients import Aws
from controller.core.kinds import Kind, ResourceId
from controller.core.resources import Desired, Live
from controller.plan.planner import NAMESPACE_NAMES
from controller.reconcile import observe
from tests.support import faults
from tests.support.counting import CallCounter

ARN = "arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-{}"
PAGES: dict[str | None, dict[str, Any]] = {
    None: {
        "Namespaces": [{"Id": "ns-a", "Arn": ARN.format("a"), "Name": "internal", "Type": "HTTP"}],
        "NextToken": "p2",
    },
    "p2": {"Namespaces": [{"Id": "ns-b", "Arn": ARN.format("b"), "Name": "edge", "Type": "HTTP"}]},
}


def serve_pages(request: Any) -> Any:
    token = json.loads(request.body or b"{}").get("NextToken")
    return faults.json_response(200, PAGES[token])


def service(namespace: str | None) -> Desired:
    connect = {"enabled": True, **({"namespace": namespace} if namespace else {})}
    return Desired(
        ResourceId(Kind.SERVICE, "web", "prod"),
        {"cluster": "prod", "taskDefinition": "web:1", "serviceConnectConfiguration": connect},
    )


def cluster(namespace: str) -> Desired:
    return Desired(
        ResourceId(Kind.CLUSTER, "prod"), {"serviceConnectDefaults": {"namespace": namespace}}
    )


def test_read_names_follows_next_token_with_the_largest_page(
    aws: Aws, calls_sent: CallCounter
) -> None:
    """Every page of ListNamespaces is read, 100 at a time, into ARN -> name."""
    faults.answer(aws.client("servicediscovery"), "ListNamespaces", serve_pages)

    names = namespaces.read_names(aws)

    assert names == {ARN.format("a"): "internal", ARN.format("b"): "edge"}
    assert calls_sent.params("ListNamespaces") == [
        {"MaxResults": 100},
        {"MaxResults": 100, "NextToken": "p2"},
    ]


def test_a_pass_lists_namespaces_once_when_a_manifest_names_one(
    aws: Aws, moto_endpoint: str, calls_sent: CallCounter
) -> None:
    """A service and a cluster naming namespaces by name cost one ListNamespaces together."""
    cloudmap = boto3.client("servicediscovery", endpoint_url=moto_endpoint)
    cloudmap.create_http_namespace(Name="internal")
    boto3.client("ecs", endpoint_url=moto_endpoint).create_cluster(clusterName="prod")

    observe.read_live(aws, [service("internal"), cluster("internal")])

    assert calls_sent["ListNamespaces"] == 1


def test_no_lookup_when_namespaces_are_arns_or_absent(aws: Aws, calls_sent: CallCounter) -> None:
    """Namespaces written as ARNs, or left to the cluster default, need no ListNamespaces."""
    observe.read_live(aws, [service(ARN.format("a")), service(None), cluster(ARN.format("b"))])

    assert calls_sent["ListNamespaces"] == 0


def test_live_resources_carry_the_names_of_the_arns_they_reference() -> None:
    """Only a resource that references a known namespace ARN gets its name, in its status."""
    web = ResourceId(Kind.SERVICE, "web", "prod")
    api = ResourceId(Kind.SERVICE, "api", "prod")
    live = {
        web: Live(web, "arn:web", {"serviceConnectConfiguration": {"namespace": ARN.format("a")}}),
        api: Live(api, "arn:api", {"serviceConnectConfiguration": {"namespace": ARN.format("z")}}),
    }

    named = observe.with_namespace_names(live, {ARN.format("a"): "internal"})

    assert named[web].status[NAMESPACE_NAMES] == {ARN.format("a"): "internal"}
    assert NAMESPACE_NAMES not in named[api].status
