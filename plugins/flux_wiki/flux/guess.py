"""The root folders of a repository whose Flux entry point is not in it (bootstrapped by Terraform in another
repository, Talos, helmfile, a manual ``kubectl apply``), found as a person reading it would.

Read only when nothing else names an entry point (no bootstrap manifest, FluxInstance, flux-instance release or
bootstrap command). Flux's repository guide puts each cluster in a folder of its own that references the rest
(``clusters/production`` holding the Kustomizations of ``infrastructure/`` and ``apps/``), so a root is:

* a folder whose build (as kustomize-controller builds a ``spec.path``: its kustomization file, else the one it
  generates over the folder's YAML) yields a Flux Kustomization, and that holds one itself or a kustomization
  file, or is named like a cluster's (``clusters/<name>``, ``cluster/<name>``, ``management-clusters/<name>``);
* inside no ``spec.path`` of a Flux Kustomization of the repository (but its own: the root Kustomization that
  applies the folder it is in, as ``flux bootstrap`` writes it);
* whose Kustomizations are not all built by another root too (``clusters/base`` that ``clusters/prod`` and
  ``clusters/staging`` list in ``resources:``, a sub-folder the generated kustomization sweeps in); of two such
  nested folders, one named like a cluster's wins over one that is not.

Each root is a cluster named by its folder. Its root Kustomization is the repository's own when one in the
folder syncs the folder itself, else one flux-wiki writes, syncing from the source most of the folder's
Kustomizations name and nothing in it declares (what the bootstrap made). A folder whose build fails is not taken
(the bootstrap may add what it misses); a notice says so. Bounded: at most ``_MAX_FOLDERS`` folders are built.
"""

from __future__ import annotations

from collections import Counter
from pathlib import PurePosixPath

from ..load import Repo
from ..load.yamldocs import copy_data
from ..model import FLUX_KUSTOMIZE_GROUP, Diagnostic, InputError, Resource, SourceInfo, slots_repr
from .entry import GENERIC_DIRS
from .kustomize import build_flux_path, flux_path
from .sources import git_includes

_MAX_FOLDERS = 200  # folders built, the likeliest first
_CLUSTER_PARENTS = {"clusters", "cluster", "management-clusters"}
_NOT_CLUSTERS = GENERIC_DIRS | {"bases", "common", "shared", "templates", "template"}  # clusters/base is no cluster
_KUSTOMIZATION_FILES = {"kustomization.yaml", "kustomization.yml"}  # the YAML walk lists no `Kustomization` file
_SOURCE_KINDS = ("GitRepository", "OCIRepository", "Bucket")
_FLUX_GROUP = FLUX_KUSTOMIZE_GROUP.encode()


class Root:
    """A folder taken for a cluster's root, with its root Kustomization and source."""

    __slots__ = ("folder", "name", "namespace", "spec", "source", "file", "line", "self_applied")

    def __init__(self, folder: str, name: str, namespace: str, spec: dict, source: SourceInfo, file: str, line: int,
                 self_applied: bool) -> None:
        self.folder = folder
        self.name = name
        self.namespace = namespace
        self.spec = spec
        self.source = source
        # the root Kustomization's file; the folder's kustomization file (or the folder) when flux-wiki writes it
        self.file = file
        self.line = line
        self.self_applied = self_applied  # the root is the repository's own Kustomization

    __repr__ = slots_repr


class _Candidate:
    __slots__ = ("folder", "kustomizations", "objects", "kustomization_file")

    def __init__(self, folder: str, kustomizations: list[Resource], objects: list[Resource],
                 kustomization_file: str | None) -> None:
        self.folder = folder
        self.kustomizations = kustomizations
        self.objects = objects
        self.kustomization_file = kustomization_file

    __repr__ = slots_repr

    @property
    def keys(self) -> frozenset[tuple[str, int]]:
        return frozenset((r.file, r.line) for r in self.kustomizations)

    @property
    def cluster_like(self) -> bool:
        return cluster_like(self.folder)

    def rank(self) -> tuple[bool, int, str]:
        return not self.cluster_like, len(PurePosixPath(self.folder).parts), self.folder


def cluster_like(folder: str) -> bool:
    """``clusters/<name>`` (also under ``kubernetes/``), ``cluster/<name>``, ``management-clusters/<name>``."""
    parts = PurePosixPath(folder).parts
    return len(parts) >= 2 and parts[-2] in _CLUSTER_PARENTS and parts[-1] not in _NOT_CLUSTERS


def guess_roots(repo: Repo) -> tuple[list[Root], list[Diagnostic]]:
    """The root folders of the repository (sorted by folder), and a notice for each folder holding Flux
    Kustomizations that is not taken because its build fails."""
    written = _flux_kustomizations(repo)
    if not written:
        return [], []
    synced = [(flux_path(str(r.spec.get("path") or "")), r.file) for r in written
              if isinstance(r.spec.get("path"), str) and "$" not in r.spec["path"]]
    synced = [(path, file) for path, file in synced if path != "." and repo.is_dir(path)]

    def covered(folder: str) -> bool:
        return any(_under(folder, path) and not (folder == path and _under(file, folder)) for path, file in synced)

    holding = {str(PurePosixPath(r.file).parent) for r in written}
    kustomized = {str(PurePosixPath(rel).parent): rel for rel in repo.walk_yaml()
                  if PurePosixPath(rel).name in _KUSTOMIZATION_FILES}
    ancestors = {str(p) for f in holding for p in PurePosixPath(f).parents}
    cluster_folders = {a for a in ancestors if cluster_like(a)}
    folders = sorted((f for f in holding | set(kustomized) | cluster_folders if not covered(f)),
                     key=lambda f: (f not in holding, not cluster_like(f), len(PurePosixPath(f).parts), f))
    # the Kustomizations no spec.path reaches: once roots named like a cluster's build them all, a folder not named
    # like one can neither beat those roots nor be one of its own (it builds nothing they do not): it is not built
    unreached = {(r.file, r.line) for r in written if not covered(str(PurePosixPath(r.file).parent))}
    rooted: set[tuple[str, int]] = set()
    candidates, failed = [], []
    for folder in folders[:_MAX_FOLDERS]:
        if rooted >= unreached and not cluster_like(folder):
            continue
        try:
            objects = build_flux_path(repo, folder).resources
        except InputError as err:
            if folder in holding:
                failed.append((folder, err))
            continue
        found = [r for r in objects if r.is_kind(FLUX_KUSTOMIZE_GROUP, "Kustomization")]
        if found:
            candidates.append(_Candidate(folder, found, objects, kustomized.get(folder)))
            if cluster_like(folder):
                rooted |= candidates[-1].keys
    roots = [c for c in candidates if not any(_beats(other, c) for other in candidates if other is not c)]
    notices = [Diagnostic(err.file, err.line, f"{folder} holds Flux Kustomizations but does not build "
                                              f"({err.message}): not taken for a cluster's root (set the plugin's "
                                              "`entry:` to document it)", severity="info", code="FW-ENTRY-GUESSED",
                          cls="limit")
               for folder, err in failed if not any(_under(folder, c.folder) for c in candidates)]
    return [_root(c) for c in sorted(roots, key=lambda c: c.folder)], notices


def _flux_kustomizations(repo: Repo) -> list[Resource]:
    """Every Flux Kustomization written in the repository's YAML (unreadable files are reported where built)."""
    found = []
    for rel in repo.walk_yaml():
        try:
            if _FLUX_GROUP not in repo.read_bytes(rel):
                continue
            docs = repo.documents(rel, copy=False)
        except InputError:
            continue
        found += [Resource(d.data, d.file or rel, d.line) for d in docs if isinstance(d.data, dict)
                  and d.data.get("kind") == "Kustomization"
                  and str(d.data.get("apiVersion") or "").startswith(FLUX_KUSTOMIZE_GROUP + "/")]
    return found


def _under(path: str, folder: str) -> bool:
    return folder == "." or path == folder or path.startswith(folder + "/")


def _beats(other: _Candidate, c: _Candidate) -> bool:
    """``other`` is the better root where the two overlap: it builds every Kustomization ``c`` does and is named
    like a cluster's or ``c`` is not (then it builds more, or is the shallower); or ``c`` is not named like a
    cluster's and builds every Kustomization of ``other``, which is."""
    if c.keys <= other.keys:
        if c.cluster_like != other.cluster_like:
            return other.cluster_like
        return c.keys < other.keys or other.rank() < c.rank()
    return other.keys < c.keys and other.cluster_like and not c.cluster_like


def _root(c: _Candidate) -> Root:
    """The root Kustomization of a root folder: the repository's own that syncs the folder from within it, else
    one written syncing from the source the folder's Kustomizations name most that nothing in it declares."""
    declared = {(r.kind, r.namespace or "flux-system", r.name): r for r in c.objects if r.kind in _SOURCE_KINDS}
    for ks in c.kustomizations:
        path = ks.spec.get("path")
        if isinstance(path, str) and flux_path(path) == c.folder and _under(ks.file, c.folder):
            ns = ks.namespace or "flux-system"
            spec = copy_data(ks.spec)  # the parsed file is shared: whoever changes the entry's spec, not it
            return Root(c.folder, ks.name, ns, spec, _source(_ref(ks), declared), ks.file, ks.line, True)
    named = Counter(_ref(ks) for ks in c.kustomizations)
    outside = [ref for ref, _ in named.most_common() if ref not in declared and ref[0] in _SOURCE_KINDS and ref[2]]
    kind, ns, name = outside[0] if outside else ("GitRepository", "flux-system", "flux-system")
    source = SourceInfo(kind=kind, namespace=ns, name=name)
    spec = {"path": c.folder, "prune": True, "sourceRef": {"kind": kind, "name": name, "namespace": ns}}
    return Root(c.folder, "flux-system", "flux-system", spec, source, c.kustomization_file or c.folder, 1, False)


def _ref(ks: Resource) -> tuple[str, str, str]:
    """(kind, namespace, name) of a Kustomization's sourceRef, with the API's defaults; a field of another
    shape than a string counts as unset (the schema check reports it)."""
    ref = ks.spec.get("sourceRef") if isinstance(ks.spec.get("sourceRef"), dict) else {}

    def text(key: str) -> str:
        return ref[key] if isinstance(ref.get(key), str) else ""

    return text("kind") or "GitRepository", text("namespace") or ks.namespace or "flux-system", text("name")


def _source(ref: tuple[str, str, str], declared: dict[tuple[str, str, str], Resource]) -> SourceInfo:
    kind, ns, name = ref
    found = declared.get(ref)
    if found is None:
        return SourceInfo(kind=kind, namespace=ns, name=name)
    spec, url = found.spec, found.spec.get("url")
    ref_spec = spec.get("ref") if isinstance(spec.get("ref"), dict) else {}
    return SourceInfo(kind=kind, namespace=ns, name=name, url=url if isinstance(url, str) else None,
                      ref={k: v for k, v in ref_spec.items() if isinstance(v, str)}, file=found.file,
                      line=found.line, ignore=spec.get("ignore") if isinstance(spec.get("ignore"), str) else None,
                      includes=git_includes(kind, spec))
