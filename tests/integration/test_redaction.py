"""AWS errors about a request never quote the request's secret values."""

from __future__ import annotations

import pytest
import structlog

from controller.aws import calls, errors
from controller.aws.clients import Aws

PASSWORD = 86753091


def test_parameter_errors_do_not_quote_secret_values(aws: Aws) -> None:
    """botocore quotes a rejected value; the error and its log event show it redacted."""
    container = {
        "name": "web",
        "image": "nginx",
        "environment": [{"name": "DB_PASSWORD", "value": PASSWORD}],
    }
    with (
        structlog.testing.capture_logs() as events,
        pytest.raises(errors.PermanentAwsError) as raised,
    ):
        calls.call(
            aws,
            "ecs",
            "register_task_definition",
            "TaskDefinition/web",
            family="web",
            containerDefinitions=[container],
        )

    error = raised.value
    assert "environment[0].value" in str(error)
    assert "*****" in str(error)
    assert str(PASSWORD) not in str(error)
    assert str(PASSWORD) not in repr(error.args)
    (failed,) = [e for e in events if e["event"] == "aws_call_failed"]
    assert str(PASSWORD) not in str(failed)
