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
"""

from __future__ import annotations

import math
from dataclasses import dataclass

TRAFFIC_STRATEGIES = frozenset({"BLUE_GREEN", "LINEAR", "CANARY"})
FINISHED = frozenset({"SUCCESSFUL", "STOPPED", "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED"})
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


@dataclass(frozen=True)
class Phase:
    status: str
    stage: str | None
    units: float
    production: float = 0.0
    test: float = 0.0
    target_running: bool = False
    failing: bool = False


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

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED


def settings_of(
    configuration: dict[str, object], *, reconcile: bool, fails: bool, can_roll_back: bool
) -> Settings:
    """The Settings of a deploymentConfiguration (as DescribeServices reports it)."""
    strategy = str(configuration.get("strategy") or "ROLLING")
    breaker = configuration.get("deploymentCircuitBreaker")
    breaker = breaker if isinstance(breaker, dict) else {}
    return Settings(
        strategy=strategy,
        bake=_whole(configuration.get("bakeTimeInMinutes"), 0),
        steps=_steps(strategy, configuration),
        reconcile=reconcile,
        fails=fails,
        breaker=bool(breaker.get("enable")),
        rollback=bool(breaker.get("enable") and breaker.get("rollback") and can_roll_back),
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


def phases(settings: Settings) -> tuple[list[Phase], str]:
    """The phases a deployment goes through, and the status it ends in."""
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


def moment(settings: Settings, elapsed: float, cut: float | None = None) -> Moment:
    """Where the deployment stands `elapsed` units after it was created.

    `cut` is when a newer deployment of the service replaced it: if it had not
    finished by then, it ends STOPPED there.
    """
    run, end = phases(settings)
    now = elapsed if cut is None else min(elapsed, cut)
    start = 0.0
    failed: float | None = None
    for phase in run:
        if phase.failing and failed is None and phase.status == "IN_PROGRESS":
            failed = start + phase.units if math.isfinite(phase.units) else None
        if now < start + phase.units or math.isinf(phase.units):
            if cut is not None and elapsed >= cut:
                return _stopped(phase, start, cut, failed)
            share = min(1.0, (now - start) / phase.units) if phase.failing else 0.0
            if phase.status == "ROLLBACK_IN_PROGRESS":
                share = 1.0
            return Moment(
                status=phase.status,
                stage=phase.stage,
                production=phase.production,
                test=phase.test,
                target_running=phase.target_running,
                failing=phase.failing,
                updated=start,
                started=1.0 if now >= 1.0 else None,
                failed=failed if failed is not None and now >= failed else None,
                failure_share=share,
            )
        start += phase.units
    last = run[-1]
    shifted = end == "SUCCESSFUL" and settings.strategy in TRAFFIC_STRATEGIES
    return Moment(
        status=end,
        stage=None,
        production=100.0 if shifted else 0.0,
        test=100.0 if shifted else 0.0,
        target_running=end == "SUCCESSFUL",
        failing=last.failing,
        updated=start,
        started=1.0,
        finished=start,
        failed=failed,
        failure_share=1.0 if last.failing else 0.0,
    )


def _stopped(phase: Phase, start: float, cut: float, failed: float | None) -> Moment:
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
        failure_share=min(1.0, (cut - start) / phase.units) if phase.failing else 0.0,
    )
