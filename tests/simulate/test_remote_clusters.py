"""Kustomizations with ``spec.kubeConfig`` apply to another cluster (a hub's spokes, fluxcd/flux2-hub-spoke-example):
kustomize-controller builds them here and applies their objects through the kubeConfig Secret, so two of them
applying the same object apply two objects, one on each cluster."""

from __future__ import annotations

from pathlib import Path

from flux_wiki.engine import build_model
from tests.simulate.test_simulate import gotk, ks, write

CHILD = ks("spoke-apps", "./spoke/apps")
CM = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: hello, namespace: default}\n"


def spokes(tmp_path: Path, first: str, second: str) -> Path:
    files = gotk()
    files.update({"clusters/home/a.yaml": ks("spoke-a", "./spoke/sync", extra=first),
                  "clusters/home/b.yaml": ks("spoke-b", "./spoke/sync", extra=second),
                  "spoke/sync/apps.yaml": CHILD, "spoke/apps/cm.yaml": CM})
    return write(tmp_path, files)


def codes(cluster) -> list[tuple[str, str]]:
    return sorted((w.code, w.cls) for w in cluster.warnings if w.code.startswith("FW-KS-"))


def test_two_spokes_applying_one_kustomization_is_not_a_conflict(tmp_path: Path) -> None:
    repo = spokes(tmp_path, "kubeConfig: {secretRef: {name: spoke-a}}", "kubeConfig: {secretRef: {name: spoke-b}}")
    [cluster] = build_model(repo).clusters
    assert codes(cluster) == [("FW-KS-REMOTE-COPY", "limit")]
    [note] = [w for w in cluster.warnings if w.code == "FW-KS-REMOTE-COPY"]
    assert "kubeConfig Secret flux-system/spoke-b" in note.message
    assert cluster.kustomizations["flux-system/spoke-apps"].parent == "flux-system/spoke-a"


def test_two_kustomizations_applying_one_kustomization_to_the_same_cluster_fight(tmp_path: Path) -> None:
    same = "kubeConfig: {secretRef: {name: spoke}}"
    [cluster] = build_model(spokes(tmp_path, same, same)).clusters
    assert codes(cluster) == [("FW-KS-APPLIED-TWICE", "repo")]
    [cluster] = build_model(spokes(tmp_path / "local", "", "")).clusters
    assert codes(cluster) == [("FW-KS-APPLIED-TWICE", "repo")]


def lb_service(ip: str) -> str:
    return ("apiVersion: v1\nkind: Service\nmetadata: {name: ingress, namespace: web}\n"
            f"spec: {{type: LoadBalancer, loadBalancerIP: {ip}, ports: [{{port: 443}}]}}\n")


def release_with_lb(ip: str, extra: str = "") -> str:
    return ("apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: traefik, namespace: web}\n"
            "spec:\n  interval: 1h\n  chart: {spec: {chart: traefik, sourceRef: {kind: HelmRepository, name: t}}}\n"
            f"  values: {{service: {{spec: {{loadBalancerIP: {ip}}}}}}}\n" + extra)


def claims(repo: Path) -> list[str]:
    [cluster] = build_model(repo).clusters
    return sorted(w.file for w in cluster.warnings if w.code == "FW-LB-DUPLICATE")


def test_the_same_load_balancer_address_on_two_spokes_is_no_conflict(tmp_path: Path) -> None:
    """Each spoke has its own network: 10.0.0.10 on spoke A and on spoke B are two addresses."""
    def repo(root: Path, a: str, b: str) -> Path:
        files = gotk()
        files.update({"clusters/home/a.yaml": ks("spoke-a", "./spoke/a", extra=a),
                      "clusters/home/b.yaml": ks("spoke-b", "./spoke/b", extra=b),
                      "spoke/a/svc.yaml": lb_service("10.0.0.10"), "spoke/b/svc.yaml": lb_service("10.0.0.10")})
        return write(root, files)

    assert claims(repo(tmp_path / "spokes", "kubeConfig: {secretRef: {name: a}}",
                       "kubeConfig: {secretRef: {name: b}}")) == []
    assert claims(repo(tmp_path / "one", "", "")) == ["spoke/b/svc.yaml"]  # reported once, at the later one


def test_a_helmrelease_with_a_kubeconfig_claims_on_its_cluster(tmp_path: Path) -> None:
    """flux2-hub-spoke-example patches spec.kubeConfig into the hub's HelmReleases: their services are the spoke's."""
    files = gotk()
    files.update({"clusters/home/hub.yaml": ks("hub", "./hub"),
                  "hub/svc.yaml": lb_service("10.0.0.10"),
                  "hub/release.yaml": release_with_lb("10.0.0.10", "  kubeConfig: {secretRef: {name: spoke}}\n")})
    assert claims(write(tmp_path / "remote", files)) == []
    files["hub/release.yaml"] = release_with_lb("10.0.0.10")
    assert claims(write(tmp_path / "local", files)) == ["hub/svc.yaml"]
