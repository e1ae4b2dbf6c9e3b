"""Request limits and pages: list and describe calls take and answer as much as AWS's.

The limits are the API Reference's (each request parameter's "Up to N" and
"This value can be between 1 and N"; botocore's service model carries ECR's
as `min`/`max`). moto accepts any number of names, ignores `maxResults` and
answers everything at once, which would hide batching and paging bugs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult
from moto.ecr import exceptions as ecr_exceptions
from moto.ecr.responses import ECRResponse
from moto.ecs import exceptions as ecs_exceptions

from ecsync_local.fixes.patching import Fix, Method, patch


class PagingRefused(ServiceException):
    """A refused page request; defined here so moto serialises it with the handler's
    service model (it looks up error shapes by the module an exception comes from)."""


_TOKEN = re.compile(r"[1-9][0-9]*")
"""The tokens this double hands out: the offset of the next page's first item."""


def limit(owner: type, name: str, param: str, most: int, error: Callable[[str], Exception]) -> Fix:
    """A fix rejecting more than `most` items of `param`, as AWS does."""

    @patch(owner, name)
    def strict_request_limit(original: Method) -> Method:
        def handler(self: Any) -> Any:
            if len(self._get_param(param) or []) > most:
                raise error(f"{param} can have at most {most} items.")
            return original(self)

        return handler

    strict_request_limit.__doc__ = (
        f"AWS rejects {name} with more than {most} {param}; moto accepts any number, "
        "which would hide a batching bug."
    )
    return strict_request_limit


def pages(
    owner: type,
    name: str,
    key: str,
    default: int,
    most: int,
    *,
    names: str | None = None,
) -> Fix:
    """A fix answering `key` in pages of `maxResults` (`default` when unset, 1 to `most`)
    with a `nextToken`, as AWS does, and refusing a `maxResults` out of range or a
    `nextToken` this server never handed out.

    With `names` (the parameter that asks for given items), a call naming items is
    answered whole; ECR refuses paging parameters beside it ("This option cannot be
    used when you specify repositories with repositoryNames", ECR API Reference).
    """
    ecr = owner is ECRResponse
    invalid = (
        ecr_exceptions.InvalidParameterException
        if ecr
        else ecs_exceptions.InvalidParameterException
    )

    @patch(owner, name)
    def paginate_like_aws(original: Method) -> Method:
        def handler(self: Any) -> Any:
            size, token = self._get_param("maxResults"), self._get_param("nextToken")
            if names is not None and self._get_param(names):
                if ecr and (size is not None or token is not None):
                    raise invalid(f"maxResults and nextToken cannot be used with {names}.")
                return original(self)
            if size is not None and not 1 <= int(size) <= most:
                raise invalid(_range_message(size, most, ecr))
            if token is not None and not _TOKEN.fullmatch(str(token)):
                raise invalid(
                    f"Invalid nextToken {str(token)[:64]!r}: pass the nextToken of the previous "
                    "page unchanged."
                )
            answer = dict(original(self).result)
            everything = list(answer[key])
            start, size = int(token or 0), int(size or default)
            answer[key] = everything[start : start + size]
            answer.pop("nextToken", None)
            if start + size < len(everything):
                answer["nextToken"] = str(start + size)
            return ActionResult(answer)

        return handler

    paginate_like_aws.__doc__ = (
        f"AWS pages {name} at {default} items (1 to {most} with maxResults) and returns a "
        "nextToken; moto returns everything at once, which would hide a pagination bug and "
        "undercount calls, and takes any maxResults and any nextToken."
    )
    return paginate_like_aws


def _range_message(size: Any, most: int, ecr: bool) -> str:
    if not ecr:
        return f"maxResults must be between 1 and {most}."
    bound = f"less than or equal to {most}" if int(size) > most else "greater than or equal to 1"
    # ECR's wording for a model constraint (as in google/go-containerregistry#1091).
    return (
        "Invalid parameter at 'maxResults' failed to satisfy constraint: "
        f"'Member must have value {bound}'"
    )


def text_pages(
    owner: type,
    name: str,
    key: str,
    default: int,
    most: int,
    *,
    size: str,
    cursor: str,
    next_cursor: str,
    errors: tuple[str, str],
    truncated: bool = False,
) -> Fix:
    """`pages` for the handlers that answer JSON text in the services' own spelling
    (Cloud Map's `MaxResults`/`NextToken`, KMS's `Limit`/`Marker`/`NextMarker` with
    `Truncated`); `errors` are the codes for a bad page size and a bad token."""

    @patch(owner, name)
    def paginate_like_aws(original: Method) -> Method:
        def handler(self: Any) -> Any:
            wanted, given = self._get_param(size), self._get_param(cursor)
            if wanted is not None and not 1 <= int(wanted) <= most:
                raise PagingRefused(errors[0], f"{size} must be between 1 and {most}.")
            if given is not None and not _TOKEN.fullmatch(str(given)):
                raise PagingRefused(errors[1], f"Invalid {cursor} {str(given)[:64]!r}.")
            answer = original(self)
            body = answer[2] if isinstance(answer, tuple) else answer
            result = json.loads(body)
            everything = list(result[key])
            start, count = int(given or 0), int(wanted or default)
            result[key] = everything[start : start + count]
            more = start + count < len(everything)
            result.pop(next_cursor, None)
            if more:
                result[next_cursor] = str(start + count)
            if truncated:
                result["Truncated"] = more
            text = json.dumps(result)
            return (*answer[:2], text) if isinstance(answer, tuple) else text

        return handler

    paginate_like_aws.__doc__ = (
        f"AWS pages {name} at {default} items (1 to {most} with {size}) and returns "
        f"{next_cursor}; moto returns everything at once and takes any {size} and {cursor}."
    )
    return paginate_like_aws
