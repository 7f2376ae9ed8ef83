from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from flux_wiki.diff import GitRepo, Revision, RevisionInventories
from flux_wiki.diff.report import diff_document

from .fixture import BASE, CRON, KUSTOMIZATION, VARS, GitFixture, cluster_vars, helm_release, layer, web

MONITORING_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: grafana, namespace: monitoring}
spec:
  selector: {matchLabels: {app: grafana}}
  template:
    metadata: {labels: {app: grafana}}
    spec:
      containers: [{name: grafana, image: "grafana/grafana:11.0.0"}]
"""

SECOND_LB = """\
apiVersion: v1
kind: Service
metadata: {name: web-alt, namespace: apps}
spec:
  type: LoadBalancer
  loadBalancerIP: ${LB_IP}
  ports: [{name: http, port: 80}]
"""

# Each step is one commit on top of the previous one; the tests diff consecutive commits.
STEPS: list[tuple[str, dict[str, str | None]]] = [
    ("add layer", {
        "clusters/home/monitoring.yaml": layer("monitoring", "./monitoring", ("infra",)),
        "monitoring/kustomization.yaml": KUSTOMIZATION + "resources: [grafana.yaml]\n",
        "monitoring/grafana.yaml": MONITORING_DEPLOYMENT,
    }),
    ("change dependsOn", {"clusters/home/apps.yaml": layer("apps", "./apps", ("monitoring",), VARS)}),
    ("LoadBalancer IP through a postBuild variable", {"clusters/home/cluster-vars.yaml": cluster_vars("10.0.0.20")}),
    ("bump chart", {"infra/ingress-nginx.yaml": helm_release("4.11.1")}),
    ("bump image", {"apps/web.yaml": web("nginx:1.25.1@sha256:" + "ab" * 32)}),
    ("move object", {
        "apps/kustomization.yaml": (KUSTOMIZATION + "resources: [web.yaml]\n"
                                    "configMapGenerator:\n  - name: web-config\n    namespace: apps\n"
                                    "    files: [web.conf]\n"),
        "apps/cron.yaml": None,
        "infra/cron.yaml": CRON,
        "infra/kustomization.yaml": KUSTOMIZATION + "resources: [namespace.yaml, sources.yaml, ingress-nginx.yaml, cron.yaml]\n",
    }),
    ("noise only: order, comments, generated content, file names", {
        "infra/kustomization.yaml": ("# infrastructure\n\n" + KUSTOMIZATION
                                     + "resources: [cron.yaml, ingress-nginx.yaml, sources.yaml, namespace.yaml]\n"),
        "apps/web.conf": "listen 8080;\nserver_name web;\n",
        "apps/web.yaml": None,
        "apps/web-app.yaml": "# the web app\n---\n" + web("nginx:1.25.1@sha256:" + "ab" * 32).split("---\n")[1]
                             + "---\n" + web("nginx:1.25.1@sha256:" + "ab" * 32).split("---\n")[0],
        "apps/kustomization.yaml": (KUSTOMIZATION + "resources: [web-app.yaml]\n"
                                    "configMapGenerator:\n  - name: web-config\n    namespace: apps\n"
                                    "    files: [web.conf]\n"),
    }),
    ("duplicate claim and a dangling dependsOn", {
        "apps/web-alt.yaml": SECOND_LB,
        "apps/kustomization.yaml": (KUSTOMIZATION + "resources: [web-app.yaml, web-alt.yaml]\n"
                                    "configMapGenerator:\n  - name: web-config\n    namespace: apps\n"
                                    "    files: [web.conf]\n"),
        "clusters/home/monitoring.yaml": layer("monitoring", "./monitoring", ("infra", "logging")),
    }),
    ("remove layer", {
        "clusters/home/monitoring.yaml": None,
        "monitoring/kustomization.yaml": None,
        "monitoring/grafana.yaml": None,
        "clusters/home/apps.yaml": layer("apps", "./apps", ("infra",), VARS),
    }),
]


@dataclass
class History:
    fixture: GitFixture
    commits: dict[str, str]  # step message (and "base") -> commit id
    inventories: RevisionInventories

    def diff(self, base: str, head: str) -> dict:
        result = self.inventories.compare(Revision(base, self.commits[base]), Revision(head, self.commits[head]))
        return diff_document(result)

    def step(self, message: str) -> dict:
        """The JSON diff of one step against the commit before it; its only cluster."""
        names = ["base", *(m for m, _ in STEPS)]
        doc = self.diff(names[names.index(message) - 1], message)
        assert [c["name"] for c in doc["clusters"]] == ["home"]
        return doc["clusters"][0]


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> History:
    fixture = GitFixture(tmp_path_factory.mktemp("diff") / "home", BASE)
    commits = {"base": fixture.git("rev-parse", "HEAD")}
    for message, files in STEPS:
        commits[message] = fixture.change(message, files)
    return History(fixture, commits, RevisionInventories(GitRepo(fixture.root)))


@pytest.fixture
def git_repo(tmp_path: Path) -> GitFixture:
    """A fresh repository with the base commit only."""
    return GitFixture(tmp_path / "home", BASE)
