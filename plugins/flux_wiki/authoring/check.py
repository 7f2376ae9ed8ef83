"""Staleness of hand-written pages: ``flux-wiki check`` says which stamped pages' source basis changed since
they were reviewed, with a diff; ``mkdocs serve`` shows a banner on them.
"""

from __future__ import annotations

import difflib
import json
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..analysis.redact import redact_texts
from ..load.confine import MAX_FILE_BYTES
from ..render.markdown import md_code
from .basis import BasisGraph
from .lock import Lock, PageStamp, current_files, stamp_page, stampable


@dataclass
class PageStatus:
    """One page's verdict: fresh, stale (basis changed) or unstamped (never reviewed)."""

    page: str
    state: str
    changed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    diffs: dict[str, str] = field(default_factory=dict)  # changed file -> unified diff ("" when git cannot tell)

    @property
    def stale(self) -> bool:
        return self.state != "fresh"


# -- checking ---------------------------------------------------------------

def _stamped_text(root: Path, blob: str) -> str | None:
    """The stamped version of a file from git, when git has it and it is within the size cap."""
    git = ["git", "-C", str(root), "cat-file"]
    try:
        size = subprocess.run(git + ["-s", blob], capture_output=True, text=True, timeout=30)
        if size.returncode != 0 or not size.stdout.strip().isdigit() or int(size.stdout) > MAX_FILE_BYTES:
            return None
        done = subprocess.run(git + ["blob", blob], capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.decode("utf-8", errors="replace") if done.returncode == 0 else None


def unified_diff(old: str, new: str, name: str) -> str:
    return "".join(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                        f"a/{name} (stamped)", f"b/{name}"))


def check_page(graph: BasisGraph, page: str, stamped: PageStamp | None) -> PageStatus:
    if stamped is None:
        return PageStatus(page, "unstamped", added=list(current_files(graph, page)))
    now = stamp_page(graph, page)
    status = PageStatus(page, "fresh")
    status.added = sorted(set(now.files) - set(stamped.files))
    status.removed = sorted(set(stamped.files) - set(now.files))
    status.changed = sorted(n for n in set(now.files) & set(stamped.files)
                            if now.files[n].sha256 != stamped.files[n].sha256)
    for name in status.changed:
        root_name, rel = name.split(":", 1)
        blob = stamped.files[name].git_blob
        old = _stamped_text(graph.roots[root_name].path, blob) if blob else None
        new = graph.read_bytes(root_name, rel).decode("utf-8", "replace") if old is not None else ""
        shown = None if old is None else redact_texts(old, new)
        if old is not None and shown is None:
            status.diffs[name] = f"  (diff of {name} not shown: it holds a Secret)"
        else:
            status.diffs[name] = "" if shown is None else unified_diff(*shown, rel)
    if status.added or status.removed or status.changed:
        status.state = "stale"
    return status


def check(graph: BasisGraph, lock: Lock) -> list[PageStatus]:
    """The verdict for every hand-written page with a source basis."""
    return [check_page(graph, page, lock.pages.get(page)) for page in stampable(graph)]


def stale_pages(graph: BasisGraph, lock: Lock) -> dict[str, PageStatus]:
    """Pages whose stamped basis changed (unstamped pages are not flagged: nobody reviewed them yet)."""
    return {page: s for page in stampable(graph) if page in lock.pages
            for s in [check_page(graph, page, lock.pages[page])] if s.stale}


# -- reports ----------------------------------------------------------------

def with_stale_banner(markdown: str, page: str, status: PageStatus) -> str:
    """The page with a "may be stale" admonition under its title (at the top when it has no `# ` title)."""
    changed = ", ".join(md_code(f) for f in status.changed + status.added + status.removed)
    banner = ('!!! warning "This page may be stale"\n    Its source basis changed since it was last '
              f"reviewed: {changed}. Review the page, then run {md_code(f'flux-wiki stamp {page}')}.\n\n")
    first, _, rest = markdown.partition("\n")
    return f"{first}\n\n{banner}{rest}" if first.startswith("# ") else banner + markdown


def report_text(statuses: list[PageStatus]) -> str:
    lines: list[str] = []
    shown: set[str] = set()  # a file stamped at the same version for several pages: its diff once
    for s in statuses:
        if not s.stale:
            continue
        if s.state == "unstamped":
            lines.append(f"{s.page}: never stamped (run `flux-wiki stamp {s.page}` once it is reviewed)")
            continue
        lines.append(f"{s.page}: stale, its source basis changed since it was stamped")
        lines += [f"  changed: {f}" for f in s.changed]
        lines += [f"  added:   {f}" for f in s.added]
        lines += [f"  removed: {f}" for f in s.removed]
        for f in s.changed:
            diff = s.diffs.get(f)
            if not diff:
                lines.append(f"  (no diff for {f}: the stamped version is not in git)")
            elif diff in shown:
                lines.append(f"  (diff of {f} shown above)")
            else:
                shown.add(diff)
                lines.append(diff.rstrip("\n"))
    stale = sum(1 for s in statuses if s.stale)
    lines.append(f"{stale} of {len(statuses)} page(s) stale" if stale else f"all {len(statuses)} page(s) fresh")
    return "\n".join(lines) + "\n"


def report_json(statuses: list[PageStatus]) -> str:
    return json.dumps({"stale": any(s.stale for s in statuses),
                       "pages": [asdict(s) for s in statuses]}, indent=2, sort_keys=True) + "\n"
