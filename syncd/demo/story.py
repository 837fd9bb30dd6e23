"""`syncd demo`: the whole product on one screen, against the simulators.

Starts both simulators on loopback, seeds the agency of `scenario`, syncs
both ways, then changes bookings in both tools through their own APIs (an
edit, a correction, a delete, an invoice, a new booking, and one booking
changed on both sides), syncs again and shows what happened. Nothing leaves
the machine; the database is a SQLite file in a temporary folder.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import tomli_w

from syncd import config
from syncd.cli.render import plan_text, run_summary
from syncd.cli.verify import verify_text
from syncd.core.model import Side
from syncd.core.verify import compare
from syncd.demo import scenario
from syncd.simulators.clockodo import ClockodoSimulator
from syncd.simulators.kit import RunningSimulator, serve_in_thread
from syncd.simulators.moco import MocoSimulator
from syncd.store import db
from syncd.sync import conflicts
from syncd.sync.engine import Engine, RunOptions, RunReport
from syncd.sync.verify import read_totals

Say = Callable[[str], None]
DEMO_ZONE = "Europe/Berlin"  # the agency's zone: syncd's window and the bookings' dates


@dataclass
class Demo:
    moco: RunningSimulator[MocoSimulator]
    clockodo: RunningSimulator[ClockodoSimulator]
    engine: Engine
    http: httpx.Client
    say: Say
    today: date

    def sync(self, title: str, *, show_plan: bool) -> RunReport:
        self.say(f"\n== {title} ==")
        if show_plan:
            planned = self.engine.run(RunOptions(dry_run=True, mode="plan"))
            if planned.plan is not None:
                self.say(plan_text(planned.plan, planned.names))
                self.say("")
        report = self.engine.run(RunOptions())
        self.say(run_summary(report))
        return report

    def verify(self, title: str) -> None:
        """What `syncd verify` shows for the demo's days (MOCO sums vs clockodo's own)."""
        self.say(f"\n== {title} ==")
        first = self.today - timedelta(days=self.engine.settings.sync.window_days)
        totals = read_totals(self.engine.settings, first, self.today)
        rows = compare(totals.moco, totals.clockodo, "day", totals.reasons)
        for line in verify_text(rows, totals.names, f"{first} .. {self.today} by day"):
            self.say(line)

    # -- the two tools, through their own APIs -----------------------------------
    def moco_call(self, method: str, path: str, user: int | None = None, **kw: Any) -> Any:
        headers = {"Authorization": f"Token token={scenario.MOCO_KEY}"}
        if user is not None:
            headers["X-IMPERSONATE-USER-ID"] = str(user)
        response = self.http.request(method, self.moco.base_url + path, headers=headers, **kw)
        response.raise_for_status()
        return response.json() if response.content else None

    def clockodo_call(self, method: str, path: str, **kw: Any) -> Any:
        headers = {
            "X-ClockodoApiUser": scenario.CLOCKODO_USER,
            "X-ClockodoApiKey": scenario.CLOCKODO_KEY,
            "X-Clockodo-External-Application": "syncd-demo;demo@example.com",
        }
        response = self.http.request(method, self.clockodo.base_url + path, headers=headers, **kw)
        response.raise_for_status()
        return response.json()


class Picker:
    """Chooses linked, unbilled bookings of a person, never the same one twice."""

    def __init__(self, demo: Demo) -> None:
        self.activities = {a["id"]: a for a in demo.moco.sim.state()["activities"]}
        self.entries = {e["id"]: e for e in demo.clockodo.sim.state()["entries"]}
        self.links = _links(demo)
        self.used: set[int] = set()

    def pair(self, person: scenario.Person) -> tuple[dict[str, Any], dict[str, Any]]:
        for moco_id, clockodo_id in sorted(self.links.items()):
            activity, entry = self.activities[moco_id], self.entries[clockodo_id]
            if (
                moco_id not in self.used
                and activity["user"]["id"] == person.moco
                and not activity["billed"]
                and entry["billable"] != 2
            ):
                self.used.add(moco_id)
                return activity, entry
        raise LookupError(f"no unbilled booking of {person.first} left")


def _links(demo: Demo) -> dict[int, int]:
    """MOCO activity -> clockodo entry, as syncd's store records them."""
    from sqlalchemy import select  # noqa: PLC0415 - only the demo looks into the store

    from syncd.store.models import Link  # noqa: PLC0415

    with db.session_factory(demo.engine.db)() as session:
        return dict(session.execute(select(Link.moco_id, Link.clockodo_id)).tuples().all())


def change_both_tools(demo: Demo) -> None:
    """What a week in an agency looks like, told as it happens."""
    anna, ben, clara, emma = scenario.PEOPLE
    pick = Picker(demo)

    activity, _ = pick.pair(ben)
    demo.moco_call(
        "PUT",
        f"/activities/{activity['id']}",
        user=ben.moco,
        json={"seconds": activity["seconds"] + 2700, "description": "Workshop mit Kunde"},
    )
    demo.say(f"  MOCO:     Ben books 45 min more on {activity['date']} (now a workshop).")

    activity, _ = pick.pair(anna)
    demo.moco_call("DELETE", f"/activities/{activity['id']}", user=anna.moco)
    demo.say(f"  MOCO:     Anna deletes a booking of {activity['date']}.")

    work, day = scenario.WORK[4], (demo.today - timedelta(days=1)).isoformat()
    new = {"date": day, "project_id": work.moco_project, "task_id": work.moco_task}
    new |= {"seconds": 5400, "description": "Release-Kandidat getestet"}
    demo.moco_call("POST", "/activities", user=emma.moco, json=new)
    demo.say(f"  MOCO:     Emma books 1.5 h on {day}.")

    _, entry = pick.pair(clara)
    demo.clockodo_call(
        "PUT", f"/v2/entries/{entry['id']}", json={"text": "Code Review (korrigiert)"}
    )
    demo.say("  clockodo: Clara corrects a description.")

    _, entry = pick.pair(ben)
    demo.clockodo_call("PUT", f"/v2/entries/{entry['id']}", json={"billable": 2})
    demo.say("  clockodo: the office marks one of Ben's entries as billed (invoiced).")

    activity, entry = pick.pair(clara)
    demo.moco_call(
        "PUT",
        f"/activities/{activity['id']}",
        user=clara.moco,
        json={"description": "MOCO-Version", "seconds": activity["seconds"] + 900},
    )
    demo.clockodo_call("PUT", f"/v2/entries/{entry['id']}", json={"text": "clockodo-Version"})
    demo.say(
        "  both:     one booking of Clara is changed differently in MOCO (15 min more) "
        "and in clockodo."
    )


def settle_the_conflict(demo: Demo) -> None:
    """What `syncd conflicts resolve ID --keep moco` does: record the decision."""
    with db.transaction(db.session_factory(demo.engine.db)) as session:
        (conflict,) = conflicts.open_conflicts(session)
        conflicts.decide(session, conflict.id, Side.MOCO)
    demo.say(f"\n== syncd conflicts resolve {conflict.id} --keep moco ==")
    demo.say(
        f"  Conflict #{conflict.id}: keep moco, recorded; the next run writes it "
        "(a running daemon included)."
    )


@contextmanager
def simulated_agency(
    today: date,
) -> Iterator[tuple[RunningSimulator[MocoSimulator], RunningSimulator[ClockodoSimulator]]]:
    built = scenario.build(today)
    moco, clockodo = MocoSimulator(rate_limit=False), ClockodoSimulator(rate_limit=False)
    moco.seed(built.moco_seed)
    clockodo.seed(built.clockodo_seed)
    with serve_in_thread(moco) as moco_running, serve_in_thread(clockodo) as clockodo_running:
        yield moco_running, clockodo_running


def write_config(folder: Path, moco_url: str, clockodo_url: str) -> Path:
    settings = {
        "moco": {"base_url": moco_url, "api_key": scenario.MOCO_KEY},
        "clockodo": {
            "base_url": clockodo_url,
            "api_user": scenario.CLOCKODO_USER,
            "api_key": scenario.CLOCKODO_KEY,
            "external_application": "syncd-demo;demo@example.com",
        },
        "database": {"url": f"sqlite:///{folder / 'syncd.db'}"},
        "sync": {"timezone": DEMO_ZONE},
        "log": {"level": "warning"},
        "mappings": scenario.mappings(),
    }
    path = folder / "syncd.toml"
    path.write_text(tomli_w.dumps(settings), encoding="utf-8")
    return path


def run_demo(folder: Path, say: Say, *, keep: bool = False) -> int:
    """Tell the story; the bookings lie in the workdays before today (agency's zone).
    With `keep`, then run a daemon against the simulators until SIGINT/SIGTERM
    (syncd.demo.keep). Returns the exit code."""
    today = datetime.now(ZoneInfo(DEMO_ZONE)).date()
    with simulated_agency(today) as (moco, clockodo):
        path = write_config(folder, moco.base_url, clockodo.base_url)
        settings = config.load(path, {})
        engine = Engine(settings)
        db.upgrade(engine.db)
        say(f"MOCO simulator:     {moco.base_url}")
        say(f"clockodo simulator: {clockodo.base_url}")
        say(f"config and store:   {path.parent}")
        with httpx.Client() as http:
            demo = Demo(moco, clockodo, engine, http, say, today)
            counts = (len(moco.sim.state()["activities"]), len(clockodo.sim.state()["entries"]))
            say(
                f"\nAgentur Nordlicht books in both tools: {counts[0]} MOCO activities, "
                f"{counts[1]} clockodo entries (some booked twice, some only on one side)."
            )
            demo.sync("First sync: both ways", show_plan=False)
            say("\n== Meanwhile, in both tools ==")
            change_both_tools(demo)
            demo.sync("Second sync: what syncd plans, then does", show_plan=True)
            last = demo.sync("Third sync: nothing left to do", show_plan=False)
            writes = sum(n for key, n in last.requests.items() if key.endswith("_write"))
            say(f"\nThe third sync wrote {writes} times: everything else agrees.")
            demo.verify("Do the totals agree? (syncd verify)")
            settle_the_conflict(demo)
            demo.sync("Fourth sync: the decision is written", show_plan=False)
            demo.verify("And now? (syncd verify)")
        engine.close()
        if keep:
            from syncd.demo.keep import keep_running  # noqa: PLC0415 - only with --keep

            return keep_running(moco, clockodo, path, say)
    return 0
