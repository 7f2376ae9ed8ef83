"""Exports of the compiled wiki to other site generators (Hugo), and the drift of a committed copy of one."""

from .hugo import export_files, export_hugo, write_export

__all__ = ["export_files", "export_hugo", "write_export"]
