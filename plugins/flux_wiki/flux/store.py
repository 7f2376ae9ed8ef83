"""Objects Flux would find in the cluster: what the simulation applied, then the repo as a fallback."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import Any

from ..load import Repo
from ..model import InputError, Resource, SourceInfo
from .runtime import ANY_NAMESPACE, RuntimeSecret, runtime_secrets
from .sources import misgrouped, source_info

_KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
_LOOKUP_KINDS = ("ConfigMap", "Secret", "GitRepository", "OCIRepository", "Bucket", "HelmRepository",
                 "HelmChart", "ExternalArtifact", "ResourceSetInputProvider")


class ObjectStore:
    """Objects of the simulated cluster, then of the repo (but the root folders of its other clusters) as a
    fallback, by (kind, namespace, name).

    A file in a folder with a kustomization file that no kustomization file names is no fallback: kustomize never
    reads it, so Flux never applies it. The repo fallback is looked up lazily: only files whose bytes mention both the kind and the name
    are parsed, so a lookup costs a byte scan, not a parse of the repo. It stands for what the simulation did not
    apply: once every Kustomization is built (``settled``), a document one of them applied is where that build
    put it, and no fallback for another namespace (home-ops manifests name no namespace; their kustomization or
    targetNamespace gives it). Before that, another build may still put the same document there.
    """

    def __init__(self, repo: Repo, foreign_roots: tuple[str, ...] = ()):
        self.repo = repo
        # the root folders of the repository's other clusters: what is there is theirs, not a fallback for this one
        self.foreign = tuple(r.rstrip("/") + "/" for r in foreign_roots)
        self.applied: dict[tuple[str, str, str], Resource] = {}
        self._raw: dict[str, bytes] | None = None
        self._found: dict[tuple[str, str], list[Resource]] = {}
        self._with_kind: dict[str, list[tuple[str, bytes]]] = {}  # kind -> the files of _raw that mention it
        self._runtime: dict[tuple[str, str], RuntimeSecret] = {}  # (namespace or "*", name) -> its maker
        self._placed: set[tuple[str, int]] = set()  # (file, line) of the documents applied so far
        self.settled = False  # every Kustomization built: what is not applied somewhere is not applied

    def add(self, res: Resource) -> None:
        self.applied[(res.kind, res.namespace, res.name)] = res
        self._placed.add((res.file, res.line))
        for made in runtime_secrets(res):
            self._runtime.setdefault((made.namespace, made.name), made)

    def runtime_secret(self, namespace: str, name: str) -> RuntimeSecret | None:
        """The Secret a controller creates at run time from an applied object (flux/runtime.py), if any."""
        return self._runtime.get((namespace, name)) or self._runtime.get((ANY_NAMESPACE, name))

    def _in_repo(self, kind: str, name: str) -> list[Resource]:
        key = (kind, name)
        if key not in self._found:
            if self._raw is None:
                self._raw = {}
                files = self.repo.walk_yaml()
                unlisted = self._unlisted(files)
                for rel in files:
                    if rel.startswith(self.foreign) or rel in unlisted:
                        continue
                    try:
                        self._raw[rel] = self.repo.read_bytes(rel)
                    except InputError as err:
                        self.repo.note(rel, err.message, err.code)
            with_kind = self._with_kind.get(kind)
            if with_kind is None:  # one scan per kind, not per lookup: most lookups ask for a ConfigMap or Secret
                kind_b = f"kind: {kind}".encode()
                with_kind = self._with_kind[kind] = [(rel, raw) for rel, raw in self._raw.items() if kind_b in raw]
            name_b = name.encode()
            found = []
            for rel, raw in with_kind:
                if name_b not in raw:
                    continue
                try:
                    docs = self.repo.documents(rel, copy=False)
                except InputError:
                    continue
                found += [Resource(d.data, d.file, d.line, encrypted="sops" in d.data) for d in docs
                          if isinstance(d.data, dict) and d.data.get("kind") == kind
                          and isinstance(d.data.get("metadata"), dict) and d.data["metadata"].get("name") == name]
            self._found[key] = found
        return self._found[key]

    def _unlisted(self, files: list[str]) -> frozenset[str]:
        """The files among ``files`` whose folder has a kustomization file and that no kustomization file names
        (any text of a kustomization counts as a name, relative to its folder: resources, patches, generators).

        The answer depends on the files alone (in one snapshot), so the clusters of a run share it (``run_memo``,
        one entry per list of files): finding it parses and walks every kustomization file of the repository."""
        memo = self.repo.run_memo.setdefault("unlisted files", {}) if self.repo.run_memo is not None else None
        key = tuple(files)
        found = memo.get(key) if memo is not None else None
        if found is None:
            found = frozenset(self._find_unlisted(files))
            if memo is not None:
                memo[key] = found
        return found

    def _find_unlisted(self, files: list[str]) -> set[str]:
        kfiles: dict[str, str] = {}
        for folder in {posixpath.dirname(f) for f in files}:
            kfile = next((k for k in (posixpath.join(folder, n) for n in _KUSTOMIZATION_FILES)
                          if self.repo.is_file(k)), None)
            if kfile is not None:
                kfiles[folder] = kfile
        listed: set[str] = set()
        for folder, kfile in kfiles.items():
            try:
                docs = self.repo.documents(kfile, copy=False)
            except InputError:
                return set()  # a kustomization flux-wiki cannot read may name anything
            for text in _texts(docs[0].data if docs else None):
                listed.add(posixpath.normpath(posixpath.join(folder, text)))
        return {f for f in files if posixpath.dirname(f) in kfiles and f not in listed
                and f != kfiles[posixpath.dirname(f)]}

    def find(self, kind: str, namespace: str, name: str) -> Resource | None:
        """The applied object, else one in the repo in that namespace, else one without a namespace."""
        hit = self.applied.get((kind, namespace, name))
        if hit is None and kind in _LOOKUP_KINDS and name:
            candidates = [r for r in self._in_repo(kind, name)
                          if not self.settled or (r.file, r.line) not in self._placed]
            hit = (next((r for r in candidates if r.namespace == namespace), None)
                   or next((r for r in candidates if not r.namespace), None))
        return hit

    def find_applied(self, kind: str, namespace: str, name: str) -> Resource | None:
        return self.applied.get((kind, namespace, name))

    def find_source(self, kind: str, namespace: str, name: str) -> SourceInfo | None:
        """The Flux source of that kind and name; None too for an object of that kind in another API group,
        which the controllers, asking for Flux's type, never find (see :meth:`misgrouped_source`)."""
        res = self.find(kind, namespace, name)
        return source_info(res) if res is not None and not misgrouped(res) else None

    def misgrouped_source(self, kind: str, namespace: str, name: str) -> Resource | None:
        """The object of a source's kind and name whose apiVersion is not Flux's source API: meant as the source,
        it is not one."""
        res = self.find(kind, namespace, name)
        return res if res is not None and misgrouped(res) else None


def _texts(value: Any, depth: int = 0) -> Iterator[str]:
    """Every string in a parsed document (bounded depth)."""
    if depth > 32:
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _texts(v, depth + 1)
    elif isinstance(value, list):
        for v in value:
            yield from _texts(v, depth + 1)
