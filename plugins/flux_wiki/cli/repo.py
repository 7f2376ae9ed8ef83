"""Commands on a repository folder named on the command line: ``inventory``, ``graph`` and ``pages``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..engine import build_model
from ..model import Model, printable
from .options import cluster_option, entry_option, repo_argument, source_option, warn


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
@repo_argument
@cluster_option
@entry_option
@click.option("--out", type=click.Path(file_okay=False), required=True, help="Folder to write the Markdown pages to.")
@click.option("--notes", type=click.Path(dir_okay=False), help="Author notes YAML.")
@click.option("--source-basis", type=click.Path(dir_okay=False), help="Source-basis index YAML.")
@click.option("--docs-dir", type=click.Path(file_okay=False), help="Hand-written pages (titles of related pages).")
@click.option("--exclude", multiple=True, help="Kustomization (id or name) to leave out.")
@source_option
def pages(repo: str, cluster: tuple[str, ...], entry: str | None, out: str, notes: str | None,
          source_basis: str | None, docs_dir: str | None, exclude: tuple[str, ...], sources: dict[str, Path]) -> None:
    """Write the generated Markdown pages (as the plugin adds them) into a folder."""
    from ..compile import WikiCompiler, write_pages
    from ..config import WikiConfig

    cfg = WikiConfig(repo=Path(repo), clusters=list(cluster), entry=entry, exclude=list(exclude),
                     notes=Path(notes) if notes else None, source_basis=Path(source_basis) if source_basis else None,
                     docs_dir=Path(docs_dir) if docs_dir else None, diagrams=False, sources=sources)
    compiled = WikiCompiler().compile(cfg)
    for d in compiled.diagnostics:
        warn(d)
    for d in compiled.notices:
        click.echo(f"notice: {d}", err=True)
    for target in write_pages(compiled.pages, Path(out)):
        click.echo(str(target))
