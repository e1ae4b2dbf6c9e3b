"""Validating a document's `spec` against the generated AWS request model.

pydantic finds the problems; this module turns each one into an error at the
line of the offending node, in words a user of the AWS API understands, with
a did-you-mean for misspelt fields and enum values.
"""

from __future__ import annotations

import types
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from controller.core import redact
from controller.core.kinds import Kind
from controller.manifests.errors import FieldPath, ManifestError
from controller.manifests.specs import SPEC_MODELS
from controller.manifests.suggest import closest, describe, did_you_mean, yaml_text
from controller.manifests.yamlload import Document

_EXPECTED = {
    "string_type": "a string",
    "int_type": "an integer",
    "float_type": "a number",
    "bool_type": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
}
_LISTED = 15
"""Unknown-field errors list the valid fields when there are at most this many."""


def validate(
    kind: Kind, document: Document, resource: str
) -> tuple[dict[str, Any] | None, list[ManifestError]]:
    """The spec as written (only fields the user set, nulls dropped) as JSON data, or errors."""
    spec = document.data.get("spec")
    if spec is None:
        spec = {}
    if not isinstance(spec, dict):
        message = f"spec must be a mapping of the AWS request fields, not {describe(spec)}"
        return None, [document.error(resource, ("spec",), message)]
    model = SPEC_MODELS[kind]
    try:
        validated = model.model_validate(spec)
    except ValidationError as exc:
        errors = _without_echoes(model, exc.errors(include_url=False))
        return None, [_error(document, resource, model, error) for error in errors]
    dumped = validated.model_dump(mode="json", by_alias=True, exclude_unset=True, exclude_none=True)
    return dumped, []


def _without_echoes(model: type[BaseModel], errors: list[ErrorDetails]) -> list[ErrorDetails]:
    """Drops "x is missing" when an unknown field beside it is a misspelling of x.

    `subnet: [a]` would otherwise also report the required `subnets` as missing,
    and the did-you-mean on the typo already says what to do.
    """
    misspelt = set()
    for error in errors:
        if error["type"] == "extra_forbidden":
            parent = tuple(error["loc"][:-1])
            meant = closest(str(error["loc"][-1]), _fields(_type_at(model, parent)))
            misspelt.add((*parent, meant))
    return [e for e in errors if not (e["type"] == "missing" and tuple(e["loc"]) in misspelt)]


def _error(
    document: Document, resource: str, model: type[BaseModel], error: ErrorDetails
) -> ManifestError:
    loc: FieldPath = tuple(error["loc"])
    path = ("spec", *loc)
    kind, value = error["type"], error["input"]
    shown = _NOT_SHOWN if _is_secret(document, loc, value) else describe(value)
    if kind == "extra_forbidden":
        fields = _fields(_type_at(model, loc[:-1]))
        name = str(loc[-1])
        suggestion = did_you_mean(name, fields)
        message = f"unknown field '{name}'{suggestion}"
        if not suggestion:
            known = ", ".join(sorted(fields)) if len(fields) <= _LISTED else ""
            message += f"; fields here are {known}" if known else "; check it against the AWS API"
        return document.error(resource, path, message, key=True)
    if kind == "missing":
        message = f"required field '{loc[-1]}' is missing; add it"
    elif kind == "literal_error":
        allowed = [str(a) for a in get_args(_type_at(model, loc))]
        message = f"must be one of {', '.join(allowed)}; got {shown}"
        if isinstance(value, str) and shown != _NOT_SHOWN:
            message += did_you_mean(value, allowed)
    elif kind in _EXPECTED:
        hint = _hint(kind, value)
        if shown == _NOT_SHOWN and hint:
            hint = "; quote it to write it as text" if kind == "string_type" else ""
        message = f"expected {_EXPECTED[kind]}, got {shown}{hint}"
    else:
        message = f"{error['msg']} (got {shown})"
    return document.error(resource, path, message)


_NOT_SHOWN = "a value that is not shown because it looks secret"


def _is_secret(document: Document, loc: FieldPath, value: Any) -> bool:
    """Whether the offending value sits where ecsync redacts (`controller.core.redact`)."""
    parent: Any = document.data.get("spec")
    for part in loc[:-1]:
        if isinstance(parent, dict) and isinstance(part, str):
            parent = parent.get(part)
        elif isinstance(parent, list) and isinstance(part, int) and part < len(parent):
            parent = parent[part]
        else:
            return redact.looks_secret(value)
    key, field = loc[-1] if loc else "", loc[-2] if len(loc) > 1 else ""
    in_entry = key == "value" and isinstance(parent, dict) and redact.is_secret_entry(parent)
    in_map = field in redact.FREE_FORM_MAPS and redact.is_secret_item(str(key), value)
    return in_entry or in_map or redact.looks_secret(value)


def _hint(kind: str, value: Any) -> str:
    """How to fix the common YAML typing slips: numbers for strings and the reverse."""
    if value is None:
        return "; give it a value"
    if kind == "string_type" and isinstance(value, bool | int | float):
        return f'; quote it ("{yaml_text(value)}") to write it as text'
    if isinstance(value, str) and _unquoted(kind, value.strip()):
        return "; remove the quotes around it"
    return ""


def _unquoted(kind: str, text: str) -> bool:
    """Whether `text` would have had the expected type had it not been quoted."""
    if kind == "bool_type":
        return text in ("true", "false")
    if kind == "int_type":
        return text.lstrip("+-").isdigit()
    if kind == "float_type":
        return text.lstrip("+-").replace(".", "", 1).isdigit()
    return False


def _unwrap(annotation: Any) -> Any:
    """`X | None` -> `X`."""
    if get_origin(annotation) in (Union, types.UnionType):
        others = [a for a in get_args(annotation) if a is not type(None)]
        return others[0] if len(others) == 1 else annotation
    return annotation


def _type_at(model: type[BaseModel], loc: FieldPath) -> Any:
    """The declared type at a pydantic error location, walking nested models and containers."""
    current: Any = model
    for part in loc:
        current = _unwrap(current)
        origin = get_origin(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            fields = {f.alias or name: f for name, f in current.model_fields.items()}
            found = fields.get(str(part)) or current.model_fields.get(str(part))
            if found is None:
                return None
            current = found.annotation
        elif origin is list and isinstance(part, int):
            current = get_args(current)[0]
        elif origin is dict:
            current = get_args(current)[1]
        else:
            return None
    return _unwrap(current)


def _fields(model: Any) -> list[str]:
    """The AWS spelling of each field of `model`, or [] when it is not a model."""
    if isinstance(model, type) and issubclass(model, BaseModel):
        return [f.alias or name for name, f in model.model_fields.items()]
    return []
