"""``flux-wiki export``: the wiki for another site generator (Hugo)."""

from __future__ import annotations

from pathlib import Path

import click

from ..export.hugo import export_files, write_export
from .errors import Commands
from .options import read_wiki_config, warn


@click.group("export", cls=Commands)
def export() -> None:
    """Export the wiki for another site generator."""


@export.command("hugo")
@click.option("--out", type=click.Path(file_okay=False), required=True,
              help="Hugo content folder to write, e.g. ../hugo-blog/content/wiki.")
@click.option("--all", "all_pages", is_flag=True, help="Also export the hand-written pages of docs_dir.")
@click.option("--config-file", "-f", type=click.Path(dir_okay=False, exists=True), default="mkdocs.yml",
              show_default=True, help="The mkdocs.yml whose flux-wiki plugin options say what to compile.")
def hugo(out: str, all_pages: bool, config_file: str) -> None:
    """Write the wiki as a Hugo content section (page bundles, SVG diagrams, front matter)."""
    cfg = read_wiki_config(config_file)
    files, diagnostics = export_files(cfg, all_pages=all_pages)
    for d in diagnostics:
        warn(d, cfg.problems)
    written = write_export(files, Path(out))
    click.echo(f"exported {sum(1 for p in written if p.suffix == '.md')} pages ({len(written)} files) to {out}")
