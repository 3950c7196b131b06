"""deploy/k8s rendered with kustomize (`kubectl kustomize`), every object checked against
the Kubernetes API schemas (kubernetes-validate, strict: unknown fields are errors), and the
cross-object rules the schemas cannot express."""

from __future__ import annotations

from functools import cache
from typing import Any

import kubernetes_validate
import pytest
import yaml

from tests.deploy.test_compose import setting_env_names
from tests.deploy.tools import DEPLOY, require_tool, run

K8S = DEPLOY / "k8s"
# Oldest API server the manifests promise to work on (CronJob timeZone is GA since 1.27).
KUBERNETES_VERSION = "1.27.0"


@cache
def _render() -> tuple[dict[str, Any], ...]:
    kubectl = require_tool("kubectl")
    result = run([kubectl, "kustomize", str(K8S)])
    assert result.returncode == 0, result.stderr
    return tuple(doc for doc in yaml.safe_load_all(result.stdout) if doc)


@pytest.fixture(scope="module")
def rendered() -> tuple[dict[str, Any], ...]:
    return _render()


def _one(rendered: tuple[dict[str, Any], ...], kind: str, name: str) -> dict[str, Any]:
    found = [d for d in rendered if d["kind"] == kind and d["metadata"]["name"] == name]
    assert len(found) == 1, f"{kind}/{name}: {len(found)} objects"
    return found[0]


def _pod_spec(obj: dict[str, Any]) -> dict[str, Any] | None:
    spec = obj.get("spec", {})
    if obj["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    template = spec.get("template")
    return template["spec"] if template else None


def test_kustomize_renders_every_listed_resource(rendered: tuple[dict[str, Any], ...]) -> None:
    listed = yaml.safe_load((K8S / "kustomization.yaml").read_text())["resources"]
    assert len(rendered) == len(listed)
    assert all(d["metadata"].get("namespace", "tradescreen") == "tradescreen" for d in rendered)


def test_every_object_follows_the_kubernetes_schema(rendered: tuple[dict[str, Any], ...]) -> None:
    for obj in rendered:
        try:
            kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            pytest.fail(f"{obj['kind']}/{obj['metadata']['name']}: {exc.message} at {list(exc.path)}")


def test_the_schema_check_rejects_an_unknown_field() -> None:
    deployment = _one(_render(), "Deployment", "tradescreen-worker")
    broken = yaml.safe_load(yaml.safe_dump(deployment))
    broken["spec"]["template"]["spec"]["containers"][0]["livenesProbe"] = {"httpGet": {"path": "/health"}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


def test_the_image_is_set_in_one_place(rendered: tuple[dict[str, Any], ...]) -> None:
    tag = yaml.safe_load((K8S / "kustomization.yaml").read_text())["images"][0]["newTag"]
    images = {c["image"] for obj in rendered if (pod := _pod_spec(obj)) for c in pod["containers"]}
    assert images == {f"registry.example.com/tradescreen:{tag}"}


def test_selectors_match_the_worker_pods(rendered: tuple[dict[str, Any], ...]) -> None:
    deployment = _one(rendered, "Deployment", "tradescreen-worker")
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    selectors = {
        "Deployment": deployment["spec"]["selector"]["matchLabels"],
        "Service": _one(rendered, "Service", "tradescreen-worker")["spec"]["selector"],
        "PodDisruptionBudget": _one(rendered, "PodDisruptionBudget", "tradescreen-worker")["spec"]["selector"][
            "matchLabels"],
    }
    for kind, selector in selectors.items():
        assert selector.items() <= pod_labels.items(), kind
    pdb = _one(rendered, "PodDisruptionBudget", "tradescreen-worker")
    assert pdb["spec"]["minAvailable"] < deployment["spec"]["replicas"], "a drain could never evict a worker"


def test_workers_fit_the_partitions_and_probe_the_port_they_serve(rendered: tuple[dict[str, Any], ...]) -> None:
    config = _one(rendered, "ConfigMap", "tradescreen")["data"]
    deployment = _one(rendered, "Deployment", "tradescreen-worker")
    assert deployment["spec"]["replicas"] <= int(config["TRADESCREEN_PARTITIONS"])
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports["http"] == int(config["TRADESCREEN_WEB_PORT"])
    assert config["TRADESCREEN_WEB_HOST"] == "0.0.0.0"  # the kubelet probes from outside the pod
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"] == {"path": "/health", "port": "http"}
    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/port"] == config["TRADESCREEN_WEB_PORT"]


def test_config_map_holds_only_settings_and_every_pod_reads_it(rendered: tuple[dict[str, Any], ...]) -> None:
    config = _one(rendered, "ConfigMap", "tradescreen")["data"]
    assert set(config) <= setting_env_names(), set(config) - setting_env_names()
    for obj in rendered:
        pod = _pod_spec(obj)
        if pod is None:
            continue
        for container in pod["containers"]:
            assert {"configMapRef": {"name": "tradescreen"}} in container.get("envFrom", []), obj["metadata"]["name"]


def test_pods_meet_the_restricted_pod_security_standard(rendered: tuple[dict[str, Any], ...]) -> None:
    """The namespace enforces `restricted`: a pod that breaks it is refused at admission,
    which the schema check cannot tell."""
    namespace = _one(rendered, "Namespace", "tradescreen")
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    for obj in rendered:
        pod = _pod_spec(obj)
        if pod is None:
            continue
        name = f"{obj['kind']}/{obj['metadata']['name']}"
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["seccompProfile"]["type"] in {"RuntimeDefault", "Localhost"}, name
        assert not pod.get("hostNetwork") and not pod.get("hostPID"), name
        for container in pod["containers"]:
            security = container["securityContext"]
            assert security["allowPrivilegeEscalation"] is False, name
            assert security["capabilities"]["drop"] == ["ALL"], name
            assert not security.get("privileged"), name
            assert security.get("readOnlyRootFilesystem") is True, name
        mounted = {m["name"] for c in pod["containers"] for m in c.get("volumeMounts", [])}
        assert mounted == {v["name"] for v in pod.get("volumes", [])}, name
        for volume in pod.get("volumes", []):
            assert "hostPath" not in volume, name
            if claim := volume.get("persistentVolumeClaim"):
                _one(rendered, "PersistentVolumeClaim", claim["claimName"])
