"""Operator commands over the simulators: status, verify, conflicts show/resolve,
and all of them beside a running daemon that holds the writer lock."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

from syncd.store import db, journal
from tests.crash.harness import run_in_process
from tests.e2e.harness import World, agency_world, unbilled_links
from tests.service.daemon_process import DaemonProcess, running_daemon


def leftover_intent(db_url: str) -> None:
    """A write intent an interrupted run left (one the next run's recovery closes)."""
    engine = db.make_engine(db_url)
    with db.transaction(db.session_factory(engine)) as session:
        journal.add_intent(session, "create_clockodo", {"unreadable": True})
    engine.dispose()


def verify_json(world: World, *args: str) -> tuple[int, dict[str, object]]:
    done = world.syncd("verify", "--output", "json", *args)
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, json.loads(done.stdout)


def test_verify_agrees_after_a_sync_and_explains_a_change_not_synced_yet(
    tmp_path: Path,
) -> None:
    with agency_world(tmp_path, f"sqlite:///{tmp_path}/syncd.db") as world:
        leftover_intent(f"sqlite:///{tmp_path}/syncd.db")
        plan = json.loads(world.syncd("plan", "--output", "json").stdout)
        assert any("1 write intent(s) pending" in note for note in plan["notes"])
        planned = plan["summary"]
        first = json.loads(world.run_once("--output", "json").stdout)
        done = dict.fromkeys(("create", "update", "delete"), 0)
        for key, count in first["done"].items():
            done[key.split("_")[0]] += count
        assert planned["bills_after_create"] > 0, "the agency has billed bookings to copy"
        assert done == {kind: planned[kind] for kind in done}, "the plan is the run"
        code, body = verify_json(world)
        assert (code, body["agree"]) == (0, True)
        assert [r for r in body["rows"] if r["mapped"]] == []  # type: ignore[attr-defined]
        unmapped = {r["reason"].split(":")[0] for r in body["rows"]}  # type: ignore[attr-defined]
        assert unmapped <= {"unmapped", "ambiguous"}
        assert body["moco_seconds"] > 0
        moco_id, _ = unbilled_links(world, f"sqlite:///{tmp_path}/syncd.db")[0]
        activity = world.activity(moco_id)
        world.edit_activity(moco_id, seconds=activity["seconds"] + 1800)
        code, body = verify_json(world)
        assert (code, body["agree"]) == (1, False)
        rows = body["rows"]
        assert isinstance(rows, list)
        (row,) = [r for r in rows if r["mapped"]]
        assert row["period"] == activity["date"]
        assert row["moco_user"] == activity["user"]["id"]
        assert row["moco_project"] == activity["project"]["id"]
        assert row["difference_seconds"] == 1800
        assert row["moco_seconds"] - row["clockodo_seconds"] == 1800
        assert row["reason"] == "a change the next run will copy"
        text = world.syncd("verify", "--by", "month")
        assert text.returncode == 1
        person = f"{activity['user']['firstname']} {activity['user']['lastname']}"
        assert person in text.stdout
        assert "a change the next run will copy" in text.stdout
        report = json.loads(world.run_once("--output", "json").stdout)
        assert (report["result"], report["done"]) == ("ok", {"update_clockodo": 1})
        assert report["planned"] == {"conflicts": 0, "update_clockodo": 1}
        # Where the run's time went: reading, the pure reconcile, the writes.
        assert set(report["seconds"]) == {"read", "reconcile", "write"}
        assert all(seconds >= 0 for seconds in report["seconds"].values())


def timed(world: World, *args: str) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.monotonic()
    done = world.syncd(*args)
    return time.monotonic() - started, done


def test_operator_commands_answer_beside_a_daemon_that_applies_a_decision(
    tmp_path: Path, db_url: str
) -> None:
    with agency_world(tmp_path, db_url) as world:
        assert run_in_process(world).result == "ok"  # in-process: quicker than run-once
        moco_id, clockodo_id = unbilled_links(world, db_url)[0]
        world.edit_activity(moco_id, description="MOCO sagt A")
        world.edit_entry(clockodo_id, text="clockodo sagt B")
        assert run_in_process(world).plan.count("conflict") == 1  # parked
        with running_daemon(world) as daemon:
            daemon.wait_for("run finished")
            beside_a_daemon(world, daemon, clockodo_id)


def beside_a_daemon(world: World, daemon: DaemonProcess, clockodo_id: int) -> None:
    """Operator commands while ``daemon`` holds the writer lock and a conflict is parked."""
    for command in ("plan", "verify"):  # the parked booking's hours agree: exit 0
        seconds, done = timed(world, command)
        assert done.returncode == 0, f"{command}: {done.stdout}{done.stderr}"
        assert seconds < 30, f"{command} waited for the lock"
    seconds, done = timed(world, "status", "--output", "json")
    assert seconds < 30
    status = json.loads(done.stdout)
    writer = status["writer"]
    assert (writer["held"], writer["role"], writer["pid"]) == (True, "daemon", daemon.proc.pid)
    assert status["open_conflicts"] == 1
    assert status["runs"][0]["mode"].startswith("daemon")
    assert "mappings" in status["watermarks"]

    listing = world.syncd("conflicts", "list").stdout
    conflict = int(listing.split()[0].lstrip("#"))
    shown = world.syncd("conflicts", "show", str(conflict))
    assert shown.returncode == 0, shown.stderr
    (differs,) = [line for line in shown.stdout.splitlines() if line.startswith("* ")]
    assert "description" in differs
    assert "MOCO sagt A" in differs
    assert "clockodo sagt B" in differs

    seconds, settled = timed(world, "conflicts", "resolve", str(conflict), "--keep", "moco")
    assert settled.returncode == 0, settled.stderr
    assert seconds < 30
    daemon.wait_for("conflict decision applied")
    deadline = time.monotonic() + 60
    while world.entry(clockodo_id)["text"] != "MOCO sagt A":
        assert time.monotonic() < deadline, "the daemon did not apply the decision"
        time.sleep(0.2)
