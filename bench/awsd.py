"""`python -m bench.awsd`: the embedded AWS (moto with ecsync's fixes) for the benchmark.

It runs in a process of its own, so that the AWS side's CPU never counts as
ecsync's. It prints its endpoint and serves until its stdin closes.

One change makes moto usable at 10,000 services without changing any answer:
moto finds a service by scanning every service of the Region
(`_get_service`), so each CreateService or UpdateService costs O(N) and a
fleet costs O(N²) to build. The scan is replaced by the dictionary lookup
moto itself keys its services by (`"cluster:name"`), with the scan kept for
whatever that key does not find.
"""

from __future__ import annotations

import sys
from typing import Any

from moto.ecs.models import EC2ContainerServiceBackend

import ecsync_local as local

_scan = EC2ContainerServiceBackend._get_service


def _get_service(self: Any, cluster_str: str, service_str: str) -> Any:
    """moto's `_get_service`, answering from its `cluster:name` key when that matches."""
    cluster = self._get_cluster(cluster_str)
    found = self.services.get(f"{cluster.name}:{service_str.rsplit('/', 1)[-1]}")
    if found is not None and service_str in (found.name, found.arn):
        return found
    return _scan(self, cluster_str, service_str)


def main() -> None:
    EC2ContainerServiceBackend._get_service = _get_service  # type: ignore[method-assign]
    server = local.start_local(port=0)
    print(server.endpoint_url, flush=True)
    sys.stdin.read()
    server.stop()


if __name__ == "__main__":
    main()
