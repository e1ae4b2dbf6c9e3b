"""A Repository that names its KMS key by alias is compared through one ListAliases."""

from __future__ import annotations

from controller.core.kinds import Kind, ResourceId
from controller.core.resources import Desired, Live
from controller.plan.planner import KMS_KEY_ALIAS
from controller.reconcile import observe

KEY = "1234abcd-12ab-34cd-56ef-1234567890ab"
IMAGES = ResourceId(Kind.REPOSITORY, "images")
PLAIN = ResourceId(Kind.REPOSITORY, "plain")


def _repo(rid: ResourceId, key: str | None) -> Desired:
    spec = {"encryptionConfiguration": {"encryptionType": "KMS", "kmsKey": key}} if key else {}
    return Desired(rid, spec)


def _live(rid: ResourceId) -> Live:
    config = {"encryptionType": "KMS", "kmsKey": f"arn:aws:kms:us-east-1:1:key/{KEY}"}
    return Live(
        rid, f"arn:aws:ecr:us-east-1:1:repository/{rid.name}", {"encryptionConfiguration": config}
    )


def test_list_aliases_is_needed_only_for_a_key_named_by_alias() -> None:
    """A key id, a key ARN or no key at all needs no ListAliases; an alias does."""
    assert not observe.names_kms_alias([_repo(PLAIN, None), _repo(IMAGES, KEY)])
    assert not observe.names_kms_alias([_repo(IMAGES, f"arn:aws:kms:us-east-1:1:key/{KEY}")])
    assert observe.names_kms_alias([_repo(PLAIN, None), _repo(IMAGES, "alias/images")])


def test_the_alias_is_recorded_on_the_repository_whose_key_it_targets() -> None:
    """Only a repository whose manifest alias targets the live key carries the alias."""
    desired = [_repo(IMAGES, "alias/images"), _repo(PLAIN, "alias/elsewhere")]
    live = {IMAGES: _live(IMAGES), PLAIN: _live(PLAIN)}
    targets = {"alias/images": KEY, "alias/elsewhere": "0987dcba"}
    found = observe.with_kms_aliases(live, desired, targets)
    assert found[IMAGES].status == {KMS_KEY_ALIAS: "alias/images"}
    assert found[PLAIN] is live[PLAIN]
