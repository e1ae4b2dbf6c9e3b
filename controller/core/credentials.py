"""Recognising credentials: by the name of the variable that holds them, or by their shape.

Names are matched word by word (`DB_PASSWORD`, `dbPassword` and `PGPASSWORD`
all hold a password), so that an innocent `KEY_PREFIX` or `AUTHOR` is left
alone. Values are matched against the formats of well-known credentials, which
have fixed prefixes and lengths; a free-form password has no shape, which is
why the name is checked too.
"""

from __future__ import annotations

import math
import re
from collections import Counter

_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")

_SECRET_FRAGMENTS = (
    "PASSWORD",
    "PASSWD",
    "PASSPHRASE",
    "SECRET",
    "TOKEN",
    "CREDENTIAL",
    "APIKEY",
    "ACCESSKEY",
    "PRIVATEKEY",
    "AUTHORIZATION",
)
"""Inside any word, or across word boundaries (`API_KEY` reads as `APIKEY`)."""

_SECRET_WORDS = frozenset({"PASS", "PWD", "PW", "AUTH", "OAUTH", "CREDS", "DSN", "SALT"})
"""Whole words only: `DB_PASS` is a password, `PASSTHROUGH` is not."""

_SECRET_LAST_WORDS = frozenset({"KEY", "KEYS"})
"""Only as the last word: `SIGNING_KEY` is secret, `KEY_PREFIX` is not."""

SHAPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("an AWS access key ID", re.compile(r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b")),
    (
        "a private key",
        # The whole key, to its END line (or to the end of the text when that is cut off).
        re.compile(
            r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----"
            r"(?:.*?-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|.*)",
            re.DOTALL,
        ),
    ),
    ("a GitHub token", re.compile(r"\bgh[pousr]_[A-Za-z0-9]{30,}|\bgithub_pat_[A-Za-z0-9_]{20,}")),
    ("a Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("a Stripe secret key", re.compile(r"\b[sr]k_live_[A-Za-z0-9]{16,}")),
    ("a Google API key", re.compile(r"\bAIza[A-Za-z0-9_-]{35}\b")),
    ("a JSON Web Token", re.compile(r"\beyJ[\w-]{5,}\.eyJ[\w-]{5,}\.[\w-]*", re.ASCII)),
    (
        "a URL with a password",
        # Only the user:password part matches, so the scheme and host stay readable. The
        # user may be empty (`redis://:pw@host`); the password runs to the last `@` before
        # the host, as URL parsers read it (RFC 3986, section 3.2).
        re.compile(r"(?<=://)[^/\s?#@:'\"`]*:[^/\s?#'\"`]+(?=@[^/\s@'\"`]+)"),
    ),
)
"""What a credential looks like, with the words a warning uses for it."""

_HIGH_ENTROPY_LENGTH = 20
_HIGH_ENTROPY_BITS = 3.5
"""Bits per character; English words stay under it, random keys of 20+ characters exceed it."""


def is_secret_name(name: str) -> bool:
    """True for names that conventionally hold credentials (`DB_PASSWORD`, `apiKey`...)."""
    words = [w.upper() for w in _WORD.findall(name)]
    if not words:
        return False
    joined = "".join(words)
    if any(fragment in joined for fragment in _SECRET_FRAGMENTS):
        return True
    return any(w in _SECRET_WORDS for w in words) or words[-1] in _SECRET_LAST_WORDS


def shape(value: str) -> str | None:
    """What `value` looks like ("an AWS access key ID"...) when it has a credential's shape."""
    for description, pattern in SHAPES:
        if pattern.search(value):
            return description
    return None


def is_high_entropy(value: str) -> bool:
    """A long string of mixed characters that looks random, like a generated key."""
    if len(value) < _HIGH_ENTROPY_LENGTH or any(c.isspace() for c in value):
        return False
    classes = sum(
        [
            any(c.islower() for c in value),
            any(c.isupper() for c in value),
            any(c.isdigit() for c in value),
        ]
    )
    if classes < 2:
        return False
    counts = Counter(value)
    bits = -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())
    return bits >= _HIGH_ENTROPY_BITS
