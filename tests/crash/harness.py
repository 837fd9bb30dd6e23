"""Kill syncd at a chosen write and check that a restart ends with every booking once.

A `Killer` is installed as the simulators' request hook. It counts the API
writes both simulators apply, in order, and SIGKILLs the syncd process right
after the k-th write took effect — before its answer is sent, which is the
worst moment: the vendor has the record, syncd has no word of it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from syncd import config
from syncd.core.projection import normalize_description
from syncd.demo import scenario
from syncd.sync.engine import Engine, RunOptions
from tests.e2e.harness import ROOT, World, entry_date

# What a booking is, side-independently: user, date, seconds, text, project/task, billed.
Booking = tuple[int, str, int, str, int, int, bool]


@dataclass
class Killer:
    target: int | None = None  # kill after this many applied writes (None: never)
    pid: int | None = None
    writes: int = 0
    killed: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, route: str, phase: str) -> None:
        if phase != "after":
            return
        with self.lock:
            self.writes += 1
            if self.writes == self.target and self.pid is not None:
                os.kill(self.pid, signal.SIGKILL)
                self.killed = True

    def arm(self, target: int | None) -> None:
        with self.lock:
            self.target, self.writes, self.killed, self.pid = target, 0, False, None


def install(world: World, killer: Killer) -> None:
    world.moco.sim.request_hook = killer
    world.clockodo.sim.request_hook = killer


def run_in_process(world: World, *, dry_run: bool = False) -> Any:
    settings = config.load(world.config, {})
    engine = Engine(settings)
    try:
        return engine.run(RunOptions(dry_run=dry_run))
    finally:
        engine.close()


def run_and_kill(world: World, killer: Killer, target: int) -> int:
    """Start `syncd run-once` and let the killer end it at write `target`; its exit code."""
    killer.arm(target)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNCD_")}
    with subprocess.Popen(
        [
            sys.executable,
            "-m",
            "syncd",
            "--log-format",
            "json",
            "run-once",
            "-c",
            str(world.config),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        killer.pid = process.pid
        _, stderr = process.communicate(timeout=120)
    killed = killer.killed
    killer.arm(None)
    assert killed, f"syncd ended (exit {process.returncode}) before write {target}:\n{stderr}"
    return process.returncode


def complete(world: World, attempts: int = 3) -> None:
    """Restart until a run finishes cleanly (a lost answer may need one more start)."""
    for _ in range(attempts):
        report = run_in_process(world)
        if report.result == "ok":
            return
    raise AssertionError(f"no clean run after {attempts} restarts: {report.result} {report.error}")


def moco_bookings(world: World) -> Counter[Booking]:
    return Counter(
        (
            a["user"]["id"],
            a["date"],
            a["seconds"],
            normalize_description(a["description"]),
            a["project"]["id"],
            a["task"]["id"],
            a["billed"],
        )
        for a in world.activities()
    )


def clockodo_bookings(world: World) -> Counter[Booking]:
    """clockodo entries in MOCO's terms (mapped time entries only)."""
    users = {p.clockodo: p for p in scenario.PEOPLE}
    tasks = {(w.moco_project, w.clockodo_service): w.moco_task for w in scenario.WORK}
    projects = {w.clockodo_project: w.moco_project for w in scenario.WORK}
    found: Counter[Booking] = Counter()
    for e in world.entries():
        if e["type"] != 1 or e["time_until"] is None or e["users_id"] not in users:
            continue
        if e["projects_id"] not in projects:
            continue
        project = projects[e["projects_id"]]
        found[
            (
                users[e["users_id"]].moco,
                entry_date(e),
                e["duration"],
                normalize_description(e["text"]),
                project,
                tasks[(project, e["services_id"])],
                e["billable"] == 2,
            )
        ] += 1
    return found


# -- the changes made on both sides between two syncs -------------------------------------


def change_both_sides(world: World, pairs: dict[int, int]) -> None:
    """Creates, updates, deletes and bills in both directions (deterministic)."""
    activities = {a["id"]: a for a in world.activities()}
    linked = sorted(pairs.items())
    unbilled = [(m, c) for m, c in linked if not activities[m]["billed"]]
    updates_m, updates_c = unbilled[0:4], unbilled[4:8]
    deletes_m, deletes_c = unbilled[8:11], unbilled[11:14]
    bills_c = unbilled[14:16]
    for moco_id, _ in updates_m:
        user = activities[moco_id]["user"]["id"]
        world.edit_activity(moco_id, user=user, seconds=4500, description="nachgetragen (MOCO)")
    for _, clockodo_id in updates_c:
        world.edit_entry(clockodo_id, text="korrigiert in clockodo")
    for moco_id, _ in deletes_m:
        user = activities[moco_id]["user"]["id"]
        world.moco_api(
            "DELETE", f"/activities/{moco_id}", headers={"X-IMPERSONATE-USER-ID": str(user)}
        )
    for _, clockodo_id in deletes_c:
        world.clockodo_api("DELETE", f"/v2/entries/{clockodo_id}")
    for _, clockodo_id in bills_c:
        world.edit_entry(clockodo_id, billable=2)
    _bill_a_project_in_moco(world, [activities[m] for m, _ in unbilled[16:]])
    _create_on_both_sides(world)


def _bill_a_project_in_moco(world: World, candidates: list[dict[str, Any]]) -> None:
    by_project: dict[int, list[dict[str, Any]]] = {}
    for activity in candidates:
        by_project.setdefault(activity["project"]["id"], []).append(activity)
    project, chosen = max(by_project.items(), key=lambda item: len(item[1]))
    ids = [activity["id"] for activity in chosen]
    company = chosen[0]["customer"]["id"]
    world.moco_api(
        "POST",
        "/activities/disregard",
        json={
            "activity_ids": ids[:3],
            "reason": "R-7",
            "company_id": company,
            "project_id": project,
        },
    )


def _create_on_both_sides(world: World) -> None:
    day = world.scenario.last_day
    for n, person in enumerate(scenario.PEOPLE):
        work = scenario.WORK[n % len(scenario.WORK)]
        world.moco_api(
            "POST",
            "/activities",
            json={
                "date": (day - timedelta(days=n % 3)).isoformat(),
                "project_id": work.moco_project,
                "task_id": work.moco_task,
                "seconds": 1800 * (n + 1),
                "description": f"neu in MOCO #{n}",
            },
            headers={"X-IMPERSONATE-USER-ID": str(person.moco)},
        )
        start = f"{(day - timedelta(days=1)).isoformat()}T{12 + n}:00:00Z"
        end = f"{(day - timedelta(days=1)).isoformat()}T{12 + n}:45:00Z"
        world.clockodo_api(
            "POST",
            "/v2/entries",
            json={
                "users_id": person.clockodo,
                "customers_id": work.clockodo_customer,
                "projects_id": work.clockodo_project,
                "services_id": work.clockodo_service,
                "billable": 1,
                "time_since": start,
                "time_until": end,
                "text": f"neu in clockodo #{n}",
            },
        )
