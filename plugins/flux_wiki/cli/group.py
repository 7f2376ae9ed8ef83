"""The top-level ``flux-wiki`` group (:func:`main`): its commands load when they run (see ``__init__`` for the process)."""

from __future__ import annotations

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
        return getattr(importlib.import_module(f".{module}", __package__), cmd_name)


@click.group(cls=LazyCommands)
@click.version_option(package_name="mkdocs-flux-wiki")
def main() -> None:
    """Compile a Flux GitOps repository into wiki pages, diagrams and a JSON model."""


__all__ = ["main"]
