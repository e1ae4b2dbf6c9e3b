"""The in-process moto server the tests talk to over HTTP."""

from __future__ import annotations

import urllib.request


def post(endpoint: str, path: str) -> None:
    """POST to one of moto's control endpoints (`/moto-api/reset`, `/moto-api/seed?a=N`)."""
    request = urllib.request.Request(f"{endpoint}{path}", method="POST", data=b"")
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()


def reset(endpoint: str) -> None:
    """Wipe every backend of the server, so that each test starts from nothing."""
    post(endpoint, "/moto-api/reset")
