"""`syncd daemon` as a real process against the simulators, watched through its JSON logs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from tests.e2e.harness import ROOT, World

LogLine = dict[str, Any]
FAST = {"SYNCD_SYNC__INTERVAL": "2s"}  # no HTTP unless a test asks for it


class DaemonProcess:
    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc
        self.lines: list[LogLine] = []
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for raw in self.proc.stderr:
            try:
                line = json.loads(raw)
            except json.JSONDecodeError:
                line = {"event": raw.rstrip("\n"), "raw": True}
            with self._changed:
                self.lines.append(line)
                self._changed.notify_all()

    # -- logs ---------------------------------------------------------------------------
    def events(self, event: str) -> list[LogLine]:
        with self._changed:
            return [line for line in self.lines if line.get("event") == event]

    def wait_for(
        self,
        event: str,
        count: int = 1,
        timeout: float = 60.0,
        where: Callable[[LogLine], bool] | None = None,
    ) -> LogLine:
        """The `count`-th log line named `event` (and matching `where`), waiting for it."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [
                    e for e in self.lines if e.get("event") == event and (where is None or where(e))
                ]
                if len(found) >= count:
                    return found[count - 1]
                left = deadline - time.monotonic()
                if left <= 0 or (self.proc.poll() is not None and not self._reader.is_alive()):
                    raise AssertionError(
                        f"no {count}x {event!r} in the daemon's log:\n{self.log_text()}"
                    )
                self._changed.wait(min(left, 0.2))

    def log_text(self) -> str:
        with self._changed:
            return "\n".join(json.dumps(line) for line in self.lines[-60:])

    # -- HTTP -----------------------------------------------------------------------------
    @property
    def http_base(self) -> str:
        return f"http://{self.wait_for('http listening')['address']}"

    def get(self, path: str) -> httpx.Response:
        return httpx.get(self.http_base + path, timeout=10)

    # -- lifecycle --------------------------------------------------------------------------
    def signal(self, signum: int) -> None:
        self.proc.send_signal(signum)

    def wait(self, timeout: float = 60.0) -> int:
        code = self.proc.wait(timeout=timeout)
        self._reader.join(timeout=5)
        return code


@contextmanager
def running_daemon(
    world: World, env: dict[str, str] | None = None, *args: str
) -> Iterator[DaemonProcess]:
    """`syncd daemon` against `world`; killed at the end of the block if still running."""
    full_env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SYNCD_", "NOTIFY_SOCKET", "WATCHDOG_"))
    }
    full_env.update(FAST)
    full_env.update(env or {})
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "syncd",
            "--log-format",
            "json",
            "daemon",
            "-c",
            str(world.config),
            *args,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=full_env,
        cwd=ROOT,
    )
    daemon = DaemonProcess(proc)
    try:
        yield daemon
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        daemon.wait()
