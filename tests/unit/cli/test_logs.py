"""Log set-up: JSON lines, and nothing shaped like a credential in any of them."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pytest
import structlog

from controller.cli import logs

AKIA = "AKIAIOSFODNN7EXAMPLE"


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    """A JSON log stream for the test; structlog's defaults come back afterwards."""
    out = io.StringIO()
    logs.configure("json", "debug", out)
    yield out
    structlog.reset_defaults()


def test_credentials_quoted_in_events_are_scrubbed(stream: io.StringIO) -> None:
    """A key quoted in a message or nested field is replaced in the written line."""
    structlog.get_logger().error(
        "apply_failed", error=f"bad key {AKIA} given", fields=[{"live": AKIA}], count=1
    )
    line = stream.getvalue()
    assert AKIA not in line
    event = json.loads(line)
    assert event["error"] == "bad key ***** given"
    assert event["fields"] == [{"live": "*****"}]
    assert event["count"] == 1
    assert event["level"] == "error"
