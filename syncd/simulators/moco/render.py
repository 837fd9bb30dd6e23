"""MOCO's JSON shapes for the account's records (moco.md §5.1 and §6)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from syncd.simulators.kit import utc_iso
from syncd.simulators.moco.model import (
    Activity,
    Company,
    Contract,
    Project,
    Task,
    User,
    WebHook,
    hours_of,
)
from syncd.simulators.moco.state import MocoAccount

JSON = dict[str, Any]


def iso_or_none(moment: datetime | None) -> str | None:
    return utc_iso(moment) if moment is not None else None


def day_or_none(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def user_ref(user: User | None) -> JSON | None:
    if user is None:
        return None
    return {"id": user.id, "firstname": user.firstname, "lastname": user.lastname}


def activity_json(account: MocoAccount, activity: Activity, *, show_rate: bool = True) -> JSON:
    """The documented activity JSON; `hourly_rate` is left out for callers who may not see rates."""
    project = account.projects[activity.project_id]
    task = project.task(activity.task_id)
    customer = account.companies[project.customer_id]
    body: JSON = {
        "id": activity.id,
        "date": activity.date.isoformat(),
        "hours": hours_of(activity.seconds),
        "seconds": activity.seconds,
        "worked_seconds": activity.worked_seconds,
        "description": activity.description,
        "billed": activity.billed,
        "invoice_id": activity.invoice_id,
        "billable": activity.billable,
        "tag": activity.tag,
        "remote_service": activity.remote_service,
        "remote_id": activity.remote_id,
        "remote_url": activity.remote_url,
        "project": {
            "id": project.id,
            "identifier": project.identifier,
            "name": project.name,
            "billable": project.billable,
        },
        "task": {
            "id": activity.task_id,
            "name": task.name if task else "",
            "billable": task.billable if task else True,
        },
        "customer": {"id": customer.id, "name": customer.name},
        "user": user_ref(account.users.get(activity.user_id)),
        "deal": None,  # deals are not simulated
        "hourly_rate": activity.hourly_rate,
        "timer_started_at": iso_or_none(activity.timer_started_at),
        "created_at": utc_iso(activity.created_at),
        "updated_at": utc_iso(activity.updated_at),
    }
    if not show_rate:
        del body["hourly_rate"]
    return body


def user_json(user: User) -> JSON:
    return {
        "id": user.id,
        "firstname": user.firstname,
        "lastname": user.lastname,
        "active": user.active,
        "extern": user.extern,
        "email": user.email,
        "mobile_phone": None,
        "work_phone": None,
        "home_address": None,
        "info": None,
        "birthday": None,
        "iban": None,
        "credit_number": None,
        "avatar_url": None,
        "tags": list(user.tags),
        "custom_properties": dict(user.custom_properties),
        "unit": dict(user.unit),
        "role": dict(user.role) if user.role is not None else None,
        "created_at": utc_iso(user.created_at),
        "updated_at": utc_iso(user.updated_at),
    }


def profile_json(user: User) -> JSON:
    # /profile spells names and the external flag differently from /users.
    return {
        "id": user.id,
        "email": user.email,
        "full_name": f"{user.firstname} {user.lastname}",
        "first_name": user.firstname,
        "last_name": user.lastname,
        "active": user.active,
        "external": user.extern,
        "avatar_url": None,
        "unit": dict(user.unit),
        "created_at": utc_iso(user.created_at),
        "updated_at": utc_iso(user.updated_at),
    }


# Contact, address and billing details of a company: simulated as "not filled in".
COMPANY_DETAILS: JSON = {
    "website": None,
    "email": None,
    "billing_email_cc": None,
    "phone": None,
    "fax": None,
    "address": None,
    "country_code": None,
    "vat_identifier": None,
    "alternative_correspondence_language": False,
    "english_correspondence_language": False,
    "user": None,
    "info": None,
    "footer": None,
    "customer_vat": None,
    "supplier_vat": None,
    "default_invoice_due_days": None,
    "invoice_format": None,
    "default_payment_means": None,
    "iban": None,
    "bank_bic": None,
    "bank_owner": None,
    "debit_number": None,
    "credit_number": None,
}


def company_json(account: MocoAccount, company: Company) -> JSON:
    projects = [p for p in account.projects.values() if p.customer_id == company.id]
    return {
        "id": company.id,
        "type": company.type,
        "identifier": company.identifier,
        "name": company.name,
        "active": company.active,
        "archived_on": iso_or_none(company.archived_on),
        "currency": company.currency,
        "tags": list(company.tags),
        "labels": list(company.tags),  # the deprecated alias of tags
        "custom_properties": {},
        **COMPANY_DETAILS,
        "projects": [
            {
                "id": p.id,
                "identifier": p.identifier,
                "name": p.name,
                "active": p.active,
                "billable": p.billable,
            }
            for p in sorted(projects, key=lambda p: p.id)
        ],
        "created_at": utc_iso(company.created_at),
        "updated_at": utc_iso(company.updated_at),
    }


def embedded_task_json(task: Task) -> JSON:
    return {
        "id": task.id,
        "name": task.name,
        "billable": task.billable,
        "active": task.active,
        "budget": task.budget,
        "hourly_rate": task.hourly_rate,
        "description": task.description,
    }


def task_json(task: Task) -> JSON:
    """A task as GET /projects/{id}/tasks lists it (with timestamps)."""
    return {
        **embedded_task_json(task),
        "revenue_category": None,
        "created_at": utc_iso(task.created_at),
        "updated_at": utc_iso(task.updated_at),
    }


def contract_json(account: MocoAccount, contract: Contract) -> JSON:
    user = account.users.get(contract.user_id)
    return {
        "id": contract.id,
        "user_id": contract.user_id,
        "firstname": user.firstname if user else "",
        "lastname": user.lastname if user else "",
        "billable": contract.billable,
        "active": contract.active,
        "budget": contract.budget,
        "hourly_rate": contract.hourly_rate,
    }


# Billing, retainer and contact settings of a project: simulated as "not set".
PROJECT_DETAILS: JSON = {
    "info": None,
    "color": None,
    "billing_address": None,
    "billing_email_to": None,
    "billing_email_cc": None,
    "billing_notes": None,
    "setting_include_time_report": False,
    "budget_monthly": None,
    "budget_expenses": None,
    "retainer_billing_date": None,
    "retainer_billing_title": None,
    "retainer_billing_description": None,
    "customer_report_url": None,
    "deal": None,
    "project_group": None,
    "contact": None,
    "secondary_contact": None,
    "billing_contact": None,
}


def standalone_contract_json(account: MocoAccount, project: Project, contract: Contract) -> JSON:
    """A contract as /projects/{id}/contracts lists it: with its project and timestamps."""
    return {
        **contract_json(account, contract),
        "project": {"id": project.id, "name": project.name},
        "created_at": utc_iso(contract.created_at),
        "updated_at": utc_iso(contract.updated_at),
    }


def project_json(account: MocoAccount, project: Project, *, full_company: bool = False) -> JSON:
    """`full_company`: the customer as the full company (`include_company=true`)."""
    customer = account.companies[project.customer_id]
    return {
        "id": project.id,
        "identifier": project.identifier,
        "name": project.name,
        "active": project.active,
        "billable": project.billable,
        "fixed_price": False,
        "retainer": False,
        "start_date": day_or_none(project.start_date),
        "finish_date": day_or_none(project.finish_date),
        "currency": project.currency,
        "billing_variant": project.billing_variant,
        "budget": project.budget,
        "hourly_rate": project.hourly_rate,
        "tags": sorted(project.tags),  # REC shows tags sorted alphabetically
        "labels": sorted(project.tags),  # the deprecated alias of tags
        "custom_properties": {},
        **PROJECT_DETAILS,
        "leader": user_ref(account.users.get(project.leader_id or 0)),
        "co_leader": user_ref(account.users.get(project.co_leader_id or 0)),
        "customer": (
            company_json(account, customer)
            if full_company
            else {"id": customer.id, "name": customer.name}
        ),
        "tasks": [embedded_task_json(t) for t in project.tasks],
        "contracts": [contract_json(account, c) for c in project.contracts],
        "archived_on": iso_or_none(project.archived_on),
        "created_at": utc_iso(project.created_at),
        "updated_at": utc_iso(project.updated_at),
    }


def assigned_project_json(account: MocoAccount, project: Project, contract: Contract) -> JSON:
    customer = account.companies[project.customer_id]
    return {
        "id": project.id,
        "identifier": project.identifier,
        "name": project.name,
        "active": project.active,
        "billable": project.billable,
        "customer": {"id": customer.id, "name": customer.name},
        "tasks": [
            {"id": t.id, "name": t.name, "active": t.active, "billable": t.billable}
            for t in project.tasks
        ],
        "contract": {"user_id": contract.user_id, "active": contract.active},
    }


def web_hook_json(hook: WebHook) -> JSON:
    return {
        "id": hook.id,
        "target": hook.target,
        "event": hook.event,
        "hook": hook.hook,
        "disabled": hook.disabled,
        "disabled_at": iso_or_none(hook.disabled_at),
        "created_at": utc_iso(hook.created_at),
        "updated_at": utc_iso(hook.updated_at),
    }
