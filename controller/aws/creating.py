"""Creates that AWS does not make idempotent, sent so that nothing is created twice.

CreateService, CreateCapacityProvider and CreateRepository fail (or, for
CreateService, may replace) when sent again for a name that exists. When an
attempt's answer was lost (`calls.create`), the resource is read back before
the next attempt: if it exists and carries the ownership tag this create
sends, the earlier attempt made it, and its ARN is the answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from controller.aws import calls
from controller.core.kinds import ResourceId
from controller.core.resources import OWNER_TAG, Live

if TYPE_CHECKING:
    from controller.aws.clients import Aws


def create_owned(
    aws: Aws,
    service: str,
    operation: str,
    id: ResourceId,
    spec: dict[str, Any],
    /,
    *,
    read_back: Callable[[], Live | None],
    answer: tuple[str, str],
    **params: Any,
) -> dict[str, Any]:
    """Send `operation` with `params` and return its answer; when an earlier attempt made
    the resource, an answer that holds only its ARN.

    `read_back` reads the resource by name (None when absent); `answer` names
    where the response holds the ARN (`("service", "serviceArn")`). What it
    finds counts as created by an earlier attempt only when it is tagged as
    owned by the instance in `spec`'s tags; without that tag nothing is
    recognised, and the create is sent again (and AWS refuses a duplicate).
    """
    owner = (spec.get("tags") or {}).get(OWNER_TAG)
    member, arn_key = answer

    def ours() -> dict[str, Any] | None:
        live = read_back()
        if live is None or owner is None or live.owner != owner:
            return None
        return {member: {arn_key: live.arn}}

    return calls.create(aws, service, operation, str(id), ours, **params)
