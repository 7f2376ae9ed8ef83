"""A Flux object in an API version the cluster's Flux no longer serves: the API server refuses it, and the
Kustomization applying it fails (FW-API-REMOVED, at the apiVersion line).

What the cluster serves: the Flux CRDs the repository applies (gotk-components.yaml: each version's
``served``), else the Flux version a FluxInstance asks for (``spec.distribution.version``) against the releases
that removed the beta APIs: Flux v2.7 removed ``source``/``kustomize``/``image``/``notification`` ``v1beta1`` and
``helm`` ``v2beta1`` (fluxcd.io/blog/2025/09/flux-v2.7.0, flux2#5474); Flux v2.8 removed ``source``/``kustomize``
``v1beta2`` and ``helm`` ``v2beta2`` (flux2#5711: source-controller#1983, kustomize-controller#1584,
helm-controller#1404); Flux v2.9 removed ``notification``/``image`` ``v1beta2`` (flux2#5942). A version no Flux
release ever had (``kustomize.toolkit.fluxcd.io/v3``) is refused whatever Flux runs. When the version may still
serve it (a range such as ``2.x``, or no version known), it is a notice (FW-API-DEPRECATED), never a warning."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from flux_wiki.engine import build_model
from flux_wiki.flux.served import lowest_version
from tests.simulate.test_flux_instance import instance
from tests.simulate.test_simulate import gotk, ks, write

CRD = """\
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  labels: {app.kubernetes.io/version: v2.8.0}
  name: helmreleases.helm.toolkit.fluxcd.io
spec:
  group: helm.toolkit.fluxcd.io
  names: {kind: HelmRelease, plural: helmreleases}
  scope: Namespaced
  versions:
    - name: v2
      served: true
      storage: true
    - name: v2beta2
      served: %(beta2)s
      storage: false
"""

RELEASE = """\
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata: {name: charts, namespace: apps}
spec: {url: https://charts.example.org}
---
apiVersion: helm.toolkit.fluxcd.io/%(version)s
kind: HelmRelease
metadata: {name: web, namespace: apps}
spec:
  interval: 10m
  chart: {spec: {chart: web, sourceRef: {kind: HelmRepository, name: charts}}}
"""


def gotk_with_crds(beta2: str) -> dict[str, str]:
    files = gotk()
    files["clusters/home/flux-system/gotk-components.yaml"] = CRD % {"beta2": beta2}
    files["clusters/home/flux-system/kustomization.yaml"] = (
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
        "resources: [gotk-components.yaml, gotk-sync.yaml]\n")
    return files


def found(repo: Path) -> list[tuple[str, str, str, int]]:
    [cluster] = build_model(repo).clusters
    return [(d.severity, d.code, d.file, d.line) for d in [*cluster.warnings, *cluster.notices]
            if d.code in ("FW-API-REMOVED", "FW-API-DEPRECATED")]


def test_a_version_the_repositorys_crd_does_not_serve_is_refused(tmp_path: Path) -> None:
    repo = write(tmp_path, {**gotk_with_crds("false"), "clusters/home/apps.yaml": ks("apps", "./apps"),
                            "apps/web.yaml": RELEASE % {"version": "v2beta2"}})
    assert found(repo) == [("warning", "FW-API-REMOVED", "apps/web.yaml", 6)]
    [cluster] = build_model(repo).clusters
    [warning] = [w for w in cluster.warnings if w.code == "FW-API-REMOVED"]
    assert warning.cls == "repo"
    assert "clusters/home/flux-system/gotk-components.yaml:2" in warning.message


def test_the_kustomization_applying_a_refused_version_is_never_ready(tmp_path: Path) -> None:
    repo = write(tmp_path, {**gotk_with_crds("false"), "clusters/home/apps.yaml": ks("apps", "./apps"),
                            "clusters/home/after.yaml": ks("after", "./apps", deps=("apps",)),
                            "apps/web.yaml": RELEASE % {"version": "v2beta2"}})
    model = build_model(repo)
    order = model.facts[model.clusters[0].name].order
    assert {n: (b.cause, b.node, b.file, b.line) for n, b in order.blocked.items()} == {
        "flux-system/apps": ("failed", "flux-system/apps", "apps/web.yaml", 6),
        "flux-system/after": ("failed", "flux-system/apps", "apps/web.yaml", 6)}


def test_a_served_version_is_fine(tmp_path: Path) -> None:
    repo = write(tmp_path, {**gotk_with_crds("true"), "clusters/home/apps.yaml": ks("apps", "./apps"),
                            "apps/web.yaml": RELEASE % {"version": "v2beta2"}})
    assert found(repo) == []


def with_instance(tmp_path: Path, version: str | None, api: str) -> Path:
    text = instance("{kind: GitRepository, url: https://example.com/ops.git, ref: refs/heads/main, "
                    "path: clusters/home/config}")
    if version is None:
        text = text.replace('  distribution: {version: "2.9.x", registry: ghcr.io/fluxcd}\n', "")
    else:
        text = text.replace('"2.9.x"', f'"{version}"')
    return write(tmp_path, {"clusters/home/flux.yaml": text,
                            "clusters/home/config/apps.yaml": ks("apps", "./apps"),
                            "apps/web.yaml": RELEASE % {"version": api}})


@pytest.mark.parametrize("version", ["2.8.x", "2.8.2", ">=2.8.0", "~2.9", "v2.10.1"])
def test_a_flux_instance_that_surely_runs_a_later_flux_refuses_it(tmp_path: Path, version: str) -> None:
    assert found(with_instance(tmp_path, version, "v2beta2")) == [("warning", "FW-API-REMOVED", "apps/web.yaml", 6)]


@pytest.mark.parametrize("version", ["2.x", "2.7.x", "*", ">=2.0.0 <3.0.0", None])
def test_a_flux_that_may_still_serve_it_is_a_notice(tmp_path: Path, version: str | None) -> None:
    assert found(with_instance(tmp_path, version, "v2beta2")) == [("info", "FW-API-DEPRECATED", "apps/web.yaml", 6)]


def test_a_current_version_says_nothing(tmp_path: Path) -> None:
    assert found(with_instance(tmp_path, "2.x", "v2")) == []


def test_a_v1beta1_source_is_gone_since_2_7(tmp_path: Path) -> None:
    repo = with_instance(tmp_path, "2.7.x", "v2")
    (repo / "apps/web.yaml").write_text((repo / "apps/web.yaml").read_text().replace(
        "source.toolkit.fluxcd.io/v1", "source.toolkit.fluxcd.io/v1beta1"))
    assert found(repo) == [("warning", "FW-API-REMOVED", "apps/web.yaml", 1)]


def test_notices_are_one_per_api_version(tmp_path: Path) -> None:
    repo = with_instance(tmp_path, None, "v2beta2")
    (repo / "apps/more.yaml").write_text(textwrap.dedent(RELEASE % {"version": "v2beta2"}).replace("web", "api")
                                         .replace("name: charts", "name: charts2"))
    assert [d[0] for d in found(repo)] == ["info"]


@pytest.mark.parametrize(("constraint", "lowest"), [
    ("2.9.4", (2, 9, 4)), ("v2.8", (2, 8, 0)), ("2.x", (2, 0, 0)), ("*", (0, 0, 0)), ("~2.7", (2, 7, 0)),
    ("^2.8.1", (2, 8, 1)), (">=2.7.0, <2.9.0", (2, 7, 0)), ("2.7.x || 2.8.x", (2, 7, 0)), ("<2.9", (0, 0, 0)),
    ("2.7.0 - 2.9.0", (2, 7, 0)), (">2.7.0", (2, 7, 0)), ("latest", None), ("", None)])
def test_lowest_version(constraint: str, lowest: tuple[int, int, int] | None) -> None:
    assert lowest_version(constraint) == lowest


def test_a_flux_instance_the_tree_applies_says_the_version(tmp_path: Path) -> None:
    """flux-operator takes over a bootstrapped cluster: the FluxInstance a layer applies decides its Flux."""
    flux = textwrap.dedent("""\
        apiVersion: fluxcd.controlplane.io/v1
        kind: FluxInstance
        metadata: {name: flux, namespace: flux-system}
        spec:
          distribution:
            version: "2.8.x"
            registry: ghcr.io/fluxcd
        """)
    repo = write(tmp_path, {**gotk(), "clusters/home/apps.yaml": ks("apps", "./apps"),
                            "clusters/home/flux.yaml": flux, "apps/web.yaml": RELEASE % {"version": "v2beta2"}})
    [cluster] = build_model(repo).clusters
    [warning] = [w for w in cluster.warnings if w.code == "FW-API-REMOVED"]
    assert (warning.file, warning.line) == ("apps/web.yaml", 6)
    assert "clusters/home/flux.yaml:6 asks for Flux '2.8.x'" in warning.message


@pytest.mark.parametrize(("old", "new"), [
    ("helm.toolkit.fluxcd.io/v2", "helm.toolkit.fluxcd.io/v3"),
    ("source.toolkit.fluxcd.io/v1", "source.toolkit.fluxcd.io/v1beta9"),
    ("source.toolkit.fluxcd.io/v1", "source.toolkit.fluxcd.io/v2")])
def test_a_version_no_flux_ever_had_is_refused_whatever_the_flux_version(tmp_path: Path, old: str, new: str) -> None:
    """No Flux release has ``helm.toolkit.fluxcd.io/v3``: the API server has no such kind, whichever Flux runs."""
    repo = with_instance(tmp_path, None, "v2")
    (repo / "apps/web.yaml").write_text((repo / "apps/web.yaml").read_text().replace(old, new))
    line = 6 if new.startswith("helm") else 1
    assert found(repo) == [("warning", "FW-API-REMOVED", "apps/web.yaml", line)]
    [cluster] = build_model(repo).clusters
    [warning] = [w for w in cluster.warnings if w.code == "FW-API-REMOVED"]
    assert f"{new} is no version of the" in warning.message
    assert "no matches for kind" in warning.message


def test_a_flux_kustomization_in_a_version_no_flux_had_is_refused(tmp_path: Path) -> None:
    repo = write(tmp_path, {**gotk(), "clusters/home/apps.yaml": ks("apps", "./apps").replace(
        "kustomize.toolkit.fluxcd.io/v1", "kustomize.toolkit.fluxcd.io/v3"), "apps/.keep": ""})
    assert ("warning", "FW-API-REMOVED", "clusters/home/apps.yaml", 1) in found(repo)


def test_a_version_no_flux_had_in_a_group_flux_wiki_does_not_know_is_left_alone(tmp_path: Path) -> None:
    repo = with_instance(tmp_path, None, "v2")
    (repo / "apps/web.yaml").write_text((repo / "apps/web.yaml").read_text().replace(
        "source.toolkit.fluxcd.io/v1", "source.extensions.fluxcd.io/v9"))
    assert found(repo) == []


@pytest.mark.parametrize(("api", "version", "severity"), [
    ("notification.toolkit.fluxcd.io/v1beta2", "2.9.x", "warning"),
    ("image.toolkit.fluxcd.io/v1beta2", "2.9.x", "warning"),
    ("notification.toolkit.fluxcd.io/v1beta2", "2.8.x", "info"),
    ("notification.toolkit.fluxcd.io/v1beta3", "2.9.x", None),
    ("image.toolkit.fluxcd.io/v1alpha2", "2.x", "warning")])
def test_flux_2_9_removed_the_notification_and_image_v1beta2(tmp_path: Path, api: str, version: str,
                                                             severity: str | None) -> None:
    """Flux v2.9 removed ``notification``/``image`` ``v1beta2`` (flux2#5942: notification-controller#1327,
    image-reflector-controller#896); the alpha versions were gone before Flux v2.0."""
    repo = with_instance(tmp_path, version, "v2")
    kind = "Alert" if api.startswith("notification") else "ImagePolicy"
    (repo / "apps/policy.yaml").write_text(f"apiVersion: {api}\nkind: {kind}\nmetadata: {{name: p, namespace: apps}}\n")
    got = [d for d in found(repo) if d[2] == "apps/policy.yaml"]
    code = "FW-API-REMOVED" if severity == "warning" else "FW-API-DEPRECATED"
    assert got == ([(severity, code, "apps/policy.yaml", 1)] if severity else [])


def test_a_kustomization_in_a_version_no_flux_had_fails_the_one_applying_it(tmp_path: Path) -> None:
    """The server-side apply of the root fails as a whole on a kind the API server does not have: the root is never
    Ready, and the child in ``kustomize.toolkit.fluxcd.io/v3`` is never created, so what waits for it waits too."""
    repo = write(tmp_path, {**gotk(), "clusters/home/apps.yaml": ks("apps", "./apps").replace(
        "kustomize.toolkit.fluxcd.io/v1", "kustomize.toolkit.fluxcd.io/v3"), "apps/.keep": ""})
    model = build_model(repo)
    order = model.facts[model.clusters[0].name].order
    blocked = {n: (b.cause, b.node, b.file, b.line) for n, b in order.blocked.items()}
    assert blocked["flux-system/flux-system"] == ("failed", "flux-system/flux-system", "clusters/home/apps.yaml", 1)
    assert blocked["flux-system/apps"][:2] == ("failed", "flux-system/flux-system")
