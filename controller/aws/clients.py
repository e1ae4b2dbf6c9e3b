"""Connection settings and the per-connection state: clients, call stats, retry policy."""

from __future__ import annotations

import os
import threading
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError

from controller.aws import errors
from controller.aws.taskdef_cache import TaskDefinitionCache

if TYPE_CHECKING:
    from mypy_boto3_autoscaling import AutoScalingClient
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_ec2 import EC2Client
    from mypy_boto3_ecr import ECRClient
    from mypy_boto3_ecs import ECSClient

DEFAULT_REGION = "us-east-1"

_CLIENT_CONFIG = Config(
    # tenacity in `calls` is the single retry layer; botocore must not retry too.
    retries={"total_max_attempts": 1},
    connect_timeout=5,
    read_timeout=30,
    max_pool_connections=32,
    user_agent_extra="ecsync",
)


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


@dataclass(frozen=True)
class RetryPolicy:
    """How `calls.call` retries transient failures: exponential backoff, full jitter."""

    attempts: int = 5
    """Total attempts, the first one included."""
    base_delay: float = 0.2
    """Upper bound of the first random delay, in seconds; it doubles every attempt."""
    max_delay: float = 5.0
    """Cap on the upper bound of any delay, in seconds."""


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
                profile_name=self.config.profile, region_name=self.config.region
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
        self.retry = RetryPolicy()
        self.stats: Counter[tuple[str, str]] = Counter()
        """Calls by (API operation, outcome), outcome being ok, transient_error or
        permanent_error. Every attempt counts, retries included."""
        self.task_definitions = TaskDefinitionCache()
        """Described task definition revisions by ARN; see `taskdefs`."""
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()

    def client(self, service: str) -> Any:
        """The client for `service`, created on first use."""
        with self._lock:
            if service not in self._clients:
                self._clients[service] = self.session.client(
                    service,  # type: ignore[call-overload]  # a str, not a stub Literal
                    region_name=self.region,
                    endpoint_url=self.config.endpoint_url,
                    config=_CLIENT_CONFIG,
                )
            return self._clients[service]

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

    @property
    def ec2(self) -> EC2Client:
        return cast("EC2Client", self.client("ec2"))

    @property
    def autoscaling(self) -> AutoScalingClient:
        return cast("AutoScalingClient", self.client("autoscaling"))

    @property
    def dynamodb(self) -> DynamoDBClient:
        return cast("DynamoDBClient", self.client("dynamodb"))
