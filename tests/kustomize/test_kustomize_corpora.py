"""Every folder with a kustomization file in the real corpora: native build == kubectl kustomize (the same objects,
in the same order, field for field)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from flux_wiki.flux.kustomize import build_kustomize_dir
from flux_wiki.load import Repo
from flux_wiki.model import InputError

from .kustomize_kubectl import KUBECTL, ident, kubectl_build
from ..support import CORPORA

NAMES = sorted(p.name for p in CORPORA.iterdir() if p.is_dir()) if CORPORA.is_dir() else []
KFILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
# Folders whose objects differ only where YAML dialects differ: flux-wiki's loader reads YAML 1.1 (PyYAML), kustomize
# reads with go-yaml v3. A folder listed here that starts to match fails the test, so the list only shrinks.
_OCTAL = "`0o400`-style octal: an int for go-yaml v3, a string for YAML 1.1"
_FOLDED = "a `>` folded scalar with more-indented lines: go-yaml v3 adds a blank line YAML 1.1/1.2 do not"
YAML_DIALECT = {
    ("Exikle__Artemis-Cluster", "kubernetes/apps/cortex/hermes/app"): _OCTAL,
    ("Exikle__Artemis-Cluster", "kubernetes/apps/security/pocket-id/instance"): _OCTAL,
    ("Exikle__Artemis-Cluster", "kubernetes/apps/security/tinyauth/app"): _OCTAL,
    ("ionfury__homelab", "kubernetes/platform/config/canary-checker"): _FOLDED,
    ("ionfury__homelab", "kubernetes/platform/config/monitoring"): _FOLDED,
    ("onedr0p__home-ops", "kubernetes/apps/o11y/grafana-operator/instance"): _FOLDED,
    ("tyriis__home-ops", "kubernetes/main/apps/gaming/minecraft-java/crowlex-lobby-world"): _FOLDED,
}


def _normal(objs: list[dict]) -> list[dict]:
    return list(yaml.safe_load_all(yaml.safe_dump_all(objs)))


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
            if native.remote:
                excluded.append(f"{d}: remote resource (not fetched)")
            else:
                problems.append(f"{d}: native builds, kubectl fails: {kerr[-160:]}")
            continue
        compared += 1
        got = [ident(r.obj) for r in native.resources]
        want = [ident(o) for o in expected]
        if got != want:
            problems.append(f"{d}: native-only {sorted(set(got) - set(want))[:3]} "
                            f"kubectl-only {sorted(set(want) - set(got))[:3]}"
                            + (" (same objects, other order)" if set(got) == set(want) else ""))
            continue
        encrypted = {ident(r.obj) for r in native.resources if r.encrypted}  # SOPS payloads are redacted
        differ = [ident(a) for a, b in zip(_normal([r.obj for r in native.resources]), _normal(expected))
                  if a != b and ident(a) not in encrypted]
        dialect = YAML_DIALECT.get((corpus, d))
        if differ and not dialect:
            problems.append(f"{d}: {len(differ)} objects differ from kubectl's, the first {differ[0]}")
        elif dialect and not differ:
            problems.append(f"{d}: listed in YAML_DIALECT but now identical to kubectl's: remove it")
        elif dialect:
            excluded.append(f"{d}: objects differ by YAML dialect ({dialect})")
    summary = f"{corpus}: {len(dirs)} folders, {compared} compared, {len(excluded)} excluded, {len(problems)} mismatches"
    print(summary, *("  excluded " + e for e in excluded), sep="\n")
    record_property("kustomize_corpus", summary)
    assert compared > 0
    assert not problems, "\n".join(problems)
