"""Fixture repos for the doctor: a bootstrap entry point and one folder per layer, written into tmp_path.

``doctor_repo(layers, notes=...)`` writes the repo and returns the DoctorReport of its one cluster.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from flux_wiki.doctor.bootstrap import bootstrap_releases
from flux_wiki.doctor.diagnosis import DoctorReport, diagnose
from flux_wiki.engine import build_model
from flux_wiki.load import Repo
from flux_wiki.load.authored import load_notes


SYNC = """\
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: flux-system, namespace: flux-system}
spec: {interval: 1m, ref: {branch: main}, url: https://example.com/repo}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: flux-system, namespace: flux-system}
spec: {interval: 10m, path: ./clusters/test, prune: true, sourceRef: {kind: GitRepository, name: flux-system}}
"""


def layer(name: str, objects: str, deps: tuple[str, ...] = (), spec: str = "") -> dict[str, str]:
    """A Flux Kustomization ``name`` (in clusters/test/) applying ``objects`` (from layers/<name>/)."""
    depends = "".join(f"\n    - name: {d}" for d in deps)
    extra = textwrap.indent(textwrap.dedent(spec).strip("\n"), "  ") if spec.strip() else ""
    ks = (f"apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: {name}\n"
          f"  namespace: flux-system\nspec:\n  interval: 10m\n  path: ./layers/{name}\n  prune: true\n"
          f"  sourceRef: {{kind: GitRepository, name: flux-system}}\n"
          + (f"  dependsOn:{depends}\n" if deps else "") + (extra + "\n" if extra else ""))
    return {f"clusters/test/{name}.yaml": ks, f"layers/{name}/objects.yaml": textwrap.dedent(objects).strip() + "\n"}


def namespace(name: str) -> str:
    return f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n---\n"


def helmrelease(name: str, ns: str, chart: str, values: str = "{}", repo: str = "charts", extra: str = "") -> str:
    """A HelmRepository (flux-system/<repo>) and a HelmRelease of ``chart`` from it."""
    return textwrap.dedent(f"""\
        apiVersion: source.toolkit.fluxcd.io/v1
        kind: HelmRepository
        metadata: {{name: {repo}, namespace: flux-system}}
        spec: {{interval: 1h, url: https://charts.example.com}}
        ---
        apiVersion: helm.toolkit.fluxcd.io/v2
        kind: HelmRelease
        metadata: {{name: {name}, namespace: {ns}}}
        spec:
          interval: 1h
          chart: {{spec: {{chart: {chart}, sourceRef: {{kind: HelmRepository, name: {repo}, namespace: flux-system}}}}}}
          values: {values}
        """) + (textwrap.indent(textwrap.dedent(extra).strip("\n"), "  ") + "\n" if extra.strip() else "") + "---\n"


CERT_MANAGER = namespace("cert-manager") + helmrelease("cert-manager", "cert-manager", "cert-manager",
                                                       "{crds: {enabled: true}}")
CERTIFICATE = """\
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: web, namespace: default}
spec: {secretName: web-tls, issuerRef: {kind: ClusterIssuer, name: letsencrypt}, dnsNames: [example.com]}
"""


def write_repo(root: Path, *layers: dict[str, str], extra: dict[str, str] | None = None) -> Path:
    files = {"clusters/test/flux-system/gotk-sync.yaml": SYNC}
    for part in layers:
        files.update(part)
    files.update(extra or {})
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


@pytest.fixture
def doctor_repo(tmp_path: Path) -> Callable[..., DoctorReport]:
    def run(*layers: dict[str, str], notes: str | None = None, extra: dict[str, str] | None = None) -> DoctorReport:
        root = write_repo(tmp_path / "repo", *layers, extra=extra)
        cluster_notes = None
        if notes is not None:
            (tmp_path / "notes.yaml").write_text(textwrap.dedent(notes))
            loaded, problems = load_notes(tmp_path / "notes.yaml")
            assert not problems
            cluster_notes = loaded.get("test")
        [cluster] = build_model(root).clusters
        return diagnose(cluster, notes=cluster_notes, bootstrap=bootstrap_releases(Repo(root)))
    return run
