"""`syncd status`: what syncd did and what is waiting, read from the store alone.

It takes no lock and calls no vendor: it answers while a daemon runs.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import click
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from syncd.cli.app import AppContext, config_option, pass_app
from syncd.store import db, holder, journal
from syncd.store import models as rows
from syncd.sync.conflicts import DECIDED

RUNS_SHOWN = 5


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite gives timestamps back without their zone; they were stored in UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _iso(moment: datetime | None) -> str | None:
    aware = _aware(moment)
    return None if aware is None else aware.isoformat(timespec="seconds")


def _run(row: rows.Run) -> dict[str, Any]:
    started, finished = _aware(row.started_at), _aware(row.finished_at)
    counts = row.counts or {}
    return {
        "run_id": row.run_id,
        "mode": row.mode,
        "started_at": _iso(started),
        "result": row.result,
        "duration_seconds": None
        if finished is None or started is None
        else round((finished - started).total_seconds(), 1),
        "done": counts.get("done", {}),
        "planned": counts.get("planned", {}),
        "conflicts": counts.get("planned", {}).get("conflicts", 0),
        "skipped": sum(counts.get("skipped", {}).values()),
        "requests": counts.get("requests", {}),
        "error": row.error,
    }


def _count(session: Session, query: Any) -> int:
    return int(session.scalar(query) or 0)


def _waiting(session: Session, now: datetime) -> dict[str, Any]:
    conflict = select(func.count()).select_from(rows.Conflict).where(rows.Conflict.state == "open")
    pending = rows.Intent.state == "pending"
    oldest = _aware(session.scalar(select(func.min(rows.Intent.created_at)).where(pending)))
    return {
        "links": _count(session, select(func.count()).select_from(rows.Link)),
        "open_conflicts": _count(session, conflict),
        "decided_conflicts": _count(
            session, conflict.where(rows.Conflict.resolution.startswith(DECIDED))
        ),
        "pending_intents": _count(session, select(func.count()).where(pending)),
        "oldest_intent_age_seconds": None
        if oldest is None
        else int((now - oldest).total_seconds()),
    }


def _watermarks(session: Session) -> dict[str, dict[str, Any]]:
    marks = session.scalars(select(rows.Watermark).order_by(rows.Watermark.name))
    return {
        m.name: {"value": m.value, "updated_at": _iso(m.updated_at)}
        for m in marks
        if not m.name.startswith("writer:")  # the lock's holder and standbys: see writer
    }


def _writer(engine: Engine, session: Session, now: datetime) -> dict[str, Any]:
    recorded = holder.recorded_holder(session)
    held = holder.lock_held(engine)
    waiting = holder.standbys(session, now)
    found: dict[str, Any] = {
        "held": held,
        "standby": [{"pid": s.pid, "host": s.host, "since": _iso(s.since)} for s in waiting],
    }
    if recorded is not None:
        found |= {
            "role": recorded.role,
            "pid": recorded.pid,
            "host": recorded.host,
            "since": _iso(recorded.since),
            "state": ("active" if held else "gone") if recorded.role == "daemon" else None,
        }
    return found


def gather(engine: Engine, now: datetime) -> dict[str, Any]:
    """Everything `syncd status` shows, as JSON-ready values."""
    schema = {"current": db.current_revision(engine), "head": db.head_revision(engine)}
    if schema["current"] != schema["head"]:  # the tables may not hold what is asked of them
        return {"schema": schema}
    with db.session_factory(engine)() as session:
        return {
            "schema": schema,
            "runs": [_run(r) for r in journal.last_runs(session, RUNS_SHOWN)],
            **_waiting(session, now),
            "watermarks": _watermarks(session),
            "writer": _writer(engine, session, now),
        }


def _figures(counts: dict[str, int]) -> str:
    return ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in sorted(counts.items())) or "-"


def _age(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    return f"{hours} h {rest // 60} min" if hours else f"{rest // 60} min {rest % 60} s"


def _writer_line(writer: dict[str, Any]) -> str:
    if "role" not in writer:
        return "no writer recorded yet" if writer["held"] is not True else "held (holder unknown)"
    who = f"{writer['role']} pid {writer['pid']} on {writer['host']} since {writer['since']}"
    if writer["held"] is None:
        return f"last taken by {who}"
    return f"held by {who}" if writer["held"] else f"free (last held by {who})"


def status_text(found: dict[str, Any]) -> str:
    schema = found["schema"]
    current = "current" if schema["current"] == schema["head"] else f"needs {schema['head']}"
    if "runs" not in found:
        return f"Schema:     {schema['current'] or 'empty'} ({current}): run `syncd db upgrade`"
    lines = [
        f"Schema:     {schema['current'] or 'empty'} ({current})",
        f"Writer:     {_writer_line(found['writer'])}",
        *(
            f"Standby:    daemon pid {s['pid']} on {s['host']} since {s['since']}"
            for s in found["writer"]["standby"]
        ),
        f"Links:      {found['links']}",
        f"Conflicts:  {found['open_conflicts']} open"
        + (
            f" ({found['decided_conflicts']} decided, applied next run)"
            if found["decided_conflicts"]
            else ""
        ),
        f"Intents:    {found['pending_intents']} pending"
        + (
            f", oldest {_age(found['oldest_intent_age_seconds'])} old"
            if found["oldest_intent_age_seconds"] is not None
            else ""
        ),
        "Watermarks:",
    ]
    lines += [
        f"  {name}: {m['value']} (at {m['updated_at']})" for name, m in found["watermarks"].items()
    ] or ["  (none)"]
    lines.append("Last runs:")
    for run in found["runs"]:
        took = "running" if run["duration_seconds"] is None else f"{run['duration_seconds']} s"
        lines.append(f"  {run['started_at']}  {run['mode']:<11} {run['result']:<8} {took}")
        lines.append(
            f"      done: {_figures(run['done'])}; conflicts {run['conflicts']}; "
            f"skipped {run['skipped']}"
        )
        lines.append(f"      requests: {_figures(run['requests'])}")
        if run["error"]:
            lines.append(f"      error: {run['error']}")
    if not found["runs"]:
        lines.append("  (none yet)")
    return "\n".join(lines)


@click.command("status")
@click.option("--output", type=click.Choice(["text", "json"]), default="text", show_default=True)
@config_option
@pass_app
def status(app: AppContext, /, output: str) -> None:
    """What syncd did lately and what is waiting (reads the store only; no lock)."""
    engine = db.make_engine(app.settings().database.url)
    try:
        found = gather(engine, datetime.now(UTC))
    finally:
        engine.dispose()
    if output == "json":
        click.echo(json.dumps(found, indent=2))
    else:
        click.echo(status_text(found))
