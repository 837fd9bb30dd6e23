"""`syncd sim moco` as a real process: URL on stdout, seeded account, clean stop."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.simulators.moco_fixtures import SMALL_KEY, small_seed

SYNCD = [sys.executable, "-c", "from syncd.cli import main; main()"]


@contextmanager
def sim_process(*args: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    process = subprocess.Popen(
        [*SYNCD, "sim", "moco", "--host", "127.0.0.1", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        yield process, url
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_serves_the_seed_file_and_stops_cleanly(tmp_path: Path, stop: signal.Signals) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps(small_seed(3)), encoding="utf-8")
    with sim_process("--seed", str(seed), "--latency-ms", "5", "--no-rate-limit") as (process, url):
        assert url.startswith("http://127.0.0.1:")
        assert url.endswith("/api/v1")
        with httpx.Client(headers={"Authorization": f"Token token={SMALL_KEY}"}) as client:
            response = client.get(url + "/activities")
            assert response.status_code == 200
            assert response.headers["X-Total"] == "3"
            codes = {client.get(url + "/session").status_code for _ in range(130)}
            assert codes == {200}  # --no-rate-limit
        process.send_signal(stop)
        assert process.wait(timeout=10) == 0
        assert process.stderr is not None
        assert "Traceback" not in process.stderr.read()


def test_without_a_seed_it_serves_the_demo_agency_with_the_rate_limit_on() -> None:
    with sim_process() as (process, url):
        with httpx.Client(headers={"Authorization": "Bearer moco-admin-key"}) as client:
            assert client.get(url + "/projects").headers["X-Total"] == "4"
            codes = [client.get(url + "/session").status_code for _ in range(120)]
        assert codes[-1] == 429
        process.terminate()
        assert process.wait(timeout=10) == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read seed file"),
        ("{not json", "not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
        ('{"activities": [{"date": "2026-01-01", "user_id": 1}]}', "bad seed"),
    ],
)
def test_a_bad_seed_file_exits_2_with_one_line(
    tmp_path: Path, content: str | None, message: str
) -> None:
    seed = tmp_path / "seed.json"
    if content is not None:
        seed.write_text(content, encoding="utf-8")
    result = subprocess.run(
        [*SYNCD, "sim", "moco", "--port", "0", "--seed", str(seed)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert message in lines[0]


def test_the_lines_after_the_url_say_how_to_sign_in() -> None:
    with sim_process() as (process, url):
        assert process.stdout is not None
        lines = [process.stdout.readline().strip() for _ in range(4)]
        assert lines[0].startswith("auth: Authorization: Token token=")
        assert f'base_url = "{url}"' in lines[1]
        key = lines[3].split()[0]
        assert key == "moco-admin-key"
        assert httpx.get(url + "/session", headers={"Authorization": f"Bearer {key}"}).is_success
        process.terminate()
        assert process.wait(timeout=10) == 0
