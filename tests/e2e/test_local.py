"""`--local` for a real trial: the sample rolls out an edit, and `ecsync local` serves the CLI."""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from tests.support import cli
from tests.support.daemon import Daemon

SAMPLE = Path(__file__).resolve().parents[2] / "manifests"
WEB_IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/acme/web"
ENDPOINT_LINE = re.compile(r"ecsync: local AWS \(moto\) at (http://127\.0\.0\.1:\d+)")


def client(service: str, endpoint: str) -> Any:
    return boto3.client(
        service,  # type: ignore[call-overload]
        region_name="us-east-1",
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"total_max_attempts": 1}),
    )


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """A copy of the repository's sample manifests, to edit."""
    return Path(shutil.copytree(SAMPLE, tmp_path / "manifests"))


@pytest.fixture
def local_daemon(sample: Path, tmp_path: Path) -> Iterator[Daemon]:
    """`ecsync run --local --source <copy of manifests/>`, as `./dev local` runs it."""
    daemon = Daemon(None, ["--local", "--source", str(sample)], tmp_path / "cache")
    yield daemon
    daemon.kill()


def endpoint_of(daemon: Daemon) -> str:
    daemon.wait_for("revision_loaded", timeout=60)
    found = next((m for line in daemon.lines if (m := ENDPOINT_LINE.search(line))), None)
    assert found is not None, "".join(daemon.lines[-50:])
    return found.group(1)


def web_service(endpoint: str) -> dict[str, Any]:
    described = client("ecs", endpoint).describe_services(cluster="acme-prod", services=["web"])
    service: dict[str, Any] = described["services"][0]
    return service


def test_editing_the_sample_web_image_tag_rolls_out_under_local(
    local_daemon: Daemon, sample: Path
) -> None:
    """Under `ecsync run --local`, a new web image tag gets a logged placeholder in the embedded
    ECR, a new acme-web revision, and the web service moved onto it."""
    endpoint = endpoint_of(local_daemon)
    local_daemon.wait_http("/readyz", timeout=90)
    first = web_service(endpoint)["taskDefinition"]
    assert first.endswith("task-definition/acme-web:1")

    definition = sample / "web" / "task-definition.yaml"
    definition.write_text(
        definition.read_text().replace(f"{WEB_IMAGE}:v1.8.0", f"{WEB_IMAGE}:v1.9.0")
    )

    placed = local_daemon.wait_for(
        "local_image_placeholder", lambda e: e.get("tag") == "v1.9.0", timeout=60
    )
    assert (placed["repository"], placed["level"]) == ("acme/web", "info")
    local_daemon.wait_for("service_updated", lambda e: e.get("name") == "web", timeout=60)
    assert web_service(endpoint)["taskDefinition"].endswith("task-definition/acme-web:2")
    assert not local_daemon.named("preflight_failed")
    images = client("ecr", endpoint).describe_images(repositoryName="acme/web")["imageDetails"]
    assert [image["imageTags"] for image in images] == [["v1.9.0"]]
    assert local_daemon.stop() == 0


def start_local(*args: str) -> tuple[subprocess.Popen[str], str, dict[str, str]]:
    """`ecsync local`, once it has printed its endpoint; the environment its export line sets."""
    process = subprocess.Popen(
        [cli.ECSYNC, "local", *args],
        env=cli.aws_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    printed = []
    for line in process.stdout:
        printed.append(line)
        if line.startswith("export "):
            exported = dict(item.split("=", 1) for item in line.split()[1:])
            return process, "".join(printed), exported
    process.kill()
    raise AssertionError(f"ecsync local printed no export line:\n{''.join(printed)}")


@pytest.fixture
def local_aws() -> Iterator[tuple[subprocess.Popen[str], str, dict[str, str]]]:
    """`ecsync local` running: the process, what it printed, and the variables it exported;
    killed at the end if still running."""
    started = start_local()
    yield started
    process = started[0]
    if process.poll() is None:
        process.kill()
    process.communicate(timeout=10)


def test_ecsync_local_serves_apply_plan_and_import(
    local_aws: tuple[subprocess.Popen[str], str, dict[str, str]], sample: Path, tmp_path: Path
) -> None:
    """`ecsync local` prints its endpoint and the variables to use it; with them, apply converges
    the sample, plan then exits 0, import writes the cluster, a plan naming an unpushed image
    tag exits 1 with the preflight reason (2 with --skip-preflight); SIGINT stops it, exit 0."""
    process, printed, exported = local_aws
    endpoint = exported["AWS_ENDPOINT_URL"]
    assert f"ecsync: local AWS (moto) at {endpoint}" in printed
    assert exported == {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }
    env = {**cli.aws_env(), **exported}

    def ecsync(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [cli.ECSYNC, *args], env=env, capture_output=True, text=True, timeout=120, check=False
        )

    applied = ecsync("apply", str(sample))
    assert applied.returncode == 0, applied.stdout + applied.stderr
    planned = ecsync("plan", str(sample))
    assert planned.returncode == 0, planned.stdout + planned.stderr
    imported = ecsync("import", "--cluster", "acme-prod", "--out", str(tmp_path / "imported"))
    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert (tmp_path / "imported" / "clusters" / "acme-prod.yaml").is_file()

    definition = sample / "web" / "task-definition.yaml"
    definition.write_text(
        definition.read_text().replace(f"{WEB_IMAGE}:v1.8.0", f"{WEB_IMAGE}:v1.9.0")
    )
    unpushed = ecsync("plan", str(sample))
    assert unpushed.returncode == 1, unpushed.stdout + unpushed.stderr
    assert (
        f"! TaskDefinition/acme-web: preflight image: image {WEB_IMAGE}:v1.9.0 not found: "
        "repository acme/web has no tag v1.9.0"
    ) in unpushed.stdout
    unchecked = ecsync("plan", str(sample), "--skip-preflight")
    assert unchecked.returncode == 2, unchecked.stdout + unchecked.stderr

    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=30) == 0


def test_ecsync_local_stops_on_sigterm_with_exit_0() -> None:
    """SIGTERM stops `ecsync local` cleanly: exit 0, and it says the state is gone."""
    process, _, exported = start_local("--local-port", "0")
    assert client("ecs", exported["AWS_ENDPOINT_URL"]).list_clusters()["clusterArns"] == []

    process.send_signal(signal.SIGTERM)
    rest, _ = process.communicate(timeout=30)

    assert process.returncode == 0
    assert "local AWS stopped" in rest
