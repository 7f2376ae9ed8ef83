"""Exports of the compiled wiki to other site generators (Hugo), and the ``flux-wiki export`` command group."""

import click

from .hugo import export_hugo, hugo_command

__all__ = ["export", "export_hugo"]


@click.group("export")
def export() -> None:
    """Export the wiki for another site generator."""


export.add_command(hugo_command)
