"""Generated wiki pages (Markdown) for a model: the Flux DAG page, one page per layer, the surface inventory.

Templates are Jinja2 files a user can override (``templates_dir``); every value that comes from a
manifest goes through the ``e`` (escape) or ``code`` filters, and every link through ``link_to``. The
renderer, not the template, writes each page's front matter (with a YAML dumper).
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import jinja2

from ..analysis.dag import roots
from ..analysis.index import ClusterIndex
from ..analysis.layers import address, group_by_kind, install_summary, surface_summary
from ..load.authored import ClusterNotes, split_front_matter
from ..model import Cluster, Diagnostic, InputError, KustomizationNode, Surface
from .markdown import front_matter, html_text, md_code, md_escape, md_link, one_line, relative_link, slug

TEMPLATES = Path(__file__).parent / "templates"
SORTABLE_MARK = '<span class="flux-wiki-sortable"></span>'

# The table sorter shipped with the site (see assets/sortable.js).
SORTABLE_JS = (Path(__file__).parent / "assets" / "sortable.js").read_text(encoding="utf-8")

BrowseUrl = Callable[[str, int | None], str | None]
Diagram = Callable[[str, str, str, str | None], str]  # (page, diagram name, DOT, its .dot file or None) -> Markdown


class TemplateProblem(InputError):
    """A page template (bundled or the user's override) that does not render."""

    def __init__(self, template: str, line: int, message: str):
        super().__init__(template, line, f"template does not render: {message}")


@dataclass
class GeneratedPage:
    """A page the plugin adds as a virtual file; ``basis`` lists the repo files (and lines) it states facts from."""

    path: str
    title: str
    markdown: str
    basis: list[tuple[str, int | None]] = field(default_factory=list)
    kind: str = "page"  # dag | layer | surfaces
    dot: dict[str, str] = field(default_factory=dict)  # diagram name -> DOT source


@dataclass
class _ClusterPages:
    """One cluster's planned page paths: the folder and each Kustomization's layer page."""

    cluster: Cluster
    folder: str
    layers: dict[str, str]  # node id -> page path


class PageLayout:
    """Where generated pages live inside the docs folder.

    Paths are planned once for all clusters (:meth:`plan`): every page and every link is then a dict lookup.
    Names that share a slug (``app.x`` and ``app-x``, one name in two namespaces, two clusters ``home.lab`` and
    ``home-lab``) get distinct paths, each clash a notice in :attr:`notices`. A cluster the layout was not
    planned with is planned alone on first use.
    """

    def __init__(self, section: str = "flux", clusters: Iterable[Cluster] = ()):
        self.section = section
        self.notices: list[Diagnostic] = []
        self.plans = 0  # clusters planned so far (each once per cluster object)
        self._folders: dict[str, str] = {}  # cluster name -> folder slug
        self._planned: dict[str, _ClusterPages] = {}
        self.plan(clusters)

    def plan(self, clusters: Iterable[Cluster]) -> None:
        """Plan the pages of ``clusters`` (cluster folders distinct among them and the clusters planned before)."""
        clusters = [c for c in clusters if c.name not in self._folders]
        taken = set(self._folders.values())
        folders, clashes = unique_slugs({c.name: c.name for c in clusters}, taken)
        self._folders.update(folders)
        by_name = {c.name: c for c in clusters}
        for shared, names in clashes:
            for name in names:
                c = by_name[name]
                others = ", ".join(repr(n) for n in names if n != name) or "an earlier cluster"
                self.notices.append(Diagnostic(c.entry_file, c.entry_line, f"cluster {name!r} shares the folder name "
                                               f"{shared!r} with {others}: its pages are under "
                                               f"{self.section}/{folders[name]}/", "info"))
        for c in clusters:
            self._pages(c)

    def _pages(self, cluster: Cluster) -> _ClusterPages:
        planned = self._planned.get(cluster.name)
        if planned is not None and planned.cluster is cluster:
            return planned
        if cluster.name not in self._folders:
            self.plan([cluster])
            return self._planned[cluster.name]
        self.plans += 1
        folder = f"{self.section}/{self._folders[cluster.name]}"
        nodes = sorted(cluster.kustomizations.values(), key=lambda k: k.id)
        same_name: dict[str, list[str]] = defaultdict(list)
        for k in nodes:
            same_name[k.name].append(k.id)
        # one name in several namespaces: each page is named namespace-name
        wanted = {k.id: f"{k.namespace}-{k.name}" if len(same_name[k.name]) > 1 else k.name for k in nodes}
        stems, clashes = unique_slugs(wanted)
        shared_slug = {i: (shared, ids) for shared, ids in clashes for i in ids}
        for k in nodes:
            page = f"{folder}/layers/{stems[k.id]}.md"
            if k.id == cluster.root_id or k.excluded:  # no layer page
                continue
            if k.id in shared_slug:
                shared, ids = shared_slug[k.id]
                others = ", ".join(i for i in ids if i != k.id)
                message = f"Kustomization {k.id} shares the page name {shared!r} with {others}: its page is {page}"
            elif len(same_name[k.name]) > 1:
                others = ", ".join(i for i in same_name[k.name] if i != k.id)
                message = f"Kustomization {k.id} shares its name with {others}: its page is {page}"
            else:
                continue
            self.notices.append(Diagnostic(k.file, k.line, message, "info"))
        planned = _ClusterPages(cluster, folder, {i: f"{folder}/layers/{s}.md" for i, s in stems.items()})
        self._planned[cluster.name] = planned
        return planned

    def cluster_dir(self, cluster: Cluster) -> str:
        return self._pages(cluster).folder

    def dag(self, cluster: Cluster) -> str:
        return f"{self.cluster_dir(cluster)}/dag.md"

    def surfaces(self, cluster: Cluster) -> str:
        return f"{self.cluster_dir(cluster)}/surfaces.md"

    def layer(self, cluster: Cluster, node_id: str) -> str:
        return self._pages(cluster).layers[node_id]


def unique_slugs(texts: dict[str, str], taken: Iterable[str] = ()) -> tuple[dict[str, str], list[tuple[str, list[str]]]]:
    """A distinct slug per key of ``texts`` (key -> text), none of them in ``taken``.

    Texts whose slugs would be equal (or taken) all get the slug with a hash of their key, so no page replaces
    another and no path depends on which other names exist beside the clash. Returns the slugs and the
    clashes: (the shared slug, its keys sorted).
    """
    taken = set(taken)
    groups: dict[str, list[str]] = defaultdict(list)
    for key, text in texts.items():
        groups[slug(text)].append(key)
    out: dict[str, str] = {}
    clashes: list[tuple[str, list[str]]] = []
    for shared, keys in sorted(groups.items()):
        if len(keys) == 1 and shared not in taken:
            out[keys[0]] = shared
            continue
        clashes.append((shared, sorted(keys)))
        for key in keys:
            out[key] = slug(texts[key], distinct=key)
    # a hashed slug can still meet a plain one (a name chosen to): plain slugs keep theirs, hashed ones move on
    used = set(taken)
    hashed = {k for _, keys in clashes for k in keys}
    for key in sorted(out, key=lambda k: (k in hashed, k)):
        attempt = 0
        while out[key] in used:
            attempt += 1
            out[key] = slug(texts[key], distinct=f"{key}#{attempt}")
        used.add(out[key])
    return out, clashes


@dataclass
class RenderOptions:
    layout: PageLayout = field(default_factory=PageLayout)
    notes: dict[str, ClusterNotes] = field(default_factory=dict)
    related: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # page -> [(title, path)]
    extra_basis: dict[str, list[tuple[str, str | None]]] = field(default_factory=dict)  # page -> [(label, url)]
    browse_url: BrowseUrl = lambda file, line: None
    diagram: Diagram | None = None
    templates_dir: Path | None = None


def _environment(templates_dir: Path | None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if templates_dir:
        loaders.append(jinja2.FileSystemLoader(str(templates_dir)))
    loaders.append(jinja2.FileSystemLoader(str(TEMPLATES)))
    env = jinja2.Environment(loader=jinja2.ChoiceLoader(loaders), autoescape=False, keep_trailing_newline=True,
                             trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    env.filters["e"] = md_escape
    env.filters["code"] = md_code
    env.filters["link_to"] = md_link
    return env


class PageRenderer:
    """Renders one cluster's generated pages."""

    def __init__(self, cluster: Cluster, options: RenderOptions, index: ClusterIndex | None = None):
        self.cluster = cluster
        self.index = index or ClusterIndex(cluster)
        self.options = options
        self.layout = options.layout
        self.notes = options.notes.get(cluster.name) or ClusterNotes()
        self.env = _environment(options.templates_dir)
        self._rows: dict[str, dict[str, Any]] | None = None  # node id -> its row, in layer order

    # -- helpers given to templates -------------------------------------
    def _src(self, page: str, basis: list[tuple[str, int | None]]) -> Callable[[str, int | None], str]:
        def src(file: str, line: int | None = None) -> str:
            basis.append((file, line))
            label = f"{file}:{line}" if line else file
            url = self.options.browse_url(file, line)
            return md_link(md_code(label), url)
        return src

    def _layer_link(self, page: str) -> Callable[[str], str]:
        def link(node_id: str) -> str:
            node = self.cluster.kustomizations.get(node_id)
            if node is None:
                return md_code(node_id)
            if node.id == self.cluster.root_id:
                return md_link(f"Flux root {md_escape(node.name)}",
                               relative_link(page, self.layout.dag(self.cluster), "flux-root"))
            if node.excluded:
                return md_code(node.name)
            return md_link(md_escape(node.name), relative_link(page, self.layout.layer(self.cluster, node_id)))
        return link

    def _context(self, page: str, basis: list[tuple[str, int | None]]) -> dict[str, Any]:
        c = self.cluster
        related = [(title, relative_link(page, path)) for title, path in self.options.related.get(page, [])]
        return {
            "cluster": c, "notes": self.notes, "page": page,
            "src": self._src(page, basis), "layer_link": self._layer_link(page),
            "link": lambda to, anchor=None: relative_link(page, to, anchor),
            "cited": lambda: sorted({f for f, _ in basis}),
            "layout": self.layout, "related": related,
            "extra_basis": self.options.extra_basis.get(page, []),
            # generated pages get their diagrams' DOT emitted next to them (GeneratedPage.dot): link it
            "diagram": (lambda name, dot: self.options.diagram(page, name, dot, f"{posixpath.basename(page)[:-3]}.{name}.dot"))
            if self.options.diagram else None,
        }

    def _render(self, template: str, page: str, title: str, kind: str, **extra: Any) -> GeneratedPage:
        basis: list[tuple[str, int | None]] = []
        ctx = self._context(page, basis)
        ctx.update(extra, title=title)
        try:
            text = self.env.get_template(template).render(ctx)
        except jinja2.TemplateError as err:
            raise TemplateProblem(template, getattr(err, "lineno", None) or 0, str(err)) from None
        text = _with_front_matter(text, title, template)
        return GeneratedPage(page, title, text, sorted(set(basis), key=lambda b: (b[0], b[1] or 0)), kind,
                             dot=extra.get("dots", {}))

    def fragment(self, name: str, page: str, layer: str | None = None) -> str:
        """A live fragment (``fragments/<name>.md.j2``) for a hand-written page: the same rows the pages use."""
        ctx = self._context(page, [])
        ctx.update(layers=self.rows(), **self._inventory(layer))
        try:
            return self.env.get_template(f"fragments/{name}.md.j2").render(ctx)
        except jinja2.TemplateError as err:
            raise TemplateProblem(f"fragments/{name}.md.j2", getattr(err, "lineno", None) or 0, str(err)) from None

    def _inventory(self, layer: str | None = None) -> dict[str, Any]:
        """Rows of the surface inventory (optionally one layer's), with the conflicting claims flagged."""
        c = self.cluster
        rows = sorted((s for s in (c.surfaces if layer is None else self.index.surfaces_of(layer))
                       if s.kind != "workload" and not c.kustomizations[s.layer].excluded), key=_inventory_order)
        duplicates = self.index.duplicate_claims
        claimed = {(d.file, d.line) for d in duplicates}
        return {"rows": rows, "duplicates": duplicates, "sortable": SORTABLE_MARK, "address": address,
                "conflict": lambda s: s.kind in ("loadbalancer", "gateway") and (s.file, s.line) in claimed}

    def _table(self) -> dict[str, dict[str, Any]]:
        """The layer table's rows by node id, made once per renderer (the DAG page, layer pages and markers
        share them)."""
        if self._rows is None:
            self._rows = {n.id: self._row(n) for n in self.cluster.layers()}
        return self._rows

    def rows(self) -> list[dict[str, Any]]:
        return list(self._table().values())

    def row(self, node: KustomizationNode) -> dict[str, Any]:
        """One layer's row, the one its table shows (a node no table lists gets its own)."""
        return self._table().get(node.id) or self._row(node)

    def _row(self, node: KustomizationNode) -> dict[str, Any]:
        authored = self.notes.for_layer(node.id, node.name)
        note = {"surface": authored.get("surface"), "rationale": authored.get("rationale")}
        spec = node.spec
        post = spec.get("postBuild") if isinstance(spec.get("postBuild"), dict) else {}
        checks = [h for h in spec.get("healthChecks") or [] if isinstance(h, dict)]
        return {
            "wait": "unset (false)" if node.wait is None else str(node.wait).lower(),
            "prune": "unset (false)" if node.prune is None else str(node.prune).lower(),
            "interval": spec.get("interval"),
            "timeout": spec.get("timeout"),
            "health_checks": [f"{h.get('kind', '?')} {h['namespace'] + '/' if h.get('namespace') else ''}{h.get('name', '?')}"
                              for h in checks],
            "substitute": sorted(post.get("substitute") or {}) if isinstance(post.get("substitute"), dict) else [],
            "variables": node.variables,
            "substitute_from": [f"{r.get('kind', 'ConfigMap')} {r.get('name', '?')}"
                                for r in post.get("substituteFrom") or [] if isinstance(r, dict)],
            "node": node,
            "depends_on": [d for d in node.depends_on if d in self.cluster.kustomizations],
            "dangling": [d for d in node.depends_on if d not in self.cluster.kustomizations],
            "dependents": [d for d in self.index.dependents(node.id) if not self.cluster.kustomizations[d].excluded],
            "installs": install_summary(self.cluster, node),
            "surfaces": surface_summary(self.index.surfaces_of(node.id)),
            "note": note,
        }

    # -- pages -----------------------------------------------------------
    def dag_page(self, dot: str | None = None) -> GeneratedPage:
        c = self.cluster
        title = self.notes.title or f"{c.name} Flux DAG"
        layers = self.rows()
        excluded = [(c.kustomizations[i], self.notes.exclusion_reason(i, c.kustomizations[i].name))
                    for i in c.excluded]
        installed = [(row, self._installed(row["node"])) for row in layers]
        return self._render("dag.md.j2", self.layout.dag(c), title, "dag", layers=layers,
                            roots=roots(c), root=c.root, excluded=excluded, installed=installed,
                            dots={"layer-dag": dot} if dot else {}, dag_dot=dot,
                            surfaces_page=self.layout.surfaces(c))

    def _installed(self, node: KustomizationNode) -> list[dict[str, Any]]:
        """Per workload or HelmRelease: what it is and the surfaces that belong to it."""
        items: list[dict[str, Any]] = []
        surfaces = self.index.surfaces_of(node.id)
        of_release: dict[tuple[str, str], list[Surface]] = defaultdict(list)
        for s in surfaces:
            if s.object_kind == "HelmRelease":
                of_release[(s.namespace, s.name)].append(s)
        for h in self.index.releases_of(node.id):
            mine = of_release.get((h.namespace, h.name), [])
            items.append({"kind": "HelmRelease", "name": h.name, "namespace": h.namespace, "file": h.file,
                          "line": h.line, "chart": h.chart, "version": h.version,
                          "surfaces": [self._surface_phrase(s) for s in mine if s.kind != "workload"]})
        for s in surfaces:
            if s.object_kind == "HelmRelease":
                continue
            items.append({"kind": s.object_kind, "name": s.name, "namespace": s.namespace, "file": s.file,
                          "line": s.line, "chart": None, "version": None, "surfaces": [self._surface_phrase(s)]})
        merged: dict[tuple[str, str, str], dict[str, Any]] = {}
        for it in items:
            key = (it["kind"], it["namespace"], it["name"])
            if key in merged:
                merged[key]["surfaces"].extend(p for p in it["surfaces"] if p not in merged[key]["surfaces"])
            else:
                merged[key] = it
        return sorted(merged.values(), key=lambda i: (i["kind"] != "HelmRelease", i["namespace"], i["name"], i["kind"]))

    @staticmethod
    def _surface_phrase(s: Surface) -> str:
        if s.kind == "workload":
            return f"workload image {s.target}" if s.target else "workload"
        if s.kind == "loadbalancer":
            return f"LoadBalancer on {s.address or '(pending IP)'}:{s.port}"
        if s.kind in ("clusterip", "nodeport"):
            return f"{'ClusterIP' if s.kind == 'clusterip' else 'NodePort'} port {s.port}"
        if s.kind == "certificate":
            return f"certificate for {s.host}"
        if s.kind == "gateway":
            return f"gateway listener {address(s)}"
        label = {"ingress": "Ingress", "ingressroute": "IngressRoute", "httproute": "HTTPRoute",
                 "tlsroute": "TLSRoute"}.get(s.kind, s.object_kind)
        return f"{label} host {address(s)}"

    def layer_page(self, node: KustomizationNode, dot: str | None = None) -> GeneratedPage:
        page = self.layout.layer(self.cluster, node.id)
        return self._render("layer.md.j2", page, node.name, "layer", row=self.row(node), node=node,
                            groups=[g for g in group_by_kind(node) if g.kind != "HelmRelease"], releases=self.index.releases_of(node.id),
                            surfaces=self.index.surfaces_of(node.id), address=address,
                            installed=self._installed(node), sortable=SORTABLE_MARK, dots={"layer": dot} if dot else {}, layer_dot=dot,
                            dag_page=self.layout.dag(self.cluster))

    def surfaces_page(self, dot: str | None = None) -> GeneratedPage:
        c = self.cluster
        return self._render("surfaces.md.j2", self.layout.surfaces(c), f"{c.name} Surface Inventory", "surfaces",
                            dots={"surface-map": dot} if dot else {}, map_dot=dot, dag_page=self.layout.dag(c),
                            **self._inventory())


def _with_front_matter(body: str, title: str, template: str) -> str:
    """The page's front matter, dumped as YAML, before the rendered body.

    Themes print ``title`` as HTML (``<title>``, header, navigation), so it is HTML-escaped text on one
    line. Keys an overriding template writes in its own front matter are kept after ours.
    """
    own, rest, _ = split_front_matter(body, template) if body.startswith("---") else ({}, body, [])
    fields: dict[str, Any] = {"title": html_text(one_line(title)), "flux_wiki": "generated"}
    fields.update((k, v) for k, v in own.items() if k not in fields)
    return front_matter(fields) + "\n" + rest.lstrip("\n")


def _inventory_order(s: Surface) -> tuple:
    """Addresses first (by IP, then port), then hosts, then bare ports; the reader can re-sort any column."""
    ip = tuple(int(p) if p.isdigit() else 0 for p in (s.address or "").split(".")) if s.address else ()
    return (0 if s.address else 1 if s.host else 2, ip, s.address or "", s.port or 0, s.host or "", s.path or "",
            s.namespace, s.name, s.kind)


def render_cluster(cluster: Cluster, options: RenderOptions,
                   dots: Callable[[Cluster, str, str | None], str | None] | None = None,
                   index: ClusterIndex | None = None) -> list[GeneratedPage]:
    """Every generated page of one cluster. ``dots(cluster, kind, layer_id)`` supplies diagram DOT, if any."""
    r = PageRenderer(cluster, options, index)
    get = dots or (lambda c, kind, layer: None)
    pages = [r.dag_page(get(cluster, "dag", None)), r.surfaces_page(get(cluster, "surfaces", None))]
    for node in cluster.layers():
        pages.append(r.layer_page(node, get(cluster, "layer", node.id)))
    return pages
