"""The doctor on every repository of ../shared/corpora: it runs, every finding points at a file of the
repository, and the counts per code are printed (pytest -s) for the issue note."""

from __future__ import annotations

import collections

import pytest

from flux_wiki.doctor.bootstrap import bootstrap_releases
from flux_wiki.doctor.diagnosis import diagnose
from flux_wiki.engine import build_model
from flux_wiki.flux.entry import explicit_entry
from flux_wiki.flux.simulate import simulate
from flux_wiki.load import Repo

from ..support import CORPORA, corpus

# Corpora whose entry point is not in the repository (see ../shared/corpora/README.md): path, sync kind.
BY_HAND = {"ionfury__homelab": ("kubernetes/clusters/live", "OCIRepository"),
           "giantswarm__gitops-template": ("management-clusters/MC_NAME", None)}
NAMES = sorted(p.name for p in CORPORA.iterdir() if p.is_dir()) if CORPORA.is_dir() else []


def _clusters(name: str):
    root = corpus(name)
    if name not in BY_HAND:
        return build_model(root).clusters
    path, kind = BY_HAND[name]
    repo = Repo(root)
    entry = explicit_entry(repo, path)
    if kind:
        entry.source.kind = kind
        entry.root_spec["sourceRef"]["kind"] = kind
    return [simulate(repo, entry)]


@pytest.mark.corpora
@pytest.mark.parametrize("name", NAMES)
def test_doctor_on_corpus(name: str) -> None:
    root = corpus(name)
    early = bootstrap_releases(Repo(root))
    for cluster in _clusters(name):
        report = diagnose(cluster, bootstrap=early)
        counts = collections.Counter(f"{f.code}/{f.severity}" for f in report.findings)
        explained = sum(1 for e in report.edges if e.evidence or e.rationale)
        print(f"{name} [{cluster.name}]: {len(report.edges)} dependsOn edges, {explained} with evidence; "
              f"{dict(sorted(counts.items())) or 'no findings'}")
        for f in report.findings:
            assert (root / f.file).is_file(), f
            assert f.line >= 1 and f.layer in cluster.kustomizations
        for edge in report.edges:
            for e in edge.evidence:
                assert (root / e.provider.file).is_file() and (root / e.consumer.file).is_file()
