"""Options several commands share, and reading the wiki's mkdocs.yml through the one option schema."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..model import Diagnostic, InputError
from ..problems import ProblemPolicy

if TYPE_CHECKING:
    from ..config import WikiConfig

repo_argument = click.argument("repo", default=".", type=click.Path(exists=True, file_okay=False))
cluster_option = click.option("--cluster", "-c", multiple=True, help="Only this cluster (repeatable).")
entry_option = click.option("--entry", help="Root Kustomization path overriding entry-point detection.")


def _sources(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> dict[str, Path]:
    """The ``--source`` values as a mapping. Without any, config.py (MkDocs' config schema, a tenth of a
    second to import) is not loaded: commands that read no mkdocs.yml start without it."""
    if not values:
        return {}
    from ..config import parse_source_option

    try:
        return {key: Path(folder).absolute() for key, folder in parse_source_option(values).items()}
    except ValueError as err:
        raise click.BadParameter(str(err)) from None


source_option = click.option("--source", "sources", multiple=True, metavar="SOURCE=FOLDER", callback=_sources,
                             help="A Flux source outside the repository (Kind/namespace/name or its URL) and the "
                                  "local folder that holds its artifact, e.g. GitRepository/flux-system/infra=../infra. "
                                  "Repeatable; as the `sources:` option.")
config_file_option = click.option("--config-file", "-f", default="mkdocs.yml", show_default=True,
                                  type=click.Path(dir_okay=False), help="The mkdocs.yml with the flux-wiki options.")


def warn(diagnostic: Diagnostic | str, policy: ProblemPolicy = ProblemPolicy()) -> None:
    """A problem on stderr: ``warning:`` when the plugin's build would warn, ``note:`` otherwise."""
    if isinstance(diagnostic, str):
        click.echo(f"warning: {diagnostic}", err=True)
        return
    level, text = policy.report(diagnostic)
    click.echo(f"{'warning' if level == 'warning' else 'note'}: {text}", err=True)


def read_wiki_config(config_file: str | Path) -> WikiConfig:
    """The flux-wiki options of a mkdocs.yml, validated as the plugin validates them (InputError when MkDocs
    would refuse them); what MkDocs would warn about is a warning here too."""
    return _from_mkdocs(Path(config_file), warn)


def wiki_config_for(repo: str | None, config_file: str | None) -> WikiConfig | None:
    """The wiki's options for a command that also works without a wiki: the mkdocs.yml named with
    --config-file, or ./mkdocs.yml when REPO is not given and it is usable; else None."""
    if config_file is not None:
        return read_wiki_config(config_file)
    if repo is None and Path("mkdocs.yml").is_file():
        try:
            return _from_mkdocs(Path("mkdocs.yml"))
        except InputError:
            return None
    return None


def _from_mkdocs(path: Path, *args: object) -> WikiConfig:
    from ..config import wiki_config_from_mkdocs  # MkDocs' config schema: only for the commands that read one

    return wiki_config_from_mkdocs(path, *args)  # type: ignore[arg-type]
