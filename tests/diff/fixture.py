"""A small Flux repository under git, written by the tests, with helpers to change it commit by commit."""

from __future__ import annotations

import subprocess
from pathlib import Path

GOTK_SYNC = """\
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: flux-system, namespace: flux-system}
spec: {interval: 1m, ref: {branch: main}, url: https://example.com/home}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: flux-system, namespace: flux-system}
spec: {interval: 10m, path: ./clusters/home, prune: true, sourceRef: {kind: GitRepository, name: flux-system}}
"""


def layer(name: str, path: str, depends_on: tuple[str, ...] = (), extra: str = "") -> str:
    deps = "".join(f"\n    - name: {d}" for d in depends_on)
    return (f"apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\n"
            f"metadata:\n  name: {name}\n  namespace: flux-system\n"
            f"spec:\n  interval: 10m\n  path: {path}\n  prune: true\n"
            f"  sourceRef: {{kind: GitRepository, name: flux-system}}\n"
            + (f"  dependsOn:{deps}\n" if deps else "") + extra)


VARS = "  postBuild:\n    substituteFrom:\n      - {kind: ConfigMap, name: cluster-vars}\n"


def cluster_vars(lb_ip: str) -> str:
    return ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cluster-vars, namespace: flux-system}\n"
            f"data:\n  LB_IP: \"{lb_ip}\"\n")


def helm_release(version: str) -> str:
    return f"""\
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {{name: ingress-nginx, namespace: infra}}
spec:
  interval: 1h
  chart:
    spec:
      chart: ingress-nginx
      version: {version}
      sourceRef: {{kind: HelmRepository, name: ingress-nginx, namespace: flux-system}}
"""


def web(image: str = "nginx:1.25.0") -> str:
    return f"""\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: web, namespace: apps}}
spec:
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      containers:
        - name: web
          image: {image}
          ports: [{{containerPort: 8080, name: http}}]
          volumeMounts: [{{name: conf, mountPath: /etc/web}}]
      volumes: [{{name: conf, configMap: {{name: web-config}}}}]
---
apiVersion: v1
kind: Service
metadata: {{name: web, namespace: apps}}
spec:
  type: LoadBalancer
  loadBalancerIP: ${{LB_IP}}
  selector: {{app: web}}
  ports: [{{name: http, port: 80, targetPort: http}}]
"""


CRON = """\
apiVersion: batch/v1
kind: CronJob
metadata: {name: backup, namespace: apps}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers: [{name: backup, image: "restic/restic:0.16.0"}]
          restartPolicy: OnFailure
"""

KUSTOMIZATION = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"

BASE: dict[str, str] = {
    "clusters/home/flux-system/gotk-sync.yaml": GOTK_SYNC,
    "clusters/home/flux-system/kustomization.yaml": KUSTOMIZATION + "resources: [gotk-sync.yaml]\n",
    "clusters/home/cluster-vars.yaml": cluster_vars("10.0.0.10"),
    "clusters/home/infra.yaml": layer("infra", "./infra", extra="  wait: true\n"),
    "clusters/home/apps.yaml": layer("apps", "./apps", ("infra",), VARS),
    "infra/kustomization.yaml": KUSTOMIZATION + "resources: [namespace.yaml, sources.yaml, ingress-nginx.yaml]\n",
    "infra/namespace.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: infra}\n",
    "infra/sources.yaml": ("apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\n"
                           "metadata: {name: ingress-nginx, namespace: flux-system}\n"
                           "spec: {interval: 1h, url: https://kubernetes.github.io/ingress-nginx}\n"),
    "infra/ingress-nginx.yaml": helm_release("4.10.0"),
    "apps/kustomization.yaml": (KUSTOMIZATION + "resources: [web.yaml, cron.yaml]\n"
                                "configMapGenerator:\n  - name: web-config\n    namespace: apps\n"
                                "    files: [web.conf]\n"),
    "apps/web.yaml": web(),
    "apps/web.conf": "listen 8080;\n",
    "apps/cron.yaml": CRON,
}


class GitFixture:
    """A git work tree in a temporary folder; ``change`` writes (or, with None, deletes) files and commits."""

    def __init__(self, root: Path, files: dict[str, str] | None = None):
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")
        if files is not None:
            self.change("base", files)

    def git(self, *args: str) -> str:
        return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=self.root,
                              check=True, capture_output=True, text=True).stdout.strip()

    def write(self, files: dict[str, str | None]) -> None:
        for rel, text in files.items():
            path = self.root / rel
            if text is None:
                path.unlink()
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)

    def change(self, message: str, files: dict[str, str | None]) -> str:
        self.write(files)
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD")
