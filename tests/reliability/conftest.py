"""Fixtures for the reliability suite: the seed, the fault-injecting proxy, clients through it.

Every random choice of this suite (faults, kill moments) derives from one
seed: `ECSYNC_TEST_SEED` (default `DEFAULT_SEED`). It is printed in the
report header and by each test that uses it, so a failure reproduces with
`ECSYNC_TEST_SEED=<seed> pytest tests/reliability`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from controller.aws.clients import Aws, AwsConfig, RetryPolicy
from tests.support.awsproxy import NO_FAULTS, AwsProxy, FaultPlan

DEFAULT_SEED = 20240601
SHORT_READ_TIMEOUT = 0.5
"""Client read timeout in this suite, so that a hung request costs half a second."""


def suite_seed() -> int:
    return int(os.environ.get("ECSYNC_TEST_SEED") or DEFAULT_SEED)


def pytest_report_header() -> str:
    return f"reliability seed: ECSYNC_TEST_SEED={suite_seed()}"


@pytest.fixture
def seed() -> int:
    """The suite's seed, printed so that a failing run can be repeated."""
    value = suite_seed()
    print(f"ECSYNC_TEST_SEED={value}")
    return value


@pytest.fixture
def start_proxy(moto_endpoint: str) -> Iterator[Callable[..., AwsProxy]]:
    """Starts `AwsProxy`s in front of the (reset) moto server; all stop after the test."""
    started: list[AwsProxy] = []

    def start(faults: FaultPlan = NO_FAULTS, **options: Any) -> AwsProxy:
        proxy = AwsProxy(moto_endpoint, faults=faults, **options).start()
        started.append(proxy)
        return proxy

    yield start
    for proxy in started:
        proxy.stop()


def proxied_aws(proxy: AwsProxy, policy: RetryPolicy) -> Aws:
    """An `Aws` through `proxy` with `policy` and the suite's short read timeout."""
    aws = Aws(
        AwsConfig(
            region="us-east-1",
            endpoint_url=proxy.endpoint,
            connect_timeout=SHORT_READ_TIMEOUT,
            read_timeout=SHORT_READ_TIMEOUT,
        )
    )
    aws.retry = policy
    return aws


@pytest.fixture
def daemon_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Settings for daemons under test: short AWS timeouts and quick per-call retries."""
    settings = {
        "ECSYNC_AWS_READ_TIMEOUT": str(SHORT_READ_TIMEOUT),
        "ECSYNC_AWS_CONNECT_TIMEOUT": str(SHORT_READ_TIMEOUT),
        "ECSYNC_AWS_MAX_ATTEMPTS": "4",
        "ECSYNC_AWS_RETRY_BASE_DELAY": "0.05",
        "ECSYNC_AWS_RETRY_MAX_DELAY": "0.5",
    }
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    return settings
