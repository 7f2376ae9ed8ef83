"""Helpers every test concern shares: where things are, the reference DAG, copies of wikis, real builds."""

from __future__ import annotations

import contextlib
import io
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_REPO = ROOT / "data" / "tazlab-k8s"
CORPORA = (ROOT / ".." / "shared" / "corpora").resolve()

# The dependsOn edges of ../shared/reference/tazlab-flux-dag.md, which the example must reproduce.
REFERENCE_LAYERS: dict[str, set[str]] = {
    "infrastructure-operators-namespaces": set(),
    "infrastructure-operators-core": set(),
    "infrastructure-operators-data": set(),
    "infrastructure-monitoring": {"infrastructure-operators-namespaces"},
    "infrastructure-bridge": {"infrastructure-operators-core", "infrastructure-operators-namespaces"},
    "infrastructure-configs": {"infrastructure-bridge"},
    "infrastructure-instances": {"infrastructure-configs", "infrastructure-operators-data"},
    "infrastructure-auth": {"infrastructure-instances"},
    "apps-static": {"infrastructure-configs"},
    "apps-data": {"infrastructure-configs"},
}


class Changed(AssertionError):
    """A frozen object (a build's, a parse cache's) was changed in place."""


def _refuse(*_: Any, **__: Any) -> NoReturn:
    raise Changed("a frozen object was changed in place")


class FrozenDict(dict):  # type: ignore[type-arg]
    __setitem__ = __delitem__ = pop = popitem = setdefault = update = clear = __ior__ = _refuse  # type: ignore


class FrozenList(list):  # type: ignore[type-arg]
    __setitem__ = __delitem__ = append = extend = insert = pop = remove = sort = reverse = clear = _refuse  # type: ignore
    __iadd__ = __imul__ = _refuse  # type: ignore


def frozen(value: Any) -> Any:
    """``value`` (parsed YAML) with every mapping and list frozen: a change in place raises :class:`Changed`."""
    if isinstance(value, dict):
        return FrozenDict({k: frozen(v) for k, v in value.items()})
    if isinstance(value, list):
        return FrozenList(frozen(v) for v in value)
    return value


def corpus(name: str) -> Path:
    """A real repository of ../shared/corpora, or a skip when it is absent."""
    path = CORPORA / name
    if not path.is_dir():
        pytest.skip(f"corpus {name} not present at {path}")
    return path


@dataclass
class CliResult:
    """How a `flux-wiki` command ended and what it printed; ``output`` is both streams in the order written."""

    exit_code: int
    stdout: str
    stderr: str
    output: str
    exception: BaseException | None  # the SystemExit of a non-zero exit, or what the command raised


class _Stream(io.StringIO):
    """One stream of a command, each write also going to ``both``."""

    def __init__(self, both: io.StringIO) -> None:
        super().__init__()
        self.both = both

    def write(self, text: str) -> int:
        self.both.write(text)
        return super().write(text)


def run_cli(args: list[str], catch_exceptions: bool = True) -> CliResult:
    """`flux-wiki ARGS` in this process (flux_wiki.cli.main), its streams captured. An exception other than the
    exit is re-raised unless ``catch_exceptions`` (then it is the result's, with exit code 1)."""
    from flux_wiki.cli import main

    both = io.StringIO()
    out, err = _Stream(both), _Stream(both)
    exit_code, exception = 0, None
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(args)
        except SystemExit as ended:
            exit_code = ended.code if isinstance(ended.code, int) else 0 if ended.code is None else 1
            exception = ended if exit_code else None
        except Exception as error:
            if not catch_exceptions:
                raise
            exit_code, exception = 1, error
    return CliResult(exit_code, out.getvalue(), err.getvalue(), both.getvalue(), exception)


def copy_wiki(src: Path, dest: Path, ignore: Any = None) -> Path:
    """A private copy of a wiki folder (mkdocs.yml, docs/, data/ or repo/) that a test may edit."""
    dest.mkdir(parents=True)
    shutil.copy(src / "mkdocs.yml", dest / "mkdocs.yml")
    for folder in ("docs", "data", "repo"):
        if (src / folder).is_dir():
            shutil.copytree(src / folder, dest / folder, ignore=ignore)
    return dest


def load(wiki: Path, site: Path, **overrides: Any) -> MkDocsConfig:
    return load_config(str(wiki / "mkdocs.yml"), site_dir=str(site), **{"strict": True, **overrides})


def build_site(wiki: Path, site: Path, command: str = "build", **overrides: Any) -> Path:
    """One strict `mkdocs build` of ``wiki`` into ``site``, with the plugin's startup and shutdown events."""
    cfg = load(wiki, site, **overrides)
    cfg.plugins.on_startup(command=command, dirty=False)
    try:
        build(cfg)
    finally:
        cfg.plugins.on_shutdown()
    return site


_SYNC = """\
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {{name: flux-system, namespace: flux-system}}
spec: {{interval: 1m, ref: {{branch: main}}, url: https://example.com/{cluster}}}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {{name: flux-system, namespace: flux-system}}
spec: {{interval: 10m, path: ./clusters/{cluster}, prune: true, sourceRef: {{kind: GitRepository, name: flux-system}}}}
"""


def gotk_sync(cluster: str = "home") -> str:
    """The gotk-sync.yaml of ``clusters/<cluster>``: the GitRepository and the root Kustomization."""
    return _SYNC.format(cluster=cluster)


_LAYER = """\
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {{name: {name}, namespace: flux-system}}
spec: {{interval: 10m, path: ./{name}, prune: true, sourceRef: {{kind: GitRepository, name: flux-system}}}}
"""
_SERVICE = ("apiVersion: v1\nkind: Service\nmetadata: {{name: {name}, namespace: {name}}}\n"
            "spec: {{ports: [{{port: 80}}]}}\n")


def two_cluster_wiki(root: Path, layers: tuple[str, ...] = ("apps",)) -> Path:
    """A small wiki at ``root``: docs/index.md, and a Flux repo in data/gitops with two clusters, home and lab,
    each applying ``layers`` (one Kustomization and one Service each). No mkdocs.yml: tests write their own."""
    files = {"docs/index.md": "# Home\n"}
    for layer in layers:
        files[f"data/gitops/{layer}/service.yaml"] = _SERVICE.format(name=layer)
    for cluster in ("home", "lab"):
        files[f"data/gitops/clusters/{cluster}/flux-system/gotk-sync.yaml"] = _SYNC.format(cluster=cluster)
        for layer in layers:
            files[f"data/gitops/clusters/{cluster}/{layer}.yaml"] = _LAYER.format(name=layer)
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


_BIG_KS = """\
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {{name: {name}, namespace: {namespace}}}
spec:
  interval: 30m
  path: ./workloads/{name}
  prune: true
  sourceRef: {{kind: GitRepository, name: flux-system, namespace: flux-system}}
{extra}"""
_BIG_APP = """\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: {namespace}}}
spec:
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      containers:
        - name: app
          image: ghcr.io/example-organisation/a-rather-long-image-name-{name}:1.2.3@sha256:{digest}
---
apiVersion: v1
kind: Service
metadata: {{name: {name}, namespace: {namespace}}}
spec: {{selector: {{app: {name}}}, ports: [{{port: 80}}]}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {{name: {name}, namespace: {namespace}}}
spec:
  rules:
    - host: {name}.{namespace}.example.org
      http: {{paths: [{{path: /, pathType: Prefix, backend: {{service: {{name: {name}, port: {{number: 80}}}}}}}}]}}
"""


def generated_repo(root: Path, n: int = 250, namespaces: int = 25) -> Path:
    """A Flux repo shaped like the large home-ops repos: the Flux root applies ``flux-repositories`` and
    ``cluster-apps`` (which depends on it), and cluster-apps applies ``n`` app Kustomizations spread over
    ``namespaces`` namespaces. In each namespace every app but the first depends on the previous one, every fifth
    also on an app of the namespace before, every seventh has ``wait: true``; each app runs a Deployment (an image
    with a digest), a Service and an Ingress."""
    files = {
        "clusters/home/flux-system/gotk-sync.yaml": _SYNC.format(cluster="home"),
        "clusters/home/repos.yaml": _BIG_KS.format(name="flux-repositories", namespace="flux-system", extra="")
        .replace("./workloads/flux-repositories", "./repositories"),
        "clusters/home/apps.yaml": _BIG_KS.format(name="cluster-apps", namespace="flux-system",
                                                  extra="  dependsOn: [{name: flux-repositories}]\n")
        .replace("./workloads/cluster-apps", "./apps"),
        "repositories/source.yaml": ("apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\n"
                                     "metadata: {name: charts, namespace: flux-system}\n"
                                     "spec: {url: https://charts.example.org, interval: 1h}\n"),
    }
    per = max(1, n // namespaces)
    specs = []
    for i in range(n):
        ns, k = f"ns-{min(i // per, namespaces - 1):02d}", i % per
        name = f"app-{i:03d}"
        deps = []
        if k:
            deps.append(f"{{name: app-{i - 1:03d}}}")
        if k and i % 5 == 0 and i >= per:
            deps.append(f"{{name: app-{i - per:03d}, namespace: ns-{min((i - per) // per, namespaces - 1):02d}}}")
        extra = (f"  dependsOn: [{', '.join(deps)}]\n" if deps else "") + ("  wait: true\n" if i % 7 == 0 else "")
        specs.append(_BIG_KS.format(name=name, namespace=ns, extra=extra))
        files[f"workloads/{name}/app.yaml"] = _BIG_APP.format(name=name, namespace=ns,
                                                              digest=f"{i:064x}")
    files["apps/kustomizations.yaml"] = "".join(specs)
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root
