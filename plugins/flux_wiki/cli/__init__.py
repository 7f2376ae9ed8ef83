"""The ``flux-wiki`` command: the same engine as the plugin, for terminals and CI.

One module per command group (``init``; ``repo``: inventory, graph, pages; ``authoring``: stamp, check;
``export``; ``diff``; ``doctor``), and one place (``errors``) that turns bad input into a message and an
exit code.
"""

from __future__ import annotations

import click

from .authoring import check, stamp
from .diff import diff
from .doctor import doctor
from .errors import Commands
from .export import export
from .init import init
from .repo import graph, inventory, pages


@click.group(cls=Commands)
@click.version_option(package_name="mkdocs-flux-wiki")
def main() -> None:
    """Compile a Flux GitOps repository into wiki pages, diagrams and a JSON model."""


for command in (init, inventory, graph, pages, stamp, check, export, diff, doctor):
    main.add_command(command)

__all__ = ["main"]
