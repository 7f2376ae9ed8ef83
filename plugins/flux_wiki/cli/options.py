"""Options several commands share, and reading the wiki's mkdocs.yml through the one option schema.

Nothing of the engine is imported here at start-up: ``COMMAND --help`` loads only the command's parser.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .parsing import CommandParser, existing_folder, file_path

if TYPE_CHECKING:
    from ..config import WikiConfig
    from ..model import Diagnostic
    from ..problem_policy import ProblemPolicy


def repo_argument(parser: CommandParser) -> None:
    parser.add_argument("repo", metavar="REPO", nargs="?", default=".", type=existing_folder,
                        help="The Flux GitOps repository [default: the current folder].")


def cluster_option(parser: CommandParser, given_only: bool = False) -> None:
    """``--cluster``, a list (None when not given if ``given_only``)."""
    parser.add_argument("-c", "--cluster", action="append", default=None if given_only else [], metavar="NAME",
                        help="Only this cluster (repeatable).")


def entry_option(parser: CommandParser) -> None:
    parser.add_argument("--entry", metavar="PATH", help="Root Kustomization path overriding entry-point detection.")


def source_option(parser: CommandParser, given_only: bool = False) -> None:
    """``--source``, a list of SOURCE=FOLDER (None when not given if ``given_only``): see :func:`source_folders`."""
    parser.add_argument("--source", dest="sources", action="append", default=None if given_only else [],
                        metavar="SOURCE=FOLDER",
                        help="A Flux source outside the repository (Kind/namespace/name or its URL) and the local "
                             "folder that holds its artifact, e.g. GitRepository/flux-system/infra=../infra. "
                             "Repeatable; as the `sources:` option.")


def config_file_option(parser: CommandParser) -> None:
    parser.add_argument("-f", "--config-file", metavar="FILE", default="mkdocs.yml", type=file_path,
                        help="The mkdocs.yml with the flux-wiki options [default: mkdocs.yml].")


def source_folders(parser: CommandParser, values: list[str]) -> dict[str, Path]:
    """The ``--source`` values as a mapping (a usage error when one is not SOURCE=FOLDER). Without any, config.py
    (MkDocs' config schema, a tenth of a second to import) is not loaded: commands that read no mkdocs.yml start
    without it."""
    if not values:
        return {}
    from ..config import parse_source_option

    try:
        return {key: Path(folder).absolute() for key, folder in parse_source_option(values).items()}
    except ValueError as err:
        parser.error(f"argument --source: {err}")


def warn(diagnostic: Diagnostic | str, policy: ProblemPolicy | None = None) -> None:
    """A problem on stderr: ``warning:`` when the plugin's build would warn, ``note:`` otherwise (as ``policy``,
    default the plugin's default policy, reports it)."""
    if isinstance(diagnostic, str):
        print(f"warning: {diagnostic}", file=sys.stderr)
        return
    if policy is None:
        from ..problem_policy import ProblemPolicy

        policy = ProblemPolicy()
    level, text = policy.report(diagnostic)
    print(f"{'warning' if level == 'warning' else 'note'}: {text}", file=sys.stderr)


def read_wiki_config(config_file: str | Path) -> WikiConfig:
    """The flux-wiki options of a mkdocs.yml, validated as the plugin validates them (InputError when MkDocs
    would refuse them); what MkDocs would warn about is a warning here too."""
    return _from_mkdocs(Path(config_file), warn)


def wiki_config_for(repo: str | None, config_file: str | None) -> WikiConfig | None:
    """The wiki's options for a command that also works without a wiki: the mkdocs.yml named with
    --config-file, or ./mkdocs.yml when REPO is not given and it is usable; else None."""
    from ..model import InputError

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
