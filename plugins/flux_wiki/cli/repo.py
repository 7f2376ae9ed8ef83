"""Commands on a repository folder named on the command line: ``inventory``, ``graph`` and ``pages``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..engine import build_model
from ..model import Model, printable
from .options import cluster_option, entry_option, read_wiki_config, repo_argument, source_option, warn


def _model(repo: str, cluster: tuple[str, ...], entry: str | None, exclude: tuple[str, ...] = (),
           sources: dict[str, Path] | None = None) -> Model:
    return build_model(repo, clusters=list(cluster) or None, entry=entry, exclude=list(exclude), sources=sources)


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
        click.echo(printable(f"cluster {c.name}: entry {c.entry_file}:{c.entry_line} ({c.entry_kind}), "
                             f"{len(c.kustomizations)} Kustomizations, {len(c.helm_releases)} HelmReleases, "
                             f"{len(c.surfaces)} surfaces, {len(c.warnings)} warnings"))
        for k in sorted(c.kustomizations.values(), key=lambda k: (k.level or 0, k.id)):
            extra = f" ({k.reason})" if k.reason else ""
            click.echo(printable(f"  L{k.level} {k.id} [{k.status}] {k.path or ''} objects={len(k.resources)}{extra}"))
        for w in c.warnings:
            click.echo(f"  warning: {w}", err=True)


@click.command()
@repo_argument
@cluster_option
@entry_option
@click.option("--format", "fmt", type=click.Choice(["dot", "svg", "json", "mermaid"]), default="dot", show_default=True)
@source_option
def graph(repo: str, cluster: tuple[str, ...], entry: str | None, fmt: str, sources: dict[str, Path]) -> None:
    """Print the layer DAG of each cluster."""
    from ..render.diagrams import layer_dag_dot, layer_dag_json, layer_dag_mermaid
    from ..render.svg import SvgRenderer

    model = _model(repo, cluster, entry, sources=sources)
    if fmt == "json":
        click.echo(json.dumps({"clusters": [{"name": c.name, **layer_dag_json(c)} for c in model.clusters]},
                              indent=2, sort_keys=True))
        return
    renderer = SvgRenderer()
    for c in model.clusters:
        if fmt == "mermaid":
            click.echo(layer_dag_mermaid(c))
            continue
        dot = layer_dag_dot(c, lambda i: f"#{i}")
        if fmt == "dot":
            click.echo(dot)
        else:
            result = renderer.render(dot)
            if result.svg is None:
                raise click.ClickException(result.warning or "no Graphviz engine available")
            click.echo(result.svg)


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
