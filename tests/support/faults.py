"""Fault injection in front of moto (which has none): canned HTTP answers per operation."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.compat import HTTPHeaders


class _Body:
    """The `raw` object botocore reads a response body from."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body


def json_response(status: int, payload: dict[str, Any]) -> AWSResponse:
    """An AWS JSON-protocol response (ECS, ECR, DynamoDB) with `status` and `payload`."""
    headers = HTTPHeaders.from_dict(
        {"Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": "test"}
    )
    return AWSResponse("http://fault", status, headers, _Body(json.dumps(payload).encode()))


def error_response(status: int, code: str, message: str = "injected") -> AWSResponse:
    return json_response(status, {"__type": code, "message": message})


def answer(
    client: Any, operation: str, responses: Callable[[dict[str, Any]], AWSResponse | None]
) -> Callable[[], None]:
    """Answer `operation` on `client` with `responses(request)` instead of sending it.

    `responses` gets the prepared request (its `body` holds the serialised
    parameters) and returns a response, or None to let the request through.
    Returns a function that removes the hook.
    """
    event = f"before-send.{client.meta.service_model.service_id.hyphenize()}.{operation}"

    def hook(request: Any, **_: Any) -> AWSResponse | None:
        return responses(request)

    client.meta.events.register(event, hook)
    return lambda: client.meta.events.unregister(event, hook)


def fail_always(client: Any, operation: str, status: int, code: str) -> Callable[[], None]:
    """Every `operation` on `client` fails with HTTP `status` and error `code`."""
    return answer(client, operation, lambda _request: error_response(status, code))


def raise_always(client: Any, operation: str, error: Exception) -> Callable[[], None]:
    """Every `operation` on `client` raises `error` (e.g. a connection error) while sending."""

    def hook(_request: Any) -> AWSResponse | None:
        raise error

    return answer(client, operation, hook)
