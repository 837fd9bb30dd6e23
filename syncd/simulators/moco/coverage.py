"""What the MOCO simulator serves, and what it deliberately does not.

Served (see the handler modules): every activity operation (list, create,
bulk, get, PUT, PATCH, delete, timers, billable seconds, disregard),
`GET /session`, `GET /profile`, the master data syncd reads (users,
projects incl. assigned, tasks, contracts, companies: lists and single
records) and every `/account/web_hooks` operation.

`NOT_SIMULATED` names every other operation of MOCO's OpenAPI document (a
key without a method covers the path and everything below it). They answer
404 `{"message": ...}`, as undocumented paths do. Master data is set up
through the seed (`/_sim/seed`), not through MOCO's write endpoints.
"""

from __future__ import annotations

MASTER_WRITES = "master data is seeded (POST /_sim/seed); syncd never writes it"
FINANCE = "offers, invoices, purchases and expenses are outside any time sync"
CRM = "CRM records (contacts, deals, comments, tags) are not simulated"
PLANNING = "planning, presence and HR records are not simulated"
SETTINGS = "account settings other than web hooks are not simulated"
REPORTS = "reports are not simulated"

NOT_SIMULATED: dict[str, str] = {
    "POST /session": "password logins: the simulator knows API keys only",
    "/profile/performance_report": REPORTS,
    "/users/{id}/performance_report": REPORTS,
    "/report": REPORTS,
    "/projects/{id}/report": REPORTS,
    "POST /users": MASTER_WRITES,
    "PUT /users/{id}": MASTER_WRITES,
    "PATCH /users/{id}": MASTER_WRITES,
    "DELETE /users/{id}": MASTER_WRITES,
    "/users/absence_requests": PLANNING,
    "/users/employments": PLANNING,
    "/users/holidays": PLANNING,
    "/users/presences": PLANNING,
    "/users/work_time_adjustments": PLANNING,
    "/users/roles": SETTINGS,
    "/units": SETTINGS,
    "/account/catalog_services": SETTINGS,
    "/account/custom_properties": SETTINGS,
    "/account/expense_templates": SETTINGS,
    "/account/fixed_costs": SETTINGS,
    "/account/hourly_rates": SETTINGS,
    "/account/internal_hourly_rates": SETTINGS,
    "/account/task_templates": SETTINGS,
    "POST /projects": MASTER_WRITES,
    "PUT /projects/{id}": MASTER_WRITES,
    "PATCH /projects/{id}": MASTER_WRITES,
    "DELETE /projects/{id}": MASTER_WRITES,
    "PUT /projects/{id}/archive": MASTER_WRITES,
    "PUT /projects/{id}/unarchive": MASTER_WRITES,
    "PUT /projects/{id}/assign_project_group": MASTER_WRITES,
    "PUT /projects/{id}/unassign_project_group": MASTER_WRITES,
    "PUT /projects/{id}/share": "customer report sharing is not simulated",
    "PUT /projects/{id}/disable_share": "customer report sharing is not simulated",
    "/projects/groups": "project groups are not simulated",
    "POST /projects/{project_id}/tasks": MASTER_WRITES,
    "PUT /projects/{project_id}/tasks/{id}": MASTER_WRITES,
    "PATCH /projects/{project_id}/tasks/{id}": MASTER_WRITES,
    "DELETE /projects/{project_id}/tasks/{id}": MASTER_WRITES,
    "DELETE /projects/{project_id}/tasks/destroy_all": MASTER_WRITES,
    "POST /projects/{project_id}/contracts": MASTER_WRITES,
    "PUT /projects/{project_id}/contracts/{id}": MASTER_WRITES,
    "PATCH /projects/{project_id}/contracts/{id}": MASTER_WRITES,
    "DELETE /projects/{project_id}/contracts/{id}": MASTER_WRITES,
    "/projects/expenses": FINANCE,
    "/projects/payment_schedules": FINANCE,
    "/projects/{project_id}/expenses": FINANCE,
    "/projects/{project_id}/payment_schedules": FINANCE,
    "/projects/{project_id}/recurring_expenses": FINANCE,
    "/recurring_expenses": FINANCE,
    "POST /companies": MASTER_WRITES,
    "PUT /companies/{id}": MASTER_WRITES,
    "PATCH /companies/{id}": MASTER_WRITES,
    "DELETE /companies/{id}": MASTER_WRITES,
    "PUT /companies/{id}/archive": MASTER_WRITES,
    "PUT /companies/{id}/unarchive": MASTER_WRITES,
    "/approvals": FINANCE,
    "/invoice_reminders": FINANCE,
    "/invoices": FINANCE,
    "/letter_papers": FINANCE,
    "/offer_confirmations": FINANCE,
    "/offers": FINANCE,
    "/planned_purchases": FINANCE,
    "/purchases": FINANCE,
    "/receipts": FINANCE,
    "/revenue_categories": FINANCE,
    "/vat_code_purchases": FINANCE,
    "/vat_code_sales": FINANCE,
    "/comments": CRM,
    "/contacts": CRM,
    "/deal_categories": CRM,
    "/deals": CRM,
    "/taggings": CRM,
    "/tags": CRM,
    "/todos": CRM,
    "/planning_entries": PLANNING,
    "/schedules": PLANNING,
}
