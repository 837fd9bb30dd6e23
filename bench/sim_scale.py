"""Measure the simulators at benchmark scale: seeding and serving pages of a big window.

    .venv/bin/python bench/sim_scale.py [--bookings 100000] [--rounds 20]

Seeds each simulator in-process (and once more through `POST /_sim/seed`),
then serves it over real HTTP on loopback and times pages of a window that
holds every booking: MOCO 100 per page, clockodo 1000 per page; first,
middle and last page, the whole window and one person's part of it, and the
one-record count request syncd makes (`per_page=1`). Prints median and 95th
percentile wall times as seen by the client (HTTP included).
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from syncd.simulators.clockodo import ClockodoSimulator
from syncd.simulators.kit import serve_in_thread, utc_iso
from syncd.simulators.moco import MocoSimulator

FIRST_DAY = date(2026, 1, 1)
DAYS = 365
PEOPLE = 20
NOW = datetime(2027, 1, 15, 12, tzinfo=UTC)


def moco_seed(count: int) -> dict[str, Any]:
    users = [{"id": 1000 + n, "firstname": f"P{n}", "lastname": "Bench"} for n in range(PEOPLE)]
    return {
        "users": users,
        "api_keys": [{"key": "bench", "user_id": 1000, "impersonate": True}],
        "companies": [{"id": 1, "name": "Kunde"}],
        "projects": [
            {
                "id": 10,
                "name": "Projekt",
                "customer_id": 1,
                "tasks": [{"id": 100, "name": "Arbeit"}],
                "contracts": [{"user_id": u["id"]} for u in users],
            }
        ],
        "activities": [
            {
                "date": (FIRST_DAY + timedelta(days=(n * 7919) % DAYS)).isoformat(),
                "user_id": 1000 + n % PEOPLE,
                "project_id": 10,
                "task_id": 100,
                "seconds": 900,
                "remote_id": f"r{n}",
            }
            for n in range(count)
        ],
    }


def clockodo_seed(count: int) -> dict[str, Any]:
    start = datetime(2026, 1, 1, 8, tzinfo=UTC)
    return {
        "api_users": [{"email": "b@example.com", "key": "bench", "users_id": 1}],
        "users": [
            {"id": n + 1, "name": f"P{n} Bench", "role": "owner" if n == 0 else "worker"}
            for n in range(PEOPLE)
        ],
        "customers": [{"id": 1, "name": "Kunde"}],
        "projects": [{"id": 10, "customers_id": 1, "name": "Projekt"}],
        "services": [{"id": 100, "name": "Arbeit"}],
        "entries": [
            {
                "users_id": n % PEOPLE + 1,
                "customers_id": 1,
                "projects_id": 10,
                "services_id": 100,
                "time_since": utc_iso(since := start + timedelta(minutes=(n * 7919) % 500_000)),
                "time_until": utc_iso(since + timedelta(minutes=15)),
                "text": f"Buchung {n % 50}",
            }
            for n in range(count)
        ],
    }


def timed(action: Callable[[], object], rounds: int) -> tuple[float, float]:
    """Median and 95th percentile of `rounds` runs, in milliseconds."""
    samples = []
    for _ in range(rounds):
        began = time.perf_counter()
        action()
        samples.append((time.perf_counter() - began) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.95))]


def seed_timing(make: Callable[[], Any], seed: dict[str, Any]) -> tuple[float, float]:
    """Seconds to seed in-process, and through POST /_sim/seed (JSON included)."""
    began = time.perf_counter()
    make().seed(seed)
    in_process = time.perf_counter() - began
    sim = make()
    with serve_in_thread(sim) as running:
        body = json.dumps(seed)
        began = time.perf_counter()
        answer = httpx.post(f"{running.root_url}/_sim/seed", content=body, timeout=600)
        over_http = time.perf_counter() - began
        answer.raise_for_status()
    return in_process, over_http


def first_call(action: Callable[[], httpx.Response]) -> tuple[httpx.Response, float]:
    """The answer and milliseconds of a request never made before (nothing warmed)."""
    began = time.perf_counter()
    answer = action()
    return answer, (time.perf_counter() - began) * 1000


def report(name: str, cold: float, figures: tuple[float, float], note: str = "") -> None:
    median, p95 = figures
    print(f"  {name:<36} first {cold:6.2f} ms  median {median:6.2f} ms  p95 {p95:6.2f} ms  {note}")


def bench_moco(count: int, rounds: int) -> None:
    seed = moco_seed(count)
    in_process, over_http = seed_timing(lambda: MocoSimulator(rate_limit=False), seed)
    print(
        f"MOCO, {count} activities: seed {in_process:.2f} s in-process, {over_http:.2f} s via HTTP"
    )
    sim = MocoSimulator(rate_limit=False)
    sim.seed(seed)
    gc.freeze()  # as `syncd sim` does after seeding
    window = {"from": FIRST_DAY.isoformat(), "to": (FIRST_DAY + timedelta(days=DAYS)).isoformat()}
    with (
        serve_in_thread(sim) as running,
        httpx.Client(
            base_url=running.base_url, headers={"Authorization": "Token token=bench"}
        ) as client,
    ):
        last = -(-count // 100)
        for label, params in [
            ("page 1 of the window (100)", {**window, "page": 1}),
            (f"page {last // 2} of the window", {**window, "page": last // 2}),
            (f"page {last} (last) of the window", {**window, "page": last}),
            ("one person's window, page 2", {**window, "user_id": 1005, "page": 2}),
            ("count: per_page=1", {**window, "per_page": 1}),
        ]:
            answer, cold = first_call(lambda p=params: client.get("/activities", params=p))
            assert answer.status_code == 200, answer.text
            figures = timed(lambda p=params: client.get("/activities", params=p), rounds)
            report(label, cold, figures, f"X-Total {answer.headers['X-Total']}")
        lookup = {**window, "remote_id": "r5,r77", "page": 1}
        _, cold = first_call(lambda: client.get("/activities", params=lookup))
        figures = timed(lambda: client.get("/activities", params=lookup), rounds)
        report("remote_id lookup", cold, figures)


def bench_clockodo(count: int, rounds: int) -> None:
    seed = clockodo_seed(count)

    def make() -> ClockodoSimulator:
        sim = ClockodoSimulator(rate_limit=False)
        sim.clock.freeze(NOW)
        return sim

    in_process, over_http = seed_timing(make, seed)
    print(
        f"clockodo, {count} entries: seed {in_process:.2f} s in-process, {over_http:.2f} s via HTTP"
    )
    sim = make()
    sim.seed(seed)
    gc.freeze()  # as `syncd sim` does after seeding
    window = {"time_since": "2025-12-01T00:00:00Z", "time_until": "2027-01-01T00:00:00Z"}
    headers = {
        "X-ClockodoApiUser": "b@example.com",
        "X-ClockodoApiKey": "bench",
        "X-Clockodo-External-Application": "bench;b@example.com",
    }
    with (
        serve_in_thread(sim) as running,
        httpx.Client(base_url=running.base_url, headers=headers) as client,
    ):
        last = -(-count // 1000)
        for label, params in [
            ("page 1 of the window (1000)", {**window, "page": 1}),
            (f"page {last // 2} of the window", {**window, "page": last // 2}),
            (f"page {last} (last) of the window", {**window, "page": last}),
            ("one person's window, page 1", {**window, "filter[users_id]": 6}),
        ]:
            query = {**params, "items_per_page": 1000}
            answer, cold = first_call(lambda q=query: client.get("/v2/entries", params=q))
            assert answer.status_code == 200, answer.text
            figures = timed(lambda q=query: client.get("/v2/entries", params=q), rounds)
            report(label, cold, figures, f"count_items {answer.json()['paging']['count_items']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bookings", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    bench_moco(args.bookings, args.rounds)
    bench_clockodo(args.bookings, args.rounds)


if __name__ == "__main__":
    main()
