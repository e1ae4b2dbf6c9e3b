"""KMS aliases: one paged ListAliases gives every alias's target key."""

from __future__ import annotations

from typing import Any

import pytest

from controller.aws import calls, kms

PAGES: dict[str | None, dict[str, Any]] = {
    None: {
        "Aliases": [
            {
                "AliasName": "alias/ecr-images",
                "AliasArn": "arn:aws:kms:us-east-1:1:alias/ecr-images",
                "TargetKeyId": "k-1",
            },
            {"AliasName": "alias/aws/ecr", "AliasArn": "arn:aws:kms:us-east-1:1:alias/aws/ecr"},
        ],
        "Truncated": True,
        "NextMarker": "page-2",
    },
    "page-2": {
        "Aliases": [{"AliasName": "alias/logs", "TargetKeyId": "k-2"}],
        "Truncated": False,
    },
}


def test_every_page_is_read_and_aliases_without_a_key_are_left_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """ListAliases is followed by Marker while Truncated; an alias with no target is skipped."""
    sent: list[dict[str, Any]] = []

    def fake_call(aws: Any, service: str, operation: str, resource: str, **params: Any) -> Any:
        sent.append({"service": service, "operation": operation, **params})
        return PAGES[params.get("Marker")]

    monkeypatch.setattr(calls, "call", fake_call)
    assert kms.read_alias_targets(aws=None) == {"alias/ecr-images": "k-1", "alias/logs": "k-2"}  # type: ignore[arg-type]
    assert sent == [
        {"service": "kms", "operation": "list_aliases", "Limit": 100},
        {"service": "kms", "operation": "list_aliases", "Limit": 100, "Marker": "page-2"},
    ]
