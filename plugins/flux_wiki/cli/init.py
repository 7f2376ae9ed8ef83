"""``flux-wiki init``: a ready wiki for a Flux repository, to build with ``mkdocs serve``."""

from __future__ import annotations

import shlex
from pathlib import Path
from urllib.parse import urlsplit

import click

from ..model import printable
from ..problems import ProblemPolicy
from ..render.markdown import link_target
from .errors import BadInput
from .options import warn


@click.command()
@click.argument("folder", default=".", type=click.Path(file_okay=False))
@click.option("--repo", required=True, type=click.Path(exists=True, file_okay=False),
              help="The Flux GitOps repository the wiki documents.")
@click.option("--site-name", help="The site's name [default: '<repo folder> wiki'].")
@click.option("--browse-url", help="Base URL to browse the repo's files, e.g. https://github.com/o/r/blob/main/ "
                                   "[default: guessed from the repo's git remote].")
@click.option("--force", is_flag=True, help="Overwrite files that exist.")
def init(folder: str, repo: str, site_name: str | None, browse_url: str | None, force: bool) -> None:
    """Write a wiki for REPO into FOLDER (default: here): mkdocs.yml with the flux-wiki plugin, docs/index.md,
    data/source-basis.yaml and .gitignore. Existing files are left alone unless --force."""
    from ..scaffold import plan_wiki, write_wiki

    if browse_url is not None and not _http_url(browse_url):
        raise BadInput(f"--browse-url {browse_url!r} is not an http(s) URL")
    plan = plan_wiki(Path(folder), Path(repo), site_name=site_name, browse_url=browse_url)
    conflicts = plan.conflicts()
    if conflicts and not force:
        raise BadInput(*(f"{path} exists (--force overwrites it)" for path in conflicts))
    for line in write_wiki(plan):
        click.echo(printable(line))
    click.echo(printable(f"browse_url: {plan.browse.url} ({plan.browse.reason})" if plan.browse.url
                         else f"browse_url: not set ({plan.browse.reason}; set it in mkdocs.yml for links to files)"))
    if plan.clusters:
        click.echo(printable(f"clusters: {', '.join(plan.clusters)}"))
    else:
        warn("no Flux entry point found in the repository: set the plugin's `entry:` in mkdocs.yml")
    # as the plugin's default policy reports them: only problems warn; simulation limits and notices are noted
    levels = [ProblemPolicy().report(d)[0] for d in plan.diagnostics]
    problems, noted = levels.count("warning"), levels.count("info")
    if problems:
        warn(f"the repository has {problems} problem(s), each a warning in the build "
             f"(`mkdocs build --strict` fails): `flux-wiki inventory {repo}` lists them")
    if noted:
        click.echo(printable(f"note: {noted} simulation limit(s) or notice(s), noted in the build (not warnings): "
                             f"`flux-wiki inventory {repo}` lists them"), err=True)
    here = "" if plan.folder == Path.cwd().resolve() else f"cd {shlex.quote(folder)} && "
    click.echo(printable(f"next: {here}mkdocs serve"))


def _http_url(value: str) -> bool:
    """An http(s) URL that links take as it is (nothing in it needs percent-encoding)."""
    return urlsplit(value).scheme.lower() in ("http", "https") and link_target(value) == value
