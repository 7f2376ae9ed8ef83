"""Kustomize builds reused across runs that share a parse cache (``mkdocs serve`` rebuilds, revisions).

A build is a function of what it asks of the repository: paths and what they are, folder listings, file
contents, what the artifact leaves out. Each build is recorded (:meth:`ConfinedDir.recording`) and kept with
its result, keyed by the Kustomization's path, its own spec fields and the source's ignore rules. The next
run asks the same questions of its snapshot; when every answer is the same, the result is the same, and it is
reused instead of building again. A build that fails is never kept.

Within one run the snapshot does not change, so the same key builds the same result: a run that simulates
several clusters (``Repo.builds``) hands the next cluster the objects a build an earlier one made, no questions
asked (clusters of one repository share most of their paths). Neither way are the objects' mappings copied:
no later stage changes one in place (substitution makes new ones, :meth:`ScopeIndex.apply` gives the Resource a
new one; ``tests/simulate/test_shared_objects.py`` runs whole models, and serve's rebuilds, on frozen builds and
frozen substitution results to keep it so). Each caller gets lists and Resources of its own (:func:`_lists_of`).
"""

from __future__ import annotations

from typing import Any

from ...load import Repo
from ..objects import FluxOverrides
from .build import BuildResult, Includes, build_flux_path

MAX_KEPT = 5_000  # builds kept per parse cache (oldest forgotten first)


def build_reusing(repo: Repo, path: str, overrides: FluxOverrides | None = None,
                  includes: Includes = ()) -> BuildResult:
    """:func:`build_flux_path`, reusing a kept build whose every input is unchanged.

    ``repo.cache.counts`` counts ``kustomize builds`` (done) and ``kustomize reused``. Builds are kept across
    runs only on a cache that asks for it (``keep_builds``: ``mkdocs serve``, where the next rebuild reuses them),
    and within a run while ``repo.builds`` is set (several clusters).
    """
    # not the root: every answer is root-relative, so two checkouts (diff's revisions) share what is the same
    key = (repo.ignore_spec, path, repr(overrides), includes)
    if not repo.cache.keep_builds:
        if repo.builds is None:
            repo.cache.counts["kustomize builds"] += 1
            return build_flux_path(repo, path, overrides, includes)
        return _built_once(repo, key, path, overrides, includes)
    kept: dict[Any, Any] = repo.cache.derived.setdefault("kustomize", {})
    found = kept.get(key)
    if found is not None:
        record, result = found
        if repo.answers(record):
            repo.cache.counts["kustomize reused"] += 1
            return _lists_of(result)
    with repo.files.recording() as record:
        result = build_flux_path(repo, path, overrides, includes)
    repo.cache.counts["kustomize builds"] += 1
    kept.pop(key, None)
    kept[key] = (record, result)
    while len(kept) > MAX_KEPT:
        del kept[next(iter(kept))]
    return _lists_of(result)


def _built_once(repo: Repo, key: tuple[str | None, str, str, Includes], path: str,
                overrides: FluxOverrides | None, includes: Includes) -> BuildResult:
    """A build of this snapshot made once per run: the same key in the same snapshot builds the same result.
    Each caller gets lists and Resources of its own holding the build's mappings themselves (see the module's
    docstring)."""
    assert repo.builds is not None
    found = repo.builds.get(key)
    if isinstance(found, BuildResult):
        repo.cache.counts["kustomize reused"] += 1
        return _lists_of(found)
    result = build_flux_path(repo, path, overrides, includes)
    repo.cache.counts["kustomize builds"] += 1
    repo.builds[key] = result
    return _lists_of(result)


def _lists_of(result: BuildResult) -> BuildResult:
    """The build with lists and Resources of its own (a later stage may give a Resource another mapping), holding
    the very mappings the build made."""
    return result.replace(resources=[r.replace() for r in result.resources], files=list(result.files),
                          remote=list(result.remote), helm_charts=list(result.helm_charts),
                          diagnostics=list(result.diagnostics))
