"""ecsync: a GitOps controller for Amazon ECS and ECR."""

__version__ = "0.1.0"
