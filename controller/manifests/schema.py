"""JSON Schema of the manifests, generated from the spec models, for editors.

With a schema, VS Code (and any editor speaking the YAML language server)
completes field names and flags misspelt or mistyped fields as they are
typed. The schema says what the envelope and the spec models say; `ecsync
validate` stays the authority (it also checks references between files).

There is one schema per kind, and a combined one that picks the kind's
schema by the document's `kind` (`if`/`then`, so that an editor reports the
errors of that kind only, not of every kind it might have been).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, models_json_schema

from controller.core.kinds import API_VERSION, Kind
from controller.manifests import envelope, switches
from controller.manifests.specs import SPEC_MODELS

DIALECT = "https://json-schema.org/draft/2020-12/schema"
COMBINED = "ecsync.schema.json"
_REF = "#/$defs/{model}"


class _EditorSchema(GenerateJsonSchema):
    """pydantic's schema, made plainer for editors.

    An optional field is not "its type, or null" as an `anyOf` (which turns
    every mistake into "not valid under any of the given schemas"): a plain
    type takes null beside it (`type: [integer, "null"]`), and a nested
    object does not offer null at all (ecsync ignores a null field, so it is
    never what a manifest means). Null defaults and generated field titles
    ("Capacityprovider") are left out.
    """

    def nullable_schema(self, schema: Any) -> Any:
        generated = self.generate_inner(schema["schema"])
        if not isinstance(generated.get("type"), str):
            return generated
        plain = {**generated, "type": [generated["type"], "null"]}
        if "const" in plain:
            plain["enum"] = [plain.pop("const")]
        if "enum" in plain:
            plain["enum"] = [*plain["enum"], None]
        return plain

    def default_schema(self, schema: Any) -> Any:
        generated = super().default_schema(schema)
        if generated.get("default", ...) is None:
            del generated["default"]
        return generated

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False


def file_name(kind: Kind) -> str:
    """`Service.schema.json`."""
    return f"{kind}.schema.json"


def all_schemas() -> dict[str, dict[str, Any]]:
    """Every schema file by name: one per kind, and the combined `ecsync.schema.json`."""
    files = {file_name(kind): for_kind(kind) for kind in Kind}
    files[COMBINED] = combined()
    return files


def for_kind(kind: Kind) -> dict[str, Any]:
    """The schema of one kind's documents, standalone."""
    spec = SPEC_MODELS[kind].model_json_schema(ref_template=_REF, schema_generator=_EditorSchema)
    definitions = spec.pop("$defs", {})
    return {
        "$schema": DIALECT,
        "title": f"ecsync {kind}",
        **_document(kind, spec),
        "$defs": definitions,
    }


def combined() -> dict[str, Any]:
    """The schema of any ecsync document: the kind's own schema, chosen by `kind`."""
    models = [(SPEC_MODELS[kind], "validation") for kind in Kind]
    specs, shared = models_json_schema(
        models,  # type: ignore[arg-type]  # a list of (model, mode) pairs, as documented
        ref_template=_REF,
        schema_generator=_EditorSchema,
    )
    definitions: dict[str, Any] = shared.get("$defs", {})
    branches = []
    for kind in Kind:
        name = f"{kind}Document"
        assert name not in definitions, f"{name} is also the name of an AWS shape"
        definitions[name] = _document(kind, specs[(SPEC_MODELS[kind], "validation")])
        branches.append(
            {
                "if": {"properties": {"kind": {"const": str(kind)}}, "required": ["kind"]},
                "then": {"$ref": f"#/$defs/{name}"},
            }
        )
    return {
        "$schema": DIALECT,
        "title": "ecsync manifest",
        "description": "One ecsync document: apiVersion, kind, metadata and spec.",
        "type": "object",
        "required": ["apiVersion", "kind", "metadata"],
        "properties": {
            "apiVersion": {"const": API_VERSION},
            "kind": {"enum": [str(kind) for kind in Kind]},
        },
        "allOf": branches,
        "$defs": definitions,
    }


def _document(kind: Kind, spec: dict[str, Any]) -> dict[str, Any]:
    """The envelope of a `kind` document around the schema of its spec."""
    model = SPEC_MODELS[kind]
    required = ["apiVersion", "kind", "metadata"]
    if _has_required_fields(model):
        required.append("spec")
    return {
        "description": f"{model.__doc__} (ecsync document of kind {kind})",
        "type": "object",
        "additionalProperties": False,
        "required": required,
        "properties": {
            "apiVersion": {"const": API_VERSION},
            "kind": {"const": str(kind)},
            "metadata": _metadata(kind),
            "spec": spec,
        },
    }


def _has_required_fields(model: type[BaseModel]) -> bool:
    return any(field.is_required() for field in model.model_fields.values())


def _metadata(kind: Kind) -> dict[str, Any]:
    rule = envelope.name_rule(kind)
    name = {
        "type": "string",
        "pattern": f"^(?:{rule.pattern.pattern})$",
        "description": f"The AWS name: {rule.rule}.",
    }
    strings = {"type": "object", "additionalProperties": {"type": "string"}}
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["name"],
        "properties": {"name": name, "annotations": _annotations(kind), "labels": strings},
    }


def _annotations(kind: Kind) -> dict[str, Any]:
    switch: dict[str, Any] = {
        switches.IGNORE: {
            "type": "string",
            "pattern": r"^\s*/",
            "description": "JSON pointers, comma-separated, of fields whose drift is neither "
            "reported nor corrected, e.g. /desiredCount,/tags/owner",
        },
        switches.PRUNE: {
            "enum": ["true", "false"],
            "description": '"false": never delete this resource',
        },
        switches.WAVE: {
            "type": "string",
            "pattern": "^-?[0-9]{1,9}$",
            "description": "sync order before the kind rank, lower first (a quoted integer)",
        },
        switches.ADOPT: {
            "enum": ["true", "false"],
            "description": '"true": take over this existing resource although ecsync '
            "did not create it",
        },
    }
    if kind is Kind.TASK_DEFINITION:
        switch[switches.IMAGE_UPDATE] = {
            "enum": list(switches.IMAGE_UPDATES),
            "description": '"digest": each private-ECR image named by a tag is registered as '
            "the digest the tag names, looked up on every pass; a push to the tag rolls out",
        }
    if kind is Kind.TASK:
        switch[switches.HOOK] = {
            "enum": list(switches.HOOKS),
            "description": "when the task runs, for the services it is for (those of its "
            "task definition family, or those of ecsync/hook-for): pre-sync before they are "
            "updated (a failure blocks them), post-sync once an update of them is Healthy, "
            "sync-fail when an update of them fails",
        }
        switch[switches.HOOK_FOR] = {
            "type": "string",
            "pattern": "^[A-Za-z0-9/_, -]+$",
            "description": "the services a hook is for, comma-separated, each "
            'alone or after its cluster, e.g. "web,prod/worker"',
        }
    return {
        "type": "object",
        "description": "ecsync's own switches (ecsync/...); other annotations are the user's",
        "additionalProperties": {"type": "string"},
        "propertyNames": {"anyOf": [{"enum": list(switch)}, {"not": {"pattern": "^ecsync/"}}]},
        "properties": switch,
    }
