"""Prometheus metrics of the daemon, in a registry of their own (never the global one).

Labels stay low-cardinality on purpose: modes, results, sides, actions,
statuses, API names and HTTP status classes. Never an id, an e-mail, a key or
a route with an id in it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from syncd import log
from syncd.adapters.http import RequestEvent
from syncd.sync.outcomes import Result

RUN_BUCKETS = (1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)
REQUEST_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

logger = log.get_logger("syncd.metrics")


@dataclass(frozen=True)
class StoreFigures:
    open_conflicts: int
    pending_intents: int
    oldest_conflict_seconds: float = 0.0  # age of the oldest open conflict (0: none)
    oldest_intent_seconds: float = 0.0  # age of the oldest pending intent (0: none)


class _StoreCollector(Collector):
    """Gauges read from the store at scrape time, so every process shows the same truth."""

    def __init__(self, read: Callable[[], StoreFigures]) -> None:
        self._read = read

    def describe(self) -> Iterable[Metric]:
        return self._families(None)

    def collect(self) -> Iterable[Metric]:
        try:
            figures = self._read()
        except Exception as exc:  # an unreachable store must not break the scrape
            logger.warning("store metrics unavailable", error=log.redact(str(exc)))
            return []
        return self._families(figures)

    @staticmethod
    def _families(figures: StoreFigures | None) -> Iterator[Metric]:
        conflicts = GaugeMetricFamily(
            "syncd_open_conflicts", "Conflicts parked for a person to resolve."
        )
        intents = GaugeMetricFamily(
            "syncd_pending_intents", "Write intents whose outcome is not yet known."
        )
        conflict_age = GaugeMetricFamily(
            "syncd_oldest_open_conflict_age_seconds",
            "How long the oldest open conflict has waited (0 when there is none).",
        )
        intent_age = GaugeMetricFamily(
            "syncd_oldest_pending_intent_age_seconds",
            "How long the oldest pending write intent has waited (0 when there is none).",
        )
        if figures is not None:
            conflicts.add_metric([], figures.open_conflicts)
            intents.add_metric([], figures.pending_intents)
            conflict_age.add_metric([], figures.oldest_conflict_seconds)
            intent_age.add_metric([], figures.oldest_intent_seconds)
        yield from (conflicts, intents, conflict_age, intent_age)


class Metrics:
    def __init__(self, version: str, store: Callable[[], StoreFigures] | None = None) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        Info("syncd_build", "The running syncd.", registry=r).info({"version": version})
        self.runs = Counter(
            "syncd_runs", "Sync runs by mode and result.", ["mode", "result"], registry=r
        )
        self.run_duration = Histogram(
            "syncd_run_duration_seconds",
            "Wall time of sync runs.",
            ["mode"],
            buckets=RUN_BUCKETS,
            registry=r,
        )
        self.last_success = Gauge(
            "syncd_last_success_timestamp_seconds",
            "Unix time the last run with result ok finished (any syncd process).",
            registry=r,
        )
        self.consecutive_failures = Gauge(
            "syncd_consecutive_failed_runs", "Failed runs since the last good one.", registry=r
        )
        self.active = Gauge(
            "syncd_writer_active",
            "1 while this process holds the writer lock and syncs, 0 in standby.",
            registry=r,
        )
        self.items = Counter(
            "syncd_items",
            "Planned writes by the side written to, action and outcome.",
            ["side", "action", "status"],
            registry=r,
        )
        self.api_requests = Counter(
            "syncd_api_requests",
            "HTTP requests to the vendors' APIs by API and status class.",
            ["api", "status_class"],
            registry=r,
        )
        self.api_request_duration = Histogram(
            "syncd_api_request_duration_seconds",
            "Duration of HTTP requests to the vendors' APIs (throttle wait excluded).",
            ["api"],
            buckets=REQUEST_BUCKETS,
            registry=r,
        )
        self.throttled = Counter(
            "syncd_api_throttled_requests",
            "Requests that waited for syncd's own rate limiter.",
            ["api"],
            registry=r,
        )
        self.throttle_wait = Counter(
            "syncd_api_throttle_wait_seconds",
            "Seconds requests spent waiting for syncd's own rate limiter.",
            ["api"],
            registry=r,
        )
        self.auth_failures = Counter(
            "syncd_api_auth_failures",
            "Requests the vendors refused with 401 (wrong key) or 403 (missing permission).",
            ["api", "status"],
            registry=r,
        )
        if store is not None:
            r.register(_StoreCollector(store))

    def observe_request(self, event: RequestEvent) -> None:
        self.api_requests.labels(event.api, event.status_class).inc()
        if event.status in (401, 403):
            self.auth_failures.labels(event.api, str(event.status)).inc()
        self.api_request_duration.labels(event.api).observe(event.seconds)
        if event.throttled_seconds > 0:
            self.throttled.labels(event.api).inc()
            self.throttle_wait.labels(event.api).inc(event.throttled_seconds)

    def observe_run(
        self, mode: str, result: str, seconds: float, items: Iterable[Result] = ()
    ) -> None:
        self.runs.labels(mode, result).inc()
        self.run_duration.labels(mode).observe(seconds)
        for item in items:
            side = item.action.side or "store"
            self.items.labels(side, item.action.kind, str(item.status)).inc()
