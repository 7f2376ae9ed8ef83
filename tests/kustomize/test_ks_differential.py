"""Every Flux Kustomization the simulation reaches builds natively as `kubectl kustomize` builds it.

For each corpus the tree is simulated from its entry point; for every KS built from the repo, the
kustomization Flux would write into its folder (generated when missing, the KS's own targetNamespace,
patches, images, components merged in place) is written into a scratch copy and given to kubectl.
Where kubectl succeeds, the set of (apiVersion, kind, namespace, name) must equal the native build's.
"""

from __future__ import annotations

import posixpath
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from flux_wiki.engine import build_model
from flux_wiki.flux.kustomize import build_flux_path, flux_kustomization
from flux_wiki.load import Repo

from .kustomize_kubectl import KUBECTL, KubectlLoader, ident
from ..support import CORPORA

NAMES = ["tazlab-k8s", "onedr0p__home-ops", "bjw-s-labs__home-ops", "toboshii__home-ops",
         "fluxcd__flux2-kustomize-helm-example", "fluxcd__flux2-multi-tenancy"]

pytestmark = [pytest.mark.corpora, pytest.mark.kubectl]


def _kubectl_ids(copy: Path, kfile: str, content: dict) -> tuple[set | None, str]:
    target = copy / kfile
    original = target.read_bytes() if target.exists() else None
    target.write_text(yaml.safe_dump(content, sort_keys=False))
    try:
        proc = subprocess.run([KUBECTL, "kustomize", "--load-restrictor", "LoadRestrictionsNone", str(target.parent)],
                              capture_output=True, text=True, timeout=120)
    finally:
        if original is None:
            target.unlink()
        else:
            target.write_bytes(original)
    if proc.returncode != 0:
        return None, proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "kubectl failed"
    return {ident(o) for o in yaml.load_all(proc.stdout, Loader=KubectlLoader) if isinstance(o, dict)}, ""


@pytest.mark.parametrize("name", NAMES)
def test_every_reached_kustomization_matches_kubectl(name: str) -> None:
    corpus = CORPORA / name
    if not corpus.is_dir():
        pytest.skip(f"corpus {name} not present")
    if KUBECTL is None:
        pytest.skip("kubectl not installed")
    model = build_model(corpus)
    repo = Repo(corpus)
    jobs = []
    excluded: list[str] = []
    for cluster in model.clusters:
        # a source read from a folder of the repository (an ArtifactGenerator's copies): its paths start there
        folders = {(s.kind, s.namespace, s.name): d.shown for s, d in cluster.source_dirs}
        for node in sorted(cluster.kustomizations.values(), key=lambda k: k.id):
            if node.status != "built":
                excluded.append(f"{cluster.name}:{node.id}: {node.status}: {node.reason}")
                continue
            overrides = node.flux_spec.overrides
            folder = folders.get((node.source.kind, node.source.namespace, node.source.name)) if node.source else None
            path = posixpath.normpath(posixpath.join(folder, node.path or "./")) if folder else node.path or "./"
            native = {ident(r.obj) for r in build_flux_path(repo, path, overrides).resources}
            kfile, content = flux_kustomization(repo, path, overrides)
            jobs.append((f"{cluster.name}:{node.id}", kfile, content, native))
    with tempfile.TemporaryDirectory() as tmp:
        copies = []
        for i in range(2):
            copies.append(Path(tmp) / f"copy{i}")
            shutil.copytree(corpus, copies[-1], symlinks=True)

        def run(index_job):
            index, (label, kfile, content, native) = index_job
            return label, native, *_kubectl_ids(copies[index % 2], kfile, content)

        by_copy = [[j for i, j in enumerate(jobs) if i % 2 == c] for c in range(2)]
        with ThreadPoolExecutor(2) as pool:
            results = [r for rs in pool.map(lambda c: [run((c, j)) for j in by_copy[c]], range(2)) for r in rs]
    compared, mismatches = 0, []
    for label, native, theirs, error in results:
        if theirs is None:
            excluded.append(f"{label}: kubectl cannot build it: {error}")
            continue
        compared += 1
        if native != theirs:
            mismatches.append(f"{label}: only native {sorted(native - theirs)[:5]}, only kubectl {sorted(theirs - native)[:5]}")
    print(f"\n{name}: {compared} Kustomizations compared, {len(excluded)} excluded")
    for line in excluded:
        print("  excluded", line)
    assert not mismatches, "\n".join(mismatches)
    assert compared > 0
