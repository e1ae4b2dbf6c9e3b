"""Connection settings and the per-connection state: clients, call stats, retry policy."""

from __future__ import annotations

import os
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

import boto3
import botocore.session
from botocore.config import Config
from botocore.exceptions import BotoCoreError

from controller.aws import errors, lean, parsing
from controller.aws.ratelimit import RateLimiter
from controller.aws.taskdef_cache import TaskDefinitionCache
from controller.core import settings

if TYPE_CHECKING:
    from mypy_boto3_ecr import ECRClient
    from mypy_boto3_ecs import ECSClient

    from controller.core.preflight_facts import EcrImage

DEFAULT_REGION = "us-east-1"


def _client_config(connect_timeout: float, read_timeout: float) -> Config:
    return Config(
        # tenacity in `calls` is the single retry layer; botocore must not retry too.
        # The mode is pinned as well: AWS_RETRY_MODE=adaptive (or retry_mode in the
        # shared config file) would otherwise add botocore's client-side rate
        # limiter, a second layer that sleeps on throttling before `calls` does.
        retries={"total_max_attempts": 1, "mode": "standard"},
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        max_pool_connections=32,
        user_agent_extra="ecsync",
    )


@dataclass(frozen=True)
class RetryPolicy:
    """How `calls.call` retries transient failures: exponential backoff, full jitter."""

    attempts: int = settings.AWS_MAX_ATTEMPTS
    """Total attempts, the first one included."""
    base_delay: float = settings.AWS_RETRY_BASE_DELAY
    """Upper bound of the first random delay, in seconds; it doubles every attempt."""
    max_delay: float = settings.AWS_RETRY_MAX_DELAY
    """Cap on the upper bound of any delay, in seconds."""

    @classmethod
    def from_settings(cls, tuning: settings.Settings) -> RetryPolicy:
        """`ECSYNC_AWS_MAX_ATTEMPTS`, `ECSYNC_AWS_RETRY_BASE_DELAY`, `ECSYNC_AWS_RETRY_MAX_DELAY`
        (or their flags)."""
        return cls(tuning.aws_max_attempts, tuning.aws_retry_base_delay, tuning.aws_retry_max_delay)


@dataclass(frozen=True)
class AwsConfig:
    """Where to reach AWS. `None` leaves the choice to the standard chain.

    The environment (`AWS_REGION`, `AWS_PROFILE`, `AWS_ENDPOINT_URL`) and the
    shared config files apply as they do for every AWS tool; explicit values
    here win over them. The region falls back to us-east-1.
    """

    region: str | None = None
    endpoint_url: str | None = None
    profile: str | None = None
    connect_timeout: float = settings.AWS_CONNECT_TIMEOUT
    """Seconds to wait for a connection (`ECSYNC_AWS_CONNECT_TIMEOUT`)."""
    read_timeout: float = settings.AWS_READ_TIMEOUT
    """Seconds to wait for a response (`ECSYNC_AWS_READ_TIMEOUT`)."""
    rate_limit: str = "auto"
    """Client-side pacing per ECS throttling category: `on`, `off`, or `auto` (on
    for AWS itself, off for a custom endpoint such as moto, which never throttles)."""
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    """How each call is retried; `Aws.retry` starts from it."""


def _botocore_session() -> botocore.session.Session:
    """A botocore session whose JSON answers are parsed by `parsing.FastJSONParser`, and
    that leaves timestamps as AWS sent them.

    Turning every timestamp of a DescribeServices page (services, deployments,
    events) into a timezone-aware datetime was a tenth of a no-op resync's CPU
    time, and ecsync never reads them as dates.
    """
    session = botocore.session.get_session()
    parsing.install(session).set_parser_defaults(timestamp_parser=parsing.as_sent)
    return session


def _paced(setting: str, endpoint_url: str | None) -> bool:
    if setting == "auto":
        return not (endpoint_url or os.environ.get("AWS_ENDPOINT_URL"))
    return setting == "on"


class Aws:
    """One AWS connection: a boto3 session, its clients, and what calls through it record.

    Clients are created on first use from one session (boto3 sessions are not
    thread-safe, so creation is locked; the clients themselves are).
    """

    def __init__(self, config: AwsConfig | None = None) -> None:
        """Raises `errors.PermanentAwsError` when the profile or config files are unusable."""
        self.config = config or AwsConfig()
        try:
            self.session = boto3.Session(
                botocore_session=_botocore_session(),
                profile_name=self.config.profile,
                region_name=self.config.region,
            )
        except BotoCoreError as exc:  # e.g. ProfileNotFound
            raise errors.translate(exc, "CreateSession", "") from exc
        # botocore itself reads only AWS_DEFAULT_REGION; the other SDKs read AWS_REGION.
        self.region: str = (
            self.config.region
            or os.environ.get("AWS_REGION")
            or self.session.region_name
            or DEFAULT_REGION
        )
        self.retry = self.config.retry
        self._client_config = _client_config(self.config.connect_timeout, self.config.read_timeout)
        self.stats: Counter[tuple[str, str]] = Counter()
        """Calls by (API operation, outcome), outcome being ok, transient_error or
        permanent_error. Every attempt counts, retries included."""
        self.rate_limiter: RateLimiter | None = (
            RateLimiter() if _paced(self.config.rate_limit, self.config.endpoint_url) else None
        )
        """Client-side pacing per ECS category; off for a custom endpoint unless asked."""
        self.task_definitions = TaskDefinitionCache()
        """Described task definition revisions by ARN; see `taskdefs`."""
        self.write_gate: Callable[[], bool] | None = None
        """When set, every write (`calls.is_write`) asks it before each attempt, retries
        included, and is refused with `errors.NotLeaderError` when it answers False. The
        daemon sets it to its leader-election fencing check; None lets every write through."""
        self.placeholder_images: Callable[[frozenset[EcrImage]], None] | None = None
        """`--local` only: preflight hands it the private-ECR images it is about to look up,
        so that the embedded ECR can hold placeholders (`local.put_placeholder_images`).
        None, always against AWS, does nothing."""
        self._clients: dict[str, Any] = {}
        self._lean: dict[str, lean.LeanClient] = {}
        self._lock = threading.Lock()

    def client(self, service: str) -> Any:
        """The client for `service`, created on first use."""
        with self._lock:
            if service not in self._clients:
                self._clients[service] = self.session.client(
                    service,  # type: ignore[call-overload]  # a str, not a stub Literal
                    region_name=self.region,
                    endpoint_url=self.config.endpoint_url,
                    config=self._client_config,
                )
            return self._clients[service]

    def lean_sender(self, service: str, operation: str) -> lean.Send | None:
        """The lean path of read `operation` (an API name) of `service`, or None for botocore's."""
        found = self._lean.get(service)
        if found is None:
            client = self.client(service)
            with self._lock:
                found = self._lean.setdefault(service, lean.LeanClient(client))
        return found.sender(operation)

    def record(self, operation: str, outcome: str) -> None:
        """Count one attempt of `operation` with its outcome (thread-safe)."""
        with self._lock:
            self.stats[(operation, outcome)] += 1

    @property
    def ecs(self) -> ECSClient:
        return cast("ECSClient", self.client("ecs"))

    @property
    def ecr(self) -> ECRClient:
        return cast("ECRClient", self.client("ecr"))
