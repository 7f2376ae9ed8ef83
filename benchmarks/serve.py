"""The plugin's share of a `mkdocs serve` cycle: a cold build, then a warm rebuild after one manifest changes.

    .venv/bin/python benchmarks/serve.py [--repeat N]

For the example wiki and for ../shared/corpora/bjw-s-labs__home-ops (skipped when absent) it copies the wiki
(or the corpus, with a small generated wiki around it) into a scratch folder, starts the plugins as
`mkdocs serve` does (one plugin instance across builds, so the parse cache and the SVG cache survive),
and times every flux-wiki hook (config, files, nav, page_markdown, serve ...) inside a real
`mkdocs build`. The warm rebuild follows an edit that changes one manifest's content. Figures are
wall-clock medians of --repeat cycles; the whole build (theme, Markdown) is printed for scale.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable

from mkdocs.commands.build import build
from mkdocs.config import load_config

ROOT = Path(__file__).resolve().parents[1]
CORPORA = (ROOT / ".." / "shared" / "corpora").resolve()


def timed(plugins: Any, plugin: Any, totals: dict[str, float],
          cpu: dict[str, float] | None = None) -> Callable[[], None]:
    """Wrap the plugin's registered hooks so each call adds its wall time to ``totals`` (and its CPU time of
    this process to ``cpu``); returns an undo."""
    saved = {name: list(calls) for name, calls in plugins.events.items()}
    for name, calls in plugins.events.items():
        for i, method in enumerate(calls):
            if getattr(method, "__self__", None) is not plugin:
                continue

            def wrapper(*args: Any, _m: Callable[..., Any] = method, _n: str = name, **kwargs: Any) -> Any:
                t, c = time.perf_counter(), time.process_time()
                try:
                    return _m(*args, **kwargs)
                finally:
                    totals[_n] += time.perf_counter() - t
                    if cpu is not None:
                        cpu[_n] += time.process_time() - c
            calls[i] = wrapper

    def undo() -> None:
        for name, calls in saved.items():
            plugins.events[name][:] = calls
    return undo


def example(scratch: Path) -> tuple[Path, Path]:
    wiki = scratch / "example"
    wiki.mkdir()
    shutil.copy(ROOT / "mkdocs.yml", wiki / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", wiki / "docs")
    shutil.copytree(ROOT / "data", wiki / "data")
    return wiki, wiki / "data/tazlab-k8s/infrastructure/instances/pgadmin/service.yaml"


def bjw_s(scratch: Path) -> tuple[Path, Path] | None:
    corpus = CORPORA / "bjw-s-labs__home-ops"
    if not corpus.is_dir():
        return None
    wiki = scratch / "bjw-s"
    shutil.copytree(corpus, wiki / corpus.name)  # a scratch copy: the corpus itself is never written
    (wiki / "docs").mkdir()
    (wiki / "docs" / "index.md").write_text(
        "---\ntitle: Home\nrelated: [flux/bjw-s-labs-home-ops/dag.md]\nsource_basis: ['repo:kubernetes/flux/*']\n---\n"
        "# Home\n\n<!-- flux-wiki:layers -->\n\n<!-- flux-wiki:surfaces -->\n")
    (wiki / "data").mkdir()
    (wiki / "data" / "source-basis.yaml").write_text("roots:\n  repo: {path: ../bjw-s-labs__home-ops}\n")
    (wiki / "mkdocs.yml").write_text("site_name: bjw-s\nplugins:\n  - flux-wiki:\n      repo: bjw-s-labs__home-ops\n")
    manifest = next(p for p in sorted((wiki / corpus.name / "kubernetes/apps").rglob("helmrelease.yaml")))
    return wiki, manifest


def cycle(wiki: Path, manifest: Path, site: Path) -> dict[str, float]:
    cfg = load_config(str(wiki / "mkdocs.yml"), site_dir=str(site))
    plugin = cfg.plugins["flux-wiki"]
    cfg.plugins.on_startup(command="serve", dirty=False)
    figures: dict[str, float] = {}
    try:
        for phase in ("cold", "warm"):
            if phase == "warm":
                manifest.write_text(manifest.read_text() + f"# touched {time.time_ns()}\n")
            totals: dict[str, float] = defaultdict(float)
            undo = timed(cfg.plugins, plugin, totals)
            t = time.perf_counter()
            build(cfg, dirty=False)
            figures[f"{phase}_build"] = time.perf_counter() - t
            figures[f"{phase}_plugin"] = sum(totals.values())
            figures[f"{phase}_compile"] = totals["files"]
            undo()
        figures["parse_hits"] = plugin.compiler.parse_cache.hits
        figures["svg_renders"] = plugin.compiler.svg.renders
    finally:
        cfg.plugins.on_shutdown()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'wiki':<10} {'cold plugin':>12} {'warm plugin':>12} {'cold build':>11} {'warm build':>11}  (seconds, median of {args.repeat})")
    for name, make in (("example", example), ("bjw-s", bjw_s)):
        runs = []
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory(prefix="flux-wiki-serve-") as tmp:
                made = make(Path(tmp))
                if made is None:
                    break
                runs.append(cycle(*made, Path(tmp) / "site"))
        if not runs:
            print(f"{name:<10} skipped (corpus not present)")
            continue

        def med(key: str) -> float:
            return statistics.median(r[key] for r in runs)
        print(f"{name:<10} {med('cold_plugin'):>12.3f} {med('warm_plugin'):>12.3f} {med('cold_build'):>11.3f} "
              f"{med('warm_build'):>11.3f}  (compile cold {med('cold_compile'):.3f} / warm {med('warm_compile'):.3f}; "
              f"SVG renders {int(med('svg_renders'))} over both builds)")


if __name__ == "__main__":
    main()
