"""Shared fixtures: one in-process moto server, reset per test, clients pointed at it, the
sandbox network seeded in it, and `ecsync run` daemons started against it.

Everything binds to 127.0.0.1 and runs on dummy credentials; the environment
is scrubbed so that no real AWS profile, endpoint or credential can leak in.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

import ecsync_local as local
from controller.aws.clients import Aws, AwsConfig, RetryPolicy
from tests.support import server
from tests.support.counting import CallCounter
from tests.support.daemon import Daemons

REGION = "us-east-1"
FAST_RETRIES = RetryPolicy(attempts=5, base_delay=0.001, max_delay=0.005)


@pytest.fixture(scope="session")
def moto_server() -> Iterator[local.LocalAws]:
    """ONE moto server for the whole session, with ecsync's moto fixes applied."""
    running = local.start_local(port=0)
    yield running
    running.stop()


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Dummy credentials and region; no profile, shared file or endpoint from the host."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))


@pytest.fixture
def moto_endpoint(moto_server: local.LocalAws, aws_env: None) -> str:
    """The server's endpoint URL, wiped clean before the test."""
    server.reset(moto_server.endpoint_url)
    return moto_server.endpoint_url


@pytest.fixture
def aws(moto_endpoint: str) -> Aws:
    """An `Aws` on the moto server, retrying with millisecond delays."""
    connection = Aws(AwsConfig(region=REGION, endpoint_url=moto_endpoint))
    connection.retry = FAST_RETRIES
    return connection


@pytest.fixture
def sandbox(aws: Aws) -> local.Sandbox:
    """The seeded sandbox network and Auto Scaling group."""
    return local.seed_sandbox(aws)


@pytest.fixture
def start_daemon(moto_endpoint: str, tmp_path: Path) -> Iterator[Daemons]:
    """Starts `ecsync run ARGS...` against the moto server; every daemon is killed at the end."""
    daemons = Daemons(moto_endpoint, tmp_path)
    yield daemons
    daemons.kill_all()


@pytest.fixture
def calls_sent(aws: Aws) -> CallCounter:
    """Counts (and records the parameters of) every request `aws` sends."""
    return CallCounter().attach(aws)


@pytest.fixture
def boto_client(moto_endpoint: str) -> Callable[[str], Any]:
    """A factory of plain boto3 clients on the moto server, for making drift by hand."""

    def make(service: str) -> Any:
        return boto3.client(
            service,  # type: ignore[call-overload]
            region_name=REGION,
            endpoint_url=moto_endpoint,
            config=Config(retries={"total_max_attempts": 1}),
        )

    return make


@pytest.fixture
def unused_port() -> int:
    """A 127.0.0.1 port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port
