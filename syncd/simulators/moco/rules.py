"""MOCO's rules for writing activities: validation, edits, timers, billing.

Validation failures raise `ApiError(422, {"errors": {field: [messages]}})`,
naming the request field at fault. Choices where MOCO is silent:
- Unknown body fields are ignored (Rails strong parameters); wrong types
  are 422. Integers may also arrive as digit strings, as Rails casts them.
- Writing `seconds` (or the deprecated `hours`) sets `seconds` and
  `worked_seconds`; `seconds` wins if both are sent. `seconds: 0` or no
  duration never starts a timer.
- Creating needs `date`, `project_id` and `task_id`; the project must exist
  and be active, the acting user needs an active contract on it, the task
  must belong to it and be active, and `company_id`, when sent, must be the
  project's customer. An edit checks contract and task again only when it
  moves the activity to another project or task.
- Billed activities (`billed` or disregarded) and activities dated on or
  before the period lock cannot be changed, deleted or timed: 422 with
  `{"errors": {"billed": [...]}}` or `{"errors": {"date": [...]}}`. Moving
  an activity into the locked period is refused the same way.
- Changing `seconds` while the activity's timer runs is refused unless the
  body sends `stop_timer: true` (OAS: that flag is what allows it).
- `updated_at` moves only when a stored value actually changed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from syncd.simulators.moco.model import REMOTE_SERVICES, Activity
from syncd.simulators.moco.state import MocoAccount, unprocessable

Errors = dict[str, list[str]]
Values = dict[str, Any]

BLANK = "can't be blank"
INVALID = "is invalid"
TEXT_FIELDS = ("description", "tag", "remote_id", "remote_url")


def _add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def typed_fields(body: dict[str, Any]) -> tuple[Values, Errors]:
    """The known activity fields of a request body, checked and converted."""
    values: Values = {}
    errors: Errors = {}
    if "date" in body:
        values["date"] = _parse_day(body["date"], errors)
    for key in ("project_id", "task_id", "company_id"):
        if key in body:
            number = _as_int(body[key])
            if number is None:
                _add(errors, key, BLANK if body[key] in (None, "") else INVALID)
            values[key] = number
    _duration(body, values, errors)
    for key in TEXT_FIELDS:
        if key in body:
            if body[key] is not None and not isinstance(body[key], str):
                _add(errors, key, INVALID)
            values[key] = body[key]
    for key in ("billable", "stop_timer"):
        if key in body:
            if not isinstance(body[key], bool):
                _add(errors, key, INVALID)
            values[key] = body[key]
    if "remote_service" in body:
        service = body["remote_service"] if body["remote_service"] is not None else ""
        if service not in REMOTE_SERVICES:
            _add(errors, "remote_service", "is not included in the list")
        values["remote_service"] = service
    return values, errors


def _parse_day(value: Any, errors: Errors) -> date | None:
    if value in (None, ""):
        _add(errors, "date", BLANK)
        return None
    try:
        if not isinstance(value, str) or len(value) != 10:
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        _add(errors, "date", INVALID)
        return None


def _duration(body: dict[str, Any], values: Values, errors: Errors) -> None:
    if "seconds" in body:
        seconds = _as_int(body["seconds"])
        if seconds is None:
            _add(errors, "seconds", "is not a number")
        elif seconds < 0:
            _add(errors, "seconds", "must be greater than or equal to 0")
        values["seconds"] = seconds
    elif "hours" in body:  # deprecated; converted to seconds
        hours = body["hours"]
        if isinstance(hours, bool) or not isinstance(hours, int | float) or hours < 0:
            _add(errors, "hours", INVALID)
        else:
            values["seconds"] = round(hours * 3600)


def booking_errors(
    account: MocoAccount, user_id: int, values: Values, *, check_project: bool = True
) -> Errors:
    """Project, contract, task and customer checks for booking on `values`."""
    errors: Errors = {}
    project = account.projects.get(values["project_id"])
    if project is None:
        _add(errors, "project_id", INVALID)
        return errors
    if check_project:
        if not project.active:
            _add(errors, "project_id", "is not active")
        contract = project.contract_of(user_id)
        if contract is None or not contract.active:
            _add(errors, "project_id", "user has no active contract on this project")
    task = project.task(values["task_id"])
    if task is None:
        _add(errors, "task_id", "does not belong to the project")
    elif check_project and not task.active:
        _add(errors, "task_id", "is not active")
    company_id = values.get("company_id")
    if company_id is not None and company_id != project.customer_id:
        _add(errors, "company_id", "does not match the project's customer")
    return errors


def _lock_message(account: MocoAccount) -> str:
    return f"is within the locked period (up to {account.period_lock})"


def new_activity(
    account: MocoAccount, user_id: int, body: dict[str, Any], now: datetime
) -> Activity | Errors:
    """An unsaved activity (id 0) for `user_id`, or the validation errors."""
    values, errors = typed_fields(body)
    for key in ("date", "project_id", "task_id"):
        if values.get(key) is None and key not in errors:
            _add(errors, key, BLANK)
    if values.get("project_id") is not None and values.get("task_id") is not None:
        for key, messages in booking_errors(account, user_id, values).items():
            errors.setdefault(key, []).extend(messages)
    if values.get("date") is not None and account.is_locked(values["date"]):
        _add(errors, "date", _lock_message(account))
    if errors:
        return errors
    project = account.projects[values["project_id"]]
    task = project.task(values["task_id"])
    assert task is not None  # booking_errors checked it
    seconds = values.get("seconds") or 0
    return Activity(
        id=0,
        date=values["date"],
        user_id=user_id,
        project_id=project.id,
        task_id=task.id,
        created_at=now,
        updated_at=now,
        seconds=seconds,
        worked_seconds=seconds,
        description=values.get("description", ""),
        billable=values.get("billable", project.billable and task.billable),
        tag=values.get("tag") or "",
        remote_service=values.get("remote_service", ""),
        remote_id=values.get("remote_id"),
        remote_url=values.get("remote_url"),
        hourly_rate=account.rate_for(project, task, user_id),
    )


def create(account: MocoAccount, user_id: int, body: dict[str, Any], now: datetime) -> Activity:
    draft = new_activity(account, user_id, body, now)
    if not isinstance(draft, Activity):
        raise unprocessable(draft)
    return save_new(account, draft)


def save_new(account: MocoAccount, draft: Activity) -> Activity:
    draft.id = account.new_id("activity")
    account.activities[draft.id] = draft
    return draft


def ensure_editable(account: MocoAccount, activity: Activity) -> None:
    if activity.billed:
        raise unprocessable({"billed": ["activity is billed and can no longer be changed"]})
    if account.is_locked(activity.date):
        raise unprocessable({"date": [_lock_message(account)]})


def update(account: MocoAccount, activity: Activity, body: dict[str, Any], now: datetime) -> bool:
    """PUT and PATCH: apply the fields present in `body` (both accept partial bodies).

    True when a stored value changed."""
    ensure_editable(account, activity)
    values, errors = typed_fields(body)
    if errors:
        raise unprocessable(errors)
    merged: Values = {
        "project_id": values.get("project_id") or activity.project_id,
        "task_id": values.get("task_id") or activity.task_id,
        "company_id": values.get("company_id"),
        "date": values.get("date") or activity.date,
    }
    moved = (merged["project_id"], merged["task_id"]) != (activity.project_id, activity.task_id)
    errors = booking_errors(account, activity.user_id, merged, check_project=moved)
    if account.is_locked(merged["date"]):
        _add(errors, "date", _lock_message(account))
    stopping = values.get("stop_timer") is True and activity.timer_started_at is not None
    if "seconds" in values and activity.timer_started_at is not None and not stopping:
        _add(errors, "seconds", "cannot be changed while a timer is running")
    if errors:
        raise unprocessable(errors)
    before = _snapshot(activity)
    if stopping:
        _stop(activity, now)
    _assign(account, activity, values, merged, moved=moved)
    changed = _snapshot(activity) != before
    if changed:
        activity.updated_at = now
    account.activities.reindex(activity)
    return changed


def _assign(
    account: MocoAccount, activity: Activity, values: Values, merged: Values, *, moved: bool
) -> None:
    activity.date = merged["date"]
    if moved:
        project = account.projects[merged["project_id"]]
        task = project.task(merged["task_id"])
        assert task is not None
        activity.project_id, activity.task_id = project.id, task.id
        activity.hourly_rate = account.rate_for(project, task, activity.user_id)
    if "seconds" in values:
        activity.seconds = activity.worked_seconds = values["seconds"]
    for key in ("description", "remote_id", "remote_url"):
        if key in values:
            setattr(activity, key, values[key])
    if "tag" in values:
        activity.tag = values["tag"] or ""
    if "billable" in values:
        activity.billable = values["billable"]
    if "remote_service" in values:
        activity.remote_service = values["remote_service"]


def _snapshot(activity: Activity) -> tuple[Any, ...]:
    return tuple(value for key, value in vars(activity).items() if key != "updated_at")


def set_billable_seconds(
    account: MocoAccount, activity: Activity, body: dict[str, Any], now: datetime
) -> bool:
    """Only `seconds` changes; `worked_seconds` keeps the time actually worked.

    True when it changed."""
    ensure_editable(account, activity)
    seconds = _as_int(body.get("seconds"))
    if seconds is None or seconds < 0:
        raise unprocessable({"seconds": ["must be an integer greater than or equal to 0"]})
    if activity.seconds == seconds:
        return False
    activity.seconds = seconds
    activity.updated_at = now
    account.activities.reindex(activity)
    return True


def start_timer(account: MocoAccount, activity: Activity, now: datetime) -> None:
    """Only on today's activities (the simulator clock's UTC date), one timer per user."""
    ensure_editable(account, activity)
    if activity.timer_started_at is not None:
        raise unprocessable({"timer_started_at": ["timer is already running"]})
    if activity.date != now.date():
        raise unprocessable({"date": ["a timer can only be started on today's activities"]})
    running = account.running_timer_of(activity.user_id)
    if running is not None:
        raise unprocessable(
            {"timer_started_at": [f"another timer is running (activity {running.id})"]}
        )
    activity.timer_started_at = now
    activity.updated_at = now
    account.activities.reindex(activity)


def stop_timer(account: MocoAccount, activity: Activity, now: datetime) -> None:
    if activity.timer_started_at is None:
        raise unprocessable({"timer_started_at": ["no timer is running"]})
    ensure_editable(account, activity)
    _stop(activity, now)
    activity.updated_at = now
    account.activities.reindex(activity)


def _stop(activity: Activity, now: datetime) -> None:
    assert activity.timer_started_at is not None
    elapsed = max(0, int((now - activity.timer_started_at).total_seconds()))
    activity.seconds += elapsed
    activity.worked_seconds += elapsed
    activity.timer_started_at = None


def delete(account: MocoAccount, activity: Activity) -> None:
    ensure_editable(account, activity)
    del account.activities[activity.id]


def disregard(
    account: MocoAccount, sees: Callable[[Activity], bool], body: dict[str, Any], now: datetime
) -> tuple[list[int], list[int]]:
    """Mark activities as already billed. Assumption: MOCO sets `billed: true` on them.

    Activities the caller may not see (`sees` is False) count as unknown.
    Returns the ids asked for and those that were not billed before.
    """
    errors: Errors = {}
    ids = body.get("activity_ids")
    if not isinstance(ids, list) or not ids or any(_as_int(i) is None for i in ids):
        _add(errors, "activity_ids", BLANK if not ids else INVALID)
    reason = body.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        _add(errors, "reason", BLANK)
    company_id = _as_int(body.get("company_id", body.get("customer_id")))
    if company_id is None:
        _add(errors, "company_id", BLANK)
    project_id = _as_int(body["project_id"]) if body.get("project_id") is not None else None
    if errors:
        raise unprocessable(errors)
    wanted = list(dict.fromkeys(int(i) for i in ids or []))
    for activity_id in wanted:
        _check_disregardable(
            account,
            sees,
            activity_id,
            company_id=company_id,
            project_id=project_id,
            errors=errors,
        )
    if errors:
        raise unprocessable(errors)
    billed = []
    for activity_id in wanted:
        activity = account.activities[activity_id]
        if not activity.billed:
            activity.billed = True
            activity.updated_at = now
            account.activities.reindex(activity)
            billed.append(activity_id)
    return wanted, billed


def _check_disregardable(
    account: MocoAccount,
    sees: Callable[[Activity], bool],
    activity_id: int,
    *,
    company_id: int | None,
    project_id: int | None,
    errors: Errors,
) -> None:
    activity = account.activities.get(activity_id)
    if activity is None or not sees(activity):
        _add(errors, "activity_ids", f"activity {activity_id} not found")
        return
    project = account.projects[activity.project_id]
    if project.customer_id != company_id:
        _add(errors, "activity_ids", f"activity {activity_id} does not belong to the company")
    if project_id is not None and project.id != project_id:
        _add(errors, "activity_ids", f"activity {activity_id} does not belong to the project")
