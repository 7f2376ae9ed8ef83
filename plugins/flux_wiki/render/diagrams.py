"""Diagrams of a cluster as Graphviz DOT (for SVG), Mermaid and JSON (for the CLI).

Every function is deterministic: nodes, edges and groups are sorted, so the same
cluster gives byte-identical text. Text that comes from manifests (names, paths,
hosts) goes through :func:`_text`/:func:`_label`, which neutralise DOT escape
sequences, HTML-like labels, entities and control characters; node identifiers
are derived with :func:`_node_id` so they are always plain.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from urllib.parse import quote

import graphviz

from ..model import (FLUX_HELM_GROUP, ROUTE_SURFACES, SERVICE_SURFACES, Cluster, HelmReleaseInfo, KustomizationNode,
                     Surface, address_order)
from .markdown import one_line
from .phrases import count

GROUP_THRESHOLD = 40
FONT = "Helvetica"
NODE_MARGIN = "0.15,0.07"
MAX_TOOLTIP_REASON = 200

_PLAIN_ID = re.compile(r"[A-Za-z0-9_./-]+")


# --- escaping ---------------------------------------------------------------------------------


def _clean(value: object) -> str:
    """Text on one line: white space collapsed, other control and bidi characters as visible escapes."""
    return one_line(value)


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


def _label(*lines: object) -> str:
    """A multi-line centred label built from manifest text; never an HTML-like label."""
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


# --- layer DAG --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Edge:
    source: str
    target: str
    missing: bool


def _dep_id(node: KustomizationNode, dep: str) -> str:
    dep = str(dep)
    return dep if "/" in dep else f"{node.namespace}/{dep}"


def _health_checks(node: KustomizationNode) -> int:
    checks = node.spec.get("healthChecks")
    return len(checks) if isinstance(checks, list) else 0


def _dag_edges(nodes: list[KustomizationNode], known: set[str]) -> list[_Edge]:
    edges = {
        _Edge(dep, node.id, dep not in known)
        for node in nodes
        for dep in (_dep_id(node, d) for d in node.depends_on)
    }
    return sorted(edges, key=lambda e: (e.source, e.target))


def _choose_grouping(nodes: list[KustomizationNode], group: str) -> str:
    """Resolve ``group`` ("auto", "none", "parent", "namespace") for these nodes.

    "auto" groups only trees larger than GROUP_THRESHOLD, and then by whichever of
    namespace / parent splits the tree into more groups: repos that render every
    app KS from one parent (bjw-s, onedr0p) get one group per app namespace,
    repos that keep every KS in flux-system get one group per parent.
    """
    if group in ("none", "parent", "namespace"):
        return group
    if group != "auto":
        raise ValueError(f"unknown grouping {group!r}: expected auto, none, parent or namespace")
    if len(nodes) <= GROUP_THRESHOLD:
        return "none"
    namespaces = len({n.namespace for n in nodes})
    parents = len({n.parent or "" for n in nodes})
    best = "namespace" if namespaces >= parents else "parent"
    return best if max(namespaces, parents) > 1 else "none"


def _group_key(node: KustomizationNode, grouping: str) -> str:
    return node.namespace if grouping == "namespace" else (node.parent or "")


def _layer_tooltip(node: KustomizationNode) -> str:
    parts = [node.id, f"path: {node.path or '(none)'}", count(len(node.resources), "object")]
    helm = sum(1 for r in node.resources if r.group == FLUX_HELM_GROUP and r.kind == "HelmRelease")
    if helm:
        parts.append(count(helm, "HelmRelease"))
    if node.depends_on:
        parts.append(f"depends on {len(node.depends_on)}")
    if node.wait:
        parts.append("wait: true")
    checks = _health_checks(node)
    if checks:
        parts.append(count(checks, "health check"))
    if node.status != "built":
        reason = _clean(node.reason or "")[:MAX_TOOLTIP_REASON]
        parts.append(f"status: {node.status}" + (f" ({reason})" if reason else ""))
    return "\\n".join(_esc(p) for p in parts)


def _layer_label(node: KustomizationNode, show_namespace: bool) -> str:
    first = node.name
    second = [node.namespace] if show_namespace else []
    second.append(count(len(node.resources), "object"))
    flags = []
    if node.wait:
        flags.append("wait")
    checks = _health_checks(node)
    if checks:
        flags.append(count(checks, "health check"))
    if node.status in ("error", "skipped"):
        flags.append(node.status)
    return _label(first, ", ".join(second), ", ".join(flags))


def _layer_attrs(node: KustomizationNode) -> dict[str, str]:
    classes = ["fw-layer"]
    style = ["rounded"]
    attrs: dict[str, str] = {}
    if node.wait or _health_checks(node):
        classes.append("fw-wait")
        attrs["penwidth"] = "2.2"
    if node.status == "error":
        classes.append("fw-error")
        attrs["color"] = "#c62828"
        attrs["fontcolor"] = "#c62828"
        attrs["penwidth"] = "2.2"
    elif node.status == "skipped":
        classes.append("fw-skipped")
        style.append("dashed")
        attrs["color"] = "#9e9e9e"
        attrs["fontcolor"] = "#616161"
    elif node.status == "pending":
        style.append("dotted")
    attrs["class"] = " ".join(classes)
    attrs["style"] = ",".join(style)
    return attrs


def layer_dag_dot(cluster: Cluster, url_for: Callable[[str], str], *, group: str = "auto") -> str:
    """DOT of the layer DAG: dependency -> dependent, ranked by level, grouped when large."""
    nodes = sorted(cluster.layers(), key=lambda n: n.id)
    known = {n.id for n in nodes}
    grouping = _choose_grouping(nodes, group)
    show_namespace = grouping != "namespace" and len({n.namespace for n in nodes}) > 1
    g = _new_graph("layers", "LR" if grouping != "none" else "TB")
    g.attr(tooltip=_text(f"Flux Kustomizations of cluster {cluster.name}"))

    def add_layer(sub: graphviz.Digraph, node: KustomizationNode) -> None:
        sub.node(
            _node_id("ks", node.id),
            label=_layer_label(node, show_namespace),
            tooltip=graphviz.nohtml(_layer_tooltip(node)),
            URL=_url(url_for(node.id)),
            **_layer_attrs(node),
        )

    if grouping == "none":
        for node in nodes:
            add_layer(g, node)
    else:
        groups: dict[str, list[KustomizationNode]] = defaultdict(list)
        for node in nodes:
            groups[_group_key(node, grouping)].append(node)
        for index, key in enumerate(sorted(groups)):
            title = f"namespace {key}" if grouping == "namespace" else f"from {key or '(entry point)'}"
            with g.subgraph(name=f"cluster_{index}") as sub:
                sub.attr(label=_text(title), style="rounded", tooltip=_text(title), fontsize="11")
                for node in groups[key]:
                    add_layer(sub, node)

    edges = _dag_edges(nodes, known)
    for missing in sorted({e.source for e in edges if e.missing}):
        g.node(
            _node_id("ks", missing),
            label=_label(missing, "not in this cluster"),
            tooltip=_text(f"dependsOn target {missing} is not a Kustomization of this cluster"),
            style="rounded,dashed",
            color="#c62828",
            fontcolor="#c62828",
            **{"class": "fw-missing"},
        )

    levels: dict[int, list[str]] = defaultdict(list)
    for node in nodes:
        if node.level is not None:
            levels[node.level].append(_node_id("ks", node.id))
    for level in sorted(levels):
        with g.subgraph() as rank:
            rank.attr(rank="same")
            for node_id in levels[level]:
                rank.node(node_id)

    for edge in edges:
        attrs = {"style": "dashed", "color": "#c62828"} if edge.missing else {}
        g.edge(_node_id("ks", edge.source), _node_id("ks", edge.target), **attrs)
    return g.source


def layer_dag_json(cluster: Cluster) -> dict[str, Any]:
    """The layer DAG as plain data: nodes (sorted by id) and dependency -> dependent edges."""
    nodes = sorted(cluster.layers(), key=lambda n: n.id)
    known = {n.id for n in nodes}
    return {
        "cluster": cluster.name,
        "nodes": [
            {
                "id": n.id,
                "namespace": n.namespace,
                "name": n.name,
                "level": n.level,
                "path": n.path,
                "parent": n.parent,
                "status": n.status,
                "wait": n.wait,
                "health_checks": _health_checks(n),
                "objects": len(n.resources),
                "depends_on": sorted(_dep_id(n, d) for d in n.depends_on),
                "file": n.file,
                "line": n.line,
            }
            for n in nodes
        ],
        "edges": [{"from": e.source, "to": e.target, "missing": e.missing} for e in _dag_edges(nodes, known)],
    }


def _mermaid_id(ident: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9_]", "_", ident)
    return f"ks_{safe}_{hashlib.sha256(ident.encode('utf-8')).hexdigest()[:6]}"


# "`" too: a label wrapped in backticks is a Mermaid Markdown string
_MERMAID_ENTITIES = {"#": "#35;", "&": "#38;", '"': "#34;", "<": "#60;", ">": "#62;", "`": "#96;"}


def _mermaid_text(value: object) -> str:
    """Label text for a quoted Mermaid node: markup characters as Mermaid numeric entities."""
    return "".join(_MERMAID_ENTITIES.get(char, char) for char in _clean(value))


def layer_dag_mermaid(cluster: Cluster) -> str:
    """Mermaid flowchart of the layer DAG (ids sanitised, labels entity-escaped)."""
    data = layer_dag_json(cluster)
    lines = ["flowchart TD"]
    styled: dict[str, list[str]] = defaultdict(list)
    for node in data["nodes"]:
        mid = _mermaid_id(node["id"])
        lines.append(f'  {mid}["{_mermaid_text(node["id"])}"]')
        if node["status"] in ("error", "skipped"):
            styled[node["status"]].append(mid)
        elif node["wait"] or node["health_checks"]:
            styled["wait"].append(mid)
    for missing in sorted({e["from"] for e in data["edges"] if e["missing"]}):
        mid = _mermaid_id(missing)
        lines.append(f'  {mid}["{_mermaid_text(missing)} (missing)"]')
        styled["missing"].append(mid)
    for edge in data["edges"]:
        lines.append(f"  {_mermaid_id(edge['from'])} --> {_mermaid_id(edge['to'])}")
    class_defs = {
        "error": "stroke:#c62828,stroke-width:2px,color:#c62828",
        "skipped": "stroke-dasharray:4 3,color:#757575",
        "wait": "stroke-width:3px",
        "missing": "stroke:#c62828,stroke-dasharray:4 3",
    }
    for name in sorted(styled):
        lines.append(f"  classDef {name} {class_defs[name]}")
        lines.append(f"  class {','.join(styled[name])} {name}")
    return "\n".join(lines) + "\n"


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
            where = "not applied by this layer" if placeholder else f"{namespace}/{name}"
            box = _Box(key, namespace, [f"{kind} {name}"], css, f"{kind} {where}", dashed=placeholder)
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
    address = s.address or ("any node" if s.kind == "nodeport" else "address pending")
    port = f":{s.port}" if s.port is not None else ""
    proto = f"/{s.protocol}" if s.protocol else ""
    host = f" {s.host}" if s.host else ""
    return f"{address}{port}{proto}{host}"


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
        g.node("empty", label=_label(f"{layer_id}: no Services, routes, workloads or HelmReleases"),
               shape="note", **{"class": "fw-note"})
        return g.source
    with g.subgraph() as first:
        first.attr(rank="min")
        for box in sorted(lg.entries.values(), key=lambda b: b.key):
            first.node(box.key, label=_label(*box.label_lines), tooltip=_text(box.tooltip), shape="cds",
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
                sub.node(box.key, label=_label(*box.label_lines), tooltip=_text(box.tooltip),
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


def surface_map_dot(cluster: Cluster, surfaces: list[Surface], url_for: Callable[[str], str]) -> str:
    """DOT of all entry points: LoadBalancer/Gateway addresses grouped by IP, hosts grouped by domain,
    each linked to the layer page that declares it."""
    addresses: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    hosts: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    layers: set[str] = set()
    for s in surfaces:
        if s.kind in ("loadbalancer", "nodeport", "gateway") and (s.port is not None or s.address):
            ips = [a.strip() for a in (s.address or "").split(",") if a.strip()]
            if not ips:
                ips = ["node ports"] if s.kind == "nodeport" else ["address pending"]
            port = f"{s.port}/{s.protocol or 'TCP'}" if s.port is not None else "(no port)"
            for ip in ips:
                addresses[ip][f"{port} {s.namespace}/{s.name}"].add(s.layer)
            layers.add(s.layer)
        if (s.kind in ROUTE_SURFACES or s.kind == "gateway") and s.host:
            hosts[_domain(s.host)][s.host].add(s.layer)
            layers.add(s.layer)

    g = _new_graph("surfaces", "LR")
    g.attr(tooltip=_text(f"Entry points of cluster {cluster.name}"), ranksep="1.0")
    if not layers:
        g.node("empty", label=_label("no LoadBalancer addresses or hosts found"), shape="note",
               **{"class": "fw-note"})
        return g.source

    def add_group(prefix: str, index: int, title: str, items: dict[str, set[str]]) -> None:
        with g.subgraph(name=f"cluster_{prefix}{index}") as sub:
            sub.attr(label=_text(title), style="rounded", fontsize="11")
            for item in sorted(items, key=_item_order):
                owners = sorted(items[item])
                attrs = {"URL": _url(url_for(owners[0]))} if len(owners) == 1 else {}
                sub.node(_node_id(prefix, f"{title}/{item}"), label=_label(item), shape="cds",
                         tooltip=_text(f"{item} - declared by {', '.join(owners)}"),
                         **{"class": "fw-entry"}, **attrs)
                for owner in owners:
                    g.edge(_node_id(prefix, f"{title}/{item}"), _node_id("ks", owner))

    for index, ip in enumerate(sorted(addresses, key=address_order)):
        add_group("ip", index, ip, addresses[ip])
    for index, domain in enumerate(sorted(hosts)):
        add_group("host", index, domain, hosts[domain])
    show_namespace = len({layer.split("/", 1)[0] for layer in layers}) > 1
    for layer in sorted(layers):
        known = cluster.kustomizations.get(layer)
        name, namespace = (known.name, known.namespace) if known else (layer, "")
        g.node(_node_id("ks", layer), label=_label(name, namespace if show_namespace else ""),
               URL=_url(url_for(layer)), tooltip=_text(f"layer {layer}"), **{"class": "fw-layer"})
    return g.source
