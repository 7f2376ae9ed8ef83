"""Generated wiki pages (Markdown) for a model: the Flux DAG page, one page per layer, the surface inventory.

Templates are Jinja2 files a user can override (``templates_dir``); every value that comes from a
manifest goes through the ``e`` (escape) or ``code`` filters, and every link through ``link_to``. The
renderer, not the template, writes each page's front matter (with a YAML dumper).
"""

from __future__ import annotations

import functools
import hashlib
import posixpath
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import jinja2

from ..analysis.facts import ClusterFacts
from ..analysis.layers import LayerFacts
from ..analysis.order import Blocker, Chain, EffectiveOrder, Timing
from ..analysis.views import GroupRange, Grouping
from ..fingerprint import fingerprint
from ..load.authored import ClusterNotes, split_front_matter
from ..model import Cluster, Diagnostic, InputError, KustomizationNode, Surface, address_order
from ..problem_policy import ProblemPolicy
from .markdown import front_matter, html_text, md_code, md_escape, md_link, one_line, relative_link, slug
from .phrases import (address, blocker_detail, blocker_phrase, duration, gate_reason, install_summary,
                      installed_phrases, never, port_text, step_event, surface_summary)

TEMPLATES = Path(__file__).parent / "templates"
SORTABLE_MARK = '<span class="flux-wiki-sortable"></span>'

# The table sorter shipped with the site (see assets/sortable.js).
SORTABLE_JS = (Path(__file__).parent / "assets" / "sortable.js").read_text(encoding="utf-8")

BrowseUrl = Callable[[str, int | None], str | None]
Diagram = Callable[[str, str, str, str | None], str]  # (page, diagram name, DOT, its .dot file or None) -> Markdown


class TemplateProblem(InputError):
    """A page template (bundled or the user's override) that does not render."""

    def __init__(self, template: str, line: int, message: str):
        super().__init__(template, line, f"template does not render: {message}", code="FW-WIKI-TEMPLATE")


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
                                               f"{self.section}/{folders[name]}/", "info",
                                               code="FW-WIKI-PAGE-CLASH", cls="limit"))
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
            self.notices.append(Diagnostic(k.file, k.line, message, "info", code="FW-WIKI-PAGE-CLASH", cls="limit"))
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


def group_anchors(grouping: Grouping) -> dict[str, str]:
    """The page anchor of each group of the DAG page (``group-<slug>``, distinct even when keys share a slug)."""
    slugs, _ = unique_slugs({g.key: g.key or "top" for g in grouping.groups})
    return {key: f"group-{value}" for key, value in slugs.items()}


@dataclass
class RenderOptions:
    layout: PageLayout = field(default_factory=PageLayout)
    notes: dict[str, ClusterNotes] = field(default_factory=dict)
    related: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # page -> [(title, path)]
    extra_basis: dict[str, list[tuple[str, str | None]]] = field(default_factory=dict)  # page -> [(label, url)]
    browse_url: BrowseUrl = lambda file, line: None
    diagram: Diagram | None = None
    templates_dir: Path | None = None
    problems: ProblemPolicy = field(default_factory=ProblemPolicy)  # which problems are warnings, notes, ignored
    pages: PageMemo | None = None  # layer pages kept from the last compilation with the same options
    cluster_context: dict[str, dict[str, Any]] = field(default_factory=dict)  # cluster -> more template values
    keep_compiled: bool = False  # compiled templates kept between build processes (the plugin's `cache` option)


@dataclass
class PageMemo:
    """Layer pages kept across compilations (``mkdocs serve`` rebuilds): a layer page is rendered again only
    when something its template reads changed (:meth:`PageRenderer.layer_page`). Counters are per compilation."""

    options: str = ""  # the configuration the kept pages were rendered with
    pages: dict[str, tuple[bytes, GeneratedPage]] = field(default_factory=dict)  # path -> (inputs digest, page)
    rendered: list[str] = field(default_factory=list)  # pages rendered by this compilation
    reused: list[str] = field(default_factory=list)  # layer pages kept

    def start(self, options: str) -> None:
        """A new compilation with these options (any change of configuration forgets every page)."""
        if options != self.options:
            self.options, self.pages = options, {}
        self.rendered, self.reused = [], []


@functools.lru_cache(maxsize=8)
def _environment(templates_dir: Path | None, keep_compiled: bool = False) -> jinja2.Environment:
    """One environment per templates folder for the whole process, so templates compile once (``mkdocs serve``
    rebuilds included); Jinja re-reads a template whose file changed (``auto_reload``). With ``keep_compiled``
    the compiled templates are also kept for the next build process (~0.13 s a start), in Jinja's bytecode
    cache: its per-user folder in the temp directory, which Jinja makes private (0700) and checks is the
    user's own, so a file a repository carries (say under ``.cache/``) can never be loaded as code; an entry
    is used only for the same template source (its checksum) and Python version."""
    loaders: list[jinja2.BaseLoader] = []
    if templates_dir:
        loaders.append(jinja2.FileSystemLoader(str(templates_dir)))
    loaders.append(jinja2.FileSystemLoader(str(TEMPLATES)))
    cache = None
    if keep_compiled:
        try:
            cache = jinja2.FileSystemBytecodeCache(pattern="flux-wiki-%s.cache")
        except (OSError, RuntimeError):  # no private temp folder: templates compile in every process
            cache = None
    env = jinja2.Environment(loader=jinja2.ChoiceLoader(loaders), autoescape=False, keep_trailing_newline=True,
                             trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
                             bytecode_cache=cache)
    env.filters["e"] = md_escape
    env.filters["code"] = md_code
    env.filters["link_to"] = md_link
    return env


class PageRenderer:
    """Renders one cluster's generated pages from its facts: it words and formats them, it finds nothing."""

    def __init__(self, facts: ClusterFacts, options: RenderOptions):
        self.facts = facts
        self.cluster = cluster = facts.cluster
        self.options = options
        self.layout = options.layout
        self.notes = options.notes.get(cluster.name) or ClusterNotes()
        self.env = _environment(options.templates_dir, options.keep_compiled)
        self.problems = options.problems.sort(cluster.warnings)
        self._rows: dict[str, dict[str, Any]] | None = None  # node id -> its row, in layer order
        self._links: bytes | None = None

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
                return md_link(f"Flux root {md_escape(self.facts.label(node))}",
                               relative_link(page, self.layout.dag(self.cluster), "flux-root"))
            if node.excluded:
                return md_code(self.facts.label(node))
            target = self.layout.layer(self.cluster, node_id)
            if target == page:  # the page's own layer
                return f"**{md_escape(self.facts.label(node))}**"
            return md_link(md_escape(self.facts.label(node)), relative_link(page, target))
        return link

    def _context(self, page: str, basis: list[tuple[str, int | None]]) -> dict[str, Any]:
        c = self.cluster

        def dot_file(name: str) -> str:
            return f"{posixpath.basename(page)[:-3]}.{name}.dot"
        related = [(title, relative_link(page, path)) for title, path in self.options.related.get(page, [])]
        return {
            "cluster": c, "notes": self.notes, "page": page,
            "src": self._src(page, basis), "layer_link": self._layer_link(page),
            "link": lambda to, anchor=None: relative_link(page, to, anchor),
            "cited": lambda: sorted({f for f, _ in basis}),
            "layout": self.layout, "related": related,
            "extra_basis": self.options.extra_basis.get(page, []),
            "problems": self.problems,
            # generated pages get their diagrams' DOT emitted next to them (GeneratedPage.dot): link it, unless the
            # diagram sits in raw HTML (a collapsed block), where the caller links the file itself (dot_file)
            "diagram": (lambda name, dot, linked=True: self.options.diagram(page, name, dot,
                                                                           dot_file(name) if linked else None))
            if self.options.diagram else None,
            "dot_file": dot_file,
            "duration": duration, "never": never, "gate_reason": gate_reason, "blocker_phrase": blocker_phrase,
            "blocker_detail": blocker_detail,
        }

    def _render(self, template: str, page: str, title: str, kind: str, **extra: Any) -> GeneratedPage:
        basis: list[tuple[str, int | None]] = []
        ctx = self._context(page, basis)
        ctx.update(self.options.cluster_context.get(self.cluster.name, {}))
        ctx.update(extra, title=title)
        try:
            text = self.env.get_template(template).render(ctx)
        except jinja2.TemplateError as err:
            raise TemplateProblem(template, getattr(err, "lineno", None) or 0, str(err)) from None
        text = _with_front_matter(text, title, template)
        if self.options.pages is not None:
            self.options.pages.rendered.append(page)
        return GeneratedPage(page, title, text, sorted(set(basis), key=lambda b: (b[0], b[1] or 0)), kind,
                             dot=extra.get("dots", {}))

    def render_page(self, template: str, page: str, title: str, kind: str, **extra: Any) -> GeneratedPage:
        """A page of another kind (the doctor, recent changes) from its template, with the helpers pages share."""
        return self._render(template, page, title, kind, **extra)

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
        rows = sorted((s for s in self.facts.shown_surfaces(layer) if s.kind != "workload"), key=_inventory_order)
        return {"rows": rows, "duplicates": self.facts.duplicate_claims, "sortable": SORTABLE_MARK,
                "address": address, "port": port_text, "conflict": self.facts.contested}

    def _table(self) -> dict[str, dict[str, Any]]:
        """The layer table's rows by node id, made once per renderer (the DAG page, layer pages and markers
        share them)."""
        if self._rows is None:
            self._rows = {layer.id: self._row(layer) for layer in self.facts.layers}
        return self._rows

    def rows(self) -> list[dict[str, Any]]:
        return list(self._table().values())

    def row(self, node: KustomizationNode) -> dict[str, Any]:
        """One layer's row, the one its table shows (a node no table lists gets its own)."""
        return self._table().get(node.id) or self._row(self.facts.layer(node.id))

    def _row(self, layer: LayerFacts) -> dict[str, Any]:
        """The layer's facts as its table row and Spec table show them (the templates' ``row``)."""
        node = layer.node
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
            "label": self.facts.label(node),
            "remote": node.flux_spec.kube_config,  # (kind, name) of the kubeConfig reference, or None
            "target_namespace": node.flux_spec.overrides.target_namespace,
            "service_account": spec.get("serviceAccountName") if isinstance(spec.get("serviceAccountName"), str)
            else None,
            "depends_on": layer.depends_on,
            "dangling": layer.dangling,
            "inherited": layer.inherited,
            "applied_by": node.parent if node.parent != self.cluster.root_id else None,
            "root": layer.root,
            "children": layer.children,
            "gates": layer.gates,
            "blocker": layer.blocker,
            "suspended": layer.suspended,
            "ready_level": layer.ready_level,
            "dependents": layer.dependents,
            "installs": install_summary(layer.groups),
            "surfaces": surface_summary(layer.surfaces),
            "note": note,
        }

    def chain_steps(self, page: str, chain: Chain | None) -> list[dict[str, Any]]:
        """The steps of a chain of waits as the chain tables show them: what happened, when at the latest."""
        if chain is None:
            return []
        link = self._layer_link(page)
        nodes = self.cluster.kustomizations
        steps = []
        for i, step in enumerate(chain.steps):
            node = nodes.get(step.node)
            health = node is not None and Timing.of(node).health
            text = step_event(step.event, step.via, health, self.facts.order.requeue_dependency)
            before = link(chain.steps[i - 1].node) if i else ""
            steps.append({"node": link(step.node), "event": text.replace("{before}", before),
                          "at": duration(step.at), "level": step.level})
        return steps

    def _groups(self, layers: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The DAG page's layer table split by the overview's groups, each with its anchor (empty when the page
        shows no overview)."""
        grouping = self.facts.grouping
        if not self.facts.overview or grouping is None:
            return []
        anchors = group_anchors(grouping)
        by_group: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in layers:
            by_group[grouping.of[row["node"].id]].append(row)
        return [{"title": g.title, "anchor": anchors[g.key], "rows": by_group[g.key]} for g in grouping.groups]

    def _ranges(self) -> int:
        """How many ranges of groups the overview draws (0: one box per group; see MAX_LISTED)."""
        grouping = self.facts.grouping
        if not self.facts.overview or grouping is None:
            return 0
        return sum(1 for part in grouping.listed if isinstance(part, GroupRange))

    # -- pages -----------------------------------------------------------
    def dag_page(self, dot: str | None = None, full_dot: str | None = None) -> GeneratedPage:
        c = self.cluster
        page = self.layout.dag(c)
        title = self.notes.title or f"{c.name} Flux DAG"
        layers = self.rows()
        excluded = [(c.kustomizations[i], self.notes.exclusion_reason(i, c.kustomizations[i].name))
                    for i in c.excluded]
        installed = [(row, self._installed(self.facts.layer(row["node"].id))) for row in layers]
        flux_own = {ctl.file for ctl in c.controllers}  # the bootstrap's components: "Flux Root" lists them
        root_installed = [it for it in self._installed(self.facts.layer(c.root_id)) if it["file"] not in flux_own]
        dots = {name: text for name, text in (("layer-dag", dot), ("layer-dag-full", full_dot)) if text}
        critical = self.facts.critical_path
        held = self.facts.order.blocked_releases
        blocked_releases = [(h, held[h.ident()]) for h in c.helm_releases if h.ident() in held
                            and h.layer in c.kustomizations and not c.kustomizations[h.layer].excluded]
        return self._render("dag.md.j2", page, title, "dag", layers=layers, blocked_releases=blocked_releases,
                            roots=self.facts.roots, root=c.root, excluded=excluded, installed=installed,
                            root_installed=root_installed,
                            dots=dots, dag_dot=dot, full_dot=full_dot, groups=self._groups(layers),
                            overview=self.facts.overview, grouping=self.facts.grouping,
                            ranges=self._ranges(),
                            critical=critical if layers else None, critical_steps=self.chain_steps(page, critical),
                            requeue=duration(self.facts.order.requeue_dependency),
                            surfaces_page=self.layout.surfaces(c))

    @staticmethod
    def _installed(layer: LayerFacts) -> list[dict[str, Any]]:
        """Per HelmRelease or object with surfaces: what it is and its surfaces in words."""
        return [{"kind": it.kind, "name": it.name, "namespace": it.namespace, "file": it.file, "line": it.line,
                 "chart": it.chart, "version": it.version, "surfaces": installed_phrases(it)}
                for it in layer.installed]

    def layer_page(self, node: KustomizationNode, dot: str | None = None,
                   order_dot: str | None = None) -> GeneratedPage:
        page = self.layout.layer(self.cluster, node.id)
        layer = self.facts.layer(node.id)
        memo = self.options.pages if self.options.templates_dir is None else None  # own templates may read more
        digest = self._layer_inputs(page, layer, dot, order_dot) if memo is not None else None
        if memo is not None and digest is not None:
            kept = memo.pages.get(page)
            if kept is not None and kept[0] == digest:
                memo.reused.append(page)
                return kept[1]
        chain_steps = self.chain_steps(page, layer.chain)
        dots = {name: text for name, text in (("order", order_dot), ("layer", dot)) if text}
        rendered = self._render("layer.md.j2", page, self.facts.label(node), "layer", row=self.row(node), node=node,
                                groups=[g for g in layer.groups if g.kind != "HelmRelease"], releases=layer.releases,
                                held_releases=_held_releases(layer, self.facts.order),
                                surfaces=layer.surfaces, address=address, installed=self._installed(layer),
                                sortable=SORTABLE_MARK, dots=dots, layer_dot=dot, order_dot=order_dot,
                                chain=layer.chain, chain_steps=chain_steps, dag_page=self.layout.dag(self.cluster))
        if memo is not None and digest is not None:
            memo.pages[page] = (digest, rendered)
        return rendered

    def _layer_inputs(self, page: str, layer: LayerFacts, dot: str | None, order_dot: str | None) -> bytes | None:
        """A digest of everything layer.md.j2 reads for this layer: its node (objects included), row and chain,
        what its chain's steps say (each step's Kustomization health-checks or not, the requeue interval: with the
        links, all :meth:`chain_steps` reads, so the steps are worded only when the page is rendered), its
        releases, surfaces and installed items, its diagrams, its relationships, the cluster's name and DAG page,
        and how every Kustomization of the cluster is linked (:meth:`_links_digest`). Keep it in step with the
        template. None when the inputs hold something no digest compares (:func:`fingerprint`)."""
        c, node = self.cluster, layer.node
        row = {key: value for key, value in self.row(node).items() if key != "node"}
        more = tuple((key, value.layer_inputs(node.id)) for key, value in  # the doctor's and history's part
                     sorted(self.options.cluster_context.get(c.name, {}).items()) if hasattr(value, "layer_inputs"))
        nodes = c.kustomizations
        steps = [(step.node, step.node in nodes and Timing.of(nodes[step.node]).health)
                 for step in (layer.chain.steps if layer.chain else ())]
        inputs = (page, c.name, c.root_id, self.layout.dag(c), self._links_digest(), node, row, layer.chain,
                  steps, self.facts.order.requeue_dependency, layer.releases, _held_releases(layer, self.facts.order),
                  layer.surfaces, layer.installed, dot,
                  order_dot, self.options.related.get(page), self.options.extra_basis.get(page), more)
        return fingerprint(inputs)

    def _links_digest(self) -> bytes:
        """How a page links each Kustomization of the cluster (label, excluded, page), made once per renderer."""
        if self._links is None:
            c = self.cluster
            links = [(k.id, self.facts.label(k), k.excluded,
                      None if k.excluded or k.id == c.root_id else self.layout.layer(c, k.id))
                     for k in c.kustomizations.values()]
            self._links = hashlib.blake2b(repr(links).encode("utf-8", "surrogatepass"), digest_size=20).digest()
        return self._links

    def surfaces_page(self, dot: str | None = None) -> GeneratedPage:
        c = self.cluster
        return self._render("surfaces.md.j2", self.layout.surfaces(c), f"{c.name} Surface Inventory", "surfaces",
                            dots={"surface-map": dot} if dot else {}, map_dot=dot, dag_page=self.layout.dag(c),
                            **self._inventory())


def _held_releases(layer: LayerFacts, order: EffectiveOrder) -> dict[str, Blocker]:
    """The HelmReleases of ``layer`` never installed on a fresh bootstrap, by ident, with their first cause."""
    held = order.blocked_releases
    return {h.ident(): held[h.ident()] for h in layer.releases if h.ident() in held}


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
    return (0 if s.address else 1 if s.host else 2, address_order(s.address), s.port or 0, s.host or "", s.path or "",
            s.namespace, s.name, s.kind)


def render_cluster(facts: ClusterFacts, options: RenderOptions,
                   dots: Callable[[Cluster, str, str | None], str | None] | None = None,
                   sink: Callable[[GeneratedPage], GeneratedPage] | None = None) -> list[GeneratedPage]:
    """Every generated page of one cluster. ``dots(cluster, kind, layer_id)`` supplies diagram DOT, if any;
    ``sink`` is given each page as soon as it is rendered and returns what is kept of it (see ``WikiCompiler``)."""
    r = PageRenderer(facts, options)
    cluster = facts.cluster
    get = dots or (lambda c, kind, layer: None)
    keep = sink or (lambda page: page)
    pages = [keep(r.dag_page(get(cluster, "dag", None), get(cluster, "dag-full", None))),
             keep(r.surfaces_page(get(cluster, "surfaces", None)))]
    for layer in facts.layers:
        pages.append(keep(r.layer_page(layer.node, get(cluster, "layer", layer.id), get(cluster, "order", layer.id))))
    return pages
