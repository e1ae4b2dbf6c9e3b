"""structlog set-up: JSON lines for machines, readable lines for people."""

from __future__ import annotations

import logging
import sys
from typing import TextIO

import structlog

from controller.core import redact


def configure(fmt: str = "auto", level: str = "info", stream: TextIO | None = None) -> None:
    """Send every event to `stream` (stderr by default) as JSON or console text.

    `auto` picks JSON unless the stream is a terminal. Every event carries
    `event`, `level` and `timestamp` (ISO 8601, UTC).
    """
    out = stream or sys.stderr
    use_json = fmt == "json" or (fmt == "auto" and not out.isatty())
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer(sort_keys=False)
        if use_json
        else structlog.dev.ConsoleRenderer(colors=out.isatty())
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.StackInfoRenderer(),
            structlog.processors.format_exc_info,
            _scrub,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.getLevelNamesMapping()[level.upper()]
        ),
        logger_factory=structlog.PrintLoggerFactory(out),
        cache_logger_on_first_use=False,
    )


def _scrub(
    logger: object, method: str, event: structlog.typing.EventDict
) -> structlog.typing.EventDict:
    """The last line of defence: nothing shaped like a credential reaches the log.

    Events carry values already redacted by name (`controller.core.redact`);
    this catches a credential quoted where no one expected it, such as a
    traceback or an error message.
    """
    del logger, method
    scrubbed: structlog.typing.EventDict = redact.scrub_all(event)
    return scrubbed
