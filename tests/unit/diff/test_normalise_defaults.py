"""What ECS and ECR fill in for task definitions, capacity providers and repositories
never shows as a difference, and a real change still does."""

from __future__ import annotations

from typing import Any

from controller.core.kinds import Kind
from controller.diff.compare import compare
from controller.diff.normalise import normalise, repository


def _paths(kind: Kind, desired: dict[str, Any], live: dict[str, Any]) -> list[str]:
    d, v = normalise(kind, desired), normalise(kind, live)
    return [c.path for c in compare(d, v, (set(d) | set(v)) - {"tags"})]


def _task(**fields: Any) -> dict[str, Any]:
    container = {"name": "app", "image": "app:1", **fields.pop("container", {})}
    return {"containerDefinitions": [container], **fields}


def test_fault_injection_false_equals_absent() -> None:
    """`enableFaultInjection: false`, which ECS returns when none was sent, equals absent."""
    assert _paths(Kind.TASK_DEFINITION, _task(), _task(enableFaultInjection=False)) == []


def test_fault_injection_true_differs() -> None:
    """Turning fault injection on is a change of `/enableFaultInjection`."""
    paths = _paths(Kind.TASK_DEFINITION, _task(), _task(enableFaultInjection=True))
    assert paths == ["/enableFaultInjection"]


def test_efs_defaults_equal_absent() -> None:
    """rootDirectory "/", transitEncryption and iam DISABLED mean what leaving them out means."""
    desired = _task(volumes=[{"name": "data", "efsVolumeConfiguration": {"fileSystemId": "fs-1"}}])
    live = _task(
        volumes=[
            {
                "name": "data",
                "efsVolumeConfiguration": {
                    "fileSystemId": "fs-1",
                    "rootDirectory": "/",
                    "transitEncryption": "DISABLED",
                    "authorizationConfig": {"iam": "DISABLED"},
                },
            }
        ]
    )
    assert _paths(Kind.TASK_DEFINITION, desired, live) == []


def test_efs_root_directory_change_differs() -> None:
    """A root directory other than "/" is a change at its exact path."""
    desired = _task(volumes=[{"name": "data", "efsVolumeConfiguration": {"fileSystemId": "fs-1"}}])
    live = _task(
        volumes=[
            {
                "name": "data",
                "efsVolumeConfiguration": {"fileSystemId": "fs-1", "rootDirectory": "/x"},
            }
        ]
    )
    assert _paths(Kind.TASK_DEFINITION, desired, live) == [
        "/volumes/0/efsVolumeConfiguration/rootDirectory"
    ]


def test_docker_volume_defaults_equal_absent() -> None:
    """A Docker volume's scope "task", driver "local" and autoprovision false are the defaults."""
    labels = {"app": "web"}
    desired = _task(volumes=[{"name": "scratch", "dockerVolumeConfiguration": {"labels": labels}}])
    live = _task(
        volumes=[
            {
                "name": "scratch",
                "dockerVolumeConfiguration": {
                    "scope": "task",
                    "driver": "local",
                    "autoprovision": False,
                    "labels": labels,
                },
            }
        ]
    )
    assert _paths(Kind.TASK_DEFINITION, desired, live) == []


def test_docker_volume_shared_scope_differs() -> None:
    """A shared scope is not the default."""
    desired = _task(volumes=[{"name": "v", "dockerVolumeConfiguration": {"driver": "local"}}])
    live = _task(
        volumes=[{"name": "v", "dockerVolumeConfiguration": {"driver": "local", "scope": "shared"}}]
    )
    assert _paths(Kind.TASK_DEFINITION, desired, live) == [
        "/volumes/0/dockerVolumeConfiguration/scope"
    ]


def test_version_consistency_enabled_equals_absent() -> None:
    """versionConsistency "enabled" is the documented default; "disabled" is a change."""
    assert (
        _paths(Kind.TASK_DEFINITION, _task(), _task(container={"versionConsistency": "enabled"}))
        == []
    )
    assert _paths(
        Kind.TASK_DEFINITION, _task(), _task(container={"versionConsistency": "disabled"})
    ) == ["/containerDefinitions/0/versionConsistency"]


def test_read_only_false_equals_absent() -> None:
    """Mount points and volumesFrom are writable unless `readOnly: true`."""
    desired = _task(
        container={
            "mountPoints": [{"sourceVolume": "v", "containerPath": "/v"}],
            "volumesFrom": [{"sourceContainer": "other"}],
        }
    )
    live = _task(
        container={
            "mountPoints": [{"sourceVolume": "v", "containerPath": "/v", "readOnly": False}],
            "volumesFrom": [{"sourceContainer": "other", "readOnly": False}],
        }
    )
    assert _paths(Kind.TASK_DEFINITION, desired, live) == []


def test_linux_capabilities_are_a_set() -> None:
    """The order of added or dropped capabilities does not matter; init false is the default."""
    desired = _task(
        container={"linuxParameters": {"capabilities": {"add": ["SYS_PTRACE", "NET_ADMIN"]}}}
    )
    live = _task(
        container={
            "linuxParameters": {
                "capabilities": {"add": ["NET_ADMIN", "SYS_PTRACE"], "drop": []},
                "initProcessEnabled": False,
                "devices": [],
                "tmpfs": [],
            }
        }
    )
    assert _paths(Kind.TASK_DEFINITION, desired, live) == []


def test_restart_period_default() -> None:
    """A restart policy without a period uses 300 seconds, as ECS reports it."""
    desired = _task(container={"restartPolicy": {"enabled": True}})
    live = _task(
        container={
            "restartPolicy": {"enabled": True, "ignoredExitCodes": [], "restartAttemptPeriod": 300}
        }
    )
    assert _paths(Kind.TASK_DEFINITION, desired, live) == []


def test_managed_instances_launch_template_defaults() -> None:
    """On-Demand capacity, basic monitoring and IMDS tags are the launch template's defaults;
    subnets and security groups are sets."""
    template: dict[str, Any] = {
        "ec2InstanceProfileArn": "arn:aws:iam::1:instance-profile/p",
        "networkConfiguration": {"subnets": ["subnet-b", "subnet-a"], "securityGroups": ["sg-1"]},
    }
    desired: dict[str, Any] = {
        "cluster": "prod",
        "managedInstancesProvider": {
            "infrastructureRoleArn": "arn:aws:iam::1:role/infra",
            "instanceLaunchTemplate": template,
        },
    }
    live: dict[str, Any] = {
        "cluster": "prod",
        "managedInstancesProvider": {
            "infrastructureRoleArn": "arn:aws:iam::1:role/infra",
            "instanceLaunchTemplate": {
                **template,
                "networkConfiguration": {
                    "subnets": ["subnet-a", "subnet-b"],
                    "securityGroups": ["sg-1"],
                },
                "capacityOptionType": "ON_DEMAND",
                "monitoring": "BASIC",
                "instanceMetadataTagsPropagation": True,
            },
        },
    }
    assert _paths(Kind.CAPACITY_PROVIDER, desired, live) == []
    live["managedInstancesProvider"]["instanceLaunchTemplate"]["capacityOptionType"] = "SPOT"
    assert _paths(Kind.CAPACITY_PROVIDER, desired, live) == [
        "/managedInstancesProvider/instanceLaunchTemplate/capacityOptionType"
    ]


def test_kms_key_id_equals_its_arn() -> None:
    """ECR reports the full key ARN for a key given by its id."""
    key = "1234abcd-12ab-34cd-56ef-1234567890ab"
    desired = {"encryptionConfiguration": {"encryptionType": "KMS", "kmsKey": key}}
    live = {
        "encryptionConfiguration": {
            "encryptionType": "KMS",
            "kmsKey": f"arn:aws:kms:us-east-1:123456789012:key/{key}",
        }
    }
    assert _paths(Kind.REPOSITORY, desired, live) == []


def test_lifecycle_tag_lists_are_sets() -> None:
    """The order of a lifecycle rule's tag prefixes does not matter."""
    rule = {"rulePriority": 1, "action": {"type": "expire"}}

    def policy(prefixes: list[str]) -> dict[str, Any]:
        selection = {
            "tagStatus": "tagged",
            "tagPrefixList": prefixes,
            "countType": "imageCountMoreThan",
        }
        return {
            "lifecyclePolicy": {"rules": [{**rule, "selection": {**selection, "countNumber": 5}}]}
        }

    assert _paths(Kind.REPOSITORY, policy(["v", "release"]), policy(["release", "v"])) == []


def test_kms_alias_names_the_live_key_only_when_it_targets_it() -> None:
    """An alias (by name or alias ARN) stands for the live key only when ListAliases says it
    targets that key; any other key is a real change."""
    key = "1234abcd-12ab-34cd-56ef-1234567890ab"
    live = {"encryptionConfiguration": {"kmsKey": f"arn:aws:kms:us-east-1:1:key/{key}"}}
    targets = {"alias/images": key, "alias/other": "0987dcba"}
    for written in ("alias/images", "arn:aws:kms:us-east-1:1:alias/images"):
        desired = {"encryptionConfiguration": {"encryptionType": "KMS", "kmsKey": written}}
        assert repository.alias_of_live_key(desired, live, targets) == written
    other = {"encryptionConfiguration": {"kmsKey": "alias/other"}}
    assert repository.alias_of_live_key(other, live, targets) is None
    unknown = {"encryptionConfiguration": {"kmsKey": "alias/missing"}}
    assert repository.alias_of_live_key(unknown, live, targets) is None
    by_id = {"encryptionConfiguration": {"kmsKey": key}}
    assert repository.alias_of_live_key(by_id, live, targets) is None


def test_configured_at_launch_false_equals_absent() -> None:
    """A volume not configured at launch may say so or not; true is a change."""
    desired = _task(volumes=[{"name": "data", "host": {"sourcePath": "/data"}}])
    live = _task(
        volumes=[{"name": "data", "host": {"sourcePath": "/data"}, "configuredAtLaunch": False}]
    )
    assert _paths(Kind.TASK_DEFINITION, desired, live) == []
    live["volumes"][0]["configuredAtLaunch"] = True
    assert _paths(Kind.TASK_DEFINITION, desired, live) == ["/volumes/0/configuredAtLaunch"]


def test_empty_deployment_configuration_means_the_defaults() -> None:
    """`deploymentConfiguration: {}` equals ECS's 200/100 answer; a real percentage differs."""
    sent = {"taskDefinition": "web:1", "deploymentConfiguration": {}}
    answered = {"maximumPercent": 200, "minimumHealthyPercent": 100}
    changed = {"maximumPercent": 150, "minimumHealthyPercent": 100}

    same = normalise(Kind.SERVICE, sent) == normalise(
        Kind.SERVICE, {**sent, "deploymentConfiguration": answered}
    )
    paths = _paths(Kind.SERVICE, sent, {**sent, "deploymentConfiguration": changed})

    assert same
    assert paths == ["/deploymentConfiguration/maximumPercent"]


def test_empty_exec_command_configuration_means_default_logging() -> None:
    """`executeCommandConfiguration: {}` equals ECS's `logging: DEFAULT` answer; NONE differs."""
    sent: dict[str, Any] = {"configuration": {"executeCommandConfiguration": {}}}

    def answered(logging: str) -> dict[str, Any]:
        return {"configuration": {"executeCommandConfiguration": {"logging": logging}}}

    assert _paths(Kind.CLUSTER, sent, answered("DEFAULT")) == []
    assert _paths(Kind.CLUSTER, sent, answered("NONE")) == [
        "/configuration/executeCommandConfiguration/logging"
    ]


def test_empty_exec_log_configuration_means_encryption_off() -> None:
    """`logConfiguration: {}` equals ECS's answer with both encryption flags false."""
    execute: dict[str, Any] = {"logging": "OVERRIDE", "logConfiguration": {}}
    sent = {"configuration": {"executeCommandConfiguration": execute}}
    flags = {"cloudWatchEncryptionEnabled": False, "s3EncryptionEnabled": True}
    answered = {
        "configuration": {
            "executeCommandConfiguration": {**execute, "logConfiguration": flags},
        }
    }

    assert _paths(Kind.CLUSTER, sent, answered) == [
        "/configuration/executeCommandConfiguration/logConfiguration/s3EncryptionEnabled"
    ]
    flags["s3EncryptionEnabled"] = False
    assert _paths(Kind.CLUSTER, sent, answered) == []
