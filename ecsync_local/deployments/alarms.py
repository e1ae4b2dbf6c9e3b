"""CloudWatch alarms that fail a service deployment, read from moto's CloudWatch in-process.

AWS's rule ("How CloudWatch alarms detect Amazon ECS deployment failures",
ECS Developer Guide; ECS API Reference, DeploymentAlarms and
ServiceDeploymentAlarms): with `deploymentConfiguration.alarms.enable`,
ECS fails the deployment when any of `alarmNames` moves to the ALARM state
while it runs, bake time included, and with `rollback` rolls back to the last
completed deployment. ECS polls the alarms with DescribeAlarms; the stand-in
looks at them whenever the deployment is read, so an alarm that goes to ALARM
and back to OK between two reads is missed, as a throttled poll misses it on
AWS.

"If an alarm is in 'In alarm' state at the beginning of a deployment, Amazon
ECS will NOT monitor alarms for the duration of that deployment" (AWS Copilot
docs, `deployment.rollback_alarms`; aws/copilot-cli#4512), so that a fix for
what is alarming can still be deployed: such a deployment reports the alarms
DISABLED ("Amazon ECS is not using alarms for service deployment failures
when the status is DISABLED"). An alarm name CloudWatch does not know never
fails a deployment.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from moto.cloudwatch.models import cloudwatch_backends

Reader = Callable[[Sequence[str]], Mapping[str, str]]
"""Alarm names to the state (OK, ALARM, INSUFFICIENT_DATA) of those CloudWatch knows."""


@dataclass
class Watch:
    """The alarms one deployment watches, and what they did to it."""

    names: tuple[str, ...]
    read: Reader
    ignored: bool = False
    """An alarm was in ALARM when the deployment started: none is watched."""
    tripped: datetime | None = None
    """When the stand-in first saw one of them in ALARM while watching."""
    triggered: tuple[str, ...] = ()

    def firing(self) -> tuple[str, ...]:
        """The watched alarms in ALARM now, in configuration order."""
        states = self.read(self.names)
        return tuple(name for name in self.names if states.get(name) == "ALARM")

    def reason(self) -> str:
        return ", ".join(self.triggered)


def reader(account_id: str, region: str) -> Reader:
    """Read alarm states from moto's CloudWatch backend of this account and region."""

    def read(names: Sequence[str]) -> Mapping[str, str]:
        backend: Any = cloudwatch_backends[account_id][region]
        return {alarm.name: alarm.state_value for alarm in backend.get_alarms_by_alarm_names(names)}

    return read


def watch_of(configuration: Mapping[str, Any], read: Reader) -> Watch | None:
    """The Watch of a deploymentConfiguration, or None when its alarms are not enabled."""
    alarms = configuration.get("alarms") or {}
    names = tuple(str(name) for name in alarms.get("alarmNames") or ())
    if not alarms.get("enable") or not names:
        return None
    watch = Watch(names=names, read=read)
    watch.ignored = bool(watch.firing())
    return watch
