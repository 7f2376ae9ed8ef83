"""Time source-controller's ignore rules on each corpus: loading the patterns, and the check per path.

    .venv/bin/python benchmarks/sourceignore.py [CORPUS_DIR ...]

For each corpus (default: every folder of ../shared/corpora) it prints the number of paths (files and
folders, `.git` left out), the time to load every `.sourceignore` (one walk of the folders), the cost of
`Repo.ignored` per path on a fresh Repo (pattern loading included), parents asked first as in a tree walk,
and for scale the cost of `os.walk` itself per path. Timings are the best of --repeat runs.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from flux_wiki.load import Repo
from flux_wiki.load.confine import ConfinedDir
from flux_wiki.load.sourceignore import load_ignore_patterns

ROOT = Path(__file__).resolve().parents[1]
CORPORA = (ROOT / ".." / "shared" / "corpora").resolve()


def tree(root: Path) -> list[tuple[str, bool]]:
    paths = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != ".git")
        rel = os.path.relpath(folder, root)
        prefix = "" if rel == "." else rel + "/"
        paths += [(prefix + d, True) for d in dirs] + [(prefix + f, False) for f in sorted(files)]
    return paths


def best(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpora", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    roots = args.corpora or sorted(p for p in CORPORA.iterdir() if p.is_dir())
    print(f"{'corpus':36} {'paths':>6} {'patterns':>8} {'load ms':>8} {'us/path':>8} {'walk us/path':>12}")
    for root in roots:
        root = root.resolve()
        paths = tree(root)
        load = best(lambda: load_ignore_patterns(ConfinedDir(root)), args.repeat)

        def check() -> None:
            repo = Repo(root)
            for rel, is_dir in paths:
                repo.ignored(rel, is_dir)

        per_path = best(check, args.repeat) / max(len(paths), 1)
        walk = best(lambda: tree(root), args.repeat) / max(len(paths), 1)
        n = len(load_ignore_patterns(ConfinedDir(root)))
        print(f"{root.name:36} {len(paths):6} {n:8} {load * 1e3:8.1f} {per_path * 1e6:8.1f} {walk * 1e6:12.1f}")


if __name__ == "__main__":
    main()
