"""The review loop of hand-written pages: ``stamp`` records a page's source basis, ``check`` says what changed
since (and whether a committed copy of generated output is current)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..authoring.basis import BasisGraph, collect, declaration_errors, refused_sources
from ..config import WikiConfig
from ..load.authored import SourceBasisIndex, load_source_basis
from .errors import BadInput, verdict
from .options import config_file_option, read_wiki_config, warn


def _wiki_graph(config_file: str) -> tuple[WikiConfig, BasisGraph]:
    """The wiki's configuration and source-basis graph; BadInput when either is unusable.

    Paths a declared source reached but refused to read (a link out of its root, ...) are warnings.
    """
    cfg = read_wiki_config(config_file)
    index, diags = load_source_basis(cfg.source_basis) if cfg.source_basis else (SourceBasisIndex(), [])
    if diags:
        raise BadInput(*(str(d) for d in diags))
    graph = collect(index, cfg.docs_dir, cfg.repo)
    for d in refused_sources(graph):
        warn(d)
    return cfg, graph


def _refuse_bad_declarations(graph: BasisGraph, pages: list[str]) -> None:
    """Sources of ``pages`` that name an unknown root (or leave their root) are bad configuration: the build
    warns about them, so a stamp or a verdict on them would mean nothing."""
    errors = declaration_errors(graph, pages)
    if errors:
        raise BadInput(*(str(d) for d in errors))


@click.command()
@click.argument("page", nargs=-1)
@click.option("--all", "all_pages", is_flag=True, help="Stamp every hand-written page that declares a source basis.")
@config_file_option
def stamp(page: tuple[str, ...], all_pages: bool, config_file: str) -> None:
    """Record that PAGE (docs-relative path) was reviewed against its source basis as it is now."""
    from ..authoring.lock import load_lock, save_lock, stamp as stamp_pages, stampable

    cfg, graph = _wiki_graph(config_file)
    known = stampable(graph)
    chosen = known if all_pages else [p.removeprefix(f"{cfg.docs_dir.name}/") if cfg.docs_dir else p for p in page]
    if not chosen:
        raise click.UsageError("name the pages to stamp, or --all")
    unknown = [p for p in chosen if p not in known]
    if unknown:
        raise BadInput(f"not a hand-written page with a source basis: {', '.join(unknown)}")
    _refuse_bad_declarations(graph, chosen)
    lock = stamp_pages(graph, load_lock(cfg.lock_file), chosen)
    save_lock(cfg.lock_file, lock)
    for p in chosen:
        click.echo(f"stamped {p} ({len(lock.pages[p].files)} file(s)) in {cfg.lock_file}")


@click.command()
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

    from ..authoring.check import check as check_pages, report_json, report_text
    from ..authoring.lock import load_lock, stampable
    from ..export.drift import compare_trees, drift_text, regenerate
    from ..export.pages import zensical_signs

    cfg, graph = _wiki_graph(config_file)
    _refuse_bad_declarations(graph, stampable(graph))
    signs = zensical_signs(Path(config_file))
    if signs and not (export_dir and export_kind == "pages"):
        docs = cfg.docs_dir.name if cfg.docs_dir else "docs"
        warn(f"{config_file} names the flux-wiki plugin, but Zensical seems to build this site ({'; '.join(signs)}) "
             f"and Zensical runs no MkDocs plugin: write the generated pages with `flux-wiki pages -f {config_file} "
             f"--out {docs}` before `zensical build`, and check them with "
             f"`flux-wiki check --export-dir {docs} --export-kind pages`")
    statuses = check_pages(graph, load_lock(cfg.lock_file))
    drift = None
    if export_dir:
        with tempfile.TemporaryDirectory(prefix="flux-wiki-check-") as tmp:
            owned = regenerate(cfg, Path(tmp), export_kind, all_pages=export_all)
            drift = compare_trees(Path(tmp), Path(export_dir), owned)
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
    verdict(any(s.stale for s in statuses) or bool(drift))
