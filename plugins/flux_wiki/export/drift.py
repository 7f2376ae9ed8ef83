"""Drift of a committed copy of generated output (``flux-wiki check --export-dir``, as terraform-docs
``--output-check``): regenerate, then compare the two trees file by file with a unified diff."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..authoring.check import unified_diff
from ..config import WikiConfig
from ..load.confine import ConfinedDir
from ..model import InputError
from .hugo import export_hugo
from .pages import write_pages_folder


@dataclass
class CopyDrift:
    """Generated output that differs from its committed copy."""

    path: str
    state: str  # changed | missing (generated, not committed) | extra (committed, no longer generated)
    diff: str = ""


def _tree(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` and its bytes, read confined to the folder (a committed copy is repo content)."""
    tree = ConfinedDir(folder, label="export folder")
    out: dict[str, bytes] = {}
    for rel, e in tree.walk():
        if e.kind == "file":
            try:
                out[rel] = tree.read_bytes(rel)
            except InputError:
                continue
    return out


def compare_trees(fresh: Path, committed: Path, under: str | None = None) -> list[CopyDrift]:
    """Every file that differs between a fresh generation and the committed copy, with a unified diff; with
    ``under``, only the files below that folder of both (the rest of the committed folder is not generated).

    A committed file that is not read (a link out of the folder, a FIFO, over the size cap) is "missing".
    """
    new, old = _tree(fresh), _tree(committed)
    if under:
        new, old = ({k: v for k, v in tree.items() if k.startswith(f"{under}/")} for tree in (new, old))
    out: list[CopyDrift] = []

    def text(data: bytes) -> str:
        return data.decode("utf-8", "replace")
    for rel in sorted(set(new) | set(old)):
        if rel not in old:
            out.append(CopyDrift(rel, "missing", unified_diff("", text(new[rel]), rel)))
        elif rel not in new:
            out.append(CopyDrift(rel, "extra"))
        elif new[rel] != old[rel]:
            out.append(CopyDrift(rel, "changed", unified_diff(text(old[rel]), text(new[rel]), rel)))
    return out


def drift_text(drift: list[CopyDrift], committed: Path) -> str:
    if not drift:
        return f"{committed}: committed copy is current\n"
    lines = [f"{committed}: committed copy is out of date ({len(drift)} file(s))"]
    for d in drift:
        lines.append(f"  {d.state}: {d.path}")
    lines += [d.diff.rstrip("\n") for d in drift if d.diff]
    return "\n".join(lines) + "\n"


def regenerate(cfg: WikiConfig, out: Path, kind: str, *, all_pages: bool = False) -> str | None:
    """Write a fresh generation into ``out``: the Hugo export (with ``all_pages`` the hand-written pages too),
    or the generated wiki as `flux-wiki pages` writes it. Returns the folder of ``out`` the generation owns
    (None: all of it)."""
    if kind == "hugo":
        export_hugo(cfg, out, all_pages=all_pages)
        return None
    write_pages_folder(cfg, out)
    return cfg.section
