"""Cross-document checks: duplicates, task definition families, clusters and capacity."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from controller.manifests.errors import ManifestError
from controller.manifests.loader import load

Write = Callable[[str, str], Path]

CLUSTER = """\
apiVersion: ecsync/v1
kind: Cluster
metadata:
  name: prod
spec:
  capacityProviders: [FARGATE]
"""
TASK_DEFINITION = """\
apiVersion: ecsync/v1
kind: TaskDefinition
metadata:
  name: web
spec:
  containerDefinitions: [{name: web, image: nginx, memory: 512}]
"""


def service(spec: str, kind: str = "Service", name: str = "web") -> str:
    return f"apiVersion: ecsync/v1\nkind: {kind}\nmetadata:\n  name: {name}\nspec:\n{spec}"


def located(problems: tuple[ManifestError, ...]) -> list[tuple[str, int, str, str]]:
    """(file, line, path, message) of each problem, for exact comparison."""
    return [(p.location.file, p.location.line, p.path, p.message) for p in problems]


def test_duplicates_across_files_are_errors_at_each_copy(write: Write, root: Path) -> None:
    """The same resource in two files is an error at both, each naming the other."""
    write("a.yaml", TASK_DEFINITION)
    write("b/a.yaml", "# copy\n" + TASK_DEFINITION)
    result = load(root)
    assert [(f, line, p) for f, line, p, _ in located(result.errors)] == [
        ("a.yaml", 4, "metadata.name"),
        ("b/a.yaml", 5, "metadata.name"),
    ]
    assert "also at b/a.yaml:2" in result.errors[0].message
    assert "also at a.yaml:1" in result.errors[1].message


def test_same_service_name_in_two_clusters_is_not_a_duplicate(write: Write, root: Path) -> None:
    """Services are identified within their cluster, so `web` may exist in two clusters."""
    write("td.yaml", TASK_DEFINITION)
    write("a.yaml", service("  cluster: blue\n  taskDefinition: web\n"))
    write("b.yaml", service("  cluster: green\n  taskDefinition: web\n"))
    result = load(root)
    assert result.ok
    assert len(result.resources) == 3


def test_duplicate_within_one_file_is_an_error(write: Write, root: Path) -> None:
    """Two documents of one file defining the same resource are both reported."""
    write("a.yaml", CLUSTER + "---\n" + CLUSTER)
    assert [line for _, line, _, _ in located(load(root).errors)] == [4, 11]


def test_external_task_definition_pins_are_allowed(write: Write, root: Path) -> None:
    """`family:revision` and a task definition ARN need no TaskDefinition in the manifests."""
    write("c.yaml", CLUSTER)
    write("a.yaml", service("  cluster: prod\n  taskDefinition: other:3\n", name="a"))
    arn = "arn:aws:ecs:eu-west-1:123456789012:task-definition/other:3"
    write("b.yaml", service(f"  cluster: prod\n  taskDefinition: {arn}\n", name="b"))
    result = load(root)
    assert result.errors == ()
    assert result.warnings == ()


def test_unknown_family_is_an_error_with_suggestion_and_pin_advice(
    write: Write, root: Path
) -> None:
    """A bare family missing from the manifests names the closest family and how to pin."""
    write("td.yaml", TASK_DEFINITION)
    write("c.yaml", CLUSTER)
    write("s.yaml", service("  cluster: prod\n  taskDefinition: webb\n", kind="Task"))
    assert located(load(root).errors) == [
        (
            "s.yaml",
            7,
            "spec.taskDefinition",
            "no TaskDefinition 'webb' in the manifests; did you mean 'web'?; to use one "
            "registered outside ecsync, pin it as 'webb:REVISION' or give its ARN",
        )
    ]


def test_family_with_an_invalid_spec_still_counts_as_defined(write: Write, root: Path) -> None:
    """A TaskDefinition with a spec error still satisfies references: one error, not two."""
    write("td.yaml", TASK_DEFINITION.replace("image: nginx", "image: 1"))
    write("c.yaml", CLUSTER)
    write("s.yaml", service("  cluster: prod\n  taskDefinition: web\n"))
    assert [p for _, _, p, _ in located(load(root).errors)] == [
        "spec.containerDefinitions[0].image"
    ]


def test_cluster_missing_from_manifests_is_only_a_warning(write: Write, root: Path) -> None:
    """A Service in a cluster the manifests do not define warns (it may exist in AWS)."""
    write("td.yaml", TASK_DEFINITION)
    write("s.yaml", service("  cluster: prd\n  taskDefinition: web\n"))
    write("c.yaml", CLUSTER)
    result = load(root)
    assert result.ok
    assert located(result.warnings) == [
        (
            "s.yaml",
            6,
            "spec.cluster",
            "cluster 'prd' is not in the manifests; did you mean 'prod'?; "
            "it must already exist in AWS (checked at plan time)",
        )
    ]


def test_omitted_cluster_warns_about_the_default_cluster(write: Write, root: Path) -> None:
    """A Service with no cluster uses `default`, which warns when no manifest defines it."""
    write("td.yaml", TASK_DEFINITION)
    write("s.yaml", service("  taskDefinition: web\n"))
    result = load(root)
    assert result.ok
    assert [w.message.split(";")[0] for w in result.warnings] == [
        "spec.cluster is not set, and the 'default' cluster is not in the manifests"
    ]


def test_cluster_capacity_providers_outside_manifests_warn(write: Write, root: Path) -> None:
    """Providers other than FARGATE/FARGATE_SPOT that no manifest defines are warnings."""
    write("c.yaml", CLUSTER.replace("[FARGATE]", "[FARGATE, FARGATE_SPOT, ec2-spot]"))
    assert located(load(root).warnings) == [
        (
            "c.yaml",
            6,
            "spec.capacityProviders[2]",
            "capacity provider 'ec2-spot' is not in the manifests; it must already exist in AWS",
        )
    ]


def test_defined_capacity_provider_does_not_warn(write: Write, root: Path) -> None:
    """A CapacityProvider in the manifests satisfies a Cluster's capacityProviders."""
    write("c.yaml", CLUSTER.replace("[FARGATE]", "[ec2-spot]"))
    write(
        "cp.yaml",
        "apiVersion: ecsync/v1\nkind: CapacityProvider\nmetadata:\n  name: ec2-spot\nspec:\n"
        "  autoScalingGroupProvider: {autoScalingGroupArn: arn:aws:autoscaling:x}\n",
    )
    result = load(root)
    assert result.errors == ()
    assert result.warnings == ()


def test_default_strategy_providers_must_be_attached(write: Write, root: Path) -> None:
    """A default strategy naming a provider not in capacityProviders is an error."""
    write(
        "c.yaml",
        CLUSTER + "  defaultCapacityProviderStrategy:\n    - {capacityProvider: FARGATE_SPOT}\n",
    )
    assert [(line, p) for _, line, p, _ in located(load(root).errors)] == [
        (8, "spec.defaultCapacityProviderStrategy[0].capacityProvider")
    ]


def test_service_strategy_must_use_providers_of_its_manifest_cluster(
    write: Write, root: Path
) -> None:
    """A Service's strategy may only name providers attached to its cluster in the manifests."""
    write("td.yaml", TASK_DEFINITION)
    write("c.yaml", CLUSTER)
    write(
        "s.yaml",
        service(
            "  cluster: prod\n  taskDefinition: web\n  capacityProviderStrategy:\n"
            "    - {capacityProvider: FARGATE, weight: 1}\n    - {capacityProvider: FARGATE_SPOT}\n"
        ),
    )
    assert located(load(root).errors) == [
        (
            "s.yaml",
            10,
            "spec.capacityProviderStrategy[1].capacityProvider",
            "capacity provider 'FARGATE_SPOT' is not attached to cluster 'prod'; "
            "add it to that Cluster's spec.capacityProviders",
        )
    ]


def test_strategy_is_not_checked_when_the_cluster_leaves_providers_unmanaged(
    write: Write, root: Path
) -> None:
    """A Cluster manifest without capacityProviders does not say which are attached."""
    write("td.yaml", TASK_DEFINITION)
    write("c.yaml", "apiVersion: ecsync/v1\nkind: Cluster\nmetadata:\n  name: prod\n")
    write(
        "s.yaml",
        service(
            "  cluster: prod\n  taskDefinition: web\n"
            "  capacityProviderStrategy: [{capacityProvider: spot}]\n"
        ),
    )
    assert load(root).errors == ()


def test_launch_type_and_capacity_strategy_together_are_an_error(write: Write, root: Path) -> None:
    """AWS rejects a Service with both launchType and capacityProviderStrategy; so do we."""
    write("td.yaml", TASK_DEFINITION)
    write("c.yaml", CLUSTER)
    write(
        "s.yaml",
        service(
            "  cluster: prod\n  taskDefinition: web\n  launchType: EC2\n"
            "  capacityProviderStrategy: [{capacityProvider: FARGATE}]\n"
        ),
    )
    assert [(line, p) for _, line, p, _ in located(load(root).errors)] == [(8, "spec.launchType")]
