"""Written YAML reads back, through ecsync's own YAML 1.2 loader, as exactly what was written."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from controller.manifests import yamldump, yamlload
from controller.manifests.loader import DEFAULT_LIMITS

TRICKY = [
    "0o17",
    "1e3",
    "0x1F",
    "1_000",
    "12:30",
    "2012-10-17",
    ".5",
    "-1",
    "+1",
    ".inf",
    "yes",
    "no",
    "on",
    "off",
    "null",
    "~",
    "true",
    "False",
    "",
    " leading space",
    "trailing space ",
    "a: b",
    "#not a comment",
    "- not a list",
    "it's",
    '"quoted"',
    "line one\nline two",
    "curl -f http://localhost:8080/ || exit 1",
    "{not: a map}",
    "[not, a, list]",
    "*alias",
    "&anchor",
    "!tag",
    "%directive",
    "@at",
    "`tick",
    "ünïcödé",
    "next\x85line",
]


def read_back(text: str) -> list[Any]:
    parsed = yamlload.parse(text.encode(), "test.yaml", DEFAULT_LIMITS)
    assert parsed.errors == ()
    return [document.data for document in parsed.documents]


@pytest.mark.parametrize("value", TRICKY)
def test_strings_that_look_like_something_else_stay_strings(value: str) -> None:
    """Strings YAML 1.1 or 1.2 would read as numbers, booleans, nulls or syntax stay strings,
    on their own and inside a one-line list."""
    document = {"value": value, "list": [value, "plain"]}
    assert read_back(yamldump.dump([document])) == [document]


def test_lists_of_plain_values_go_on_one_line_and_mappings_in_blocks() -> None:
    """Readable layout: `[a, b]` for plain values, indented blocks for everything else."""
    document = {
        "spec": {
            "requiresCompatibilities": ["FARGATE"],
            "containerDefinitions": [{"name": "app", "command": ["npm", "start"]}],
            "volumes": [],
        }
    }
    assert yamldump.dump([document]) == (
        "spec:\n"
        "  requiresCompatibilities: [FARGATE]\n"
        "  containerDefinitions:\n"
        "    - name: app\n"
        "      command: [npm, start]\n"
        "  volumes: []\n"
    )


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=8), json_values, max_size=5))
def test_any_json_document_reads_back_unchanged(document: dict[str, Any]) -> None:
    """Whatever JSON-like data is written, the loader reads the same data back."""
    assert read_back(yamldump.dump([document])) == [document]
