"""One ECS handler at a time, where moto's threaded server is not safe to share."""

from __future__ import annotations

import threading
from typing import Any

from moto.ecs.responses import EC2ContainerServiceResponse

from ecsync_local.fixes.patching import Fix, Method, patch

_ECS_LOCK = threading.RLock()
HANDLERS = (
    "create_service",
    "update_service",
    "delete_service",
    "register_task_definition",
    "deregister_task_definition",
    "list_services",
    "describe_services",
)


def serialised(name: str) -> Fix:
    """A fix running ECS handler `name` under one lock: AWS serves concurrent requests
    safely, moto's threaded server does not (iterating its service table while another
    request adds to it fails with HTTP 500, "dictionary changed size during iteration")."""

    @patch(EC2ContainerServiceResponse, name)
    def one_at_a_time(original: Method) -> Method:
        def handler(self: Any) -> Any:
            with _ECS_LOCK:
                return original(self)

        return handler

    one_at_a_time.__doc__ = serialised.__doc__
    return one_at_a_time
