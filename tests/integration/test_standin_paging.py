"""The local stand-in pages as AWS pages: default and maximum page sizes, and refusals."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest
from botocore.exceptions import ClientError

ASG = "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:x"


def arrange_clusters(client: Any, count: int) -> None:
    for n in range(count):
        client.create_cluster(clusterName=f"c{n:03}")


def arrange_services(client: Any, count: int) -> None:
    client.create_cluster(clusterName="big")
    client.register_task_definition(
        family="t", containerDefinitions=[{"name": "a", "image": "x", "memory": 8}]
    )
    for n in range(count):
        client.create_service(cluster="big", serviceName=f"s{n:03}", taskDefinition="t")


def arrange_task_definitions(client: Any, count: int) -> None:
    for _ in range(count):
        client.register_task_definition(
            family="t", containerDefinitions=[{"name": "a", "image": "x", "memory": 8}]
        )


def arrange_providers(client: Any, count: int) -> None:
    for n in range(count):
        client.create_capacity_provider(
            name=f"p{n:02}", autoScalingGroupProvider={"autoScalingGroupArn": ASG}
        )


def arrange_repositories(client: Any, count: int) -> None:
    for n in range(count):
        client.create_repository(repositoryName=f"r{n:03}")


@dataclass(frozen=True)
class Listing:
    """An operation that pages, with AWS's default and maximum page, and how to fill it with
    `count` items: the default page and more (the providers' count adds FARGATE and
    FARGATE_SPOT, which every account has). Sources: each operation's maxResults in the ECS
    and ECR API Reference."""

    service: str
    operation: str
    key: str
    default: int
    most: int
    arrange: Callable[[Any, int], None]
    count: int
    params: Mapping[str, Any] = field(default_factory=dict)
    builtin: int = 0

    def call(self, client: Any, **more: Any) -> Any:
        """One call of the operation with its own parameters and `more`."""
        return getattr(client, self.operation)(**self.params, **more)

    def every_page(self, client: Any, **more: Any) -> list[list[Any]]:
        """The items of each page, following nextToken to the end."""
        pages, token = [], None
        while True:
            page = self.call(client, **more, **({"nextToken": token} if token else {}))
            pages.append(page[self.key])
            token = page.get("nextToken")
            if not token:
                return pages


REPOSITORIES = Listing(
    "ecr", "describe_repositories", "repositories", 100, 1000, arrange_repositories, 101
)
LISTINGS = [
    Listing("ecs", "list_clusters", "clusterArns", 100, 100, arrange_clusters, 101),
    Listing(
        "ecs",
        "list_services",
        "serviceArns",
        10,
        100,
        arrange_services,
        12,
        params={"cluster": "big"},
    ),
    Listing(
        "ecs",
        "list_task_definitions",
        "taskDefinitionArns",
        100,
        100,
        arrange_task_definitions,
        101,
    ),
    Listing(
        "ecs",
        "describe_capacity_providers",
        "capacityProviders",
        10,
        10,
        arrange_providers,
        9,
        builtin=2,
    ),
    REPOSITORIES,
]
every_listing = pytest.mark.parametrize("listing", LISTINGS, ids=[x.operation for x in LISTINGS])


@every_listing
def test_default_page_size_then_next_token(
    boto_client: Callable[[str], Any], listing: Listing
) -> None:
    """Without maxResults a call answers AWS's default page and a nextToken to the rest."""
    client = boto_client(listing.service)
    listing.arrange(client, listing.count)
    largest = listing.every_page(client, maxResults=listing.most)

    pages = listing.every_page(client)

    assert [len(p) for p in pages] == [
        listing.default,
        listing.count + listing.builtin - listing.default,
    ]
    assert [item for page in pages for item in page] == [i for page in largest for i in page]


@every_listing
def test_max_results_beyond_the_limit_is_refused(
    boto_client: Callable[[str], Any], listing: Listing
) -> None:
    """maxResults one over the operation's maximum, or 0, is an InvalidParameterException."""
    client = boto_client(listing.service)
    listing.arrange(client, 1)

    # botocore itself refuses ECR's 0 (the model's `min`); ECS's model sets no bounds.
    for size in (listing.most + 1, 0) if listing.service == "ecs" else (listing.most + 1,):
        with pytest.raises(ClientError) as raised:
            listing.call(client, maxResults=size)
        response = raised.value.response
        assert (response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"]) == (
            400,
            "InvalidParameterException",
        )
    assert listing.call(client, maxResults=listing.most)[listing.key]


@every_listing
def test_a_garbage_next_token_is_refused(
    boto_client: Callable[[str], Any], listing: Listing
) -> None:
    """A nextToken the server never handed out is refused, not read as "from page one"."""
    client = boto_client(listing.service)
    listing.arrange(client, 1)

    with pytest.raises(ClientError) as raised:
        listing.call(client, nextToken="not-a-token")

    assert raised.value.response["Error"]["Code"] == "InvalidParameterException"
    assert "nextToken" in raised.value.response["Error"]["Message"]


def test_smaller_pages_follow_max_results(boto_client: Callable[[str], Any]) -> None:
    """maxResults under the default sets the page size, and the last page has no nextToken."""
    ecr = boto_client("ecr")
    arrange_repositories(ecr, 5)

    pages = REPOSITORIES.every_page(ecr, maxResults=2)

    assert [[r["repositoryName"] for r in p] for p in pages] == [
        ["r000", "r001"],
        ["r002", "r003"],
        ["r004"],
    ]


def test_ecr_refuses_paging_beside_repository_names(boto_client: Callable[[str], Any]) -> None:
    """DescribeRepositories with repositoryNames takes no maxResults, as the API Reference says."""
    ecr = boto_client("ecr")
    arrange_repositories(ecr, 2)

    named = ecr.describe_repositories(repositoryNames=["r000", "r001"])["repositories"]
    with pytest.raises(ClientError) as raised:
        ecr.describe_repositories(repositoryNames=["r000"], maxResults=1)

    assert [r["repositoryName"] for r in named] == ["r000", "r001"]
    assert raised.value.response["Error"]["Code"] == "InvalidParameterException"


def test_capacity_providers_asked_by_name_are_answered_whole(
    boto_client: Callable[[str], Any],
) -> None:
    """Twelve providers named in one call are all described: only the listing form pages."""
    ecs = boto_client("ecs")
    arrange_providers(ecs, 12)
    names = [f"p{n:02}" for n in range(12)]

    described = ecs.describe_capacity_providers(capacityProviders=names)

    assert [p["name"] for p in described["capacityProviders"]] == names
    assert "nextToken" not in described


def test_cloud_map_namespaces_page_by_max_results(boto_client: Callable[[str], Any]) -> None:
    """ListNamespaces pages with MaxResults and NextToken, and refuses 101 or a bad token."""
    cloudmap = boto_client("servicediscovery")
    for n in range(3):
        cloudmap.create_http_namespace(Name=f"ns{n}")

    first = cloudmap.list_namespaces(MaxResults=2)
    second = cloudmap.list_namespaces(MaxResults=2, NextToken=first["NextToken"])

    assert [n["Name"] for n in first["Namespaces"] + second["Namespaces"]] == ["ns0", "ns1", "ns2"]
    assert "NextToken" not in second
    for bad in ({"MaxResults": 101}, {"NextToken": "not-a-token"}):
        with pytest.raises(ClientError) as raised:
            cloudmap.list_namespaces(**bad)
        assert raised.value.response["Error"]["Code"] == "InvalidInput"


def test_kms_aliases_page_by_limit_and_marker(boto_client: Callable[[str], Any]) -> None:
    """ListAliases answers 50 by default with Truncated and NextMarker, and refuses a bad Marker."""
    kms = boto_client("kms")
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    for n in range(60):
        kms.create_alias(AliasName=f"alias/a{n:02}", TargetKeyId=key)

    pages, marker = [], None
    while True:
        page = kms.list_aliases(**({"Marker": marker} if marker else {}))
        pages.append(page)
        marker = page.get("NextMarker")
        if not page["Truncated"]:
            break
    with pytest.raises(ClientError) as raised:
        kms.list_aliases(Marker="not-a-marker")

    assert len(pages[0]["Aliases"]) == 50
    assert [p["Truncated"] for p in pages][-1] is False
    names = [a["AliasName"] for p in pages for a in p["Aliases"]]
    assert {f"alias/a{n:02}" for n in range(60)} <= set(names)
    assert len(names) == len(set(names))
    assert raised.value.response["Error"]["Code"] == "InvalidMarkerException"
