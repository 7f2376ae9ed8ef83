"""Snapshot what flux-wiki outputs for every corpus, so a refactor can show it changed nothing.

For the bundled example and each repo in ../shared/corpora it writes, through the CLI (the interface that
stays put when modules move): the inventory JSON and the generated Markdown pages. With ``--site`` it also
builds the example wiki with MkDocs. Compare two snapshots with ``--compare A B`` (or ``diff -r``).

    python benchmarks/snapshot.py /tmp/before            # on the old revision
    python benchmarks/snapshot.py /tmp/after             # on the new one
    python benchmarks/snapshot.py --compare /tmp/before /tmp/after
    python benchmarks/snapshot.py --compare --except-nav SITE_A SITE_B   # two built sites, nav changes aside
"""

from __future__ import annotations

import argparse
import filecmp
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPORA = (ROOT / ".." / "shared" / "corpora").resolve()
CLI = [sys.executable, "-m", "flux_wiki.cli"]


def repos() -> dict[str, Path]:
    found = {"example": ROOT / "data" / "tazlab-k8s"}
    if CORPORA.is_dir():
        found.update({p.name: p for p in sorted(CORPORA.iterdir()) if p.is_dir()})
    return found


def snapshot_repo(name: str, repo: Path, out: Path) -> str:
    target = out / name
    target.mkdir(parents=True)
    inv = subprocess.run(CLI + ["inventory", str(repo), "--format", "json"], capture_output=True, check=False)
    (target / "inventory.json").write_bytes(inv.stdout)
    (target / "inventory.stderr").write_bytes(inv.stderr)
    pages = subprocess.run(CLI + ["pages", str(repo), "--out", str(target / "pages")], capture_output=True,
                           check=False)
    (target / "pages.stderr").write_bytes(pages.stderr)
    return f"{name}: inventory exit {inv.returncode}, pages exit {pages.returncode}"


def snapshot_site(out: Path) -> str:
    site = out / "example-site"
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(site)], cwd=ROOT,
                          capture_output=True, check=False)
    for noise in ("sitemap.xml", "sitemap.xml.gz"):
        (site / noise).unlink(missing_ok=True)
    return f"example site: mkdocs build exit {proc.returncode}"


# Material's navigation: the primary sidebar, the previous/next links of the footer and of the head
NAV = re.compile(r'<div class="md-sidebar md-sidebar--primary".*?(?=<div class="md-sidebar md-sidebar--secondary")'
                 r'|<nav class="md-footer__inner.*?</nav>|<link rel="(?:prev|next)" href="[^"]*">', re.DOTALL)


def without_nav(path: Path) -> bytes:
    """The page without its navigation, and without blank lines (a first or last page has one link less)."""
    text = NAV.sub("", path.read_text(encoding="utf-8", errors="replace"))
    return re.sub(r"\n\s*(?=\n)", "", text).encode("utf-8")


def compare(a: Path, b: Path, except_nav: bool = False) -> int:
    """Print every file that differs or exists on one side only; exit 1 when any does. With ``except_nav``,
    HTML pages that differ only in Material's navigation (sidebar, previous/next) and sitemaps are counted
    apart and do not fail."""
    differ: list[str] = []
    nav_only: list[str] = []

    def walk(cmp: filecmp.dircmp, prefix: str) -> None:
        differ.extend(f"only in {a.name}: {prefix}{n}" for n in cmp.left_only)
        differ.extend(f"only in {b.name}: {prefix}{n}" for n in cmp.right_only)
        _, mismatch, errors = filecmp.cmpfiles(cmp.left, cmp.right, cmp.common_files, shallow=False)
        for n in mismatch + errors:
            left, right = Path(cmp.left) / n, Path(cmp.right) / n
            if except_nav and (n.startswith("sitemap.xml") or n.endswith(".html") and n in mismatch
                               and without_nav(left) == without_nav(right)):
                nav_only.append(f"{prefix}{n}")
            else:
                differ.append(f"differs: {prefix}{n}")
        for name, sub in sorted(cmp.subdirs.items()):
            walk(sub, f"{prefix}{name}/")

    walk(filecmp.dircmp(a, b), "")
    print("\n".join(differ) if differ else "identical" + (f" except the navigation of {len(nav_only)} files"
                                                          if nav_only else ""))
    return 1 if differ else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", nargs="?", type=Path, help="folder to write the snapshot to (replaced)")
    parser.add_argument("--site", action="store_true", help="also build the example wiki with MkDocs")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("A", "B"), help="compare two snapshots")
    parser.add_argument("--except-nav", action="store_true",
                        help="with --compare: built pages that differ only in their navigation do not count")
    args = parser.parse_args()
    if args.compare:
        return compare(*args.compare, except_nav=args.except_nav)
    if args.out is None:
        parser.error("give an output folder or --compare A B")
    shutil.rmtree(args.out, ignore_errors=True)
    args.out.mkdir(parents=True)
    with ThreadPoolExecutor(max_workers=2) as pool:
        for line in pool.map(lambda item: snapshot_repo(item[0], item[1], args.out), repos().items()):
            print(line)
    if args.site:
        print(snapshot_site(args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
