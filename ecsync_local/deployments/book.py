"""Where the stand-in keeps service deployments and revisions, and when it starts one.

"Amazon ECS creates a new service deployment automatically when ... A user
creates a service. A user updates the service and uses the force new
deployment option. A user updates one or more service properties that
require a deployment" (ECS Developer Guide, "View service history using
Amazon ECS service deployments"); "Amazon ECS automatically creates a new
service revision when you create a service, or update a service property
that starts a deployment", and "doesn't create a new service revision for a
rollback operation" ("Amazon ECS service revisions"). The properties are
those a revision records (ECS API Reference, ServiceRevision): an update
that changes none of them (desiredCount alone, deploymentConfiguration)
starts nothing.

The book lives on moto's ECS backend, so moto's reset wipes it with
everything else. Services with another deployment controller than ECS get no
records (their deployments are CodeDeploy's or external).
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ecsync_local.deployments import alarms, failing, timeline
from ecsync_local.deployments.records import (
    Record,
    Revision,
    deployment_id,
    ecs_deployment_id,
    revision_id,
)

PACE_VARIABLE = "ECSYNC_LOCAL_STAGE_SECONDS"
_ATTRIBUTE = "ecsync_service_deployments"
_ENTRY_FIELDS = (
    "platformVersion",
    "platformFamily",
    "networkConfiguration",
    "serviceConnectConfiguration",
    "volumeConfigurations",
    "vpcLatticeConfigurations",
    "fargateEphemeralStorage",
)
"""ServiceRevision members that DescribeServices reports on the PRIMARY deployment."""


@dataclass
class Book:
    records: dict[str, list[Record]] = field(default_factory=dict)
    """Service ARN to its deployments, oldest first."""
    revisions: dict[str, Revision] = field(default_factory=dict)
    deployments: dict[str, Record] = field(default_factory=dict)
    """Service deployment ARN to its record."""


def book_of(backend: Any) -> Book:
    """The book of one moto ECS backend (one account and region)."""
    book = getattr(backend, _ATTRIBUTE, None)
    if book is None:
        book = Book()
        setattr(backend, _ATTRIBUTE, book)
    return book


def pace() -> float:
    """Seconds each stage lasts (ECSYNC_LOCAL_STAGE_SECONDS; unset or empty: 0)."""
    text = os.environ.get(PACE_VARIABLE, "").strip() or "0"
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < float("inf"):
        raise ValueError(
            f"{PACE_VARIABLE}={text!r} is not a number of seconds: set it to 0 (deployments "
            "finish at once) or more (each deployment stage lasts that long)."
        )
    return seconds


def forget(backend: Any, service_arn: str) -> None:
    """Drop a service's deployments and revisions ("Amazon ECS deletes the service
    revision when you delete a service")."""
    book = book_of(backend)
    for record in book.records.pop(service_arn, []):
        book.deployments.pop(record.arn, None)
        for revision in (record.target, *record.sources):
            book.revisions.pop(revision.arn, None)


def start(backend: Any, service: Any, *, forced: bool, now: datetime) -> Record | None:
    """Record the deployment that a CreateService or UpdateService started, if it started one.

    The service's deployments[0] holds what the request asked for (its
    deployment-level fields); the new record's revision is taken from it.
    """
    if (service.deployment_controller or {}).get("type", "ECS") != "ECS" or not service.deployments:
        return None
    book = book_of(backend)
    history = book.records.setdefault(service.arn, [])
    entry = copy.deepcopy(service.deployments[0])
    definition = backend.describe_task_definition(service.task_definition)
    content = _content(service, entry, definition)
    previous = history[-1] if history else None
    if previous is not None and not forced and previous.target.content == content:
        return None
    cluster, name = service.cluster_name, service.name
    prefix = f"arn:aws:ecs:{backend.region_name}:{backend.account_id}"
    revision = Revision(
        arn=f"{prefix}:service-revision/{cluster}/{name}/{revision_id()}",
        service_arn=service.arn,
        cluster_arn=service.cluster_arn,
        content=content,
        created_at=now,
        entry=entry,
    )
    book.revisions[revision.arn] = revision
    sources = previous.live(now) if previous is not None else ()
    restore = next((r.good(now) for r in reversed(history) if r.good(now)), None)
    if previous is not None and not previous.at(now).is_finished:
        previous.cut = now
    configuration = copy.deepcopy(getattr(service, "deployment_configuration", None) or {})
    fails = failing.never_healthy(definition.container_definitions)
    record = Record(
        arn=f"{prefix}:service-deployment/{cluster}/{name}/{deployment_id()}",
        service_arn=service.arn,
        cluster_arn=service.cluster_arn,
        created_at=now,
        pace=pace(),
        target=revision,
        sources=sources,
        configuration=configuration,
        settings=timeline.settings_of(
            configuration,
            reconcile=len(sources) > 1,
            fails=fails is not None,
            can_roll_back=restore is not None,
        ),
        failure=fails,
        restore=restore,
        ecs_id=entry["id"] if previous is None else ecs_deployment_id(),
        watch=alarms.watch_of(
            configuration, alarms.reader(backend.account_id, backend.region_name)
        ),
    )
    history.append(record)
    book.deployments[record.arn] = record
    return record


def _content(service: Any, entry: dict[str, Any], definition: Any) -> dict[str, Any]:
    """The ServiceRevision members (less ARNs and createdAt) of what the service now asks for."""
    content: dict[str, Any] = {"taskDefinition": definition.arn}
    strategy = getattr(service, "capacity_provider_strategy", None)
    if strategy:
        content["capacityProviderStrategy"] = copy.deepcopy(strategy)
    elif service.launch_type:
        content["launchType"] = service.launch_type
    content["loadBalancers"] = copy.deepcopy(service.load_balancers or [])
    content["serviceRegistries"] = copy.deepcopy(service.service_registries or [])
    for name in _ENTRY_FIELDS:
        if entry.get(name) is not None:
            content[name] = copy.deepcopy(entry[name])
    content["containerImages"] = [
        {"containerName": c.get("name"), "image": c.get("image")}
        for c in definition.container_definitions
    ]
    return content
