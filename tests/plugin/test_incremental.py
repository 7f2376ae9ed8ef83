"""`mkdocs serve` rebuilds only what an edit touches (issue 14): the plugin's hooks run twice in one plugin
instance, a manifest edited in between. Counters, never time, show which Kustomizations were built again,
whose surfaces were extracted again, whether the cluster's doctor report and pages were made again and which
layer pages rendered again; the rebuilt wiki equals a cold build of the edited repo."""

from __future__ import annotations

import os
import time
from pathlib import Path

from mkdocs.commands.build import build
from mkdocs.config import load_config

from flux_wiki.compile import WikiCompiler
from flux_wiki.config import wiki_config_from_mkdocs

from ..support import gotk_sync

KS = """\
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {{name: {name}, namespace: flux-system}}
spec:
  path: ./apps/{name}
  sourceRef: {{kind: GitRepository, name: flux-system}}
  interval: 1h
  prune: true
  postBuild: {{substitute: {{DOMAIN: example.org}}}}
{depends}"""

SERVICE = """\
apiVersion: v1
kind: Service
metadata: {{name: {name}, namespace: apps}}
spec:
  type: LoadBalancer
  loadBalancerIP: 10.0.0.{ip}
  ports: [{{port: {port}}}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {{name: {name}, namespace: apps}}
spec: {{rules: [{{host: "{name}.${{DOMAIN}}"}}]}}
"""

APPS = ("alpha", "beta", "gamma", "delta")
SKIP_COUNTERS = ("surfaces extracted", "surfaces reused", "doctor diagnosed", "doctor reused", "cluster pages rendered",
                 "cluster pages reused")


def wiki(root: Path) -> Path:
    repo = root / "repo"
    (repo / "clusters/home/flux-system").mkdir(parents=True)
    (repo / "clusters/home/flux-system/gotk-sync.yaml").write_text(gotk_sync())
    (repo / "clusters/home/apps.yaml").write_text("".join(
        KS.format(name=n, depends="  dependsOn: [{name: alpha}]\n" if n == "beta" else "") for n in APPS))
    for i, name in enumerate(APPS):
        (repo / "apps" / name).mkdir(parents=True)
        (repo / "apps" / name / "service.yaml").write_text(SERVICE.format(name=name, ip=i + 1, port=8080))
    # gamma has a kustomization file; the others get the one Flux generates from the folder's files
    (repo / "apps/gamma/kustomization.yaml").write_text("resources: [service.yaml]\n")
    (root / "docs").mkdir()
    (root / "docs/index.md").write_text("# Home\n")
    (root / "mkdocs.yml").write_text("site_name: home\nplugins:\n  - flux-wiki:\n      repo: repo\n"
                                     "      diagrams: false\n")
    return root


class Serve:
    """One plugin instance across builds, as `mkdocs serve` keeps it."""

    def __init__(self, root: Path):
        self.cfg = load_config(str(root / "mkdocs.yml"), site_dir=str(root / "site"))
        self.plugin = self.cfg.plugins["flux-wiki"]
        self.cfg.plugins.on_startup(command="serve", dirty=False)

    def build(self) -> tuple[int, list[str], list[str]]:
        """Kustomize builds done, layer pages rendered and kept, by this build."""
        counts = lambda: self.plugin.compiler.parse_cache.counts["kustomize builds"]  # noqa: E731
        before = counts() if self.plugin.compiler else 0
        self.before = dict(self.plugin.compiler.parse_cache.counts) if self.plugin.compiler else {}
        build(self.cfg, dirty=False)
        memo = self.plugin.compiler.pages
        return (counts() - before, sorted(p.rsplit("/", 1)[-1] for p in memo.rendered if "/layers/" in p),
                sorted(p.rsplit("/", 1)[-1] for p in memo.reused))

    def skipped(self) -> dict[str, int]:
        """What the last build redid or kept beyond Kustomization builds: surfaces, doctor reports, cluster pages."""
        counts = self.plugin.compiler.parse_cache.counts
        return {k: counts[k] - self.before.get(k, 0) for k in SKIP_COUNTERS if counts[k] - self.before.get(k, 0)}

    def pages(self) -> dict[str, str]:
        return {p.path: p.markdown for p in self.plugin.compiled.pages}

    def close(self) -> None:
        self.cfg.plugins.on_shutdown()


def cold(root: Path) -> dict[str, str]:
    """The pages a fresh compiler makes (not through load_config: MkDocs hands back the same plugin instance)."""
    compiled = WikiCompiler().compile(wiki_config_from_mkdocs(root / "mkdocs.yml", lambda message: None))
    return {p.path: p.markdown for p in compiled.pages}


def test_a_manifest_edit_rebuilds_only_its_kustomization_and_its_pages(tmp_path: Path) -> None:
    root = wiki(tmp_path)
    serve = Serve(root)
    try:
        built, rendered, kept = serve.build()
        assert built == 1 + len(APPS) and kept == []  # cold: the root and every app
        assert rendered == [f"{n}.md" for n in sorted(APPS)]
        assert serve.skipped() == {"surfaces extracted": 1 + len(APPS), "doctor diagnosed": 1,
                                   "cluster pages rendered": 1}

        built, rendered, kept = serve.build()  # nothing changed: the cluster's report and pages are kept whole
        assert (built, rendered) == (0, []) and len(kept) == len(APPS)
        assert serve.skipped() == {"surfaces reused": 1 + len(APPS), "doctor reused": 1, "cluster pages reused": 1}

        service = root / "repo/apps/alpha/service.yaml"  # a comment: the same objects, the same lines
        service.write_text(service.read_text() + "# a comment\n")
        # alpha is built again (a file it read changed), to the same objects: nothing after the build is redone
        assert serve.build() == (1, [], sorted(f"{n}.md" for n in APPS))
        assert serve.skipped() == {"surfaces reused": 1 + len(APPS), "doctor reused": 1, "cluster pages reused": 1}
        assert serve.pages() == cold(root)

        service = root / "repo/apps/beta/service.yaml"
        service.write_text(service.read_text().replace("port: 8080", "port: 9090"))
        built, rendered, kept = serve.build()
        assert built == 1 and rendered == ["beta.md"]  # beta's build and page; alpha (beta depends on it) is kept
        assert kept == ["alpha.md", "delta.md", "gamma.md"]
        assert serve.skipped() == {"surfaces extracted": 1, "surfaces reused": len(APPS), "doctor diagnosed": 1,
                                   "cluster pages rendered": 1}  # beta's surfaces; the port is in the cluster
        assert "9090" in serve.pages()["flux/home/layers/beta.md"]
        assert serve.pages() == cold(root)

        (root / "repo/apps/delta/extra.yaml").write_text(  # a new file in a folder whose kustomization Flux generates
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: extra, namespace: apps}\n")
        built, rendered, _ = serve.build()
        assert built == 1 and rendered == ["delta.md"]
        assert "extra" in serve.pages()["flux/home/layers/delta.md"]
        assert serve.pages() == cold(root)

        apps = root / "repo/clusters/home/apps.yaml"  # gamma now waits for alpha: two layers' facts change
        apps.write_text(apps.read_text().replace("name: gamma, namespace: flux-system}\nspec:\n",
                                                 "name: gamma, namespace: flux-system}\nspec:\n"
                                                 "  dependsOn: [{name: alpha}]\n"))
        built, rendered, kept = serve.build()
        # the root's build; alpha gains a dependent, delta's definition moved down a line, beta stays
        assert built == 1 and rendered == ["alpha.md", "delta.md", "gamma.md"] and kept == ["beta.md"]
        assert serve.pages() == cold(root)

        service = root / "repo/apps/gamma/service.yaml"  # the same objects, one line further down: new file:lines
        service.write_text("\n" + service.read_text())
        built, rendered, _ = serve.build()
        assert built == 1 and rendered == ["gamma.md"]
        assert serve.skipped() == {"surfaces extracted": 1, "surfaces reused": len(APPS), "doctor diagnosed": 1,
                                   "cluster pages rendered": 1}
        assert serve.pages() == cold(root)
    finally:
        serve.close()


def test_a_rebuild_lists_again_only_the_folders_that_changed(tmp_path: Path) -> None:
    """The repository walk of a rebuild answers a folder left alone from its listing kept (load/confine.py); a file
    or link added, removed or renamed is seen, and the wiki equals a cold build's."""
    root = wiki(tmp_path)
    repo = root / "repo"
    old = time.time() - 3600  # a checkout left alone for an hour: every folder settled
    for folder in [repo, *(p for p in repo.rglob("*") if p.is_dir())]:
        os.utime(folder, (old, old))
    folders = 1 + sum(1 for p in repo.rglob("*") if p.is_dir())
    serve = Serve(root)
    listed = lambda: {k: serve.plugin.compiler.parse_cache.counts[k] - serve.before.get(k, 0)  # noqa: E731
                      for k in ("folders listed", "folders scanned")}

    def seen(cold: bool = False) -> tuple[dict[str, str], list[str]]:
        """The pages and the problems a build reports (a link is refused with a warning, on no page)."""
        compiled = WikiCompiler().compile(wiki_config_from_mkdocs(root / "mkdocs.yml", lambda message: None)) \
            if cold else serve.plugin.compiled
        return {p.path: p.markdown for p in compiled.pages}, sorted(str(d) for d in compiled.diagnostics)

    try:
        serve.build()
        assert listed() == {"folders listed": folders, "folders scanned": folders}
        serve.build()
        assert listed() == {"folders listed": 0, "folders scanned": 0}  # nothing changed: no folder listed again
        delta = repo / "apps/delta"
        changes = [
            lambda: (delta / "extra.yaml").write_text("apiVersion: v1\nkind: ConfigMap\n"
                                                      "metadata: {name: extra, namespace: apps}\n"),
            lambda: (delta / "extra.yaml").rename(delta / "renamed.yaml"),
            lambda: os.symlink("../alpha/service.yaml", delta / "link.yaml"),  # refused: an artifact has no link
            lambda: (delta / "link.yaml").rename(delta / "moved.yaml"),
            lambda: (delta / "moved.yaml").unlink(),
            lambda: (delta / "renamed.yaml").unlink(),
        ]
        for change in changes:
            before = seen()
            change()
            serve.build()
            assert listed() == {"folders listed": 1, "folders scanned": 1}  # apps/delta alone
            assert seen() == seen(cold=True) and seen() != before
    finally:
        serve.close()
