"""The daemon's Prometheus metrics: names, labels, values, and a store that may be down."""

from __future__ import annotations

from datetime import UTC, datetime

from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from syncd.adapters.http import RequestEvent
from syncd.core import plan as p
from syncd.core.clockodo import ClockodoItem
from syncd.core.moco import MocoItem
from syncd.core.model import Side
from syncd.service.metrics import Metrics, StoreFigures
from syncd.sync.outcomes import Result, Status
from tests.core.factories import proj


def samples(metrics: Metrics) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    text = generate_latest(metrics.registry).decode()
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(metrics: Metrics, name: str, **labels: str) -> float | None:
    return samples(metrics).get((name, frozenset(labels.items())))


def delete_in_moco(moco_id: int) -> p.Delete:
    source = p.WriteSource(Side.MOCO, moco_id, proj())
    pair = p.Pair(1, moco_id, 7, Side.MOCO)
    return p.Delete(Side.MOCO, pair, proj(), MocoItem(3), source)


def delete_in_clockodo() -> p.Delete:
    source = p.WriteSource(Side.CLOCKODO, 7, proj())
    item = ClockodoItem(101, datetime(2026, 3, 2, 8, tzinfo=UTC), 1000)
    return p.Delete(Side.CLOCKODO, p.Pair(1, 2, 7, Side.MOCO), proj(), item, source)


def test_runs_by_mode_and_result_and_items_by_side_action_status() -> None:
    metrics = Metrics("9.9.9")
    items = [
        Result(delete_in_moco(933590696), Status.DONE),
        Result(delete_in_moco(933590697), Status.DONE),
        Result(delete_in_clockodo(), Status.FAILED),
    ]
    metrics.observe_run("daemon-incr", "ok", 2.5, items)
    metrics.observe_run("daemon-incr", "failed", 0.5)
    metrics.observe_run("daemon-full", "ok", 4.0)
    assert value(metrics, "syncd_runs_total", mode="daemon-incr", result="ok") == 1
    assert value(metrics, "syncd_runs_total", mode="daemon-incr", result="failed") == 1
    assert value(metrics, "syncd_runs_total", mode="daemon-full", result="ok") == 1
    assert value(metrics, "syncd_run_duration_seconds_count", mode="daemon-incr") == 2
    assert value(metrics, "syncd_run_duration_seconds_sum", mode="daemon-incr") == 3.0
    assert value(metrics, "syncd_items_total", side="moco", action="delete", status="done") == 2
    assert (
        value(metrics, "syncd_items_total", side="clockodo", action="delete", status="failed") == 1
    )
    assert value(metrics, "syncd_build_info", version="9.9.9") == 1


def test_requests_by_api_and_status_class_and_throttling() -> None:
    metrics = Metrics("1")
    for status_class, throttled in (("2xx", 0.0), ("2xx", 1.5), ("4xx", 0.0), ("transport", 0.25)):
        metrics.observe_request(
            RequestEvent("clockodo", "PUT", "/v2/entries/{id}", status_class, 0.1, throttled)
        )
    assert value(metrics, "syncd_api_requests_total", api="clockodo", status_class="2xx") == 2
    assert value(metrics, "syncd_api_requests_total", api="clockodo", status_class="4xx") == 1
    assert value(metrics, "syncd_api_requests_total", api="clockodo", status_class="transport") == 1
    assert value(metrics, "syncd_api_throttled_requests_total", api="clockodo") == 2
    assert value(metrics, "syncd_api_throttle_wait_seconds_total", api="clockodo") == 1.75
    assert value(metrics, "syncd_api_request_duration_seconds_count", api="clockodo") == 4


def test_labels_hold_no_ids_or_routes() -> None:
    metrics = Metrics("1")
    metrics.observe_request(RequestEvent("moco", "GET", "/activities/{id}", "2xx", 0.1, 0.0))
    metrics.observe_run("daemon-incr", "ok", 1.0, [Result(delete_in_moco(933590696), Status.DONE)])
    text = generate_latest(metrics.registry).decode()
    assert "933590696" not in text
    assert "/activities" not in text
    label_names = {name for (_, labels) in samples(metrics) for name, _ in labels}
    allowed = {"mode", "result", "side", "action", "status", "api", "status_class", "le", "version"}
    assert label_names <= allowed


def test_store_gauges_are_read_at_scrape_time() -> None:
    figures = StoreFigures(open_conflicts=2, pending_intents=1)
    metrics = Metrics("1", lambda: figures)
    assert value(metrics, "syncd_open_conflicts") == 2
    assert value(metrics, "syncd_pending_intents") == 1
    figures = StoreFigures(open_conflicts=0, pending_intents=0)
    assert value(metrics, "syncd_open_conflicts") == 0
    assert value(metrics, "syncd_oldest_open_conflict_age_seconds") == 0
    figures = StoreFigures(1, 1, oldest_conflict_seconds=3 * 86400, oldest_intent_seconds=90)
    assert value(metrics, "syncd_oldest_open_conflict_age_seconds") == 3 * 86400
    assert value(metrics, "syncd_oldest_pending_intent_age_seconds") == 90


def test_an_unreachable_store_leaves_the_other_metrics_scrapable() -> None:
    def broken() -> StoreFigures:
        raise OSError("connection refused")

    metrics = Metrics("1", broken)
    metrics.observe_run("daemon-incr", "ok", 1.0)
    assert value(metrics, "syncd_open_conflicts") is None
    assert value(metrics, "syncd_runs_total", mode="daemon-incr", result="ok") == 1
