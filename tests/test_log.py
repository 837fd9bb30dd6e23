"""Logging: JSON lines off a TTY, UTC timestamps, run ids, secrets scrubbed."""

from __future__ import annotations

import io
import json
import logging

import pytest

from syncd import log


@pytest.fixture
def stream() -> io.StringIO:
    out = io.StringIO()
    log.configure(level="info", log_format="auto", stream=out)
    return out


def lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_json_lines_with_utc_timestamp_and_level(stream: io.StringIO) -> None:
    log.get_logger().info("run finished", created=3)
    (line,) = lines(stream)
    assert line["event"] == "run finished"
    assert line["created"] == 3
    assert line["level"] == "info"
    assert str(line["timestamp"]).endswith("Z")


def test_run_id_is_bound_to_every_line_of_a_run(stream: io.StringIO) -> None:
    with log.bound_run() as run_id:
        log.get_logger().info("one")
        logging.getLogger("somelib").warning("two")
    log.get_logger().info("after")
    first, second, after = lines(stream)
    assert first["run_id"] == run_id == second["run_id"]
    assert "run_id" not in after


def test_registered_secrets_are_scrubbed_everywhere(stream: io.StringIO) -> None:
    log.register_secrets(["s3cr3t-api-key-value"])
    logger = log.get_logger()
    logger.info("calling with s3cr3t-api-key-value", headers={"X-Key": "s3cr3t-api-key-value"})
    try:
        raise RuntimeError("failed for key s3cr3t-api-key-value")
    except RuntimeError:
        logger.exception("boom")
    logging.getLogger("httpx").error("stdlib s3cr3t-api-key-value")
    output = stream.getvalue()
    assert "s3cr3t-api-key-value" not in output
    assert output.count(log.REDACTED) >= 4


def test_level_filters(stream: io.StringIO) -> None:
    log.configure(level="warning", log_format="json", stream=stream)
    log.get_logger().info("hidden")
    log.get_logger().warning("shown")
    assert [line["event"] for line in lines(stream)] == ["shown"]


def test_console_format_is_not_json() -> None:
    out = io.StringIO()
    log.configure(level="info", log_format="console", stream=out)
    log.get_logger().info("hello", n=1)
    text = out.getvalue()
    assert "hello" in text
    with pytest.raises(json.JSONDecodeError):
        json.loads(text)


def test_lines_to_the_journal_carry_a_syslog_priority(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os
    from pathlib import Path

    path = Path(str(tmp_path)) / "journal"
    with path.open("w+") as out:
        stat = os.fstat(out.fileno())
        monkeypatch.setenv("JOURNAL_STREAM", f"{stat.st_dev}:{stat.st_ino}")
        log.configure(log_format="json", stream=out)
        log.get_logger("t").error("broken")
        log.get_logger("t").info("fine")
        logging.getLogger("stdlib").warning("careful")
        out.flush()
    written = path.read_text().splitlines()
    assert [line[:3] for line in written] == ["<3>", "<6>", "<4>"]
    assert json.loads(written[0][3:])["event"] == "broken"
    monkeypatch.setenv("JOURNAL_STREAM", "1:2")  # another stream: no prefixes
    plain = io.StringIO()
    log.configure(log_format="json", stream=plain)
    log.get_logger("t").error("broken")
    assert plain.getvalue().startswith("{")


def test_no_color_turns_colour_off(monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert log.colour_wanted(Terminal())
    assert not log.colour_wanted(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not log.colour_wanted(Terminal())
