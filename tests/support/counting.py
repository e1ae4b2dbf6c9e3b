"""Counting the requests an `Aws` sends, per API operation, through botocore hooks."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

from controller.aws.clients import Aws


class CallCounter:
    """Records every operation sent through an `Aws` (each attempt counts) and its parameters.

    It hooks `before-call` (one event per request botocore sends, since
    botocore's own retries are off) and `before-parameter-build` (the API
    parameters as the caller passed them) on the `Aws`'s session, which every
    client created afterwards inherits: attach before the first call.
    """

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self._lock = threading.Lock()

    def attach(self, aws: Aws) -> CallCounter:
        events = aws.session.events
        events.register("before-call", self._on_call, unique_id=f"count-{id(self)}")
        events.register("before-parameter-build", self._on_params, unique_id=f"params-{id(self)}")
        return self

    def __getitem__(self, operation: str) -> int:
        return self.counts[operation]

    def params(self, operation: str) -> list[dict[str, Any]]:
        """The parameters of every `operation` sent so far, in order."""
        with self._lock:
            return [params for name, params in self.sent if name == operation]

    def clear(self) -> None:
        with self._lock:
            self.counts.clear()
            self.sent.clear()

    def _on_call(self, model: Any, **_: Any) -> None:
        with self._lock:
            self.counts[model.name] += 1

    def _on_params(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        with self._lock:
            self.sent.append((model.name, dict(params)))
