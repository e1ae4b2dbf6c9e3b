"""Generate the manifest spec models from botocore's service models.

The spec rule says a manifest's `spec` takes exactly the request fields of the
kind's AWS create call. Writing those models by hand would drift from the API,
so this tool reads the request shapes botocore ships and writes them out as
pydantic models, recursively. Run it again after upgrading botocore:

    .venv/bin/python tools/gen_specs.py

It writes `controller/manifests/specs/generated.py` and
`controller/manifests/specs/__init__.py`, then formats them with `ruff format`.
"""

from __future__ import annotations

import keyword
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import botocore
import botocore.session
from botocore.model import ListShape, MapShape, ServiceModel, Shape, StringShape, StructureShape
from pydantic import BaseModel

OUT_DIR = Path(__file__).resolve().parent.parent / "controller" / "manifests" / "specs"

TAGS = "tags"
"""Every kind takes its tags as a mapping, not as AWS's list of key/value objects, and
spells the field `tags` even where the API says `Tags` (Application Auto Scaling): it is
ecsync's own reshaping of AWS tags, the same in every kind."""
TAG_MEMBERS = frozenset({"tags", "Tags"})

SCALARS = {
    "string": "str",
    "integer": "int",
    "long": "int",
    "boolean": "bool",
    "double": "float",
    # An ISO 8601 text (`"2030-01-01T00:00:00Z"`): botocore sends a string as it is, and
    # ecsync reads YAML 1.2, which never turns a date into anything but a string.
    "timestamp": "str",
}
PREFIXES = {"application-autoscaling": "AppAutoScaling"}
"""Service -> the prefix a clashing shape name gets (default: the capitalised service)."""
RESERVED = set(dir(BaseModel)) | {"Any", "Literal", "BaseModel", "ConfigDict", "Field", "Spec"}


@dataclass(frozen=True)
class SpecDef:
    """One kind's spec: the create call it comes from and what the manifest changes."""

    kind: str
    model: str
    service: str
    operation: str
    drop: frozenset[str]
    extra: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class PartDef:
    """A model for an extra field of a spec, from another request (minus `drop`)."""

    model: str
    service: str
    operation: str
    drop: frozenset[str]


NAME = frozenset({"name"})
FAMILY = frozenset({"family"})
SERVICE_DROP = frozenset({"serviceName", "clientToken"})
SCALED = frozenset({"ServiceNamespace", "ResourceId", "ScalableDimension"})

SPECS = (
    SpecDef("CLUSTER", "ClusterSpec", "ecs", "CreateCluster", frozenset({"clusterName"})),
    SpecDef("CAPACITY_PROVIDER", "CapacityProviderSpec", "ecs", "CreateCapacityProvider", NAME),
    SpecDef("TASK_DEFINITION", "TaskDefinitionSpec", "ecs", "RegisterTaskDefinition", FAMILY),
    SpecDef("SERVICE", "ServiceSpec", "ecs", "CreateService", SERVICE_DROP),
    SpecDef("TASK", "TaskSpec", "ecs", "RunTask", frozenset({"clientToken"})),
    # Last, so that on a shape-name clash the ECR shape is the one that gets a prefix.
    SpecDef(
        "REPOSITORY",
        "RepositorySpec",
        "ecr",
        "CreateRepository",
        frozenset({"repositoryName", "registryId"}),
        (("lifecyclePolicy", "dict[str, Any]"), ("repositoryPolicy", "dict[str, Any]")),
    ),
    # The kinds of issue 12 come after the ECS and ECR ones, so that the names of the
    # models above never change; a clashing shape of theirs gets a prefix.
    # `retentionInDays` is PutRetentionPolicy's; CreateLogGroup does not take it.
    SpecDef(
        "LOG_GROUP",
        "LogGroupSpec",
        "logs",
        "CreateLogGroup",
        frozenset({"logGroupName"}),
        (("retentionInDays", "int"),),
    ),
    # Application Auto Scaling: the scaled ECS service is named by metadata.name
    # (`<cluster>/<service>`, see controller/core/scaling.py), which implies the namespace,
    # resource id and dimension. A scalable target's scheduled actions (PutScheduledAction
    # requests minus the target they act on) are a field of its spec: they belong to
    # exactly one target, and DeregisterScalableTarget deletes them with it.
    SpecDef(
        "SCALABLE_TARGET",
        "ScalableTargetSpec",
        "application-autoscaling",
        "RegisterScalableTarget",
        SCALED,
        (("ScheduledActions", "list[ScheduledActionSpec]"),),
    ),
    SpecDef(
        "SCALING_POLICY",
        "ScalingPolicySpec",
        "application-autoscaling",
        "PutScalingPolicy",
        SCALED | {"PolicyName"},
    ),
    SpecDef(
        "SCHEDULE",
        "ScheduleSpec",
        "scheduler",
        "CreateSchedule",
        frozenset({"Name", "ClientToken"}),
    ),
)

PARTS = (
    PartDef(
        "ScheduledActionSpec",
        "application-autoscaling",
        "PutScheduledAction",
        SCALED,
    ),
)
"""Models that spec extras name (emitted with the shapes, before every spec)."""


Member = tuple[str, str, bool]
"""A model field: (AWS member name, annotation, required)."""


@dataclass
class Model:
    """One class to emit: its name, docstring and fields."""

    name: str
    doc: str
    members: list[Member]

    def source(self, type_names: frozenset[str]) -> str:
        doc = f'    """{self.doc}"""\n'
        body = "".join(field_line(m, a, required=r, taken=type_names) for m, a, r in self.members)
        return f"class {self.name}(Spec):\n{doc}\n{body}"


@dataclass
class Generator:
    """Walks request shapes depth first and emits each model after the ones it uses."""

    service: str = ""
    aliases: dict[str, str] = field(default_factory=dict)
    classes: dict[str, Model] = field(default_factory=dict)
    owners: dict[str, str] = field(default_factory=dict)
    visiting: set[str] = field(default_factory=set)

    def type_of(self, shape: Shape) -> str:
        if isinstance(shape, StructureShape):
            return self.structure(shape)
        if isinstance(shape, ListShape):
            return f"list[{self.type_of(shape.member)}]"
        if isinstance(shape, MapShape):
            return f"dict[str, {self.type_of(shape.value)}]"
        if isinstance(shape, StringShape) and shape.enum:
            name = self.claim(shape)
            if name not in self.aliases:
                values = ", ".join(repr(v) for v in shape.enum)
                self.aliases[name] = f"{name} = Literal[{values}]"
            return name
        if shape.type_name in SCALARS:
            return SCALARS[shape.type_name]
        raise NotImplementedError(f"{self.service} shape {shape.name}: type {shape.type_name}")

    def claim(self, shape: Shape) -> str:
        """The Python name of a shape; a clash between services gets a service prefix."""
        owner = self.owners.setdefault(shape.name, self.service)
        prefix = PREFIXES.get(self.service, self.service.capitalize())
        name = shape.name if owner == self.service else prefix + shape.name
        if name in RESERVED:
            raise ValueError(f"shape name {name} clashes with a name the module uses")
        return name

    def structure(self, shape: StructureShape) -> str:
        name = self.claim(shape)
        if name in self.classes:
            return name
        if name in self.visiting:
            raise NotImplementedError(f"recursive shape {name}: emit forward references")
        self.visiting.add(name)
        members = self.fields(shape, frozenset(), top_level=False)
        self.visiting.discard(name)
        doc = f"AWS {self.service.upper()} shape `{shape.name}`."
        self.classes[name] = Model(name, doc, members)
        return name

    def fields(
        self, shape: StructureShape, drop: frozenset[str], *, top_level: bool
    ) -> list[Member]:
        members: list[Member] = []
        required = set(shape.required_members)
        for member, member_shape in shape.members.items():
            if member in drop:
                continue
            if top_level and member in TAG_MEMBERS:
                members.append((TAGS, "dict[str, str]", False))
                continue
            members.append((member, self.type_of(member_shape), member in required))
        return members

    def part(self, part: PartDef, models: ServiceModel) -> None:
        """The model of a spec extra: the fields of `part.operation` minus `part.drop`."""
        self.service = part.service
        shape = models.operation_model(part.operation).input_shape
        assert shape is not None, part.operation
        members = self.fields(shape, part.drop, top_level=False)
        source = f"{part.service.upper()} {part.operation}"
        doc = f"{source} without {', '.join(sorted(part.drop))}."
        self.classes[part.model] = Model(part.model, doc, members)

    def spec(self, spec: SpecDef, models: ServiceModel) -> Model:
        self.service = spec.service
        shape = models.operation_model(spec.operation).input_shape
        assert shape is not None, spec.operation
        missing = spec.drop - set(shape.members)
        if missing:
            raise ValueError(f"{spec.operation} has no members {sorted(missing)}")
        members = self.fields(shape, spec.drop, top_level=True)
        members += [(n, a, False) for n, a in spec.extra]
        source = f"{spec.service.upper()} {spec.operation}"
        doc = f"`spec` of kind {spec.model.removesuffix('Spec')}: {source}."
        return Model(spec.model, doc, members)


def field_line(
    member: str, annotation: str, *, required: bool, taken: frozenset[str] = frozenset()
) -> str:
    """One model field; AWS names that Python or pydantic reserve get an alias.

    So do members named like a model or an alias of the module (Application Auto
    Scaling's `AdjustmentType: AdjustmentType`): in a class body, a field's default
    is bound before its annotation is evaluated, and would hide the type.
    """
    safe = member
    if member.startswith(("_", "model_")):
        safe = "aws_" + member.lstrip("_")
    elif keyword.iskeyword(member) or member in RESERVED or member in taken:
        safe = member + "_"
    if required:
        default = f" = Field(alias={member!r})" if safe != member else ""
        return f"    {safe}: {annotation}{default}\n"
    default = f"Field(default=None, alias={member!r})" if safe != member else "None"
    return f"    {safe}: {annotation} | None = {default}\n"


def render() -> tuple[str, str]:
    """Source of `generated.py` and of the package `__init__.py`."""
    session = botocore.session.get_session()
    generator = Generator()
    specs = []
    versions = {}
    for spec in SPECS:
        models = session.get_service_model(spec.service)
        versions[spec.service] = models.api_version
        specs.append(generator.spec(spec, models))
    for part in PARTS:
        generator.part(part, session.get_service_model(part.service))
    api = ", ".join(f"{svc} {ver}" for svc, ver in sorted(versions.items()))
    header = (
        '"""Pydantic models of the AWS create requests that manifest specs take.\n\n'
        f"GENERATED by tools/gen_specs.py from botocore {botocore.__version__} ({api}).\n"
        "Do not edit by hand; regenerate with: .venv/bin/python tools/gen_specs.py\n"
        '"""\n\n'
        "from typing import Any, Literal\n\n"
        "from pydantic import BaseModel, ConfigDict, Field\n\n\n"
        "class Spec(BaseModel):\n"
        '    """Base of every spec model: unknown fields and wrong types are errors."""\n\n'
        "    model_config = ConfigDict(\n"
        '        extra="forbid", frozen=True, strict=True, populate_by_name=True\n'
        "    )\n\n\n"
    )
    type_names = frozenset([*generator.aliases, *generator.classes, *(s.name for s in specs)])
    sources = [model.source(type_names) for model in [*generator.classes.values(), *specs]]
    parts = [header, "\n".join(generator.aliases.values()), "\n\n\n", "\n\n".join(sources)]
    generated = "".join(parts)
    if "Field(" not in generated.split("class Spec(", 1)[1]:  # no member needed an alias
        generated = generated.replace("ConfigDict, Field\n", "ConfigDict\n", 1)
    entries = "".join(f"    Kind.{s.kind}: generated.{s.model},\n" for s in SPECS)
    package = (
        '"""The spec model of each kind (generated by tools/gen_specs.py; do not edit)."""\n\n'
        "from pydantic import BaseModel\n\n"
        "from controller.core.kinds import Kind\n"
        "from controller.manifests.specs import generated\n\n"
        f"SPEC_MODELS: dict[Kind, type[BaseModel]] = {{\n{entries}}}\n"
        '"""The pydantic model that validates `spec`, for every kind."""\n'
    )
    return generated, package


def main() -> None:
    generated, package = render()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    targets = (OUT_DIR / "generated.py", OUT_DIR / "__init__.py")
    for target, text in zip(targets, (generated, package), strict=True):
        target.write_text(text, encoding="utf-8")
    ruff = [sys.executable, "-m", "ruff"]
    paths = [str(t) for t in targets]
    subprocess.run([*ruff, "format", "--quiet", *paths], check=True)  # noqa: S603
    print(f"wrote {', '.join(paths)}")


if __name__ == "__main__":
    main()
