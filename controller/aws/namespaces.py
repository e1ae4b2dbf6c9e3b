"""Cloud Map namespaces: the names that Service Connect references resolve to.

ECS takes a Service Connect namespace by name or by ARN, and reports the ARN
(ECS API Reference: ServiceConnectConfiguration.namespace,
ClusterServiceConnectDefaultsRequest.namespace). A manifest that names one
by name would show drift for ever, so a pass that needs it lists the
namespaces once: ListNamespaces, paged by `NextToken`, up to 100 per page
(Cloud Map API Reference, ListNamespaces), covering the account's own
namespaces and those shared with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from controller.aws import calls

if TYPE_CHECKING:
    from controller.aws.clients import Aws

PAGE_SIZE = 100
"""ListNamespaces' maximum MaxResults."""


def read_names(aws: Aws) -> dict[str, str]:
    """Every namespace the account sees, as ARN -> name (one paged ListNamespaces)."""
    summaries: list[Any] = []
    token: str | None = None
    while True:
        paging = {"NextToken": token} if token else {}
        page = calls.call(
            aws, "servicediscovery", "list_namespaces", "Namespace", MaxResults=PAGE_SIZE, **paging
        )
        summaries.extend(page.get("Namespaces", []))
        token = page.get("NextToken")
        if not token:
            return names_by_arn(summaries)


def names_by_arn(summaries: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """ListNamespaces' `Namespaces` items as ARN -> name. An ARN names one namespace, so
    this direction is never ambiguous (two namespaces may share a name)."""
    return {str(s["Arn"]): str(s["Name"]) for s in summaries if s.get("Arn") and s.get("Name")}
