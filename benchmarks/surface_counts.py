"""Surface figures on real repos: what the extractor finds, and which HelmReleases it could not read.

    .venv/bin/python benchmarks/surface_counts.py [CORPUS_NAME ...]

Reads ../shared/corpora/<name> (default: onedr0p__home-ops and bjw-s-labs__home-ops) through `build_model`
and prints, per corpus: layers, HelmReleases (app-template ones apart), surfaces by kind, app-template
releases whose services and routes/ingress hosts were found with their layer, and the HelmReleases whose
values were not read (by reason: chart unknown, no reader for the chart, values not readable, valuesFrom
that cannot be read).
"""

from __future__ import annotations

import re
import sys
import time
from collections import Counter
from pathlib import Path

from flux_wiki.analysis.chart_values import APP_TEMPLATE
from flux_wiki.engine import build_model

CORPORA = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpora"
DEFAULT = ["onedr0p__home-ops", "bjw-s-labs__home-ops"]
HOST_KINDS = {"ingress", "ingressroute", "httproute", "tlsroute"}
SERVICE_KINDS = {"clusterip", "loadbalancer", "nodeport"}
_NOT_READ = re.compile(r"HelmRelease (\S+): values (?:not read \((chart unknown|no reader for chart (\S+))\)"
                       r"|of chart \S+ (not readable))")


def report(name: str) -> None:
    path = (CORPORA / name).resolve()
    if not path.is_dir():
        print(f"{name}: not present at {path}")
        return
    start = time.perf_counter()
    model = build_model(path)
    elapsed = time.perf_counter() - start
    for cluster in model.clusters:
        layers = cluster.layers()
        releases = cluster.helm_releases
        app = [h for h in releases if h.chart == APP_TEMPLATE]
        kinds = Counter(s.kind for s in cluster.surfaces)
        addressable = [s for s in cluster.surfaces if s.kind != "workload"]
        by_release: dict[tuple[str, str], set[str]] = {}
        layered = 0
        for s in cluster.surfaces:
            if s.object_kind == "HelmRelease":
                by_release.setdefault((s.namespace, s.name), set()).add(s.kind)
                layered += bool(s.layer and s.layer in cluster.kustomizations)
        app_svc = sum(1 for h in app if by_release.get((h.namespace, h.name), set()) & SERVICE_KINDS)
        app_host = sum(1 for h in app if by_release.get((h.namespace, h.name), set()) & HOST_KINDS)
        app_any = sum(1 for h in app if by_release.get((h.namespace, h.name)))
        reasons: Counter[str] = Counter()
        no_reader: Counter[str] = Counter()
        unread: set[str] = set()
        for n in cluster.notices:
            m = _NOT_READ.search(n.message)
            if not m:
                continue
            unread.add(m.group(1))
            if m.group(2) == "chart unknown":
                reasons["chart unknown"] += 1
            elif m.group(3):
                reasons["no reader for the chart"] += 1
                no_reader[m.group(3)] += 1
            else:
                reasons["values not readable"] += 1
        from_unread = [h for h in releases if h.unresolved_values]
        print(f"== {name} / cluster {cluster.name} (build_model {elapsed:.1f}s for the repo)")
        print(f"  layers {len(layers)}, HelmReleases {len(releases)} (app-template {len(app)})")
        print(f"  surfaces {len(cluster.surfaces)}: {len(addressable)} addresses/hosts/certificates + "
              f"{kinds['workload']} workloads; by kind " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
        print(f"  HelmRelease-declared surfaces {sum(1 for s in cluster.surfaces if s.object_kind == 'HelmRelease')}, "
              f"{layered} with their layer")
        print(f"  app-template releases: {app_any}/{len(app)} with surfaces, {app_svc} with a service, "
              f"{app_host} with a route/ingress host")
        print(f"  HelmReleases whose values were not read: {len(unread)}/{len(releases)} "
              + "(" + ", ".join(f"{r} {c}" for r, c in sorted(reasons.items())) + ")")
        if no_reader:
            print("    charts without a reader: " + ", ".join(f"{c} {n}" for c, n in no_reader.most_common(12))
                  + (" ..." if len(no_reader) > 12 else ""))
        print(f"  HelmReleases with valuesFrom that cannot be read (Secret or missing): {len(from_unread)}")
        sample = sorted((s for s in cluster.surfaces if s.object_kind == "HelmRelease" and s.kind in HOST_KINDS),
                        key=lambda s: (s.layer, s.host or ""))[:3]
        for s in sample:
            print(f"    e.g. {s.host} ({s.kind}) from HelmRelease {s.namespace}/{s.name} in layer {s.layer}")


def main(argv: list[str]) -> None:
    for name in argv or DEFAULT:
        report(name)


if __name__ == "__main__":
    main(sys.argv[1:])
