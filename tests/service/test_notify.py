"""sd_notify: datagrams on $NOTIFY_SOCKET (paths and abstract names), silence without it."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from syncd.service.notify import Notifier


@pytest.fixture
def abstract_socket() -> Iterator[tuple[str, socket.socket]]:
    name = f"syncd-test-{uuid.uuid4().hex}"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind("\0" + name)
    sock.settimeout(5)
    try:
        yield "@" + name, sock
    finally:
        sock.close()


def test_messages_arrive_on_an_abstract_socket(abstract_socket: tuple[str, socket.socket]) -> None:
    address, sock = abstract_socket
    notifier = Notifier.from_environment({"NOTIFY_SOCKET": address})
    notifier.ready("standby: waiting for the writer lock")
    notifier.watchdog()
    notifier.stopping("stopping")
    assert sock.recv(4096) == b"READY=1\nSTATUS=standby: waiting for the writer lock"
    assert sock.recv(4096) == b"WATCHDOG=1"
    assert sock.recv(4096) == b"STOPPING=1\nSTATUS=stopping"


def test_messages_arrive_on_a_socket_path(tmp_path: Path) -> None:
    path = tmp_path / "notify"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(str(path))
        sock.settimeout(5)
        assert Notifier(str(path)).send("STATUS=active") is True
        assert sock.recv(4096) == b"STATUS=active"


def test_without_notify_socket_nothing_is_sent() -> None:
    notifier = Notifier.from_environment({"WATCHDOG_USEC": "1000000"})
    assert not notifier.enabled
    assert notifier.send("READY=1") is False
    assert notifier.watchdog_interval() is None


def test_a_missing_socket_is_no_error(tmp_path: Path) -> None:
    notifier = Notifier(str(tmp_path / "nobody-listens"))
    assert notifier.send("READY=1") is False  # logged, never raised
    notifier.watchdog()


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"WATCHDOG_USEC": "120000000"}, 60.0),
        ({"WATCHDOG_USEC": "120000000", "WATCHDOG_PID": str(os.getpid())}, 60.0),
        ({"WATCHDOG_USEC": "120000000", "WATCHDOG_PID": "1"}, None),  # meant for another process
        ({"WATCHDOG_USEC": "0"}, None),
        ({"WATCHDOG_USEC": "soon"}, None),
        ({}, None),
    ],
)
def test_watchdog_pings_at_half_the_interval(
    environ: dict[str, str], expected: float | None
) -> None:
    notifier = Notifier.from_environment({"NOTIFY_SOCKET": "@x", **environ})
    assert notifier.watchdog_interval() == expected
