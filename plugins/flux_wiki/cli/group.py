"""The top-level ``flux-wiki`` command (:func:`main`): its commands load when they run (see ``__init__`` for the
process)."""

from __future__ import annotations

import importlib
import sys

from .errors import reported
from .parsing import GroupParser, VersionAction

# command -> (module of this package that defines it, its one line of help): a command's module (and what it
# imports: the engine, MkDocs, git) is loaded only when that command runs, so `flux-wiki inventory --help` starts fast
COMMANDS = {
    "check": ("authoring", "Exit 0 when every stamped page is fresh, 1 when one is stale."),
    "diff": ("diff", "What a change does to the cluster, between two git revisions."),
    "doctor": ("doctor", "Explain each dependsOn of a repository, and find ordering bugs."),
    "export": ("export", "Export the wiki for another site generator."),
    "graph": ("repo", "Print (or write) the reconciliation order of each cluster."),
    "init": ("init", "Write a wiki for a repository, to build with `mkdocs serve`."),
    "inventory": ("repo", "Print the model: clusters, Kustomizations, surfaces, warnings."),
    "pages": ("repo", "Write the generated wiki for any static site generator."),
    "stamp": ("authoring", "Record that a page was reviewed against its source basis."),
}


def main(argv: list[str] | None = None) -> None:
    """Compile a Flux GitOps repository into wiki pages, diagrams and a JSON model.

    Runs the command ``argv`` names (default: the process's arguments); a usage error, bad input or a verdict ends
    in SystemExit with its exit code (:mod:`.errors`).
    """
    parser = GroupParser("flux-wiki", "Compile a Flux GitOps repository into wiki pages, diagrams and a JSON model.",
                         {name: summary for name, (_, summary) in COMMANDS.items()})
    parser.add_argument("--version", action=VersionAction, package="mkdocs-flux-wiki")
    name, arguments = parser.command(sys.argv[1:] if argv is None else list(argv))
    module = importlib.import_module(f".{COMMANDS[name][0]}", __package__)
    reported(getattr(module, name), arguments)


__all__ = ["main"]
