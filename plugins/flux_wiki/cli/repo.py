"""Commands on a repository folder named on the command line: ``inventory``, ``graph`` and ``pages``."""

from __future__ import annotations

import sys
from argparse import ArgumentTypeError, BooleanOptionalAction
from pathlib import Path
from typing import TYPE_CHECKING

from . import engine_loaded
from .options import cluster_option, entry_option, read_wiki_config, repo_argument, source_folders, source_option, warn
from .parsing import CommandParser, existing_file, existing_folder, file_path, folder_path

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ..model import Cluster, KustomizationNode, Model


def _model(repo: str, cluster: Sequence[str], entry: str | None, exclude: Sequence[str] = (),
           sources: dict[str, Path] | None = None) -> Model:
    """The model; with no cluster there is nothing to print: exit 1 with why (the entry-point message)."""
    from ..engine import build_model  # the engine loads when a command runs, not for --help

    engine_loaded()
    model = build_model(repo, clusters=list(cluster) or None, entry=entry, exclude=list(exclude), sources=sources)
    if not model.clusters:
        for d in model.diagnostics:
            print(f"error: {d}", file=sys.stderr)
        raise SystemExit(1)
    return model


def inventory(argv: list[str]) -> None:
    """Print the model: clusters, Kustomizations, objects, surfaces, warnings."""
    parser = CommandParser("flux-wiki inventory", inventory.__doc__)
    repo_argument(parser)
    cluster_option(parser)
    entry_option(parser)
    parser.add_argument("--format", dest="fmt", choices=["json", "text"], default="text", help="[default: text]")
    parser.add_argument("--exclude", action="append", default=[], metavar="KS",
                        help="Kustomization (id or name) to mark excluded.")
    source_option(parser)
    args = parser.parse(argv)
    sources = source_folders(parser, args.sources)

    from ..model import printable
    from ..render.inventory import inventory_json

    model = _model(args.repo, args.cluster, args.entry, args.exclude, sources)
    if args.fmt == "json":
        sys.stdout.write(inventory_json(model))
        return
    from ..problem_policy import ProblemPolicy  # the text's warning count: the JSON reports no policy

    for d in model.diagnostics:
        warn(d)
    for c in model.clusters:
        warnings = sum(1 for w in c.warnings if ProblemPolicy().report(w)[0] == "warning")  # as warn() prints them
        releases = model.facts[c.name].installed_release_count()
        print(printable(f"cluster {c.name}: entry {c.entry_file}:{c.entry_line} ({c.entry_kind}), "
                        f"{len(c.kustomizations)} Kustomizations, {releases} HelmReleases, "
                        f"{len(c.surfaces)} surfaces, {warnings} warnings, {len(c.warnings) - warnings} notes, "
                        f"{len(c.notices)} notices"),
              flush=True)
        for k in sorted(c.kustomizations.values(), key=lambda k: (k.level or 0, k.id)):
            extra = f" ({k.reason})" if k.reason else ""
            print(printable(f"  L{k.level} {k.id} [{k.status}] {k.path or ''} objects={len(k.resources)}{extra}"),
                  flush=True)
        for w in c.warnings:
            warn(w)
        for n in c.notices:
            print(f"notice: {n}", file=sys.stderr)


VIEWS = ("auto", "full", "overview")
EXTENSIONS = {"dot": "dot", "svg": "svg", "json": "json", "mermaid": "mmd"}


def _view(value: str) -> tuple[str, str | None]:
    """``--view``: auto, full, overview, or ``layer:NAME`` (a Kustomization's neighbourhood)."""
    if value in VIEWS:
        return value, None
    if value.startswith("layer:") and value[len("layer:"):]:
        return "layer", value[len("layer:"):]
    raise ArgumentTypeError(f"{value!r}: expected auto, full, overview or layer:NAME")


def _layer_node(model: Model, cluster: Cluster, layer: str) -> KustomizationNode | None:
    """The Kustomization ``layer`` (name or namespace/name) of ``cluster`` below its Flux root, or None."""
    node = model.facts[cluster.name].kustomization(layer)
    return None if node is None or node.id == cluster.root_id else node


def graph(argv: list[str]) -> None:
    """Print (or write) the reconciliation order of each cluster: dependsOn and applied-by edges, as DOT, SVG,
    JSON or Mermaid. SVG and Mermaid hold one cluster: name it with --cluster, or use --out."""
    parser = CommandParser("flux-wiki graph", graph.__doc__)
    repo_argument(parser)
    cluster_option(parser)
    entry_option(parser)
    parser.add_argument("--format", dest="fmt", choices=["dot", "svg", "json", "mermaid"], default="dot",
                        help="[default: dot]")
    parser.add_argument("--view", dest="view", default="auto", type=_view, metavar="auto|full|overview|layer:NAME",
                        help="full: every Kustomization; overview: one node per group (namespace, parent or path); "
                             "layer:NAME: one Kustomization's chain to the Flux root and direct dependents; auto: the "
                             "overview above 40 Kustomizations, else full. [default: auto]")
    parser.add_argument("--out", type=folder_path, metavar="DIR",
                        help="Write one file per cluster into this folder (<cluster>.<ext>, <cluster>.<layer>.<ext> "
                             "for a layer view) instead of standard output.")
    source_option(parser)
    args = parser.parse(argv)
    sources = source_folders(parser, args.sources)
    fmt, out = args.fmt, args.out

    import json

    from ..render.diagrams import layer_dag_dot, layer_dag_json, layer_dag_mermaid, neighbourhood_dot
    from ..render.markdown import slug
    from .errors import BadInput

    view, layer = args.view
    model = _model(args.repo, args.cluster, args.entry, sources=sources)
    for d in model.diagnostics:
        warn(d)
    clusters = model.clusters
    if fmt == "svg":
        from ..render.svg import SvgRenderer  # Graphviz: only for SVG

        renderer = SvgRenderer()
    documents: list[tuple[str, str | dict, str]] = []  # (cluster, document, file name suffix)
    targets: dict[str, str] = {}  # cluster name -> id of the layer a layer view draws
    if layer is not None:  # a layer view draws the clusters that have that Kustomization
        for c in clusters:
            node = _layer_node(model, c, layer)
            if node is not None:
                targets[c.name] = node.id
        if not targets:
            where = f"cluster {clusters[0].name}" if len(clusters) == 1 else \
                f"any of the clusters {', '.join(c.name for c in clusters)}"
            raise BadInput(f"no Kustomization {layer!r} below the Flux root of {where} "
                           "(name it as namespace/name or name)")
        for c in clusters:
            if c.name not in targets:
                print(f"note: cluster {c.name} has no Kustomization {layer!r}; left out", file=sys.stderr)
        clusters = [c for c in clusters if c.name in targets]
    if out is None and fmt in ("svg", "mermaid") and len(clusters) > 1:
        names = ", ".join(c.name for c in clusters)
        raise BadInput(f"{len(clusters)} clusters ({names}): {fmt.upper() if fmt == 'svg' else 'Mermaid'} on standard "
                       "output holds one; name it with --cluster, or write one file per cluster with --out DIR")
    for c in clusters:
        facts = model.facts[c.name]
        layer_id = targets.get(c.name)
        suffix = "." + slug(layer) if layer is not None else ""
        try:
            if fmt == "json":
                document: str | dict = {"name": c.name, **layer_dag_json(
                    facts, view="full" if view == "layer" else view, layer=layer_id)}  # type: ignore[arg-type]
            elif fmt == "mermaid":
                document = layer_dag_mermaid(facts, view="auto" if view == "layer" else view,  # type: ignore[arg-type]
                                             layer=layer_id)
            else:
                document = (neighbourhood_dot(facts, layer_id, lambda i: f"#{i}", "#flux-root") if layer_id else
                            layer_dag_dot(facts, lambda i: f"#{i}", view=view,  # type: ignore[arg-type]
                                          group_url=lambda key: f"#group-{slug(key or 'top')}"))
        except ValueError as err:  # an overview of a cluster whose layers form no groups
            raise BadInput(str(err)) from None
        if fmt == "svg":
            result = renderer.render(str(document))
            if result.svg is None:
                raise BadInput(result.warning or "no Graphviz engine available")
            document = result.svg
        documents.append((c.name, document, suffix))
    if out is None:
        if fmt == "json":
            print(json.dumps({"clusters": [d for _, d, _ in documents]}, indent=2, sort_keys=True), flush=True)
        else:
            for _, document, _ in documents:
                print(str(document).rstrip("\n"), flush=True)
        return
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    from ..render.pages import unique_slugs  # the pages' renderer (Jinja, MkDocs' front matter): only for file names

    stems, _ = unique_slugs({name: name for name, _, _ in documents})
    for name, document, suffix in documents:
        target = folder / f"{stems[name]}{suffix}.{EXTENSIONS[fmt]}"
        text = json.dumps(document, indent=2, sort_keys=True) + "\n" if fmt == "json" else str(document).rstrip("\n") + "\n"
        target.write_text(text, encoding="utf-8")
        print(str(target), flush=True)


def pages(argv: list[str]) -> None:
    """Write the generated wiki into OUT/flux/ for any static site generator (Zensical, MkDocs without the
    plugin): the pages, their diagrams as SVG files, the assets and a nav (SUMMARY.md, .nav.yml). The wiki is
    REPO's, or the one a mkdocs.yml describes (--config-file)."""
    parser = CommandParser("flux-wiki pages", pages.__doc__)
    # the options a mkdocs.yml gives default to None here, so that those given with --config-file are known
    parser.add_argument("repo", metavar="REPO", nargs="?", type=existing_folder, help="The Flux GitOps repository.")
    cluster_option(parser, given_only=True)
    entry_option(parser)
    parser.add_argument("--out", type=folder_path, required=True, metavar="DOCS",
                        help="The docs folder to write into: the pages go to OUT/flux/.")
    parser.add_argument("--notes", type=file_path, metavar="FILE", help="Author notes YAML.")
    parser.add_argument("--source-basis", type=file_path, metavar="FILE", help="Source-basis index YAML.")
    parser.add_argument("--docs-dir", type=folder_path, metavar="DIR",
                        help="Hand-written pages (titles of related pages).")
    parser.add_argument("--exclude", action="append", metavar="KS", help="Kustomization (id or name) to leave out.")
    parser.add_argument("--browse-url", metavar="URL", help="Base URL to browse the repo's files (links get #L<line>).")
    parser.add_argument("--diagrams", action=BooleanOptionalAction,
                        help="Graphviz diagrams (inline and as SVG files). [default: --diagrams]")
    parser.add_argument("--directory-urls", action=BooleanOptionalAction,
                        help="The site generator's use_directory_urls (page/ rather than page.html): diagram links "
                             "follow it. [default: --directory-urls]")
    source_option(parser, given_only=True)
    parser.add_argument("-f", "--config-file", metavar="FILE", type=existing_file,
                        help="Take every option from this mkdocs.yml's flux-wiki entry (as the plugin and `check` read "
                             "it) instead of REPO and the options above.")
    args = parser.parse(argv)
    out = args.out

    from ..config import WikiConfig
    from ..export.pages import ASSETS, write_pages_folder
    from ..model import printable

    if args.config_file:
        given = [name for name, value in vars(args).items() if name not in ("out", "config_file") and value is not None]
        if given:
            parser.error(f"--config-file takes every option from mkdocs.yml: drop {', '.join(given)}")
        cfg = read_wiki_config(args.config_file)
    elif args.repo is None:
        parser.error("name the REPO, or a mkdocs.yml with --config-file")
    else:
        cfg = WikiConfig(repo=Path(args.repo), clusters=args.cluster or [], entry=args.entry,
                         exclude=args.exclude or [], notes=Path(args.notes) if args.notes else None,
                         source_basis=Path(args.source_basis) if args.source_basis else None,
                         docs_dir=Path(args.docs_dir) if args.docs_dir else None, browse_url=args.browse_url,
                         diagrams=args.diagrams is not False, use_directory_urls=args.directory_urls is not False,
                         sources=source_folders(parser, args.sources or []))
    written, diagnostics, compiled = write_pages_folder(cfg, Path(out))
    for d in diagnostics:
        warn(d)
    for d in compiled.notices:
        print(f"notice: {d}", file=sys.stderr)
    print(f"wrote {len(compiled.pages)} pages ({len(written)} files) to {printable(str(Path(out) / cfg.section))}",
          flush=True)
    assets = [f"{cfg.section}/{a}" for a in ASSETS]
    print("the site's configuration names the assets (docs-relative):\n"
          f"  extra_css: [{', '.join(a for a in assets if a.endswith('.css'))}]\n"
          f"  extra_javascript: [{', '.join(a for a in assets if a.endswith('.js'))}]\n"
          f"and a nav plugin reads {cfg.section}/SUMMARY.md (literate-nav) or {cfg.section}/.nav.yml (awesome-nav)",
          flush=True)
