"""Objects two Kustomizations of a cluster apply: they take the object from each other.

kustomize-controller applies every object with one field manager and stamps its own owner labels on it, so
two Kustomizations that render the same object (kind, namespace, name) never conflict on the API server: each
reconciliation overwrites what the other applied (fluxcd/kustomize-controller#732, #1724), and the one that
stops rendering it may prune it from under the other. Two copies that differ make the object flip at every
reconciliation: a warning. Equal copies (or copies flux-wiki cannot read) only move the owner labels: a notice.
Flux Kustomization objects are checked by the simulation (FW-KS-APPLIED-TWICE); this covers every other object.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..flux.fields import holds_variable
from ..flux.objects import landing_cluster
from ..model import FLUX_KUSTOMIZE_GROUP, SOPS_ENCRYPTED_KIND, Cluster, Diagnostic, KustomizationNode, Resource
from .order import EffectiveOrder

SSA_ANNOTATION = "kustomize.toolkit.fluxcd.io/ssa"
RECONCILE_ANNOTATION = "kustomize.toolkit.fluxcd.io/reconcile"
SHOWN_DIFFERENCES = 3


def applied_twice(cluster: Cluster, order: EffectiveOrder) -> list[Diagnostic]:
    """A diagnostic at each object a second Kustomization of ``cluster`` applies to the same cluster, naming the
    first (in the simulation's order) and, when both copies are known and differ, the fields where they do.
    A Kustomization that never starts (suspended, or waiting on one that never becomes Ready) applies nothing."""
    first: dict[tuple[str, str, str, str, str], tuple[KustomizationNode, Resource]] = {}
    found: list[Diagnostic] = []
    for node in cluster.kustomizations.values():
        if node.failure is not None or not order.starts(node.id):  # it applies none of its objects
            continue
        where = landing_cluster(node.id, cluster.kustomizations)
        for res in node.resources:
            if not _contested(res):
                continue
            key = (where, res.group, res.kind, res.namespace or "", res.name)
            earlier = first.setdefault(key, (node, res))
            if earlier[0] is node:
                continue
            found.append(_diagnostic(earlier, res))
    return found


def _contested(res: Resource) -> bool:
    """Whether a second applier of ``res`` overwrites it: not when kustomize-controller leaves it alone (ssa
    IfNotPresent or Ignore, reconcile disabled), nor for a document SOPS encrypted whole (its identity is
    unknown), a Flux Kustomization (the simulation's check) or an object a ResourceSet generates."""
    if res.generated_by is not None or res.kind == SOPS_ENCRYPTED_KIND or not res.name \
            or res.is_kind(FLUX_KUSTOMIZE_GROUP, "Kustomization"):
        return False
    annotations = res.metadata.get("annotations")
    if isinstance(annotations, dict):
        if str(annotations.get(SSA_ANNOTATION, "")).lower() in ("ifnotpresent", "ignore"):
            return False
        if str(annotations.get(RECONCILE_ANNOTATION, "")).lower() == "disabled":
            return False
    return True


def _diagnostic(earlier: tuple[KustomizationNode, Resource], res: Resource) -> Diagnostic:
    node, first = earlier
    what = f"{res.kind} {res.ident()} is also applied by Kustomization {node.id} ({first.file}:{first.line})"
    differing = [] if first.encrypted or res.encrypted else list(_differences(first.obj, res.obj))
    if differing and None not in differing:
        shown = ", ".join(differing[:SHOWN_DIFFERENCES]) + (", ..." if len(differing) > SHOWN_DIFFERENCES else "")
        return Diagnostic(res.file, res.line, f"{what}, with other content ({shown}): each reconciliation of one "
                                              "undoes the other's", code="FW-OBJECT-APPLIED-TWICE")
    return Diagnostic(res.file, res.line, f"{what}: each reconciliation takes it from the other, and the one that "
                                          "stops applying it may prune it from under the other", severity="info",
                      code="FW-OBJECT-SHARED", cls="limit")


def _differences(a: Any, b: Any) -> Iterator[str | None]:
    """The dotted paths where ``a`` and ``b`` (parsed YAML) differ, first found first (names only, never values);
    None for a difference at a value flux-wiki does not know (a ``${VAR}`` substitution left)."""
    stack: list[tuple[str, Any, Any]] = [("", a, b)]
    while stack:
        path, x, y = stack.pop()
        if x == y:
            continue
        if isinstance(x, dict) and isinstance(y, dict):
            keys = [k for k in x if k in y] + [k for k in x if k not in y] + [k for k in y if k not in x]
            stack.extend((f"{path}.{k}" if path else str(k), x.get(k), y.get(k)) for k in reversed(keys))
        elif _unknown(x) or _unknown(y):
            yield None
        else:
            yield path or "the whole object"


def _unknown(value: Any) -> bool:
    """Whether ``value`` holds a ``${VAR}`` left by substitution (:func:`holds_variable`), anywhere within it."""
    if isinstance(value, dict):
        return any(_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(_unknown(v) for v in value)
    return holds_variable(value)
