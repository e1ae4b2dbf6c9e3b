"""ECS service deployments and service revisions in the embedded AWS (moto has neither).

Every CreateService, and every UpdateService that changes what a service
revision records (or sets `forceNewDeployment`), starts a service deployment
with a new service revision; ListServiceDeployments,
DescribeServiceDeployments and DescribeServiceRevisions answer them, and
DescribeServices reports `currentServiceDeployment`,
`currentServiceRevisions` and `deployments[]` that agree with the record.

Nothing runs in the background: where a deployment stands is computed from
the clock on each read (`timeline`).

- **Pace.** Each lifecycle stage, and each minute of bake time, lasts
  `ECSYNC_LOCAL_STAGE_SECONDS` seconds (read when a deployment starts; unset
  or 0: a deployment has finished on first look, as `./dev local` and the
  tests expect). With `ECSYNC_LOCAL_STAGE_SECONDS=2`, a BLUE_GREEN deployment
  with `bakeTimeInMinutes: 3` goes PENDING, PRE_SCALE_UP, SCALE_UP, ...,
  BAKE_TIME for 6 seconds, CLEAN_UP, and is SUCCESSFUL after 24 seconds.
- **Failure.** A deployment fails only as it would on AWS: when an essential
  container of the new task definition can never run healthy
  (`healthCheck.command` `["CMD-SHELL", "exit 1"]` or `["CMD", "false"]`, or
  `command` `["false"]` or `["sh", "-c", "exit 1"]`: see `failing`).
  With `deploymentCircuitBreaker: {enable: true, rollback: true}` and a
  revision that completed before, it rolls back (ROLLBACK_IN_PROGRESS, then
  ROLLBACK_SUCCESSFUL; the service's task definition is restored and ECS's
  "rolling back to deployment" event written); with `rollback: false`, or on
  the service's first deployment, it is STOPPED, its deployment FAILED;
  without the circuit breaker it never ends, as ECS keeps replacing the
  failing tasks. The same holds for every strategy.
- **Alarms.** With `alarms: {enable: true, alarmNames: [...]}`, a deployment
  fails when one of the alarms is in ALARM in moto's CloudWatch (e.g. after
  `cloudwatch.set_alarm_state`) at a read of it from SCALE_UP on, bake time
  included; it then rolls back with `alarms.rollback` (and a completed
  revision), or is STOPPED. A deployment started while one of them is
  already in ALARM watches none (see `alarms`).
- **Lifecycle hooks** cannot run locally (no Lambda is invoked and nothing
  pauses): every hook is taken to succeed, and `lifecycleHookDetails` is
  not reported.

Modules: `failing` (the rule), `alarms` (the CloudWatch alarms a deployment
watches), `timeline` (stages over time, pure),
`records` (revisions, deployments and their API shapes), `book` (where they
are kept, and when a deployment starts), `view` (DescribeServices made to
agree). `ecsync_local.fixes.deployments` wires them into moto.
"""
