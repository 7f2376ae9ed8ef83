"""Strict builds of the real repos: per corpus, what flux-wiki finds and whether `mkdocs build --strict` passes.

    .venv/bin/python benchmarks/corpora_table.py [--no-build] [--warnings] [CORPUS_NAME ...]

For each folder of ../shared/corpora (or those named), as a new user would: `flux-wiki init` into a scratch
folder (a repo whose bootstrap is not in its YAML gets its root folders guessed: FW-ENTRY-GUESSED), then
`mkdocs build --strict` in a subprocess. Prints one row per corpus: clusters, Kustomizations found,
built/partial/skipped/error, repo problems (warnings: Flux would fail), limits (simulation notes), the
strict build's verdict with its count of WARNING lines, and the build's wall time. `--warnings` lists every
WARNING line of each build below the table; `--no-build` prints the model's figures only.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from flux_wiki.engine import build_model

CORPORA = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpora"
STATUSES = ("built", "partial", "skipped", "error")
_WARNING = re.compile(r"^WARNING\s+-\s+(.*)$")


def figures(repo: Path) -> dict[str, object]:
    """The model's counts: clusters, Kustomizations by status, problems by class (notices left out)."""
    model = build_model(repo)
    status = Counter(k.status for c in model.clusters for k in c.kustomizations.values())
    problems = [d for d in [*model.diagnostics, *(w for c in model.clusters for w in c.warnings)]
                if d.severity != "info"]
    classes = Counter(d.cls for d in problems)
    return {"clusters": len(model.clusters), "ks": sum(status.values()), "status": status,
            "repo": classes["repo"], "limit": classes["limit"],
            "codes": Counter(f"{d.cls}:{d.code}" for d in problems)}


def strict_build(repo: Path, scratch: Path) -> tuple[int, list[str], float]:
    """`flux-wiki init` then `mkdocs build --strict`: exit code, WARNING lines, seconds of the build."""
    wiki = scratch / "wiki"
    init = subprocess.run([sys.executable, "-m", "flux_wiki.cli", "init", str(wiki), "--repo", str(repo)],
                          capture_output=True, text=True, check=False)
    if init.returncode != 0:
        return init.returncode, [f"init failed: {(init.stdout + init.stderr).strip()}"], 0.0
    start = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(wiki / "mkdocs.yml"),
                          "-d", str(scratch / "site")], capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    warnings = [m.group(1) for line in run.stderr.splitlines() if (m := _WARNING.match(line))]
    if run.returncode != 0 and not warnings:
        warnings = run.stderr.strip().splitlines()[-3:]
    return run.returncode, warnings, elapsed


def main_(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*")
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--warnings", action="store_true")
    args = parser.parse_args(argv)
    root = CORPORA.resolve()
    if not root.is_dir():
        print(f"corpora not present at {root}")
        return
    names = args.names or sorted(p.name for p in root.iterdir() if p.is_dir())
    print("| corpus | clusters | KS | built/partial/skipped/error | repo problems | limits | strict build | s |")
    print("|---|---|---|---|---|---|---|---|")
    listed: dict[str, list[str]] = {}
    codes: dict[str, Counter[str]] = {}
    for name in names:
        repo = root / name
        f = figures(repo)
        codes[name] = f["codes"]  # type: ignore[assignment]
        counts = "/".join(str(f["status"][s]) for s in STATUSES)  # type: ignore[index]
        verdict, seconds = "—", ""
        if not args.no_build:
            with tempfile.TemporaryDirectory(prefix="corpora-table-") as scratch:
                code, warnings, elapsed = strict_build(repo, Path(scratch))
            verdict = "pass" if code == 0 else f"FAIL ({len(warnings)} warnings)"
            seconds = f"{elapsed:.1f}"
            listed[name] = warnings
        print(f"| {name} | {f['clusters']} | {f['ks']} | {counts} | {f['repo']} | {f['limit']} | {verdict} "
              f"| {seconds} |")
    print()
    for name in names:
        if codes[name]:
            print(f"{name}: " + ", ".join(f"{code} ×{n}" for code, n in sorted(codes[name].items())))
    if args.warnings:
        for name, warnings in listed.items():
            if warnings:
                print(f"\n## {name}")
                for w in warnings:
                    print(f"- {w}")


if __name__ == "__main__":
    main_()
