"""Every ecsync setting, typed, in one object; each field is a flag and an `ECSYNC_*` variable.

The command line builds its options from these fields (`controller.cli.options`),
so a flag and its variable cannot drift apart. A value given as a flag beats
the environment, which beats the default. Values are checked here, whatever
their source: switches take only the spellings people mean (`ECSYNC_PRUNE=false`
is off), durations are positive and finite, counts are at least 1.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, SecretStr, ValidationError
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_PREFIX = "ECSYNC_"

AWS_MAX_ATTEMPTS = 5
AWS_RETRY_BASE_DELAY = 0.2
AWS_RETRY_MAX_DELAY = 5.0
AWS_CONNECT_TIMEOUT = 5.0
AWS_READ_TIMEOUT = 30.0

KEEP_ALL = "all"
"""`--keep-revisions all`: never deregister an old revision."""

ENV_ONLY = frozenset({"webhook_secret"})
"""Settings with no flag: a secret does not belong on a command line, where `ps` shows it."""

_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})
SWITCH_SPELLINGS = "true/false, 1/0, yes/no or on/off (any case)"

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)")
_DURATION_UNIT = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
DURATION_EXAMPLE = "seconds or units, such as 30s, 2m, 1h30m"


def _invalid(message: str, **context: Any) -> PydanticCustomError:
    return PydanticCustomError("ecsync_setting", message, context)


def switch(value: object) -> bool:
    """On or off, from a bool or one of `SWITCH_SPELLINGS`; blanks around are ignored."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise _invalid(f"is not on or off: use {SWITCH_SPELLINGS}")


def seconds(value: object) -> float:
    """A positive, finite duration: plain seconds (`90`, `0.5`) or units (`30s`, `2m`, `1h30m`,
    `500ms`)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        number = _parse_duration(str(value).strip())
    if not math.isfinite(number) or number <= 0:
        raise _invalid(f"must be a positive, finite duration: {DURATION_EXAMPLE}")
    return number


def _parse_duration(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        pass
    parts = _DURATION_PART.findall(text)
    if not parts or "".join(number + unit for number, unit in parts) != text:
        raise _invalid(f"is not a duration: use {DURATION_EXAMPLE}")
    return sum(float(number) * _DURATION_UNIT[unit] for number, unit in parts)


def format_seconds(value: float) -> str:
    """The shortest way to write `value` in the duration grammar (`120.0` → `2m`)."""
    for unit, size in (("h", 3600.0), ("m", 60.0), ("s", 1.0)):
        if value >= size and value % size == 0:
            return f"{int(value // size)}{unit}"
    return f"{round(value * 1000)}ms" if value < 1 else f"{value:g}s"


def count(value: object) -> int:
    """A whole number of at least 1."""
    text = str(value).strip()
    if isinstance(value, bool) or not re.fullmatch(r"\+?\d+", text) or int(text) < 1:
        raise _invalid("must be a whole number of at least 1")
    return int(text)


def port(value: object) -> int:
    """A TCP port, or 0 for any free one."""
    text = str(value).strip()
    if isinstance(value, bool) or not text.isdigit() or int(text) > 65535:
        raise _invalid("must be a port from 0 (any free one) to 65535")
    return int(text)


def share(value: object) -> float:
    """A fraction from 0 to 1, such as 0.3."""
    try:
        number = float(str(value).strip())
    except ValueError:
        number = math.nan
    if not 0.0 <= number <= 1.0:
        raise _invalid("must be a share from 0 to 1, such as 0.3")
    return number


def keep(value: object) -> int | None:
    """A count of revisions to keep, or `all` (None: never deregister)."""
    if value is None or str(value).strip().lower() == KEEP_ALL:
        return None
    try:
        return count(value)
    except PydanticCustomError:
        raise _invalid(f"must be a whole number of at least 1, or {KEEP_ALL!r}") from None


def listen_address(value: object) -> str:
    """`host:port`, `[v6]:port` or `:port` (every interface); port 0 picks a free one."""
    text = str(value).strip()
    _, sep, number = text.rpartition(":")
    if not sep or not number.isdigit() or int(number) > 65535:
        raise _invalid("must be host:port, such as 127.0.0.1:8080 (port 0 picks a free one)")
    return text


def _choice(*allowed: str) -> BeforeValidator:
    def check(value: object) -> str:
        text = str(value).strip().lower()
        if text not in allowed:
            raise _invalid(f"must be one of {', '.join(allowed)}")
        return text

    return BeforeValidator(check)


Switch = Annotated[bool, BeforeValidator(switch)]
Duration = Annotated[float, BeforeValidator(seconds)]
Count = Annotated[int, BeforeValidator(count)]
Port = Annotated[int, BeforeValidator(port)]
Share = Annotated[float, BeforeValidator(share)]
Keep = Annotated[int | None, BeforeValidator(keep)]
Listen = Annotated[str, BeforeValidator(listen_address)]
LogFormat = Annotated[Literal["auto", "json", "console"], _choice("auto", "json", "console")]
LogLevel = Annotated[
    Literal["debug", "info", "warning", "error"], _choice("debug", "info", "warning", "error")
]
RateLimit = Annotated[Literal["auto", "on", "off"], _choice("auto", "on", "off")]


def _default_cache_dir() -> Path:
    return Path.home() / ".cache" / "ecsync"


class Settings(BaseSettings):
    """ecsync's settings. Each field `x_y` is the flag `--x-y` and the variable `ECSYNC_X_Y`;
    its docstring is the flag's help."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_ignore_empty=True,
        extra="forbid",
        frozen=True,
        use_attribute_docstrings=True,
        validate_default=False,
    )

    # AWS: every command that calls AWS.
    rate_limit: RateLimit = "auto"
    """pace calls per ECS throttling category (auto: on for AWS, off for a custom endpoint or
    --local)"""
    local: Switch = False
    """start an embedded, simulated AWS (moto) on 127.0.0.1 and use it"""
    local_port: Port = 0
    """port of the embedded AWS of --local (0: any free one)"""
    aws_max_attempts: Count = AWS_MAX_ATTEMPTS
    """attempts per AWS call, the first one included, for throttling, 5xx and broken
    connections"""
    aws_retry_base_delay: Duration = AWS_RETRY_BASE_DELAY
    """upper bound of the first random retry delay; it doubles every attempt"""
    aws_retry_max_delay: Duration = AWS_RETRY_MAX_DELAY
    """cap on any retry delay"""
    aws_connect_timeout: Duration = AWS_CONNECT_TIMEOUT
    """how long to wait for a connection to AWS"""
    aws_read_timeout: Duration = AWS_READ_TIMEOUT
    """how long to wait for an answer from AWS"""

    # Behaviour: every command that reads manifests or AWS.
    instance: Annotated[str, Field(min_length=1)] = "ecsync"
    """value of the ecsync:managed-by ownership tag"""
    log_format: LogFormat = "auto"
    """auto: JSON unless the log stream is a terminal"""
    log_level: LogLevel = "info"
    """the least severe events to log"""

    # Changes: plan, apply (flags only) and run.
    prune: Switch = False
    """delete owned resources no manifest names"""
    adopt: Switch = False
    """take over existing resources the manifests name but ecsync did not create"""
    prune_max_share: Share = 0.3
    """with --prune, delete nothing when the prune would delete more than this share of the
    resources ecsync owns, or when the manifests name nothing"""
    confirm_prune: Switch = False
    """let a prune go ahead that --prune-max-share would hold back"""
    keep_revisions: Keep = 5
    """task definition revisions ecsync registered to keep per family; older unused ones are
    deregistered; 'all' keeps every revision"""
    skip_preflight: Switch = False
    """write task definitions and services without checking images, roles, secret references,
    subnets and security groups first"""

    # The daemon's source.
    source: Annotated[str, Field(min_length=1)] = "manifests"
    """a folder, or a Git URL (https://, ssh://, git@, file://)"""
    ref: str | None = None
    """Git branch, tag or commit (default: the remote's HEAD)"""
    path: str = ""
    """folder inside the source holding the manifests"""
    poll: Duration = 30.0
    """Git fetch interval"""
    cache_dir: Path = Field(default_factory=_default_cache_dir)
    """where Git clones and snapshots live"""

    # The daemon's reconcile loop.
    resync: Duration = 120.0
    """re-read live state this often to find drift"""
    alert_only: Switch = False
    """report drift, never correct it (commits are still applied)"""
    realert: Duration = 3600.0
    """with --alert-only, repeat an unchanged drift alert this often"""
    flap_count: Count = 3
    """the same drift this many times within --flap-window is a fight"""
    flap_window: Duration = 600.0
    """see --flap-count; also how long ecsync backs off from a fight"""
    concurrency: Count = 8
    """concurrent writes to AWS"""

    # The daemon's HTTP endpoints.
    listen: Listen = "127.0.0.1:8080"
    """address of /healthz, /readyz, /metrics, /status and POST /hooks/git"""
    webhook_secret_file: Path | None = None
    """file holding the HMAC secret of POST /hooks/git (else ECSYNC_WEBHOOK_SECRET holds the
    secret itself)"""
    webhook_secret: SecretStr | None = None
    """the HMAC secret of POST /hooks/git itself (environment only; a file wins)"""

    # Leader election between replicas.
    leader_election_table: str | None = None
    """DynamoDB table (partition key `name`, S) holding the leader lease; only the leader writes
    to ECS and ECR (default: none, this replica always leads)"""
    leader_id: str | None = None
    """this replica's unique identity in the lease (default: host name, pid and a random
    suffix)"""
    lease_duration: Duration = 15.0
    """how long a standby must see the lease unchanged before it takes over"""
    lease_renew: Duration = 10.0
    """renew deadline: the leader stops writing when it has not renewed for this long"""
    lease_retry: Duration | None = None
    """how often the leader renews and a standby looks (default 2s, or a fifth of --lease-renew
    when that is shorter)"""

    # `ecsync status`.
    url: Annotated[str, Field(min_length=1)] = "http://127.0.0.1:8080"
    """the --listen address of the daemon to ask"""


def variable(name: str) -> str:
    """The environment variable of setting `name`: `keep_revisions` → `ECSYNC_KEEP_REVISIONS`."""
    return ENV_PREFIX + name.upper()


def flag(name: str) -> str:
    """The command-line flag of setting `name`: `keep_revisions` → `--keep-revisions`."""
    return "--" + name.replace("_", "-")


class SettingsError(ValueError):
    """One or more settings are unusable; each line names the flag or variable and the fix."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def load(flags: Mapping[str, object], environment: frozenset[str] | None = None) -> Settings:
    """The settings: `flags` (given on the command line) beat `ECSYNC_*` variables, which beat
    the defaults.

    Only the settings named in `environment` are read from the environment (all when None),
    so that a command neither reads nor trips on variables that are not its own. Raises
    `SettingsError` naming each bad flag or variable.
    """
    readable = set(Settings.model_fields) if environment is None else environment
    values: dict[str, Any] = {
        name: field.get_default(call_default_factory=True)
        for name, field in Settings.model_fields.items()
        if name not in readable and name not in flags
    }
    values.update(flags)
    try:
        return Settings(**values)
    except ValidationError as error:
        raise SettingsError(
            [_problem(detail, flags) for detail in error.errors(include_url=False)]
        ) from None


def defaults(**values: object) -> Settings:
    """The settings with `values` and every other setting at its default, reading no
    environment: for callers with no command line (the benchmark, tests)."""
    return load(values, frozenset())


def _problem(detail: Mapping[str, Any], flags: Mapping[str, object]) -> str:
    name = str(detail["loc"][0]) if detail["loc"] else ""
    source = flag(name) if name in flags else variable(name)
    if name in ENV_ONLY:
        return f"{source} {detail['msg']}"
    shown = repr(str(detail["input"])[:80])
    return (
        f"{source} {shown} {detail['msg']}"
        if name in flags
        else f"{source}={shown} {detail['msg']}"
    )
