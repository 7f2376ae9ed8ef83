"""A dependsOn entry that a kustomize patch or component adds to a Flux Kustomization points at the patch's
file:line (the edge, the layer page's source link, a dangling-dependency warning), not at the Kustomization's
own document; entries written in the document keep their line there."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from flux_wiki.engine import build_model
from tests.kustomize.kustomize_kubectl import KUBECTL, kubectl_build
from tests.simulate.test_simulate import gotk, ks, write

CM = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: default}\n"
KUSTOMIZATION = textwrap.dedent("""\
    apiVersion: kustomize.config.k8s.io/v1beta1
    kind: Kustomization
    resources: [infra.yaml, db.yaml, apps.yaml]
    components: [../../components/late]
    patches:
      - path: apps-deps.yaml
      - patch: |-
          - op: add
            path: /spec/dependsOn/-
            value: {name: db}
        target: {kind: Kustomization, name: apps}
    """)
APPS_DEPS = textwrap.dedent("""\
    apiVersion: kustomize.toolkit.fluxcd.io/v1
    kind: Kustomization
    metadata:
      name: apps
      namespace: flux-system
    spec:
      dependsOn:
        - name: infra
        - name: own
    """)
COMPONENT = textwrap.dedent("""\
    apiVersion: kustomize.config.k8s.io/v1alpha1
    kind: Component
    patches:
      - patch: |-
          apiVersion: kustomize.toolkit.fluxcd.io/v1
          kind: Kustomization
          metadata:
            name: db
          spec:
            dependsOn:
              - name: missing
        target: {kind: Kustomization, name: db}
    """)
PARENT_PATCH = """
    patches:
      - patch: |-
          - op: add
            path: /spec/dependsOn
            value: [{name: infra}]
        target: {kind: Kustomization, name: leaf}
    """


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    files = gotk()
    files.update({
        "clusters/home/kustomization.yaml": KUSTOMIZATION,
        "clusters/home/apps-deps.yaml": APPS_DEPS,
        "clusters/home/infra.yaml": ks("infra", "./infra"),
        "clusters/home/db.yaml": ks("db", "./infra"),
        "clusters/home/apps.yaml": ks("apps", "./leaves", deps=("own",), extra=PARENT_PATCH),
        "clusters/home/own.yaml": ks("own", "./infra"),
        "components/late/kustomization.yaml": COMPONENT,
        "infra/cm.yaml": CM,
        "leaves/leaf.yaml": ks("leaf", "./infra"),
    })
    files["clusters/home/kustomization.yaml"] = KUSTOMIZATION.replace("apps.yaml]", "apps.yaml, own.yaml]")
    return write(tmp_path, files)


def _edges(repo: Path) -> dict[tuple[str, str], tuple[str, int]]:
    [cluster] = build_model(repo).clusters
    from flux_wiki.analysis.order import EffectiveOrder

    order = EffectiveOrder.of(cluster, read_text=lambda f: (repo / f).read_text())
    return {(e.before, e.after): (e.file, e.line) for e in [*order.edges, *order.dangling] if e.kind == "dependsOn"}


def _line(repo: Path, file: str, text: str) -> int:
    return next(i for i, line in enumerate((repo / file).read_text().splitlines(), 1) if text in line)


def test_dependencies_point_at_the_patch_that_added_them(repo: Path) -> None:
    edges = _edges(repo)
    kfile = "clusters/home/kustomization.yaml"
    # a strategic-merge patch file: its entry's line; a JSON 6902 inline patch: its operation's line
    assert edges[("flux-system/infra", "flux-system/apps")] == ("clusters/home/apps-deps.yaml",
                                                                 _line(repo, "clusters/home/apps-deps.yaml", "infra"))
    assert edges[("flux-system/db", "flux-system/apps")] == (kfile, _line(repo, kfile, "- op: add"))
    # the patch replaced the list but the document had that entry already: it keeps the document's line
    assert edges[("flux-system/own", "flux-system/apps")] == ("clusters/home/apps.yaml",
                                                               _line(repo, "clusters/home/apps.yaml", "- name: own"))
    # a component's inline strategic-merge patch, dangling: the warning is at the patch too
    comp = "components/late/kustomization.yaml"
    assert edges[("flux-system/missing", "flux-system/db")] == (comp, _line(repo, comp, "- name: missing"))
    # the parent Flux Kustomization's own spec.patches: in the parent's file
    assert edges[("flux-system/infra", "flux-system/leaf")] == ("clusters/home/apps.yaml",
                                                                 _line(repo, "clusters/home/apps.yaml", "- op: add"))


def test_an_entry_the_patch_did_not_touch_keeps_its_own_line(tmp_path: Path) -> None:
    files = gotk()
    files.update({
        "clusters/home/kustomization.yaml": KUSTOMIZATION.replace("components: [../../components/late]\n", "")
                                                          .replace("  - path: apps-deps.yaml\n", ""),
        "clusters/home/infra.yaml": ks("infra", "./infra"), "clusters/home/db.yaml": ks("db", "./infra"),
        "clusters/home/apps.yaml": ks("apps", "./infra", deps=("infra",)), "infra/cm.yaml": CM,
    })
    repo = write(tmp_path, files)
    edges = _edges(repo)
    own = "clusters/home/apps.yaml"
    assert edges[("flux-system/infra", "flux-system/apps")] == (own, _line(repo, own, "- name: infra"))
    assert edges[("flux-system/db", "flux-system/apps")][0] == "clusters/home/kustomization.yaml"


@pytest.mark.skipif(not KUBECTL, reason="kubectl missing")
def test_the_patched_lists_are_kustomizes(repo: Path) -> None:
    objects, err = kubectl_build(str(repo / "clusters/home"))
    assert objects is not None, err
    [cluster] = build_model(repo).clusters
    for obj in objects:
        if obj["kind"] == "Kustomization":
            node = cluster.kustomizations[f"flux-system/{obj['metadata']['name']}"]
            assert node.spec.get("dependsOn") == obj["spec"].get("dependsOn"), obj["metadata"]["name"]
