"""The one engine both front ends call: repo folder in, simulated and analysed clusters out."""

from __future__ import annotations

import copy
import functools
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from .analysis.applied_twice import applied_twice
from .analysis.dag import apply_exclusions, apply_order
from .analysis.facts import ClusterFacts
from .analysis.surfaces import DefaultIssuer, default_issuer, extract_surfaces
from .flux.entry import explicit_entry, find_entries
from .flux.simulate import foreign_roots, simulate
from .flux.source_dirs import SourceDirs, ci_pushes
from .load import ParseCache, Repo
from .load.yamldocs import field_line
from .model import Cluster, Diagnostic, HelmReleaseInfo, InputError, KustomizationNode, Model, Resource, Surface
from .problems import settle_references

if TYPE_CHECKING:
    from .flux.bootstrap_commands import TerraformManifest


class UnknownCluster(ValueError):
    """A cluster was asked for by name and the repo has none by that name."""


def build_model(repo_root: str | Path | Repo, *, clusters: list[str] | None = None, entry: str | None = None,
                exclude: list[str] | None = None, cache: ParseCache | None = None,
                sources: dict[str, Path] | None = None) -> Model:
    """Load, simulate and analyse ``repo_root``.

    ``clusters`` keeps only the named clusters; ``entry`` (a repo-relative path) overrides detection
    with a root Kustomization at that path; ``exclude`` names Kustomizations (id or name) the pages leave out;
    ``sources`` maps sources outside the repository (``Kind/namespace/name`` or URL) to local folders.
    A :class:`Repo` may be given instead of a folder (``cache`` is then its own), so that a caller reading the
    repository again afterwards (the doctor's bootstrap scan) sees the same snapshot without walking it twice.
    """
    repo = repo_root if isinstance(repo_root, Repo) else Repo(repo_root, cache)
    # what the stages of this run remember for later ones (entry detection's object store finds the unlisted files
    # the clusters' stores use) and the clusters for each other; forgotten however the run ends
    repo.run_memo = {}
    try:
        return _simulate_and_analyse(repo, clusters, entry, exclude, sources)
    finally:
        repo.builds = repo.run_memo = None


def _simulate_and_analyse(repo: Repo, clusters: list[str] | None, entry: str | None, exclude: list[str] | None,
                          sources: dict[str, Path] | None) -> Model:
    if entry:
        entries, diagnostics = [explicit_entry(repo, entry, clusters[0] if clusters else None)], []
        every = entries
    else:
        entries, diagnostics = find_entries(repo)
        every = list(entries)
        if clusters:
            unknown = sorted(set(clusters) - {e.cluster for e in entries})
            if unknown:
                found = ", ".join(e.cluster for e in entries) or "none"
                raise UnknownCluster(f"no cluster named {', '.join(unknown)} in {repo.root} (found: {found})")
            entries = [e for e in entries if e.cluster in clusters]
    refused = [d for d in diagnostics if d.code == "FW-ENTRY-INVALID"]
    if not entries and refused:
        more = f" (and {len(refused) - 1} more)" if len(refused) > 1 else ""
        diagnostics.append(Diagnostic(".", 1, "no Flux entry point the API server accepts: the one at "
                                           f"{refused[0].file}:{refused[0].line}{more} is refused (FW-ENTRY-INVALID); "
                                           "fix it, or set `entry` to a path", code="FW-ENTRY-NONE"))
    elif not entries:
        diagnostics.append(Diagnostic(".", 1, "no Flux entry point found (flux-system/gotk-sync.yaml, "
                                           "FluxInstance, flux-instance HelmRelease, a `flux bootstrap`/`flux "
                                           "create kustomization flux-system` command in a script, CI workflow, "
                                           "README or Terraform, or a folder of Flux Kustomizations that builds and "
                                           "nothing applies); set `entry` to a path", code="FW-ENTRY-NONE"))
    out: list[Cluster] = []
    facts: dict[str, ClusterFacts] = {}
    source_dirs = SourceDirs(sources, repo.root, ci_pushes(repo.files))

    # the line of each field asked for: a repository's files are one snapshot for the run, and clusters, a ResourceSet's
    # inputs and the HelmReleases of one chart ask for the same fields again
    lines: dict[tuple[str, int, tuple[str | int, ...]], int] = {}

    def line_of(file: str, line: int, path: tuple[str | int, ...]) -> int:
        key = (file, line, path)
        found = lines.get(key)
        if found is None:
            try:
                found = field_line(repo.read_text(file), line, path)
            except InputError:
                found = line
            lines[key] = found
        return found

    repo.builds = {} if len(entries) > 1 else None  # clusters of one repository share most builds (reuse.py)
    shared: dict[str, SurfacesOf] | None = {} if len(entries) > 1 else None  # and many layers' objects
    terraform = functools.cache(lambda: _terraform_kustomizations(repo))  # read only for a dangling dependsOn
    for e in entries:
        cluster = simulate(repo, e, source_dirs, foreign_roots(e, every))
        order = apply_order(cluster, repo.read_text, terraform)
        settle_references(cluster)
        apply_exclusions(cluster, list(exclude or []))
        cluster.warnings.extend(applied_twice(cluster, order))
        releases: dict[str, list[HelmReleaseInfo]] = defaultdict(list)
        for h in cluster.helm_releases:
            releases[h.layer].append(h)
        issuer = default_issuer(cluster.helm_releases, line_of)
        for node in sorted(cluster.kustomizations.values(), key=lambda k: k.id):
            surfaces, diags = surfaces_reusing(repo, node, releases.get(node.id, []), line_of, shared, issuer)
            cluster.surfaces.extend(surfaces)
            cluster.warnings.extend(diags)
        cluster.surfaces.sort(key=lambda s: s.sort_key())
        facts[cluster.name] = ClusterFacts(cluster, order)
        cluster.warnings.extend(facts[cluster.name].duplicate_claims)
        cluster.notices = sorted({w for w in cluster.warnings if w.severity == "info"})
        cluster.warnings = sorted({w for w in cluster.warnings if w.severity != "info"})
        out.append(cluster)
    return Model(repo.root, out, sorted(set(diagnostics + repo.problems)), set(repo.read), facts)


def _terraform_kustomizations(repo: Repo) -> dict[str, TerraformManifest]:
    from .flux.bootstrap_commands import terraform_kustomizations  # its patterns load only for a dangling dependsOn

    return terraform_kustomizations(repo)


MAX_KEPT_SURFACES = 20_000  # layers whose surfaces a parse cache keeps (oldest forgotten first)

# a layer's objects, HelmReleases and cert-manager default issuer, and the surfaces and diagnostics extracted from them
SurfacesOf = tuple[list[Resource], list[HelmReleaseInfo], DefaultIssuer | None, list[Surface], list[Diagnostic]]


def surfaces_reusing(repo: Repo, node: KustomizationNode, releases: list[HelmReleaseInfo],
                     line_of: Callable[[str, int, tuple[str | int, ...]], int],
                     shared: dict[str, SurfacesOf] | None = None, issuer: DefaultIssuer | None = None,
                     ) -> tuple[list[Surface], list[Diagnostic]]:
    """:func:`extract_surfaces` of one Kustomization, reused from an earlier run on the same parse cache when its
    inputs are unchanged (``mkdocs serve`` rebuilds: ``keep_builds``), or from another cluster of this run.

    The result is a function of the node's id, its objects, its HelmReleases, the cluster's cert-manager default
    issuer (``issuer``) and the text of the files ``line_of`` reads (values lines): the first four are compared by
    their :func:`fingerprint`, the files by their bytes in this snapshot. Within one run (``shared``, by node id)
    the snapshot is the same, so a layer of another cluster whose objects, HelmReleases and default issuer are
    equal (``==``; objects a build shares are the very same) has the same surfaces. Counted in
    ``repo.cache.counts`` (``surfaces extracted`` and ``surfaces reused``)."""
    counts = repo.cache.counts
    if not repo.cache.keep_builds:
        same = shared.get(node.id) if shared is not None else None
        if same is not None and same[0] == node.resources and same[1] == releases and same[2] == issuer:
            counts["surfaces reused"] += 1
            return [copy.copy(s) for s in same[3]], list(same[4])
        counts["surfaces extracted"] += 1
        surfaces, diags = extract_surfaces(node.id, node.resources, releases, line_of, issuer)
        if shared is not None:
            shared[node.id] = (node.resources, releases, issuer, [copy.copy(s) for s in surfaces], list(diags))
        return surfaces, diags
    from .fingerprint import fingerprint  # only rebuilds compare fingerprints: a single run never loads pickle

    kept: dict[bytes, tuple[dict[str, bytes | None], list[Surface], list[Diagnostic]]] = \
        repo.cache.derived.setdefault("surfaces", {})
    key = fingerprint((node.id, node.resources, releases, issuer))
    found = kept.get(key) if key is not None else None
    if found is not None and all(_bytes_of(repo, file) == data for file, data in found[0].items()):
        counts["surfaces reused"] += 1
        return [copy.copy(s) for s in found[1]], list(found[2])
    texts: dict[str, bytes | None] = {}

    def recorded(file: str, line: int, path: tuple[str, ...]) -> int:
        texts.setdefault(file, _bytes_of(repo, file))
        return line_of(file, line, path)

    surfaces, diags = extract_surfaces(node.id, node.resources, releases, recorded, issuer)
    counts["surfaces extracted"] += 1
    if key is None:
        return surfaces, diags
    kept.pop(key, None)
    kept[key] = (texts, [copy.copy(s) for s in surfaces], list(diags))
    while len(kept) > MAX_KEPT_SURFACES:
        del kept[next(iter(kept))]
    return surfaces, diags


def _bytes_of(repo: Repo, file: str) -> bytes | None:
    """A file's bytes in this snapshot (read as ``line_of`` reads it, so it counts as read), None if refused."""
    try:
        return repo.read_bytes(file)
    except InputError:
        return None
