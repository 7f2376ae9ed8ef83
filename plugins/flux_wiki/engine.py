"""The one engine both front ends call: repo folder in, simulated and analysed clusters out."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from .analysis.dag import apply_exclusions, apply_order
from .analysis.facts import ClusterFacts
from .analysis.surfaces import extract_surfaces
from .flux.entry import explicit_entry, find_entries
from .flux.simulate import simulate
from .flux.source_dirs import SourceDirs, ci_pushes
from .load import ParseCache, Repo
from .load.yamldocs import field_line
from .model import Cluster, Diagnostic, HelmReleaseInfo, InputError, Model
from .problems import settle_references


class UnknownCluster(ValueError):
    """A cluster was asked for by name and the repo has none by that name."""


def build_model(repo_root: str | Path, *, clusters: list[str] | None = None, entry: str | None = None,
                exclude: list[str] | None = None, cache: ParseCache | None = None,
                sources: dict[str, Path] | None = None) -> Model:
    """Load, simulate and analyse ``repo_root``.

    ``clusters`` keeps only the named clusters; ``entry`` (a repo-relative path) overrides detection
    with a root Kustomization at that path; ``exclude`` names Kustomizations (id or name) the pages leave out;
    ``sources`` maps sources outside the repository (``Kind/namespace/name`` or URL) to local folders.
    """
    repo = Repo(repo_root, cache)
    if entry:
        entries, diagnostics = [explicit_entry(repo, entry, clusters[0] if clusters else None)], []
    else:
        entries, diagnostics = find_entries(repo)
        if clusters:
            unknown = sorted(set(clusters) - {e.cluster for e in entries})
            if unknown:
                found = ", ".join(e.cluster for e in entries) or "none"
                raise UnknownCluster(f"no cluster named {', '.join(unknown)} in {repo.root} (found: {found})")
            entries = [e for e in entries if e.cluster in clusters]
    if not entries:
        diagnostics.append(Diagnostic(".", 1, "no Flux entry point found (flux-system/gotk-sync.yaml, "
                                           "FluxInstance or flux-instance HelmRelease); set `entry` to a path",
                                      code="FW-ENTRY-NONE"))
    out: list[Cluster] = []
    facts: dict[str, ClusterFacts] = {}
    source_dirs = SourceDirs(sources, repo.root, ci_pushes(repo.files))

    def line_of(file: str, line: int, path: tuple[str, ...]) -> int:
        try:
            return field_line(repo.read_text(file), line, path)
        except InputError:
            return line

    for e in entries:
        cluster = simulate(repo, e, source_dirs)
        order = apply_order(cluster, repo.read_text)
        settle_references(cluster)
        apply_exclusions(cluster, list(exclude or []))
        releases: dict[str, list[HelmReleaseInfo]] = defaultdict(list)
        for h in cluster.helm_releases:
            releases[h.layer].append(h)
        for node in sorted(cluster.kustomizations.values(), key=lambda k: k.id):
            surfaces, diags = extract_surfaces(node.id, node.resources, releases.get(node.id, []), line_of)
            cluster.surfaces.extend(surfaces)
            cluster.warnings.extend(diags)
        cluster.surfaces.sort(key=lambda s: s.sort_key())
        facts[cluster.name] = ClusterFacts(cluster, order)
        cluster.warnings.extend(facts[cluster.name].duplicate_claims)
        cluster.notices = sorted({w for w in cluster.warnings if w.severity == "info"})
        cluster.warnings = sorted({w for w in cluster.warnings if w.severity != "info"})
        out.append(cluster)
    return Model(repo.root, out, sorted(set(diagnostics + repo.problems)), set(repo.read), facts)
