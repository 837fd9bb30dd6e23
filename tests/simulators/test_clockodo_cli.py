"""`syncd sim clockodo` as a real process: URL on stdout, seeded account, clean stop."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from tests.simulators.clockodo_fixtures import APP, KEYS, OWNER, small_seed, time_entry

SYNCD = [sys.executable, "-c", "from syncd.cli import main; main()"]


def start(*args: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [*SYNCD, "sim", "clockodo", "--host", "127.0.0.1", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    return process, process.stdout.readline().strip()


def headers(email: str, key: str) -> dict[str, str]:
    return {
        "X-ClockodoApiUser": email,
        "X-ClockodoApiKey": key,
        "X-Clockodo-External-Application": APP,
    }


def test_serves_a_seed_file_and_stops_on_sigterm(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps(small_seed([time_entry(id=3, text="aus der Datei")])))
    process, url = start("--seed", str(seed), "--no-rate-limit")
    try:
        assert url.startswith("http://127.0.0.1:")
        assert url.endswith("/api")
        entry = httpx.get(url + "/v2/entries/3", headers=headers(*KEYS[OWNER]))
        assert entry.status_code == 200
        assert entry.json()["entry"]["text"] == "aus der Datei"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        assert process.stderr is not None
        assert "Traceback" not in process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def test_without_a_seed_it_serves_the_agency_account() -> None:
    process, url = start()
    try:
        me = httpx.get(url + "/v4/users/me", headers=headers("lena@nordlicht.example", "owner-key"))
        assert me.json()["data"]["name"] == "Lena Brandt"
        process.terminate()
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def test_the_lines_after_the_url_say_how_to_sign_in() -> None:
    process, url = start()
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline().strip() for _ in range(4)]
        assert lines[0].startswith("auth: X-ClockodoApiUser")
        assert f'base_url = "{url}"' in lines[1]
        assert lines[3].startswith("lena@nordlicht.example / owner-key")
        me = httpx.get(url + "/v4/users/me", headers=headers("lena@nordlicht.example", "owner-key"))
        assert me.status_code == 200
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
