"""Scalable target and scaling policy names map to Application Auto Scaling's identity."""

from __future__ import annotations

from controller.core import scaling
from controller.core.kinds import Kind, ResourceId


def test_a_target_name_is_its_services_resource_id() -> None:
    """`prod/web` is `service/prod/web`, and back; other resource ids are not ECS services'."""
    assert scaling.resource_id("prod/web") == "service/prod/web"
    assert scaling.target_of_resource_id("service/prod/web") == "prod/web"
    assert scaling.target_of_resource_id("table/orders") is None
    assert scaling.target_of_resource_id("service/prod") is None


def test_a_policy_name_splits_at_its_first_two_slashes() -> None:
    """A PolicyName may hold `/`; the cluster and the service cannot."""
    assert scaling.split_policy("prod/web/cpu/60%") == ("prod/web", "cpu/60%")
    assert scaling.POLICY_NAME.fullmatch("prod/web/cpu/60%")
    assert not scaling.POLICY_NAME.fullmatch("prod/web/")


def test_a_target_and_its_service_name_each_other() -> None:
    """The target of Service/prod/web is ScalableTarget/prod/web, and the reverse."""
    service = ResourceId(Kind.SERVICE, "web", "prod")
    assert scaling.target_of_service(service) == ResourceId(Kind.SCALABLE_TARGET, "prod/web")
    assert scaling.service_of("prod/web") == service
