"""Every folder with a kustomization file in the real corpora: native build == kubectl kustomize."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from flux_wiki.flux.kustomize import build_kustomize_dir
from flux_wiki.load import Repo
from flux_wiki.model import InputError

from .kustomize_kubectl import KUBECTL, ident, kubectl_build
from ..support import CORPORA

NAMES = sorted(p.name for p in CORPORA.iterdir() if p.is_dir()) if CORPORA.is_dir() else []
KFILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")


def _kustomize_dirs(root: Path) -> list[str]:
    found = {p.parent.relative_to(root).as_posix() for n in KFILES for p in root.rglob(n)}
    return sorted(d for d in found if ".git" not in d.split("/"))


@pytest.mark.corpora
@pytest.mark.kubectl
@pytest.mark.skipif(not NAMES, reason="../shared/corpora absent")
@pytest.mark.skipif(KUBECTL is None, reason="kubectl not installed")
@pytest.mark.parametrize("corpus", NAMES)
def test_corpus_matches_kubectl(corpus: str, record_property) -> None:
    root = (CORPORA / corpus).resolve()
    repo = Repo(root)
    dirs = _kustomize_dirs(root)
    with ThreadPoolExecutor(max_workers=2) as pool:
        refs = list(pool.map(lambda d: kubectl_build(str(root / d)), dirs))
    compared, excluded, problems = 0, [], []
    for d, (expected, kerr) in zip(dirs, refs):
        try:
            native = build_kustomize_dir(repo, d)
        except InputError as err:
            if expected is None:
                excluded.append(f"{d}: both fail (kubectl: {kerr[-120:]})")
            elif err.message.startswith("invalid YAML"):
                excluded.append(f"{d}: YAML the loader cannot read yet ({err})")
            else:
                problems.append(f"{d}: native fails, kubectl builds: {err}")
            continue
        if expected is None:
            reason = "remote resource (not fetched)" if native.remote else f"kubectl fails: {kerr[-160:]}"
            excluded.append(f"{d}: {reason}")
            continue
        compared += 1
        got = {ident(r.obj) for r in native.resources}
        want = {ident(o) for o in expected}
        if got != want:
            problems.append(f"{d}: native-only {sorted(got - want)[:3]} kubectl-only {sorted(want - got)[:3]}")
    summary = f"{corpus}: {len(dirs)} folders, {compared} compared, {len(excluded)} excluded, {len(problems)} mismatches"
    print(summary, *("  excluded " + e for e in excluded), sep="\n")
    record_property("kustomize_corpus", summary)
    assert compared > 0
    assert not problems, "\n".join(problems)
