"""syncd's benchmarks: requests per side against the lower bound and a naive sync,
syncd's CPU time and peak memory.

    python -m bench.run           # the full sizes (make bench)
    python -m bench.run --quick   # small sizes; exit 1 when over the bound (make bench-quick)
    python -m bench.run --only latency   # change-to-mirror: web hooks next to polling

Each scenario seeds both simulators (rate limits off), brings the store to the
scenario's starting point with syncd itself, then measures one `syncd run-once`
as a separate process: the requests each simulator served (exact), the CPU time
and peak RSS of that process (os.wait4, through bench/measure.py), and the wall
time of its pure reconcile (the run's own report). The lower bound of a scenario is what any
correct sync must send for that work: the pages it must read (MOCO 100, clockodo
1000 bookings a page; master data on a first sync) plus the writes (MOCO: one bulk
create per person and 100 bookings, one request per update, delete and billed
project; clockodo: one request per write, two for an entry-group edit), plus the
re-read of what is about to be overwritten (one per 100 MOCO activities). The
naive sync (bench/naive.py) reads everything on every poll and writes one request
per booking. "MOCO time" is what MOCO's limit (120 requests per 2 minutes) makes of
the MOCO requests. Results go to bench/results/*.json; the table to stdout.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import tomli_w

from bench import agency, naive
from syncd.simulators.clockodo import ClockodoSimulator
from syncd.simulators.kit import RunningSimulator, serve_in_thread
from syncd.simulators.moco import MocoSimulator
from syncd.store import db

ROOT = Path(__file__).parents[1]
RESULTS = ROOT / "bench" / "results"
MOCO_PAGE, CLOCKODO_PAGE, BULK = 100, 1000, 100
MASTER = {"moco": 2, "clockodo": 4}  # users+projects; users, customers, projects, services


@dataclass(frozen=True)
class Size:
    people: int
    days: int  # workdays of bookings
    per_day: int

    @property
    def bookings(self) -> int:
        return self.people * self.days * self.per_day


@dataclass(frozen=True)
class Ran:
    """One measured `syncd run-once`."""

    requests: dict[str, int]
    cpu_seconds: float
    peak_rss_mb: float
    writes: dict[str, int]
    reconcile_seconds: float


@dataclass
class Measured:
    scenario: str
    bookings_per_side: int
    requests: dict[str, int]
    lower_bound: dict[str, int]
    naive: dict[str, int]
    cpu_seconds: float
    peak_rss_mb: float
    writes: dict[str, int] = field(default_factory=dict)
    reconcile_seconds: float = 0.0  # the pure core, inside that run (wall time)

    @classmethod
    def of(
        cls,
        scenario: str,
        bookings: int,
        ran: Ran,
        lower_bound: dict[str, int],
        naive: dict[str, int],
    ) -> Measured:
        return cls(
            scenario,
            bookings,
            ran.requests,
            lower_bound,
            naive,
            ran.cpu_seconds,
            ran.peak_rss_mb,
            ran.writes,
            ran.reconcile_seconds,
        )

    @property
    def moco_time_seconds(self) -> float:
        return float(self.requests["moco"])  # 120 requests per 120 s

    def within(self, factor: float = 1.1) -> bool:
        return all(self.requests[s] <= math.ceil(factor * self.lower_bound[s]) for s in MASTER)


@dataclass
class World:
    moco: RunningSimulator[MocoSimulator]
    clockodo: RunningSimulator[ClockodoSimulator]
    folder: Path
    config: Path

    def run(self, *args: str) -> Ran:
        """One `syncd run-once` process, measured."""
        for sim in (self.moco.sim, self.clockodo.sim):
            sim.stats.clear()
        env = {k: v for k, v in os.environ.items() if not k.startswith("SYNCD_")}
        # BENCH_PROFILE=FILE: the run under cProfile (its stats in FILE), to see where
        # the CPU goes; figures measured that way are not comparable.
        profile = os.environ.get("BENCH_PROFILE")
        python = [sys.executable, *(["-m", "cProfile", "-o", profile] if profile else [])]
        command = [*python, "-m", "syncd", "--log-format", "json", "run-once", "--output", "json"]
        figures = self.folder / "measured.json"
        measure = [sys.executable, "-m", "bench.measure", str(figures), "--"]
        process = subprocess.run(  # noqa: S603 - our own interpreter and arguments
            [*measure, *command, *args, "-c", str(self.config)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if process.returncode != 0:
            raise RuntimeError(f"syncd run-once failed: {process.stderr}")
        measured = json.loads(figures.read_text(encoding="utf-8"))
        report = json.loads(process.stdout)  # run-once --output json
        return Ran(
            requests={
                "moco": sum(self.moco.sim.stats.values()),
                "clockodo": sum(self.clockodo.sim.stats.values()),
            },
            cpu_seconds=measured["cpu_seconds"],
            peak_rss_mb=measured["peak_rss_mb"],
            writes={"moco": self.moco.sim.write_count, "clockodo": self.clockodo.sim.write_count},
            reconcile_seconds=report["seconds"].get("reconcile", 0.0),
        )


@contextmanager
def world(
    size: Size,
    moco_books: list[agency.Booking],
    clockodo_books: list[agency.Booking],
    window_days: int,
) -> Iterator[World]:
    """Both simulators seeded (their bookings stamped a day ago), and a config."""
    moco, clockodo = MocoSimulator(rate_limit=False), ClockodoSimulator(rate_limit=False)
    with back_in_time(moco, clockodo, timedelta(days=1)):
        moco.seed(agency.moco_seed(size.people, [b.activity() for b in moco_books]))
        clockodo.seed(agency.clockodo_seed(size.people, [b.entry() for b in clockodo_books]))
    with (
        tempfile.TemporaryDirectory(prefix="syncd-bench-") as tmp,
        serve_in_thread(moco) as m,
        serve_in_thread(clockodo) as c,
    ):
        folder = Path(tmp)
        config = folder / "syncd.toml"
        settings = {
            "moco": {"base_url": m.base_url, "api_key": agency.MOCO_KEY, "rate_limit": 100_000},
            "clockodo": {
                "base_url": c.base_url,
                "api_user": agency.CLOCKODO_USER,
                "api_key": agency.CLOCKODO_KEY,
                "external_application": "syncd-bench;bench@example.com",
                "rate_limit": 100_000,
            },
            "database": {"url": f"sqlite:///{folder / 'syncd.db'}"},
            "sync": {"window_days": window_days, "mass_delete_min": 1_000_000},
            "log": {"level": "warning"},
            "mappings": agency.mappings(size.people),
        }
        config.write_text(tomli_w.dumps(settings), encoding="utf-8")
        engine = db.make_engine(str(settings["database"]["url"]))  # type: ignore[index]
        db.upgrade(engine)
        engine.dispose()
        yield World(m, c, folder, config)


@contextmanager
def back_in_time(
    moco: MocoSimulator, clockodo: ClockodoSimulator, ago: timedelta
) -> Iterator[None]:
    """Vendor stamps as of ``ago`` before now: the changes a poll finds are only those
    made after (syncd's watermark looks back 10 minutes)."""
    moment = datetime.now(UTC) - ago
    moco.clock.freeze(moment)
    clockodo.clock.freeze(moment)
    try:
        yield
    finally:
        moco.clock.freeze(None)
        clockodo.clock.freeze(None)


def window_days(size: Size) -> int:
    return min(366, size.days * 7 // 5 + 10)


def pages(count: int, per_page: int) -> int:
    return max(1, math.ceil(count / per_page))


# --- scenarios ---------------------------------------------------------------------


def import_into(target: str, size: Size, books: list[agency.Booking]) -> Measured:
    """A first sync: every booking of one tool is created in the other."""
    moco_books, clockodo_books = (books, []) if target == "clockodo" else ([], books)
    with world(size, moco_books, clockodo_books, window_days(size)) as w:
        ran = w.run()
    n = len(books)
    per_person = [sum(1 for b in books if b.person == p) for p in range(size.people)]
    if target == "clockodo":
        bound = {
            "moco": MASTER["moco"] + pages(n, MOCO_PAGE),
            "clockodo": MASTER["clockodo"] + 1 + n,
        }
    else:
        bulk = sum(math.ceil(k / BULK) for k in per_person)
        bound = {
            "moco": MASTER["moco"] + 1 + bulk,
            "clockodo": MASTER["clockodo"] + pages(n, CLOCKODO_PAGE),
        }
    return Measured.of(f"import into {target}", n, ran, bound, naive.first_sync(target, n))


@contextmanager
def synced(size: Size, books: list[agency.Booking]) -> Iterator[World]:
    """Both tools hold the same bookings and syncd has linked them (an hour ago, as
    far as the vendors' stamps go)."""
    with world(size, books, books, window_days(size)) as w:
        with back_in_time(w.moco.sim, w.clockodo.sim, timedelta(hours=1)):
            w.run("--full")
        yield w


def no_change_poll(size: Size, books: list[agency.Booking], mode: str) -> Measured:
    n = len(books)
    with synced(size, books) as w:
        args = ("--incremental",) if mode == "daemon" else ()
        ran = w.run(*args)
    moco = 1 if n <= MOCO_PAGE else 2  # one page holds it all; else the changes and the count
    bound = {"moco": moco, "clockodo": pages(n, CLOCKODO_PAGE)}
    return Measured.of(f"no-change poll ({mode})", n, ran, bound, naive.poll(n, 0, 0))


def edits(size: Size, books: list[agency.Booking]) -> Measured:
    """1 % of the bookings edited in MOCO, another 1 % in clockodo."""
    n = len(books)
    k = max(1, n // 100)
    with synced(size, books) as w:
        activities = sorted(a["id"] for a in w.moco.sim.state()["activities"])
        entries = sorted(e["id"] for e in w.clockodo.sim.state()["entries"])
        edit_activities(w, activities[:k])
        edit_entries(w, entries[-k:])
        ran = w.run()
    bound = {
        "moco": pages(k, MOCO_PAGE) + 1 + pages(k, MOCO_PAGE) + k,  # changes, count, re-read, PUTs
        "clockodo": pages(n, CLOCKODO_PAGE) + min(k, pages(n, CLOCKODO_PAGE)) + k,
    }
    return Measured.of("1 % edits on each side", n, ran, bound, naive.poll(n, k, k))


def billed_month(size: Size, books: list[agency.Booking]) -> Measured:
    """The office bills a month in MOCO: every activity of it, per project."""
    n = len(books)
    with synced(size, books) as w:
        month = max(b.day for b in books).replace(day=1)
        billed = [a for a in w.moco.sim.state()["activities"] if a["date"] >= month.isoformat()]
        disregard(w, billed)
        ran = w.run()
    k = len(billed)
    groups = len({(a["user"]["id"], a["project"]["id"]) for a in billed})
    bound = {
        "moco": pages(k, MOCO_PAGE) + 1,  # the changes, the count
        "clockodo": pages(n, CLOCKODO_PAGE) + min(k, pages(n, CLOCKODO_PAGE)) + 2 * groups,
    }
    return Measured.of("a billed month", n, ran, bound, naive.poll(n, 0, k))


def one_deletion(size: Size, books: list[agency.Booking]) -> Measured:
    """One booking deleted in MOCO, in a year-long window."""
    n = len(books)
    with synced(size, books) as w:
        activity = w.moco.sim.state()["activities"][n // 2]
        delete_activity(w, activity)
        ran = w.run()
    days = window_days(size) + 2
    halvings = math.ceil(math.log2(max(2, days)))
    # The changes and the count; one count per halving; the part read again; the
    # proof (by id, then a GET answering 404).
    moco = 2 + halvings + 1 + 2
    bound = {"moco": moco, "clockodo": pages(n, CLOCKODO_PAGE) + 1 + 1}  # the re-read, the DELETE
    return Measured.of("one deletion in a year", n, ran, bound, naive.poll(n, 1, 0))


# --- vendor-side edits -------------------------------------------------------------


def _moco(w: World, method: str, path: str, user: int | None = None, **kw: Any) -> Any:
    import httpx  # noqa: PLC0415

    headers = {"Authorization": f"Token token={agency.MOCO_KEY}"}
    if user is not None:
        headers["X-IMPERSONATE-USER-ID"] = str(user)
    response = httpx.request(method, w.moco.base_url + path, headers=headers, timeout=60, **kw)
    response.raise_for_status()
    return response.json() if response.content else None


def edit_activities(w: World, ids: list[int]) -> None:
    users = {a["id"]: a["user"]["id"] for a in w.moco.sim.state()["activities"]}
    for activity_id in ids:
        _moco(
            w,
            "PUT",
            f"/activities/{activity_id}",
            users[activity_id],
            json={"description": "geändert in MOCO"},
        )


def edit_entries(w: World, ids: list[int]) -> None:
    import httpx  # noqa: PLC0415

    headers = {
        "X-ClockodoApiUser": agency.CLOCKODO_USER,
        "X-ClockodoApiKey": agency.CLOCKODO_KEY,
        "X-Clockodo-External-Application": "bench;bench@example.com",
    }
    with httpx.Client(headers=headers, timeout=60) as client:
        for entry_id in ids:
            client.put(
                f"{w.clockodo.base_url}/v2/entries/{entry_id}",
                json={"text": "geändert in clockodo"},
            ).raise_for_status()


def disregard(w: World, activities: list[dict[str, Any]]) -> None:
    by_project: dict[tuple[int, int], list[int]] = {}
    for a in activities:
        by_project.setdefault((a["customer"]["id"], a["project"]["id"]), []).append(a["id"])
    for (company, project), ids in by_project.items():
        body = {"activity_ids": ids, "reason": "R-1", "company_id": company, "project_id": project}
        _moco(w, "POST", "/activities/disregard", json=body)


def delete_activity(w: World, activity: dict[str, Any]) -> None:
    _moco(w, "DELETE", f"/activities/{activity['id']}", activity["user"]["id"])


# --- the table -----------------------------------------------------------------------

SCENARIOS: dict[str, Callable[[Size, list[agency.Booking]], Measured]] = {
    "import-clockodo": lambda s, b: import_into("clockodo", s, b),
    "import-moco": lambda s, b: import_into("moco", s, b),
    "poll": lambda s, b: no_change_poll(s, b, "run-once"),
    "poll-daemon": lambda s, b: no_change_poll(s, b, "daemon"),
    "edits": edits,
    "billed-month": billed_month,
}
FULL = Size(people=40, days=30, per_day=5)  # 6,000 bookings per side
YEAR = Size(people=20, days=250, per_day=4)  # 20,000 per side over a year
LARGE = Size(people=100, days=250, per_day=4)  # 100,000 per side
QUICK = Size(people=6, days=10, per_day=3)  # 180 per side


def table(results: list[Measured]) -> str:
    head = (
        "| scenario | bookings/side | MOCO requests (bound, naive) "
        "| clockodo requests (bound, naive) | MOCO time | syncd CPU | peak RSS | reconcile |\n"
        "|---|---|---|---|---|---|---|---|"
    )
    rows = [
        f"| {r.scenario} | {r.bookings_per_side:,} "
        f"| {r.requests['moco']} ({r.lower_bound['moco']}, {r.naive['moco']:,}) "
        f"| {r.requests['clockodo']} ({r.lower_bound['clockodo']}, {r.naive['clockodo']:,}) "
        f"| {r.moco_time_seconds:.0f} s | {r.cpu_seconds:.1f} s | {r.peak_rss_mb:.0f} MB "
        f"| {r.reconcile_seconds:.2f} s |"
        for r in results
    ]
    return "\n".join([head, *rows])


def latency_table(today: date, quick: bool) -> None:
    """Change-to-mirror latency (bench/latency.py); JSON to bench/results/ unless quick."""
    from bench import latency  # noqa: PLC0415

    size = QUICK if quick else FULL
    books = agency.bookings(today, size.people, size.days, size.per_day)
    results = latency.run(size, books, quick)
    print(latency.table(results))
    if not quick:
        RESULTS.mkdir(parents=True, exist_ok=True)
        data = {
            "bookings_per_side": size.bookings,
            "results": [
                {"mode": r.mode, "median": r.median, "p95": r.p95, "samples": r.samples}
                for r in results
            ],
        }
        (RESULTS / f"latency-{size.bookings}.json").write_text(json.dumps(data, indent=2))


def main() -> int:
    parser = argparse.ArgumentParser(description="syncd's benchmarks")
    parser.add_argument("--quick", action="store_true", help="small sizes; check request counts")
    parser.add_argument("--only", action="append", help="scenario names (default: all)")
    args = parser.parse_args()
    from tests import clock  # noqa: PLC0415 - the one place "today" comes from

    today = clock.today()
    runs: list[tuple[str, Size]] = [(name, QUICK if args.quick else FULL) for name in SCENARIOS]
    runs.append(("deletion", QUICK if args.quick else YEAR))
    if not args.quick:
        runs.append(("poll", LARGE))
    if args.only and "latency" in args.only:
        latency_table(today, args.quick)
    results: list[Measured] = []
    for name, size in runs:
        if args.only and name not in args.only:
            continue
        books = agency.bookings(today, size.people, size.days, size.per_day)
        scenario = one_deletion if name == "deletion" else SCENARIOS[name]
        started = time.monotonic()
        measured = scenario(size, books)
        print(
            f"{measured.scenario} ({size.bookings:,}/side): {time.monotonic() - started:.0f} s",
            file=sys.stderr,
        )
        results.append(measured)
    if not results:
        return 0
    print(table(results))
    if not args.quick:
        RESULTS.mkdir(parents=True, exist_ok=True)
        machine = {
            "machine": platform.machine(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
        }
        for r in results:
            name = (
                r.scenario.replace(" ", "-").replace("%", "pct").replace("(", "").replace(")", "")
            )
            data = asdict(r) | {"machine": machine, "moco_time_seconds": r.moco_time_seconds}
            (RESULTS / f"{name}-{r.bookings_per_side}.json").write_text(json.dumps(data, indent=2))
    off = [r for r in results if not r.within()]
    for r in off:
        print(
            f"over 1.1 x the lower bound: {r.scenario}: {r.requests} vs {r.lower_bound}",
            file=sys.stderr,
        )
    return 1 if off else 0


if __name__ == "__main__":
    sys.exit(main())
