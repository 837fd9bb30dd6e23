"""The web hook dispatcher both simulators use: in its own thread, retried, shuffled on demand."""

from __future__ import annotations

import json
import socket

import pytest

from syncd.simulators.kit import serve_in_thread
from syncd.simulators.moco import MocoSimulator
from syncd.simulators.webhooks import Dispatcher
from tests.simulators.receiver import receiving


def post(dispatcher: Dispatcher, url: str, n: int) -> None:
    dispatcher.enqueue(url, f"event-{n}", json.dumps({"n": n}).encode(), {"X-N": str(n)})


def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_failed_delivery_is_retried_until_it_succeeds() -> None:
    dispatcher = Dispatcher()
    dispatcher.configure({"retry_base": 0.01})
    with receiving() as receiver:
        receiver.statuses = [500, 503]
        post(dispatcher, receiver.url, 1)
        assert dispatcher.wait_idle(10)
        assert [c.json for c in receiver.wait_for(3)] == [{"n": 1}] * 3
        assert receiver.calls[0].headers["X-N"] == "1"
    (delivery,) = dispatcher.deliveries()
    assert (delivery["state"], delivery["attempts"], delivery["status"]) == ("delivered", 3, 200)
    assert [a["status"] for a in delivery["answers"]] == [500, 503, 200]
    dispatcher.stop()


def test_connection_errors_count_and_attempts_are_capped() -> None:
    dispatcher = Dispatcher()
    dispatcher.configure({"retry_base": 0.01, "max_attempts": 3, "timeout": 2})
    post(dispatcher, f"http://127.0.0.1:{unused_port()}/gone", 1)
    assert dispatcher.wait_idle(10)
    (delivery,) = dispatcher.deliveries()
    assert (delivery["state"], delivery["attempts"], delivery["status"]) == ("failed", 3, None)
    assert all("ConnectError" in a["error"] for a in delivery["answers"])
    dispatcher.stop()


def test_shuffle_sends_held_deliveries_out_of_order() -> None:
    dispatcher = Dispatcher()
    dispatcher.configure({"paused": True, "shuffle": True, "seed": 3})
    with receiving() as receiver:
        for n in range(10):
            post(dispatcher, receiver.url, n)
        assert not dispatcher.wait_idle(0.05)  # held back while paused
        assert receiver.calls == []
        dispatcher.configure({"paused": False})
        order = [c.json["n"] for c in receiver.wait_for(10)]
    assert sorted(order) == list(range(10))
    assert order != list(range(10))
    in_order = Dispatcher()
    in_order.configure({"paused": True})
    with receiving() as receiver:
        for n in range(10):
            post(in_order, receiver.url, n)
        in_order.configure({"paused": False})
        assert [c.json["n"] for c in receiver.wait_for(10)] == list(range(10))
    dispatcher.stop()
    in_order.stop()


def test_stop_ends_the_thread_and_drops_what_is_pending() -> None:
    dispatcher = Dispatcher()
    dispatcher.configure({"paused": True})
    post(dispatcher, "http://127.0.0.1:9/never", 1)
    assert dispatcher.running
    dispatcher.stop()
    assert not dispatcher.running
    assert dispatcher.deliveries()[0]["state"] == "pending"
    with receiving() as receiver:  # a new delivery starts a new thread
        dispatcher.configure({"paused": False})
        post(dispatcher, receiver.url, 2)
        assert receiver.wait_for(1)[0].json == {"n": 2}
    dispatcher.stop()


def test_settings_are_checked() -> None:
    dispatcher = Dispatcher()
    for bad, reason in (
        ({"nope": 1}, "unknown"),
        ({"retry_base": -1}, "retry_base"),
        ({"max_attempts": 0}, "max_attempts"),
        ({"jitter": "x"}, "jitter"),
    ):
        with pytest.raises(ValueError, match=reason):
            dispatcher.configure(bad)


def test_the_server_stopping_stops_the_delivery_thread() -> None:
    sim = MocoSimulator(rate_limit=False)
    with serve_in_thread(sim):
        sim.webhooks.configure({"paused": True})
        sim.webhooks.enqueue("http://127.0.0.1:9/x", "e", b"{}", {})
        assert sim.webhooks.running
    assert not sim.webhooks.running


def test_the_list_keeps_the_latest_finished_deliveries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("syncd.simulators.webhooks.KEEP_FINISHED", 2)
    dispatcher = Dispatcher()
    with receiving() as receiver:
        for n in range(1, 9):
            post(dispatcher, receiver.url, n)
            assert dispatcher.wait_idle(10)
    kept = [d["id"] for d in dispatcher.deliveries()]
    assert kept[-1] == 8
    assert len(kept) <= 5  # trimmed to the last 2 once more than 4 had finished
    dispatcher.stop()
