"""Options several commands share, and reading the wiki's mkdocs.yml through the one option schema."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from ..config import WikiConfig
    from ..model import Diagnostic

repo_argument = click.argument("repo", default=".", type=click.Path(exists=True, file_okay=False))
cluster_option = click.option("--cluster", "-c", multiple=True, help="Only this cluster (repeatable).")
entry_option = click.option("--entry", help="Root Kustomization path overriding entry-point detection.")
config_file_option = click.option("--config-file", "-f", default="mkdocs.yml", show_default=True,
                                  type=click.Path(dir_okay=False), help="The mkdocs.yml with the flux-wiki options.")


def warn(diagnostic: Diagnostic | str) -> None:
    click.echo(f"warning: {diagnostic}", err=True)


def read_wiki_config(config_file: str | Path) -> WikiConfig:
    """The flux-wiki options of a mkdocs.yml, validated as the plugin validates them (InputError when MkDocs
    would refuse them); what MkDocs would warn about is a warning here too."""
    from ..config import wiki_config_from_mkdocs  # MkDocs' config schema: only for the commands that read one

    return wiki_config_from_mkdocs(Path(config_file), warn)
