"""``flux-wiki init``: a ready wiki for a Flux repository, to build with ``mkdocs serve``."""

from __future__ import annotations

import sys
from pathlib import Path

from .errors import BadInput
from .options import warn
from .parsing import CommandParser, existing_folder, folder_path


def init(argv: list[str]) -> None:
    """Write a wiki for REPO into FOLDER (default: here): mkdocs.yml with the flux-wiki plugin, docs/index.md,
    data/source-basis.yaml and .gitignore. Existing files are left alone unless --force."""
    parser = CommandParser("flux-wiki init", init.__doc__)
    parser.add_argument("folder", metavar="FOLDER", nargs="?", default=".", type=folder_path,
                        help="Where to write the wiki [default: the current folder].")
    parser.add_argument("--repo", required=True, type=existing_folder,
                        help="The Flux GitOps repository the wiki documents.")
    parser.add_argument("--site-name", help="The site's name [default: '<repo folder> wiki'].")
    parser.add_argument("--browse-url", metavar="URL",
                        help="Base URL to browse the repo's files, e.g. https://github.com/o/r/blob/main/ "
                             "[default: guessed from the repo's git remote].")
    parser.add_argument("--force", action="store_true", help="Overwrite files that exist.")
    args = parser.parse(argv)
    folder, repo, browse_url = args.folder, args.repo, args.browse_url

    import shlex

    from ..model import printable
    from ..problem_policy import ProblemPolicy
    from ..scaffold import plan_wiki, write_wiki

    if browse_url is not None and not _http_url(browse_url):
        raise BadInput(f"--browse-url {browse_url!r} is not an http(s) URL")
    plan = plan_wiki(Path(folder), Path(repo), site_name=args.site_name, browse_url=browse_url)
    conflicts = plan.conflicts()
    if conflicts and not args.force:
        raise BadInput(*(f"{path} exists (--force overwrites it)" for path in conflicts))
    for line in write_wiki(plan):
        print(printable(line), flush=True)
    print(printable(f"browse_url: {plan.browse.url} ({plan.browse.reason})" if plan.browse.url
                    else f"browse_url: not set ({plan.browse.reason}; set it in mkdocs.yml for links to files)"),
          flush=True)
    if plan.clusters:
        print(printable(f"clusters: {', '.join(plan.clusters)}"), flush=True)
    else:
        warn("no Flux entry point found in the repository: set the plugin's `entry:` in mkdocs.yml")
    # as the plugin's default policy reports them: only problems warn; simulation limits and notices are noted
    levels = [ProblemPolicy().report(d)[0] for d in plan.diagnostics]
    problems, noted = levels.count("warning"), levels.count("info")
    if problems:
        warn(f"the repository has {problems} problem(s), each a warning in the build "
             f"(`mkdocs build --strict` fails): `flux-wiki inventory {repo}` lists them")
    if noted:
        print(printable(f"note: {noted} simulation limit(s) or notice(s), noted in the build (not warnings): "
                        f"`flux-wiki inventory {repo}` lists them"), file=sys.stderr)
    here = "" if plan.folder == Path.cwd().resolve() else f"cd {shlex.quote(folder)} && "
    print(printable(f"next: {here}mkdocs serve"), flush=True)


def _http_url(value: str) -> bool:
    """An http(s) URL that links take as it is (nothing in it needs percent-encoding)."""
    from urllib.parse import urlsplit

    from ..render.markdown import link_target

    return urlsplit(value).scheme.lower() in ("http", "https") and link_target(value) == value
