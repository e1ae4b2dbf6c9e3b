"""Capacity providers and ECR repositories are described with AWS's ARNs and defaults.

docs/fidelity.md ("CapacityProvider", "Repository") names the source of each.
"""

from __future__ import annotations

import inspect
from typing import Any

from moto.autoscaling.models import autoscaling_backends
from moto.ecr.models import ECRBackend
from moto.ecs.models import EC2ContainerServiceBackend
from moto.kms.models import kms_backends

from ecsync_local.fixes.patching import Method, patch

ECR_MANAGED_KEY = "alias/aws/ecr"


@patch(EC2ContainerServiceBackend, "create_capacity_provider")
def fill_created_capacity_provider(original: Method) -> Method:
    """AWS reports an Auto Scaling group given by name as its ARN and `managedDraining`
    ENABLED when not sent (ECS API Reference, AutoScalingGroupProvider; aws-cli
    describe-capacity-providers.rst Example 2); moto echoes the name and omits it."""

    def create_capacity_provider(
        self: EC2ContainerServiceBackend, name: str, asg_details: dict[str, Any], *a: Any
    ) -> Any:
        details = {"managedDraining": "ENABLED", **(asg_details or {})}
        group = details.get("autoScalingGroupArn")
        if isinstance(group, str) and not group.startswith("arn:"):
            groups = autoscaling_backends[self.account_id][self.region_name].autoscaling_groups
            if group in groups:
                details["autoScalingGroupArn"] = groups[group].arn
        return original(self, name, details, *a)

    return create_capacity_provider


@patch(EC2ContainerServiceBackend, "update_capacity_provider")
def keep_managed_draining(original: Method) -> Method:
    """AWS's UpdateCapacityProvider changes `managedDraining` when sent (ECS API
    Reference, AutoScalingGroupProviderUpdate); moto ignores it."""

    def update_capacity_provider(
        self: EC2ContainerServiceBackend, name_or_arn: str, asg_details: dict[str, Any]
    ) -> Any:
        provider = original(self, name_or_arn, asg_details)
        if (asg_details or {}).get("managedDraining"):
            provider.auto_scaling_group_provider["managedDraining"] = asg_details["managedDraining"]
        return provider

    return update_capacity_provider


@patch(ECRBackend, "create_repository")
def report_kms_keys_by_arn(original: Method) -> Method:
    """AWS reports a repository's KMS key as the key ARN: a key id or an alias becomes the
    ARN of its key, and KMS without a key uses the AWS managed key `aws/ecr` (ECR API
    Reference, EncryptionConfiguration.kmsKey); moto echoes the id or alias, and invents
    a key KMS does not know."""
    signature = inspect.signature(original)

    def create_repository(self: ECRBackend, *args: Any, **kwargs: Any) -> Any:
        call = signature.bind(self, *args, **kwargs)
        encryption = call.arguments.get("encryption_config")
        if isinstance(encryption, dict) and encryption.get("encryptionType", "").startswith("KMS"):
            key = encryption.get("kmsKey") or ECR_MANAGED_KEY
            call.arguments["encryption_config"] = {**encryption, "kmsKey": _key_arn(self, key)}
        return original(*call.args, **call.kwargs)

    return create_repository


def _key_arn(ecr: ECRBackend, key: str) -> str:
    """The ARN of the KMS key `key` names (key id, key ARN, alias name or alias ARN)."""
    kms = kms_backends[ecr.account_id][ecr.region_name]
    if key.startswith("arn:") and ":key/" in key:
        return key
    alias = key.split(":", 5)[-1] if key.startswith("arn:") else key
    if alias.startswith("alias/"):
        target = kms.get_key_id_from_alias(alias)
        if target is None and alias == ECR_MANAGED_KEY:
            target = kms.create_key(None, "ENCRYPT_DECRYPT", "SYMMETRIC_DEFAULT", "", None).id
            kms.create_alias(target, alias)
        if target is None:
            return key  # an alias KMS does not know: left as sent
        key = target
    return f"arn:aws:kms:{ecr.region_name}:{ecr.account_id}:key/{key}"
