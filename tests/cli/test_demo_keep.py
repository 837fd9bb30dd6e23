"""`syncd demo --keep`: after the story a real daemon mirrors a MOCO edit by web hook."""

from __future__ import annotations

import queue
import shlex
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

import httpx

ROOT = Path(__file__).parents[2]
READY = "Ctrl-C stops the daemon and both simulators."


def _pump(stream: IO[str], lines: queue.Queue[str], seen: list[str]) -> None:
    for line in stream:
        seen.append(line)
        lines.put(line)


def _until_ready(lines: queue.Queue[str], timeout: float) -> list[str]:
    deadline, got = time.monotonic() + timeout, []
    while READY not in "".join(got):
        left = deadline - time.monotonic()
        assert left > 0, "no ready text:\n" + "".join(got)
        try:
            got.append(lines.get(timeout=left))
        except queue.Empty:
            continue
    return got


def _request(command: str) -> tuple[str, str, dict[str, str], str | None]:
    """Method, URL, headers and body of a printed `curl` line."""
    words = shlex.split(command)
    assert words[0] == "curl"
    method, headers, body, url = "GET", {}, None, ""
    args = iter(words[1:])
    for word in args:
        if word == "-X":
            method = next(args)
        elif word == "-H":
            name, value = next(args).split(": ", 1)
            headers[name] = value
        elif word == "-d":
            body = next(args)
        elif not word.startswith("-"):
            url = word
    return method, url, headers, body


def test_demo_keep_mirrors_a_moco_edit_by_web_hook_and_stops_on_sigint(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "syncd", "demo", "--keep", "--dir", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    lines: queue.Queue[str] = queue.Queue()
    seen: list[str] = []
    reader = threading.Thread(target=_pump, args=(proc.stdout, lines, seen), daemon=True)
    reader.start()
    try:
        out = _until_ready(lines, timeout=60)
        curls = [line.strip() for line in out if line.strip().startswith("curl ")]
        edit, look = (_request(c) for c in curls)
        moco_line = next(line for line in out if line.startswith("MOCO simulator:"))
        assert edit[1].startswith(moco_line.split()[2])
        assert edit[2]["Authorization"].startswith("Token token=")
        assert (tmp_path / "syncd.toml").exists()
        assert any(str(tmp_path / "syncd.toml") in line for line in out)

        method, url, headers, body = edit
        assert method == "PUT"
        text = "Changed by test_demo_keep"
        body = (body or "").replace("Edited in MOCO, mirrored by web hook", text)
        assert text in body
        httpx.request(method, url, headers=headers, content=body).raise_for_status()

        _, entry_url, entry_headers, _ = look
        deadline = time.monotonic() + 5
        while True:
            answer = httpx.get(entry_url, headers=entry_headers)
            answer.raise_for_status()
            if answer.json()["entry"]["text"] == text:
                break
            assert time.monotonic() < deadline, f"not mirrored: {answer.json()}"
            time.sleep(0.1)

        health = next(line for line in out if line.startswith("daemon health:")).split()[2]
        assert httpx.get(health).status_code == 200
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        try:
            code = proc.wait(timeout=10)
        finally:
            if proc.poll() is None:
                proc.kill()
        reader.join(timeout=5)
    output = "".join(seen)
    assert code == 0, output
    assert "Traceback" not in output
    assert "Stopping the daemon and the simulators" in output
    log = (tmp_path / "daemon.log").read_text()
    assert "Traceback" not in log
    assert "stopped" in log
