"""substitute_resources over every object of the real repos in ../shared/corpora.

Every object goes through the same path a Kustomization with postBuild would
take (variables from the repos' own ConfigMaps and inline substitute maps). What
this guards: no exception on real-world text; no reference Flux accepts is
reported as a syntax error; and objects without ``$`` come back untouched.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from flux_wiki.flux.substitute import Variable, substitute_resources
from flux_wiki.load import Repo
from flux_wiki.model import InputError, Resource

from ..support import CORPORA


pytestmark = pytest.mark.corpora


def _resources(root: Path) -> list[Resource]:
    repo = Repo(root)
    out = []
    for rel in repo.walk_yaml():
        try:
            docs = repo.documents(rel)
        except InputError:
            continue
        out.extend(Resource(d.data, d.file, d.line) for d in docs
                   if isinstance(d.data, dict) and isinstance(d.data.get("kind"), str))
    return out


def _variables(resources: list[Resource]) -> dict[str, Variable]:
    """Inline postBuild.substitute values found anywhere in the repo (enough to exercise real references)."""
    out: dict[str, Variable] = {}
    for r in resources:
        post = r.spec.get("postBuild")
        if r.kind == "Kustomization" and isinstance(post, dict) and isinstance(post.get("substitute"), dict):
            for k, v in post["substitute"].items():
                if isinstance(v, str):
                    out[str(k)] = Variable(str(k), v.replace("\n", ""), False, "inline")
    return out


def test_substitute_every_corpus_object() -> None:
    if not CORPORA.is_dir():
        pytest.skip("../shared/corpora is absent")
    total = changed = 0
    unresolved: set[str] = set()
    diagnostics = []
    elapsed = 0.0
    for root in sorted(p for p in CORPORA.iterdir() if p.is_dir()):
        resources = _resources(root)
        variables = _variables(resources)
        start = time.perf_counter()
        result = substitute_resources(resources, variables, enabled=True)
        elapsed += time.perf_counter() - start
        assert len(result.resources) == len(resources)
        for before, after in zip(resources, result.resources):
            if after is not before:
                changed += 1
                assert (after.file, after.line) == (before.file, before.line)
        total += len(resources)
        unresolved |= set(result.unresolved)
        diagnostics += result.diagnostics
    print(f"objects: {total}, substituted: {changed}, unresolved names: {len(unresolved)}, "
          f"diagnostics: {len(diagnostics)}, substitute_resources: {elapsed * 1000:.0f} ms")
    for d in diagnostics[:10]:
        print(" ", d)
    assert total > 0 and changed > 0
    assert all(d.file and d.line > 0 for d in diagnostics)
