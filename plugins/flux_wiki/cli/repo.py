"""Commands on a repository folder named on the command line: ``inventory``, ``graph`` and ``pages``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..model import printable
from ..problems import ProblemPolicy
from .options import cluster_option, entry_option, read_wiki_config, repo_argument, source_option, warn

if TYPE_CHECKING:
    from ..model import Cluster, KustomizationNode, Model


def _model(repo: str, cluster: tuple[str, ...], entry: str | None, exclude: tuple[str, ...] = (),
           sources: dict[str, Path] | None = None) -> Model:
    """The model; with no cluster there is nothing to print: exit 1 with why (the entry-point message)."""
    from ..engine import build_model  # the engine loads when a command runs, not for --help

    model = build_model(repo, clusters=list(cluster) or None, entry=entry, exclude=list(exclude), sources=sources)
    if not model.clusters:
        for d in model.diagnostics:
            click.echo(f"error: {d}", err=True)
        raise SystemExit(1)
    return model


@click.command()
@repo_argument
@cluster_option
@entry_option
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default="text", show_default=True)
@click.option("--exclude", multiple=True, help="Kustomization (id or name) to mark excluded.")
@source_option
def inventory(repo: str, cluster: tuple[str, ...], entry: str | None, fmt: str, exclude: tuple[str, ...],
              sources: dict[str, Path]) -> None:
    """Print the model: clusters, Kustomizations, objects, surfaces, warnings."""
    from ..render.inventory import inventory_json

    model = _model(repo, cluster, entry, exclude, sources)
    if fmt == "json":
        sys.stdout.write(inventory_json(model))
        return
    for d in model.diagnostics:
        warn(d)
    for c in model.clusters:
        warnings = sum(1 for w in c.warnings if ProblemPolicy().report(w)[0] == "warning")  # as warn() prints them
        click.echo(printable(f"cluster {c.name}: entry {c.entry_file}:{c.entry_line} ({c.entry_kind}), "
                             f"{len(c.kustomizations)} Kustomizations, {len(c.helm_releases)} HelmReleases, "
                             f"{len(c.surfaces)} surfaces, {warnings} warnings, {len(c.warnings) - warnings} notes"))
        for k in sorted(c.kustomizations.values(), key=lambda k: (k.level or 0, k.id)):
            extra = f" ({k.reason})" if k.reason else ""
            click.echo(printable(f"  L{k.level} {k.id} [{k.status}] {k.path or ''} objects={len(k.resources)}{extra}"))
        for w in c.warnings:
            warn(w)


VIEWS = ("auto", "full", "overview")
EXTENSIONS = {"dot": "dot", "svg": "svg", "json": "json", "mermaid": "mmd"}


def _view(value: str) -> tuple[str, str | None]:
    """``--view``: auto, full, overview, or ``layer:NAME`` (a Kustomization's neighbourhood)."""
    if value in VIEWS:
        return value, None
    if value.startswith("layer:") and value[len("layer:"):]:
        return "layer", value[len("layer:"):]
    raise click.BadParameter(f"{value!r}: expected auto, full, overview or layer:NAME", param_hint="'--view'")


def _layer_node(model: Model, cluster: Cluster, layer: str) -> KustomizationNode | None:
    """The Kustomization ``layer`` (name or namespace/name) of ``cluster`` below its Flux root, or None."""
    node = model.facts[cluster.name].kustomization(layer)
    return None if node is None or node.id == cluster.root_id else node


@click.command()
@repo_argument
@cluster_option
@entry_option
@click.option("--format", "fmt", type=click.Choice(["dot", "svg", "json", "mermaid"]), default="dot", show_default=True)
@click.option("--view", "view_text", default="auto", show_default=True, metavar="auto|full|overview|layer:NAME",
              help="full: every Kustomization; overview: one node per group (namespace, parent or path); "
                   "layer:NAME: one Kustomization's chain to the Flux root and direct dependents; auto: the overview "
                   "above 40 Kustomizations, else full.")
@click.option("--out", type=click.Path(file_okay=False),
              help="Write one file per cluster into this folder (<cluster>.<ext>, <cluster>.<layer>.<ext> for a "
                   "layer view) instead of standard output.")
@source_option
def graph(repo: str, cluster: tuple[str, ...], entry: str | None, fmt: str, view_text: str, out: str | None,
          sources: dict[str, Path]) -> None:
    """Print (or write) the reconciliation order of each cluster: dependsOn and applied-by edges, as DOT, SVG,
    JSON or Mermaid. SVG and Mermaid hold one cluster: name it with --cluster, or use --out."""
    from ..render.diagrams import layer_dag_dot, layer_dag_json, layer_dag_mermaid, neighbourhood_dot
    from ..render.markdown import slug
    from ..render.pages import unique_slugs
    from ..render.svg import SvgRenderer
    from .errors import BadInput

    view, layer = _view(view_text)
    model = _model(repo, cluster, entry, sources=sources)
    for d in model.diagnostics:
        warn(d)
    clusters = model.clusters
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
                click.echo(f"note: cluster {c.name} has no Kustomization {layer!r}; left out", err=True)
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
            click.echo(json.dumps({"clusters": [d for _, d, _ in documents]}, indent=2, sort_keys=True))
        else:
            for _, document, _ in documents:
                click.echo(str(document).rstrip("\n"))
        return
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    stems, _ = unique_slugs({name: name for name, _, _ in documents})
    for name, document, suffix in documents:
        target = folder / f"{stems[name]}{suffix}.{EXTENSIONS[fmt]}"
        text = json.dumps(document, indent=2, sort_keys=True) + "\n" if fmt == "json" else str(document).rstrip("\n") + "\n"
        target.write_text(text, encoding="utf-8")
        click.echo(str(target))


@click.command()
@click.argument("repo", required=False, type=click.Path(exists=True, file_okay=False))
@cluster_option
@entry_option
@click.option("--out", type=click.Path(file_okay=False), required=True,
              help="The docs folder to write into: the pages go to OUT/flux/.")
@click.option("--notes", type=click.Path(dir_okay=False), help="Author notes YAML.")
@click.option("--source-basis", type=click.Path(dir_okay=False), help="Source-basis index YAML.")
@click.option("--docs-dir", type=click.Path(file_okay=False), help="Hand-written pages (titles of related pages).")
@click.option("--exclude", multiple=True, help="Kustomization (id or name) to leave out.")
@click.option("--browse-url", help="Base URL to browse the repo's files (links get #L<line>).")
@click.option("--diagrams/--no-diagrams", default=True, show_default=True, help="Graphviz diagrams (inline and as SVG files).")
@click.option("--directory-urls/--no-directory-urls", default=True, show_default=True,
              help="The site generator's use_directory_urls (page/ rather than page.html): diagram links follow it.")
@source_option
@click.option("--config-file", "-f", type=click.Path(dir_okay=False, exists=True),
              help="Take every option from this mkdocs.yml's flux-wiki entry (as the plugin and `check` read it) "
                   "instead of REPO and the options above.")
def pages(repo: str | None, cluster: tuple[str, ...], entry: str | None, out: str, notes: str | None,
          source_basis: str | None, docs_dir: str | None, exclude: tuple[str, ...], browse_url: str | None,
          diagrams: bool, directory_urls: bool, sources: dict[str, Path], config_file: str | None) -> None:
    """Write the generated wiki into OUT/flux/ for any static site generator (Zensical, MkDocs without the
    plugin): the pages, their diagrams as SVG files, the assets and a nav (SUMMARY.md, .nav.yml). The wiki is
    REPO's, or the one a mkdocs.yml describes (--config-file)."""
    from ..config import WikiConfig
    from ..export.pages import ASSETS, write_pages_folder

    ctx = click.get_current_context()
    if config_file:
        given = [name for name in ctx.params if name not in ("out", "config_file")
                 and ctx.get_parameter_source(name) == click.core.ParameterSource.COMMANDLINE]
        if given:
            raise click.UsageError(f"--config-file takes every option from mkdocs.yml: drop {', '.join(given)}")
        cfg = read_wiki_config(config_file)
    elif repo is None:
        raise click.UsageError("name the REPO, or a mkdocs.yml with --config-file")
    else:
        cfg = WikiConfig(repo=Path(repo), clusters=list(cluster), entry=entry, exclude=list(exclude),
                         notes=Path(notes) if notes else None,
                         source_basis=Path(source_basis) if source_basis else None,
                         docs_dir=Path(docs_dir) if docs_dir else None, browse_url=browse_url, diagrams=diagrams,
                         use_directory_urls=directory_urls, sources=sources)
    written, diagnostics, compiled = write_pages_folder(cfg, Path(out))
    for d in diagnostics:
        warn(d)
    for d in compiled.notices:
        click.echo(f"notice: {d}", err=True)
    click.echo(f"wrote {len(compiled.pages)} pages ({len(written)} files) to {printable(str(Path(out) / cfg.section))}")
    assets = [f"{cfg.section}/{a}" for a in ASSETS]
    click.echo("the site's configuration names the assets (docs-relative):\n"
               f"  extra_css: [{', '.join(a for a in assets if a.endswith('.css'))}]\n"
               f"  extra_javascript: [{', '.join(a for a in assets if a.endswith('.js'))}]\n"
               f"and a nav plugin reads {cfg.section}/SUMMARY.md (literate-nav) or {cfg.section}/.nav.yml (awesome-nav)")
