"""Logging: structlog, human-readable on a TTY, JSON lines otherwise, UTC times.

Secrets are registered once (from the configuration) and scrubbed from every
event by a processor, so a key that slips into a message or an exception text
still never reaches the output.
"""

from __future__ import annotations

import io
import logging
import os
import sys
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, Literal, TextIO

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

LogFormat = Literal["auto", "console", "json"]
REDACTED = "[redacted]"
_secrets: set[str] = set()


def register_secrets(values: Iterable[str]) -> None:
    """Remember values that must never be printed (ignores very short ones)."""
    _secrets.update(value for value in values if len(value) >= 4)


def redact(text: str) -> str:
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: _scrub(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_scrub(item) for item in value)
    if isinstance(value, BaseException):
        return redact(f"{type(value).__name__}: {value}")
    return value


def scrub_secrets(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    return {key: _scrub(value) for key, value in event.items()}


def _render_exception_then_scrub(logger: WrappedLogger, name: str, event: EventDict) -> EventDict:
    # Tracebacks are text only after format_exc_info; scrub that text too.
    return scrub_secrets(logger, name, structlog.processors.format_exc_info(logger, name, event))


def configure(
    level: str = "info", log_format: LogFormat = "auto", stream: TextIO | None = None
) -> None:
    """Set up structlog (and route stdlib logging through the same output)."""
    out = stream or sys.stderr
    json_lines = log_format == "json" or (log_format == "auto" and not out.isatty())
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: Processor
    if json_lines:
        shared.append(_render_exception_then_scrub)
        renderer = structlog.processors.JSONRenderer()
    else:
        shared.append(scrub_secrets)
        renderer = structlog.dev.ConsoleRenderer(colors=colour_wanted(out))
    if to_journal(out):
        renderer = _with_priority(renderer)
    numeric = logging.getLevelNamesMapping()[level.upper()]
    structlog.configure(
        processors=[*shared, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(out),
        cache_logger_on_first_use=False,
    )
    _route_stdlib(numeric, out, shared, renderer)


# syslog priorities (sd-daemon(3)): journald reads a "<N>" prefix of each line.
PRIORITIES = {"critical": 2, "error": 3, "warning": 4, "info": 6, "debug": 7}


def colour_wanted(out: TextIO) -> bool:
    """Colour on a terminal only, and never when NO_COLOR is set (no-color.org)."""
    return not os.environ.get("NO_COLOR") and out.isatty()


def to_journal(out: TextIO) -> bool:
    """Whether ``out`` is the stream systemd connected to the journal ($JOURNAL_STREAM
    names its device and inode)."""
    device, _, inode = os.environ.get("JOURNAL_STREAM", "").partition(":")
    try:
        stat = os.fstat(out.fileno())
        return (stat.st_dev, stat.st_ino) == (int(device), int(inode))
    except (ValueError, OSError, io.UnsupportedOperation):
        return False


def _with_priority(renderer: Processor) -> Processor:
    def render(logger: WrappedLogger, name: str, event: EventDict) -> str:
        priority = PRIORITIES.get(str(event.get("level", "info")), 6)
        line = renderer(logger, name, event)
        text = line.decode() if isinstance(line, bytes) else str(line)
        return f"<{priority}>{text}"

    return render


def _route_stdlib(numeric: int, out: TextIO, shared: list[Processor], renderer: Processor) -> None:
    handler = logging.StreamHandler(out)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(numeric)
    # httpx logs every request line at INFO; our clients report requests themselves.
    # alembic announces plugins and steps at INFO; `syncd db upgrade` reports the outcome itself.
    for noisy in ("httpx", "httpcore", "uvicorn.access", "alembic"):
        logging.getLogger(noisy).setLevel(max(numeric, logging.WARNING))


def debugging() -> bool:
    """Whether debug output is on: tracebacks are logged only then."""
    return logging.getLogger().isEnabledFor(logging.DEBUG)


def get_logger(name: str | None = None) -> Any:
    return structlog.get_logger(name)


@contextmanager
def bound_run(run_id: str | None = None, **fields: Any) -> Iterator[str]:
    """Bind a run id (and more) to every log line written inside the block."""
    run_id = run_id or uuid.uuid4().hex[:12]
    with structlog.contextvars.bound_contextvars(run_id=run_id, **fields):
        yield run_id
