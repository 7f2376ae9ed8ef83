"""`flux-wiki diff`: what a change does to the cluster, between two git revisions."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import click

from ..diff.history import BuildOptions, RevisionInventories
from ..diff.report import render_json, render_markdown, render_text
from ..diff.revisions import GitRepo
from .errors import BadInput, verdict
from .options import wiki_config_for


@dataclass
class _Target:
    repo: Path
    clusters: tuple[str, ...]
    entry: str | None
    browse_url: str | None


def _target(repo: str | None, config_file: str | None, clusters: tuple[str, ...], entry: str | None,
            browse_url: str | None) -> _Target:
    """The folder to diff and its options: the command line first, then the wiki's mkdocs.yml for its repo
    (named with --config-file, or ./mkdocs.yml when REPO is not given and it is usable)."""
    folder = Path(repo) if repo else None
    cfg = wiki_config_for(repo, config_file)
    if cfg is not None and (folder is None or folder.resolve() == cfg.repo.resolve()):
        return _Target(cfg.repo, clusters or tuple(cfg.clusters), entry or cfg.entry, browse_url or cfg.browse_url)
    return _Target(folder or Path("."), clusters, entry, browse_url)


@click.command()
@click.argument("repo", required=False, type=click.Path(exists=True, file_okay=False))
@click.option("--base", help="Revision to compare from (default: the merge base of HEAD and the default branch).")
@click.option("--head", help="Revision to compare to (default: the working tree).")
@click.option("--cluster", "-c", multiple=True, help="Only this cluster (repeatable).")
@click.option("--entry", help="Root Kustomization path overriding entry-point detection.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
@click.option("--exit-code", is_flag=True, help="Exit 1 when the topology changed.")
@click.option("--browse-url", help="Base URL of the repo's files at the head revision (links get #L<line>).")
@click.option("--config-file", "-f", type=click.Path(dir_okay=False),
              help="A mkdocs.yml whose flux-wiki options (repo, clusters, entry, browse_url) apply "
                   "[default: ./mkdocs.yml when REPO is not given].")
def diff(repo: str | None, base: str | None, head: str | None, cluster: tuple[str, ...], entry: str | None, fmt: str,
         exit_code: bool, browse_url: str | None, config_file: str | None) -> None:
    """What a change does to the cluster: Kustomizations, objects, surfaces, charts, images and problems
    that differ between two revisions of REPO (default: the current folder, or the wiki's repo).

    Exit 0, or 1 with --exit-code when something changed; 2 when REPO is not in a git work tree, a
    revision or cluster is unknown, or the configuration is unusable.
    """
    target = _target(repo, config_file, cluster, entry, browse_url)
    git = GitRepo(target.repo)
    head_rev = git.revision(head)
    base_rev = git.revision(base) if base else git.default_base(head_rev.commit)
    result = RevisionInventories(git, BuildOptions(target.clusters, target.entry)).compare(base_rev, head_rev)
    if target.clusters and not result.clusters:
        raise BadInput(f"no cluster named {', '.join(target.clusters)} at {base_rev.label} or {head_rev.label}")
    if fmt == "json":
        sys.stdout.write(render_json(result))
    elif fmt == "markdown":
        sys.stdout.write(render_markdown(result, target.browse_url))
    else:
        sys.stdout.write(render_text(result))
    verdict(exit_code and result.changed)
