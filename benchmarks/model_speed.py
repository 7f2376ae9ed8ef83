"""Issue 14, the model side: how close `flux-wiki inventory` gets to parsing alone, start-up, warm rebuilds, scaling.

    .venv/bin/python benchmarks/model_speed.py [CORPUS ...] [--repeat 5] [--scale 1 2 4 8 16 26] [--no-scale]
                                               [--no-corpora] [--nav site|none]

Figures are CPU seconds (user + system; the machine is shared, so wall time would measure the others), with
flux_wiki's bytecode compiled first, as an installed tool has it.
Per corpus (default: every folder of ../shared/corpora), medians of --repeat runs:
- inventory: the whole `flux-wiki inventory CORPUS --format json` process;
- parse: libyaml (PyYAML's C loader) over the same files the model read, in one process, plus the
  interpreter start and `import yaml` it needs (a process `python -c 'import yaml'`), so both sides are
  whole processes; the ratio inventory/parse is the issue's measure (goal <= 3);
- start: `flux-wiki inventory --help`;
- warm: the flux-wiki hooks' time in a `mkdocs build` that follows a one-manifest edit, in one plugin instance
  kept as `mkdocs serve` keeps it (diagrams off: their cache is perf-render's part), on a scratch copy.
Then the scaling curve: onedr0p's app namespaces copied as new namespaces 1-26x (79 to ~1,900
Kustomizations) in a scratch folder. Each size runs two child processes, nothing else in them:
- model: `build_model` alone; its CPU seconds (the call, not the start) and the child's peak RSS;
- build: `python -m mkdocs build` of the wiki `flux-wiki init` writes around the repo (its mkdocs.yml: Material
  with its navigation features, search, the plugin); the child's CPU seconds (start and the `dot` runs included)
  and peak RSS (ru_maxrss from wait4: that child alone, with the `dot` processes it waited for). `--nav none`
  leaves the generated pages out of the nav; `--plain` adds the same pages built as a plain Markdown site
  without the plugin, with the same theme configuration and the same nav (the plugin's, written into its
  mkdocs.yml): what MkDocs alone costs for that site.

Run it with another checkout's interpreter (e.g. /work/main/.venv/bin/python benchmarks/model_speed.py) to
print that revision's "before" figures: only `flux_wiki` comes from the interpreter's install.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPORA = (ROOT / ".." / "shared" / "corpora").resolve()
CLI = [sys.executable, "-m", "flux_wiki.cli"]

PARSE = """
import sys, yaml
for path in sys.stdin.read().splitlines():
    try:
        list(yaml.load_all(open(path, 'rb').read(), Loader=yaml.CSafeLoader))
    except yaml.YAMLError:
        pass
"""

MODEL = """
import json, resource, sys, time
from flux_wiki.engine import build_model
t = time.process_time()
model = build_model(sys.argv[1])
seconds = time.process_time() - t
print(json.dumps({"seconds": seconds, "ks": sum(len(c.kustomizations) for c in model.clusters),
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def median_run(cmd: list[str], repeat: int, stdin: bytes | None = None) -> float:
    """Median CPU seconds (user + system) of a child process: on a shared machine wall time measures the others."""
    times = []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(cmd, input=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        times.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(times)


def files_read(corpus: Path) -> list[str]:
    from flux_wiki.engine import build_model
    return sorted(build_model(corpus).files_read)


def warm_rebuild(corpus: Path, files: list[str], repeat: int) -> float:
    """Median plugin time of `mkdocs build`s that each follow an edit of one manifest (one plugin instance)."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    logging.getLogger("mkdocs").setLevel(logging.ERROR)  # the corpora's warnings are not the figures
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from serve import timed

    manifest = next((f for f in files if re.search(r"(helmrelease|deployment|service)\.ya?ml$", f)),
                    next((f for f in files if not f.endswith("kustomization.yaml")), None))
    if manifest is None:
        return float("nan")
    with tempfile.TemporaryDirectory(prefix="flux-wiki-speed-") as tmp:
        wiki = Path(tmp)
        shutil.copytree(corpus, wiki / "repo", symlinks=True)  # a scratch copy: the corpus is never written
        (wiki / "docs").mkdir()
        (wiki / "docs" / "index.md").write_text("# Home\n")
        (wiki / "mkdocs.yml").write_text("site_name: speed\nplugins:\n  - flux-wiki:\n      repo: repo\n"
                                         "      diagrams: false\n")
        cfg = load_config(str(wiki / "mkdocs.yml"), site_dir=str(wiki / "site"))
        plugin = cfg.plugins["flux-wiki"]
        cfg.plugins.on_startup(command="serve", dirty=False)
        target = wiki / "repo" / manifest
        original = target.read_text()
        times = []
        try:
            for i in range(repeat + 1):
                if i:
                    target.write_text(original + f"# touched {i}\n")
                totals: dict[str, float] = defaultdict(float)
                cpu: dict[str, float] = defaultdict(float)
                undo = timed(cfg.plugins, plugin, totals, cpu)
                try:
                    build(cfg, dirty=False)
                finally:
                    undo()
                if i:
                    times.append(sum(cpu.values()))
        finally:
            cfg.plugins.on_shutdown()
        return statistics.median(times)


def corpus_table(paths: list[Path], repeat: int) -> None:
    python_yaml = median_run([sys.executable, "-c", "import yaml"], repeat)
    start = median_run(CLI + ["inventory", "--help"], repeat)
    print(f"CLI start (`flux-wiki inventory --help`): {start:.3f} s; `python -c 'import yaml'`: {python_yaml:.3f} s")
    print(f"{'corpus':38} {'files':>5} {'inventory s':>11} {'parse s':>8} {'ratio':>6} {'warm rebuild s':>14}")
    for path in paths:
        files = files_read(path)
        listing = "\n".join(str(path / f) for f in files).encode()
        inventory = median_run(CLI + ["inventory", str(path), "--format", "json"], repeat)
        parse = median_run([sys.executable, "-c", PARSE], repeat, stdin=listing)
        warm = warm_rebuild(path, files, repeat)
        print(f"{path.name:38} {len(files):5d} {inventory:11.3f} {parse:8.3f} {inventory / parse:6.2f} {warm:14.3f}",
              flush=True)


def replicate(source: Path, target: Path, copies: int) -> None:
    """onedr0p's repo with every app namespace (but flux-system) copied ``copies - 1`` times as new namespaces."""
    shutil.copytree(source, target, symlinks=True)
    apps = target / "kubernetes" / "apps"
    namespaces = [p.name for p in sorted(apps.iterdir()) if p.is_dir() and p.name != "flux-system"]
    for k in range(2, copies + 1):
        for ns in namespaces:
            new = f"{ns}-r{k}"
            shutil.copytree(apps / ns, apps / new, symlinks=True)
            rules = [(re.compile(rf"\./kubernetes/apps/{re.escape(ns)}/"), f"./kubernetes/apps/{new}/"),
                     (re.compile(rf"^(\s*(?:-\s+)?(?:namespace|targetNamespace|name): ){re.escape(ns)}\s*$", re.M),
                      rf"\g<1>{new}")]
            for f in (apps / new).rglob("*.y*ml"):
                text = f.read_text()
                for pattern, repl in rules:
                    text = pattern.sub(repl, text)
                f.write_text(text)


PLAIN = """
import sys
from pathlib import Path
import yaml
from mkdocs.config import load_config
from mkdocs.structure.files import get_files
from mkdocs.structure.nav import Section, get_navigation
wiki, plain = Path(sys.argv[1]), Path(sys.argv[2])
cfg = load_config(str(wiki / "mkdocs.yml"))
cfg.plugins.on_startup(command="serve", dirty=False)  # the generated files stay in memory: they are copied below
cfg = cfg.plugins.on_config(cfg)
files = cfg.plugins.on_files(get_files(cfg), config=cfg)
nav = cfg.plugins.on_nav(get_navigation(files, cfg), config=cfg, files=files)
for f in files:
    if f.generated_by or f.src_uri == "index.md":
        (plain / "docs" / f.src_uri).parent.mkdir(parents=True, exist_ok=True)
        (plain / "docs" / f.src_uri).write_bytes(f.content_bytes)
def entry(item):
    return {item.title: [entry(child) for child in item.children]} if isinstance(item, Section) else item.file.src_uri
config = yaml.safe_load((wiki / "mkdocs.yml").read_text())
config.update(plugins=["search"], nav=[entry(item) for item in nav.items],
              extra_css=[f.src_uri for f in files if f.generated_by and f.src_uri.endswith(".css")],
              extra_javascript=[f.src_uri for f in files if f.generated_by and f.src_uri.endswith(".js")])
config.setdefault("markdown_extensions", []).append("admonition")
(plain / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False))
"""


def wiki_as_init_writes_it(wiki: Path, nav: str) -> None:
    """The wiki `flux-wiki init` writes around ``wiki / "repo"`` (mkdocs.yml, home page, source basis); with
    ``nav`` "none", a nav that lists only the home page."""
    from flux_wiki.scaffold import plan_wiki, write_wiki
    write_wiki(plan_wiki(wiki, wiki / "repo", site_name="Scale"))
    if nav == "none":
        with (wiki / "mkdocs.yml").open("a") as config:
            config.write("nav: [index.md]\n")


LAUNCHER = """
import json, os, subprocess, sys
proc = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(proc.pid, 0)
with open(sys.argv[1], "w") as out:
    json.dump([os.waitstatus_to_exitcode(status), usage.ru_utime + usage.ru_stime, usage.ru_maxrss], out)
"""


def child(cmd: list[str], cwd: Path | None = None) -> tuple[int, str, float, float]:
    """Run ``cmd`` as a child process: its exit status, stderr, CPU seconds (user + system) and peak RSS in MB
    (``ru_maxrss`` of that child alone, from wait4, its own children included: `dot` under `mkdocs build`).

    The child is started by a small launcher process (``python -S``): Linux carries a process's peak RSS across
    fork and exec, so a child started by this benchmark, which has grown by the corpora's runs, would report at
    least the benchmark's own peak."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile(suffix=".json") as usage:
        subprocess.run([sys.executable, "-S", "-c", LAUNCHER, usage.name, *cmd], cwd=cwd, stdout=out, stderr=err,
                       check=False)
        out.seek(0)
        err.seek(0)
        text = out.read().decode(errors="replace") + err.read().decode(errors="replace")
        code, seconds, maxrss = json.loads(Path(usage.name).read_text())
    return code, text, seconds, maxrss / 1024


def scaling(factors: list[int], nav: str, plain: bool) -> None:
    source = CORPORA / "onedr0p__home-ops"
    if not source.is_dir():
        print("scaling: onedr0p__home-ops not present")
        return
    print(f"\nscaling (onedr0p app namespaces copied as new namespaces; every figure its own child process:"
          f"\n  model = `build_model` alone; build = `python -m mkdocs build` of the wiki `flux-wiki init` writes around "
          f"the repo, nav {nav}" + ("; plain = the same pages and nav as a Markdown site without the plugin"
                                   if plain else "")
          + "; CPU s, peak RSS MB)")
    print(f"{'copies':>6} {'KS':>5} {'pages':>5} {'model s':>8} {'ms/KS':>6} {'build s':>8} {'ms/KS':>6} "
          f"{'RSS model':>9} {'RSS build':>9}" + (f" {'plain s':>8} {'RSS plain':>9}" if plain else ""))
    for n in factors:
        with tempfile.TemporaryDirectory(prefix="flux-wiki-scale-") as tmp:
            wiki = Path(tmp) / "wiki"
            replicate(source, wiki / "repo", n)
            code, text, _, model_rss = child([sys.executable, "-c", MODEL, str(wiki / "repo")])
            if code:
                print(f"{n:>6} model failed: {text.strip().splitlines()[-1:]}")
                continue
            r = json.loads(text.strip().splitlines()[0])
            wiki_as_init_writes_it(wiki, nav)
            code, text, build_s, build_rss = child([sys.executable, "-m", "mkdocs", "build", "-q"], cwd=wiki)
            if code:
                print(f"{n:>6} build failed: {text.strip().splitlines()[-1:]}")
                continue
            pages = sum(1 for _ in (wiki / "site" / "flux").rglob("index.html"))
            ks = r["ks"]
            line = (f"{n:>6} {ks:>5} {pages:>5} {r['seconds']:8.2f} {1000 * r['seconds'] / ks:6.1f} {build_s:8.2f} "
                    f"{1000 * build_s / ks:6.1f} {model_rss:9.0f} {build_rss:9.0f}")
            if plain:
                twin = Path(tmp) / "plain"
                subprocess.run([sys.executable, "-c", PLAIN, str(wiki), str(twin)], check=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                code, text, plain_s, plain_rss = child([sys.executable, "-m", "mkdocs", "build", "-q"], cwd=twin)
                line += f" {plain_s:8.2f} {plain_rss:9.0f}" if code == 0 else " plain build failed"
            print(line, flush=True)


def compiled_bytecode(package: Path) -> None:
    """Compile the package's bytecode once, as an installed (or once-run) tool has it: an editable checkout under
    PYTHONDONTWRITEBYTECODE, or after a source change, would otherwise recompile every module in every measured
    process (≈ 0.1 s, more than the whole model of a small corpus)."""
    import compileall
    compileall.compile_dir(str(package), quiet=1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpora", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--scale", type=int, nargs="+", default=[1, 2, 4, 8, 16, 26])
    parser.add_argument("--no-scale", action="store_true")
    parser.add_argument("--no-corpora", action="store_true")
    parser.add_argument("--plain", action="store_true",
                        help="scaling: also build the same pages as a plain Markdown site (what MkDocs alone costs)")
    parser.add_argument("--nav", choices=("site", "none"), default="site",
                        help="site: the nav MkDocs and the plugin make (every generated page; the theme renders it on "
                             "each page, O(n²)); none: mkdocs.yml lists only the home page")
    args = parser.parse_args()
    import flux_wiki
    compiled_bytecode(Path(flux_wiki.__file__).parent)
    print(f"flux_wiki from {Path(flux_wiki.__file__).parent}; {os.cpu_count()} CPUs; medians of {args.repeat}")
    paths = [p if p.is_dir() else CORPORA / p for p in args.corpora]  # a bare name is a folder of the corpora
    missing = [str(p) for p in paths if not p.is_dir()]
    if missing:
        parser.error(f"no such corpus folder: {', '.join(missing)}")
    paths = paths or (sorted(p for p in CORPORA.iterdir() if p.is_dir()) if CORPORA.is_dir() else [])
    if not args.no_corpora:
        corpus_table(paths, args.repeat)
    if not args.no_scale:
        scaling(args.scale, args.nav, args.plain)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
