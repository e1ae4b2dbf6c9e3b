"""Safe YAML parsing: plain data, positions, the YAML 1.2 core schema, and the limits."""

from __future__ import annotations

import time

from controller.manifests.yamlload import Document, Limits, Parsed, parse

LIMITS = Limits()


def one(text: str, limits: Limits = LIMITS) -> Document:
    """The single document of `text`, asserting that parsing reported nothing."""
    parsed = parse(text.encode(), "f.yaml", limits)
    assert parsed.errors == (), [str(e) for e in parsed.errors]
    assert len(parsed.documents) == 1
    return parsed.documents[0]


def messages(parsed: Parsed) -> list[str]:
    return [str(e) for e in parsed.errors]


def test_positions_are_one_based_for_every_nested_node() -> None:
    """Each value and key is recorded at its 1-based line and column, by path."""
    doc = one("spec:\n  containers:\n    - name: web\n      image: nginx\n")
    assert doc.values[()] == (1, 1)
    assert doc.values[("spec", "containers", 0)] == (3, 7)
    assert doc.values[("spec", "containers", 0, "image")] == (4, 14)
    assert doc.keys[("spec", "containers", 0, "image")] == (4, 7)


def test_position_of_a_missing_path_is_its_deepest_recorded_parent() -> None:
    """A path with no node (a missing field) resolves to the nearest parent that has one."""
    doc = one("spec:\n  a: 1\n  b:\n    c: 2\n")
    assert doc.position(("spec", "b", "missing", 3)) == (4, 5)
    assert doc.position(("nothing",)) == (1, 1)


def test_scalars_follow_the_yaml_1_2_core_schema() -> None:
    """Only true/false are booleans; on/yes/no, dates and octal-looking text stay strings."""
    doc = one(
        "a: on\nb: yes\nc: no\nd: 2024-01-01\ne: true\nf: ~\ng: 0o17\nh: 0x1f\n"
        "i: 1.5\nj: -3\nk: '8080'\nl: 1_000\nm: .inf\nn: 012\n"
    )
    assert doc.data == {
        "a": "on",
        "b": "yes",
        "c": "no",
        "d": "2024-01-01",
        "e": True,
        "f": None,
        "g": 15,
        "h": 31,
        "i": 1.5,
        "j": -3,
        "k": "8080",
        "l": "1_000",
        "m": float("inf"),
        "n": 12,
    }


def test_standard_tags_convert_and_other_tags_are_rejected() -> None:
    """`!!str 2` is a string; `!!python/object` and custom tags are errors, never constructed."""
    parsed = parse(b"a: !!str 2\nb: !!python/object:os.system echo\nc: !custom x\n", "f", LIMITS)
    assert parsed.documents[0].data == {"a": "2", "b": None, "c": None}
    assert messages(parsed) == [
        "f:2:4: b: YAML tag 'tag:yaml.org,2002:python/object:os.system' is not supported; "
        "remove the tag",
        "f:3:4: c: YAML tag '!custom' is not supported; remove the tag",
    ]


def test_duplicate_keys_are_errors_at_the_second_key() -> None:
    """A key repeated in one mapping is reported at the repeat, naming the first line."""
    parsed = parse(b"a: 1\nb:\n  x: 1\n  x: 2\n", "f", LIMITS)
    assert messages(parsed) == ["f:4:3: b.x: duplicate key 'x' (first at line 3); keep only one"]
    assert parsed.documents[0].damaged


def test_merge_keys_merge_and_explicit_keys_win() -> None:
    """`<<: *base` copies the anchored mapping; keys written beside it override it."""
    doc = one("base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\n")
    assert doc.data["use"] == {"x": 1, "y": 3}
    assert doc.values[("use", "y")] == (4, 6)
    assert doc.values[("use", "x")] == (1, 14)


def test_non_string_keys_are_errors() -> None:
    """`8080: x` is an error that asks for quotes, since keys are strings."""
    parsed = parse(b"8080: x\n", "f", LIMITS)
    assert messages(parsed) == ["f:1:1: mapping key 8080 must be a string; quote it"]


def test_alias_bomb_is_stopped_by_the_node_limit_and_later_documents_still_parse() -> None:
    """A billion-laughs document fails fast with a limit error; the next document loads."""
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        levels.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    text = "\n".join(levels) + "\n---\nok: 1\n"
    started = time.monotonic()
    parsed = parse(text.encode(), "bomb.yaml", LIMITS)
    assert time.monotonic() - started < 5
    assert len(parsed.errors) == 1
    assert "more than 100000 nodes" in parsed.errors[0].message
    assert [d.data for d in parsed.documents] == [{"ok": 1}]


def test_expanded_bytes_are_limited() -> None:
    """A long string repeated through aliases counts in full against the byte limit."""
    text = "a: &a " + "x" * 1000 + "\nb: [" + ", ".join(["*a"] * 50) + "]\n"
    parsed = parse(text.encode(), "f", Limits(max_total_bytes=20_000))
    assert "more than 20000 bytes" in parsed.errors[0].message
    assert parsed.documents == ()


def test_recursive_alias_is_stopped_by_the_depth_limit() -> None:
    """An anchor used inside itself fails with a depth error, not a hang or a crash."""
    for text in (b"a: &a [*a]\n", b"a: &a {<<: *a}\n"):
        parsed = parse(text, "f", LIMITS)
        assert "nesting is deeper than 64 levels" in parsed.errors[0].message


def test_depth_limit_and_its_override() -> None:
    """70 nested lists exceed the default depth of 64 but pass when the limit is raised."""
    text = "a: " + "[" * 70 + "]" * 70 + "\n"
    assert "deeper than 64" in parse(text.encode(), "f", LIMITS).errors[0].message
    assert one(text, Limits(max_depth=80)).data is not None


def test_nesting_beyond_what_libyaml_allows_is_an_error_not_a_crash() -> None:
    """100,000 nested brackets give a syntax or depth error, never a crash."""
    text = "[" * 100_000 + "]" * 100_000
    parsed = parse(text.encode(), "f", Limits(max_file_bytes=1_000_000, max_depth=10**6))
    assert len(parsed.errors) == 1
    assert parsed.documents == ()


def test_ten_thousand_documents_hit_the_document_limit_quickly() -> None:
    """A 10,000-document file stops at the 1,000 limit with one error, within seconds."""
    text = "".join(f"---\nname: d{i}\n" for i in range(10_000))
    started = time.monotonic()
    parsed = parse(text.encode(), "f", LIMITS)
    assert time.monotonic() - started < 10
    assert len(parsed.documents) == 1_000
    assert messages(parsed) == [
        "f:2002:1: more than 1000 documents in one file; split it",
    ]


def test_document_limit_can_be_raised() -> None:
    """With a higher limit, all 10,000 documents load."""
    text = "".join(f"---\nname: d{i}\n" for i in range(10_000))
    parsed = parse(text.encode(), "f", Limits(max_documents=10_000))
    assert parsed.errors == ()
    assert parsed.documents[-1].data == {"name": "d9999"}


def test_empty_documents_are_skipped() -> None:
    """`---` with nothing after it, and comment-only documents, produce no document."""
    parsed = parse(b"---\n---\n# only a comment\n---\na: 1\n---\n", "f", LIMITS)
    assert parsed.errors == ()
    assert [d.data for d in parsed.documents] == [{"a": 1}]


def test_non_utf8_is_an_error_at_the_bad_byte() -> None:
    """Latin-1 text is reported at the line and column of the first invalid byte."""
    parsed = parse(b"a: 1\nname: caf\xe9\n", "f", LIMITS)
    assert messages(parsed) == ["f:2:10: not valid UTF-8; save the file as UTF-8"]


def test_nul_bytes_mark_a_binary_file() -> None:
    """A NUL byte anywhere makes the file binary, which is an error."""
    parsed = parse(b"a: 1\n\x00\x01\x02", "f", LIMITS)
    assert messages(parsed) == ["f:2:1: binary file (contains NUL bytes); manifests are text"]


def test_control_characters_are_located() -> None:
    """A control character is a YAML error at its line and column."""
    parsed = parse(b"a: 1\nb: x\x07\n", "f", LIMITS)
    assert messages(parsed) == [
        "f:2:5: invalid YAML: control characters are not allowed; fix the syntax"
    ]


def test_byte_order_mark_is_ignored() -> None:
    """A UTF-8 BOM at the start does not become part of the first key."""
    assert parse(b"\xef\xbb\xbfa: 1\n", "f", LIMITS).documents[0].data == {"a": 1}


def test_syntax_errors_are_located() -> None:
    """Broken indentation is reported where the parser found it."""
    parsed = parse(b"a:\n  b: 1\n c: 2\n", "f", LIMITS)
    assert len(parsed.errors) == 1
    error = parsed.errors[0]
    assert (error.location.line, error.location.column) == (3, 2)
    assert error.message.startswith("invalid YAML: ")


def test_json_is_parsed_with_positions_even_when_indented_with_tabs() -> None:
    """JSON goes through the same composer (tabs allowed), so its nodes have positions too."""
    parsed = parse(
        b'{\n\t"a": {\n\t\t"b": [1, "2", true, null]\n\t}\n}\n', "f.json", LIMITS, json=True
    )
    assert parsed.errors == ()
    doc = parsed.documents[0]
    assert doc.data == {"a": {"b": [1, "2", True, None]}}
    assert doc.values[("a", "b", 1)] == (3, 12)


def test_json_errors_say_json() -> None:
    """A JSON syntax error is worded as JSON."""
    parsed = parse(b'{"a": 1,,}', "f.json", LIMITS, json=True)
    assert parsed.errors[0].message.startswith("invalid JSON: ")


def test_overlong_integers_are_an_error_not_a_crash() -> None:
    """An integer with more digits than Python converts is reported, not raised."""
    parsed = parse(b"a: " + b"1" * 5000 + b"\n", "f", LIMITS)
    assert parsed.errors[0].message.startswith("'1111")
