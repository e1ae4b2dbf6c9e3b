"""The botocore and urllib3 internals the lean read path relies on are still there."""

from __future__ import annotations

import pytest
from botocore.credentials import Credentials

from controller.aws import lean, seam
from controller.aws.clients import Aws, AwsConfig
from tests.unit.aws.lean_reads import LEAN_READS


@pytest.fixture
def connection(aws_env: None) -> Aws:
    return Aws(AwsConfig(region="eu-west-3"))


@pytest.mark.parametrize("service", sorted(LEAN_READS))
def test_every_attribute_the_seam_reads_exists(connection: Aws, service: str) -> None:
    """Each private botocore/urllib3 attribute `seam` uses answers on a real client: a
    botocore upgrade that moves one fails here, not silently in production."""
    client = connection.client(service)
    service_id = client.meta.service_model.service_id.hyphenize()
    model = client.meta.service_model.operation_model(LEAN_READS[service][0])

    assert isinstance(seam.registrations(client), dict)
    assert isinstance(seam.credentials(client), Credentials)
    assert seam.signing(client) == ("v4", client.meta.service_model.signing_name, "eu-west-3")
    assert seam.max_attempts(client, service_id, model.name) == 1
    assert seam.has_ruleset(client)
    assert seam.ruleset_is_constant(client)
    context = lean.request_context(client, model)
    url, headers, _ = seam.resolve_endpoint(client, model, context)
    assert (url, headers) == (client.meta.endpoint_url, {})
    assert seam.signature_version(client, model.name, context) == "v4"
    assert seam.user_agent(client).startswith("Boto3/")
    session = seam.http_session(client)
    assert seam.proxy_for(session, url) is None
    pool = seam.url_pool(session, seam.request_url(url))
    conn = seam.borrow(pool)
    assert conn.is_closed
    seam.give_back(pool, conn)
    assert seam.response_parser(client, "json") is not None
    assert seam.canonical_target(seam.request_url(url)) == ("/", "")


@pytest.mark.parametrize(
    ("service", "operation"),
    [
        (service, operation)
        for service, operations in LEAN_READS.items()
        for operation in operations
    ],
)
def test_every_read_ecsync_sends_takes_the_lean_path(
    connection: Aws, service: str, operation: str
) -> None:
    """botocore does nothing for these reads that the lean path does not reproduce: a new
    handler, trait or endpoint rule in a botocore upgrade shows here."""
    client = connection.client(service)
    service_id = client.meta.service_model.service_id.hyphenize()

    foreign = seam.foreign_handlers(client, service_id, operation)

    assert [h for h in foreign if not seam.switchable_stub(h)] == []
    assert connection.lean_sender(service, operation) is not None


@pytest.mark.parametrize(
    ("service", "operation"),
    [
        ("dynamodb", "GetItem"),  # account-based endpoints: the URL may follow the credentials
        ("scheduler", "GetSchedule"),  # rest-json
        ("ec2", "DescribeSubnets"),  # the ec2 protocol
    ],
)
def test_reads_the_lean_path_does_not_model_stay_with_botocore(
    connection: Aws, service: str, operation: str
) -> None:
    """Services whose requests the lean path does not model have no lean sender."""
    assert connection.lean_sender(service, operation) is None


def test_a_handler_registered_later_sends_the_read_through_botocore(connection: Aws) -> None:
    """A handler registered on a client after its first read (a test hook, a plugin)
    takes the operation off the lean path, and removing it brings it back."""
    client = connection.client("ecs")
    assert connection.lean_sender("ecs", "DescribeServices") is not None

    def hook(**_: object) -> None:
        return None

    client.meta.events.register("before-send.ecs.DescribeServices", hook)
    assert connection.lean_sender("ecs", "DescribeServices") is None
    assert connection.lean_sender("ecs", "ListServices") is not None

    client.meta.events.unregister("before-send.ecs.DescribeServices", hook)
    assert connection.lean_sender("ecs", "DescribeServices") is not None


def test_a_proxy_for_the_endpoint_leaves_the_client_to_botocore(
    aws_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With HTTPS_PROXY set, botocore's own session (which tunnels) sends every read."""
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:3128")

    assert Aws(AwsConfig(region="eu-west-3")).lean_sender("ecs", "DescribeServices") is None
