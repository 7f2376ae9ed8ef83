"""Time the full model of each corpus against parsing alone and against `kubectl kustomize`.

    .venv/bin/python benchmarks/model.py [CORPUS_DIR ...]

For each corpus (default: every folder of ../shared/corpora) it prints, measured in this one process:
- model: entry detection + simulation (kustomize builds, substitution) + analysis, cold (fresh parse cache);
- parse: only loading the YAML files the model read, with PyYAML's C loader;
- kubectl: `kubectl kustomize` over the same built Kustomization paths, each folder given the
  kustomization Flux would write there (generated when missing, the KS's own fields merged in), on a
  scratch copy of the corpus (the corpus itself is never written);
and the ratios. Timings are wall-clock medians of --repeat runs (kubectl: one run).
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

import yaml

from flux_wiki.engine import build_model
from flux_wiki.flux.kustomize import flux_kustomization
from flux_wiki.load import ParseCache, Repo

ROOT = Path(__file__).resolve().parents[1]
CORPORA = (ROOT / ".." / "shared" / "corpora").resolve()


def time_model(path: Path, repeat: int) -> tuple[float, object]:
    times, model = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        model = build_model(path, cache=ParseCache())
        times.append(time.perf_counter() - t)
    return statistics.median(times), model


def time_parse(path: Path, files: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        for rel in files:
            try:
                list(yaml.load_all((path / rel).read_bytes(), Loader=yaml.CSafeLoader))
            except yaml.YAMLError:
                pass
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def time_kubectl(path: Path, model) -> tuple[float, int, int]:
    kubectl = shutil.which("kubectl")
    if not kubectl:
        return float("nan"), 0, 0
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "repo"
        shutil.copytree(path, copy, symlinks=True)
        repo = Repo(copy)
        jobs = []
        for cluster in model.clusters:
            for node in cluster.kustomizations.values():
                if node.status != "built":
                    continue
                kfile, content = flux_kustomization(repo, node.path or "./", node.flux_spec.overrides)
                (copy / kfile).write_text(yaml.safe_dump(content, sort_keys=False))
                folder = (copy / kfile).parent
                jobs.append(folder)
        ok = failed = 0
        t = time.perf_counter()
        for folder in sorted(set(jobs)):
            proc = subprocess.run([kubectl, "kustomize", "--load-restrictor", "LoadRestrictionsNone", str(folder)],
                                  capture_output=True)
            ok, failed = (ok + 1, failed) if proc.returncode == 0 else (ok, failed + 1)
        return time.perf_counter() - t, ok, failed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpora", nargs="*", type=Path)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-kubectl", action="store_true")
    args = ap.parse_args()
    paths = args.corpora or sorted(p for p in CORPORA.iterdir() if p.is_dir()) if (args.corpora or CORPORA.is_dir()) else []
    if not paths:
        print(f"no corpora (looked in {CORPORA})")
        return 0
    print(f"{'corpus':40} {'KS':>4} {'files':>5} {'model s':>8} {'parse s':>8} {'kubectl s':>9} "
          f"{'model/parse':>11} {'kubectl/model':>13}  kubectl ok/failed")
    for path in paths:
        t_model, model = time_model(path, args.repeat)
        files = sorted(model.files_read)
        t_parse = time_parse(path, files, args.repeat)
        t_kubectl, ok, failed = (float("nan"), 0, 0) if args.no_kubectl else time_kubectl(path, model)
        n_ks = sum(len(c.kustomizations) for c in model.clusters)
        print(f"{path.name:40} {n_ks:4d} {len(files):5d} {t_model:8.3f} {t_parse:8.3f} {t_kubectl:9.2f} "
              f"{t_model / t_parse:11.1f} {t_kubectl / t_model:13.1f}  {ok}/{failed}")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
