"""The hostile-input corpus: broken, malicious or absurd manifest folders, and what each must say.

Every case builds its input into an empty manifest root. Small text inputs are
fixture folders (tests/fixtures/hostile/<case id>/); inputs that are large,
binary, symlinks or FIFOs are generated at test time. Each case names where
the error must point (file relative to the root, and line; line 0 for an error
about a whole file) and two fragments of its message: what is wrong and what
to do. `tests/hostile/test_corpus_validate.py` runs each through `ecsync
validate`; `tests/hostile/test_daemon_survives.py` feeds each to one running
daemon.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "hostile"
MiB = 1024 * 1024

Build = Callable[[Path, Path], None]
"""Writes a case into `root` (an empty folder); `outside` is a folder beyond any root."""


@dataclass(frozen=True)
class Case:
    id: str
    build: Build
    file: str
    """Where the error points, relative to the root; "" for the root itself."""
    line: int
    """0 when the error concerns the whole file (or folder)."""
    error: str
    """A fragment of the message saying what is wrong."""
    hint: str
    """A fragment of the message saying what to do."""
    exit_code: int = 1
    whole_root: bool = False
    """The case is the whole folder (emptiness): the daemon swaps its folder for it."""
    event: str = "manifest_invalid"
    """What the daemon logs for it."""
    blocked: str = ""
    """For a case the daemon blocks at plan time: a fragment of its `resource_blocked` message."""


def fixture(root: Path, outside: Path, name: str) -> None:
    shutil.copytree(FIXTURES / name, root, dirs_exist_ok=True, symlinks=True)


def cluster(name: str) -> str:
    return f"apiVersion: ecsync/v1\nkind: Cluster\nmetadata:\n  name: {name}\n"


HEADER = cluster("hostile") + "spec:\n"


def python_tags(root: Path, outside: Path) -> None:
    """If these tags were constructed, `outside/pwned` would appear."""
    marker = outside / "pwned"
    (root / "cluster.yaml").write_text(
        HEADER
        + f"  tags: !!python/object/apply:os.system ['touch {marker}']\n"
        + f"  settings: !!python/object/new:subprocess.Popen [['touch', '{marker}']]\n"
        + "  configuration: !!python/name:os.system\n"
    )


def huge_name(root: Path, outside: Path) -> None:
    (root / "cluster.yaml").write_text(cluster("x" * MiB))


def file_50_mib(root: Path, outside: Path) -> None:
    document = "---\n" + cluster("padding") + "spec:\n  tags: {team: padding}\n"
    with (root / "everything.yaml").open("w") as out:
        out.write(document * (50 * MiB // len(document) + 1))


def nesting_flow(root: Path, outside: Path) -> None:
    (root / "cluster.yaml").write_text(HEADER + "  tags: " + "[" * 10_000 + "]" * 10_000 + "\n")


def nesting_block(root: Path, outside: Path) -> None:
    """Block style: `- - - ...` nests one sequence per dash, without growing indentation."""
    (root / "cluster.yaml").write_text(
        HEADER + "  capacityProviders:\n    " + "- " * 10_000 + "x\n"
    )


def quadratic_blowup(root: Path, outside: Path) -> None:
    """One 1 MiB string, aliased 100 times: a 1 MiB file that expands to 100 MiB."""
    aliases = "".join(f"    copy{i}: *big\n" for i in range(100))
    (root / "cluster.yaml").write_text(
        HEADER + "  tags:\n    big: &big '" + "x" * MiB + "'\n" + aliases
    )


def binary(root: Path, outside: Path) -> None:
    (root / "logo.yaml").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(range(256)) * 4)


def latin1(root: Path, outside: Path) -> None:
    (root / "cluster.yaml").write_bytes(
        "# Café team\n".encode("latin-1") + cluster("cafe").encode()
    )


def utf16_bom(root: Path, outside: Path) -> None:
    (root / "cluster.yaml").write_bytes(cluster("wide").encode("utf-16"))  # LE, with a BOM


def utf16_be(root: Path, outside: Path) -> None:
    (root / "cluster.yaml").write_bytes(cluster("wide").encode("utf-16-be"))  # no BOM


def utf16_le(root: Path, outside: Path) -> None:
    (root / "cluster.yaml").write_bytes(cluster("wide").encode("utf-16-le"))  # no BOM


def nul_byte(root: Path, outside: Path) -> None:
    (root / "cluster.yaml").write_bytes(HEADER.encode() + b"  tags: {team: w\0eb}\n")


def surrogate(root: Path, outside: Path) -> None:
    """A UTF-16 surrogate encoded as if it were a character (CESU-8): invalid UTF-8."""
    (root / "cluster.yaml").write_bytes(HEADER.encode() + b"  tags: {team: \xed\xa0\x80}\n")


def control_character(root: Path, outside: Path) -> None:
    (root / "cluster.yaml").write_text(HEADER + '  tags: {team: "web\x07"}\n')


def symlink_file(root: Path, outside: Path) -> None:
    secret = outside / "credentials.yaml"
    secret.write_text(cluster("stolen"))
    (root / "cluster.yaml").write_text(cluster("inside"))
    (root / "credentials.yaml").symlink_to(secret)


def symlink_dir(root: Path, outside: Path) -> None:
    elsewhere = outside / "elsewhere"
    elsewhere.mkdir(exist_ok=True)
    (elsewhere / "cluster.yaml").write_text(cluster("stolen"))
    (root / "cluster.yaml").write_text(cluster("inside"))
    (root / "shared").symlink_to(elsewhere, target_is_directory=True)


def symlink_loop(root: Path, outside: Path) -> None:
    (root / "cluster.yaml").write_text(cluster("inside"))
    (root / "a.yaml").symlink_to("b.yaml")
    (root / "b.yaml").symlink_to("a.yaml")


def fifo(root: Path, outside: Path) -> None:
    """A named pipe would block a plain open() forever."""
    (root / "cluster.yaml").write_text(cluster("inside"))
    os.mkfifo(root / "pipe.yaml")


def empty(root: Path, outside: Path) -> None:
    """Nothing at all: the root exists and is empty."""


def documents_in_one_file(root: Path, outside: Path) -> None:
    (root / "clusters.yaml").write_text("".join("---\n" + cluster(f"c{i}") for i in range(10_000)))


def documents_in_many_files(root: Path, outside: Path) -> None:
    """10,000 files of one cluster each, and one name used twice."""
    for i in range(10_000):
        (root / f"c{i:05}.yaml").write_text(cluster(f"c{i}"))
    (root / "c10000.yaml").write_text(cluster("c1234"))


def static(name: str) -> Build:
    return lambda root, outside: fixture(root, outside, name)


SYNTAX = "fix the syntax"
ALIASES = "write it out without nested aliases"
UTF8 = "as UTF-8"
NAME_RULE = "use 1-255 letters, digits, hyphens and underscores"
NO_MANIFESTS = "check the path"

# fmt: off
CASES = [
    # -- YAML syntax
    Case("tab-indentation", static("tab-indentation"), "cluster.yaml", 4,
         "found character that cannot start any token", "indent with spaces"),
    Case("unclosed-flow-mapping", static("unclosed-flow-mapping"), "cluster.yaml", 4,
         "did not find expected ',' or '}'", SYNTAX),
    Case("unclosed-flow-sequence", static("unclosed-flow-sequence"), "cluster.yaml", 7,
         "did not find expected ',' or ']'", SYNTAX),
    Case("unclosed-quote", static("unclosed-quote"), "cluster.yaml", 5,
         "found unexpected end of stream", SYNTAX),
    Case("bad-indentation", static("bad-indentation"), "task-definition.yaml", 8,
         "did not find expected '-' indicator", SYNTAX),
    Case("undefined-alias", static("undefined-alias"), "cluster.yaml", 6,
         "found undefined alias", SYNTAX),
    Case("control-character", control_character, "cluster.yaml", 6,
         "control characters are not allowed", SYNTAX),
    # -- expansion and size
    Case("billion-laughs-mappings", static("billion-laughs-mappings"), "cluster.yaml", 7,
         "more than 100000 nodes", ALIASES),
    Case("merge-key-bomb", static("merge-key-bomb"), "cluster.yaml", 7,
         "more than 100000 nodes", ALIASES),
    Case("quadratic-blowup", quadratic_blowup, "cluster.yaml", 7,
         "expands to more than 67108864 bytes", "without aliases that repeat large values"),
    Case("recursive-alias", static("recursive-alias"), "cluster.yaml", 7,
         "nesting is deeper than 64 levels", "flatten it"),
    Case("file-50-mib", file_50_mib, "everything.yaml", 0,
         "file is larger than 2097152 bytes", "split it"),
    Case("nesting-10k-flow", nesting_flow, "cluster.yaml", 6,
         "exceeded maximum nesting depth", "flatten it"),
    Case("nesting-10k-block", nesting_block, "cluster.yaml", 7,
         "exceeded maximum nesting depth", "flatten it"),
    Case("nesting-100-levels", static("nesting-100-levels"), "cluster.yaml", 6,
         "nesting is deeper than 64 levels", "flatten it"),
    Case("documents-10k-in-one-file", documents_in_one_file, "clusters.yaml", 5002,
         "more than 1000 documents in one file", "split it"),
    Case("documents-10k-in-many-files", documents_in_many_files, "c01234.yaml", 4,
         "Cluster/c1234 is defined more than once", "keep one"),
    Case("huge-string", huge_name, "cluster.yaml", 4,
         "is not a valid Cluster name", NAME_RULE),
    Case("huge-integer", static("huge-integer"), "service.yaml", 8,
         "is not a valid int", "AWS takes 64-bit integers at most"),
    # -- encodings and binary files
    Case("binary-file", binary, "logo.yaml", 3, "binary file (contains NUL bytes)",
         "manifests are text"),
    Case("nul-byte", nul_byte, "cluster.yaml", 6, "binary file (contains NUL bytes)",
         "manifests are text"),
    Case("latin-1", latin1, "cluster.yaml", 1, "not valid UTF-8", UTF8),
    Case("invalid-utf-8-surrogate", surrogate, "cluster.yaml", 6, "not valid UTF-8", UTF8),
    Case("utf-16-with-bom", utf16_bom, "cluster.yaml", 1, "encoded as UTF-16", UTF8),
    Case("utf-16-be-without-bom", utf16_be, "cluster.yaml", 1, "encoded as UTF-16", UTF8),
    Case("utf-16-le-without-bom", utf16_le, "cluster.yaml", 1, "encoded as UTF-16", UTF8),
    # -- shapes and types
    Case("document-is-a-list", static("document-is-a-list"), "clusters.yaml", 1,
         "a document must be a mapping", "separate them with '---' lines"),
    Case("metadata-is-a-string", static("metadata-is-a-string"), "cluster.yaml", 3,
         "metadata must be a mapping", "write 'metadata: {name: ...}'"),
    Case("kind-is-a-list", static("kind-is-a-list"), "service.yaml", 2,
         "kind must be a string, not a list", "kinds are Repository"),
    Case("spec-is-a-list", static("spec-is-a-list"), "service.yaml", 6,
         "spec must be a mapping", "of the AWS request fields"),
    Case("wrong-field-types", static("wrong-field-types"), "task-definition.yaml", 7,
         "got a mapping", "expected a list"),
    Case("non-string-key", static("non-string-key"), "cluster.yaml", 7,
         "must be a string", "quote it"),
    Case("duplicate-top-level-key", static("duplicate-top-level-key"), "cluster.yaml", 7,
         "duplicate key 'spec' (first at line 5)", "keep only one"),
    # -- the envelope
    Case("unknown-kind", static("unknown-kind"), "deployment.yaml", 2,
         "unknown kind 'Deployment'", "kinds are Repository"),
    Case("kubernetes-api-version", static("kubernetes-api-version"), "service.yaml", 1,
         "apiVersion is 'apps/v1'", "write 'apiVersion: ecsync/v1'"),
    Case("empty-metadata-name", static("empty-metadata-name"), "cluster.yaml", 4,
         "missing metadata.name", "give the resource's AWS name"),
    Case("illegal-name-characters", static("illegal-name-characters"), "service.yaml", 4,
         "'web app!' is not a valid Service name", NAME_RULE),
    Case("non-ascii-name", static("non-ascii-name"), "cluster.yaml", 4,
         "'wéb' is not a valid Cluster name", NAME_RULE),
    Case("duplicate-names-across-files", static("duplicate-names-across-files"),
         "team-b/cluster.yaml", 5, "Cluster/twice is defined more than once", "keep one"),
    # -- code execution
    Case("python-tags", python_tags, "cluster.yaml", 6,
         "YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not supported",
         "remove the tag"),
    Case("cloudformation-tags", static("cloudformation-tags"), "service.yaml", 6,
         "YAML tag '!Ref' is not supported", "remove the tag"),
    # -- JSON
    Case("json-trailing-comma", static("json-trailing-comma"), "cluster.json", 5,
         "invalid JSON", "no comments or trailing commas"),
    Case("json-comments", static("json-comments"), "cluster.json", 2,
         "invalid JSON", "no comments or trailing commas"),
    # -- the file tree
    Case("symlink-file-escapes-root", symlink_file, "credentials.yaml", 0,
         "symlink points outside the manifest root", "copy the file into the root"),
    Case("symlink-dir-escapes-root", symlink_dir, "shared", 0,
         "symlink points outside the manifest root", "copy the file into the root"),
    Case("symlink-loop", symlink_loop, "a.yaml", 0,
         "broken symlink or symlink loop", "fix or remove it"),
    Case("fifo", fifo, "pipe.yaml", 0, "not a regular file", "remove it or rename it"),
    Case("empty-folder", empty, "", 0, "no manifests found", NO_MANIFESTS, whole_root=True),
    Case("only-non-manifest-files", static("only-non-manifest-files"), "", 0,
         "no manifests found", NO_MANIFESTS, whole_root=True),
    Case("only-comments", static("only-comments"), "", 0,
         "no manifests found", NO_MANIFESTS, whole_root=True),
    # -- references: valid manifests, so validate warns; the daemon refuses at plan time
    Case("service-in-missing-cluster", static("service-in-missing-cluster"), "service.yaml", 6,
         "cluster 'nowhere' is not in the manifests", "it must already exist in AWS",
         exit_code=0, event="resource_blocked",
         blocked="cluster 'nowhere' does not exist and no Cluster manifest creates it"),
]
# fmt: on
