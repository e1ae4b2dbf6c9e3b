"""What ECR's PutLifecyclePolicy refuses inside the policy text.

The policy is JSON inside the request (`lifecyclePolicyText`); paths go on
into it, so `("lifecyclePolicyText", "rules", 1, "rulePriority")` names a
field of the second rule. Source: AWS docs "Lifecycle policy properties in
Amazon ECR" (lifecycle_policy_parameters).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from controller.manifests.refusals.base import Found, Path, entries, mapping, number, rule

PUT = "PutLifecyclePolicy"
TEXT = "lifecyclePolicyText"


def _policy(request: Mapping[str, Any]) -> Any:
    try:
        return json.loads(request.get(TEXT) or "")
    except (TypeError, ValueError):
        return None


def _rules(request: Mapping[str, Any]) -> Iterator[tuple[Path, Mapping[str, Any]]]:
    for i, item in entries(mapping(_policy(request)).get("rules")):
        yield (TEXT, "rules", i), item


# ECR: "Lifecycle policy validation failure: Could not map policyString into LifecyclePolicy."
@rule("lifecycle-policy-json", PUT)
def _json(request: Mapping[str, Any]) -> Found:
    if isinstance(request.get(TEXT), str) and not isinstance(_policy(request), dict):
        yield (TEXT,), "a lifecycle policy is a JSON object with a list of rules"


# "you must give them each a unique value for rulePriority"
@rule("lifecycle-rule-priority-unique", PUT)
def _priorities(request: Mapping[str, Any]) -> Found:
    seen: set[int] = set()
    for path, item in _rules(request):
        priority = number(item.get("rulePriority"))
        if priority is not None and priority in seen:
            yield (
                (*path, "rulePriority"),
                f"rulePriority {priority} is used twice; make each unique",
            )
        seen.add(priority or 0)


def _selection(item: Mapping[str, Any]) -> Mapping[str, Any]:
    return mapping(item.get("selection"))


def _filters(selection: Mapping[str, Any]) -> list[str]:
    return [f for f in ("tagPrefixList", "tagPatternList") if selection.get(f)]


# "If you specify tagged, then you must also specify a tagPrefixList value or a
# tagPatternList value. If you specify untagged, then you must omit both."
@rule("lifecycle-tagged-filter", PUT)
def _tagged(request: Mapping[str, Any]) -> Found:
    for path, item in _rules(request):
        selection = _selection(item)
        if selection.get("tagStatus") == "tagged" and not _filters(selection):
            yield (*path, "selection"), "tagStatus tagged needs a tagPrefixList or tagPatternList"


@rule("lifecycle-untagged-filter", PUT)
def _untagged(request: Mapping[str, Any]) -> Found:
    for path, item in _rules(request):
        selection = _selection(item)
        if selection.get("tagStatus") == "untagged" and _filters(selection):
            yield (
                (*path, "selection"),
                "tagStatus untagged takes no tagPrefixList or tagPatternList",
            )


# "A rule with a tagStatus value of any must have the highest value for rulePriority"
@rule("lifecycle-any-last", PUT)
def _any_last(request: Mapping[str, Any]) -> Found:
    rules = list(_rules(request))
    highest = max((number(r.get("rulePriority")) or 0 for _, r in rules), default=0)
    for path, item in rules:
        priority = number(item.get("rulePriority"))
        any_status = _selection(item).get("tagStatus") == "any"
        if any_status and priority is not None and priority < highest:
            message = "the rule with tagStatus any must have the highest rulePriority"
            yield (*path, "rulePriority"), message


# countUnit: required with countType sinceImagePushed, refused with imageCountMoreThan.
@rule("lifecycle-count-unit", PUT)
def _count_unit(request: Mapping[str, Any]) -> Found:
    for path, item in _rules(request):
        selection = _selection(item)
        kind, unit = selection.get("countType"), selection.get("countUnit")
        if kind == "sinceImagePushed" and unit is None:
            yield (*path, "selection"), "countType sinceImagePushed needs countUnit: days"
        elif kind == "imageCountMoreThan" and unit is not None:
            yield (
                (*path, "selection", "countUnit"),
                "countType imageCountMoreThan takes no countUnit",
            )
