"""Apply, then plan, is empty: a property over generated specs of every kind.

Each example is one small stack: the kind under test and what it refers to.
It is written as YAML and loaded (so the spec models judge it), applied to a
freshly reset moto server with the sandbox seeded, and planned again. The
strategies are written by hand and produce only specs that AWS accepts. When
an example fails, the fix belongs in the normalisers (or, where moto differs
from AWS, in a documented workaround here), never in a narrower strategy.
"""

from __future__ import annotations

import string
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ecsync_local as local
from controller.aws.clients import Aws
from controller.aws.taskdef_cache import TaskDefinitionCache
from controller.core.kinds import API_VERSION, Kind
from controller.diff.compare import compare
from controller.diff.normalise import normalise
from controller.manifests.loader import LoadResult, load
from controller.reconcile import observe
from tests.support import server
from tests.support.stacks import assert_converges

EXAMPLES = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
ACCOUNT, REGION = "123456789012", "us-east-1"
CLUSTER, FAMILY, SERVICE, PROVIDER = "roundtrip", "roundtrip-web", "web", "roundtrip-ec2"
Spec = dict[str, Any]


def _strategy(value: Any) -> st.SearchStrategy[Any]:
    return value if isinstance(value, st.SearchStrategy) else st.just(value)


def record(required: Spec | None = None, **optional: Any) -> st.SearchStrategy[Spec]:
    """A mapping with every key of `required` and any subset of `optional`.

    Values are strategies, or plain values that stand for themselves.
    """
    return st.fixed_dictionaries(
        {k: _strategy(v) for k, v in (required or {}).items()},
        optional={k: _strategy(v) for k, v in optional.items()},
    )


def unique(of: st.SearchStrategy[Spec], key: str, min_size: int = 0) -> st.SearchStrategy[Any]:
    """Up to 3 mappings, no two with the same `key` (names ECS keys a list by)."""
    return st.lists(of, min_size=min_size, max_size=3, unique_by=lambda item: item[key])


TEXT = st.text(string.ascii_letters + string.digits + " _.:/=+-@", max_size=12)
TAGS = st.dictionaries(
    st.sampled_from(["team", "env", "cost-center", "owner", "app:tier", "Name"]), TEXT, max_size=3
)
KMS_KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
KMS_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{KMS_KEY_ID}"
SECRET_ARN = st.sampled_from(
    [
        f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:acme/db-AbCdEf",
        f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/acme/api-key",
    ]
)


@st.composite
def strategy_items(draw: st.DrawFn, providers: list[str]) -> list[Spec]:
    """A capacity provider strategy over `providers`: one base at most, some weight > 0."""
    chosen = draw(st.lists(st.sampled_from(providers), min_size=1, unique=True))
    with_base = draw(st.sampled_from([None, *chosen]))
    items = [{"capacityProvider": chosen[0], "weight": draw(st.integers(1, 5))}]
    items += [{"capacityProvider": p, **draw(record(weight=st.integers(0, 5)))} for p in chosen[1:]]
    for item in items:
        if item["capacityProvider"] == with_base:
            item["base"] = draw(st.integers(0, 3))
    return draw(st.permutations(items))


# --- Repository --------------------------------------------------------------

EXPIRE = {"type": "expire"}
LIFECYCLE_SELECTION = st.one_of(
    record(
        {
            "tagStatus": "untagged",
            "countType": "sinceImagePushed",
            "countUnit": "days",
            "countNumber": st.integers(1, 90),
        }
    ),
    record(
        {
            "tagStatus": "tagged",
            "tagPrefixList": st.lists(
                st.sampled_from(["v", "release-", "rc"]), min_size=1, max_size=2, unique=True
            ),
            "countType": "imageCountMoreThan",
            "countNumber": st.integers(1, 100),
        }
    ),
)


@st.composite
def lifecycle_policies(draw: st.DrawFn) -> Spec:
    """1-3 rules with distinct priorities in any order; a catch-all `any` rule comes last."""
    selections = draw(st.lists(LIFECYCLE_SELECTION, min_size=1, max_size=3))
    priorities = draw(
        st.lists(st.integers(1, 50), min_size=len(selections), max_size=3, unique=True)
    )
    described = record(description=st.sampled_from(["Expire old images", "Keep releases"]))
    rules = [
        {"rulePriority": p, **draw(described), "selection": s, "action": EXPIRE}
        for p, s in zip(priorities, selections, strict=False)
    ]
    if draw(st.booleans()):
        everything = {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 500}
        rules.append({"rulePriority": 99, "selection": everything, "action": EXPIRE})
    return {"rules": draw(st.permutations(rules))}


ECR_ACTION = st.sampled_from(
    ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
)
PRINCIPAL = st.sampled_from(
    ["arn:aws:iam::210987654321:root", f"arn:aws:iam::{ACCOUNT}:role/ci-builder"]
)
STATEMENT = record(
    {
        "Effect": st.sampled_from(["Allow", "Deny"]),
        # IAM takes a single principal or action where it means a one-item list.
        "Principal": st.one_of(
            st.just("*"),
            record({"AWS": st.one_of(PRINCIPAL, st.lists(PRINCIPAL, min_size=1, unique=True))}),
        ),
        "Action": st.one_of(ECR_ACTION, st.lists(ECR_ACTION, min_size=1, unique=True)),
    },
    Condition={"StringEquals": {"aws:PrincipalOrgID": "o-abcdef1234"}},
)


@st.composite
def repository_policies(draw: st.DrawFn) -> Spec:
    """An IAM policy; a lone statement is sometimes written as a mapping, as IAM allows."""
    statements = draw(st.lists(STATEMENT, min_size=1, max_size=3))
    numbered: list[Spec] = [{"Sid": f"Statement{i}", **s} for i, s in enumerate(statements)]
    lone = len(numbered) == 1 and draw(st.booleans())
    return {"Version": "2012-10-17", "Statement": numbered[0] if lone else numbered}


REPOSITORY = record(
    imageTagMutability=st.sampled_from(["MUTABLE", "IMMUTABLE"]),
    imageScanningConfiguration=record(scanOnPush=st.booleans()),
    encryptionConfiguration=st.one_of(
        st.just({"encryptionType": "AES256"}),
        # By ARN, by key id (ECR reports the ARN), or none (the AWS managed key aws/ecr).
        record({"encryptionType": "KMS"}, kmsKey=st.sampled_from([KMS_KEY, KMS_KEY_ID])),
    ),
    lifecyclePolicy=lifecycle_policies(),
    repositoryPolicy=repository_policies(),
    tags=TAGS,
)


# --- Cluster -----------------------------------------------------------------

EXECUTE_COMMAND = st.one_of(
    record(kmsKeyId=KMS_KEY, logging=st.sampled_from(["NONE", "DEFAULT"])),
    record(
        {
            "logging": "OVERRIDE",
            "logConfiguration": record(
                cloudWatchLogGroupName="/ecs/exec/roundtrip",
                cloudWatchEncryptionEnabled=st.booleans(),
                s3BucketName="acme-exec-logs",
                s3EncryptionEnabled=st.booleans(),
                s3KeyPrefix="exec/",
            ),
        },
        kmsKeyId=KMS_KEY,
    ),
)


@st.composite
def clusters(draw: st.DrawFn) -> Spec:
    """A cluster with any of its optional parts; the default strategy uses attached providers."""
    insights = record(
        {"name": "containerInsights", "value": st.sampled_from(["enabled", "disabled", "enhanced"])}
    )
    spec = draw(
        record(
            settings=st.lists(insights, max_size=1),
            configuration=record(
                executeCommandConfiguration=EXECUTE_COMMAND,
                managedStorageConfiguration=record(
                    kmsKeyId=KMS_KEY, fargateEphemeralStorageKmsKeyId=KMS_KEY
                ),
            ),
            serviceConnectDefaults={"namespace": "roundtrip.local"},
            tags=TAGS,
        )
    )
    attached = draw(st.lists(st.sampled_from(["FARGATE", "FARGATE_SPOT"]), unique=True))
    written, with_default = draw(st.booleans()), draw(st.booleans())
    if attached or written:  # `capacityProviders: []` is a valid way to say "none"
        spec["capacityProviders"] = attached
    if attached and with_default:
        spec["defaultCapacityProviderStrategy"] = draw(strategy_items(attached))
    return spec


# --- CapacityProvider --------------------------------------------------------


def capacity_providers(sandbox: local.Sandbox) -> st.SearchStrategy[Spec]:
    """An Auto Scaling group provider on the sandbox group (named by ARN or by name)."""
    scaling = record(
        status=st.sampled_from(["ENABLED", "DISABLED"]),
        targetCapacity=st.integers(1, 100),
        minimumScalingStepSize=st.integers(1, 10),
        maximumScalingStepSize=st.integers(10, 1000),
        instanceWarmupPeriod=st.integers(0, 600),
    )
    group = st.sampled_from([sandbox.asg_arn, sandbox.asg_name])
    provider = record(
        {"autoScalingGroupArn": group},
        managedScaling=scaling,
        # ENABLED needs scale-in protection on the group, which the sandbox group lacks.
        managedTerminationProtection="DISABLED",
        managedDraining=st.sampled_from(["ENABLED", "DISABLED"]),
    )
    return record({"autoScalingGroupProvider": provider}, tags=TAGS)


# --- TaskDefinition ----------------------------------------------------------

GHCR_IMAGE = "ghcr.io/acme/worker:2.3.1"
IMAGE = st.sampled_from(
    [
        "nginx:1.27",
        "docker.io/library/redis:7-alpine",
        GHCR_IMAGE,
        # preflight passes it because the stack creates the repository (see the test)
        f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/acme/web:v1.8.0",
        "public.ecr.aws/acme/agent@sha256:" + "ab" * 32,
    ]
)
EXECUTION_ROLE = f"arn:aws:iam::{ACCOUNT}:role/acme-ecs-execution"  # ECS needs the ARN here
TASK_ROLE = st.sampled_from(["acme-web-task", f"arn:aws:iam::{ACCOUNT}:role/acme-web-task"])
NEEDS_EXECUTION_ROLE = ("secrets", "logConfiguration", "environmentFiles", "repositoryCredentials")
FARGATE_SIZES = st.sampled_from(
    [("256", "512"), ("512", "1024"), ("1024", "2048"), ("1 vCPU", "2 GB"), ("2048", "4 GB")]
)
ENV_NAMES = st.sampled_from(["PORT", "LOG_LEVEL", "APP_ENV", "API_TOKEN", "FEATURE_FLAGS"])
HEALTH_CHECK = record(
    {"command": ["CMD-SHELL", "curl -fsS http://localhost/healthz || exit 1"]},
    interval=st.integers(5, 300),
    timeout=st.integers(2, 60),
    retries=st.integers(1, 10),
    startPeriod=st.integers(0, 300),
)
LOG_CONFIGURATION = st.one_of(
    record(
        {
            "logDriver": "awslogs",
            "options": record(
                {
                    "awslogs-group": "/ecs/roundtrip",
                    "awslogs-region": REGION,
                    "awslogs-stream-prefix": st.sampled_from(["app", "proxy"]),
                },
                **{"awslogs-create-group": "true"},
            ),
        }
    ),
    record(
        {
            "logDriver": "splunk",
            "options": {"splunk-url": "https://splunk.acme.internal:8088"},
            "secretOptions": unique(
                record(
                    {
                        "name": st.sampled_from(["splunk-token", "splunk-ca"]),
                        "valueFrom": SECRET_ARN,
                    }
                ),
                "name",
                min_size=1,
            ),
        }
    ),
)


@st.composite
def ulimits(draw: st.DrawFn, names: list[str]) -> list[Spec]:
    """Up to two of the `names` limits, each soft limit at most its hard limit."""
    limits = []
    for name in draw(st.lists(st.sampled_from(names), unique=True, max_size=2)):
        soft = draw(st.integers(0, 65536))
        limits.append(
            {"name": name, "softLimit": soft, "hardLimit": draw(st.integers(soft, 65536))}
        )
    return limits


@st.composite
def port_mappings(draw: st.DrawFn, index: int, container: str, mode: str) -> list[Spec]:
    """Ports distinct across containers; hostPort as the network mode allows it."""
    ports = draw(
        st.lists(
            st.sampled_from(range(8000 + 100 * index, 8004 + 100 * index)), unique=True, max_size=2
        )
    )
    mappings = []
    for port in ports:
        protocol = draw(st.sampled_from([None, "tcp", "udp"]))
        host = draw(st.sampled_from([None, 0, port + 10000] if mode == "bridge" else [None, port]))
        mapping: Spec = {"containerPort": port}
        mapping |= {"protocol": protocol} if protocol else {}
        mapping |= {"hostPort": host} if host is not None else {}
        if draw(st.booleans()):  # named, as Service Connect needs; appProtocol needs a name
            mapping["name"] = f"{container}-{port}"
            if protocol != "udp":
                mapping |= draw(record(appProtocol=st.sampled_from(["http", "http2", "grpc"])))
        mappings.append(mapping)
    return mappings


def _conditions(container: Spec) -> list[str]:
    """What AWS lets a container wait for: HEALTHY needs a health check there, COMPLETE
    and SUCCESS a container that is not essential."""
    allowed = ["START"]
    allowed += ["HEALTHY"] if "healthCheck" in container else []
    allowed += ["COMPLETE", "SUCCESS"] if container.get("essential") is False else []
    return allowed


@st.composite
def containers(
    draw: st.DrawFn, earlier: list[Spec], volumes: list[str], mode: str, ec2: bool
) -> Spec:
    """Container number `len(earlier)`; it may depend on, and take volumes from, the earlier ones."""
    index = len(earlier)
    name = ["app", "proxy", "sidecar"][index]
    spec: Spec = {"name": name, "image": draw(IMAGE)}
    if spec["image"] == GHCR_IMAGE:
        spec |= draw(
            record(
                repositoryCredentials={
                    "credentialsParameter": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:ghcr-pull-Ab12Cd"
                }
            )
        )
    spec |= draw(
        record(
            cpu=st.integers(0, 256),
            command=["serve", "--port", "8080"],
            entryPoint=["/usr/bin/env"],
            workingDirectory="/srv",
            environment=unique(record({"name": ENV_NAMES, "value": TEXT}), "name"),
            environmentFiles=[{"value": "arn:aws:s3:::acme-config/app.env", "type": "s3"}],
            secrets=unique(
                record(
                    {
                        "name": st.sampled_from(["DATABASE_URL", "SESSION_KEY"]),
                        "valueFrom": SECRET_ARN,
                    }
                ),
                "name",
            ),
            healthCheck=HEALTH_CHECK,
            logConfiguration=LOG_CONFIGURATION,
            ulimits=ulimits(["nofile", "nproc", "core", "memlock"] if ec2 else ["nofile"]),
            readonlyRootFilesystem=st.booleans(),
            stopTimeout=st.integers(2, 120),
            dockerLabels=st.dictionaries(
                st.sampled_from(["com.acme.team", "tier"]), TEXT, max_size=2
            ),
            linuxParameters=record(initProcessEnabled=st.booleans()),
        )
    )
    if mode != "awsvpc":  # neither is supported with awsvpc
        spec |= draw(
            record(
                extraHosts=[{"hostname": "db.internal", "ipAddress": "10.42.1.5"}],
                dnsServers=["10.42.0.2"],
            )
        )
    if mode != "host":  # namespaced network sysctls are not supported with host
        spec |= draw(record(systemControls=[{"namespace": "net.core.somaxconn", "value": "1024"}]))
    if ec2:
        spec |= draw(
            st.sampled_from(
                [
                    {"memory": 256},
                    {"memoryReservation": 128},
                    {"memory": 512, "memoryReservation": 256},
                ]
            )
        )
    spec |= draw(record(essential=True if index == 0 else st.booleans()))
    spec |= {"portMappings": ports} if (ports := draw(port_mappings(index, name, mode))) else {}
    mounts = draw(st.lists(st.sampled_from(volumes), unique=True)) if volumes else []
    read_only = record(readOnly=st.booleans())
    mount_points = [
        {"sourceVolume": v, "containerPath": f"/mnt/{v}", **draw(read_only)} for v in mounts
    ]
    spec |= {"mountPoints": mount_points} if mount_points else {}
    if earlier:
        others = draw(st.lists(st.sampled_from(earlier), unique_by=lambda c: c["name"]))
        if others:
            spec["dependsOn"] = [
                {"containerName": c["name"], "condition": draw(st.sampled_from(_conditions(c)))}
                for c in others
            ]
        spec |= draw(
            record(volumesFrom=[{"sourceContainer": earlier[0]["name"], "readOnly": True}])
        )
    return spec


@st.composite
def task_definitions(draw: st.DrawFn, launch: str) -> Spec:
    """A Fargate (awsvpc) or EC2 task definition with 1-3 containers."""
    ec2 = launch == "EC2"
    spec: Spec = {}
    if ec2:
        mode = draw(st.sampled_from([None, "bridge", "host", "awsvpc"]))
        spec |= {"networkMode": mode} if mode else {}
        spec |= draw(
            record(
                memory=st.sampled_from(["2048", "2 GB"]),
                pidMode=st.sampled_from(["host", "task"]),
                ipcMode=st.sampled_from(["host", "task", "none"]),
                placementConstraints=[
                    {"type": "memberOf", "expression": "attribute:ecs.instance-type =~ m5.*"}
                ],
            )
        )
    else:
        mode = "awsvpc"
        cpu, memory = draw(FARGATE_SIZES)
        spec |= {
            "requiresCompatibilities": ["FARGATE"],
            "networkMode": mode,
            "cpu": cpu,
            "memory": memory,
        }
        spec |= draw(
            record(
                ephemeralStorage=record({"sizeInGiB": st.integers(21, 200)}),
                runtimePlatform=record(
                    operatingSystemFamily="LINUX",
                    cpuArchitecture=st.sampled_from(["X86_64", "ARM64"]),
                ),
            )
        )
    names = draw(st.lists(st.sampled_from(["data", "cache", "scratch"]), unique=True, max_size=2))
    ec2_volume: st.SearchStrategy[Spec] = st.sampled_from(
        [
            {},
            {"host": {"sourcePath": "/var/lib/acme"}},
            {"dockerVolumeConfiguration": {"scope": "task", "driver": "local"}},
            {"dockerVolumeConfiguration": {"labels": {"app": "roundtrip"}}},
        ]
    )
    # Fargate takes no host paths or Docker volumes: a bind volume ({}) or EFS.
    fargate_volume: st.SearchStrategy[Spec] = st.sampled_from(
        [
            {},
            {"efsVolumeConfiguration": {"fileSystemId": "fs-12345678"}},
            {"efsVolumeConfiguration": {"fileSystemId": "fs-12345678", "rootDirectory": "/data"}},
        ]
    )
    volumes = [{"name": n, **draw(ec2_volume if ec2 else fargate_volume)} for n in names]
    spec |= {"volumes": volumes} if volumes else {}
    defined: list[Spec] = []
    for _ in range(draw(st.integers(1, 3))):
        defined.append(draw(containers(defined, names, mode or "bridge", ec2)))
    spec["containerDefinitions"] = defined
    # AWS takes a container with only memoryReservation on EC2; moto refuses it when
    # requiresCompatibilities names EC2, so then every container has memory.
    if ec2 and all("memory" in c for c in defined):
        spec |= draw(record(requiresCompatibilities=["EC2"]))
    spec |= draw(
        record(
            taskRoleArn=TASK_ROLE,
            executionRoleArn=EXECUTION_ROLE,
            enableFaultInjection=st.booleans(),
            tags=TAGS,
        )
    )
    if any(field in c for c in defined for field in NEEDS_EXECUTION_ROLE):
        spec["executionRoleArn"] = EXECUTION_ROLE
    return spec


# --- Service -----------------------------------------------------------------

FARGATE_TASK: Spec = {
    "requiresCompatibilities": ["FARGATE"],
    "networkMode": "awsvpc",
    "cpu": "256",
    "memory": "512",
    "containerDefinitions": [
        {"name": "web", "image": "nginx:1.27", "portMappings": [{"containerPort": 80}]}
    ],
}
EC2_TASK: Spec = {"containerDefinitions": [{"name": "worker", "image": GHCR_IMAGE, "memory": 256}]}
SERVICE_OPTIONS = record(
    deploymentConfiguration=record(
        maximumPercent=st.integers(150, 200),
        minimumHealthyPercent=st.integers(0, 100),
        deploymentCircuitBreaker=record({"enable": st.booleans(), "rollback": st.booleans()}),
    ),
    deploymentController={"type": "ECS"},
    healthCheckGracePeriodSeconds=st.integers(0, 300),
    enableExecuteCommand=st.booleans(),
    enableECSManagedTags=st.booleans(),
    propagateTags=st.sampled_from(["SERVICE", "TASK_DEFINITION", "NONE"]),
    tags=TAGS,
)
PLACEMENT_STRATEGY = st.lists(
    st.one_of(
        record(
            {
                "type": "spread",
                "field": st.sampled_from(["attribute:ecs.availability-zone", "instanceId", "host"]),
            }
        ),
        record({"type": "binpack", "field": st.sampled_from(["memory", "cpu", "MEMORY"])}),
        st.just({"type": "random"}),
    ),
    max_size=2,
    unique_by=lambda s: s["type"],
)
PLACEMENT_CONSTRAINTS = st.sampled_from(
    [
        [{"type": "distinctInstance"}],
        [{"type": "memberOf", "expression": "attribute:ecs.instance-type =~ t3.*"}],
        [
            {"type": "memberOf", "expression": "attribute:ecs.os-type == linux"},
            {"type": "distinctInstance"},
        ],
    ]
)


@st.composite
def fargate_services(draw: st.DrawFn, sandbox: local.Sandbox) -> tuple[Spec, Spec]:
    """(cluster, service): Fargate by launch type, or by a FARGATE/FARGATE_SPOT strategy."""
    cluster: Spec = {}
    service: Spec = {"cluster": CLUSTER, "taskDefinition": FAMILY}
    if draw(st.booleans()):
        cluster["capacityProviders"] = ["FARGATE", "FARGATE_SPOT"]
        service["capacityProviderStrategy"] = draw(strategy_items(["FARGATE", "FARGATE_SPOT"]))
    else:
        service["launchType"] = "FARGATE"
    subnets = draw(st.lists(st.sampled_from(sandbox.subnet_ids), min_size=1, unique=True))
    # Without securityGroups, AWS uses the VPC's default group and describes none.
    vpc = {"subnets": subnets}
    vpc |= draw(
        record(
            securityGroups=[sandbox.security_group_id],
            assignPublicIp=st.sampled_from(["ENABLED", "DISABLED"]),
        )
    )
    service["networkConfiguration"] = {"awsvpcConfiguration": vpc}
    # Service Connect by namespace name (ECS reports the ARN), or on the cluster's
    # default namespace, which CreateCluster makes for a new name.
    connect = draw(st.sampled_from([None, "by-name", "cluster-default"]))
    if connect is not None:
        cluster["serviceConnectDefaults"] = {"namespace": "roundtrip.local"}
        named = {"namespace": "roundtrip.local"} if connect == "by-name" else {}
        service["serviceConnectConfiguration"] = {"enabled": True, **named}
    service |= draw(
        record(
            desiredCount=st.integers(0, 4),
            platformVersion=st.sampled_from(["LATEST", "1.4.0"]),
            availabilityZoneRebalancing=st.sampled_from(["ENABLED", "DISABLED"]),
        )
    )
    return cluster, service | draw(SERVICE_OPTIONS)


@st.composite
def ec2_services(draw: st.DrawFn) -> tuple[Spec, Spec]:
    """(cluster, service): replicas through the sandbox provider or on EC2, or a daemon."""
    cluster: Spec = {"capacityProviders": [PROVIDER]}
    cluster |= draw(
        record(defaultCapacityProviderStrategy=[{"capacityProvider": PROVIDER, "weight": 1}])
    )
    service: Spec = {"cluster": CLUSTER, "taskDefinition": FAMILY}
    service |= draw(record(placementConstraints=PLACEMENT_CONSTRAINTS))
    scheduling = draw(st.sampled_from(["provider", "EC2", "DAEMON"]))
    if scheduling == "DAEMON":  # no count, no placement strategy and no provider for a daemon
        service |= {"launchType": "EC2", "schedulingStrategy": "DAEMON"}
        daemon = record(
            deploymentConfiguration=record(minimumHealthyPercent=st.integers(0, 100)),
            propagateTags="SERVICE",
            tags=TAGS,
        )
        return cluster, service | draw(daemon)
    if scheduling == "provider":
        service["capacityProviderStrategy"] = draw(strategy_items([PROVIDER]))
    else:
        service["launchType"] = "EC2"
    service |= draw(
        record(
            schedulingStrategy="REPLICA",
            desiredCount=st.integers(0, 4),
            placementStrategy=PLACEMENT_STRATEGY,
        )
    )
    return cluster, service | draw(SERVICE_OPTIONS)


# --- the property ------------------------------------------------------------


class _QuotedDumper(yaml.SafeDumper):
    """Writes every string double-quoted: PyYAML writes YAML 1.1 and ecsync reads
    YAML 1.2, so a plain `1e5` or `0o7` would come back as a number."""


_QuotedDumper.add_representer(
    str, lambda dumper, text: dumper.represent_scalar("tag:yaml.org,2002:str", text, style='"')
)


def manifest(kind: Kind, name: str, spec: Spec) -> Spec:
    return {"apiVersion": API_VERSION, "kind": str(kind), "metadata": {"name": name}, "spec": spec}


def assert_round_trip(
    aws: Aws, endpoint: str, sandbox: local.Sandbox, documents: list[Spec]
) -> None:
    """On a clean server, the documents load as written, converge, and then plan nothing."""
    server.reset(endpoint)
    # A reset server hands out the same task definition ARNs again, which AWS never
    # does, so the revisions described before the reset must be forgotten too.
    aws.task_definitions = TaskDefinitionCache()
    assert local.seed_sandbox(aws) == sandbox
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        text = yaml.dump_all(documents, Dumper=_QuotedDumper, sort_keys=False)
        (root / "stack.yaml").write_text(text)
        loaded = load(root)
        assert [str(e) for e in loaded.errors + loaded.warnings] == []
        assert [(str(d.id.kind), d.id.name, d.spec) for d in loaded.resources] == [
            (doc["kind"], doc["metadata"]["name"], doc["spec"]) for doc in documents
        ]
        assert_converges(aws, root)
    assert_revisions_hold_what_was_asked(aws, loaded)


def assert_revisions_hold_what_was_asked(aws: Aws, loaded: LoadResult) -> None:
    """Each registered revision, normalised, equals its manifest normalised.

    Plan finds its own revisions by their content-hash tag and would pass without
    this. The field-by-field comparison is what plan falls back on when there is
    no such tag (a revision registered by hand, a family being adopted).
    """
    families = [d for d in loaded.resources if d.id.kind is Kind.TASK_DEFINITION]
    live = observe.read_live(aws, families)
    for desired in families:
        wanted = normalise(Kind.TASK_DEFINITION, desired.spec)
        stored = normalise(Kind.TASK_DEFINITION, live[desired.id].spec)
        fields = (set(wanted) | set(stored)) - {"tags"}
        assert [c.to_dict() for c in compare(wanted, stored, fields)] == []


@EXAMPLES
@given(spec=REPOSITORY)
def test_repository_round_trips(
    aws: Aws, moto_endpoint: str, sandbox: local.Sandbox, spec: Spec
) -> None:
    """Any valid Repository spec converges in one apply, after which plan is empty."""
    documents = [manifest(Kind.REPOSITORY, "roundtrip/app", spec)]
    assert_round_trip(aws, moto_endpoint, sandbox, documents)


@EXAMPLES
@given(spec=clusters())
def test_cluster_round_trips(
    aws: Aws, moto_endpoint: str, sandbox: local.Sandbox, spec: Spec
) -> None:
    """Any valid Cluster spec converges in one apply, after which plan is empty."""
    assert_round_trip(aws, moto_endpoint, sandbox, [manifest(Kind.CLUSTER, CLUSTER, spec)])


@EXAMPLES
@given(data=st.data())
def test_capacity_provider_round_trips(
    aws: Aws, moto_endpoint: str, sandbox: local.Sandbox, data: st.DataObject
) -> None:
    """Any valid CapacityProvider on the sandbox group converges; then plan is empty."""
    spec = data.draw(capacity_providers(sandbox), label="spec")
    documents = [manifest(Kind.CAPACITY_PROVIDER, PROVIDER, spec)]
    assert_round_trip(aws, moto_endpoint, sandbox, documents)


@EXAMPLES
@given(data=st.data())
def test_task_definition_round_trips(
    aws: Aws, moto_endpoint: str, sandbox: local.Sandbox, data: st.DataObject
) -> None:
    """Any valid TaskDefinition registers once, is stored as written; then plan is empty."""
    launch = data.draw(st.sampled_from(["FARGATE", "EC2"]), label="launch")
    spec = data.draw(task_definitions(launch), label="spec")
    documents = [
        manifest(Kind.REPOSITORY, "acme/web", {}),  # holds the ECR image the containers may use
        manifest(Kind.TASK_DEFINITION, FAMILY, spec),
    ]
    assert_round_trip(aws, moto_endpoint, sandbox, documents)


@EXAMPLES
@given(data=st.data())
def test_fargate_service_round_trips(
    aws: Aws, moto_endpoint: str, sandbox: local.Sandbox, data: st.DataObject
) -> None:
    """Any valid Fargate Service (awsvpc, sandbox subnets) converges; then plan is empty."""
    cluster, service = data.draw(fargate_services(sandbox), label="cluster, service")
    documents = [
        manifest(Kind.CLUSTER, CLUSTER, cluster),
        manifest(Kind.TASK_DEFINITION, FAMILY, FARGATE_TASK),
        manifest(Kind.SERVICE, SERVICE, service),
    ]
    assert_round_trip(aws, moto_endpoint, sandbox, documents)


@EXAMPLES
@given(data=st.data())
def test_ec2_service_round_trips(
    aws: Aws, moto_endpoint: str, sandbox: local.Sandbox, data: st.DataObject
) -> None:
    """Any valid EC2 Service (capacity provider, EC2 or daemon) converges; then plan is empty."""
    cluster, service = data.draw(ec2_services(), label="cluster, service")
    provider = {"autoScalingGroupProvider": {"autoScalingGroupArn": sandbox.asg_arn}}
    documents = [
        manifest(Kind.CAPACITY_PROVIDER, PROVIDER, provider),
        manifest(Kind.CLUSTER, CLUSTER, cluster),
        manifest(Kind.TASK_DEFINITION, FAMILY, EC2_TASK),
        manifest(Kind.SERVICE, SERVICE, service),
    ]
    assert_round_trip(aws, moto_endpoint, sandbox, documents)
