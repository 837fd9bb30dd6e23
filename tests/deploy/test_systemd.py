"""deploy/systemd: the units verify, are hardened, and hand syncd a valid configuration.

`systemd-analyze verify` checks that every Exec*= binary exists, so the tests
verify copies in which /opt/syncd/bin/syncd (the install location the README
prescribes) is replaced by the venv's `syncd` script; everything else is
verified as shipped.
"""

from __future__ import annotations

import ctypes
import re
import subprocess
import sys
from pathlib import Path

import pytest

from syncd import config
from tests.cli.test_foundation_commands import CLOCKODO_KEY, MOCO_KEY, config_file
from tests.deploy.conftest import DEPLOY, INSTALLED_SYNCD, ROOT, require_tool, venv_syncd

UNITS = DEPLOY / "systemd"
SERVICES = ("syncd.service", "syncd-once.service")
ALL_UNITS = (*SERVICES, "syncd-once.timer")
# Measured 1.2 with systemd 252 (README); fail when the hardening erodes.
MAX_EXPOSURE = 1.5
# [Service] keys that differ by mode; everything else must be the same in both.
MODE_KEYS = frozenset(
    {
        "Type",
        "NotifyAccess",
        "ExecStart",
        "ExecReload",
        "Restart",
        "RestartSec",
        "RestartPreventExitStatus",
        "WatchdogSec",
        "TimeoutStartSec",
    }
)

Entry = tuple[str, str, str]  # (section, key, value)


def parse_unit(path: Path) -> list[Entry]:
    """The unit's assignments in order; repeated keys (Environment=) stay separate."""
    entries: list[Entry] = []
    section = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        entries.append((section, key.strip(), value.strip()))
    return entries


def values(entries: list[Entry], section: str, key: str) -> list[str]:
    return [value for sec, k, value in entries if sec == section and k == key]


def value(entries: list[Entry], section: str, key: str) -> str:
    found = values(entries, section, key)
    assert len(found) == 1, f"[{section}] {key}= should be set once, found {found}"
    return found[0]


def environment(entries: list[Entry]) -> dict[str, str]:
    pairs = (item.partition("=") for item in values(entries, "Service", "Environment"))
    return {name: val for name, _, val in pairs}


@pytest.fixture
def analyzable_units(tmp_path: Path) -> Path:
    """Copies of the units whose ExecStart= binaries exist on this machine."""
    script = venv_syncd()
    assert script.is_file(), f"{script} missing: is the venv installed?"
    for name in ALL_UNITS:
        text = (UNITS / name).read_text(encoding="utf-8")
        (tmp_path / name).write_text(text.replace(INSTALLED_SYNCD, str(script)), encoding="utf-8")
    return tmp_path


def systemd_analyze(*args: str) -> subprocess.CompletedProcess[str]:
    tool = require_tool("systemd-analyze")
    return subprocess.run([tool, *args], capture_output=True, text=True, check=False, timeout=120)


def test_units_pass_systemd_analyze_verify(analyzable_units: Path) -> None:
    done = systemd_analyze("verify", *(str(analyzable_units / name) for name in ALL_UNITS))
    # verify exits 0 on unknown keys and unparsable values, so any output is a failure.
    assert done.returncode == 0, done.stderr
    assert done.stdout + done.stderr == ""


def test_verify_reports_a_misspelt_directive(analyzable_units: Path) -> None:
    """The check above would notice a typo: verify does print one on this systemd."""
    unit = analyzable_units / "syncd.service"
    unit.write_text(
        unit.read_text(encoding="utf-8").replace("ProtectSystem=", "ProtectSytem="),
        encoding="utf-8",
    )
    done = systemd_analyze("verify", str(unit))
    assert "ProtectSytem" in done.stdout + done.stderr


@pytest.mark.parametrize("name", SERVICES)
def test_security_exposure_is_low(analyzable_units: Path, name: str) -> None:
    done = systemd_analyze("security", "--offline=true", str(analyzable_units / name))
    assert done.returncode == 0, done.stderr
    match = re.search(r"Overall exposure level for \S+: (\d+\.\d+) (\w+)", done.stdout)
    assert match is not None, done.stdout[-2000:]
    exposure = float(match.group(1))
    print(f"{name}: exposure {exposure} {match.group(2)}")
    assert exposure <= MAX_EXPOSURE, done.stdout


def test_daemon_unit_is_a_watched_notify_service() -> None:
    unit = parse_unit(UNITS / "syncd.service")
    assert value(unit, "Service", "Type") == "notify"
    assert value(unit, "Service", "NotifyAccess") == "main"
    assert value(unit, "Service", "ExecStart") == f"{INSTALLED_SYNCD} daemon"
    assert value(unit, "Service", "ExecStartPre") == f"{INSTALLED_SYNCD} db upgrade"
    assert value(unit, "Service", "Restart") == "on-failure"
    assert value(unit, "Service", "WatchdogSec") == "2min"
    assert value(unit, "Service", "TimeoutStopSec") == "90s"
    assert value(unit, "Install", "WantedBy") == "multi-user.target"


def test_run_once_unit_and_timer() -> None:
    service = parse_unit(UNITS / "syncd-once.service")
    assert value(service, "Service", "Type") == "oneshot"
    assert value(service, "Service", "ExecStart") == f"{INSTALLED_SYNCD} run-once"
    assert value(service, "Service", "ExecStartPre") == f"{INSTALLED_SYNCD} db upgrade"
    assert values(service, "Install", "WantedBy") == []  # started by the timer only
    timer = parse_unit(UNITS / "syncd-once.timer")
    assert value(timer, "Timer", "Unit") == "syncd-once.service"
    assert value(timer, "Timer", "OnCalendar") == "*:0/10"
    assert value(timer, "Timer", "Persistent") == "true"
    assert value(timer, "Timer", "RandomizedDelaySec") == "1min"
    assert value(timer, "Install", "WantedBy") == "timers.target"


def test_both_services_share_identity_sandbox_and_secrets() -> None:
    daemon, once = (parse_unit(UNITS / name) for name in SERVICES)

    def shared(entries: list[Entry]) -> list[Entry]:
        return [entry for entry in entries if entry[0] == "Service" and entry[1] not in MODE_KEYS]

    assert shared(daemon) == shared(once)
    for setting in (
        "DynamicUser=yes",
        "StateDirectory=syncd",
        "ProtectSystem=strict",
        "MemoryDenyWriteExecute=yes",
        "SystemCallFilter=@system-service",
        "CapabilityBoundingSet=",
        "UMask=0077",
        "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
    ):
        key, _, expected = setting.partition("=")
        assert expected in values(daemon, "Service", key), setting
    assert values(daemon, "Service", "LoadCredential") == [
        "moco:/etc/syncd/moco.key",
        "clockodo:/etc/syncd/clockodo.key",
    ]


def test_unit_environment_makes_a_valid_configuration(tmp_path: Path) -> None:
    """The units' SYNCD_* variables are known keys and deliver the secrets."""
    env = environment(parse_unit(UNITS / "syncd.service"))
    assert env["SYNCD_CONFIG"] == "/etc/syncd/syncd.toml"
    credentials = tmp_path / "credentials"
    credentials.mkdir()
    (credentials / "moco").write_text(MOCO_KEY + "\n", encoding="utf-8")
    (credentials / "clockodo").write_text(CLOCKODO_KEY, encoding="utf-8")
    env = {name: val.replace("%d", str(credentials)) for name, val in env.items()}
    # The example config with different keys inside: the credentials must win.
    settings = config.load(ROOT / "config.example.toml", env)
    assert settings.database.url == "sqlite:////var/lib/syncd/syncd.db"
    assert settings.moco.api_key.get_secret_value() == MOCO_KEY
    assert settings.clockodo.api_key.get_secret_value() == CLOCKODO_KEY


PR_SET_MDWE = 65
PR_MDWE_REFUSE_EXEC_GAIN = 1
# Runs argv[1:] with the kernel refusing writable+executable memory, as
# MemoryDenyWriteExecute=yes does through seccomp (inherited across exec).
MDWE_LAUNCHER = f"""
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl({PR_SET_MDWE}, {PR_MDWE_REFUSE_EXEC_GAIN}, 0, 0, 0) != 0:
    sys.exit(f"prctl: {{os.strerror(ctypes.get_errno())}}")
os.execv(sys.argv[1], sys.argv[1:])
"""


def _kernel_has_mdwe() -> bool:
    pr_get_mdwe = 66  # fails with EINVAL before Linux 6.3
    return int(ctypes.CDLL(None).prctl(pr_get_mdwe, 0, 0, 0, 0)) >= 0


def test_syncd_runs_with_write_execute_memory_denied(tmp_path: Path) -> None:
    """MemoryDenyWriteExecute=yes does not break CPython or syncd's libraries."""
    if not _kernel_has_mdwe():
        pytest.skip("this kernel has no PR_SET_MDWE (Linux >= 6.3)")
    db = tmp_path / "syncd.db"
    cfg = config_file(tmp_path, f"sqlite:///{db}")

    def under_mdwe(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", MDWE_LAUNCHER, *argv],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )

    probe = under_mdwe(
        sys.executable,
        "-c",
        "import mmap, uvicorn, starlette.applications, psycopg, apscheduler.schedulers.background"
        "\ntry:\n    mmap.mmap(-1, 4096, prot=7)\nexcept PermissionError:\n    print('refused')",
    )
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.strip() == "refused"  # the restriction really was in force
    upgrade = under_mdwe(str(venv_syncd()), "db", "upgrade", "-c", str(cfg))
    assert upgrade.returncode == 0, upgrade.stderr
    assert "schema upgraded from empty" in upgrade.stdout
    assert db.is_file()
