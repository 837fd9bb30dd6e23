"""MOCO simulator: authentication, impersonation, visibility, rates, rate limit."""

from __future__ import annotations

import httpx

from syncd.simulators.kit import serve_in_thread
from syncd.simulators.moco import MocoSimulator, agency_seed
from syncd.simulators.moco.agency import (
    ADMIN_ID,
    ADMIN_KEY,
    BEN_ID,
    BEN_KEY,
    CLARA_ID,
    CLARA_KEY,
    DAVID_ID,
    OWNER_ID,
)
from tests.simulators.moco_fixtures import MocoHarness

WEBSITE, SUPPORT, APP = 945_371_001, 945_371_002, 945_371_003
KONZEPTION, SUPPORT_TASK, APP_DEV = 7_281_001, 7_281_005, 7_281_007


def booking(project: int = WEBSITE, task: int = KONZEPTION, **extra: object) -> dict[str, object]:
    return {"date": "2026-11-19", "project_id": project, "task_id": task, "seconds": 1800, **extra}


def test_both_documented_authorization_forms_work(moco: MocoHarness) -> None:
    for client in (
        moco.client(ADMIN_KEY),
        moco.client(ADMIN_KEY, bearer=True),
        httpx.Client(
            base_url=moco.base_url, headers={"Authorization": f'Token token="{ADMIN_KEY}"'}
        ),
    ):
        response = client.get("/session")
        assert response.status_code == 200
        assert response.json()["id"] == ADMIN_ID


def test_missing_or_unknown_key_answers_401_with_a_message(moco: MocoHarness) -> None:
    for client in (moco.client(None), moco.client("wrong"), moco.client(ADMIN_KEY[:-1])):
        for path in ("/session", "/activities", "/projects"):
            response = client.get(path)
            assert response.status_code == 401
            assert response.json() == {"message": "Unauthorized"}
    assert moco.client("wrong").post("/activities", json=booking()).status_code == 401


def test_a_deactivated_users_key_no_longer_works(moco: MocoHarness) -> None:
    moco.sim.seed({"api_keys": [{"key": "david-key", "user_id": DAVID_ID}]})
    assert moco.client("david-key").get("/session").status_code == 401


def test_staff_impersonates_and_gets_the_users_view(moco: MocoHarness) -> None:
    as_ben = moco.client(ADMIN_KEY, impersonate=BEN_ID)
    assert as_ben.get("/profile").json()["id"] == BEN_ID
    assert as_ben.get("/session").json()["id"] == ADMIN_ID  # the key's own user
    created = as_ben.post("/activities", json=booking(SUPPORT, SUPPORT_TASK))
    assert created.status_code == 200
    assert created.json()["user"] == {"id": BEN_ID, "firstname": "Ben", "lastname": "Berger"}
    # Ben does not lead "Support 2026", so he may not see rates there (REC).
    assert "hourly_rate" not in created.json()
    as_admin = moco.client(ADMIN_KEY).get(f"/activities/{created.json()['id']}")
    assert as_admin.json()["hourly_rate"] == 95.0


def test_impersonation_refusals(moco: MocoHarness) -> None:
    plain = moco.client(BEN_KEY, impersonate=CLARA_ID).get("/profile")
    assert plain.status_code == 403
    assert plain.json()["errors"]
    assert moco.client(ADMIN_KEY, impersonate=DAVID_ID).get("/profile").status_code == 403
    assert moco.client(ADMIN_KEY, impersonate=OWNER_ID).get("/profile").status_code == 403
    assert moco.client(ADMIN_KEY, impersonate=999).get("/profile").status_code == 404
    bogus = httpx.get(
        moco.base_url + "/profile",
        headers={"Authorization": f"Token token={ADMIN_KEY}", "X-IMPERSONATE-USER-ID": "ben"},
    )
    assert bogus.status_code == 404
    assert moco.client(ADMIN_KEY, impersonate=ADMIN_ID).get("/profile").status_code == 200
    write = moco.client(BEN_KEY, impersonate=CLARA_ID).post("/activities", json=booking())
    assert write.status_code == 403


def test_plain_users_see_their_own_and_their_projects_activities(moco: MocoHarness) -> None:
    everything = moco.client(ADMIN_KEY).get("/activities").json()
    assert {a["user"]["id"] for a in everything} >= {ADMIN_ID, BEN_ID, CLARA_ID}
    clara = moco.client(CLARA_KEY).get("/activities").json()
    assert clara
    assert all(a["user"]["id"] == CLARA_ID or a["project"]["id"] == APP for a in clara)
    assert len(clara) < len(everything)
    hidden = next(a for a in everything if a["user"]["id"] == BEN_ID and a["project"]["id"] != APP)
    assert moco.client(CLARA_KEY).get(f"/activities/{hidden['id']}").status_code == 404
    # Clara leads "App MVP": she sees rates there, not on her other bookings.
    for activity in clara:
        assert ("hourly_rate" in activity) == (activity["project"]["id"] == APP)


def test_leaders_see_but_do_not_change_other_peoples_activities(moco: MocoHarness) -> None:
    admin = moco.client(ADMIN_KEY)
    on_website = admin.post("/activities", json=booking(description="by Anna")).json()
    ben = moco.client(BEN_KEY)
    assert ben.get(f"/activities/{on_website['id']}").status_code == 200
    denied = ben.patch(f"/activities/{on_website['id']}", json={"description": "by Ben"})
    assert denied.status_code == 403
    assert ben.delete(f"/activities/{on_website['id']}").status_code == 403
    assert admin.get(f"/activities/{on_website['id']}").json()["description"] == "by Anna"


def test_staff_change_other_peoples_activities_without_impersonating(moco: MocoHarness) -> None:
    own = moco.client(CLARA_KEY).post("/activities", json=booking(APP, APP_DEV)).json()
    changed = moco.client(ADMIN_KEY).patch(f"/activities/{own['id']}", json={"tag": "x"})
    assert changed.status_code == 200
    assert changed.json()["tag"] == "x"
    assert changed.json()["user"]["id"] == CLARA_ID


def test_rate_limit_is_120_requests_per_key_without_retry_after() -> None:
    sim = MocoSimulator()  # rate limit on, MOCO's numbers
    sim.seed(agency_seed())
    with serve_in_thread(sim) as running, httpx.Client(base_url=running.base_url) as client:
        admin = {"Authorization": f"Token token={ADMIN_KEY}"}
        codes = [client.get("/session", headers=admin).status_code for _ in range(121)]
        assert codes[:120] == [200] * 120
        assert codes[120] == 429
        limited = client.get("/session", headers=admin)
        assert limited.status_code == 429
        assert "retry-after" not in limited.headers
        assert limited.json() == {"message": "Too Many Requests"}
        other = client.get("/session", headers={"Authorization": f"Bearer {BEN_KEY}"})
        assert other.status_code == 200


def test_rate_limit_can_be_switched_off_and_tuned() -> None:
    sim = MocoSimulator(rate_limits=[(2, 60.0)])
    sim.seed(agency_seed())
    with serve_in_thread(sim) as running, httpx.Client(base_url=running.base_url) as client:
        admin = {"Authorization": f"Token token={ADMIN_KEY}"}
        assert [client.get("/session", headers=admin).status_code for _ in range(3)] == [
            200,
            200,
            429,
        ]
        sim.limiter.enabled = False
        assert client.get("/session", headers=admin).status_code == 200
