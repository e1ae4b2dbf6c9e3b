"""The one place that reaches into botocore's and urllib3's private attributes.

The lean read path (`lean`) sends what a botocore client would send, from the
client's own parts: its signer's credentials, its user agent, its endpoint
ruleset, its HTTP session and connection pools, its response parser. botocore
offers no public handle on them. Every attribute used here was checked
against botocore 1.44.8 and urllib3 2.8.0; `tests/unit/aws/test_seam.py`
fails loudly when one of them disappears, and at run time any
`AttributeError` here makes `lean` leave the client to botocore.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from botocore import handlers as _handlers
from botocore.auth import SigV4Auth
from botocore.awsrequest import prepare_request_dict
from botocore.context import get_context, start_as_current_context
from botocore.retries import standard
from botocore.signers import RequestSigner
from botocore.useragent import UserAgentString
from urllib3.connectionpool import HTTPConnectionPool

Handler = Callable[..., Any]
handlers: Any = _handlers
"""botocore.handlers, private names included (its stubs list only public ones)."""

CHAIN = (
    "provide-client-params",
    "before-parameter-build",
    "before-endpoint-resolution",
    "before-call",
    "request-created",
    "choose-signer",
    "before-sign",
    "before-send",
    "response-received",
    "before-parse",
    "needs-retry",
    "after-call",
    "after-call-error",
)
"""Every event botocore 1.44.8 emits while it sends one request and reads its answer
(client.py `_make_api_call`, endpoint.py, signers.py)."""

_QUIET_FUNCTIONS: frozenset[Handler] = frozenset(
    {
        # no-op for an operation without idempotency-token members (checked in `lean`)
        handlers.generate_idempotent_uuid,
        # no-op for an operation without an httpChecksum trait (checked in `lean`)
        handlers._handle_request_validation_mode_member,
        # no-op for an operation that is not an endpoint discovery one (checked in `lean`)
        handlers.inject_api_version_header_if_needed,
        # adds X-Amzn-Trace-Id only inside AWS Lambda: `lean` leaves those requests to botocore
        handlers.add_recursion_detection_header,
        # choose the signature version: `lean` asks them once per operation (`signature_version`)
        handlers.set_operation_specific_signer,
        handlers._set_auth_scheme_preference_signer,
        # amz-sdk-invocation-id and amz-sdk-request: `lean` writes both
        handlers.add_retry_headers,
    }
)
"""botocore's own module-level handlers whose effect on a JSON read `lean` reproduces."""

_QUIET_METHODS: frozenset[Handler] = frozenset(
    {
        RequestSigner.handler,  # SigV4, reproduced by `sigv4`
        UserAgentString.rebuild_and_replace_user_agent_handler,  # `user_agent`
        standard.MaxAttemptsSeeder.seed_max_attempts,  # "max=" of amz-sdk-request
        # With one attempt in all (clients.py), the retry handler never retries and
        # the quota is never taken, so releasing it changes nothing.
        standard.RetryHandler.needs_retry,
        standard.RetryQuotaChecker.release_retry_quota,
    }
)
"""Methods of botocore's own per-client objects that `lean` reproduces or may skip."""


def emitter(client: Any) -> Any:
    """The client's event emitter under its alias layer (`BaseClient.meta.events._emitter`)."""
    return client.meta.events._emitter


def registrations(client: Any) -> object:
    """A token that changes whenever a handler is registered on or removed from the client:
    `HierarchicalEmitter` replaces its `_lookup_cache` dict on every (un)registration."""
    return emitter(client)._lookup_cache


def foreign_handlers(client: Any, service_id: str, operation: str) -> list[Handler]:
    """The handlers on the client for `operation`'s request chain that `lean` does not
    account for: anything from a test, a plugin, moto's mock or a botocore addition."""
    trie = emitter(client)._handlers
    foreign: list[Handler] = []
    for event in CHAIN:
        for handler in trie.prefix_search(f"{event}.{service_id}.{operation}"):
            function = getattr(handler, "__func__", None)
            if handler in _QUIET_FUNCTIONS or function in _QUIET_METHODS:
                continue
            foreign.append(handler)
    return foreign


def switchable_stub(handler: Handler) -> bool:
    """Whether `handler` is moto's in-process stub (moto 5's `BotocoreStubber`).

    moto, once imported (the tests, `--local`), registers it on every client's
    before-send; it answers nothing while its `enabled` is False, that is outside
    `mock_aws`. `lean` takes such a client while every stub on it is off, checked
    per request. moto is recognised by name: the product does not import it.
    """
    kind = type(handler)
    return (
        kind.__module__ == "moto.core.botocore_stubber"
        and kind.__name__ == "BotocoreStubber"
        and isinstance(getattr(handler, "enabled", None), bool)
    )


def credentials(client: Any) -> Any:
    """The credentials object the client's signer refreshes and signs with (or None)."""
    return client._request_signer._credentials


def signing(client: Any) -> tuple[str, str, str]:
    """The client signer's default (signature version, signing name, region)."""
    signer = client._request_signer
    return signer._signature_version, signer._signing_name, signer._region_name


def signature_version(client: Any, operation: str, context: dict[str, Any]) -> Any:
    """What the signer's choose-signer step picks for `operation` (may edit `context`)."""
    return client._request_signer._choose_signer(operation, "standard", context)


def resolve_endpoint(
    client: Any, operation_model: Any, context: dict[str, Any]
) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """(url, headers, properties) of the endpoint ruleset for a call without parameters;
    fills `context["signing"]` as a call would (`BaseClient._resolve_endpoint_ruleset`)."""
    url, headers, properties = client._resolve_endpoint_ruleset(operation_model, {}, context)
    return url, dict(headers or {}), dict(properties or {})


def has_ruleset(client: Any) -> bool:
    return client._ruleset_resolver is not None


def request_url(endpoint_url: str) -> str:
    """The URL botocore sends a JSON-protocol request to (url_path "/", no query)."""
    request: dict[str, Any] = {
        "url_path": "/",
        "query_string": "",
        "headers": {},
        "method": "POST",
        "body": b"",
    }
    prepare_request_dict(request, endpoint_url)
    url: str = request["url"]
    return url


def canonical_target(url: str) -> tuple[str, str]:
    """(canonical URI, canonical query string) SigV4Auth signs for a request to `url`."""
    probe: Any = SigV4Auth(None, "", "")  # type: ignore[arg-type]  # no credentials needed
    parts = urlsplit(url)
    return probe._normalize_url_path(parts.path), probe._canonical_query_string_url(parts)


def user_agent(client: Any) -> str:
    """The User-Agent header of a request that registers no feature of its own."""
    with start_as_current_context():
        text: str = client._user_agent_creator.to_string()
    return text


def frozen_credentials(creds: Any, agent: str, client: Any) -> tuple[Any, str]:
    """`creds.get_frozen_credentials()`, and the User-Agent to send with them.

    A refresh may register a feature (say, CREDENTIALS_IMDS) in botocore's request
    context; botocore then names it in that request's User-Agent, rebuilt after
    signing. The context is opened only when a refresh may happen.
    """
    refresh_needed = getattr(creds, "refresh_needed", None)
    if refresh_needed is None or not refresh_needed():
        return creds.get_frozen_credentials(), agent
    with start_as_current_context():
        frozen = creds.get_frozen_credentials()
        context = get_context()
        if context is None or not context.features:
            return frozen, agent
        text: str = client._user_agent_creator.to_string()
        return frozen, text


def max_attempts(client: Any, service_id: str, operation: str) -> int | None:
    """The `max=` botocore's MaxAttemptsSeeder writes into amz-sdk-request, or None."""
    trie = emitter(client)._handlers
    for handler in trie.prefix_search(f"request-created.{service_id}.{operation}"):
        if getattr(handler, "__func__", None) is standard.MaxAttemptsSeeder.seed_max_attempts:
            value: int = handler.__self__._max_attempts
            return value
    return None


def http_session(client: Any) -> Any:
    """The client's `URLLib3Session` (proxies, TLS verification, timeouts, pools)."""
    return client._endpoint.http_session


def proxy_for(session: Any, url: str) -> str | None:
    found: str | None = session._proxy_config.proxy_url_for(url)
    return found


def url_pool(session: Any, url: str) -> HTTPConnectionPool:
    """The urllib3 pool botocore sends requests for `url` through (no proxy), set up for TLS
    verification as `URLLib3Session.send` sets it before every request."""
    pool: HTTPConnectionPool = session._get_connection_manager(url, None).connection_from_url(url)
    session._setup_ssl_cert(pool, url, session._verify)
    return pool


def is_closed(pool: HTTPConnectionPool) -> bool:
    """Whether `pool` was closed (`HTTPConnectionPool.close` drops its queue)."""
    return pool.pool is None


def borrow(pool: HTTPConnectionPool) -> Any:
    """An idle connection of the pool, or a new one (`_get_conn`: a dropped one is closed)."""
    return pool._get_conn()


def give_back(pool: HTTPConnectionPool, conn: Any) -> None:
    """Return a connection (or None for one closed after a failure) to its pool slot."""
    pool._put_conn(conn)


def prepare_connection(pool: HTTPConnectionPool, conn: Any) -> None:
    """Connect `conn` when needed, as urllib3 does before a request: HTTPS pools connect
    and verify in `_validate_conn` (with its warnings), plain ones on first send."""
    pool._validate_conn(conn)
    if conn.is_closed:
        conn.connect()


def response_parser(client: Any, protocol: str) -> Any:
    """The parser the client's endpoint parses answers of `protocol` with."""
    return client._endpoint._response_parser_factory.create_parser(protocol)


def add_modeled_error_fields(
    client: Any, response: dict[str, Any], parsed: dict[str, Any], model: Any, parser: Any
) -> None:
    """botocore's second pass over an error answer, for the error shape's own fields."""
    client._endpoint._add_modeled_error_fields(response, parsed, model, parser)


CONSTANT_BUILTINS = frozenset({"AWS::Region", "AWS::UseFIPS", "AWS::UseDualStack", "SDK::Endpoint"})
"""Endpoint ruleset inputs fixed for the life of a client (region, FIPS, dual stack, a
configured endpoint URL); `AWS::Auth::AccountId` and the like may change with credentials."""


def ruleset_is_constant(client: Any) -> bool:
    """Whether the client's endpoint ruleset reads only `CONSTANT_BUILTINS`: then an
    operation without context parameters has one endpoint for the client's life."""
    definitions = client._ruleset_resolver._param_definitions
    return all(d.builtin in CONSTANT_BUILTINS for d in definitions.values())
