"""Scale: synthetic repos of many Flux Kustomizations, timed through the engine and a real `mkdocs build`.

    .venv/bin/python benchmarks/scale.py [--sizes 1000 2000 5000] [--shape chain wide] [--theme mkdocs]
                                         [--nav none] [--diagrams]

For each size N it generates, in a scratch folder, a repo whose entry point applies N Kustomizations, each
with its own folder: a Deployment, a ClusterIP Service, an Ingress whose host comes from postBuild variables
(inline and from a ConfigMap), and a HelmRelease in every other one. Shapes: ``chain`` (each Kustomization
dependsOn the previous one: N levels) and ``wide`` (all depend on the first: two levels). Per size it prints:
- model: `build_model` alone (load, simulate, analyse), cold parse cache;
- plugin: the time of every flux-wiki hook inside one `mkdocs build` (as benchmarks/serve.py measures it);
- build: the whole `mkdocs build` (MkDocs, the theme, Markdown included);
and per shape the plugin's ratio largest/smallest size next to the ratio a linear curve would have.
Model and plugin are given as wall clock and as this process's CPU time: on a shared machine the CPU figure
is the one to compare. Each figure is one cold run (the median of --repeat runs).

The build itself is not linear, and that is MkDocs' own cost: Material (and the mkdocs theme) render the
whole navigation on every page, so n layer pages listed in the nav cost O(n²); `--nav none` leaves the
generated pages out of the nav to show the rest. Diagrams are off unless --diagrams (one `dot` process per
page, Graphviz's cost; see issue 14).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from mkdocs.commands.build import build
from mkdocs.config import load_config

from flux_wiki.engine import build_model
from flux_wiki.load import ParseCache

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serve import timed  # noqa: E402  (the same hook timer as the serve benchmark)

SYNC = """\
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: flux-system, namespace: flux-system}
spec: {url: https://example.org/scale, ref: {branch: main}}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: flux-system, namespace: flux-system}
spec: {path: ./clusters/scale, sourceRef: {kind: GitRepository, name: flux-system}, interval: 10m, prune: true}
"""

KS = """\
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {{name: {name}, namespace: flux-system}}
spec:
  path: ./apps/{name}
  sourceRef: {{kind: GitRepository, name: flux-system}}
  interval: 10m
  prune: true
  postBuild:
    substitute: {{app: {name}}}
    substituteFrom: [{{kind: ConfigMap, name: cluster-vars}}]
{depends}"""

APP = """\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: {namespace}}}
spec:
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec: {{containers: [{{name: app, image: "example.org/{name}:1.0"}}]}}
---
apiVersion: v1
kind: Service
metadata: {{name: {name}, namespace: {namespace}}}
spec: {{selector: {{app: {name}}}, ports: [{{port: 8080}}]}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {{name: {name}, namespace: {namespace}}}
spec:
  rules:
    - host: "${{app}}.${{DOMAIN}}"
      http: {{paths: [{{path: /, pathType: Prefix, backend: {{service: {{name: {name}, port: {{number: 8080}}}}}}}}]}}
"""

RELEASE = """\
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {{name: {name}-chart, namespace: {namespace}}}
spec:
  interval: 1h
  chart:
    spec:
      chart: podinfo
      version: 6.5.0
      sourceRef: {{kind: HelmRepository, name: charts, namespace: flux-system}}
  values: {{service: {{type: ClusterIP}}}}
"""

BASE = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: cluster-vars, namespace: flux-system}
data: {DOMAIN: scale.example}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata: {name: charts, namespace: flux-system}
spec: {url: https://charts.example.org, interval: 1h}
"""


def generate(root: Path, n: int, shape: str) -> Path:
    """A repo of ``n`` app Kustomizations in ``root``/repo; returns the repo folder."""
    repo = root / "repo"
    (repo / "clusters/scale/flux-system").mkdir(parents=True)
    (repo / "clusters/scale/flux-system/gotk-sync.yaml").write_text(SYNC)
    names = [f"app-{i:05d}" for i in range(n)]
    specs = []
    for i, name in enumerate(names):
        dep = None if i == 0 else names[i - 1] if shape == "chain" else names[0]
        specs.append(KS.format(name=name, depends=f"  dependsOn: [{{name: {dep}}}]\n" if dep else ""))
        folder = repo / "apps" / name
        folder.mkdir(parents=True)
        namespace = f"ns-{i % 50:02d}"
        (folder / "app.yaml").write_text(APP.format(name=name, namespace=namespace)
                                         + (RELEASE.format(name=name, namespace=namespace) if i % 2 else ""))
    (repo / "clusters/scale/apps.yaml").write_text("".join(specs))
    # applied by the root, before the apps that substitute from it (a Kustomization that substituted from a
    # ConfigMap it creates itself would never reconcile: FW-SUBST-FROM-SELF)
    (repo / "clusters/scale/base.yaml").write_text(BASE)
    return repo


def wiki(root: Path, repo: Path, diagrams: bool, theme: str, nav: str) -> Path:
    docs = root / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# Scale\n")
    config = root / "mkdocs.yml"
    theme_line = "{name: material, font: false}" if theme == "material" else "{name: mkdocs}"
    config.write_text(f"site_name: Scale\ntheme: {theme_line}\nplugins:\n  - flux-wiki:\n"
                      f"      repo: {repo.name}\n      diagrams: {str(diagrams).lower()}\n"
                      + ("nav: [index.md]\n" if nav == "none" else "nav: [index.md, flux/scale/dag.md]\n"))
    return config


def measure(n: int, shape: str, diagrams: bool, theme: str, nav: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="flux-wiki-scale-") as tmp:
        root = Path(tmp)
        repo = generate(root, n, shape)
        t, c = time.perf_counter(), time.process_time()
        model = build_model(repo, cache=ParseCache())
        model_s, model_cpu = time.perf_counter() - t, time.process_time() - c
        assert sum(len(k.kustomizations) for k in model.clusters) == n + 1, "the generated repo did not simulate"
        cfg = load_config(str(wiki(root, repo, diagrams, theme, nav)), site_dir=str(root / "site"))
        plugin = cfg.plugins["flux-wiki"]
        cfg.plugins.on_startup(command="build", dirty=False)
        wall: dict[str, float] = defaultdict(float)
        cpu: dict[str, float] = defaultdict(float)
        undo = timed(cfg.plugins, plugin, wall, cpu)
        try:
            t = time.perf_counter()
            build(cfg, dirty=False)
            build_s = time.perf_counter() - t
        finally:
            undo()
            cfg.plugins.on_shutdown()
        return {"model": model_s, "model_cpu": model_cpu, "plugin": sum(wall.values()), "plugin_cpu": sum(cpu.values()),
                "build": build_s, "pages": len(plugin.compiled.pages)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 2000, 5000])
    parser.add_argument("--shape", nargs="+", choices=("chain", "wide"), default=["chain", "wide"])
    parser.add_argument("--repeat", type=int, default=1, help="runs per size; the table shows medians")
    parser.add_argument("--diagrams", action="store_true", help="render Graphviz diagrams (one dot per page)")
    parser.add_argument("--theme", choices=("material", "mkdocs"), default="material")
    parser.add_argument("--nav", choices=("layers", "none"), default="layers",
                        help="layers: the DAG page in mkdocs.yml's nav, the plugin adds every layer under it (the "
                             "theme then renders n nav entries on each of n pages); none: generated pages left "
                             "out of the nav (what MkDocs costs without that)")
    args = parser.parse_args()
    print(f"theme {args.theme}, nav {args.nav}, diagrams {'on' if args.diagrams else 'off'}; seconds, wall (CPU)")
    print(f"{'shape':<6} {'KS':>6} {'pages':>6} {'model':>14} {'plugin':>14} {'build':>8} {'plugin CPU ms/KS':>16}")
    for shape in args.shape:
        plugin: dict[int, tuple[float, float]] = {}
        for n in args.sizes:
            runs = [measure(n, shape, args.diagrams, args.theme, args.nav) for _ in range(args.repeat)]
            f = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
            plugin[n] = (f["plugin"], f["plugin_cpu"])
            print(f"{shape:<6} {n:>6} {int(f['pages']):>6} {f['model']:>6.2f} ({f['model_cpu']:>5.2f}) "
                  f"{f['plugin']:>6.2f} ({f['plugin_cpu']:>5.2f}) {f['build']:>8.2f} "
                  f"{1000 * f['plugin_cpu'] / n:>16.2f}", flush=True)
        lo, hi = min(plugin), max(plugin)
        if hi != lo:
            print(f"{shape:<6} plugin {hi}/{lo}: {plugin[hi][0] / plugin[lo][0]:.2f}x wall, "
                  f"{plugin[hi][1] / plugin[lo][1]:.2f}x CPU (linear: {hi / lo:.2f}x)", flush=True)


if __name__ == "__main__":
    main()
