"""The inventory JSON: the model as a stable, sorted, secret-free document (see README)."""

from __future__ import annotations

import math
from typing import Any

from ..analysis.facts import ClusterFacts
from ..analysis.redact import HIDDEN
from ..model import Cluster, KustomizationNode, Model, address_order
from .indented_json import indented_json


def _source(cluster: Cluster) -> dict[str, Any]:
    src = cluster.source
    out: dict[str, Any] = {"kind": src.kind, "namespace": src.namespace, "name": src.name, "url": src.url}
    for key in ("branch", "tag", "semver", "commit", "name"):
        if src.ref.get(key):
            out["ref" if key == "name" else key] = src.ref[key]
    return out


# a variables list by the identity of its entries, shared within one inventory (see _variables)
_SharedVariables = dict[tuple[int, ...], list[dict[str, Any]]]


def _variables(node: KustomizationNode, shared: _SharedVariables) -> list[dict[str, Any]]:
    """A Kustomization's variables. The simulation gives Kustomizations that list a cluster's settings the very same
    entries, alive with the model: those listing the same entries share one list, which the JSON writer writes once."""
    key = tuple(map(id, node.variables))
    found = shared.get(key)
    if found is None:
        found = shared[key] = [{"name": v.name, "origin": v.origin, "secret": v.secret} for v in node.variables]
    return found


def _kustomization(node: KustomizationNode, shared: _SharedVariables) -> dict[str, Any]:
    spec = node.spec
    post = spec.get("postBuild") if isinstance(spec.get("postBuild"), dict) else {}
    out = {
        "id": node.id,
        "path": (node.path or "").removeprefix("./") if node.path is not None else None,
        "parent": node.parent,
        "dependsOn": node.depends_on,
        "level": node.level,
        "wait": node.wait,
        "prune": node.prune,
        "suspend": spec.get("suspend") if isinstance(spec.get("suspend"), bool) else None,
        "interval": spec.get("interval"),
        "timeout": spec.get("timeout"),
        "healthChecks": [{k: h.get(k) for k in ("apiVersion", "kind", "namespace", "name") if h.get(k)}
                         for h in spec.get("healthChecks") or [] if isinstance(h, dict)],
        "substituteFrom": [{k: r.get(k) for k in ("kind", "name", "optional") if k in r}
                           for r in post.get("substituteFrom") or [] if isinstance(r, dict)],
        "substitute": sorted((post.get("substitute") or {}).keys()) if isinstance(post.get("substitute"), dict) else [],
        "unresolvedVariables": node.unresolved_vars,
        "secretVariables": node.secret_vars,
        "variables": _variables(node, shared),
        "sourceRef": {"kind": node.source.kind, "namespace": node.source.namespace, "name": node.source.name,
                      "url": node.source.url} if node.source else None,
        "status": node.status,
        "reason": node.reason,
        "excluded": node.excluded,
        "file": node.file,
        "line": node.line,
        "files": node.files,
        "remoteResources": node.remote_resources,
        "kubeConfig": {"kind": node.flux_spec.kube_config[0], "name": node.flux_spec.kube_config[1]}
        if node.flux_spec.kube_config else None,
        "objects": sorted((r.summary() for r in node.resources),
                          key=lambda o: (o["kind"], o["namespace"], o["name"], o["apiVersion"], o["file"], o["line"])),
    }
    if node.generated_by is not None:
        out["generatedBy"] = node.generated_by.as_dict()
    if node.bootstrap_peer:
        out["appliedAtBootstrap"] = True
    return out


def _images(cluster: Cluster) -> list[dict[str, Any]]:
    """Container images each workload runs, read from the workload surfaces (built objects and chart values)."""
    found = {(s.layer, s.object_kind, s.namespace, s.name, s.target): (s.file, s.line)
             for s in reversed(cluster.surfaces) if s.kind == "workload" and s.target and s.target != HIDDEN}
    return [{"layer": layer, "kind": kind, "namespace": ns, "name": name, "image": image, "file": f, "line": line}
            for (layer, kind, ns, name, image), (f, line) in sorted(found.items())]


def _duplicate_claims(facts: ClusterFacts) -> list[dict[str, Any]]:
    """LoadBalancer address:port/protocol claimed by more than one object (the duplicate-claim warnings' facts)."""
    return [{"address": addr, "port": port, "protocol": proto,
             "claimants": sorted(({"layer": c.layer, "kind": c.object_kind, "namespace": c.namespace, "name": c.name,
                                   "file": c.file, "line": c.line} for c in claimants),
                                 key=lambda c: (c["kind"], c["namespace"], c["name"], c["file"], c["line"]))}
            for (addr, port, proto), claimants in sorted(facts.claims.items(),
                                                          key=lambda kv: (address_order(kv[0][0]), kv[0]))]


def _order(facts: ClusterFacts) -> dict[str, Any]:
    """The effective order: roots, the edges that decide when each Kustomization starts, the gates that decide
    when a parent is Ready, what never becomes Ready, and the critical path among the shown layers."""
    order = facts.order
    chain = facts.critical_path
    bound = chain.bound
    return {
        "roots": order.roots,
        "edges": [{"kind": e.kind, "from": e.before, "to": e.after, "file": e.file, "line": e.line}
                  for e in sorted(order.edges, key=lambda e: (e.after, e.kind != "appliedBy", e.before))],
        "gates": [{"parent": g.parent, "child": g.child, "reason": g.reason, "file": g.file, "line": g.line}
                  for node_id in sorted(order.levels) for g in order.gate_links(node_id)],
        "blocked": [{"id": node_id, "cause": b.cause, "node": b.node, "detail": b.detail, "file": b.file,
                     "line": b.line} for node_id, b in sorted(order.blocked.items())],
        "criticalPath": {"target": chain.target, "nodes": chain.nodes, "levels": chain.levels,
                         "boundSeconds": bound if bound is not None and bound != math.inf else None},
    }


def cluster_dict(facts: ClusterFacts, shared: _SharedVariables | None = None) -> dict[str, Any]:
    cluster = facts.cluster
    shared = {} if shared is None else shared
    return {
        "name": cluster.name,
        "entry": {"file": cluster.entry_file, "line": cluster.entry_line, "kind": cluster.entry_kind},
        "source": _source(cluster),
        "root": cluster.root_id,
        "controllers": [{"name": c.name, "image": c.image, "distribution": c.distribution, "file": c.file,
                         "line": c.line} for c in cluster.controllers],
        "kustomizations": [_kustomization(k, shared)
                           for k in sorted(cluster.kustomizations.values(), key=lambda k: k.id)],
        **_order(facts),
        "helmReleases": [{"id": h.ident(), "layer": h.layer, "chart": h.chart, "version": h.version,
                          "source": {"kind": h.source_kind, "namespace": h.source_namespace, "name": h.source_name,
                                     "url": h.source_url} if h.source_kind else None,
                          "dependsOn": h.depends_on,
                          "kubeConfig": {"kind": h.kube_config[0], "name": h.kube_config[1]} if h.kube_config else None,
                          "file": h.file, "line": h.line}
                         for h in cluster.helm_releases],
        "surfaces": [s.as_dict() for s in cluster.surfaces],
        "duplicateClaims": _duplicate_claims(facts),
        "images": _images(cluster),
        "excluded": cluster.excluded,
        "warnings": [w.as_dict() for w in cluster.warnings],
        "notices": [w.as_dict() for w in cluster.notices],
        "sourceFolders": [{"source": f"{s.kind}/{s.namespace}/{s.name}", "folder": d.shown, "file": d.file or None,
                           "line": d.line or None} for s, d in cluster.source_dirs],
    }


def inventory(model: Model) -> dict[str, Any]:
    """The inventory as data: lists in it may be shared (read it, don't change it)."""
    shared: _SharedVariables = {}
    return {"clusters": [cluster_dict(model.facts[c.name], shared) for c in model.clusters],
            "warnings": [d.as_dict() for d in model.diagnostics]}


def inventory_json(model: Model) -> str:
    """The inventory as ``json.dumps(indent=2, ensure_ascii=False)`` writes it (through a faster writer)."""
    return indented_json(inventory(model)) + "\n"
