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
"""Every kind takes its tags as a mapping, not as AWS's list of key/value objects."""

SCALARS = {"string": "str", "integer": "int", "long": "int", "boolean": "bool", "double": "float"}
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


NAME = frozenset({"name"})
FAMILY = frozenset({"family"})
SERVICE_DROP = frozenset({"serviceName", "clientToken"})

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
)


@dataclass
class Generator:
    """Walks request shapes depth first and emits each model after the ones it uses."""

    service: str = ""
    aliases: dict[str, str] = field(default_factory=dict)
    classes: dict[str, str] = field(default_factory=dict)
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
        name = shape.name if owner == self.service else self.service.capitalize() + shape.name
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
        body = self.fields(shape, frozenset(), top_level=False)
        self.visiting.discard(name)
        doc = f'    """AWS {self.service.upper()} shape `{shape.name}`."""\n'
        self.classes[name] = f"class {name}(Spec):\n{doc}\n{body}"
        return name

    def fields(self, shape: StructureShape, drop: frozenset[str], *, top_level: bool) -> str:
        lines = []
        required = set(shape.required_members)
        for member, member_shape in shape.members.items():
            if member in drop:
                continue
            if top_level and member == TAGS:
                annotation = "dict[str, str]"
            else:
                annotation = self.type_of(member_shape)
            lines.append(field_line(member, annotation, required=member in required))
        return "".join(lines)

    def spec(self, spec: SpecDef, models: ServiceModel) -> str:
        self.service = spec.service
        shape = models.operation_model(spec.operation).input_shape
        assert shape is not None, spec.operation
        missing = spec.drop - set(shape.members)
        if missing:
            raise ValueError(f"{spec.operation} has no members {sorted(missing)}")
        body = self.fields(shape, spec.drop, top_level=True)
        body += "".join(field_line(n, a, required=False) for n, a in spec.extra)
        source = f"{spec.service.upper()} {spec.operation}"
        doc = f'    """`spec` of kind {spec.model.removesuffix("Spec")}: {source}."""\n'
        return f"class {spec.model}(Spec):\n{doc}\n{body}"


def field_line(member: str, annotation: str, *, required: bool) -> str:
    """One model field; AWS names that Python or pydantic reserve get an alias."""
    safe = member
    if member.startswith(("_", "model_")):
        safe = "aws_" + member.lstrip("_")
    elif keyword.iskeyword(member) or member in RESERVED:
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
    parts = [header, "\n".join(generator.aliases.values()), "\n\n\n"]
    parts.append("\n\n".join(list(generator.classes.values()) + specs))
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
