"""What the clockodo simulator serves, and what it deliberately does not.

Served (see `simulator.api_routes`): entries, entry groups, the clock,
customers (incl. `countProjects`), projects (incl. `complete` and
`setBilled`), subprojects, services, lump-sum services, co-workers (incl.
`/v4/users/me`), teams and entry texts, each with every documented method.
Retired v1/v2 paths answer 410.

`NOT_SIMULATED` names every other operation of clockodo's OpenAPI document
(a key without a method covers the path and everything below it); those
answer 404 in the GeneralErrors shape, like undocumented paths.
"""

from __future__ import annotations

HR = "absences, work times and holiday accounting: syncd neither reads nor writes them"
NOT_SIMULATED: dict[str, str] = {
    "/register": "creating a clockodo company is outside any sync",
    "/targethours": HR,
    "/userreports": HR,
    "/v2/holidaysQuota": HR,
    "/v2/nonbusinessDays": HR,
    "/v2/nonbusinessGroups": HR,
    "/v2/usersNonbusinessDays": HR,
    "/v3/usersNonbusinessGroups": HR,
    "/v3/holidaysCarry": HR,
    "/v3/overtimeCarry": HR,
    "/v3/overtimeReductions": HR,
    "/v4/absences": HR,
    "/v2/workTimes": HR,
    "/v3/workTimes": HR,
    "/v2/accessGroups": "access rights: every co-worker sees all master data here",
    "/v2/individualUserAccess": "access rights: every co-worker sees all master data here",
    "/v2/users/{id}/access": "access rights: every co-worker sees all master data here",
    "GET /v2/aggregates/users/me": "deprecated (the spec says so); use /v4/users/me",
    "GET /v2/subscription": "the company's clockodo subscription is not simulated",
    "POST /v2/projects/{id}/createNextInterval": "project budgets and intervals are not simulated",
    "GET /v3/projects/reports": "project reports are not simulated",
    "GET /v4/projects/reports": "project reports are not simulated",
}
