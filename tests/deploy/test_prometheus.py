"""deploy/prometheus: the alert rules are valid, fire as their unit tests say
(promtool, Debian package `prometheus`; `make tools` installs it), name only metrics
the daemon serves, and the Operator manifests match them and the Service."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from syncd.adapters.http import RequestEvent
from syncd.service.metrics import Metrics, StoreFigures
from tests.deploy.conftest import DEPLOY

PROMETHEUS = DEPLOY / "prometheus"


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    tool = shutil.which("promtool")
    if tool is None:  # never a skip: `make test` installs it first (`make tools`)
        pytest.fail("promtool is missing: run `make tools` (Debian package prometheus)")
    return subprocess.run(
        [tool, *args], cwd=PROMETHEUS, capture_output=True, text=True, check=False, timeout=120
    )


def test_rules_are_valid_and_pass_their_unit_tests() -> None:
    checked = promtool("check", "rules", "rules.yaml")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "6 rules found" in checked.stdout
    tested = promtool("test", "rules", "rules_test.yaml")
    assert tested.returncode == 0, tested.stdout + tested.stderr


def test_every_alert_is_unit_tested() -> None:
    alerts = {rule["alert"] for rule in load(PROMETHEUS / "rules.yaml")["groups"][0]["rules"]}
    tested = {
        case["alertname"]
        for test in load(PROMETHEUS / "rules_test.yaml")["tests"]
        for case in test["alert_rule_test"]
        if case["exp_alerts"]
    }
    assert tested == alerts


def served_metric_names() -> set[str]:
    metrics = Metrics("test", store=lambda: StoreFigures(1, 1, 5.0, 5.0))
    metrics.observe_run("daemon-incr", "refused", 1.0)
    metrics.observe_request(RequestEvent("moco", "GET", "/users", "4xx", 0.1, 0.0, 401))
    metrics.observe_request(RequestEvent("moco", "GET", "/activities/{id}", "4xx", 0.1, 0.0, 404))
    auth = metrics.registry.get_sample_value(
        "syncd_api_auth_failures_total", {"api": "moco", "status": "401"}
    )
    assert auth == 1  # a 404 is not an authentication failure
    return {sample.name for family in metrics.registry.collect() for sample in family.samples}


def test_rules_name_only_metrics_the_daemon_serves() -> None:
    named = set(re.findall(r"\bsyncd_[a-z_]+", (PROMETHEUS / "rules.yaml").read_text()))
    assert named, "the rules name syncd's metrics"
    assert named <= served_metric_names()


def test_operator_manifests_match_the_rules_and_the_service() -> None:
    rule = load(PROMETHEUS / "prometheusrule.yaml")
    assert rule["kind"] == "PrometheusRule"
    assert rule["spec"] == load(PROMETHEUS / "rules.yaml")
    monitor = load(PROMETHEUS / "servicemonitor.yaml")
    service = load(DEPLOY / "kubernetes" / "service.yaml")
    wanted = monitor["spec"]["selector"]["matchLabels"]
    assert wanted.items() <= service["metadata"]["labels"].items()
    ports = {port["name"] for port in service["spec"]["ports"]}
    assert {endpoint["port"] for endpoint in monitor["spec"]["endpoints"]} <= ports
