"""Objects Flux would find in the cluster: what the simulation applied, then the repo as a fallback."""

from __future__ import annotations

from ..load import Repo
from ..model import InputError, Resource, SourceInfo
from .sources import source_info

_LOOKUP_KINDS = ("ConfigMap", "Secret", "GitRepository", "OCIRepository", "Bucket", "HelmRepository",
                 "HelmChart", "ExternalArtifact")


class ObjectStore:
    """Objects of the simulated cluster, then of the whole repo as a fallback, by (kind, namespace, name)."""

    def __init__(self, repo: Repo):
        self.repo = repo
        self.applied: dict[tuple[str, str, str], Resource] = {}
        self._repo_index: dict[tuple[str, str, str], Resource] | None = None

    def add(self, res: Resource) -> None:
        self.applied[(res.kind, res.namespace, res.name)] = res

    def _index(self) -> dict[tuple[str, str, str], Resource]:
        if self._repo_index is None:
            index: dict[tuple[str, str, str], Resource] = {}
            wanted = _LOOKUP_KINDS
            for rel in self.repo.walk_yaml():
                raw = self.repo.read_bytes(rel)
                if not any(f"kind: {k}".encode() in raw for k in wanted):
                    continue
                try:
                    docs = self.repo.documents(rel, copy=False)
                except InputError:
                    continue
                for d in docs:
                    if isinstance(d.data, dict) and d.data.get("kind") in wanted:
                        r = Resource(d.data, d.file, d.line, encrypted="sops" in d.data)
                        index.setdefault((r.kind, r.namespace, r.name), r)
                        index.setdefault((r.kind, "", r.name), r)
            self._repo_index = index
        return self._repo_index

    def find(self, kind: str, namespace: str, name: str) -> Resource | None:
        hit = self.applied.get((kind, namespace, name))
        if hit is None:
            idx = self._index()
            hit = idx.get((kind, namespace, name)) or idx.get((kind, "", name))
        return hit

    def find_applied(self, kind: str, namespace: str, name: str) -> Resource | None:
        return self.applied.get((kind, namespace, name))

    def find_source(self, kind: str, namespace: str, name: str) -> SourceInfo | None:
        res = self.find(kind, namespace, name)
        return source_info(res) if res is not None else None
