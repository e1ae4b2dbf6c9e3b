"""The lean path's SigV4 signature against botocore's own `SigV4Auth`."""

from __future__ import annotations

import datetime

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import ReadOnlyCredentials

from controller.aws import lean, seam, sigv4

TARGET = "AmazonEC2ContainerServiceV20141113.DescribeServices"
CONTENT_TYPE = "application/x-amz-json-1.1"
BODY = b'{"cluster": "prod", "services": ["web"], "include": ["TAGS"]}'


def botocore_authorization(
    monkeypatch: pytest.MonkeyPatch,
    url: str,
    credentials: ReadOnlyCredentials,
    when: datetime.datetime,
    region: str = "eu-west-3",
) -> tuple[str, str]:
    """(Authorization, X-Amz-Date) botocore's SigV4Auth gives the request at `when`."""
    monkeypatch.setattr("botocore.auth.get_current_datetime", lambda: when)
    request = AWSRequest(
        method="POST",
        url=url,
        headers={"X-Amz-Target": TARGET, "Content-Type": CONTENT_TYPE},
        data=BODY,
    )
    SigV4Auth(credentials, "ecs", region).add_auth(request)
    return request.headers["Authorization"], request.headers["X-Amz-Date"]


def lean_authorization(
    signer: sigv4.Signer, url: str, credentials: ReadOnlyCredentials, amz_date: str
) -> str:
    signed = [
        ("X-Amz-Target", TARGET),
        ("Content-Type", CONTENT_TYPE),
        ("Host", lean.host_header(url)),
        ("X-Amz-Date", amz_date),
    ]
    if credentials.token:
        signed.append(("X-Amz-Security-Token", credentials.token))
    access_key, secret_key = credentials.access_key, credentials.secret_key
    assert access_key is not None
    assert secret_key is not None
    return signer.authorization(signed, BODY, amz_date, access_key, secret_key)


@pytest.mark.parametrize(
    "url",
    [
        "https://ecs.eu-west-3.amazonaws.com/",
        "http://127.0.0.1:4566/",
        "https://ecs.eu-west-3.amazonaws.com:8443/",
        "http://localhost:4566/prefix/path/",
        "http://[::1]:4566/",
    ],
)
@pytest.mark.parametrize("token", [None, "FwoGZXIvYXdzE//session+token=="])
def test_authorization_equals_botocores(
    monkeypatch: pytest.MonkeyPatch, url: str, token: str | None
) -> None:
    """The Authorization header equals SigV4Auth's for the same request, time and
    credentials, with or without a session token, on any endpoint form."""
    credentials = ReadOnlyCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCY", token)
    when = datetime.datetime(2026, 12, 7, 23, 59, 58)
    expected, amz_date = botocore_authorization(monkeypatch, url, credentials, when)
    signer = sigv4.Signer(sigv4.Scope("eu-west-3", "ecs"), *seam.canonical_target(url))

    assert amz_date == when.strftime("%Y%m%dT%H%M%SZ")
    assert lean_authorization(signer, url, credentials, amz_date) == expected


def test_the_signing_key_follows_the_date_and_the_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    """A signer kept across midnight or a rotated secret signs as botocore does after it."""
    url = "https://ecs.eu-west-3.amazonaws.com/"
    signer = sigv4.Signer(sigv4.Scope("eu-west-3", "ecs"), *seam.canonical_target(url))
    first = ReadOnlyCredentials("AKIDEXAMPLE", "secret-one", None)
    rotated = ReadOnlyCredentials("AKIDEXAMPLE", "secret-two", None)
    moments = [
        (first, datetime.datetime(2026, 12, 7, 23, 59, 59)),
        (first, datetime.datetime(2026, 12, 8, 0, 0, 1)),
        (rotated, datetime.datetime(2026, 12, 8, 0, 0, 2)),
        (first, datetime.datetime(2026, 12, 7, 23, 59, 59)),
    ]

    for credentials, when in moments:
        expected, amz_date = botocore_authorization(monkeypatch, url, credentials, when)
        assert lean_authorization(signer, url, credentials, amz_date) == expected


def test_a_signer_kept_over_many_seconds_and_tokens_signs_as_botocore(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One signer signing again and again, seconds and session tokens changing (more of them
    than it keeps canonical headers for), and coming back to an earlier second, signs each
    request as SigV4Auth does."""
    url = "https://ecs.eu-west-3.amazonaws.com/"
    signer = sigv4.Signer(sigv4.Scope("eu-west-3", "ecs"), *seam.canonical_target(url))
    start = datetime.datetime(2026, 12, 7, 12, 0, 0)
    moments = [
        (ReadOnlyCredentials("AKIDEXAMPLE", "secret", f"token-{n % 3}" if n % 2 else None),
         start + datetime.timedelta(seconds=n % 50))
        for n in range(150)
    ]  # fmt: skip

    for credentials, when in moments:
        expected, amz_date = botocore_authorization(monkeypatch, url, credentials, when)
        assert lean_authorization(signer, url, credentials, amz_date) == expected


def test_the_host_header_is_the_one_botocore_signs() -> None:
    """The Host header drops the scheme's default port and keeps any other, as botocore does."""
    assert lean.host_header("https://ECS.eu-west-3.amazonaws.com:443/") == (
        "ecs.eu-west-3.amazonaws.com"
    )
    assert lean.host_header("http://127.0.0.1:80/") == "127.0.0.1"
    assert lean.host_header("http://127.0.0.1:4566/") == "127.0.0.1:4566"
    assert lean.host_header("http://[::1]:4566/") == "[::1]:4566"
