"""`flux-wiki diff`: what a change does to the cluster, between two git revisions."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from .errors import BadInput, verdict
from .options import cluster_option, entry_option, wiki_config_for
from .parsing import CommandParser, existing_folder, file_path


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


def diff(argv: list[str]) -> None:
    """What a change does to the cluster: Kustomizations, objects, surfaces, charts, images and problems
    that differ between two revisions of REPO (default: the current folder, or the wiki's repo).

    Exit 0, or 1 with --exit-code when something changed; 2 when REPO is not in a git work tree, a
    revision or cluster is unknown, or the configuration is unusable.
    """
    parser = CommandParser("flux-wiki diff", diff.__doc__)
    parser.add_argument("repo", metavar="REPO", nargs="?", type=existing_folder, help="The Flux GitOps repository.")
    parser.add_argument("--base", metavar="REF",
                        help="Revision to compare from (default: the merge base of HEAD and the default branch).")
    parser.add_argument("--head", metavar="REF", help="Revision to compare to (default: the working tree).")
    cluster_option(parser)
    entry_option(parser)
    parser.add_argument("--format", dest="fmt", choices=["text", "json", "markdown"], default="text",
                        help="[default: text]")
    parser.add_argument("--exit-code", action="store_true", help="Exit 1 when the topology changed.")
    parser.add_argument("--browse-url", metavar="URL",
                        help="Base URL of the repo's files at the head revision (links get #L<line>).")
    parser.add_argument("-f", "--config-file", metavar="FILE", type=file_path,
                        help="A mkdocs.yml whose flux-wiki options (repo, clusters, entry, browse_url) apply "
                             "[default: ./mkdocs.yml when REPO is not given].")
    args = parser.parse(argv)
    base, head, fmt = args.base, args.head, args.fmt

    from ..diff.history import BuildOptions, RevisionInventories
    from ..diff.report import render_json, render_markdown, render_text
    from ..diff.revisions import GitRepo

    target = _target(args.repo, args.config_file, tuple(args.cluster), args.entry, args.browse_url)
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
    verdict(args.exit_code and result.changed)
