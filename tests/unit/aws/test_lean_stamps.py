"""The per-request stamps of the lean path: the invocation id and the request time."""

from __future__ import annotations

import time
import uuid

import pytest

from controller.aws import lean


def test_invocation_ids_are_random_version_4_uuids_as_botocore_writes_them() -> None:
    ids = [lean.invocation_id() for _ in range(2000)]

    assert len(set(ids)) == len(ids)
    for text in ids:
        parsed = uuid.UUID(text)
        assert parsed.version == 4
        assert parsed.variant == uuid.RFC_4122
        assert str(parsed) == text  # botocore sends str(uuid.uuid4()): lower case, dashed


def test_the_request_time_is_now_in_sigv4_form(monkeypatch: pytest.MonkeyPatch) -> None:
    """X-Amz-Date is the current second, UTC, as SigV4Auth writes it; a new second is a new
    stamp."""
    clock = [1_796_646_605.9]
    monkeypatch.setattr(time, "time", lambda: clock[0])

    assert lean._amz_date() == "20261207T123005Z"
    clock[0] = 1_796_646_606.0
    assert lean._amz_date() == "20261207T123006Z"
