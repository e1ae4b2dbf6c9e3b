"""Credentials inside strings: which parts of a command line, script, URL or header are secret."""

from __future__ import annotations

from typing import Any

import pytest

from controller.core import inline

MASK = "*****"


def masked(text: str) -> str:
    return inline.mask(text, inline.find(text), MASK)


def masked_args(args: list[Any], before: list[Any] | None = None) -> list[Any]:
    found = inline.find_in_args(args, before or [])
    return [
        inline.mask(item, secrets, MASK) if isinstance(item, str) else item
        for item, secrets in zip(args, found, strict=True)
    ]


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("app --password=hunter2 --port 80", "app --password=***** --port 80"),
        ("app --db-password='a b' -v", "app --db-password='*****' -v"),
        ("app --token abc123 --verbose", "app --token ***** --verbose"),
        ("vault login -token s.abc", "vault login -token *****"),
        (
            "java -Dspring.datasource.password=xyz -jar a.jar",
            "java -Dspring.datasource.password=***** -jar a.jar",
        ),
        ("export PGPASSWORD=s3cr3t && psql -h db", "export PGPASSWORD=***** && psql -h db"),
        ('DB_TOKEN="a b c" ./run', 'DB_TOKEN="*****" ./run'),
        (
            "curl https://x/cb?access_token=zzz&page=2",
            "curl https://x/cb?access_token=*****&page=2",
        ),
        ("mysql -u app -psecret123 -h db", "mysql -u app -p***** -h db"),
        (
            "/usr/bin/mysqldump -uroot -p'x y' db | gzip",
            "/usr/bin/mysqldump -uroot -p'*****' db | gzip",
        ),
        ("mariadb-admin -pM4ria ping", "mariadb-admin -p***** ping"),
        ("sshpass -p pw ssh host", "sshpass -p ***** ssh host"),
        ("mongosh -u app -p mongopw", "mongosh -u app -p *****"),
        ("redis-cli -a redispw ping", "redis-cli -a ***** ping"),
        ("curl -fsSu admin:pw http://x", "curl -fsSu admin:***** http://x"),
        ("curl -u admin:pw http://x", "curl -u admin:***** http://x"),
        (
            "curl -H 'Authorization: Bearer abc.def' http://x",
            "curl -H 'Authorization: Bearer *****' http://x",
        ),
        ('curl -H "X-Api-Key: k3y" http://x', 'curl -H "X-Api-Key: *****" http://x'),
        ("postgres://app:s3cret@db:5432/app", "postgres://*****@db:5432/app"),
        ("redis://:pw123@cache:6379", "redis://*****@cache:6379"),
        ("mongodb://u:p@ss@db/x?w=1", "mongodb://*****@db/x?w=1"),
        ('failed: ["--token", "abc"]', 'failed: ["--token", "*****"]'),
    ],
)
def test_only_the_secret_part_of_a_string_is_hidden(text: str, shown: str) -> None:
    """Each way of writing a credential into a string hides its value and keeps the rest."""
    assert masked(text) == shown


@pytest.mark.parametrize(
    "text",
    [
        "mkdir -p /data && cp -pr a b",
        "ssh -p2222 host; ssh -p 2222 host",
        "psql -p5432 -h db",
        "docker run -p 8080:80 -p8081:81 nginx",
        "find . -path ./x -prune -print",
        "mysql -u app -p appdb",
        "app --password-file /run/secrets/db --token-path /t --secret-id prod/db",
        'app --token $TOKEN --password=${DB_PASSWORD} --api-key "$(cat /run/key)"',
        "PGPASSWORD=$DB_PASSWORD psql",
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod-db-password-AbCdEf:password::",
        "https://sqs.us-east-1.amazonaws.com/123/q",
        "git clone ssh://git@github.com/acme/infra.git",
        "the value of `--password` and `PGPASSWORD`, mysql's `-p`",
        "KEY_PREFIX=app AUTHOR=me NODE_ENV=production",
    ],
)
def test_ordinary_flags_references_and_prose_are_left_alone(text: str) -> None:
    """Ports, `mkdir -p`, MySQL's prompting `-p`, file paths, shell variables, ARNs and our own
    messages about secrets contain no secret."""
    assert inline.find(text) == []


def test_masking_is_idempotent() -> None:
    """A string already redacted is redacted to itself, so output can be scrubbed twice."""
    once = masked("mysql -psecret; app --password=x --token y postgres://a:b@h")
    assert masked(once) == once


def test_a_flag_and_its_value_as_two_arguments() -> None:
    """In an argument list the item after a secret flag is the secret, whole."""
    args = ["app", "--token", "abc def", "--password", "$FROM_ENV", "--port", "80"]
    assert masked_args(args) == ["app", "--token", MASK, "--password", "$FROM_ENV", "--port", "80"]


def test_a_whole_flag_argument_takes_the_rest_of_the_item() -> None:
    """`--password=V` as one argument is not split by the shell: all of V is the value."""
    assert masked_args(["--password=a b&c;d"]) == ["--password=*****"]


def test_client_password_flags_follow_the_program_across_arguments() -> None:
    """`-pV` is MySQL's password after `mysql`, also when `mysql` is the entryPoint."""
    assert masked_args(["mysql", "-u", "app", "-psecret"]) == ["mysql", "-u", "app", "-p*****"]
    assert masked_args(["-u", "app", "-psecret"], before=["/usr/bin/mysql"]) == [
        "-u",
        "app",
        "-p*****",
    ]
    assert masked_args(["mongosh", "-p", "pw", "--quiet"]) == ["mongosh", "-p", MASK, "--quiet"]
    assert masked_args(["curl", "-fsSu", "admin:pw", "http://x"]) == [
        "curl",
        "-fsSu",
        "admin:*****",
        "http://x",
    ]
    assert masked_args(["ssh", "-p", "2222", "-psecret"]) == ["ssh", "-p", "2222", "-psecret"]


def test_shell_strings_inside_argument_lists() -> None:
    """`sh -c "..."` is read as a script: assignments and clients inside it are found."""
    args = ["sh", "-c", "export PGPASSWORD=x && mysql -u app -pdbpw"]
    assert masked_args(args) == ["sh", "-c", "export PGPASSWORD=***** && mysql -u app -p*****"]


def test_findings_say_what_they_are_without_the_value() -> None:
    """Each finding names the flag, variable or kind of credential, for the load-time warning."""
    text = "PGPASSWORD=pw mysql -psecret --token tk postgres://u:p@h AKIAIOSFODNN7EXAMPLE"
    whats = [secret.what for secret in inline.find(text)]
    assert whats == [
        "the value of `PGPASSWORD`",
        "the password of mysql's `-p`",
        "the value of `--token`",
        "what looks like a URL with a password",
        "what looks like an AWS access key ID",
    ]
    assert not any(value in " ".join(whats) for value in ("pw", "secret", "tk", "u:p", "AKIA"))


def test_a_private_key_is_hidden_to_its_end_line() -> None:
    """A pasted private key is hidden whole, not only its BEGIN line."""
    key = "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----"
    assert masked(f"echo '{key}' > k; run") == f"echo '{MASK}' > k; run"
    assert masked("-----BEGIN PRIVATE KEY-----\nMIIEcut") == MASK


def test_an_argument_holding_its_own_secret_does_not_take_the_next_as_a_value() -> None:
    """`-pHunter2Secret` reads like a secret-named flag, but it is MySQL's password: the
    next argument is judged on its own, and no finding quotes the password."""
    args = ["mysql", "-u", "app", "-pHunter2Secret", "--password=S3cretPass!", "--port", "3306"]
    assert masked_args(args) == [
        "mysql",
        "-u",
        "app",
        "-p*****",
        "--password=*****",
        "--port",
        "3306",
    ]
    found = inline.find_in_args(args)
    whats = " ".join(secret.what for item in found for secret in item)
    assert "Hunter2" not in whats
    assert "S3cret" not in whats
