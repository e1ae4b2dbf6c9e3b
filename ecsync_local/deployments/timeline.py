"""The stage progression of one service deployment, as a pure function of elapsed time.

Time is counted in *units*: each lifecycle stage lasts one unit, and so does
each minute of bake time (`bakeTimeInMinutes`, a LINEAR step's
`stepBakeTimeInMinutes`, a CANARY's `canaryBakeTimeInMinutes`). The stand-in
turns seconds into units with `ECSYNC_LOCAL_STAGE_SECONDS`; at 0 every
deployment has run its course on first look.

The sequence follows the ECS Developer Guide ("Amazon ECS blue/green service
deployments workflow", "Lifecycle hooks for Amazon ECS service deployments")
and the ECS API Reference (ServiceDeployment.lifecycleStage,
LinearConfiguration, CanaryConfiguration):

- PENDING ("created, but has not started"), with no stage;
- RECONCILE_SERVICE, only when more than one revision was live as it started;
- PRE_SCALE_UP, SCALE_UP, POST_SCALE_UP;
- BLUE_GREEN, LINEAR and CANARY only: TEST_TRAFFIC_SHIFT and
  POST_TEST_TRAFFIC_SHIFT (the target takes 100% of test traffic), then
  PRODUCTION_TRAFFIC_SHIFT in steps (BLUE_GREEN: 100% at once; LINEAR:
  `stepPercent`, default 10, each step followed by its bake, none after
  100%; CANARY: `canaryPercent`, default 5, its bake, then 100%),
  POST_PRODUCTION_TRAFFIC_SHIFT, BAKE_TIME (`bakeTimeInMinutes`);
- CLEAN_UP, then SUCCESSFUL.

ROLLING goes from the scale-up stages straight to CLEAN_UP: it shifts no
traffic (the stages ROLLING reports are not documented; these are the ones
its pause hooks can stop at). A finished deployment reports no stage, as in
aws-cli's `describe-service-deployments` example.

Failure: when the target's tasks never run healthy they fail during
SCALE_UP. With the circuit breaker on, its threshold is reached at the end
of SCALE_UP; then, with `rollback` and a revision that completed before
("The rollback method requires a previous deployment in COMPLETED state",
ECS Developer Guide, "deployment failure detection"), ROLLBACK_IN_PROGRESS
for one unit and ROLLBACK_SUCCESSFUL; otherwise STOPPED. Without the circuit
breaker ECS keeps replacing the failing tasks: the deployment never ends.

An alarm (`alarms`) can fail a deployment at any moment `tripped` from
SCALE_UP on, while it is IN_PROGRESS: it stops there, then, with the alarms'
`rollback` and a completed revision, rolls back (ROLLBACK_IN_PROGRESS for one
unit, ROLLBACK_SUCCESSFUL), otherwise it is STOPPED with what ran still
running. Whichever of the circuit breaker and the alarms fails it first
decides, and the rollback is that method's ("A rollback occurs when you use
the rollback option for the method that initiated the deployment failure",
ECS Developer Guide, "CloudWatch alarms").
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

TRAFFIC_STRATEGIES = frozenset({"BLUE_GREEN", "LINEAR", "CANARY"})
FINISHED = frozenset({"SUCCESSFUL", "STOPPED", "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED"})
UNWATCHED_STAGES = frozenset({None, "RECONCILE_SERVICE", "PRE_SCALE_UP"})
"""Stages before any new task runs: alarms are looked at from SCALE_UP on ("Amazon ECS
starts monitoring the list of configured CloudWatch alarms as soon as one or more tasks
of the updated service are running", AWS Containers blog, "Automate rollbacks for Amazon
ECS rolling deployments with CloudWatch alarms")."""
BREAKER, ALARMS = "circuit breaker", "alarms"
"""What failed a deployment."""
LINEAR_STEP, LINEAR_BAKE = 10.0, 6
CANARY_PERCENT, CANARY_BAKE = 5.0, 10
"""API Reference defaults: LinearConfiguration ("The default value is 10.0", "is 6"),
CanaryConfiguration ("The default value is 5.0", "is 10")."""


@dataclass(frozen=True)
class Settings:
    """What decides a deployment's course, read from its deploymentConfiguration."""

    strategy: str = "ROLLING"
    bake: int = 0
    steps: tuple[tuple[float, int], ...] = ((100.0, 0),)
    """Production traffic steps: the target's weight, then the bake (units) after it."""
    reconcile: bool = False
    fails: bool = False
    breaker: bool = False
    rollback: bool = False
    """The circuit breaker rolls back, and there is a completed revision to go back to."""
    alarm_rollback: bool = False
    """The alarms roll back, and there is a completed revision to go back to."""


@dataclass(frozen=True)
class Phase:
    status: str
    stage: str | None
    units: float
    production: float = 0.0
    test: float = 0.0
    target_running: bool = False
    failing: bool = False
    trips: bool = False
    """An alarm fails the deployment at the end of this phase."""
    span: float | None = None
    """Units over which failing tasks reach the circuit breaker's threshold, when not `units`."""


@dataclass(frozen=True)
class Moment:
    """Where a deployment stands; times are in units since it was created."""

    status: str
    stage: str | None
    production: float
    test: float
    target_running: bool
    failing: bool
    updated: float
    started: float | None = None
    finished: float | None = None
    failed: float | None = None
    """When the circuit breaker's threshold was reached."""
    failure_share: float = 0.0
    """How far the failures have come towards the threshold, 0 to 1."""
    cause: str | None = None
    """What failed it (BREAKER or ALARMS), once it failed."""

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED

    @property
    def watched(self) -> bool:
        """Whether an alarm going off now fails the deployment."""
        return self.status == "IN_PROGRESS" and self.stage not in UNWATCHED_STAGES


def settings_of(
    configuration: dict[str, object], *, reconcile: bool, fails: bool, can_roll_back: bool
) -> Settings:
    """The Settings of a deploymentConfiguration (as DescribeServices reports it)."""
    strategy = str(configuration.get("strategy") or "ROLLING")
    breaker = configuration.get("deploymentCircuitBreaker")
    breaker = breaker if isinstance(breaker, dict) else {}
    alarms = configuration.get("alarms")
    alarms = alarms if isinstance(alarms, dict) else {}
    return Settings(
        strategy=strategy,
        bake=_whole(configuration.get("bakeTimeInMinutes"), 0),
        steps=_steps(strategy, configuration),
        reconcile=reconcile,
        fails=fails,
        breaker=bool(breaker.get("enable")),
        rollback=bool(breaker.get("enable") and breaker.get("rollback") and can_roll_back),
        alarm_rollback=bool(alarms.get("enable") and alarms.get("rollback") and can_roll_back),
    )


def _steps(strategy: str, configuration: dict[str, object]) -> tuple[tuple[float, int], ...]:
    if strategy == "LINEAR":
        linear = configuration.get("linearConfiguration")
        linear = linear if isinstance(linear, dict) else {}
        step = float(linear.get("stepPercent") or LINEAR_STEP)
        bake = _whole(linear.get("stepBakeTimeInMinutes"), LINEAR_BAKE)
        count = math.ceil(100.0 / step - 1e-9)
        weights = [min(100.0, round(step * n, 1)) for n in range(1, count + 1)]
        return tuple((weight, 0 if weight >= 100.0 else bake) for weight in weights)
    if strategy == "CANARY":
        canary = configuration.get("canaryConfiguration")
        canary = canary if isinstance(canary, dict) else {}
        percent = float(canary.get("canaryPercent") or CANARY_PERCENT)
        bake = _whole(canary.get("canaryBakeTimeInMinutes"), CANARY_BAKE)
        return ((percent, bake), (100.0, 0)) if percent < 100.0 else ((100.0, 0),)
    return ((100.0, 0),)


def _whole(value: object, default: int) -> int:
    return max(0, int(value)) if isinstance(value, int | float) else default


def phases(settings: Settings, tripped: float | None = None) -> tuple[list[Phase], str]:
    """The phases a deployment goes through, and the status it ends in, when an alarm
    failed it `tripped` units after creation (None: no alarm did)."""
    run, end = _course(settings)
    if tripped is None:
        return run, end
    start = 0.0
    for index, phase in enumerate(run):
        if phase.status not in ("PENDING", "IN_PROGRESS"):
            break
        if tripped < start + phase.units:
            if phase.stage in UNWATCHED_STAGES:
                break
            stop = replace(phase, units=tripped - start, trips=True, span=phase.span or phase.units)
            if not settings.alarm_rollback:
                return [*run[:index], stop], "STOPPED"
            back = Phase("ROLLBACK_IN_PROGRESS", phase.stage, 1, failing=phase.failing)
            return [*run[:index], stop, back], "ROLLBACK_SUCCESSFUL"
        start += phase.units
    return run, end


def _course(settings: Settings) -> tuple[list[Phase], str]:
    """The phases a deployment goes through when no alarm fails it."""
    run = [Phase("PENDING", None, 1)]
    if settings.reconcile:
        run.append(Phase("IN_PROGRESS", "RECONCILE_SERVICE", 1))
    run.append(Phase("IN_PROGRESS", "PRE_SCALE_UP", 1))
    if settings.fails:
        if not settings.breaker:
            run.append(Phase("IN_PROGRESS", "SCALE_UP", math.inf, failing=True))
            return run, "IN_PROGRESS"
        run.append(Phase("IN_PROGRESS", "SCALE_UP", 1, failing=True))
        if not settings.rollback:
            return run, "STOPPED"
        run.append(Phase("ROLLBACK_IN_PROGRESS", "SCALE_UP", 1, failing=True))
        return run, "ROLLBACK_SUCCESSFUL"
    run.append(Phase("IN_PROGRESS", "SCALE_UP", 1))
    run.append(_up("POST_SCALE_UP", test=0.0))
    if settings.strategy in TRAFFIC_STRATEGIES:
        run += [_up("TEST_TRAFFIC_SHIFT"), _up("POST_TEST_TRAFFIC_SHIFT")]
        run += [_up("PRODUCTION_TRAFFIC_SHIFT", 1 + bake, w) for w, bake in settings.steps]
        run.append(_up("POST_PRODUCTION_TRAFFIC_SHIFT", production=100.0))
        if settings.bake:
            run.append(_up("BAKE_TIME", settings.bake, 100.0))
        run.append(_up("CLEAN_UP", production=100.0))
    else:
        run.append(_up("CLEAN_UP", test=0.0))
    return run, "SUCCESSFUL"


def _up(stage: str, units: float = 1, production: float = 0.0, test: float = 100.0) -> Phase:
    """A phase once the target's tasks run."""
    return Phase("IN_PROGRESS", stage, units, production, test, target_running=True)


def moment(
    settings: Settings, elapsed: float, cut: float | None = None, tripped: float | None = None
) -> Moment:
    """Where the deployment stands `elapsed` units after it was created.

    `cut` is when a newer deployment of the service replaced it: if it had not
    finished by then, it ends STOPPED there. `tripped` is when an alarm failed it.
    """
    run, end = phases(settings, tripped)
    now = elapsed if cut is None else min(elapsed, cut)
    start = 0.0
    failed: float | None = None
    cause: str | None = None
    for phase in run:
        if (phase.failing or phase.trips) and failed is None and phase.status == "IN_PROGRESS":
            failed = start + phase.units if math.isfinite(phase.units) else None
            cause = ALARMS if phase.trips else BREAKER
        if now < start + phase.units or math.isinf(phase.units):
            if cut is not None and elapsed >= cut:
                return _stopped(phase, start, cut, failed, cause)
            share = _share(phase, now - start)
            if phase.status == "ROLLBACK_IN_PROGRESS":
                share = 1.0 if phase.failing else 0.0
            has_failed = failed is not None and now >= failed
            return Moment(
                status=phase.status,
                stage=phase.stage,
                production=phase.production,
                test=phase.test,
                target_running=phase.target_running,
                failing=phase.failing,
                updated=start,
                started=1.0 if now >= 1.0 else None,
                failed=failed if has_failed else None,
                failure_share=share,
                cause=cause if has_failed else None,
            )
        start += phase.units
    last = run[-1]
    shifted = end == "SUCCESSFUL" and settings.strategy in TRAFFIC_STRATEGIES
    # Stopped by an alarm, what ran keeps running where the traffic was ("A deployment in a
    # FAILED state won't launch any new tasks"); failed tasks never ran.
    kept = end == "STOPPED" and last.trips and last.target_running and not last.failing
    production = 100.0 if shifted else last.production if kept else 0.0
    return Moment(
        status=end,
        stage=None,
        production=production,
        test=100.0 if shifted else last.test if kept else 0.0,
        target_running=end == "SUCCESSFUL" or kept,
        failing=last.failing,
        updated=start,
        started=1.0,
        finished=start,
        failed=failed,
        failure_share=_share(last, last.units) if last.trips else 1.0 if last.failing else 0.0,
        cause=cause,
    )


def _share(phase: Phase, into: float) -> float:
    """How far failing tasks have come towards the threshold `into` units into the phase."""
    if not phase.failing:
        return 0.0
    span = phase.span or phase.units
    return min(1.0, into / span) if span else 1.0


def _stopped(
    phase: Phase, start: float, cut: float, failed: float | None, cause: str | None
) -> Moment:
    return Moment(
        status="STOPPED",
        stage=None,
        production=0.0,
        test=0.0,
        target_running=False,
        failing=phase.failing,
        updated=cut,
        started=1.0 if cut >= 1.0 else None,
        finished=cut,
        failed=failed if failed is not None and cut >= failed else None,
        failure_share=_share(phase, cut - start),
        cause=cause if failed is not None and cut >= failed else None,
    )
