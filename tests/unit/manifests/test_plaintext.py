"""Load-time warnings about credentials written in plain text, which never quote the value."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from controller.manifests.loader import load

Write = Callable[[str, str], Path]

AKIA = "AKIAPLANTED0XYZ12345"
PASSWORD = "hunter2-planted-XYZ"
RANDOM = "9fK2xQ7pL0vZ3mR8tY1wN6bC"

TASK_DEFINITION = f"""\
apiVersion: ecsync/v1
kind: TaskDefinition
metadata:
  name: web
spec:
  containerDefinitions:
    - name: web
      image: nginx
      memory: 128
      environment:
        - name: NODE_ENV
          value: production
        - name: BUILD_NOTE
          value: "{AKIA}"
        - name: DB_PASSWORD
          value: "{PASSWORD}"
        - name: API_TOKEN
          value: "{RANDOM}"
      secrets:
        - name: SESSION_KEY
          valueFrom: arn:aws:ssm:us-east-1:123456789012:parameter/web/session
"""


def test_credential_shaped_and_random_secret_values_warn(write: Write, root: Path) -> None:
    """An access key in any variable, and a random value in a secret-named one, each warn."""
    write("web.yaml", TASK_DEFINITION)
    loaded = load(root)
    assert loaded.ok
    assert [(w.location.line, w.path) for w in loaded.warnings] == [
        (14, "spec.containerDefinitions[0].environment[1].value"),
        (18, "spec.containerDefinitions[0].environment[3].value"),
    ]
    first, second = (w.message for w in loaded.warnings)
    assert first.startswith("environment variable BUILD_NOTE holds what looks like an AWS access")
    assert "`secrets` with `valueFrom`" in first
    assert second.startswith("environment variable API_TOKEN has a secret's name")


def test_warnings_never_quote_the_value(write: Write, root: Path) -> None:
    """No warning or error text contains the plain-text values."""
    write("web.yaml", TASK_DEFINITION)
    text = "\n".join(str(p) for p in (*load(root).warnings, *load(root).errors))
    for value in (AKIA, PASSWORD, RANDOM):
        assert value not in text


def test_one_off_task_overrides_are_checked_too(write: Write, root: Path) -> None:
    """A Task's container overrides are environments as well."""
    write(
        "migrate.yaml",
        f"""\
apiVersion: ecsync/v1
kind: Task
metadata: {{name: migrate}}
spec:
  cluster: prod
  taskDefinition: web:1
  overrides:
    containerOverrides:
      - name: web
        environment: [{{name: GH, value: "ghp_{"x1Y2" * 9}"}}]
""",
    )
    (warning,) = [w for w in load(root).warnings if "environment" in w.path]
    assert warning.path == "spec.overrides.containerOverrides[0].environment[0].value"
    assert "a GitHub token" in warning.message


def test_a_mistyped_secret_value_is_not_echoed_by_validation(write: Write, root: Path) -> None:
    """A secret written as a number is an error that says so without repeating the number."""
    write(
        "web.yaml",
        """\
apiVersion: ecsync/v1
kind: TaskDefinition
metadata: {name: web}
spec:
  containerDefinitions:
    - name: web
      image: nginx
      environment: [{name: DB_PASSWORD, value: 86753091}, {name: PORT, value: 8080}]
""",
    )
    errors = [str(e) for e in load(root).errors]
    assert len(errors) == 2
    assert "86753091" not in errors[0]
    assert errors[0].endswith(
        "got a value that is not shown because it looks secret; quote it to write it as text"
    )
    assert "8080" in errors[1]


def test_secrets_in_command_lines_warn_naming_container_and_field(write: Write, root: Path) -> None:
    """Each argument holding a password warns once, at its own path, naming the flag, never
    the value; an ordinary `-p` port does not warn."""
    write(
        "db.yaml",
        """\
apiVersion: ecsync/v1
kind: TaskDefinition
metadata: {name: db}
spec:
  containerDefinitions:
    - name: tools
      image: mysql:8
      memory: 128
      entryPoint: [mysql]
      command: ["-u", "app", "-pPLANTED-1", "--port", "3306"]
      healthCheck:
        command: [CMD-SHELL, "curl -fsSu admin:PLANTED-2 http://localhost/ || exit 1"]
      environment: [{name: DATABASE_URL, value: "postgres://app:PLANTED-3@db/app"}]
    - name: proxy
      image: nginx
      memory: 128
      command: ["sh", "-c", "ssh -p 2222 host && export PGPASSWORD=PLANTED-4 && psql"]
""",
    )
    loaded = load(root)
    assert loaded.ok
    found = [(w.path, w.message.split(" in plain text;")[0]) for w in loaded.warnings]
    assert found == [
        (
            "spec.containerDefinitions[0].command[2]",
            "command of container tools holds the password of mysql's `-p`",
        ),
        (
            "spec.containerDefinitions[0].healthCheck.command[1]",
            "healthCheck.command of container tools holds the password of curl's "
            "`-u`/`--user`/`-U`/`--proxy-user`",
        ),
        (
            "spec.containerDefinitions[0].environment[0].value",
            "environment variable DATABASE_URL holds what looks like a URL with a password",
        ),
        (
            "spec.containerDefinitions[1].command[2]",
            "command of container proxy holds the value of `PGPASSWORD`",
        ),
    ]
    assert all("`secrets` with `valueFrom`" in w.message for w in loaded.warnings)
    assert "PLANTED" not in "\n".join(str(w) for w in loaded.warnings)


def test_a_task_override_command_with_a_password_warns(write: Write, root: Path) -> None:
    """A one-off Task's overridden command is checked as a container's command."""
    write(
        "migrate.yaml",
        """\
apiVersion: ecsync/v1
kind: Task
metadata: {name: migrate}
spec:
  cluster: prod
  taskDefinition: web:1
  overrides:
    containerOverrides:
      - {name: web, command: ["migrate", "--db-password", "PLANTED-5"]}
""",
    )
    (warning,) = [w for w in load(root).warnings if "containerOverrides" in w.path]
    assert warning.path == "spec.overrides.containerOverrides[0].command[2]"
    assert warning.message.startswith("command of container web holds the value of `--db-password`")
