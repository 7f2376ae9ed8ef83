"""Diagrams of a cluster as Graphviz DOT (for SVG), Mermaid and JSON (for the CLI).

The order diagrams come in three views of the effective order (both edge kinds: ``dependsOn`` solid,
applied-by dashed; gates labelled): ``full`` (every shown layer, ranked by level, grouped when large),
``overview`` (one node per group of :mod:`flux_wiki.analysis.views`, edges counted) and a layer's
neighbourhood. Every function is deterministic: nodes, edges and groups are sorted, so the same cluster gives
byte-identical text. Text that comes from manifests (names, paths, hosts) goes through :func:`_text`/:func:`_label`,
which neutralise DOT escape sequences, HTML-like labels, entities and control characters, and cut long values
(image digests, chart URLs) with the whole value in the tooltip; node identifiers are derived with
:func:`_node_id` so they are always plain.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from urllib.parse import quote

import graphviz

from ..analysis.facts import ClusterFacts
from ..analysis.views import GROUP_THRESHOLD, GroupRange, Grouping, Neighbourhood, neighbourhood
from ..model import (ROUTE_SURFACES, SERVICE_SURFACES, Cluster, HelmReleaseInfo, KustomizationNode, Surface,
                     address_list, address_order, endpoint)
from .markdown import one_line
from .phrases import count

FONT = "Helvetica"
NODE_MARGIN = "0.15,0.07"
MAX_TOOLTIP_REASON = 200
MAX_LABEL = 40  # characters of one label line; longer values are cut, the whole value is in the tooltip

View = Literal["auto", "full", "overview"]

_PLAIN_ID = re.compile(r"[A-Za-z0-9_./-]+")
_DIGEST = re.compile(r"@(sha256|sha512):([0-9a-fA-F]{12})[0-9a-fA-F]+")


# --- escaping ---------------------------------------------------------------------------------


def _clean(value: object) -> str:
    """Text on one line: white space collapsed, other control and bidi characters as visible escapes."""
    return one_line(value)


def short(value: object, limit: int = MAX_LABEL) -> str:
    """A label line that stays readable: an image digest cut to its first 12 digits, then anything longer than
    ``limit`` characters cut in the middle (the end of a URL or image says most)."""
    text = _DIGEST.sub(lambda m: f"@{m.group(1)}:{m.group(2)}…", _clean(value))
    if len(text) <= limit:
        return text
    head = limit // 3
    return text[:head] + "…" + text[len(text) - (limit - head - 1):]


def _esc(value: object) -> str:
    """Escape one line for a DOT escString rendered by Graphviz: entities and backslashes literal."""
    return _clean(value).replace("&", "&amp;").replace("\\", "\\\\")


def _text(value: object) -> str:
    """A single-line attribute value (tooltip, URL, cluster label) safe for DOT and SVG."""
    return graphviz.nohtml(_esc(value))


def _url(value: object) -> str:
    """A link target: characters that are unsafe in a URL (quotes, brackets, spaces) percent-encoded.

    Old Graphviz releases copy URL attributes into the SVG without escaping quotes.
    """
    return graphviz.nohtml(_esc(quote(_clean(value), safe="/:?#[]@!$&'()*+,;=%~")))


def _label(*lines: object, cut: bool = True) -> str:
    """A multi-line centred label built from manifest text, each line cut short (unless ``cut`` is false: a
    sentence of our own around one value); never an HTML-like label."""
    return graphviz.nohtml("\\n".join(_esc(short(line) if cut else line) for line in lines if line not in (None, "")))


def _tooltip(*lines: object) -> str:
    """A multi-line tooltip: every value whole."""
    return graphviz.nohtml("\\n".join(_esc(line) for line in lines if line not in (None, "")))


def _node_id(kind: str, ident: str) -> str:
    """A DOT node identifier that is always plain text (unusual input gets a hash suffix)."""
    raw = f"{kind}_{ident}"
    if _PLAIN_ID.fullmatch(raw):
        return raw
    safe = re.sub(r"[^A-Za-z0-9_./-]", "_", raw)
    return f"{safe}~{hashlib.sha256(raw.encode('utf-8')).hexdigest()[:10]}"


def _new_graph(name: str, rankdir: str) -> graphviz.Digraph:
    g = graphviz.Digraph(name=name)
    g.attr(rankdir=rankdir, newrank="true", fontname=FONT, fontsize="12", nodesep="0.25", ranksep="0.45")
    g.attr("node", shape="box", style="rounded", fontname=FONT, fontsize="11", margin=NODE_MARGIN, height="0.3")
    g.attr("edge", fontname=FONT, fontsize="9", arrowsize="0.7")
    return g


# --- the order: nodes and edges every view draws ------------------------------------------------

EDGE_STYLE: dict[str, dict[str, str]] = {
    "dependsOn": {"class": "fw-depends"},
    "appliedBy": {"style": "dashed", "class": "fw-applied"},
    "missing": {"style": "dashed", "color": "#c62828", "class": "fw-missing"},
    "gate": {"style": "dotted", "constraint": "false", "class": "fw-gate"},
    "cut": {"style": "dashed", "arrowhead": "none", "class": "fw-cut"},
}


@dataclass
class _Node:
    """One box of an order diagram, before it is written as DOT or Mermaid."""

    key: str  # the Kustomization id, group key or a synthetic name
    dot_id: str
    lines: list[str]
    tooltip: list[str]
    url: str | None = None
    classes: list[str] = field(default_factory=list)
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, order=True)
class _Link:
    """One edge of an order diagram: ``kind`` is an EDGE_STYLE key."""

    source: str  # dot ids
    target: str
    kind: str
    label: str = ""
    weight: int = 1  # how many edges an overview edge stands for


@dataclass
class _Diagram:
    name: str
    tooltip: str
    rankdir: str
    nodes: list[_Node] = field(default_factory=list)
    links: list[_Link] = field(default_factory=list)
    clusters: list[tuple[str, list[_Node]]] = field(default_factory=list)  # (title, nodes) drawn as boxes
    ranks: list[list[str]] = field(default_factory=list)  # dot ids drawn side by side


def _ks(node_id: str) -> str:
    return _node_id("ks", node_id)


def _health_checks(node: KustomizationNode) -> int:
    checks = node.spec.get("healthChecks")
    return len(checks) if isinstance(checks, list) else 0


def _flags(facts: ClusterFacts, node: KustomizationNode) -> list[str]:
    flags = []
    if node.wait:
        flags.append("wait")
    checks = _health_checks(node)
    if checks:
        flags.append(count(checks, "health check"))
    if node.spec.get("suspend") is True:
        flags.append("suspended")
    elif node.id in facts.order.blocked:
        flags.append("never Ready")
    if node.status in ("error", "skipped", "partial"):
        flags.append(node.status)
    return flags


def _layer_tooltip(facts: ClusterFacts, node: KustomizationNode) -> list[str]:
    parts = [node.id, f"path: {node.path or '(none)'}", count(len(node.resources), "object")]
    helm = facts.helm_release_count(node.id)
    if helm:
        parts.append(count(helm, "HelmRelease"))
    parts.append(f"level {facts.order.levels.get(node.id, 0)}")
    if node.depends_on:
        parts.append(f"depends on {len(node.depends_on)}")
    if node.parent and node.parent != facts.cluster.root_id:
        parts.append(f"applied by {node.parent}")
    if node.wait:
        parts.append("wait: true")
    checks = _health_checks(node)
    if checks:
        parts.append(count(checks, "health check"))
    blocker = facts.order.blocked.get(node.id)
    if blocker is not None:
        parts.append(f"never Ready: {_clean(blocker.detail)[:MAX_TOOLTIP_REASON]}")
    if node.status != "built":
        reason = _clean(node.reason or "")[:MAX_TOOLTIP_REASON]
        parts.append(f"status: {node.status}" + (f" ({reason})" if reason else ""))
    return parts


def _layer_node(facts: ClusterFacts, node: KustomizationNode, url: str | None, show_namespace: bool) -> _Node:
    second = ([node.namespace] if show_namespace else []) + [count(len(node.resources), "object")]
    classes = ["fw-layer"]
    style = ["rounded"]
    attrs: dict[str, str] = {}
    if node.wait or _health_checks(node):
        classes.append("fw-wait")
        attrs["penwidth"] = "2.2"
    if node.status == "error":
        classes.append("fw-error")
        attrs.update(color="#c62828", fontcolor="#c62828", penwidth="2.2")
    elif node.status == "skipped":
        classes.append("fw-skipped")
        style.append("dashed")
        attrs.update(color="#9e9e9e", fontcolor="#616161")
    elif node.status == "partial":  # built, but part of it (remote resources, plugins) is not shown
        classes.append("fw-partial")
        style.append("dashed")
    elif node.status == "pending":
        style.append("dotted")
    if node.id in facts.order.blocked:
        classes.append("fw-blocked")
        if "dashed" not in style:
            style.append("dashed")
    attrs["style"] = ",".join(style)
    return _Node(node.id, _ks(node.id), [node.name, ", ".join(second), ", ".join(_flags(facts, node))],
                 _layer_tooltip(facts, node), url, classes, attrs)


def _root_node(facts: ClusterFacts, url: str | None) -> _Node:
    root = facts.cluster.root
    return _Node(root.id, _ks(root.id), ["Flux root", root.name],
                 [f"{root.id}: the Kustomization the bootstrap applies", f"path: {root.path or '(none)'}"], url,
                 ["fw-root"], {"style": "rounded,filled", "fillcolor": "#eeeeee"})


def _missing_node(dep: str) -> _Node:
    return _Node(dep, _ks(dep), [dep, "not in this cluster"],
                 [f"dependsOn target {dep} is not a Kustomization of this cluster"], None, ["fw-missing"],
                 {"style": "rounded,dashed", "color": "#c62828", "fontcolor": "#c62828"})


def _order_links(facts: ClusterFacts, nodes: set[str]) -> list[_Link]:
    """dependsOn and applied-by edges between ``nodes`` (the Flux root's applied-by edges only when the root is
    drawn), gates as labels on applied-by edges or as edges of their own."""
    order = facts.order
    gated = {(g.parent, g.child): g.reason for n in nodes for g in order.gate_links(n) if g.child in nodes}
    links = set()
    for n in nodes:
        for e in facts.edges_into(n):
            if e.before not in nodes:
                continue
            label = ""
            if e.kind == "appliedBy" and (e.before, e.after) in gated:
                label = "wait" if gated.pop((e.before, e.after)) == "wait" else "health check"
            links.add(_Link(_ks(e.before), _ks(e.after), e.kind, label))
    for (parent, child), reason in gated.items():  # a health check on a Kustomization the parent does not apply
        links.add(_Link(_ks(child), _ks(parent), "gate", "Ready before" if reason == "wait" else "health check"))
    return sorted(links)


def _dangling_links(facts: ClusterFacts, nodes: list[KustomizationNode]) -> tuple[list[_Node], list[_Link]]:
    missing: dict[str, list[str]] = defaultdict(list)
    for node in nodes:
        for dep in facts.layer(node.id).dangling:
            missing[dep].append(node.id)
    return ([_missing_node(dep) for dep in sorted(missing)],
            [_Link(_ks(dep), _ks(n), "missing") for dep in sorted(missing) for n in sorted(missing[dep])])


def _shown_layers(facts: ClusterFacts) -> list[KustomizationNode]:
    return sorted((layer.node for layer in facts.layers), key=lambda n: n.id)


def _full(facts: ClusterFacts, url_for: Callable[[str], str], grouping: Grouping | None) -> _Diagram:
    nodes = _shown_layers(facts)
    by_namespace = grouping is not None and grouping.by == "namespace"
    show_namespace = not by_namespace and len({n.namespace for n in nodes}) > 1
    d = _Diagram("layers", f"Flux Kustomizations of cluster {facts.cluster.name}",
                 "LR" if grouping is not None else "TB")
    boxes = {n.id: _layer_node(facts, n, url_for(n.id), show_namespace) for n in nodes}
    if grouping is None:
        d.nodes.extend(boxes.values())
    else:
        for group in grouping.groups:
            d.clusters.append((group.title, [boxes[m] for m in group.members]))
    missing, dangling = _dangling_links(facts, nodes)
    d.nodes.extend(missing)
    levels: dict[int, list[str]] = defaultdict(list)
    for node in nodes:
        levels[facts.order.levels.get(node.id, 0)].append(_ks(node.id))
    d.ranks = [levels[level] for level in sorted(levels)]
    d.links = _order_links(facts, set(boxes)) + dangling
    return d


def _overview(facts: ClusterFacts, grouping: Grouping, group_url: Callable[[str], str] | None) -> _Diagram:
    if any(isinstance(part, GroupRange) for part in grouping.listed):
        return _range_overview(facts, grouping, group_url)
    d = _Diagram("overview", f"Flux Kustomizations of cluster {facts.cluster.name}, by {grouping.by}", "LR")
    kinds = {"dependsOn": "dependsOn", "appliedBy": "applied"}
    for group in grouping.groups:
        inside = grouping.internal.get(group.key, {})
        lines = [group.title, count(len(group.members), "Kustomization")]
        inner = ", ".join(f"{n} {kinds[k]}" for k, n in sorted(inside.items()))
        if inner:
            lines.append(f"inside: {inner}")
        names = [m.split("/", 1)[1] for m in group.members]
        tooltip = [f"{group.title}: {count(len(names), 'Kustomization')}",
                   ", ".join(names[:12]) + (f" and {len(names) - 12} more" if len(names) > 12 else "")]
        blocked = sum(1 for m in group.members if m in facts.order.blocked)
        classes = ["fw-group"]
        if blocked:
            lines.append(f"{blocked} never Ready")
            classes.append("fw-blocked")
        d.nodes.append(_Node(group.key, _node_id("group", group.key), lines, tooltip,
                             group_url(group.key) if group_url else None, classes))
    for e in grouping.edges:
        d.links.append(_Link(_node_id("group", e.before), _node_id("group", e.after), e.kind,
                             f"{e.count}" if e.count > 1 else "", e.count))
    return d


def _range_overview(facts: ClusterFacts, grouping: Grouping, group_url: Callable[[str], str] | None) -> _Diagram:
    """The overview of a cluster of more than MAX_LISTED groups: one node per range of groups, as the nav lists
    them, linking to its first group's part of the table; the edges between groups counted per pair of ranges."""
    d = _Diagram("overview", f"Flux Kustomizations of cluster {facts.cluster.name}, by ranges of {grouping.by}",
                 "LR")
    kinds = {"dependsOn": "dependsOn", "appliedBy": "applied"}
    ranges = [part for part in grouping.listed if isinstance(part, GroupRange)]
    range_of = {group.key: index for index, r in enumerate(ranges) for group in r.groups}
    inside: list[Counter[str]] = [Counter() for _ in ranges]
    between: Counter[tuple[str, int, int]] = Counter()
    for key, kinds_inside in grouping.internal.items():
        inside[range_of[key]].update(kinds_inside)
    for e in grouping.edges:
        a, b = range_of[e.before], range_of[e.after]
        if a == b:
            inside[a][e.kind] += e.count
        else:
            between[(e.kind, a, b)] += e.count
    for index, r in enumerate(ranges):
        groups = r.groups
        members = [m for g in groups for m in g.members]
        first, last = r.ends
        lines = [r.title.removesuffix(f" – {last}"), f"– {last}",  # two lines: each stays whole more often
                 f"{count(len(groups), 'group')}, {count(len(members), 'Kustomization')}"]
        inner = ", ".join(f"{n} {kinds[k]}" for k, n in sorted(inside[index].items()))
        if inner:
            lines.append(f"inside: {inner}")
        keys = [g.key or "(top)" for g in groups]
        tooltip = [f"{r.title}: {count(len(groups), grouping.by)}",
                   ", ".join(keys[:12]) + (f" and {len(keys) - 12} more" if len(keys) > 12 else "")]
        blocked = sum(1 for m in members if m in facts.order.blocked)
        classes = ["fw-group"]
        if blocked:
            lines.append(f"{blocked} never Ready")
            classes.append("fw-blocked")
        d.nodes.append(_Node(r.title, _node_id("range", str(index)), lines, tooltip,
                             group_url(groups[0].key) if group_url else None, classes))
    for (kind, a, b), n in sorted(between.items()):
        d.links.append(_Link(_node_id("range", str(a)), _node_id("range", str(b)), kind, f"{n}" if n > 1 else "", n))
    return d


def _neighbourhood(facts: ClusterFacts, hood: Neighbourhood, url_for: Callable[[str], str],
                   root_url: str | None) -> _Diagram:
    cluster = facts.cluster
    d = _Diagram("neighbourhood", f"Where {hood.focus} waits in the order of cluster {cluster.name}", "LR")
    drawn = [cluster.kustomizations[n] for n in hood.nodes]
    show_namespace = len({n.namespace for n in drawn if n.id != cluster.root_id}) > 1
    for node in drawn:
        if node.id == cluster.root_id:
            d.nodes.append(_root_node(facts, root_url))
            continue
        box = _layer_node(facts, node, url_for(node.id) if facts.shown(node.id) else None, show_namespace)
        if node.id == hood.focus:
            box.classes.append("fw-focus")
            box.attrs["penwidth"] = "3"
            box.attrs["style"] += ",bold"
        d.nodes.append(box)
    d.links = _order_links(facts, set(hood.nodes))
    if hood.cut and hood.cut_after and hood.cut_before:
        gap = _Node("cut", "cut", [f"… {count(hood.cut, 'Kustomization')} …"],
                    [f"{count(hood.cut, 'Kustomization')} of the chain are left out: the DAG page has them all"],
                    root_url, ["fw-cut"], {"style": "dashed"})
        d.nodes.append(gap)
        d.links += [_Link(_ks(hood.cut_after), "cut", "cut"), _Link("cut", _ks(hood.cut_before), "cut")]
    for key, n, end in (("more-waits", hood.more_waits, "before"), ("more-dependents", hood.more_dependents, "after")):
        if n:
            d.nodes.append(_Node(key, key, [f"+{count(n, 'more Kustomization')}"],
                                 [f"{count(n, 'more Kustomization')} not drawn: see the layer's Spec table"], None,
                                 ["fw-cut"], {"style": "dashed"}))
            d.links.append(_Link(key, _ks(hood.focus), "cut") if end == "before" else
                           _Link(_ks(hood.focus), key, "cut"))
    return d


def _dot(d: _Diagram) -> str:
    g = _new_graph(d.name, d.rankdir)
    g.attr(tooltip=_text(d.tooltip))

    def add(sub: graphviz.Digraph, node: _Node) -> None:
        attrs = dict(node.attrs)
        if node.url:
            attrs["URL"] = _url(node.url)
        sub.node(node.dot_id, label=_label(*node.lines), tooltip=_tooltip(*node.tooltip),
                 **{"class": " ".join(node.classes)}, **attrs)

    for index, (title, members) in enumerate(d.clusters):
        with g.subgraph(name=f"cluster_{index}") as sub:
            sub.attr(label=_text(title), style="rounded", tooltip=_text(title), fontsize="11")
            for node in members:
                add(sub, node)
    for node in d.nodes:
        add(g, node)
    for rank in d.ranks:
        with g.subgraph() as same:
            same.attr(rank="same")
            for dot_id in rank:
                same.node(dot_id)
    for link in d.links:
        attrs = dict(EDGE_STYLE[link.kind])
        if link.label:
            attrs["label"] = _text(link.label)
        if link.weight > 1 and link.kind == "dependsOn":  # applied-by counts are in the group's own label
            attrs["penwidth"] = f"{min(1 + math.log2(link.weight) / 2, 3):.2g}"
        g.edge(link.source, link.target, **attrs)
    return g.source


def _views(facts: ClusterFacts, view: View) -> tuple[Literal["full", "overview"], Grouping | None]:
    """The view ``auto`` stands for (the overview above GROUP_THRESHOLD shown layers, when they split into
    groups), and the grouping that view draws."""
    if view not in ("auto", "full", "overview"):
        raise ValueError(f"unknown view {view!r}: expected auto, full or overview")
    large = len(facts.layers) > GROUP_THRESHOLD
    grouping = facts.grouping if large or view == "overview" else None
    if view == "overview" and grouping is None:
        raise ValueError(f"cluster {facts.cluster.name}: its layers form no groups (one namespace, parent and "
                         "path folder); use the full view")
    if view == "auto":
        view = "overview" if grouping is not None else "full"
    return view, grouping


def layer_dag_dot(facts: ClusterFacts, url_for: Callable[[str], str], *, view: View = "auto",
                  group_url: Callable[[str], str] | None = None) -> str:
    """DOT of the cluster's order: ``full`` (every shown layer, grouped in boxes when there are more than
    GROUP_THRESHOLD), ``overview`` (one node per group, linking to ``group_url(key)``) or ``auto`` (the overview
    for a large cluster, else the full graph). ``url_for(node_id)`` is a layer's page."""
    chosen, grouping = _views(facts, view)
    if chosen == "overview":
        assert grouping is not None
        return _dot(_overview(facts, grouping, group_url))
    return _dot(_full(facts, url_for, grouping))


def neighbourhood_dot(facts: ClusterFacts, node_id: str, url_for: Callable[[str], str],
                      root_url: str | None = None) -> str:
    """DOT of one layer's neighbourhood (:func:`flux_wiki.analysis.views.neighbourhood`), the layer highlighted;
    the Flux root links to ``root_url``."""
    return _dot(_neighbourhood(facts, neighbourhood(facts, node_id), url_for, root_url))


def _node_json(facts: ClusterFacts, n: KustomizationNode) -> dict[str, Any]:
    return {
        "id": n.id, "namespace": n.namespace, "name": n.name, "level": facts.order.levels.get(n.id, n.level),
        "path": n.path, "parent": n.parent, "status": n.status, "wait": n.wait, "health_checks": _health_checks(n),
        "objects": len(n.resources), "depends_on": sorted(facts.layer(n.id).depends_on + facts.layer(n.id).dangling),
        "suspend": n.spec.get("suspend") is True, "blocked": n.id in facts.order.blocked, "file": n.file,
        "line": n.line,
    }


def _edges_json(facts: ClusterFacts, nodes: set[str]) -> list[dict[str, Any]]:
    edges = [{"kind": e.kind, "from": e.before, "to": e.after, "missing": False, "file": e.file, "line": e.line}
             for n in sorted(nodes) for e in facts.edges_into(n) if e.before in nodes]
    edges += [{"kind": "dependsOn", "from": e.before, "to": e.after, "missing": True, "file": e.file,
               "line": e.line} for e in facts.order.dangling if e.after in nodes]
    return sorted(edges, key=lambda e: (e["from"], e["to"], e["kind"]))


def layer_dag_json(facts: ClusterFacts, *, view: View = "full", layer: str | None = None) -> dict[str, Any]:
    """A view as plain data. ``full``: nodes (sorted by id) and edges (``kind`` dependsOn or appliedBy, from the
    dependency or parent to the dependent or child; ``missing`` for a dependsOn on nothing); ``overview``: groups
    and counted edges; with ``layer``: that layer's neighbourhood."""
    cluster = facts.cluster
    if layer is not None:
        hood = neighbourhood(facts, layer)
        drawn = [cluster.kustomizations[n] for n in hood.nodes if n != cluster.root_id]
        return {"cluster": cluster.name, "view": "layer", "focus": layer,
                "nodes": [_node_json(facts, n) for n in sorted(drawn, key=lambda n: n.id)],
                "edges": _edges_json(facts, set(hood.nodes)),
                "gates": [{"parent": g.parent, "child": g.child, "reason": g.reason} for g in hood.gates],
                "cut": hood.cut, "moreWaits": hood.more_waits, "moreDependents": hood.more_dependents}
    chosen, grouping = _views(facts, view)
    if chosen == "overview":
        assert grouping is not None
        return {"cluster": cluster.name, "view": "overview", "groupBy": grouping.by,
                "groups": [{"key": g.key, "title": g.title, "members": list(g.members),
                            "internal": dict(sorted(grouping.internal.get(g.key, {}).items()))}
                           for g in grouping.groups],
                "edges": [{"kind": e.kind, "from": e.before, "to": e.after, "count": e.count} for e in grouping.edges]}
    nodes = _shown_layers(facts)
    return {"cluster": cluster.name, "view": "full", "nodes": [_node_json(facts, n) for n in nodes],
            "edges": _edges_json(facts, {n.id for n in nodes}),
            "gates": [{"parent": g.parent, "child": g.child, "reason": g.reason}
                      for n in nodes for g in facts.order.gate_links(n.id)]}


def _mermaid_id(ident: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9_]", "_", ident)
    return f"ks_{safe}_{hashlib.sha256(ident.encode('utf-8')).hexdigest()[:6]}"


# "`" too: a label wrapped in backticks is a Mermaid Markdown string
_MERMAID_ENTITIES = {"#": "#35;", "&": "#38;", '"': "#34;", "<": "#60;", ">": "#62;", "`": "#96;"}
_MERMAID_ARROWS = {"dependsOn": "-->", "appliedBy": "-.->", "missing": "-.->", "gate": "-.->", "cut": "---"}
_MERMAID_CLASSES = {
    "error": "stroke:#c62828,stroke-width:2px,color:#c62828",
    "skipped": "stroke-dasharray:4 3,color:#757575",
    "partial": "stroke-dasharray:4 3",
    "wait": "stroke-width:3px",
    "missing": "stroke:#c62828,stroke-dasharray:4 3",
    "blocked": "stroke-dasharray:4 3",
    "focus": "stroke-width:4px",
}


def _mermaid_text(value: object) -> str:
    """Label text for a quoted Mermaid node: markup characters as Mermaid numeric entities."""
    return "".join(_MERMAID_ENTITIES.get(char, char) for char in _clean(value))


def _mermaid(d: _Diagram) -> str:
    lines = ["flowchart " + ("LR" if d.rankdir == "LR" else "TD")]
    ids = {}
    styled: dict[str, list[str]] = defaultdict(list)
    for node in [n for _, members in d.clusters for n in members] + d.nodes:
        mid = ids[node.dot_id] = _mermaid_id(node.key)
        label = node.key if node.classes[:1] == ["fw-layer"] else " · ".join(node.lines[:2])
        if "fw-missing" in node.classes:
            label += " (missing)"
        lines.append(f'  {mid}["{_mermaid_text(short(label, 80))}"]')
        for css in ("error", "skipped", "partial", "missing", "blocked", "focus", "wait"):
            if f"fw-{css}" in node.classes:
                styled[css].append(mid)
                break
    for link in d.links:
        arrow = _MERMAID_ARROWS[link.kind]
        label = f"|{_mermaid_text(link.label)}|" if link.label else ""
        lines.append(f"  {ids[link.source]} {arrow}{label} {ids[link.target]}")
    for name in sorted(styled):
        lines.append(f"  classDef {name} {_MERMAID_CLASSES[name]}")
        lines.append(f"  class {','.join(styled[name])} {name}")
    return "\n".join(lines) + "\n"


def layer_dag_mermaid(facts: ClusterFacts, *, view: View = "auto", layer: str | None = None) -> str:
    """Mermaid flowchart of a view (ids sanitised, labels entity-escaped): as :func:`layer_dag_dot`, or with
    ``layer`` that layer's neighbourhood."""
    if layer is not None:
        return _mermaid(_neighbourhood(facts, neighbourhood(facts, layer), lambda i: "", None))
    chosen, grouping = _views(facts, view)
    if chosen == "overview":
        assert grouping is not None
        return _mermaid(_overview(facts, grouping, None))
    return _mermaid(_full(facts, lambda i: "", grouping))


# --- per-layer traffic diagram ----------------------------------------------------------------


@dataclass
class _Box:
    """One object in a layer diagram, collected before the DOT is written."""

    key: str
    namespace: str
    label_lines: list[str]
    css: str
    tooltip: str
    dashed: bool = False


class _LayerGraph:
    """Collects nodes and edges of one layer diagram so they can be emitted sorted."""

    def __init__(self) -> None:
        self.entries: dict[str, _Box] = {}
        self.objects: dict[str, _Box] = {}
        self.edges: set[tuple[str, str, str, bool]] = set()

    def entry(self, label: str, css: str, tooltip: str) -> str:
        key = _node_id("entry", label)
        self.entries.setdefault(key, _Box(key, "", [label], css, tooltip))
        return key

    def obj(self, kind: str, namespace: str, name: str, extra: list[str] | None = None,
            *, placeholder: bool = False) -> str:
        key = _node_id("obj", f"{kind.lower()}/{namespace}/{name}")
        box = self.objects.get(key)
        if box is None or (box.dashed and not placeholder):
            css = "fw-helm" if kind == "HelmRelease" else "fw-object"
            # a placeholder is a route's backend among no surface of the layer: a chart flux-wiki does not
            # inflate, or another layer, may well apply it
            where = ": not in this layer's manifests (a chart or another layer may apply it)" if placeholder else ""
            box = _Box(key, namespace, [f"{kind} {name}"], css, f"{kind} {namespace}/{name}{where}",
                       dashed=placeholder)
            self.objects[key] = box
        for line in extra or []:
            if line and line not in box.label_lines:
                box.label_lines.append(line)
        return key

    def edge(self, source: str, target: str, label: str = "", dashed: bool = False) -> None:
        self.edges.add((source, target, label, dashed))


def _entry_label(s: Surface) -> str:
    if s.kind in ROUTE_SURFACES:
        path = s.path if s.path not in (None, "", "/") else ""
        return f"{s.host or '*'}{path}"
    if s.address:
        where = endpoint(s.address, s.port)
    else:
        where = ("any node" if s.kind == "nodeport" else "address pending") + (f":{s.port}" if s.port is not None else "")
    proto = f"/{s.protocol}" if s.protocol else ""
    host = f" {s.host}" if s.host else ""
    return f"{where}{proto}{host}"


def layer_diagram_dot(cluster: Cluster, layer_id: str, surfaces: list[Surface],
                      url_for: Callable[[str], str], *, releases: list[HelmReleaseInfo] | None = None) -> str:
    """DOT of one layer: entry addresses/hosts -> routes -> Services -> workloads, HelmReleases as boxes.

    ``releases`` are the layer's HelmReleases (the analysis has them by layer; default: those of the cluster's
    whose ``layer`` is ``layer_id``), so that drawing every layer does not scan every release each time.
    """
    if releases is None:
        releases = [hr for hr in cluster.helm_releases if hr.layer == layer_id]
    mine = sorted((s for s in surfaces if s.layer == layer_id), key=lambda s: (s.sort_key(), s.target or ""))
    lg = _LayerGraph()
    for hr in sorted(releases, key=lambda hr: (hr.namespace, hr.name)):
        chart = f"chart {hr.chart or '?'}" + (f" {hr.version}" if hr.version else "")
        lg.obj("HelmRelease", hr.namespace, hr.name, [chart])
    images: dict[str, list[str]] = defaultdict(list)
    hosts: dict[str, str] = {}
    for s in mine:
        if s.kind == "certificate":
            continue
        owner = lg.obj(s.object_kind, s.namespace, s.name)
        if s.kind == "workload":
            if s.target and s.target not in images[owner]:
                images[owner].append(s.target)
            continue
        if s.kind in ("loadbalancer", "nodeport", "gateway") or (s.kind in ROUTE_SURFACES and s.host is not None):
            label = _entry_label(s)
            entry = lg.entry(label, "fw-entry", f"{s.kind}: {label}")
            if s.host:
                hosts.setdefault(s.host, entry)
            lg.edge(entry, owner)
        objects = [t for t in s.targets if t.kind and t.name]
        if s.kind in SERVICE_SURFACES:
            for t in objects:
                lg.edge(owner, lg.obj(t.kind, s.namespace, t.name))
        elif s.kind in ROUTE_SURFACES:
            for t in objects:
                ns = t.namespace or s.namespace
                existing = _node_id("obj", f"{t.kind.lower()}/{ns}/{t.name}")
                target = existing if existing in lg.objects else lg.obj(t.kind, ns, t.name, placeholder=True)
                lg.edge(owner, target, t.port or "")
    for s in mine:
        if s.kind == "certificate" and s.host in hosts:
            issuer = f"issuer {s.target}" if s.target else ""
            lg.edge(hosts[s.host], lg.obj("Certificate", s.namespace, s.name, [issuer]), "", dashed=True)
    for owner, found in images.items():
        box = lg.objects[owner]
        box.label_lines.extend(found[:3] + ([f"+{len(found) - 3} more images"] if len(found) > 3 else []))

    g = _new_graph("layer", "LR")
    g.attr(tooltip=_text(f"Surfaces of layer {layer_id}"))
    if not lg.objects and not lg.entries:
        g.node("empty", label=_label(f"{short(layer_id)}: no Services, routes, workloads or HelmReleases", cut=False),
               shape="note", **{"class": "fw-note"})
        return g.source
    with g.subgraph() as first:
        first.attr(rank="min")
        for box in sorted(lg.entries.values(), key=lambda b: b.key):
            first.node(box.key, label=_label(*box.label_lines), tooltip=_tooltip(box.tooltip), shape="cds",
                       style="solid", **{"class": box.css})
    namespaces: dict[str, list[_Box]] = defaultdict(list)
    for box in lg.objects.values():
        namespaces[box.namespace].append(box)
    for index, namespace in enumerate(sorted(namespaces)):
        with g.subgraph(name=f"cluster_{index}") as sub:
            sub.attr(label=_text(f"namespace {namespace}"), style="rounded", fontsize="11")
            for box in sorted(namespaces[namespace], key=lambda b: b.key):
                attrs = {"style": "rounded,dashed", "color": "#9e9e9e"} if box.dashed else {}
                if box.css == "fw-helm":
                    attrs["shape"] = "component"
                    attrs["style"] = "solid"
                sub.node(box.key, label=_label(*box.label_lines), tooltip=_tooltip(box.tooltip, *box.label_lines[1:]),
                         **{"class": box.css}, **attrs)
    for source, target, label, dashed in sorted(lg.edges):
        attrs = {"label": _text(label)} if label else {}
        if dashed:
            attrs.update(style="dashed", arrowhead="none", constraint="false")
        g.edge(source, target, **attrs)
    return g.source


# --- surface map ------------------------------------------------------------------------------


def _domain(host: str) -> str:
    """The group a host is listed under: its last two labels (or the variable it ends in)."""
    labels = host.split(".")
    if len(labels) > 2:
        return ".".join(labels[-2:])
    if len(labels) == 2 and "${" in labels[-1]:
        return labels[-1]
    return host


def _item_order(item: str) -> tuple:
    """Entries of a surface-map group: ``80/TCP ns/name`` by port number, hosts by text."""
    port = item.split("/", 1)[0]
    return (int(port), item) if port.isdigit() else (1 << 17, item)
def _collapsed(owners: list[set[tuple[str, str]]]) -> bool:
    """Whether the layer dimension says little: one layer declares more than half of the entry points, and
    their namespaces split them further (a repo where one Kustomization applies everything)."""
    per_layer: dict[str, int] = defaultdict(int)
    for found in owners:
        for layer in {layer for layer, _ in found}:
            per_layer[layer] += 1
    pairs = {pair for found in owners for pair in found}
    return (len(owners) >= 6 and max(per_layer.values(), default=0) * 2 > len(owners)
            and len(pairs) > len(per_layer))


def surface_map_dot(cluster: Cluster, surfaces: list[Surface], url_for: Callable[[str], str]) -> str:
    """DOT of all entry points: LoadBalancer/Gateway addresses grouped by IP, hosts grouped by domain, each
    leading to the layer that declares it (linked to its page); when one layer declares most of them, to the
    namespaces inside each layer instead."""
    addresses: dict[str, dict[str, set[tuple[str, str]]]] = defaultdict(lambda: defaultdict(set))
    hosts: dict[str, dict[str, set[tuple[str, str]]]] = defaultdict(lambda: defaultdict(set))
    for s in surfaces:
        if s.kind in ("loadbalancer", "nodeport", "gateway") and (s.port is not None or s.address):
            ips = address_list(s.address)
            if not ips:
                ips = ["node ports"] if s.kind == "nodeport" else ["address pending"]
            port = f"{s.port}/{s.protocol or 'TCP'}" if s.port is not None else "(no port)"
            for ip in ips:
                addresses[ip][f"{port} {s.namespace}/{s.name}"].add((s.layer, s.namespace))
        if (s.kind in ROUTE_SURFACES or s.kind == "gateway") and s.host:
            hosts[_domain(s.host)][s.host].add((s.layer, s.namespace))

    g = _new_graph("surfaces", "LR")
    g.attr(tooltip=_text(f"Entry points of cluster {cluster.name}"), ranksep="1.0")
    owners = [found for groups in (addresses, hosts) for items in groups.values() for found in items.values()]
    if not owners:
        g.node("empty", label=_label("no LoadBalancer addresses or hosts found", cut=False), shape="note",
               **{"class": "fw-note"})
        return g.source
    by_namespace = _collapsed(owners)

    def target(layer: str, namespace: str) -> str:
        return _node_id("ns", f"{layer}/{namespace}") if by_namespace else _node_id("ks", layer)

    def add_group(prefix: str, index: int, title: str, items: dict[str, set[tuple[str, str]]]) -> None:
        with g.subgraph(name=f"cluster_{prefix}{index}") as sub:
            sub.attr(label=_text(title), style="rounded", fontsize="11")
            for item in sorted(items, key=_item_order):
                layers = sorted({layer for layer, _ in items[item]})
                attrs = {"URL": _url(url_for(layers[0]))} if len(layers) == 1 else {}
                sub.node(_node_id(prefix, f"{title}/{item}"), label=_label(item), shape="cds",
                         tooltip=_text(f"{item} - declared by {', '.join(layers)}"),
                         **{"class": "fw-entry"}, **attrs)
                for found in sorted({target(*pair) for pair in items[item]}):
                    g.edge(_node_id(prefix, f"{title}/{item}"), found)

    for index, ip in enumerate(sorted(addresses, key=address_order)):
        add_group("ip", index, ip, addresses[ip])
    for index, domain in enumerate(sorted(hosts)):
        add_group("host", index, domain, hosts[domain])
    pairs = sorted({pair for found in owners for pair in found})
    layers = sorted({layer for layer, _ in pairs})
    show_namespace = len({layer.split("/", 1)[0] for layer in layers}) > 1
    for index, layer in enumerate(layers):
        known = cluster.kustomizations.get(layer)
        name, namespace = (known.name, known.namespace) if known else (layer, "")
        if not by_namespace:
            g.node(_node_id("ks", layer), label=_label(name, namespace if show_namespace else ""),
                   URL=_url(url_for(layer)), tooltip=_text(f"layer {layer}"), **{"class": "fw-layer"})
            continue
        with g.subgraph(name=f"cluster_layer{index}") as sub:
            title = f"layer {name}" + (f" ({namespace})" if show_namespace else "")
            sub.attr(label=_text(title), style="rounded", fontsize="11", tooltip=_text(f"layer {layer}"),
                     URL=_url(url_for(layer)))
            for _, ns in (pair for pair in pairs if pair[0] == layer):
                sub.node(target(layer, ns), label=_label(f"namespace {ns or '(none)'}"), URL=_url(url_for(layer)),
                         tooltip=_text(f"namespace {ns} of layer {layer}"), **{"class": "fw-layer"})
    return g.source
