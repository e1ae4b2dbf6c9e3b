"""Client-side pacing: a burst, then the refill rate, per ECS category."""

from __future__ import annotations

from controller.aws.clients import Aws, AwsConfig
from controller.aws.ratelimit import SAFETY, RateLimiter


class FakeTime:
    """A clock that moves only when the limiter sleeps."""

    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_a_burst_then_the_refill_rate() -> None:
    """RegisterTaskDefinition: 19 at once (burst 20, one spare), then one per 1/0.95 s."""
    time = FakeTime()
    limiter = RateLimiter(clock=time.clock, sleep=time.sleep)
    for _ in range(19):
        limiter.acquire("ecs", "RegisterTaskDefinition")
    assert time.now == 0.0

    for _ in range(10):
        limiter.acquire("ecs", "RegisterTaskDefinition")
    assert abs(time.now - 10 / SAFETY) < 1e-6


def test_categories_are_separate_and_unknown_operations_are_not_paced() -> None:
    """Using up the task definition bucket slows neither UpdateService nor an operation with
    no bucket, only the next call of its own category."""
    time = FakeTime()
    limiter = RateLimiter(clock=time.clock, sleep=time.sleep)
    for _ in range(19):
        limiter.acquire("ecs", "DeregisterTaskDefinition")  # same bucket as Register
    limiter.acquire("ecs", "UpdateService")
    limiter.acquire("dynamodb", "PutItem")
    assert time.now == 0.0
    limiter.acquire("ecs", "RegisterTaskDefinition")
    assert time.now > 0


def test_paced_against_aws_and_not_against_a_custom_endpoint() -> None:
    """Pacing is on against AWS and off against a custom endpoint, unless rate_limit says
    otherwise."""
    assert Aws(AwsConfig("us-east-1")).rate_limiter is not None
    assert Aws(AwsConfig("us-east-1", "http://127.0.0.1:5000")).rate_limiter is None
    assert Aws(AwsConfig("us-east-1", "http://127.0.0.1:5000", rate_limit="on")).rate_limiter
    assert Aws(AwsConfig("us-east-1", rate_limit="off")).rate_limiter is None


def test_ecr_control_plane_shares_one_assumed_bucket() -> None:
    """ECR's control-plane calls draw on one assumed bucket (burst 50, one spare): the
    fiftieth, whichever operation it is, waits."""
    time = FakeTime()
    limiter = RateLimiter(clock=time.clock, sleep=time.sleep)
    for _ in range(49):
        limiter.acquire("ecr", "GetLifecyclePolicy" if _ % 2 else "ListTagsForResource")
    assert time.now == 0.0
    limiter.acquire("ecr", "DescribeRepositories")
    assert time.now > 0
