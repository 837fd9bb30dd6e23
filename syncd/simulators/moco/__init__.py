"""The MOCO simulator: one MOCO account behind MOCO's REST API v1.

`MocoSimulator(rate_limit=True)` serves `/api/v1` with MOCO's paths, fields,
envelopes, paging headers, status codes and error bodies (facts:
shared/api/moco.md; schema: MOCO's OpenAPI document), behind the kit's
stats, latency, rate limit (120 requests per 120 s per API key), fault
injection and frozen clock. `agency_seed()` builds a small demo account.

Where MOCO's documents are silent the simulator picks what a real account
most likely does; each choice is written down next to its code:
- auth, impersonation, visibility, hourly-rate visibility: `access.py`
- paging, `per_page` clamping, `Link`, query errors: `web.py`
- filters, inclusive `from`/`to`, strict `updated_after`, `sort_by`: `listing.py`
- validation, billed and period-locked activities, timers, disregard: `rules.py`
- bulk atomicity (all-or-nothing), DELETE status, billable_seconds: `activities.py`
- session, profile, projects, assigned projects, tasks, companies: `master_data.py`
- web hook management and rights: `web_hooks.py`; deliveries: `deliveries.py`
- what is served and what is not: `coverage.py`
- seed format and defaults: `seeding.py`

Control routes beyond the kit's: `POST /_sim/period_lock {"date": "YYYY-MM-DD"}`
sets the account's period lock (`{"date": null}` lifts it). `POST
/_sim/webhooks {"url", "secret", "events"}` creates account web hooks on
`Activity` (and makes `secret` the signing key). "Today" for
timers is the simulator clock's UTC date (no per-user time zones).
"""

from syncd.simulators.moco.agency import ADMIN_KEY, agency_seed
from syncd.simulators.moco.simulator import MocoSimulator

__all__ = ["ADMIN_KEY", "MocoSimulator", "agency_seed"]
