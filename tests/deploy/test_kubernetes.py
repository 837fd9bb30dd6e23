"""deploy/kubernetes: both kustomizations render, validate against the Kubernetes
schemas, have the properties issue 7 asks for, and wire a valid configuration."""

from __future__ import annotations

import copy
import subprocess
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any

import kubernetes_validate  # type: ignore[import-untyped]
import pytest
import yaml

from syncd import config
from tests.deploy.conftest import DEPLOY, ROOT, require_tool

KUSTOMIZE_ROOT = DEPLOY / "kubernetes"
DAEMON = KUSTOMIZE_ROOT
CRONJOB = KUSTOMIZE_ROOT / "cronjob"
SECRET_TEMPLATE = KUSTOMIZE_ROOT / "secret.example.yaml"
# A recent release; strict schemas reject unknown fields, so a typo fails.
KUBERNETES_VERSION = "1.32"
METRICS_PORT = 9464

Obj = dict[str, Any]


@cache
def _rendered(directory: Path) -> str:
    kubectl = require_tool("kubectl")
    done = subprocess.run(
        [kubectl, "kustomize", str(directory)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def render(directory: Path) -> list[Obj]:
    """`kubectl kustomize DIR`, as fresh objects every call."""
    return [doc for doc in yaml.safe_load_all(_rendered(directory)) if doc]


def only(objects: list[Obj], kind: str) -> Obj:
    found = [obj for obj in objects if obj["kind"] == kind]
    assert len(found) == 1, f"expected one {kind}, got {len(found)}"
    return found[0]


def pod_spec(objects: list[Obj]) -> Obj:
    """The pod template of the Deployment or the CronJob."""
    kinds = {obj["kind"]: obj for obj in objects}
    if "Deployment" in kinds:
        spec: Obj = kinds["Deployment"]["spec"]["template"]["spec"]
    else:
        spec = kinds["CronJob"]["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return spec


def container(spec: Obj, name: str, init: bool = False) -> Obj:
    containers = spec["initContainers" if init else "containers"]
    found: Obj = next(c for c in containers if c["name"] == name)
    return found


def secret_template() -> Obj:
    template: Obj = yaml.safe_load(SECRET_TEMPLATE.read_text(encoding="utf-8"))
    return template


@pytest.mark.parametrize("directory", [DAEMON, CRONJOB], ids=["daemon", "cronjob"])
def test_every_rendered_object_validates(directory: Path) -> None:
    objects = render(directory)
    assert objects
    for obj in [*objects, secret_template()]:
        kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)


def test_validation_rejects_a_misspelt_field() -> None:
    """The check above would notice a typo: strict schemas refuse unknown fields."""
    deployment = only(render(DAEMON), "Deployment")
    deployment["spec"]["replica"] = deployment["spec"].pop("replicas")
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)


def test_deployment_runs_one_daemon_with_probes_on_the_metrics_port() -> None:
    objects = render(DAEMON)
    deployment = only(objects, "Deployment")
    assert deployment["spec"]["replicas"] == 1
    assert deployment["spec"]["strategy"] == {"type": "Recreate"}
    spec = pod_spec(objects)
    syncd = container(spec, "syncd")
    assert syncd["args"] == ["daemon"]
    ports = {port["name"]: port["containerPort"] for port in syncd["ports"]}
    for probe_name, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
        probe = syncd[probe_name]["httpGet"]
        assert probe["path"] == path
        assert ports.get(probe["port"], probe["port"]) == METRICS_PORT
    assert env_values(syncd)["SYNCD_HTTP__LISTEN"] == f"0.0.0.0:{METRICS_PORT}"


def test_metrics_service_selects_the_daemon_and_invites_scraping() -> None:
    objects = render(DAEMON)
    service = only(objects, "Service")
    annotations = service["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"
    assert annotations["prometheus.io/port"] == str(METRICS_PORT)
    assert annotations["prometheus.io/path"] == "/metrics"
    assert [port["port"] for port in service["spec"]["ports"]] == [METRICS_PORT]
    pod_labels = only(objects, "Deployment")["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= pod_labels.items()


def test_cronjob_runs_once_without_overlap() -> None:
    objects = render(CRONJOB)
    assert {obj["kind"] for obj in objects} == {"CronJob", "ConfigMap", "ServiceAccount"}
    cronjob = only(objects, "CronJob")["spec"]
    assert cronjob["concurrencyPolicy"] == "Forbid"
    assert cronjob["startingDeadlineSeconds"] > 0
    assert cronjob["jobTemplate"]["spec"]["backoffLimit"] >= 0
    assert container(pod_spec(objects), "syncd")["args"] == ["run-once"]


@pytest.mark.parametrize("directory", [DAEMON, CRONJOB], ids=["daemon", "cronjob"])
def test_pods_are_locked_down_and_migrate_first(directory: Path) -> None:
    objects = render(directory)
    spec = pod_spec(objects)
    pod_security = spec["securityContext"]
    assert pod_security["runAsNonRoot"] is True
    assert pod_security["runAsUser"] > 0
    assert pod_security["seccompProfile"] == {"type": "RuntimeDefault"}
    assert spec["automountServiceAccountToken"] is False
    assert [c["args"] for c in spec["initContainers"]] == [["db", "upgrade"]]
    for each in spec["initContainers"] + spec["containers"]:
        security = each["securityContext"]
        assert security["readOnlyRootFilesystem"] is True
        assert security["allowPrivilegeEscalation"] is False
        assert security["capabilities"]["drop"] == ["ALL"]
        for bound in ("requests", "limits"):
            assert {"cpu", "memory"} <= each["resources"][bound].keys()
        assert each["image"] == spec["containers"][0]["image"]
        mounts = {mount["mountPath"]: mount["name"] for mount in each["volumeMounts"]}
        assert "emptyDir" in volume(spec, mounts["/tmp"])


def volume(spec: Obj, name: str) -> Obj:
    found: Obj = next(v for v in spec["volumes"] if v["name"] == name)
    return found


def env_values(each: Obj) -> dict[str, Any]:
    return {item["name"]: item.get("value", item.get("valueFrom")) for item in each["env"]}


def test_configmap_is_the_example_configuration() -> None:
    example = (ROOT / "config.example.toml").read_text(encoding="utf-8")
    copy_in_tree = (KUSTOMIZE_ROOT / "common" / "syncd.toml").read_text(encoding="utf-8")
    assert copy_in_tree == example, "deploy/kubernetes/common/syncd.toml drifted: copy it again"
    for directory in (DAEMON, CRONJOB):
        objects = render(directory)
        config_map = only(objects, "ConfigMap")
        assert config_map["data"] == {"syncd.toml": example}
        # The pod mounts the generated (hash-suffixed) name, not the generator's.
        mounted = volume(pod_spec(objects), "config")["configMap"]["name"]
        assert mounted == config_map["metadata"]["name"]
        assert mounted.startswith("syncd-config-")


def test_daemon_and_cronjob_pods_differ_only_in_command_and_port() -> None:
    daemon, once = pod_spec(render(DAEMON)), pod_spec(render(CRONJOB))

    def comparable(spec: Obj) -> Obj:
        spec = copy.deepcopy(spec)
        spec.pop("restartPolicy", None)
        for each in spec["containers"]:
            for mode_specific in (
                "args",
                "ports",
                "startupProbe",
                "livenessProbe",
                "readinessProbe",
            ):
                each.pop(mode_specific, None)
        return spec

    assert comparable(daemon) == comparable(once)


@pytest.mark.parametrize("directory", [DAEMON, CRONJOB], ids=["daemon", "cronjob"])
def test_pod_environment_and_mounts_make_a_valid_configuration(
    directory: Path, tmp_path: Path
) -> None:
    """Play kubelet: put the ConfigMap and Secret where the pod mounts them, then
    load the configuration with the container's environment."""
    objects = render(directory)
    spec = pod_spec(objects)
    secret = secret_template()
    # Values unlike the example config's placeholders, so they must come from the Secret.
    secret["stringData"]["moco"] = "moco-key-from-the-secret"
    secret["stringData"]["clockodo"] = "clockodo-key-from-the-secret"
    sources = {
        "configMap": {
            key: text.encode() for key, text in only(objects, "ConfigMap")["data"].items()
        },
        "secret": {key: text.encode() for key, text in secret["stringData"].items()},
    }
    for each in spec["initContainers"] + spec["containers"]:
        root = tmp_path / each["name"]
        for mount in each["volumeMounts"]:
            mounted = volume(spec, mount["name"])
            kind = next((k for k in sources if k in mounted), None)
            if kind is None:
                continue
            items = mounted[kind].get("items") or [{"key": k, "path": k} for k in sources[kind]]
            for item in items:
                target = root / PurePosixPath(mount["mountPath"]).relative_to("/") / item["path"]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(sources[kind][item["key"]])
        env = {}
        for name, val in env_values(each).items():
            if isinstance(val, dict):
                ref = val["secretKeyRef"]
                assert ref["name"] == secret["metadata"]["name"]
                env[name] = secret["stringData"][ref["key"]]
            elif name == "SYNCD_CONFIG" or name.endswith("_FILE"):
                env[name] = str(root / PurePosixPath(val).relative_to("/"))
            else:
                env[name] = val
        # load() reads SYNCD_CONFIG from the process environment; pass it on.
        settings = config.load(env["SYNCD_CONFIG"], env)
        assert settings.database.url == secret["stringData"]["database-url"]
        assert settings.database.url.startswith("postgresql+psycopg://")
        assert settings.moco.api_key.get_secret_value() == secret["stringData"]["moco"]
        assert settings.clockodo.api_key.get_secret_value() == secret["stringData"]["clockodo"]
        assert settings.http.listen == f"0.0.0.0:{METRICS_PORT}"
