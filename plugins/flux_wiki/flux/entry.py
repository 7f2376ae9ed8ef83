"""Find where Flux starts reconciling a repository: one entry point per cluster.

Three shapes are seen in the wild (DESIGN.md):
- ``flux bootstrap``: a file in a ``flux-system`` folder holding a GitRepository/OCIRepository and
  the root Kustomization that points at it (``gotk-sync.yaml``); when that file is a comment-only
  placeholder, the root is the folder above ``flux-system`` as bootstrap would generate it;
- flux-operator: a ``FluxInstance`` whose ``spec.sync`` names the source and path;
- a HelmRelease of the ``flux-instance`` chart whose values hold ``instance.sync``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from ..load import Document, Repo
from ..load.yamldocs import field_line
from ..model import FLUX_HELM_GROUP, FLUX_KUSTOMIZE_GROUP, Diagnostic, InputError, Resource, SourceInfo
from .helm import helm_release_info
from .schema import FLUX_INSTANCE_SPEC, problems
from .store import ObjectStore

_SOURCE_KINDS = {"GitRepository", "OCIRepository", "Bucket"}
_GENERIC_DIRS = {"apps", "flux", "flux-system", "components", "infrastructure", "base", "bootstrap",
                 "cluster", "clusters", "kubernetes", "k8s", "config", "configs"}


@dataclass
class Entry:
    """Where one cluster's reconciliation starts: its source and its root Kustomization."""

    cluster: str
    kind: str  # gotk-sync | gotk-sync placeholder | FluxInstance | flux-instance HelmRelease | explicit
    file: str
    line: int
    source: SourceInfo
    root_name: str
    root_namespace: str
    root_spec: dict[str, Any]
    components: list[str] = field(default_factory=list)


def _group(doc: dict[str, Any]) -> str:
    av = str(doc.get("apiVersion") or "")
    return av.rsplit("/", 1)[0] if "/" in av else ""


def _text(value: Any) -> str | None:
    """A string field; any other shape counts as unset (the schema check reports it)."""
    return value if isinstance(value, str) else None


def _meta(doc: dict[str, Any]) -> tuple[str, str]:
    md = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
    return _text(md.get("namespace")) or "flux-system", _text(md.get("name")) or ""


def _cluster_name(file: str, root_path: str) -> str | None:
    """The cluster's name from the folder layout (`clusters/<name>/...`), or None when the layout has none."""
    for path in (root_path.lstrip("./"), file):
        parts = PurePosixPath(path).parts
        for marker in ("clusters", "cluster", "kubernetes"):
            if marker in parts:
                i = parts.index(marker)
                if i + 1 < len(parts) and parts[i + 1] not in _GENERIC_DIRS and parts[i + 1] != PurePosixPath(file).name:
                    return parts[i + 1]
    return None


def _sync_source(sync: dict[str, Any], namespace: str, file: str, line: int) -> SourceInfo:
    ref_text = _text(sync.get("ref")) or ""
    ref: dict[str, Any] = {}
    if ref_text.startswith("refs/heads/"):
        ref["branch"] = ref_text[len("refs/heads/"):]
    elif ref_text.startswith("refs/tags/"):
        ref["tag"] = ref_text[len("refs/tags/"):]
    elif ref_text:
        ref["name" if ref_text.startswith("refs/") else "tag"] = ref_text
    return SourceInfo(kind=_text(sync.get("kind")) or "GitRepository", namespace=namespace,
                      name="flux-system", url=_text(sync.get("url")), ref=ref, file=file, line=line)


def _root_spec(path: str, source: SourceInfo, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    spec = {"path": path, "prune": True,
            "sourceRef": {"kind": source.kind, "name": source.name, "namespace": source.namespace}}
    spec.update(extra or {})
    return spec


def _from_gotk(docs: list[Document], file: str, repo: Repo) -> list[Entry]:
    sources = {}
    for d in docs:
        if isinstance(d.data, dict) and d.data.get("kind") in _SOURCE_KINDS:
            ns, name = _meta(d.data)
            spec = d.data.get("spec") if isinstance(d.data.get("spec"), dict) else {}
            ref = spec.get("ref") if isinstance(spec.get("ref"), dict) else {}
            sources[(d.data["kind"], ns, name)] = SourceInfo(
                kind=d.data["kind"], namespace=ns, name=name, url=_text(spec.get("url")),
                ref={k: v for k, v in ref.items() if isinstance(v, str)}, file=file, line=d.line,
                ignore=_text(spec.get("ignore")))
    entries = []
    for d in docs:
        data = d.data
        if not (isinstance(data, dict) and data.get("kind") == "Kustomization"
                and _group(data) == FLUX_KUSTOMIZE_GROUP):
            continue
        ns, name = _meta(data)
        spec = data.get("spec") if isinstance(data.get("spec"), dict) else {}
        ref = spec.get("sourceRef") if isinstance(spec.get("sourceRef"), dict) else {}
        key = (_text(ref.get("kind")), _text(ref.get("namespace")) or ns, _text(ref.get("name")))
        root = PurePosixPath(str(spec.get("path") or ".").lstrip("./") or ".")
        if key in sources and (str(root) == "." or PurePosixPath(file).is_relative_to(root)):
            entries.append(Entry(cluster=_cluster_name(file, str(spec.get("path") or "")) or "",
                                 kind="gotk-sync", file=file, line=d.line, source=sources[key],
                                 root_name=name, root_namespace=ns, root_spec=spec))
    return entries


def _from_fluxinstance(doc: Document, repo: Repo) -> Entry | None:
    spec = doc.data.get("spec") if isinstance(doc.data.get("spec"), dict) else {}
    sync = spec.get("sync") if isinstance(spec.get("sync"), dict) else None
    if not sync or not sync.get("path"):
        return None
    ns, _ = _meta(doc.data)
    source = _sync_source(sync, ns, doc.file, doc.line)
    path = str(sync["path"])
    comps = spec.get("components") if isinstance(spec.get("components"), list) else []
    return Entry(cluster=_cluster_name(doc.file, path) or "", kind="FluxInstance", file=doc.file,
                 line=doc.line, source=source, root_name="flux-system", root_namespace=ns,
                 root_spec=_root_spec(path, source), components=[str(c) for c in comps])


def _is_flux_instance_chart(spec: dict[str, Any]) -> bool:
    chart = spec.get("chart") if isinstance(spec.get("chart"), dict) else {}
    cspec = chart.get("spec") if isinstance(chart.get("spec"), dict) else {}
    ref = spec.get("chartRef") if isinstance(spec.get("chartRef"), dict) else {}
    return cspec.get("chart") == "flux-instance" or ref.get("name") == "flux-instance"


def _from_flux_instance_release(doc: Document, store: ObjectStore) -> Entry | None:
    spec = doc.data.get("spec") if isinstance(doc.data.get("spec"), dict) else {}
    if not _is_flux_instance_chart(spec):
        return None
    release = Resource(doc.data, doc.file, doc.line)
    info, _ = helm_release_info(release, store.find, store.find_source)
    instance = info.values.get("instance")
    if not isinstance(instance, dict):
        return None
    sync = instance.get("sync") if isinstance(instance.get("sync"), dict) else None
    if not sync or not sync.get("path"):
        return None
    bad = problems(instance, {"sync": FLUX_INSTANCE_SPEC["sync"], "components": FLUX_INSTANCE_SPEC["components"]},
                   ("spec", "values", "instance"))
    if bad:  # the chart renders a FluxInstance the API server refuses
        raise InputError(doc.file, doc.line, f"HelmRelease {_meta(doc.data)[1]}: {bad[0]} "
                                             "(the FluxInstance it renders is rejected by the API server)")
    ns = _text(spec.get("targetNamespace")) or _meta(doc.data)[0]
    source = _sync_source(sync, ns, doc.file, doc.line)
    path = str(sync["path"])
    comps = instance.get("components") if isinstance(instance.get("components"), list) else []
    return Entry(cluster=_cluster_name(doc.file, path) or "", kind="flux-instance HelmRelease",
                 file=doc.file, line=doc.line, source=source, root_name="flux-system",
                 root_namespace=ns, root_spec=_root_spec(path, source), components=[str(c) for c in comps])


_PLACEHOLDER_FILES = ("gotk-sync.yaml",)
_QUICK = re.compile(rb"kind:\s*FluxInstance\b|flux-instance")


def find_entries(repo: Repo) -> tuple[list[Entry], list[Diagnostic]]:
    """Every entry point in the repo, one per cluster, sorted by cluster name."""
    entries: list[Entry] = []
    diagnostics: list[Diagnostic] = []
    placeholders: list[str] = []
    store = ObjectStore(repo)
    for rel in repo.walk_yaml():
        in_flux_system = "flux-system" in PurePosixPath(rel).parts[:-1]
        try:
            raw = repo.read_bytes(rel)
        except InputError as err:
            repo.note(rel, err.message)
            continue
        if not in_flux_system and not _QUICK.search(raw):
            continue
        if in_flux_system and not re.search(rb"kind:\s*Kustomization\b", raw) and not _QUICK.search(raw):
            if in_flux_system and PurePosixPath(rel).name in _PLACEHOLDER_FILES:
                placeholders.append(rel)
            continue
        try:
            docs = repo.documents(rel, copy=False)
        except InputError as err:
            if in_flux_system or b"FluxInstance" in raw or b"flux-instance" in raw:
                diagnostics.append(err.diagnostic())
            continue
        if not docs and in_flux_system and PurePosixPath(rel).name in _PLACEHOLDER_FILES:
            placeholders.append(rel)
            continue
        if in_flux_system:
            entries.extend(_from_gotk(docs, rel, repo))
        for d in docs:
            if not isinstance(d.data, dict):
                continue
            if d.data.get("kind") == "FluxInstance":
                bad = problems(d.data.get("spec"), FLUX_INSTANCE_SPEC, ("spec",))
                if bad:  # the API server refuses it: it never syncs anything
                    diagnostics += [Diagnostic(rel, field_line(raw.decode("utf-8", "replace"), d.line, p.path),
                                               f"FluxInstance {_meta(d.data)[1]}: {p} (the API server rejects it)")
                                    for p in bad[:5]]
                    continue
                e = _from_fluxinstance(d, repo)
            elif d.data.get("kind") == "HelmRelease" and _group(d.data) == FLUX_HELM_GROUP and b"flux-instance" in raw:
                try:
                    e = _from_flux_instance_release(d, store)
                except InputError as err:
                    diagnostics.append(err.diagnostic())
                    continue
            else:
                continue
            if e:
                entries.append(e)
    for rel in placeholders:
        try:
            if repo.documents(rel, copy=False):
                continue
        except InputError:
            continue
        cluster_dir = str(PurePosixPath(rel).parent.parent)
        if any(e.file.startswith(cluster_dir + "/flux-system/") for e in entries):
            continue
        source = SourceInfo(kind="GitRepository", namespace="flux-system", name="flux-system",
                            url=None, file=rel, line=1)
        entries.append(Entry(cluster=_cluster_name(rel, cluster_dir) or "", kind="gotk-sync placeholder",
                             file=rel, line=1, source=source, root_name="flux-system",
                             root_namespace="flux-system", root_spec=_root_spec("./" + cluster_dir, source)))
    return _name_clusters(entries, repo.root.name), diagnostics


def _name_clusters(entries: list[Entry], repo_name: str) -> list[Entry]:
    """Give unnamed entries the repo's name, or their root path when that name is taken."""
    taken = {e.cluster for e in entries if e.cluster}
    for e in sorted(entries, key=lambda e: (e.file, e.line)):
        if e.cluster:
            continue
        slug = re.sub(r"[^A-Za-z0-9]+", "-", str(e.root_spec.get("path") or "")).strip("-") or "root"
        e.cluster = repo_name if repo_name not in taken else slug
        while e.cluster in taken:
            e.cluster += "-" + str(len(taken))
        taken.add(e.cluster)
    return sorted(entries, key=lambda e: (e.cluster, e.file, e.line))


def explicit_entry(repo: Repo, path: str, name: str | None = None) -> Entry:
    """An entry for ``path`` given by the user: a root Kustomization on this repo at that path."""
    source = SourceInfo(kind="GitRepository", namespace="flux-system", name="flux-system", url=None)
    return Entry(cluster=name or _cluster_name(path, path) or repo.root.name, kind="explicit", file=path.lstrip("./") or ".",
                 line=1, source=source, root_name="flux-system", root_namespace="flux-system",
                 root_spec=_root_spec(path, source))
