"""Who is calling, as whom, and what they may see and change.

Authentication: `Authorization: Token token=KEY` (also `Token token="KEY"`)
or `Authorization: Bearer KEY`. A missing or unknown key, or the key of a
deactivated user, answers 401 `{"message": "Unauthorized"}`. Every key
belongs to a user (user API keys); account-level keys are not simulated.

Impersonation (`X-IMPERSONATE-USER-ID`), choices where MOCO is silent:
- Allowed only when the key's user holds the Staff permission (seed: the
  user's `staff: true`, or any of their api_keys with `impersonate: true`);
  otherwise 403 `{"errors": [...]}`.
- A non-numeric or unknown user id answers 404 (MOCO looks the user up the
  way it looks up any record). A deactivated user, or the account owner
  (seed `owner: true`), answers 403: MOCO's "Switch user" refuses both, and
  we assume the API does the same. Impersonating oneself is allowed.
- While impersonating, the request has the impersonated user's permissions.

Visibility and rights (the effective user is the impersonated one, if any):
- Staff see every activity; project leaders and co-leaders also see the
  activities on their projects; everybody sees their own. Invisible
  activities answer 404, as if absent.
- Staff may change and delete anyone's activities; others only their own.
- `hourly_rate` is shown to Staff and to the project's (co-)leader and left
  out (key absent) for everybody else, as REC shows for an impersonated
  plain user.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.datastructures import Headers

from syncd.simulators.moco.model import Activity, ApiKey, User
from syncd.simulators.moco.state import ApiError, MocoAccount, forbidden, not_found

UNAUTHORIZED = ApiError(401, {"message": "Unauthorized"})


def api_key_of(headers: Headers) -> str | None:
    """The key in the Authorization header, in either documented form."""
    value = headers.get("authorization", "").strip()
    scheme, _, rest = value.partition(" ")
    rest = rest.strip()
    if scheme.lower() == "bearer":
        return rest or None
    if scheme.lower() == "token":
        name, _, key = rest.partition("=")
        if name.strip() == "token":
            return key.strip().strip('"') or None
    return None


@dataclass(frozen=True)
class Caller:
    key: ApiKey
    key_user: User
    user: User  # the effective user: impersonated, or the key's own

    @property
    def impersonating(self) -> bool:
        return self.user.id != self.key_user.id


def authenticate(account: MocoAccount, headers: Headers) -> Caller:
    key = account.api_keys.get(api_key_of(headers) or "")
    key_user = account.users.get(key.user_id) if key is not None else None
    if key is None or key_user is None or not key_user.active:
        raise UNAUTHORIZED
    raw = headers.get("x-impersonate-user-id")
    if raw is None or raw.strip() == "":
        return Caller(key, key_user, key_user)
    return Caller(key, key_user, _impersonated(account, key_user, raw.strip()))


def _impersonated(account: MocoAccount, key_user: User, raw: str) -> User:
    if not key_user.staff:
        raise forbidden("The Staff permission is required to impersonate other users")
    target = account.users.get(int(raw)) if raw.isdigit() else None
    if target is None:
        raise not_found()
    if target.id == key_user.id:
        return target
    if target.owner:
        raise forbidden("The account owner cannot be impersonated")
    if not target.active:
        raise forbidden("Deactivated users cannot be impersonated")
    return target


def can_see(account: MocoAccount, caller: Caller, activity: Activity) -> bool:
    if caller.user.staff or activity.user_id == caller.user.id:
        return True
    project = account.projects.get(activity.project_id)
    return project is not None and project.is_led_by(caller.user.id)


def can_change(caller: Caller, activity: Activity) -> bool:
    return caller.user.staff or activity.user_id == caller.user.id


def sees_rate(account: MocoAccount, caller: Caller, activity: Activity) -> bool:
    if caller.user.staff:
        return True
    project = account.projects.get(activity.project_id)
    return project is not None and project.is_led_by(caller.user.id)


def visible_activity(account: MocoAccount, caller: Caller, activity_id: int) -> Activity:
    activity = account.activities.get(activity_id)
    if activity is None or not can_see(account, caller, activity):
        raise not_found()
    return activity


def changeable_activity(account: MocoAccount, caller: Caller, activity_id: int) -> Activity:
    activity = visible_activity(account, caller, activity_id)
    if not can_change(caller, activity):
        raise forbidden("You may not change activities of other users")
    return activity
