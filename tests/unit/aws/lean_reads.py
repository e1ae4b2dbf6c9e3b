"""Every JSON-protocol read ecsync sends, by service (grep `calls.` in controller/aws)."""

from __future__ import annotations

LEAN_READS = {
    "ecs": [
        "DescribeServices",
        "ListServices",
        "DescribeClusters",
        "ListClusters",
        "DescribeCapacityProviders",
        "ListTaskDefinitions",
        "DescribeTaskDefinition",
        "DescribeTasks",
        "ListServiceDeployments",
        "DescribeServiceDeployments",
        "DescribeServiceRevisions",
    ],
    "ecr": [
        "DescribeRepositories",
        "ListTagsForResource",
        "GetLifecyclePolicy",
        "GetRepositoryPolicy",
        "DescribeImages",
    ],
    "logs": ["DescribeLogGroups", "ListTagsForResource"],
    "application-autoscaling": [
        "DescribeScalableTargets",
        "DescribeScalingPolicies",
        "DescribeScheduledActions",
        "ListTagsForResource",
    ],
    "kms": ["ListAliases"],
    "servicediscovery": ["ListNamespaces"],
}

PAIRS = [
    (service, operation) for service, operations in LEAN_READS.items() for operation in operations
]
