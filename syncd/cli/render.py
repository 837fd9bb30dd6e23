"""Text and JSON views of plans and runs (what `syncd plan` and `run-once` print)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from syncd.core import model as core
from syncd.core import plan as p
from syncd.core.model import Projection, Skip
from syncd.core.names import Names
from syncd.sync.engine import RunReport
from syncd.sync.outcomes import Status

SYMBOLS = {"create": "+", "update": "~", "delete": "-", "conflict": "!"}
EXCERPT = 40


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT else flat[: EXCERPT - 1] + "…"


def _hours(seconds: int) -> str:
    return f"{seconds / 3600:.2f} h"


def describe_projection(projection: Projection | None, names: Names | None = None) -> str:
    """One line for a booking: date, person, project / task, hours, description excerpt."""
    if projection is None:
        return "(gone)"
    names = names or Names()
    return (
        f"{projection.date}  {names.user(projection.user)}  "
        f"{names.project(projection.project)} / {names.task(projection.task)}  "
        f'{_hours(projection.seconds)}  "{_excerpt(projection.description)}"'
    )


def _ids(action: p.Action) -> str:
    moco = getattr(action, "moco_id", None)
    clockodo = getattr(action, "clockodo_id", None)
    parts = [f"MOCO {moco}" if moco else "", f"clockodo {clockodo}" if clockodo else ""]
    return " / ".join(part for part in parts if part)


def _projection_of(action: p.Action) -> Projection | None:
    match action:
        case p.Create():
            return action.source.projection
        case p.Update() | p.Bill():
            return action.expected
        case p.Delete():
            return action.projection
        case p.Conflict():
            return action.moco or action.clockodo
        case _:
            return None


def _changes(action: p.Action) -> str:
    if isinstance(action, p.Update):
        return " (" + ", ".join(sorted(action.changes)) + ")"
    if isinstance(action, p.Create) and action.then_bill:
        return " (then billed: one more write)"
    if isinstance(action, p.Bill):
        return " (billed)"
    if isinstance(action, p.Conflict):
        return f": {action.reason} [{action.resolution}]"
    return ""


def action_line(action: p.Action, names: Names) -> str:
    symbol = SYMBOLS.get(action.kind, " ")
    side = action.side or ("conflict" if action.kind == "conflict" else "link")
    body = describe_projection(_projection_of(action), names)
    return f"  {symbol} {side:<8}  {body}  [{_ids(action)}]{_changes(action)}"


def skip_line(skip: Skip, names: Names | None = None) -> str:
    detail = f" ({(names or Names()).in_text(skip.detail)})" if skip.detail else ""
    return f"  = {core.Side(skip.side).label:<8}  {skip.id}: skipped, {skip.reason}{detail}"


def folded_skips(plan: p.Plan) -> list[str]:
    """Skipped bookings as one line per side and reason (``--show-skipped`` lists them)."""
    return [
        f"  = {core.Side(side).label:<8}  {n} skipped: {reason}"
        for (side, reason), n in sorted(plan.skip_counts().items())
    ]


def plan_text(plan: p.Plan, names: Names, show_skipped: bool = False) -> str:
    lines = [action_line(a, names) for a in plan.actions if a.kind != "link"]
    linked = plan.count("link")
    if linked:
        lines.append(f"    ({linked} links recorded without writing: adopted or agreed)")
    lines += [skip_line(s, names) for s in plan.skips] if show_skipped else folded_skips(plan)
    lines += [f"  note: {note}" for note in plan.notes]
    if not lines:
        lines.append("  No changes. Both sides agree.")
    lines.append("")
    lines.append(plan.summary())
    if plan.refused:
        lines.append(f"Refused: {plan.refused}")
    return "\n".join(lines)


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {k: _json_value(v) for k, v in value.items()}
    if hasattr(value, "__dataclass_fields__"):
        return {k: _json_value(getattr(value, k)) for k in value.__dataclass_fields__}
    return value


def _names_json(action: p.Action, names: Names) -> dict[str, Any]:
    """The booking's people, project and task by name, next to the ids (machines get
    both; a person reading the JSON should not need a second lookup)."""
    projection = _projection_of(action)
    if projection is None:
        return {}
    return {
        "booking": describe_projection(projection, names),
        "user_name": names.user(projection.user),
        "project_name": names.project(projection.project),
        "task_name": names.task(projection.task),
    }


def plan_json(plan: p.Plan, names: Names) -> dict[str, Any]:
    writes: Counter[str] = Counter()
    for (kind, _), n in plan.write_counts().items():
        writes[kind] += n
    return {
        "summary": {
            "create": writes["create"],
            "update": writes["update"],
            "delete": writes["delete"],
            "conflict": plan.count("conflict"),
            "bills_after_create": plan.follow_ups(),
        },
        "refused": plan.refused,
        "actions": [
            {
                "action": type(a).__name__,
                "kind": a.kind,
                "side": a.side,
                **_json_value(a),
                **_names_json(a, names),
            }
            for a in plan.actions
        ],
        "skips": [
            {"side": s.side, "id": s.id, "reason": str(s.reason), "detail": s.detail}
            for s in plan.skips
        ],
        "notes": list(plan.notes),
    }


def _side_line(label: str, counts: Counter[str], side: str) -> str:
    return (
        f"  {label:<9} {counts[f'create_{side}']} created, {counts[f'update_{side}']} updated, "
        f"{counts[f'delete_{side}']} deleted"
    )


def run_summary(report: RunReport, show_skipped: bool = False) -> str:
    """The short account of a run that run-once prints."""
    done: Counter[str] = Counter(
        f"{r.action.kind}_{r.action.side}" for r in report.results.items if r.status == Status.DONE
    )
    plan = report.plan
    lines = [
        f"syncd run {report.run_id}: {report.result} "
        f"(window {report.window.first} .. {report.window.last})",
        _side_line("MOCO:", done, "moco"),
        _side_line("clockodo:", done, "clockodo"),
    ]
    if plan is not None:
        skipped = Counter(str(s.reason) for s in plan.skips)
        detail = ", ".join(f"{reason} {n}" for reason, n in sorted(skipped.items()))
        lines.append(
            f"  conflicts: {plan.count('conflict')}   skipped: {len(plan.skips)}"
            + (f" ({detail})" if detail else "")
        )
        if show_skipped:
            lines += [skip_line(skip, report.names) for skip in plan.skips]
        if plan.refused:
            lines.append(f"  refused: {plan.refused}")
    if report.stale:
        lines.append(
            f"  stale: {report.stale} (edited since this run read them: not written, "
            "decided again next run)"
        )
    failures = report.results.failures
    if failures:
        lines.append(f"  failed: {len(failures)}")
        lines += [
            f"    {r.status}: {describe_projection(_projection_of(r.action), report.names)} "
            f"[{_ids(r.action)}] {r.detail}"
            for r in failures[:20]
        ]
    if report.recovered.total():
        lines.append(f"  recovered from an earlier run: {report.recovered.total()} intents")
    lines += [
        f"  mapping problem: {report.names.in_text(problem)}" for problem in report.mapping_problems
    ]
    lines += [f"  read problem: {problem}" for problem in report.read_problems]
    lines += [f"  invalid, skipped: {item}" for item in report.invalid]
    lines += [f"  note: {note}" for note in report.results.notes]
    if report.error:
        lines.append(f"  error: {report.error}")
    requests = ", ".join(f"{k} {v}" for k, v in sorted(report.requests.items()))
    lines.append(f"  requests: {requests or 'none'} (MOCO read: {report.moco_read})")
    return "\n".join(lines)
