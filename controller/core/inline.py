"""Finding credentials inside strings: command lines, shell scripts, URLs, HTTP headers.

A container's `command` is the usual place for a password that never went
into `secrets`: `--password=…`, `mysql -p…`, `export PGPASSWORD=…`,
`postgres://app:…@db`. Only the secret part of such a string is hidden, so
`mysql -u app -p*****` stays readable. What counts as a secret:

- the value of a flag or an assignment whose name looks secret
  (`credentials.is_secret_name`): `--password=V`, `--password V`, `-token V`,
  `-Ddb.password=V`, `PGPASSWORD=V`, `?access_token=V`, and in an argument list
  `["--token", "V"]`;
- the user and password of a URL (`scheme://user:password@host`);
- the value of an HTTP header whose name looks secret, as curl's `-H` takes
  it: `Authorization: Bearer V`, `X-Api-Key: V`;
- the password flags of a few well-known clients, which have no secret-looking
  name (`CLIENTS`);
- anything shaped like a well-known credential (`credentials.SHAPES`).

Left readable on purpose:
- a name that ends in a word such as FILE, PATH, ARN or ID holds a reference
  to a secret, not the secret (`--password-file /run/secrets/db`);
- a value that is a shell reference (`$DB_PASSWORD`, `${X}`, `$(cat f)`): the
  secret lives elsewhere;
- `-p` outside the clients that take it as a password: `mkdir -p`,
  `ssh -p 2222`, `psql -p5432`, `docker run -p 8080:80` are not secrets. MySQL's
  `-p` takes its password attached (`-pV`); with a space it prompts, and the
  next word is a database name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from controller.core import credentials

__all__ = ["CLIENTS", "Client", "Secret", "find", "find_in_args", "mask"]


@dataclass(frozen=True, order=True)
class Secret:
    """A secret at `text[start:end]`, and what it is in words (never the value)."""

    start: int
    end: int
    what: str


@dataclass(frozen=True)
class Client:
    """A program whose password flag has no secret-looking name."""

    name: str
    program: re.Pattern[str]
    """The program's name (the last part of its path), whole."""
    flags: tuple[str, ...]
    spaced: bool
    """The value may also be the next word (`-p VALUE`), not only attached (`-pVALUE`)."""
    after_colon: bool = False
    """The value is `user:password`, and only the password is secret."""
    switches: str = ""
    """Letters of on/off short options that may come first in one word (`curl -fsSu`)."""


CLIENTS = (
    # MySQL and MariaDB clients: `-pVALUE` (`mysql --help`: "-p, --password[=name]").
    Client("mysql", re.compile(r"(?:mysql|mariadb)[\w-]*"), ("-p",), spaced=False),
    Client("sshpass", re.compile(r"sshpass"), ("-p",), spaced=True),
    Client(
        "mongo",
        re.compile(r"mongo(?:sh|dump|restore|import|export|stat|top|files)?"),
        ("-p",),
        spaced=True,
    ),
    Client("redis-cli", re.compile(r"redis-cli"), ("-a",), spaced=True),
    Client(
        "curl",
        re.compile(r"curl|wget"),
        ("-u", "--user", "-U", "--proxy-user"),
        spaced=True,
        after_colon=True,
        switches="fsSLkvi",
    ),
)

_REFERENCE_WORDS = frozenset(
    {"FILE", "FILES", "PATH", "DIR", "ARN", "ID", "NAME", "ENV", "STDIN", "LENGTH", "TTL"}
    | {"TYPE", "URL", "URI", "ENDPOINT", "HOST", "PORT"}
)
"""Last words of a setting that points at a secret instead of holding it."""

_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")

_VALUE = r"""(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s"'`;&|)]+))"""
"""A value: quoted (the secret is inside the quotes), or a bare word that ends
where a shell word ends."""

_ASSIGNMENT = re.compile(r"(?<![\w.$-])(?P<name>-{0,2}[A-Za-z_][\w.-]*)=" + _VALUE)
_FLAG_THEN_VALUE = re.compile(
    # The flag and its value are separated by blanks, or by `", "` in a JSON list quoted in text.
    r"(?<![\w.$-])(?P<name>--?[A-Za-z][\w.-]+)(?:[ \t]+|[\"'][ \t]*,[ \t]*[\"'])(?!-)" + _VALUE
)
_HEADER = re.compile(
    r"(?<![\w:/.-])(?P<name>[A-Za-z]\w*(?:-\w+)*)[ \t]*:(?P<gap>[ \t]*)"
    r"(?:(?:Bearer|Basic|Token|Digest|Negotiate|ApiKey)[ \t]+)?(?P<bare>[^\s\"'`,;]+)",
    re.IGNORECASE,
)
_WHOLE_FLAG = re.compile(r"(?P<name>--?[A-Za-z][\w.-]*)=(?P<value>.*)", re.DOTALL)
_LONE_FLAG = re.compile(r"--?[A-Za-z][\w.-]+")
_PROGRAM = re.compile(
    r"(?<![\w.-])(?:[\w.-]*/)*(?P<name>"
    + "|".join(client.program.pattern for client in CLIENTS)
    + r")(?![\w.-])"
)
_SEPARATOR = re.compile(r";|&&|\|\|?|\n|`|\$\(|\)")
"""Where one shell command ends and the next begins."""
_BLANK_OR_COMMA = re.compile(r"[\s,]")
_ANY_SHAPE = re.compile("|".join(f"(?:{pattern.pattern})" for _, pattern in credentials.SHAPES))
"""Whether any credential shape may be present: a cheap test before the shapes one by one
(without their flags it matches a little more, never less)."""
_REFERENCE = re.compile(r"\$(?:[A-Za-z_]\w*|\{[^}]*\}?|\(.*)", re.DOTALL)


def find(text: str) -> list[Secret]:
    """Every secret in `text` (a command line, a script, a message), in order."""
    return _merged(_in_text(text, None))


def find_in_args(args: Sequence[Any], before: Sequence[Any] = ()) -> list[list[Secret]]:
    """The secrets of each item of an argument list (`command`, `entryPoint`).

    An item can be the value of the item before it (`["--token", "V"]`,
    `["mysql", "-pV"]`). `before` holds the arguments that come first when the
    program runs (a container's `entryPoint` before its `command`): they only
    give context.
    """
    found: list[list[Secret]] = []
    client: Client | None = None
    expecting: tuple[str, bool] | None = None
    for item in [*before, *args]:
        if not isinstance(item, str):
            found.append([])
            expecting = None
            continue
        if expecting is not None and not _LONE_FLAG.fullmatch(item):
            found.append(_whole_value(item, *expecting))
        else:
            found.append(_merged(_in_argument(item, client)))
        # An item that holds a secret of its own (`-pV`, whose V may even read like a
        # secret-looking flag name) is no flag waiting for the next item as its value.
        expecting = None if found[-1] else _expects_value(item, client)
        named = _client(item.rsplit("/", 1)[-1])
        client = named or client
    return found[len(before) :]


def mask(text: str, secrets: Sequence[Secret], replacement: str) -> str:
    """`text` with each of `secrets` (from `find`, on this text) replaced."""
    if not secrets:
        return text
    out, position = [], 0
    for secret in _merged(secrets):
        out += [text[position : secret.start], replacement]
        position = secret.end
    out.append(text[position:])
    return "".join(out)


def is_secret_setting(name: str) -> bool:
    """A flag or variable name that holds a secret, not a reference to one."""
    words = [w.upper() for w in _WORD.findall(name)]
    return credentials.is_secret_name(name) and bool(words) and words[-1] not in _REFERENCE_WORDS


def _in_text(text: str, client: Client | None) -> Iterator[Secret]:
    # Cheap tests first: most strings (names, ARNs, numbers) can hold no secret at all.
    settings: tuple[re.Pattern[str], ...] = (_ASSIGNMENT,) if "=" in text else ()
    if "-" in text and _BLANK_OR_COMMA.search(text):
        settings += (_FLAG_THEN_VALUE,)
    for pattern in settings:
        for match in pattern.finditer(text):
            name = match.group("name")
            if is_secret_setting(name):
                yield from _value(match, f"the value of `{name}`")
    if ":" in text:
        yield from _headers(text)
    if _ANY_SHAPE.search(text):
        for description, pattern in credentials.SHAPES:
            for match in pattern.finditer(text):
                yield Secret(match.start(), match.end(), f"what looks like {description}")
    if client is not None or _PROGRAM.search(text):
        yield from _client_flags(text, client)


def _headers(text: str) -> Iterator[Secret]:
    for match in _HEADER.finditer(text):
        name = match.group("name")
        # `Authorization:` anywhere; other names only as headers are spelled
        # (`X-Api-Key: V`, with a blank), so that ARNs and prose are left alone.
        authorization = name.lower() == "authorization"
        header = authorization or ("-" in name and bool(match.group("gap")))
        if header and is_secret_setting(name):
            yield from _value(match, f"the value of the `{name}` header")


def _in_argument(item: str, client: Client | None) -> Iterator[Secret]:
    """One argument: a whole `--flag=VALUE` item takes the rest of the item as its value."""
    whole = _WHOLE_FLAG.fullmatch(item)
    if whole is not None and is_secret_setting(whole.group("name")):
        value = whole.group("value")
        if value and not _REFERENCE.fullmatch(value):
            yield Secret(whole.start("value"), len(item), f"the value of `{whole.group('name')}`")
        return
    yield from _in_text(item, client)


def _client_flags(text: str, client: Client | None) -> Iterator[Secret]:
    """Password flags of `CLIENTS`, from each program's name to the end of its command."""
    start = 0
    for separator in [*_SEPARATOR.finditer(text), None]:
        end = separator.start() if separator else len(text)
        current, position = (client if start == 0 else None), start
        for program in _PROGRAM.finditer(text, start, end):
            if current is not None:
                yield from _flags_of(current, text, position, program.start())
            current, position = _client(program.group("name")), program.end()
        if current is not None:
            yield from _flags_of(current, text, position, end)
        start = separator.end() if separator else len(text)


def _flags_of(client: Client, text: str, start: int, end: int) -> Iterator[Secret]:
    what = f"the password of {client.name}'s `{'`/`'.join(client.flags)}`"
    for match in _FLAG_PATTERNS[client.name].finditer(text, start, end):
        yield from _value(match, what)


def _flags(client: Client) -> str:
    """The client's password flags as a pattern, after the switches that may share a word."""
    return "|".join(
        f"-[{client.switches}]*{flag[1:]}"
        if client.switches and len(flag) == 2
        else re.escape(flag)
        for flag in client.flags
    )


def _flag_pattern(client: Client) -> re.Pattern[str]:
    gap = r"(?:[ \t]+|=|[\"'][ \t]*,[ \t]*[\"'])?" if client.spaced else ""
    value = r"[\"']?[^\s:\"'`]*:(?P<bare>[^\s\"'`]+)" if client.after_colon else _VALUE
    return re.compile(rf"(?<![\w.-])(?:{_flags(client)}){gap}(?!-){value}")


_FLAG_PATTERNS = {client.name: _flag_pattern(client) for client in CLIENTS}
_FLAG_ALONE = {client.name: re.compile(_flags(client)) for client in CLIENTS if client.spaced}


def _value(match: re.Match[str], what: str) -> Iterator[Secret]:
    """The span of the value group that matched, unless it is empty or a shell reference."""
    for group in ("dq", "sq", "bare"):
        value = match.groupdict().get(group)
        if value is None:
            continue
        if value and not (group != "sq" and _REFERENCE.fullmatch(value)):
            yield Secret(match.start(group), match.end(group), what)
        return


def _whole_value(item: str, what: str, after_colon: bool) -> list[Secret]:
    """An argument that is the value of the flag before it."""
    if _REFERENCE.fullmatch(item) or not item:
        return []
    if after_colon:
        colon = item.find(":")
        return [Secret(colon + 1, len(item), what)] if 0 <= colon < len(item) - 1 else []
    return [Secret(0, len(item), what)]


def _expects_value(item: str, client: Client | None) -> tuple[str, bool] | None:
    """(what, after_colon) when the next argument is the value of `item`."""
    if _LONE_FLAG.fullmatch(item) and is_secret_setting(item):
        return f"the value of `{item}`", False
    alone = _FLAG_ALONE.get(client.name) if client is not None else None
    if client is not None and alone is not None and alone.fullmatch(item):
        return f"the password of {client.name}'s `{item}`", client.after_colon
    return None


def _client(program: str) -> Client | None:
    return next((c for c in CLIENTS if c.program.fullmatch(program)), None)


def _merged(secrets: Iterator[Secret] | Sequence[Secret]) -> list[Secret]:
    """Sorted, with overlapping spans joined (the first one's words kept)."""
    merged: list[Secret] = []
    for secret in sorted(secrets):
        if merged and secret.start <= merged[-1].end:
            last = merged[-1]
            merged[-1] = Secret(last.start, max(last.end, secret.end), last.what)
        else:
            merged.append(secret)
    return merged
