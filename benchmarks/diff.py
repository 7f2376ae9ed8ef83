"""Time `flux-wiki diff` of two revisions against one model build of the largest corpus.

    .venv/bin/python benchmarks/diff.py [CORPUS_DIR] [--repeat 5] [--edits 10]

The corpus (default: tyriis__home-ops, else bjw-s-labs__home-ops, from ../shared/corpora) is copied into
a scratch git repository: one commit of the corpus, then a working tree with --edits YAML files changed
(a comment appended, so they parse again). Measured in this one process, wall-clock medians of --repeat
runs, model and diff interleaved:
- model: one build of the working tree, cold (fresh parse cache);
- diff: what the command does with the default head: write the base commit's files into a scratch
  folder, build both revisions sharing one parse cache (identical files parse once), compare the two
  inventories and render the Markdown comment; then the same steps of one run timed one by one;
and diff/model (the goal is at most 2.5).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from flux_wiki.diff import GitRepo, RevisionInventories
from flux_wiki.diff.compare import compare_inventories
from flux_wiki.diff.report import render_markdown
from flux_wiki.engine import build_model
from flux_wiki.load import ParseCache
from flux_wiki.render.inventory import inventory

ROOT = Path(__file__).resolve().parents[1]
CORPORA = (ROOT / ".." / "shared" / "corpora").resolve()
LARGEST = ("tyriis__home-ops", "bjw-s-labs__home-ops")


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com", *args], cwd=root,
                          check=True, capture_output=True, text=True).stdout.strip()


def scratch_repo(corpus: Path, dest: Path, edits: int) -> str:
    """Copy ``corpus`` to ``dest``, commit it, then edit ``edits`` YAML files in the working tree; the base commit."""
    shutil.copytree(corpus, dest, symlinks=True)
    git(dest, "init", "-q", "-b", "main")
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "-m", "base")
    yamls = sorted(p for p in dest.rglob("*.yaml") if ".git" not in p.parts)
    step = max(1, len(yamls) // max(1, edits))
    for path in yamls[::step][:edits]:
        path.write_text(path.read_text(errors="replace") + "\n# edited\n")
    return git(dest, "rev-parse", "HEAD")


def time_model(root: Path) -> float:
    t = time.perf_counter()
    build_model(root, cache=ParseCache())
    return time.perf_counter() - t


def time_diff(root: Path, base: str) -> float:
    """One diff as the command runs it (default head: the working tree), Markdown rendered."""
    t = time.perf_counter()
    git_repo = GitRepo(root)
    render_markdown(RevisionInventories(git_repo).compare(git_repo.revision(base), git_repo.revision(None)))
    return time.perf_counter() - t


def diff_parts(root: Path, base: str) -> dict[str, float]:
    """The same steps timed one by one (one run)."""
    parts: dict[str, float] = {}
    cache = ParseCache()
    t = time.perf_counter()
    with GitRepo(root).checkout(base) as folder:
        parts["write base"] = time.perf_counter() - t
        t = time.perf_counter()
        base_doc = inventory(build_model(folder, cache=cache))
        parts["base build"] = time.perf_counter() - t
        t = time.perf_counter()
    parts["remove base"] = time.perf_counter() - t
    t = time.perf_counter()
    head_doc = inventory(build_model(root, cache=cache))
    parts["head build (shared cache)"] = time.perf_counter() - t
    t = time.perf_counter()
    render_markdown(compare_inventories(base_doc, head_doc))
    parts["compare+render"] = time.perf_counter() - t
    parts["parse cache hits"] = cache.hits
    return parts


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", nargs="?", type=Path)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--edits", type=int, default=10)
    args = ap.parse_args()
    corpus = args.corpus or next((CORPORA / n for n in LARGEST if (CORPORA / n).is_dir()), None)
    if corpus is None or not corpus.is_dir():
        print(f"no corpus (looked for {', '.join(LARGEST)} in {CORPORA})")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / corpus.name
        base = scratch_repo(corpus, root, args.edits)
        models, diffs = [], []
        for _ in range(args.repeat):  # interleaved, so a busy moment of the machine hits both alike
            models.append(time_model(root))
            diffs.append(time_diff(root, base))
        parts = diff_parts(root, base)
    t_model, t_diff = statistics.median(models), statistics.median(diffs)
    print(f"corpus {corpus.name}: {args.edits} files edited, median of {args.repeat} runs")
    print(f"  model build  {t_model:7.3f} s")
    print(f"  diff         {t_diff:7.3f} s")
    print(f"  diff/model   {t_diff / t_model:7.2f}    (goal <= 2.5)")
    print("  one diff, step by step: " + ", ".join(f"{k} {v:.3f} s" if isinstance(v, float) else f"{k} {v}"
                                                  for k, v in parts.items()))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
