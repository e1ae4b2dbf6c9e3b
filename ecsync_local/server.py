"""The embedded AWS: moto's server on 127.0.0.1, with ecsync's fixes applied in its process."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from moto.server import ThreadedMotoServer

from ecsync_local import fixes


@dataclass(frozen=True)
class LocalAws:
    """A running embedded moto server."""

    endpoint_url: str
    _server: ThreadedMotoServer

    def stop(self) -> None:
        self._server.stop()


def start_local(port: int = 0) -> LocalAws:
    """Start moto (with `fixes` applied) on 127.0.0.1; port 0 picks a free one."""
    fixes.apply_fixes()
    fixes.settle_services()
    # One log line per request is noise next to ecsync's own logs; errors still show.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    host, bound = server.get_host_and_port()
    return LocalAws(endpoint_url=f"http://{host}:{bound}", _server=server)
