"""`mkdocs build` with the plugin ÷ the same pages as a plain Markdown site, per corpus (issue 14).

    .venv/bin/python benchmarks/build.py [--runs 5] [--only NAME ...] [--work DIR]

For the bundled example and each repo in ../shared/corpora it makes two sites in a scratch folder, as a new
user has them: a wiki as `flux-wiki init` writes it (Material, search, the plugin with its defaults, no nav)
and the same site without the plugin, whose docs/ hold the pages, DOT files and assets the plugin generated
(compiled once by this interpreter's flux_wiki). Every figure is the CPU time (user + system) of a whole process
(`python -m mkdocs build -q`, this interpreter; the machine is shared, so wall time would measure the others
too), the runs paired round by round (plain, plugin cold, plugin warm):
- cold: the plugin's disk cache (flux-wiki's folder in the user cache directory, XDG_CACHE_HOME pointed at a
  scratch folder; older versions: .cache/flux-wiki beside mkdocs.yml) is emptied before the run (the page
  templates flux-wiki compiled stay in Jinja's per-user cache in the temp folder, as Python's .pyc files stay;
  a first build on a new machine compiles them, ~0.13 s more);
- warm: the cache the run before left (what a second `mkdocs build` finds);
- ratio: the median over rounds of plugin seconds ÷ plain seconds of the same round;
- dot: the Graphviz processes one cold and one warm build start (counted by a `dot` on PATH that logs each
  run, in two extra builds that are not timed).
Run it with another checkout's interpreter (e.g. /work/main/.venv/bin/python benchmarks/build.py) for the
figures of that code: nothing here imports this checkout.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CORPORA = (ROOT / ".." / "shared" / "corpora").resolve()
MKDOCS = [sys.executable, "-m", "mkdocs", "build", "-q"]

SITE = {  # what `flux-wiki init` writes, less the comments
    "site_name": "Benchmark",
    "theme": {"name": "material", "features": ["navigation.sections", "navigation.indexes", "content.code.copy"]},
    "markdown_extensions": ["admonition", "attr_list", "md_in_html", "tables", {"toc": {"permalink": True}},
                            "pymdownx.details", "pymdownx.superfences"],
}
ASSETS = {"assets/flux-wiki.css": "extra_css", "assets/flux-wiki.js": "extra_javascript"}


def repos() -> dict[str, Path]:
    found = {"example": ROOT / "data" / "tazlab-k8s"}
    if CORPORA.is_dir():
        found.update({p.name: p for p in sorted(CORPORA.iterdir()) if p.is_dir()})
    return found


def make_sites(repo: Path, work: Path) -> tuple[Path, Path, int]:
    """The plugin site and the plain site of ``repo`` under ``work``, and how many pages the plugin adds."""
    from flux_wiki.compile import WikiCompiler
    from flux_wiki.config import wiki_config_from_mkdocs
    from flux_wiki.render.pages import SORTABLE_JS
    from flux_wiki.render.svg import DIAGRAM_CSS

    plugin, plain = work / "plugin", work / "plain"
    for site in (plugin, plain):
        (site / "docs").mkdir(parents=True)
        (site / "docs" / "index.md").write_text("# Benchmark\n\nThe wiki of a Flux repository.\n")
    config = dict(SITE, plugins=["search", {"flux-wiki": {"repo": str(repo)}}])
    (plugin / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    cfg = wiki_config_from_mkdocs(plugin / "mkdocs.yml")
    if hasattr(cfg, "cache_dir"):  # compile without filling the plugin's disk cache
        cfg.cache_dir = None
    compiled = WikiCompiler().compile(cfg)
    files = {p.path: p.markdown for p in compiled.pages}
    files.update({f"{p.path[:-3]}.{name}.dot": dot for p in compiled.pages for name, dot in p.dot.items()})
    files.update({"assets/flux-wiki.css": DIAGRAM_CSS, "assets/flux-wiki.js": SORTABLE_JS})
    for path, text in files.items():
        (plain / "docs" / path).parent.mkdir(parents=True, exist_ok=True)
        (plain / "docs" / path).write_text(text, encoding="utf-8")
    extra = {key: [path] for path, key in ASSETS.items()}
    (plain / "mkdocs.yml").write_text(yaml.safe_dump(dict(SITE, plugins=["search"], **extra), sort_keys=False))
    return plugin, plain, len(compiled.pages)


def user_cache(site: Path) -> Path:
    """The user cache directory the builds of ``site`` get (XDG_CACHE_HOME), beside it in the scratch folder."""
    return site.parent / "user-cache"


def empty_caches(site: Path) -> None:
    shutil.rmtree(site / ".cache", ignore_errors=True)
    shutil.rmtree(user_cache(site) / "flux-wiki", ignore_errors=True)


def timed_build(site: Path, env: dict[str, str] | None = None) -> float:
    """CPU seconds (user + system) of one `mkdocs build` process: on a shared machine wall time measures the others."""
    env = dict(env or os.environ, XDG_CACHE_HOME=str(user_cache(site)))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(MKDOCS + ["-d", str(site / "site")], cwd=site, env=env, capture_output=True, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    elapsed = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    if done.returncode != 0:
        raise SystemExit(f"mkdocs build failed in {site}:\n{done.stderr.decode()[-2000:]}")
    return elapsed


def dot_processes(plugin: Path, work: Path) -> tuple[int, int]:
    """Graphviz processes of a cold build and of the warm build after it."""
    real = shutil.which("dot")
    if real is None:
        return 0, 0
    folder = work / "bin"
    folder.mkdir(exist_ok=True)
    log = folder / "runs"
    (folder / "dot").write_text(f'#!/bin/sh\necho run >> "{log}"\nexec "{real}" "$@"\n')
    (folder / "dot").chmod(0o755)
    env = dict(os.environ, PATH=f"{folder}{os.pathsep}{os.environ.get('PATH', '')}")
    counts = []
    empty_caches(plugin)
    for _ in ("cold", "warm"):
        log.unlink(missing_ok=True)
        timed_build(plugin, env)
        counts.append(len(log.read_text().splitlines()) if log.exists() else 0)
    return counts[0], counts[1]


def bench(name: str, repo: Path, work: Path, runs: int) -> str:
    plugin, plain, pages = make_sites(repo, work / name)
    timed_build(plain)  # warm the file system and Python's bytecode caches
    rounds: list[tuple[float, float, float]] = []
    for _ in range(runs):
        base = timed_build(plain)
        empty_caches(plugin)
        cold = timed_build(plugin)
        warm = timed_build(plugin)
        rounds.append((base, cold, warm))
    cold_dot, warm_dot = dot_processes(plugin, work / name)
    base, cold, warm = (statistics.median(r[i] for r in rounds) for i in range(3))
    cold_ratio = statistics.median(r[1] / r[0] for r in rounds)
    warm_ratio = statistics.median(r[2] / r[0] for r in rounds)
    return (f"{name:38} {pages:5} {base:7.2f} {cold:7.2f} {warm:7.2f} {cold_ratio:7.2f}× {warm_ratio:7.2f}× "
            f"{cold_dot:6} {warm_dot:6}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="paired rounds per corpus (median; default 5)")
    parser.add_argument("--only", nargs="*", help="corpora to run (names as in ../shared/corpora, or example)")
    parser.add_argument("--work", type=Path, help="scratch folder (default: a new temporary one, removed)")
    args = parser.parse_args()
    chosen = {n: p for n, p in repos().items() if not args.only or n in args.only}
    work = args.work or Path(tempfile.mkdtemp(prefix="flux-wiki-build-"))
    print(f"mkdocs build, {args.runs} paired rounds, medians (CPU s); python {sys.executable}")
    print(f"{'corpus':38} {'pages':>5} {'plain':>7} {'cold':>7} {'warm':>7} {'cold÷':>8} {'warm÷':>8} "
          f"{'dot':>6} {'dot²':>6}")
    try:
        for name, repo in chosen.items():
            print(bench(name, repo, work, args.runs), flush=True)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    print("cold÷ / warm÷: plugin build ÷ plain build, median of the rounds' ratios; "
          "dot / dot²: Graphviz processes of a cold build / of the build after it")
    return 0


if __name__ == "__main__":
    sys.exit(main())
