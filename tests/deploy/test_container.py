"""deploy/Dockerfile and .dockerignore, tested without a Docker engine.

What can be checked here: the Dockerfile parses into the stages and settings
issue 7 asks for; every COPY source is in the build context that
.dockerignore leaves; the HEALTHCHECK command tells a healthy daemon from a
sick one; and the image's own build and install commands, replayed on this
machine with the container paths mapped into a temporary directory, give a
`syncd` that runs and migrates a fresh database from the installed wheel.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, ClassVar

import pytest
from docker.utils.build import exclude_paths  # type: ignore[import-untyped]
from dockerfile_parse import DockerfileParser  # type: ignore[import-untyped]

from syncd import __version__
from tests.cli.test_foundation_commands import config_file
from tests.deploy.conftest import DEPLOY, ROOT
from tests.deploy.test_kubernetes import CRONJOB, DAEMON, pod_spec, render

DOCKERFILE = DEPLOY / "Dockerfile"
METRICS_PORT = 9464
# Directories that must never be sent to the Docker daemon.
NEVER_IN_CONTEXT = (".git", ".venv", ".mypy_cache", ".ruff_cache", ".pytest_cache", "tests")


@dataclass(frozen=True)
class Instruction:
    name: str
    value: str


def stages() -> list[list[Instruction]]:
    """The Dockerfile's instructions, one list per FROM (comments and ARGs before it dropped)."""
    parsed = DockerfileParser(str(DOCKERFILE))
    result: list[list[Instruction]] = []
    for item in parsed.structure:
        if item["instruction"] == "FROM":
            result.append([])
        if result and item["instruction"] != "COMMENT":
            result[-1].append(Instruction(item["instruction"], item["value"]))
    return result


def final_stage() -> list[Instruction]:
    return stages()[-1]


def one(stage: list[Instruction], name: str) -> str:
    found = [each.value for each in stage if each.name == name]
    assert len(found) == 1, f"expected one {name}, got {found}"
    return found[0]


def build_flags(value: str) -> tuple[dict[str, str], str]:
    """`--mount=type=bind,from=x --chown=1 rest` → ({"mount": "...", "chown": "1"}, "rest")."""
    flags: dict[str, str] = {}
    while match := re.match(r"--([\w-]+)=(\S+)\s+", value):
        flags[match.group(1)] = match.group(2)
        value = value[match.end() :]
    return flags, value


def context_files() -> set[str]:
    """Paths (relative, POSIX) that `docker build -f deploy/Dockerfile .` sends."""
    lines = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    patterns = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    included: set[str] = exclude_paths(str(ROOT), patterns, dockerfile="deploy/Dockerfile")
    return included


def copy_sources(stage: list[Instruction]) -> list[tuple[list[str], str]]:
    """(sources, destination) of every COPY that reads the build context."""
    copies = []
    for each in stage:
        if each.name != "COPY":
            continue
        flags, rest = build_flags(each.value)
        if "from" in flags:
            continue
        *sources, destination = shlex.split(rest)
        copies.append((sources, destination))
    return copies


def test_two_stages_on_a_slim_python_311_or_newer() -> None:
    parsed = DockerfileParser(str(DOCKERFILE))
    assert parsed.is_multistage
    assert len(parsed.parent_images) == 2
    for image in parsed.parent_images:
        match = re.fullmatch(r"python:3\.(\d+)-slim(-\w+)?", image)
        assert match is not None, image
        assert int(match.group(1)) >= 11


def test_final_stage_runs_the_console_script_as_a_fixed_non_root_user() -> None:
    stage = final_stage()
    uid, _, gid = one(stage, "USER").partition(":")
    assert uid.isdigit(), "USER must be a numeric UID (runAsNonRoot can check only those)"
    assert int(uid) > 0
    assert int(gid) > 0
    creates_user = next(each.value for each in stage if "useradd" in each.value)
    assert f"--uid {uid}" in creates_user
    # The Kubernetes pods run as the same UID, so the image's files are theirs.
    for directory in (DAEMON, CRONJOB):
        assert pod_spec(render(directory))["securityContext"]["runAsUser"] == int(uid)
    assert json.loads(one(stage, "ENTRYPOINT")) == ["syncd"]
    assert json.loads(one(stage, "CMD")) == ["daemon"]
    assert str(METRICS_PORT) in one(stage, "EXPOSE").split()
    assert "HEALTHCHECK" in {each.name for each in stage}
    env = DockerfileParser(str(DOCKERFILE)).envs
    assert env["SYNCD_CONFIG"] == "/etc/syncd/syncd.toml"
    assert env["SYNCD_HTTP__LISTEN"].endswith(f":{METRICS_PORT}")


def test_every_copy_source_is_in_the_build_context() -> None:
    included = context_files()
    copies = [copy for stage in stages() for copy in copy_sources(stage)]
    assert copies
    for sources, _ in copies:
        for source in sources:
            path = ROOT / source
            assert path.exists(), f"COPY {source}: not in the repository"
            files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
            for file in files:
                relative = file.relative_to(ROOT).as_posix()
                if "__pycache__" in relative:
                    continue
                assert relative in included, f"COPY {source}: .dockerignore drops {relative}"
    for directory in NEVER_IN_CONTEXT:
        leaked = [p for p in included if p == directory or p.startswith(f"{directory}/")]
        assert not leaked, f"{directory} would be sent to the Docker daemon: {leaked[:3]}"
    assert not [p for p in included if "__pycache__" in p or p.endswith(".pyc")]


class _Healthz(http.server.BaseHTTPRequestHandler):
    status: ClassVar[int] = 200
    paths: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).paths.append(self.path)
        self.send_response(self.status)
        self.end_headers()

    def log_message(self, *_: Any) -> None:
        pass


@pytest.fixture
def healthz_server() -> Iterator[tuple[int, type[_Healthz]]]:
    handler = type("Handler", (_Healthz,), {"paths": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], handler
    finally:
        server.shutdown()
        server.server_close()


def healthcheck_command() -> list[str]:
    value = one(final_stage(), "HEALTHCHECK")
    match = re.search(r"\bCMD\s+(\[.*\])\s*$", value)
    assert match is not None, f"HEALTHCHECK should use the exec form: {value}"
    command: list[str] = json.loads(match.group(1))
    return command


def test_healthcheck_passes_only_while_healthz_answers_ok(
    healthz_server: tuple[int, type[_Healthz]],
) -> None:
    port, handler = healthz_server
    command = healthcheck_command()
    assert command[0] == "python"  # the venv's, first on the image's PATH; no curl needed

    def check(listen: str) -> int:
        env = {**os.environ, "SYNCD_HTTP__LISTEN": listen}
        done = subprocess.run(
            [sys.executable, *command[1:]], env=env, capture_output=True, check=False, timeout=30
        )
        return done.returncode

    assert check(f"0.0.0.0:{port}") == 0
    assert handler.paths == ["/healthz"]
    handler.status = 503
    assert check(f"0.0.0.0:{port}") != 0
    handler.status = 200
    free_port = _unused_port()
    assert check(f"0.0.0.0:{free_port}") != 0  # nothing listening


def _unused_port() -> int:
    server = http.server.HTTPServer(("127.0.0.1", 0), _Healthz)
    port = server.server_address[1]
    server.server_close()
    return port


def _run(command: str, cwd: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SYNCD_", "VIRTUAL_ENV"))}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    done = subprocess.run(
        ["sh", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, f"{command}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"


def _mapped(command: str, mapping: dict[str, Path]) -> str:
    for container_path in sorted(mapping, key=len, reverse=True):
        command = command.replace(container_path, str(mapping[container_path]))
    return command


@pytest.fixture(scope="module")
def image_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The image's venv, made by replaying the Dockerfile's build and install steps.

    Build stage: its WORKDIR becomes a temporary directory, COPY copies from
    the build context (as .dockerignore leaves it), RUN runs there. Final
    stage: the RUN that installs the wheels (the one binding the build
    stage's output) runs with that output and the venv path mapped to
    temporary directories. The user and directory set-up needs root and a
    Debian image, so it is not replayed.
    """
    tmp = tmp_path_factory.mktemp("image")
    build, final = stages()[0], stages()[-1]
    venv_path = PurePosixPath(final_env_path_entry())
    mapping: dict[str, Path] = {str(venv_path.parent): tmp / "venv"}
    workdir = tmp / "src"
    workdir.mkdir()
    mapping[one(build, "WORKDIR")] = workdir
    included = context_files()
    for sources, destination in copy_sources(build):
        for source in sources:
            _copy_from_context(ROOT / source, workdir / destination, included)
    for each in build:
        if each.name == "RUN":
            _, command = build_flags(each.value)
            # Absolute paths a build RUN names (its outputs, e.g. /wheels) map to tmp too.
            for output in re.findall(r"(?<![\w.])/[\w/]+", command):
                mapping.setdefault(output, tmp / PurePosixPath(output).name)
            _run(_mapped(command, mapping), workdir)
    installs = [each.value for each in final if each.name == "RUN" and "from=build" in each.value]
    assert len(installs) == 1, "expected one RUN installing the build stage's output"
    flags, command = build_flags(installs[0])
    target = re.search(r"target=([^,\s]+)", flags["mount"])
    assert target is not None
    assert target.group(1) in mapping, "the install must read what the build stage wrote"
    _run(_mapped(command, mapping), tmp)
    return tmp / "venv"


def final_env_path_entry() -> str:
    """The venv's bin directory, which the image puts first on PATH."""
    path = DockerfileParser(str(DOCKERFILE)).envs["PATH"]
    first: str = path.split(":")[0]
    assert first.endswith("/bin"), path
    return first


def _copy_from_context(source: Path, destination: Path, included: set[str]) -> None:
    files = [source] if source.is_file() else [p for p in source.rglob("*") if p.is_file()]
    for file in files:
        relative = file.relative_to(ROOT).as_posix()
        if relative not in included:
            continue
        if source.is_file():
            target = destination / file.name if destination.is_dir() else destination
        else:
            target = destination / file.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(file, target)


def _venv_run(venv: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SYNCD_", "PYTHON"))}
    return subprocess.run(
        [str(venv / "bin" / args[0]), *args[1:]],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_image_steps_give_a_syncd_that_migrates_from_the_wheel(
    image_venv: Path, tmp_path: Path
) -> None:
    version = _venv_run(image_venv, "syncd", "--version", cwd=tmp_path)
    assert version.returncode == 0, version.stderr
    assert __version__ in version.stdout
    # The migrations come from inside the installed wheel, not from this checkout.
    where = _venv_run(
        image_venv,
        "python",
        "-c",
        "from syncd.store.db import migrations_dir; print(migrations_dir())",
        cwd=tmp_path,
    )
    assert where.returncode == 0, where.stderr
    migrations = Path(where.stdout.strip())
    assert migrations.name == "_migrations"
    assert migrations.is_relative_to(image_venv)
    db = tmp_path / "syncd.db"
    upgrade = _venv_run(
        image_venv,
        "syncd",
        "db",
        "upgrade",
        "-c",
        str(config_file(tmp_path, f"sqlite:///{db}")),
        cwd=tmp_path,
    )
    assert upgrade.returncode == 0, upgrade.stderr
    assert "schema upgraded from empty" in upgrade.stdout
    with sqlite3.connect(db) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        (revision,) = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    assert revision in upgrade.stdout
    assert {"alembic_version", "links", "runs"} <= tables
