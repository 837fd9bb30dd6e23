"""systemd's notify protocol (sd_notify(3)), without a dependency.

With `Type=notify` systemd passes a unix datagram socket in `$NOTIFY_SOCKET`
(a path, or an abstract name written with a leading `@`) and, when
`WatchdogSec=` is set, the interval in `$WATCHDOG_USEC`. Each message is one
datagram of `KEY=VALUE` lines. Without `$NOTIFY_SOCKET` (not under systemd)
every call does nothing.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping

from syncd import log

logger = log.get_logger("syncd.notify")


class Notifier:
    def __init__(self, address: str | None, watchdog_usec: int | None = None) -> None:
        self.address = address
        self.watchdog_usec = watchdog_usec
        self._warned = False

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Notifier:
        env = os.environ if environ is None else environ
        return cls(env.get("NOTIFY_SOCKET") or None, _watchdog_usec(env))

    @property
    def enabled(self) -> bool:
        return self.address is not None

    def watchdog_interval(self) -> float | None:
        """Seconds between WATCHDOG=1 pings: half the interval systemd expects them in."""
        if not self.enabled or not self.watchdog_usec:
            return None
        return self.watchdog_usec / 2_000_000

    def ready(self, status: str) -> None:
        self.send(f"READY=1\nSTATUS={status}")

    def status(self, status: str) -> None:
        self.send(f"STATUS={status}")

    def watchdog(self) -> None:
        self.send("WATCHDOG=1")

    def stopping(self, status: str) -> None:
        self.send(f"STOPPING=1\nSTATUS={status}")

    def send(self, message: str) -> bool:
        """Send one datagram; a failure is logged once and never raised (systemd is optional)."""
        if self.address is None:
            return False
        target = "\0" + self.address[1:] if self.address.startswith("@") else self.address
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
                sock.sendto(message.encode("utf-8"), target)
        except OSError as exc:
            if not self._warned:
                logger.warning("cannot notify systemd", socket=self.address, error=str(exc))
                self._warned = True
            return False
        return True


def _watchdog_usec(env: Mapping[str, str]) -> int | None:
    """`$WATCHDOG_USEC`, when it is meant for this process (`$WATCHDOG_PID` unset or ours)."""
    pid = env.get("WATCHDOG_PID")
    if pid and pid != str(os.getpid()):
        return None
    try:
        usec = int(env.get("WATCHDOG_USEC", ""))
    except ValueError:
        return None
    return usec if usec > 0 else None
