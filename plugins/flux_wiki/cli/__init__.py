"""The ``flux-wiki`` command: the same engine as the plugin, for terminals and CI.

One module per command group (``init``; ``repo``: inventory, graph, pages; ``authoring``: stamp, check;
``export``; ``diff``; ``doctor``), and one place (``errors``) that turns bad input into a message and an
exit code.
"""

from __future__ import annotations

import gc
import importlib

import click

from .errors import Commands

# command -> module of this package that defines it: a command's module (and what it imports: the engine,
# MkDocs, git) is loaded only when that command runs, so `flux-wiki inventory --help` starts fast
COMMANDS = {"init": "init", "inventory": "repo", "graph": "repo", "pages": "repo", "stamp": "authoring",
            "check": "authoring", "export": "export", "diff": "diff", "doctor": "doctor"}


class LazyCommands(Commands):
    """The top-level group: commands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMANDS.get(cmd_name)
        if module is None:
            return None
        return getattr(importlib.import_module(f".{module}", __name__), cmd_name)


@click.group(cls=LazyCommands)
@click.version_option(package_name="mkdocs-flux-wiki")
def main() -> None:
    """Compile a Flux GitOps repository into wiki pages, diagrams and a JSON model."""


# gc.set_threshold for a flux-wiki process: the collector looks at the youngest objects after 50,000 net
# allocations of container objects instead of 700, at the older generations after 20 of those instead of 10.
GC_THRESHOLD = (50_000, 20, 20)


def run() -> None:
    """The ``flux-wiki`` process: :func:`main` with a calmer garbage collector, then an exit without its last passes.

    Nearly all a command allocates lives until it ends (modules, classes, the parsed repository, the model), so at
    its default pace the collector walks the same live objects again and again for next to nothing to free: 5-20 %
    of ``inventory``. Garbage is freed by reference counting as it is made (the YAML parse leaves no cycle behind:
    tests/load/test_yaml_one_pass.py); what cycles remain wait a little longer (peak RSS +1-2 %).

    What is alive when a command ends goes with the process, yet the interpreter's finalisation first walks all
    of it looking for reference cycles to free (a tenth of ``inventory`` on a small repository). gc.freeze()
    takes it out of the collector's sight; atexit handlers and flushing stdout still run.
    """
    gc.set_threshold(*GC_THRESHOLD)
    try:
        main()
    finally:
        gc.freeze()


__all__ = ["main", "run"]
