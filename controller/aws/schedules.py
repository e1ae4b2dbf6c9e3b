"""EventBridge Scheduler schedules: reads, the ownership marker, and the writer.

EventBridge Scheduler tags only schedule groups ("You can only assign tags to
schedule groups", Scheduler API Reference, TagResource), so a schedule cannot
carry the ownership tag. ecsync records ownership at the end of the
schedule's `Description` instead, as `[ecsync:managed-by=<instance>]` (and
`[ecsync:prune=false]` for a protected one). The reader turns that marker
into the `tags` mapping every kind's live state has, and strips it from the
description; the writer does the reverse. The user's own description, if
any, comes first.

UpdateSchedule replaces the whole schedule: "if you do not set an optional
field in your request, that field will be set to its system-default value"
(Scheduler API Reference, UpdateSchedule). An update therefore sends the live
schedule with the manifest's fields over it, so that a field the manifest
leaves out keeps its value (omitted fields are not managed).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from controller.aws import batching, calls, errors, shapes
from controller.core.kinds import Kind, ResourceId
from controller.core.resources import OWNER_TAG, PRUNE_TAG, Live

if TYPE_CHECKING:
    from controller.aws.clients import Aws

DEFAULT_GROUP = "default"
"""The group a schedule belongs to when CreateSchedule is not given one."""
LIST_PAGE = 100
"""ListSchedules' MaxResults (1-100)."""
MARKED_TAGS = (OWNER_TAG, PRUNE_TAG)
"""The tags a schedule's description marker can hold."""
_MARKER = re.compile(r"\s*\[(ecsync:[a-z-]+)=([^\]\s]*)\]\s*$")
_NAME_EXCLUDED = ("Name", "ClientToken")


def group_of(spec: Mapping[str, Any]) -> str:
    """The schedule group of a manifest-shape spec."""
    group = spec.get("GroupName")
    return group if isinstance(group, str) and group else DEFAULT_GROUP


def read_schedules(aws: Aws, wanted: Mapping[str, str]) -> dict[str, Live]:
    """The live schedules among `wanted` (name -> the group its manifest names).

    One GetSchedule each, side by side. A schedule missing from its group is
    looked for in the other groups (ListSchedules by name prefix), so that a
    schedule whose manifest moved it to another group is found where it is.
    """

    def read(item: tuple[str, str]) -> Live | None:
        name, group = item
        found = _get(aws, name, group)
        if found is None:
            elsewhere = [
                s["GroupName"]
                for s in calls.paginate(
                    aws,
                    "scheduler",
                    "list_schedules",
                    "Schedules",
                    f"Schedule/{name}",
                    cursor="NextToken",
                    NamePrefix=name,
                    MaxResults=LIST_PAGE,
                )
                if s.get("Name") == name and s.get("GroupName") != group
            ]
            found = _get(aws, name, elsewhere[0]) if len(elsewhere) == 1 else None
        return parse_schedule(found) if found is not None else None

    read_all = batching.each(read, sorted(wanted.items()))
    return {live.id.name: live for live in read_all if live is not None}


def list_owned_schedules(aws: Aws, instance: str) -> dict[str, Live]:
    """Every schedule of the account (all groups) that `instance` owns, for prune.

    ListSchedules summaries carry no description, so each schedule is read
    (GetSchedule, side by side) to see its marker.
    """
    return {live.id.name: live for live in _every(aws, lambda _: True) if live.owner == instance}


def task_definitions_in_use(aws: Aws) -> dict[str, str]:
    """`<group>/<name>` -> the task definition it runs, for every ECS-task schedule of the
    account (ARNs as GetSchedule reports them): revision cleanup keeps them. Only
    schedules whose target is an ECS cluster are read (ListSchedules gives each
    target's ARN)."""
    found = _every(aws, lambda summary: is_cluster_arn((summary.get("Target") or {}).get("Arn")))
    return {
        f"{group_of(live.spec)}/{live.id.name}": arn
        for live in found
        if (arn := task_definition_of(live.spec)) is not None
    }


def _every(aws: Aws, keep: Callable[[Mapping[str, Any]], bool]) -> list[Live]:
    summaries = calls.paginate(
        aws, "scheduler", "list_schedules", "Schedules", cursor="NextToken", MaxResults=LIST_PAGE
    )
    chosen = [(s["Name"], s["GroupName"]) for s in summaries if keep(s)]
    got = batching.each(lambda item: _get(aws, *item), chosen)
    return [parse_schedule(answer) for answer in got if answer is not None]


def _get(aws: Aws, name: str, group: str) -> dict[str, Any] | None:
    try:
        return calls.call(
            aws, "scheduler", "get_schedule", f"Schedule/{name}", Name=name, GroupName=group
        )
    except errors.NotFoundError:
        return None


def is_cluster_arn(value: Any) -> bool:
    """Whether `value` is an ECS cluster ARN (the target of a schedule that runs tasks)."""
    return (
        isinstance(value, str)
        and value.startswith("arn:")
        and ":ecs:" in value
        and (":cluster/" in value)
    )


def task_definition_of(spec: Mapping[str, Any]) -> str | None:
    """`Target.EcsParameters.TaskDefinitionArn` of a manifest-shape spec, if any."""
    ecs = (spec.get("Target") or {}).get("EcsParameters") or {}
    value = ecs.get("TaskDefinitionArn")
    return value if isinstance(value, str) and value else None


def parse_schedule(answer: Mapping[str, Any]) -> Live:
    """A GetSchedule answer as live state: the ownership marker out of `Description` and
    into `tags`. Pure: the fidelity corpus runs it on recorded AWS answers."""
    spec = shapes.project("scheduler", "CreateSchedule", answer, exclude=_NAME_EXCLUDED)
    description, marked = split_marker(spec.pop("Description", None))
    if description:
        spec["Description"] = description
    spec["tags"] = marked
    return Live(
        id=ResourceId(Kind.SCHEDULE, answer["Name"]),
        arn=str(answer.get("Arn", "")),
        spec=spec,
        owner=marked.get(OWNER_TAG),
        status={k: answer[k] for k in ("CreationDate", "LastModificationDate") if k in answer},
    )


def split_marker(description: Any) -> tuple[str, dict[str, str]]:
    """(the user's description, the tags its trailing marker holds)."""
    text = description if isinstance(description, str) else ""
    marked: dict[str, str] = {}
    while (match := _MARKER.search(text)) is not None and match.group(1) in MARKED_TAGS:
        marked.setdefault(match.group(1), match.group(2))
        text = text[: match.start()]
    return text.rstrip(), marked


def with_marker(description: Any, tags: Mapping[str, str]) -> str:
    """The user's description followed by the marker of the ecsync tags among `tags`."""
    marks = " ".join(f"[{k}={tags[k]}]" for k in MARKED_TAGS if tags.get(k))
    text = description if isinstance(description, str) else ""
    return f"{text} {marks}".strip() if marks else text


def request(name: str, spec: Mapping[str, Any]) -> dict[str, Any]:
    """CreateSchedule / UpdateSchedule parameters for a manifest-shape `spec` (references
    already resolved): the marker appended to the description, no `tags`."""
    params = {k: v for k, v in spec.items() if k != "tags"}
    description = with_marker(spec.get("Description"), spec.get("tags") or {})
    if description:
        params["Description"] = description
    else:
        params.pop("Description", None)
    params["GroupName"] = group_of(spec)
    return {"Name": name, **params}


def mark(aws: Aws, live: Live, tags: Mapping[str, str]) -> None:
    """Write the ownership marker of `tags` onto a schedule and change nothing else
    (`ecsync import --adopt`): UpdateSchedule with the schedule as it is."""
    calls.call(
        aws,
        "scheduler",
        "update_schedule",
        str(live.id),
        **request(live.id.name, {**live.spec, "tags": dict(tags)}),
    )


class ScheduleWriter:
    """CreateSchedule, UpdateSchedule (the whole schedule), DeleteSchedule."""

    def create(self, aws: Aws, id: ResourceId, spec: dict[str, Any]) -> str:
        owner = (spec.get("tags") or {}).get(OWNER_TAG)

        def ours() -> dict[str, Any] | None:
            """An earlier attempt's schedule: it exists, marked with this create's owner."""
            answer = _get(aws, id.name, group_of(spec))
            live = parse_schedule(answer) if answer is not None else None
            if live is None or owner is None or live.owner != owner:
                return None
            return {"ScheduleArn": live.arn}

        # CreateSchedule fails with ConflictException for a name its group already has.
        created = calls.create(
            aws, "scheduler", "create_schedule", str(id), ours, **request(id.name, spec)
        )
        return str(created.get("ScheduleArn", ""))

    def update(
        self, aws: Aws, id: ResourceId, spec: dict[str, Any], live: Live, fields: frozenset[str]
    ) -> str:
        """UpdateSchedule with the live schedule under the manifest's fields."""
        whole = {**live.spec, **spec}
        if "Description" not in spec and "Description" in live.spec:
            whole["Description"] = live.spec["Description"]
        updated = calls.call(
            aws, "scheduler", "update_schedule", str(id), **request(id.name, whole)
        )
        return str(updated.get("ScheduleArn", live.arn))

    def delete(self, aws: Aws, id: ResourceId, live: Live) -> None:
        """DeleteSchedule in the group the schedule is in; one already gone is no error."""
        try:
            calls.call(
                aws,
                "scheduler",
                "delete_schedule",
                str(id),
                Name=id.name,
                GroupName=group_of(live.spec),
            )
        except errors.NotFoundError:
            return
