"""Reads sent without botocore's per-request machinery, byte for byte as botocore sends them.

A botocore call emits a dozen events, validates and serialises through a
generic walk, resolves the endpoint ruleset, builds and prepares a request
object, signs it through a signer chosen per call, and hands it to urllib3:
about 40% of a no-op resync's CPU. For the reads ecsync repeats every pass
nearly all of that is the same from one request to the next. `LeanClient`
works it out once per client and operation, from the client's own parts
(`seam`), and per request only checks and dumps the parameters, signs
(`sigv4`) and sends (`wire`).

An operation takes this path only when everything botocore would do for it
is modelled here; otherwise (and for every write) `calls` uses botocore:
- the service speaks the `json` protocol; the operation streams nothing, has
  no host prefix, endpoint discovery, checksum, compression, idempotency
  token or unsigned payload, and its endpoint ruleset reads only the region,
  FIPS, dual stack and a configured endpoint, so its URL is fixed;
- it is signed with SigV4 from credentials the client holds;
- the endpoint is plain http or https with no proxy for it;
- no handler is registered on the client for the request's events beyond
  botocore's own ones reproduced here (`seam.foreign_handlers`), checked again
  whenever a handler is registered;
- the parameters pass `paramcheck` (botocore's validation, for the types whose
  JSON botocore writes as they are), else botocore runs and raises its own
  `ParamValidationError`.

Answers: 2xx goes through the client's parser (`parsing.FastJSONParser`), anything
else through botocore's parser and the client's modelled exception classes,
as `BaseClient._make_api_call` raises them. The result has no `ResponseMetadata`,
which `calls` drops anyway.
"""

from __future__ import annotations

import json
import os
import random
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import structlog
from botocore.awsrequest import HeadersDict
from botocore.model import OperationModel
from botocore.utils import lowercase_dict

from controller.aws import paramcheck, seam, sigv4, wire

log = structlog.get_logger(__name__)

Send = Callable[[dict[str, Any]], "dict[str, Any] | None"]
"""Sends one read: its answer, or None when botocore must send it instead (nothing was sent)."""


class LeanClient:
    """The lean reads of one botocore client; thread-safe."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self._lock = threading.Lock()
        self._token: object = None
        self._senders: dict[str, Send | None] = {}
        self._base: _Base | bool | None = False  # False: not worked out yet

    def sender(self, operation: str) -> Send | None:
        """The lean sender of API operation `operation` (e.g. `DescribeServices`), or None."""
        try:
            token = seam.registrations(self.client)
        except AttributeError:
            return None
        with self._lock:
            if token is not self._token:
                self._senders.clear()
                self._token = token
            if operation in self._senders:
                return self._senders[operation]
        found = self._build(operation)
        with self._lock:
            if self._token is token:
                self._senders[operation] = found
        return found

    def _build(self, operation: str) -> Send | None:
        try:
            base = self._client_base()
            if base is None:
                return None
            return _operation(base, operation)
        except AttributeError as exc:  # botocore moved something `seam` relies on
            log.warning("aws_lean_path_unavailable", operation=operation, error=str(exc))
            return None

    def _client_base(self) -> _Base | None:
        with self._lock:
            if self._base is False:
                self._base = client_base(self.client)
            return self._base if isinstance(self._base, _Base) else None


class _Base:
    """What every lean request of one client shares."""

    def __init__(self, client: Any, url: str, session: Any, signer: sigv4.Signer) -> None:
        self.client = client
        self.url = url
        self.session = session
        self._pool = seam.url_pool(session, url)
        self.signer = signer
        parts = urlsplit(url)
        self.host = host_header(url)
        self.target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self.credentials = seam.credentials(client)
        self.agent = seam.user_agent(client)
        self.parser = seam.response_parser(client, "json")

    def pool(self) -> Any:
        """The session's pool for the URL; a new one once that pool was closed (urllib3 1.26
        closes the pools `URLLib3Session.close` drops; botocore's next request makes a new one)."""
        pool = self._pool
        if seam.is_closed(pool):
            pool = self._pool = seam.url_pool(self.session, self.url)
        return pool


def _operation(base: _Base, operation: str) -> Send | None:
    client = base.client
    model: OperationModel = client.meta.service_model.operation_model(operation)
    service_id = client.meta.service_model.service_id.hyphenize()
    stubs = seam.foreign_handlers(client, service_id, operation)
    if not (
        _plain(model)
        and all(seam.switchable_stub(stub) for stub in stubs)
        # one attempt: botocore's own retries are off (`clients`), so it never retries
        and seam.max_attempts(client, service_id, operation) == 1
        and _signed_as_client(base, model)
    ):
        return None
    return _Sender(base, model, paramcheck.compile_input(model.input_shape), tuple(stubs)).send


def _signed_as_client(base: _Base, model: OperationModel) -> bool:
    """Whether botocore sends `model` to the client's URL, signed with SigV4 in its scope:
    the endpoint ruleset adds no header and names no other signing scope, and the
    choose-signer handlers pick `v4` with the payload signed."""
    client = base.client
    context = request_context(client, model)
    url, headers, _ = seam.resolve_endpoint(client, model, context)
    signing = context.get("signing", {})
    scope = base.signer.scope
    return bool(
        not headers
        and seam.request_url(url) == base.url
        and signing.get("region", scope.region) == scope.region
        and signing.get("signing_name", scope.service) == scope.service
        and seam.signature_version(client, model.name, context) == "v4"
        and context.get("payload_signing_enabled", True)
    )


def _plain(model: OperationModel) -> bool:
    """Whether botocore does nothing for `model` beyond what `lean` reproduces."""
    return (
        model.service_model.resolved_protocol == "json"
        and model.http.get("method", "POST") == "POST"
        and not model.has_streaming_input
        and not model.has_streaming_output
        and not model.has_event_stream_input
        and not model.has_event_stream_output
        and not model.endpoint  # host prefix
        and not model.is_endpoint_discovery_operation
        and not model.endpoint_discovery
        and not model.http_checksum
        and not model.request_compression
        and not model.unsigned_payload
        and not model.idempotent_members
        and model.auth_type in (None, "v4")
        and not model.context_parameters
        and not model.static_context_parameters
        and not model.operation_context_parameters
        and not model.metadata.get("awsQueryCompatible")
        and model.output_shape is not None
    )


def request_context(client: Any, model: OperationModel) -> dict[str, Any]:
    """The request context `BaseClient._make_api_call` starts a call with."""
    return {
        "client_region": client.meta.region_name,
        "client_config": client.meta.config,
        "has_streaming_input": model.has_streaming_input,
        "auth_type": model.resolved_auth_type,
        "unsigned_payload": model.unsigned_payload,
        "auth_options": model.service_model.metadata.get("auth"),
    }


def client_base(client: Any) -> _Base | None:
    """The shared part of a client's lean requests, or None when it has no lean path."""
    version, signing_name, region = seam.signing(client)
    url = seam.request_url(client.meta.endpoint_url)
    session = seam.http_session(client)
    if not (
        client.meta.service_model.resolved_protocol == "json"
        and not client.meta.config.auth_scheme_preference
        and (not seam.has_ruleset(client) or seam.ruleset_is_constant(client))
        and seam.credentials(client) is not None
        and version == "v4"
        and region
        and _plain_url(url)
        and _header_safe(seam.user_agent(client))
        and seam.proxy_for(session, url) is None
    ):
        return None
    signer = sigv4.Signer(sigv4.Scope(region, signing_name), *seam.canonical_target(url))
    return _Base(client, url, session, signer)


def _plain_url(url: str) -> bool:
    """http or https, ASCII, no user name, password or fragment."""
    parts = urlsplit(url)
    return (
        parts.scheme in ("http", "https")
        and url.isascii()
        and not (parts.username or parts.password or parts.fragment)
    )


def host_header(url: str) -> str:
    """The Host header: what botocore signs (`auth._host_from_url`) and http.client sends."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    default = {"http": 80, "https": 443}[parts.scheme]
    if parts.port is not None and parts.port != default:
        host = f"{host}:{parts.port}"
    return host


class _Sender:
    """Sends one operation's requests."""

    def __init__(
        self, base: _Base, model: OperationModel, check: paramcheck.Check, stubs: tuple[Any, ...]
    ) -> None:
        self.base = base
        self.stubs = stubs
        """moto's in-process stubs on the client: while one is on, botocore sends."""
        self.model = model
        self.check = check
        self.shape = model.output_shape
        metadata = model.metadata
        self.target = f"{metadata['targetPrefix']}.{model.name}"
        self.content_type = f"application/x-amz-json-{metadata['jsonVersion']}"
        self.head = (
            f"POST {base.target} HTTP/1.1\r\nHost: {base.host}\r\nAccept-Encoding: identity\r\n"
            f"X-Amz-Target: {self.target}\r\nContent-Type: {self.content_type}\r\n"
        )
        self.retry = "amz-sdk-request: attempt=1; max=1\r\n"

    def send(self, params: dict[str, Any]) -> dict[str, Any] | None:
        if not self.check(params) or _in_lambda():
            return None
        if self.stubs and any(stub.enabled for stub in self.stubs):
            return None
        body = json.dumps(params).encode("utf-8")
        base = self.base
        frozen, agent = seam.frozen_credentials(base.credentials, base.agent, base.client)
        amz_date = _amz_date()
        signed = [
            ("X-Amz-Target", self.target),
            ("Content-Type", self.content_type),
            ("Host", base.host),
            ("X-Amz-Date", amz_date),
        ]
        token = ""
        if frozen.token:
            if not _header_safe(frozen.token):
                return None  # http.client refuses it; botocore raises that as it does
            signed.append(("X-Amz-Security-Token", frozen.token))
            token = f"X-Amz-Security-Token: {frozen.token}\r\n"
        authorization = base.signer.authorization(
            signed, body, amz_date, frozen.access_key, frozen.secret_key
        )
        head = (
            f"{self.head}User-Agent: {agent}\r\nX-Amz-Date: {amz_date}\r\n{token}"
            f"Authorization: {authorization}\r\namz-sdk-invocation-id: {invocation_id()}\r\n"
            f"{self.retry}Content-Length: {len(body)}\r\n\r\n"
        )
        answer = wire.exchange(base.pool(), base.url, head.encode("utf-8") + body)
        if 200 <= answer.status < 300:
            parsed = base.parser.converted(answer.body, self.shape)
            if parsed is not None:
                return parsed  # type: ignore[no-any-return]
        return self._botocore_answer(answer)

    def _botocore_answer(self, answer: wire.Answer) -> dict[str, Any]:
        """The answer as botocore parses it, or its error raised as botocore raises it."""
        headers = HeadersDict()
        for name, value in answer.headers:
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        response = {
            "headers": headers,
            "status_code": answer.status,
            "body": answer.body,
            "context": {"operation_name": self.model.name},
        }
        parser = self.base.parser
        parsed: dict[str, Any] = parser.parse(response, self.shape)
        client = self.base.client
        if answer.status >= 300:
            seam.add_modeled_error_fields(client, response, parsed, self.model, parser)
        metadata = parsed.setdefault("ResponseMetadata", {})
        metadata.setdefault("HTTPStatusCode", answer.status)
        metadata.setdefault("HTTPHeaders", lowercase_dict(headers))
        metadata["MaxAttemptsReached"] = True
        metadata["RetryAttempts"] = 0
        if answer.status >= 300:
            code = parsed.get("Error", {}).get("Code")
            raise client.exceptions.from_code(code)(parsed, self.model.name)
        parsed.pop("ResponseMetadata", None)
        return parsed


def _header_safe(value: str) -> bool:
    """No line break: http.client refuses such a header value (`_is_illegal_header_value`)."""
    return "\n" not in value and "\r" not in value


_last_stamp: list[tuple[int, str]] = [(-1, "")]
"""The last second `_amz_date` formatted, and its text (one item, replaced whole)."""


def _amz_date() -> str:
    """Now, as SigV4Auth stamps X-Amz-Date (UTC, `%Y%m%dT%H%M%SZ`); formatted once a second."""
    now = int(time.time())
    second, text = _last_stamp[0]
    if second != now:
        text = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now))
        _last_stamp[0] = (now, text)
    return text


_VERSION_4 = (0xF000 << 64, 0x4000 << 64)
_VARIANT_RFC_4122 = (0xC000 << 48, 0x8000 << 48)


def invocation_id() -> str:
    """A random version 4 UUID, as botocore's `amz-sdk-invocation-id` (`str(uuid.uuid4())`)
    but from the `random` module: the header identifies a call, it guards nothing, and
    `uuid4` makes a system call for its bytes on every request."""
    bits = random.getrandbits(128)
    for mask, value in (_VERSION_4, _VARIANT_RFC_4122):
        bits = (bits & ~mask) | value
    text = f"{bits:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def _in_lambda() -> bool:
    """botocore's recursion detection adds X-Amzn-Trace-Id inside AWS Lambda: leave it those."""
    return "AWS_LAMBDA_FUNCTION_NAME" in os.environ and bool(os.environ.get("_X_AMZN_TRACE_ID"))
