"""The `flux-wiki` command: the same engine as the plugin, for terminals and CI."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .diff.command import diff as diff_command
from .doctor.command import doctor as doctor_command
from .engine import Model, UnknownCluster, build_model
from .export import export as export_group
from .model import InputError, printable


def _model(repo: str, cluster: tuple[str, ...], entry: str | None, exclude: tuple[str, ...] = ()) -> Model:
    try:
        return build_model(repo, clusters=list(cluster) or None, entry=entry, exclude=list(exclude))
    except UnknownCluster as err:
        raise click.UsageError(str(err)) from None


repo_argument = click.argument("repo", default=".", type=click.Path(exists=True, file_okay=False))
cluster_option = click.option("--cluster", "-c", multiple=True, help="Only this cluster (repeatable).")
entry_option = click.option("--entry", help="Root Kustomization path overriding entry-point detection.")


@click.group()
@click.version_option(package_name="mkdocs-flux-wiki")
def main() -> None:
    """Compile a Flux GitOps repository into wiki pages, diagrams and a JSON model."""


@main.command()
@repo_argument
@cluster_option
@entry_option
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default="text", show_default=True)
@click.option("--exclude", multiple=True, help="Kustomization (id or name) to mark excluded.")
def inventory(repo: str, cluster: tuple[str, ...], entry: str | None, fmt: str, exclude: tuple[str, ...]) -> None:
    """Print the model: clusters, Kustomizations, objects, surfaces, warnings."""
    from .render.inventory import inventory_json

    model = _model(repo, cluster, entry, exclude)
    if fmt == "json":
        sys.stdout.write(inventory_json(model))
        return
    for d in model.diagnostics:
        click.echo(f"warning: {d}", err=True)
    for c in model.clusters:
        click.echo(printable(f"cluster {c.name}: entry {c.entry_file}:{c.entry_line} ({c.entry_kind}), "
                             f"{len(c.kustomizations)} Kustomizations, {len(c.helm_releases)} HelmReleases, "
                             f"{len(c.surfaces)} surfaces, {len(c.warnings)} warnings"))
        for k in sorted(c.kustomizations.values(), key=lambda k: (k.level or 0, k.id)):
            extra = f" ({k.reason})" if k.reason else ""
            click.echo(printable(f"  L{k.level} {k.id} [{k.status}] {k.path or ''} objects={len(k.resources)}{extra}"))
        for w in c.warnings:
            click.echo(f"  warning: {w}", err=True)


@main.command()
@repo_argument
@cluster_option
@entry_option
@click.option("--format", "fmt", type=click.Choice(["dot", "svg", "json", "mermaid"]), default="dot", show_default=True)
def graph(repo: str, cluster: tuple[str, ...], entry: str | None, fmt: str) -> None:
    """Print the layer DAG of each cluster."""
    from .render.diagrams import layer_dag_dot, layer_dag_json, layer_dag_mermaid
    from .render.svg import SvgRenderer

    model = _model(repo, cluster, entry)
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


@main.command()
@repo_argument
@cluster_option
@entry_option
@click.option("--out", type=click.Path(file_okay=False), required=True, help="Folder to write the Markdown pages to.")
@click.option("--notes", type=click.Path(dir_okay=False), help="Author notes YAML.")
@click.option("--source-basis", type=click.Path(dir_okay=False), help="Source-basis index YAML.")
@click.option("--docs-dir", type=click.Path(file_okay=False), help="Hand-written pages (titles of related pages).")
@click.option("--exclude", multiple=True, help="Kustomization (id or name) to leave out.")
def pages(repo: str, cluster: tuple[str, ...], entry: str | None, out: str, notes: str | None,
          source_basis: str | None, docs_dir: str | None, exclude: tuple[str, ...]) -> None:
    """Write the generated Markdown pages (as the plugin adds them) into a folder."""
    from .site import WikiCompiler, WikiConfig

    cfg = WikiConfig(repo=Path(repo), clusters=list(cluster), entry=entry, exclude=list(exclude),
                     notes=Path(notes) if notes else None, source_basis=Path(source_basis) if source_basis else None,
                     docs_dir=Path(docs_dir) if docs_dir else None, diagrams=False)
    try:
        compiled = WikiCompiler().compile(cfg)
    except UnknownCluster as err:
        raise click.UsageError(str(err)) from None
    except InputError as err:  # a template that does not render
        raise click.ClickException(str(err)) from None
    for d in compiled.diagnostics:
        click.echo(f"warning: {d}", err=True)
    for d in compiled.notices:
        click.echo(f"notice: {d}", err=True)
    for page in compiled.pages:
        target = Path(out) / page.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page.markdown, encoding="utf-8")
        click.echo(str(target))


config_file_option = click.option("--config-file", "-f", default="mkdocs.yml", show_default=True,
                                  type=click.Path(dir_okay=False), help="The mkdocs.yml with the flux-wiki options.")


def _wiki_graph(config_file: str):  # type: ignore[no-untyped-def]
    """(WikiConfig, BasisGraph) from mkdocs.yml; exit 2 when the configuration is unusable.

    Paths a declared source reached but refused to read (a link out of its root, ...) are warnings.
    """
    from .basis import collect, refused_sources
    from .load.authored import SourceBasisIndex, load_source_basis
    from .model import InputError
    from .site import wiki_config_from_mkdocs

    try:
        cfg = wiki_config_from_mkdocs(Path(config_file))
    except InputError as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(2)
    index, diags = load_source_basis(cfg.source_basis) if cfg.source_basis else (SourceBasisIndex(), [])
    if diags:
        for d in diags:
            click.echo(f"error: {d}", err=True)
        sys.exit(2)
    graph = collect(index, cfg.docs_dir)
    for d in refused_sources(graph):
        click.echo(f"warning: {d}", err=True)
    return cfg, graph


def _lock(path: Path):  # type: ignore[no-untyped-def]
    from .model import InputError
    from .staleness import load_lock

    try:
        return load_lock(path)
    except InputError as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(2)


@main.command()
@click.argument("page", nargs=-1)
@click.option("--all", "all_pages", is_flag=True, help="Stamp every hand-written page that declares a source basis.")
@config_file_option
def stamp(page: tuple[str, ...], all_pages: bool, config_file: str) -> None:
    """Record that PAGE (docs-relative path) was reviewed against its source basis as it is now."""
    from .staleness import save_lock, stamp as stamp_pages, stampable

    cfg, graph = _wiki_graph(config_file)
    known = stampable(graph)
    chosen = known if all_pages else [p.removeprefix(f"{cfg.docs_dir.name}/") if cfg.docs_dir else p for p in page]
    if not chosen:
        raise click.UsageError("name the pages to stamp, or --all")
    unknown = [p for p in chosen if p not in known]
    if unknown:
        click.echo(f"error: not a hand-written page with a source basis: {', '.join(unknown)}", err=True)
        sys.exit(2)
    lock = stamp_pages(graph, _lock(cfg.lock_file), chosen)
    save_lock(cfg.lock_file, lock)
    for p in chosen:
        click.echo(f"stamped {p} ({len(lock.pages[p].files)} file(s)) in {cfg.lock_file}")


@main.command()
@config_file_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--export-dir", type=click.Path(file_okay=False),
              help="Also check this committed copy of generated output against a fresh generation.")
@click.option("--export-kind", type=click.Choice(["hugo", "pages"]), default="hugo", show_default=True,
              help="What --export-dir holds: the Hugo export, or the Markdown of `flux-wiki pages`.")
@click.option("--export-all", is_flag=True, help="The committed Hugo export was made with `export hugo --all`.")
def check(config_file: str, fmt: str, export_dir: str | None, export_kind: str, export_all: bool) -> None:
    """Exit 0 when every stamped page is fresh, 1 when a page's source basis changed, 2 on bad configuration."""
    import tempfile

    from .staleness import check as check_pages, compare_trees, drift_text, regenerate, report_json, report_text

    cfg, graph = _wiki_graph(config_file)
    statuses = check_pages(graph, _lock(cfg.lock_file))
    drift = None
    if export_dir:
        with tempfile.TemporaryDirectory(prefix="flux-wiki-check-") as tmp:
            regenerate(cfg, Path(tmp), export_kind, all_pages=export_all)
            drift = compare_trees(Path(tmp), Path(export_dir))
    if fmt == "json":
        data = json.loads(report_json(statuses))
        if drift is not None:
            data["export"] = {"dir": export_dir, "current": not drift,
                              "files": [{"path": d.path, "state": d.state, "diff": d.diff} for d in drift]}
        click.echo(json.dumps(data, indent=2, sort_keys=True))
    else:
        click.echo(report_text(statuses), nl=False)
        if drift is not None:
            click.echo(drift_text(drift, Path(export_dir or ".")), nl=False)
    sys.exit(1 if any(s.stale for s in statuses) or drift else 0)


main.add_command(export_group)
main.add_command(diff_command)
main.add_command(doctor_command)


if __name__ == "__main__":  # pragma: no cover
    main()
