"""`syncd mappings` and `syncd doctor` against the demo agency on both simulators."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from syncd.exitcodes import ExitCode
from tests.cli.contact import Agency, Done, agency, invoke

NO_MAPPINGS = {"mappings.users": [], "mappings.projects": [], "mappings.tasks": []}


@pytest.fixture(scope="module")
def world() -> Iterator[Agency]:
    with agency() as running:
        yield running


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("template") / "migrated.db"


def setup(world: Agency, tmp_path: Path, template: Path, **changes: Any) -> Path:
    return world.config(tmp_path, world.migrated(tmp_path, template), **changes)


def run(path: Path, *args: str) -> Done:
    done = invoke(*args, "-c", str(path))
    assert "Traceback" not in done.stdout + done.stderr
    return done


def expected_pairs(world: Agency) -> set[tuple[str, int, Any]]:
    m = world.built.mappings
    return (
        {("user", u["moco"], u["clockodo"]) for u in m["users"]}
        | {
            ("project", p["moco"], (p["clockodo_customer"], p["clockodo_project"]))
            for p in m["projects"]
        }
        | {("task", t["moco"], t["clockodo_service"]) for t in m["tasks"]}
    )


def as_pairs(items: list[dict[str, Any]]) -> set[tuple[str, int, Any]]:
    def clockodo(value: Any) -> Any:
        return (value["customer"], value["project"]) if isinstance(value, dict) else value

    return {(i["kind"], i["moco"], clockodo(i["clockodo"])) for i in items}


def test_suggest_apply_list_export_import(world: Agency, tmp_path: Path, template: Path) -> None:
    path = setup(world, tmp_path, template, **NO_MAPPINGS)
    suggested = json.loads(run(path, "mappings", "suggest", "--output", "json").stdout)
    assert {"kind", "moco", "clockodo", "confidence", "reason"} <= set(suggested[0])
    confident = [s for s in suggested if s["confidence"] >= 0.8]
    assert as_pairs(confident) == expected_pairs(world)

    declined = invoke("mappings", "apply", "-c", str(path), input="n\n")
    assert "nothing stored" in declined.stdout
    assert json.loads(run(path, "mappings", "list", "--output", "json").stdout) == []

    applied = run(path, "mappings", "apply", "--yes")
    assert applied.returncode == 0, applied.stderr
    listed = json.loads(run(path, "mappings", "list", "--output", "json").stdout)
    assert as_pairs(listed) == expected_pairs(world)
    assert all(item["in_use"] and item["source"] == "store" for item in listed)
    assert not json.loads(run(path, "mappings", "suggest", "--output", "json").stdout)

    # plan uses the stored mappings: the agency's bookings are planned, not skipped.
    planned = json.loads(run(path, "plan", "--output", "json").stdout)
    assert planned["summary"]["create"] > 0
    unmapped = {s["detail"] for s in planned["skips"] if s["reason"] == "unmapped_user"}
    assert unmapped <= {"clockodo user 5"}  # the one person the agency leaves unmapped

    exported = run(path, "mappings", "export").stdout
    toml_block = run(path, "mappings", "export", "--format", "toml").stdout
    assert tomllib.loads(toml_block)["mappings"] == world.built.mappings
    fresh = setup(world, tmp_path / "fresh", template, **NO_MAPPINGS)
    csv_file = tmp_path / "mappings.csv"
    csv_file.write_text(exported, encoding="utf-8")
    imported = run(fresh, "mappings", "import", str(csv_file))
    assert imported.returncode == 0, imported.stderr
    again = json.loads(run(fresh, "mappings", "list", "--output", "json").stdout)
    assert as_pairs(again) == expected_pairs(world)


def test_import_error_names_the_line_and_imports_nothing(
    world: Agency, tmp_path: Path, template: Path
) -> None:
    path = setup(world, tmp_path, template, **NO_MAPPINGS)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "kind,moco,clockodo,clockodo_customer\nuser,933590002,1,\nproject,945371001,11,\n",
        encoding="utf-8",
    )
    done = run(path, "mappings", "import", str(bad))
    assert done.returncode == ExitCode.CONFIG
    assert f"{bad}: line 3: a project mapping needs clockodo_customer" in done.stderr
    assert "nothing imported" in done.stderr
    assert run(path, "mappings", "export").stdout.strip().count("\n") == 0  # the header only


def test_add_remove_and_config_wins(world: Agency, tmp_path: Path, template: Path) -> None:
    path = setup(world, tmp_path, template)  # the config maps the whole agency
    user = world.built.mappings["users"][0]
    clash = invoke("mappings", "add", "user", str(user["moco"]), "99", "-c", str(path))
    assert clash.returncode == ExitCode.CONFIG
    in_config = invoke("mappings", "remove", "user", str(user["moco"]), "-c", str(path))
    assert in_config.returncode == ExitCode.CONFIG
    assert "config file" in in_config.stderr
    path = setup(world, tmp_path / "empty", template, **NO_MAPPINGS)
    task = world.built.mappings["tasks"][0]
    moco, service = str(task["moco"]), str(task["clockodo_service"])
    typo = run(path, "mappings", "add", "task", moco, "2400")
    assert typo.returncode == ExitCode.CONFIG
    assert typo.stderr.strip().splitlines() == [
        f"syncd: task MOCO {moco} ↔ clockodo 2400: not stored: clockodo service 2400 "
        "does not exist (--no-check stores it anyway)"
    ]
    added = run(path, "mappings", "add", "task", moco, service)
    assert added.returncode == 0, added.stderr
    listed = json.loads(run(path, "mappings", "list", "--output", "json").stdout)
    assert [(i["kind"], i["moco"], i["clockodo"], i["source"]) for i in listed] == [
        ("task", int(moco), int(service), "store")
    ]
    moco_name, clockodo_name = listed[0]["moco_name"], listed[0]["clockodo_name"]
    names = f"MOCO {moco} {moco_name} ↔ clockodo {service} {clockodo_name}"
    assert added.stdout.strip() == f"stored: task {names}"  # names, not only ids
    assert run(path, "mappings", "remove", "task", moco).returncode == 0
    assert json.loads(run(path, "mappings", "list", "--output", "json").stdout) == []
    unchecked = run(path, "mappings", "add", "task", moco, "2400", "--no-check")
    assert unchecked.returncode == 0, unchecked.stderr  # e.g. offline, or not created yet


def test_doctor_passes_on_a_good_setup(world: Agency, tmp_path: Path, template: Path) -> None:
    path = setup(world, tmp_path, template)
    done = run(path, "doctor")
    assert done.returncode == 0, done.stdout
    assert "✗" not in done.stdout
    assert "Anna Admin" in done.stdout  # mapped ids resolved to names
    checks = json.loads(run(path, "doctor", "--output", "json").stdout)
    assert all(check["ok"] for check in checks)


def test_doctor_flags_what_is_wrong(world: Agency, tmp_path: Path, template: Path) -> None:
    users = [*world.built.mappings["users"], {"moco": 933590005, "clockodo": 404}]
    path = world.config(tmp_path, None, **{"mappings.users": users, "clockodo.api_key": "nope-1"})
    done = run(path, "doctor", "--output", "json")
    assert done.returncode == ExitCode.FAILED
    failed = {c["name"]: c for c in json.loads(done.stdout) if not c["ok"]}
    assert set(failed) == {"clockodo key accepted", "database schema current"}
    assert "api_key" in failed["clockodo key accepted"]["hint"]
    assert "db upgrade" in failed["database schema current"]["hint"]
    assert not (tmp_path / "syncd.db").exists()  # doctor never creates a database

    path = setup(world, tmp_path, template, **{"mappings.users": users})
    text = run(path, "doctor")
    assert text.returncode == ExitCode.FAILED
    bad = [line for line in text.stdout.splitlines() if line.startswith("✗")]
    assert len(bad) == 1
    assert "933590005" in bad[0]
    assert "does not exist" in text.stdout or "deactivated" in text.stdout


def test_list_flags_a_clockodo_user_mapped_twice(
    world: Agency, tmp_path: Path, template: Path
) -> None:
    first, second = world.built.mappings["users"][:2]
    twice = [first, {"moco": second["moco"], "clockodo": first["clockodo"]}]
    path = setup(world, tmp_path, template, **{"mappings.users": twice})
    listed = json.loads(run(path, "mappings", "list", "--output", "json").stdout)
    users = [item for item in listed if item["kind"] == "user"]
    assert [u["in_use"] for u in users] == [False, False]
    assert all(u["problem"] for u in users)
