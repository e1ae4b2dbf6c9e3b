"""A faster parser for successful JSON-protocol answers, with botocore's exact result.

botocore's `JSONParser` walks every node of an answer through a generic
dispatch (`getattr(self, "_handle_" + type_name)` per node, the member's
serialized name looked up per member per node). For the pages a resync reads
again and again (DescribeServices, ListTaskDefinitions, ECR's reads) that
walk cost a quarter of the daemon's CPU at 10,000 services. This parser
compiles each output shape once into nested converters that do only what the
walk does:

- a structure keeps its modelled members (by serialized name, in the model's
  order) whose value is not null; unknown members are dropped;
- blobs go through the blob parser, timestamps through the timestamp parser
  (both as configured on the factory; `as_sent` leaves timestamps alone);
- lists keep null items as null; maps convert their values;
- scalars and document types are taken as `json.loads` made them.

The body is decoded by orjson where that gives `json.loads`' values and types
(`decode`): a body that may hold an integer outside 64 bits, which orjson would
make a float, and one orjson refuses (NaN, lone surrogates) go to `json.loads`.
An object with no null value is turned into what botocore builds by its keys
alone: which are modelled members, and in which order the model has them.
Each structure works that out once per key layout and remembers it, so that
the many items of a page that share a layout cost a lookup each; an object
whose keys are modelled members in the model's order, under their own names,
is kept as decoded, and any other is rebuilt from its modelled members in one
step. Then only the members that need converting are converted. An object
with a null value is rebuilt member by member, as botocore's walk does.

Anything else is left to botocore itself: error answers (HTTP 3xx and over:
`ResponseParser.parse` never reaches `_do_parse` for them), event streams,
tagged unions, a body that is not a JSON object, other protocols.
It is installed through botocore's own seam, the session's
`response_parser_factory` component (`install`).
"""

from __future__ import annotations

import json
import threading
import weakref
from collections.abc import Callable
from typing import Any

import orjson
from botocore import parsers
from botocore.model import ListShape, MapShape, Shape, StructureShape
from botocore.session import Session

Converter = Callable[[Any], Any]
"""Turns one `json.loads` node into what botocore's parser makes of it."""
_JSON_PARSER: Any = parsers.JSONParser
"""botocore's own parser methods, reached past the type stubs, which leave them out."""
_LAYOUTS = 64
"""Key layouts each structure remembers; an object of any other layout is checked afresh."""


def as_sent(value: Any) -> Any:
    """The timestamp parser that keeps a timestamp as AWS sent it (no conversion at all)."""
    return value


_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_WIDE = b"0" * 19
"""19 digits: the shortest integer that may not fit in 64 bits."""
_BEFORE_A_NUMBER = frozenset(b":[, \t\r\n")


def decode(body: bytes) -> Any:
    """`json.loads` of a UTF-8 `body`: orjson's result where it is the same (values and
    types), `json.loads`' own value or error otherwise."""
    if not _may_be_wide_integer(body):
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            pass
    return json.loads(body.decode("utf-8"))


def _may_be_wide_integer(body: bytes) -> bool:
    """Whether `body` may hold an integer outside 64 bits, which orjson makes a float and
    `json.loads` an int: a number of 19 digits or more. A run of digits that follows
    anything but the start of a value (a string's text, a fraction) cannot be one."""
    digits = body.translate(_DIGITS_AS_ZERO)
    at = digits.find(_WIDE)  # the first digit of a run: an earlier one would be found first
    while at >= 0:
        start = at - 1 if at and body[at - 1] == ord("-") else at
        if start == 0 or body[start - 1] in _BEFORE_A_NUMBER:
            return True
        end = at + len(_WIDE)
        while end < len(digits) and digits[end] == ord("0"):
            end += 1
        at = digits.find(_WIDE, end)
    return False


class FastJSONParser(parsers.JSONParser):
    """`JSONParser`, with successful non-streaming answers parsed by compiled converters.

    Thread-safe: one instance serves every client of a session.
    """

    def __init__(self, **defaults: Any) -> None:
        super().__init__(**defaults)
        botocore_side: Any = self
        self.parse_blob: Converter = botocore_side._blob_parser
        self.parse_timestamp: Converter = botocore_side._timestamp_parser
        self._compiled: weakref.WeakKeyDictionary[Shape, Converter] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def _do_parse(self, response: dict[str, Any], shape: Shape | None) -> Any:
        parsed = self.converted(response["body"], shape)
        if parsed is None:
            return _JSON_PARSER._do_parse(self, response, shape)
        _JSON_PARSER._inject_response_metadata(self, parsed, response["headers"])
        return parsed

    def converted(self, body: bytes, shape: Shape | None) -> dict[str, Any] | None:
        """What botocore parses from the `body` of a successful answer of `shape`, without
        `ResponseMetadata`; None when botocore's own walk must do it (see the module)."""
        if shape is None or shape.event_stream_name or _is_union(shape):
            return None
        try:
            node = decode(body) if body else {}
        except ValueError:  # botocore answers {"message": body}: leave it to botocore
            return None
        if not isinstance(node, dict):
            return None
        parsed: dict[str, Any] = self._converter(shape)(node)
        return parsed

    def _converter(self, shape: Shape) -> Converter:
        with self._lock:
            found = self._compiled.get(shape)
        if found is None:
            found = _Compiler(self).structure(shape)
            with self._lock:
                self._compiled[shape] = found
        return found


def _is_union(shape: Shape) -> bool:
    return isinstance(shape, StructureShape) and bool(shape.is_tagged_union)


class _Compiler:
    """Compiles the converters of one output shape. A shape met again inside itself
    (recursion) gets a converter that looks its own up by name when called."""

    def __init__(self, parser: FastJSONParser) -> None:
        self.parser = parser
        self.done: dict[str, Converter] = {}

    def convert(self, shape: Shape) -> Converter | None:
        """The converter of `shape`, or None when botocore takes the value as it is."""
        kind = shape.type_name
        if kind == "blob":
            return self.parser.parse_blob
        if kind == "timestamp":
            parse = self.parser.parse_timestamp
            return None if parse is as_sent else parse
        if kind not in ("structure", "list", "map"):
            return None
        name = shape.name
        if name in self.done:
            return self.done[name]

        def recursive(value: Any) -> Any:
            return self.done[name](value)

        self.done[name] = recursive
        converter = self._container(shape)
        self.done[name] = converter
        return converter

    def structure(self, shape: Shape) -> Converter:
        converter = self.convert(shape)
        assert converter is not None
        return converter

    def _container(self, shape: Shape) -> Converter:
        if isinstance(shape, ListShape):
            return _list(self.convert(shape.member))
        if isinstance(shape, MapShape):
            return _map(self.convert(shape.key), self.convert(shape.value))
        assert isinstance(shape, StructureShape)
        if shape.is_document_type:
            return _as_is
        if shape.is_tagged_union:
            return _botocore(self.parser, shape)
        return _structure(
            tuple(
                (member, ref.serialization.get("name", member), self.convert(ref))
                for member, ref in shape.members.items()
            )
        )


def _as_is(value: Any) -> Any:
    return value


def _botocore(parser: FastJSONParser, shape: Shape) -> Converter:
    def convert(value: Any) -> Any:
        return _JSON_PARSER._parse_shape(parser, shape, value)

    return convert


def _structure(members: tuple[tuple[str, str, Converter | None], ...]) -> Converter:
    rebuild = _rebuilt(members)
    modelled = {wire: (index, member, inner) for index, (member, wire, inner) in enumerate(members)}
    layouts: dict[tuple[str, ...], _Layout] = {}

    def layout(keys: tuple[str, ...]) -> _Layout:
        known = sorted(modelled[key] + (key,) for key in keys if key in modelled)
        names = tuple((member, wire) for _, member, _, wire in known)
        kept = None if names == tuple((key, key) for key in keys) else names
        return kept, tuple((member, inner) for _, member, inner, _ in known if inner is not None)

    def convert(value: Any) -> Any:
        if type(value) is not dict or None in value.values():
            return rebuild(value)
        keys = tuple(value)
        found = layouts.get(keys)
        if found is None:
            found = layout(keys)
            if len(layouts) < _LAYOUTS:
                layouts[keys] = found
        names, inner_converters = found
        if names is not None:
            value = {member: value[wire] for member, wire in names}
        for member, inner in inner_converters:
            value[member] = inner(value[member])
        return value

    return convert


_Layout = tuple[tuple[tuple[str, str], ...] | None, tuple[tuple[str, Converter], ...]]
"""For an object with given keys: the (member, key) pairs to rebuild it from, in the model's
order (None: it is already so), and the members whose values need converting."""


def _rebuilt(members: tuple[tuple[str, str, Converter | None], ...]) -> Converter:
    """A structure built member by member, as botocore's walk builds it."""

    def convert(value: Any) -> Any:
        if value is None:
            return None
        get = value.get
        parsed = {}
        for member, wire, inner in members:
            item = get(wire)
            if item is not None:
                parsed[member] = item if inner is None else inner(item)
        return parsed

    return convert


def _list(inner: Converter | None) -> Converter:
    if inner is None:
        return _list_as_is  # null items stay null

    def convert(value: Any) -> Any:
        return [None if item is None else inner(item) for item in value]

    return convert


def _list_as_is(value: Any) -> Any:
    """A decoded list as it is (botocore's walk makes an equal copy)."""
    return value if type(value) is list else list(value)


def _map(key: Converter | None, inner: Converter | None) -> Converter:
    if key is None and inner is None:
        return lambda value: value if type(value) is dict else dict(value.items())
    keys = key or _as_is
    values = inner or _as_is
    return lambda value: {keys(k): values(v) for k, v in value.items()}


class ParserFactory(parsers.ResponseParserFactory):
    """botocore's factory, answering the `json` protocol with one shared `FastJSONParser`."""

    def __init__(self) -> None:
        super().__init__()
        self._settings: dict[str, Any] = {}
        self._json: FastJSONParser | None = None
        self._lock = threading.Lock()

    def set_parser_defaults(self, **kwargs: Any) -> None:
        with self._lock:
            super().set_parser_defaults(**kwargs)
            self._settings.update(kwargs)
            self._json = None

    def create_parser(self, protocol_name: str) -> Any:
        if protocol_name != "json":
            return super().create_parser(protocol_name)
        with self._lock:
            if self._json is None:
                self._json = FastJSONParser(**self._settings)
            return self._json


def install(session: Session) -> ParserFactory:
    """Make `session`'s clients (those created from now on) parse JSON answers with
    `FastJSONParser`. Returns the new factory: parser defaults are set on it."""
    factory = ParserFactory()
    session.register_component("response_parser_factory", factory)
    return factory
