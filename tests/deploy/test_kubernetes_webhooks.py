"""deploy/kubernetes/webhooks: the optional component exposes /webhooks/* and nothing else."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path, PurePosixPath
from typing import Any

import kubernetes_validate  # type: ignore[import-untyped]
import yaml

from tests.deploy.conftest import require_tool
from tests.deploy.test_kubernetes import (
    DAEMON,
    KUBERNETES_VERSION,
    KUSTOMIZE_ROOT,
    container,
    only,
    pod_spec,
    render,
)

Obj = dict[str, Any]


def with_webhooks(tmp_path: Path) -> list[Obj]:
    """The daemon with the component turned on, as a user's overlay would do it."""
    overlay = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": [os.path.relpath(DAEMON, tmp_path)],
        "components": [os.path.relpath(KUSTOMIZE_ROOT / "webhooks", tmp_path)],
    }
    (tmp_path / "kustomization.yaml").write_text(yaml.safe_dump(overlay), encoding="utf-8")
    done = subprocess.run(
        [require_tool("kubectl"), "kustomize", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return [doc for doc in yaml.safe_load_all(done.stdout) if doc]


def test_the_ingress_routes_only_webhooks_to_the_daemons_http_port(tmp_path: Path) -> None:
    objects = with_webhooks(tmp_path)
    for obj in objects:
        kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
    ingress = only(objects, "Ingress")
    paths = [p for rule in ingress["spec"]["rules"] for p in rule["http"]["paths"]]
    assert [(p["path"], p["pathType"]) for p in paths] == [("/webhooks", "Prefix")]
    services = {o["metadata"]["name"]: o for o in objects if o["kind"] == "Service"}
    backend = services[paths[0]["backend"]["service"]["name"]]
    pod = pod_spec(objects)
    labels = only(objects, "Deployment")["spec"]["template"]["metadata"]["labels"]
    assert backend["spec"]["selector"].items() <= labels.items()
    syncd = container(pod, "syncd")
    port_names = {port["name"] for port in syncd["ports"]}
    assert {port["targetPort"] for port in backend["spec"]["ports"]} <= port_names


def test_the_daemon_reads_the_web_hook_secrets_from_mounted_secret_keys(tmp_path: Path) -> None:
    objects = with_webhooks(tmp_path)
    pod = pod_spec(objects)
    syncd = container(pod, "syncd")
    env = {e["name"]: e.get("value") for e in syncd["env"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    for name, key in (
        ("SYNCD_WEBHOOKS__MOCO_SECRET_FILE", "moco-webhook"),
        ("SYNCD_WEBHOOKS__CLOCKODO_TOKEN_FILE", "clockodo-webhook"),
    ):
        path = PurePosixPath(env[name])
        mount = next(
            m for m in syncd["volumeMounts"] if path.parent == PurePosixPath(m["mountPath"])
        )
        secret = volumes[mount["name"]]["secret"]
        assert secret["secretName"] == "syncd-secrets"
        assert {"key": key, "path": path.name} in secret["items"]


def test_without_the_component_nothing_is_exposed() -> None:
    objects = render(DAEMON)
    assert not [o for o in objects if o["kind"] == "Ingress"]
    env = {e["name"] for e in container(pod_spec(objects), "syncd")["env"]}
    assert not {n for n in env if n.startswith("SYNCD_WEBHOOKS__")}
