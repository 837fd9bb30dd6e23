"""Seed format in, account state out.

A seed is a JSON object in MOCO's own response shapes:
`{"api_keys": [...], "users": [...], "companies": [...], "projects": [...
with "tasks" and "contracts" ...], "activities": [...], "period_lock": "2026-10-31",
"web_hooks": [{"target": "Activity", "event": "create", "hook": URL}...],
"web_hook_key": "<32 hex>", "assumptions": {...}}`.
Every key is optional; seeding adds to (or, for a given id, replaces) what
the account already holds, so `POST /_sim/reset` then `POST /_sim/seed`
replaces an account. `state()` writes the same format, so a state is a seed.

References may be written as `x_id` or as the nested object `{"id": ...}`
(`user_id` or `user`, `project_id` or `project`, `task_id` or `task`,
`customer_id`/`company_id` or `customer`, `leader_id` or `leader`).

Defaults for missing optional fields:
- users: `active` true, `extern` false, `staff` false, `owner` false, email
  `firstname.lastname@example.com`, unit `{"id": 1, "name": "Team"}`, a uuid
  derived from the id; `staff` is also set by any of the user's api_keys with
  `"impersonate": true`.
- companies: `type` "customer", `active` true unless `archived_on` is set.
- projects: `active` and `billable` true (`active` false when `archived_on`
  is set), `billing_variant` "project", `hourly_rate` 0, no leader.
- tasks and contracts: `active` and `billable` true, `hourly_rate` 0.
- activities: `seconds` 0 (or `hours` × 3600), `worked_seconds` = `seconds`,
  `description` "", `tag` "", `remote_service` "", `remote_id`/`remote_url`
  null, `billed` false, `billable` = project and task billable, `hourly_rate`
  from the billing variant, no timer; `customer` is derived from the project.
- timestamps (`created_at`, `updated_at`): the simulator clock's "now".
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from syncd.simulators.moco.model import (
    REMOTE_SERVICES,
    WEB_HOOK_EVENTS,
    WEB_HOOK_TARGETS,
    Activity,
    ApiKey,
    Company,
    Contract,
    Project,
    Task,
    User,
    WebHook,
)
from syncd.simulators.moco.render import (
    activity_json,
    company_json,
    day_or_none,
    project_json,
    user_json,
    web_hook_json,
)
from syncd.simulators.moco.state import MocoAccount

Item = dict[str, Any]


def seed_account(account: MocoAccount, data: dict[str, Any], now: datetime) -> None:
    """Add the seed's records to `account`; raises ValueError on a bad seed."""
    if not isinstance(data, dict):
        raise ValueError("a seed must be a JSON object")
    unknown = set(data) - {
        "api_keys",
        "users",
        "companies",
        "projects",
        "activities",
        "period_lock",
        "web_hooks",
        "web_hook_key",
    }
    if unknown:
        raise ValueError(f"unknown seed sections: {sorted(unknown)}")
    for item in _items(data, "users"):
        user = _user(account, item, now)
        account.users[user.id] = user
    for item in _items(data, "api_keys"):
        key = _api_key(account, item)
        account.api_keys[key.key] = key
    for item in _items(data, "companies"):
        company = _company(account, item, now)
        account.companies[company.id] = company
    for item in _items(data, "projects"):
        project = _project(account, item, now)
        account.projects[project.id] = project
    account.activities.load(_activity(account, i, now) for i in _items(data, "activities"))
    if "period_lock" in data:
        account.period_lock = _date(data["period_lock"]) if data["period_lock"] else None
    for item in _items(data, "web_hooks"):
        hook = _web_hook(account, item, now)
        account.web_hooks[hook.id] = hook
    if "web_hook_key" in data:
        account.web_hook_key = web_hook_key(data["web_hook_key"])


def account_state(account: MocoAccount) -> dict[str, Any]:
    """Everything in the account, in seed format (activities exactly as the API shows them)."""
    users = []
    for user in sorted(account.users.values(), key=lambda u: u.id):
        users.append(
            {**user_json(user), "uuid": user.uuid, "staff": user.staff, "owner": user.owner}
        )
    return {
        "api_keys": [
            {"key": k.key, "user_id": k.user_id, "impersonate": k.impersonate}
            for k in account.api_keys.values()
        ],
        "users": users,
        "companies": [
            company_json(account, c) for c in sorted(account.companies.values(), key=lambda c: c.id)
        ],
        "projects": [
            project_json(account, p) for p in sorted(account.projects.values(), key=lambda p: p.id)
        ],
        "activities": [
            activity_json(account, a)
            for a in sorted(account.activities.values(), key=lambda a: (a.date, a.id))
        ],
        "period_lock": day_or_none(account.period_lock),
        "web_hooks": [
            web_hook_json(h) for h in sorted(account.web_hooks.values(), key=lambda h: h.id)
        ],
        "web_hook_key": account.web_hook_key,
    }


# -- sections ---------------------------------------------------------------------


def _user(account: MocoAccount, item: Item, now: datetime) -> User:
    user_id = account.claim_id("user", item.get("id"))
    first, last = _str(item, "firstname"), _str(item, "lastname")
    email = item.get("email") or f"{first}.{last}@example.com".replace(" ", "").lower()
    return User(
        id=user_id,
        firstname=first,
        lastname=last,
        email=email,
        uuid=item.get("uuid") or str(uuid.uuid5(uuid.NAMESPACE_URL, f"moco-user-{user_id}")),
        created_at=_moment(item.get("created_at"), now),
        updated_at=_moment(item.get("updated_at"), now),
        active=bool(item.get("active", True)),
        extern=bool(item.get("extern", item.get("external", False))),
        staff=bool(item.get("staff", False)),
        owner=bool(item.get("owner", False)),
        unit=_object(item, "unit") or {"id": 1, "name": "Team"},
        role=_object(item, "role"),
        tags=_strings(item, "tags"),
        custom_properties=_object(item, "custom_properties") or {},
    )


def _api_key(account: MocoAccount, item: Item) -> ApiKey:
    key = _str(item, "key")
    user_id = _ref(item, "user")
    if user_id not in account.users:
        raise ValueError(f"api key for unknown user {user_id}")
    api_key = ApiKey(key=key, user_id=user_id, impersonate=bool(item.get("impersonate", False)))
    if api_key.impersonate:
        account.users[user_id].staff = True
    return api_key


def _company(account: MocoAccount, item: Item, now: datetime) -> Company:
    archived_on = _optional_moment(item.get("archived_on"))
    return Company(
        id=account.claim_id("company", item.get("id")),
        name=_str(item, "name"),
        created_at=_moment(item.get("created_at"), now),
        updated_at=_moment(item.get("updated_at"), now),
        type=_choice(item, "type", ("customer", "supplier", "organization")),
        identifier=item.get("identifier"),
        active=bool(item.get("active", archived_on is None)),
        archived_on=archived_on,
        currency=item.get("currency") or "EUR",
        tags=_strings(item, "tags"),
    )


def _project(account: MocoAccount, item: Item, now: datetime) -> Project:
    customer_id = _ref(item, "customer", aliases=("company_id",))
    if customer_id not in account.companies:
        raise ValueError(f"project {item.get('name')!r}: unknown customer {customer_id}")
    archived_on = _optional_moment(item.get("archived_on"))
    project = Project(
        id=account.claim_id("project", item.get("id")),
        name=_str(item, "name"),
        customer_id=customer_id,
        created_at=_moment(item.get("created_at"), now),
        updated_at=_moment(item.get("updated_at"), now),
        identifier=item.get("identifier"),
        active=bool(item.get("active", archived_on is None)),
        billable=bool(item.get("billable", True)),
        archived_on=archived_on,
        leader_id=_optional_ref(item, "leader"),
        co_leader_id=_optional_ref(item, "co_leader"),
        billing_variant=_choice(item, "billing_variant", ("project", "task", "user")),
        hourly_rate=float(item.get("hourly_rate") or 0.0),
        currency=item.get("currency") or "EUR",
        budget=item.get("budget"),
        start_date=_date(item["start_date"]) if item.get("start_date") else None,
        finish_date=_date(item["finish_date"]) if item.get("finish_date") else None,
        tags=_strings(item, "tags"),
    )
    project.tasks = [_task(account, t, now) for t in item.get("tasks") or []]
    project.contracts = [_contract(account, c, now) for c in item.get("contracts") or []]
    return project


def _task(account: MocoAccount, item: Item, now: datetime) -> Task:
    return Task(
        id=account.claim_id("task", item.get("id")),
        name=_str(item, "name"),
        created_at=_moment(item.get("created_at"), now),
        updated_at=_moment(item.get("updated_at"), now),
        billable=bool(item.get("billable", True)),
        active=bool(item.get("active", True)),
        budget=item.get("budget"),
        hourly_rate=float(item.get("hourly_rate") or 0.0),
        description=item.get("description"),
    )


def _contract(account: MocoAccount, item: Item, now: datetime) -> Contract:
    user_id = _ref(item, "user")
    if user_id not in account.users:
        raise ValueError(f"contract for unknown user {user_id}")
    return Contract(
        id=account.claim_id("contract", item.get("id")),
        user_id=user_id,
        created_at=_moment(item.get("created_at"), now),
        updated_at=_moment(item.get("updated_at"), now),
        billable=bool(item.get("billable", True)),
        active=bool(item.get("active", True)),
        budget=item.get("budget"),
        hourly_rate=float(item.get("hourly_rate") or 0.0),
    )


def _activity(account: MocoAccount, item: Item, now: datetime) -> Activity:
    user_id, project_id, task_id = _ref(item, "user"), _ref(item, "project"), _ref(item, "task")
    if user_id not in account.users:
        raise ValueError(f"activity for unknown user {user_id}")
    project = account.projects.get(project_id)
    if project is None:
        raise ValueError(f"activity on unknown project {project_id}")
    task = project.task(task_id)
    if task is None:
        raise ValueError(f"activity task {task_id} is not a task of project {project_id}")
    raw_seconds = item.get("seconds")
    seconds = int(
        raw_seconds if raw_seconds is not None else round(float(item.get("hours") or 0) * 3600)
    )
    remote_service = item.get("remote_service") or ""
    if remote_service not in REMOTE_SERVICES:
        raise ValueError(f"unknown remote_service {remote_service!r}")
    rate = (
        item["hourly_rate"] if "hourly_rate" in item else account.rate_for(project, task, user_id)
    )
    return Activity(
        id=account.claim_id("activity", item.get("id")),
        date=_date(item.get("date")),
        user_id=user_id,
        project_id=project_id,
        task_id=task_id,
        created_at=_moment(item.get("created_at"), now),
        updated_at=_moment(item.get("updated_at"), now),
        seconds=seconds,
        worked_seconds=int(item.get("worked_seconds", seconds)),
        description=item.get("description", ""),
        billed=bool(item.get("billed", False)),
        invoice_id=item.get("invoice_id"),
        billable=bool(item.get("billable", project.billable and task.billable)),
        tag=item.get("tag") or "",
        remote_service=remote_service,
        remote_id=item.get("remote_id"),
        remote_url=item.get("remote_url"),
        hourly_rate=rate,
        timer_started_at=_optional_moment(item.get("timer_started_at")),
    )


def _web_hook(account: MocoAccount, item: Item, now: datetime) -> WebHook:
    target, event, hook = _str(item, "target"), _str(item, "event"), _str(item, "hook")
    if target not in WEB_HOOK_TARGETS or event not in WEB_HOOK_EVENTS:
        raise ValueError(f"unknown web hook target or event: {target!r}, {event!r}")
    disabled_at = _optional_moment(item.get("disabled_at"))
    return WebHook(
        id=account.claim_id("web_hook", item.get("id")),
        target=target,
        event=event,
        hook=hook,
        created_at=_moment(item.get("created_at"), now),
        updated_at=_moment(item.get("updated_at"), now),
        disabled=bool(item.get("disabled", disabled_at is not None)),
        disabled_at=disabled_at,
    )


def web_hook_key(value: Any) -> str:
    """The account's signing key. MOCO's are 32 hex characters; any text is taken here."""
    if not isinstance(value, str) or not value:
        raise ValueError("the web hook signing key must be a non-empty string")
    return value


# -- small parsers ----------------------------------------------------------------


def _items(data: dict[str, Any], section: str) -> list[Item]:
    items = data.get(section) or []
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ValueError(f"seed section {section!r} must be a list of objects")
    return items


def _str(item: Item, key: str) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value:
        raise ValueError(f"{key!r} is required (a non-empty string) in {item!r}")
    return value


def _object(item: Item, key: str) -> dict[str, Any] | None:
    value = item.get(key)
    if value is not None and not isinstance(value, dict):
        raise ValueError(f"{key!r} must be an object in {item!r}")
    return value


def _strings(item: Item, key: str) -> list[str]:
    value = item.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{key!r} must be a list of strings in {item!r}")
    return list(value)


def _choice(item: Item, key: str, allowed: tuple[str, ...]) -> str:
    """An enum field; missing or null means the first (default) value."""
    value = item.get(key) or allowed[0]
    if value not in allowed:
        raise ValueError(f"{key!r} must be one of {list(allowed)}, got {value!r}")
    return str(value)


def _optional_ref(item: Item, name: str, aliases: tuple[str, ...] = ()) -> int | None:
    for key in (f"{name}_id", *aliases):
        if item.get(key) is not None:
            return int(item[key])
    nested = item.get(name)
    if isinstance(nested, dict) and nested.get("id") is not None:
        return int(nested["id"])
    return None


def _ref(item: Item, name: str, aliases: tuple[str, ...] = ()) -> int:
    ref = _optional_ref(item, name, aliases)
    if ref is None:
        raise ValueError(f"{name}_id (or {name}.id) is required in {item!r}")
    return ref


def _date(value: Any) -> date:
    if not isinstance(value, str):
        raise ValueError(f"expected a YYYY-MM-DD date, got {value!r}")
    return date.fromisoformat(value)


def _optional_moment(value: Any) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"expected an ISO 8601 timestamp, got {value!r}")
    if len(value) == 10:  # a bare date, e.g. an archived_on written as a day
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0)


def _moment(value: Any, default: datetime) -> datetime:
    return _optional_moment(value) or default.replace(microsecond=0)
