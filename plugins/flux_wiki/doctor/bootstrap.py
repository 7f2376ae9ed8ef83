"""What exists before Flux reconciles anything, besides Flux itself.

- The cluster's network plugin: Flux's controllers need pod networking to run, so a CNI chart that a
  HelmRelease later adopts (Cilium) was installed before them, with its CRDs.
- Releases of the repository's own bootstrap helmfile. Many repositories install their CNI, secret
  operators and the CRDs their apps use with ``helmfile`` before handing over to Flux (a
  ``releases:`` list of ``{name, namespace}``; with ``--include-crds`` only the CRDs are applied).
  A HelmRelease of the same namespace and name (or applied by the Kustomization of that namespace and
  name: helmfiles often name a release after the app's folder) finds its CRDs already there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..load import Repo
from ..load.yamldocs import field_line
from ..model import InputError

# Catalog entries whose chart is the cluster network: installed before Flux's controllers can run.
CNI_ENTRIES = frozenset({"cilium"})
_MAX_RELEASES = 1_000


@dataclass(frozen=True)
class BootstrapRelease:
    """A release a bootstrap helmfile installs (or renders the CRDs of) before Flux starts."""

    namespace: str
    name: str
    file: str
    line: int

    def ident(self) -> str:
        return f"{self.namespace}/{self.name}"


def bootstrap_releases(repo: Repo) -> list[BootstrapRelease]:
    """The releases of every helmfile in ``repo`` (a YAML mapping with a ``releases`` list and no ``kind``)."""
    out: list[BootstrapRelease] = []
    for rel in repo.walk_yaml():
        try:
            if b"releases:" not in repo.read_bytes(rel):
                continue
            docs = repo.documents(rel, copy=False)
        except InputError:
            continue
        text = repo.read_text(rel)
        for doc in docs:
            out.extend(_releases(doc.data, rel, doc.line, text))
            if len(out) >= _MAX_RELEASES:
                return out[:_MAX_RELEASES]
    return out


def _releases(data: Any, file: str, line: int, text: str) -> list[BootstrapRelease]:
    if not isinstance(data, dict) or "kind" in data or "apiVersion" in data:
        return []
    releases = data.get("releases")
    if not isinstance(releases, list):
        return []
    out = []
    for i, r in enumerate(releases[:_MAX_RELEASES]):
        if isinstance(r, dict) and isinstance(r.get("name"), str) and isinstance(r.get("namespace"), str):
            out.append(BootstrapRelease(r["namespace"], r["name"], file, field_line(text, line, ("releases", i))))
    return out
