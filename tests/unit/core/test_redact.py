"""Redaction: which names and values are secret, and how they are hidden in data and text."""

from __future__ import annotations

import pytest

from controller.core import credentials, redact
from controller.core.redact import REDACTED

AKIA = "AKIAIOSFODNN7EXAMPLE"


@pytest.mark.parametrize(
    "name",
    [
        "DB_PASSWORD",
        "PGPASSWORD",
        "dbPassword",
        "PASSWD",
        "SMTP_PASS",
        "MYSQL_PWD",
        "API_KEY",
        "apiKey",
        "SESSION_KEY",
        "JWT_SIGNING_KEYS",
        "KEY",
        "AWS_SECRET_ACCESS_KEY",
        "CLIENT_SECRET",
        "GITHUB_TOKEN",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "DOCKER_CREDS",
        "SENTRY_DSN",
        "BASIC_AUTH",
        "AUTHORIZATION_HEADER",
        "PRIVATE_KEY_PEM",
        "splunk-token",
    ],
)
def test_secret_names(name: str) -> None:
    """Names that conventionally hold credentials are recognised, in any casing."""
    assert credentials.is_secret_name(name)


@pytest.mark.parametrize(
    "name",
    ["NODE_ENV", "LOG_LEVEL", "KEY_PREFIX", "AUTHOR", "PASSTHROUGH", "QUEUE_URL", "CONCURRENCY"],
)
def test_innocent_names(name: str) -> None:
    """Names that merely contain a secret-ish word inside another word are left alone."""
    assert not credentials.is_secret_name(name)


@pytest.mark.parametrize(
    ("value", "shape"),
    [
        (AKIA, "an AWS access key ID"),
        ("ASIAY34FZKBOKMUTVV7A", "an AWS access key ID"),
        ("-----BEGIN RSA PRIVATE KEY-----\nMIIE...", "a private key"),
        ("-----BEGIN OPENSSH PRIVATE KEY-----", "a private key"),
        ("ghp_" + "a1B2" * 9, "a GitHub token"),
        ("github_pat_" + "11ABCDEFG0" * 3, "a GitHub token"),
        ("xoxb-123456789012-abcdefABCDEF", "a Slack token"),
        (
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N",
            "a JSON Web Token",
        ),
        ("postgres://app:s3cret@db.internal:5432/app", "a URL with a password"),
    ],
)
def test_credential_shapes(value: str, shape: str) -> None:
    """Well-known credential formats are recognised and described."""
    assert credentials.shape(value) == shape


@pytest.mark.parametrize(
    "value", ["production", "https://sqs.us-east-1.amazonaws.com/123/q", "AKIA-not-a-key", "4"]
)
def test_ordinary_values_have_no_credential_shape(value: str) -> None:
    """Everyday values, URLs without a password among them, are not credentials."""
    assert credentials.shape(value) is None


def test_high_entropy_needs_length_and_randomness() -> None:
    """Long random-looking strings are high-entropy; words and short strings are not."""
    assert credentials.is_high_entropy("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    assert credentials.is_high_entropy("9fK2xQ7pL0vZ3mR8tY1wN6bC")
    assert not credentials.is_high_entropy("correct-horse-battery-staple")
    assert not credentials.is_high_entropy("hunter2")
    assert not credentials.is_high_entropy("abcdefghijklmnopqrstuvwxyz")


def test_redact_hides_secret_environment_values_by_name_and_by_shape() -> None:
    """Environment entries are hidden when the name looks secret or the value looks like a key."""
    environment = [
        {"name": "DB_PASSWORD", "value": "hunter2"},
        {"name": "NOTE", "value": AKIA},
        {"name": "NODE_ENV", "value": "production"},
    ]
    assert redact.redact({"environment": environment}) == {
        "environment": [
            {"name": "DB_PASSWORD", "value": REDACTED},
            {"name": "NOTE", "value": REDACTED},
            {"name": "NODE_ENV", "value": "production"},
        ]
    }


def test_redact_hides_secret_items_of_free_form_mappings() -> None:
    """Docker labels, log options and tags with secret-looking keys are hidden; others stay."""
    container = {
        "dockerLabels": {"api-token": "t0k", "team": "web"},
        "logConfiguration": {"options": {"splunk-token": "abc", "splunk-url": "https://s"}},
    }
    assert redact.redact(container) == {
        "dockerLabels": {"api-token": REDACTED, "team": "web"},
        "logConfiguration": {"options": {"splunk-token": REDACTED, "splunk-url": "https://s"}},
    }
    assert redact.redact({"password": "x"}, "tags") == {"password": REDACTED}


def test_redact_leaves_references_and_aws_fields_alone() -> None:
    """valueFrom references and AWS field names such as kmsKey are shown as they are."""
    spec = {
        "secrets": [{"name": "DB_PASSWORD", "valueFrom": "arn:aws:ssm:r:1:parameter/db"}],
        "encryptionConfiguration": {"kmsKey": "arn:aws:kms:r:1:key/k"},
        "repositoryCredentials": {"credentialsParameter": "arn:aws:secretsmanager:r:1:secret:x"},
    }
    assert redact.redact(spec) == spec


def test_redact_hides_credential_shaped_strings_anywhere() -> None:
    """A key pasted into a command is hidden wherever it is."""
    assert redact.redact({"command": ["deploy", AKIA]}) == {"command": ["deploy", REDACTED]}


def test_secret_values_and_scrub_clean_free_text() -> None:
    """The secret values of a request are removed from a message about it, shapes too."""
    params = {
        "environment": [{"name": "DB_PASSWORD", "value": 12345678}, {"name": "A", "value": "b"}]
    }
    values = redact.secret_values(params)
    assert values == {"12345678"}
    message = f"Invalid type for parameter value, value: 12345678, key {AKIA}, name A, value b"
    assert redact.scrub(message, values) == (
        f"Invalid type for parameter value, value: {REDACTED}, key {REDACTED}, name A, value b"
    )


def test_scrub_leaves_very_short_values_alone() -> None:
    """A value of under four characters is not searched for: it would garble the text."""
    assert redact.scrub("a bad value", {"a"}) == "a bad value"


def test_scrub_all_walks_log_events() -> None:
    """Every string of a nested event is scrubbed; other values are kept."""
    event = {"event": "x", "fields": [{"live": f"key {AKIA}"}], "count": 2}
    assert redact.scrub_all(event) == {
        "event": "x",
        "fields": [{"live": f"key {REDACTED}"}],
        "count": 2,
    }


def test_a_url_password_is_hidden_and_the_host_stays_readable() -> None:
    """The userinfo of a URL is redacted; its scheme, host and path are kept."""
    assert (
        redact.scrub("fetching https://bot:tok3n-XYZ@git.example.com/infra.git")
        == f"fetching https://{redact.REDACTED}@git.example.com/infra.git"
    )


def test_redact_hides_only_the_secret_part_of_command_lines() -> None:
    """A container's command keeps its readable parts; its entryPoint gives it context."""
    container = {
        "entryPoint": ["mysql"],
        "command": ["-u", "app", "-psecret", "--host", "db"],
        "healthCheck": {"command": ["CMD-SHELL", "curl -H 'X-Api-Key: k3y' localhost"]},
        "environment": [{"name": "JAVA_OPTS", "value": "-Ddb.password=pw -Xmx1g"}],
    }
    assert redact.redact(container) == {
        "entryPoint": ["mysql"],
        "command": ["-u", "app", f"-p{REDACTED}", "--host", "db"],
        "healthCheck": {"command": ["CMD-SHELL", f"curl -H 'X-Api-Key: {REDACTED}' localhost"]},
        "environment": [{"name": "JAVA_OPTS", "value": f"-Ddb.password={REDACTED} -Xmx1g"}],
    }


def test_secret_values_of_a_request_include_secrets_inside_strings() -> None:
    """An AWS error quoting a command is scrubbed of the password in it and of a split value."""
    params = {"overrides": {"containerOverrides": [{"command": ["--token", "tok-1234", "run"]}]}}
    values = redact.secret_values(params)
    assert values == {"tok-1234"}
    message = "Invalid parameter: command [--token tok-1234 run] and mysql -pdbsecret"
    assert redact.scrub(message, values) == (
        f"Invalid parameter: command [--token {REDACTED} run] and mysql -p{REDACTED}"
    )


def test_scrub_all_reads_a_list_in_a_log_event_as_a_command_line() -> None:
    """A command logged as a list loses the value that follows a secret flag."""
    event = {"event": "x", "command": ["app", "--password", "pw-1234", "--port", "80"]}
    assert redact.scrub_all(event) == {
        "event": "x",
        "command": ["app", "--password", REDACTED, "--port", "80"],
    }


def test_a_url_password_may_hold_an_at_sign() -> None:
    """The password runs to the last `@` before the host, so no part of it is shown."""
    assert redact.scrub("postgres://app:p@ss@db:5432/app") == f"postgres://{REDACTED}@db:5432/app"
