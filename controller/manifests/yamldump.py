"""Writing manifest documents as YAML that people read and `yamlload` reads back exactly.

Block style with lists indented under their key, and lists of plain values on
one line (as the sample manifests are written); keys in the order given; no
line folding. PyYAML quotes the strings
that YAML 1.1 would read as something else; `yamlload` reads by the YAML 1.2
core schema, which also takes `0o17` or `1e3` as numbers, so every string
that starts with a digit is quoted too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import yaml


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


_UNICODE_BREAKS = frozenset("\x85\u2028\u2029")
"""Line breaks to YAML that PyYAML writes as they are; only double quotes escape them."""


def _string(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = None
    if _UNICODE_BREAKS.intersection(value):
        style = '"'
    elif value[:1].isdigit():
        style = "'"
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.SequenceNode:
    flat = bool(value) and all(isinstance(item, str | int | float | bool) for item in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flat)


_Dumper.add_representer(str, _string)
_Dumper.add_representer(list, _list)


def dump(documents: Sequence[Mapping[str, Any]]) -> str:
    """One YAML stream with `documents`, separated by `---`."""
    return yaml.dump_all(
        [dict(d) for d in documents],
        Dumper=_Dumper,
        sort_keys=False,
        default_flow_style=False,
        allow_unicode=True,
        width=float("inf"),
    )
