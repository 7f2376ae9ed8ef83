"""A namespaced object applied without a namespace: kustomize-controller's server-side apply refuses it
("HelmRelease/x namespace not specified") and the Kustomization fails, unless the Kustomization sets
spec.targetNamespace or a kustomization gives one. The home-lab layout where a namespace's kustomization.yaml
sets `namespace:` on the child Kustomizations but not on what their own paths apply hits this."""

from __future__ import annotations

from pathlib import Path

from flux_wiki.engine import build_model

from .test_simulate import gotk, ks, write

_RELEASE = """\
apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata: {name: gateway}
spec: {interval: 1h, url: oci://example.com/charts/gateway, ref: {tag: 1.0.0}}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: gateway}
spec: {interval: 1h, chartRef: {kind: OCIRepository, name: gateway}}
"""


def _codes(root: Path) -> list[tuple[str, int, str]]:
    cluster = build_model(root).clusters[0]
    return [(w.file, w.line, w.message) for w in cluster.warnings if w.code == "FW-NAMESPACE-MISSING"]


def test_namespaced_objects_without_namespace_fail_the_kustomization(tmp_path: Path) -> None:
    write(tmp_path, gotk() | {
        "clusters/home/apps.yaml": ks("gateway", "./apps/gateway"),
        "apps/gateway/release.yaml": _RELEASE,
        "apps/gateway/class.yaml": "apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\n"
                                   "metadata: {name: envoy}\nspec: {controllerName: x}\n",
        "apps/gateway/widget.yaml": "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n",
    })
    [(file, line, message)] = _codes(tmp_path)
    assert (file, line) == ("apps/gateway/release.yaml", 6)  # the first in the build's (kustomize's legacy) order
    assert "HelmRelease gateway has no namespace (and 1 more object without one)" in message  # not GatewayClass
    assert "Kustomization flux-system/gateway" in message and "namespace not specified" in message


def test_target_namespace_kustomization_namespace_or_metadata_place_them(tmp_path: Path) -> None:
    write(tmp_path, gotk() | {
        "clusters/home/apps.yaml": ks("a", "./apps/a", extra="targetNamespace: net")
                                   + "---\n" + ks("b", "./apps/b") + "---\n" + ks("c", "./apps/c"),
        "apps/a/release.yaml": _RELEASE,
        "apps/b/release.yaml": _RELEASE,
        "apps/b/kustomization.yaml": "namespace: net\nresources: [release.yaml]\n",
        "apps/c/release.yaml": _RELEASE.replace("{name: gateway}", "{name: gateway, namespace: net}"),
    })
    assert _codes(tmp_path) == []


def test_a_crd_in_the_repository_decides_a_custom_kind(tmp_path: Path) -> None:
    crd = ("apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: widgets.example.com}\n"
           "spec: {group: example.com, scope: Namespaced, names: {kind: Widget, plural: widgets}}\n")
    write(tmp_path, gotk() | {
        "clusters/home/apps.yaml": ks("crds", "./crds") + "---\n" + ks("w", "./w", deps=("crds",)),
        "crds/crd.yaml": crd,
        "w/widget.yaml": "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n",
    })
    [(file, _, message)] = _codes(tmp_path)
    assert file == "w/widget.yaml" and "Widget w has no namespace and" in message


def test_a_build_flux_wiki_could_not_complete_makes_it_a_limit(tmp_path: Path) -> None:
    write(tmp_path, gotk() | {
        "clusters/home/apps.yaml": ks("gateway", "./apps/gateway"),
        "apps/gateway/kustomization.yaml": "resources: [release.yaml]\n"
                                          "components: [https://github.com/example/components//namespace]\n",
        "apps/gateway/release.yaml": _RELEASE,
    })
    cluster = build_model(tmp_path).clusters[0]
    [w] = [w for w in cluster.warnings if w.code == "FW-NAMESPACE-MISSING"]
    assert w.cls == "limit" and "unless what flux-wiki did not simulate there sets one" in w.message


def test_an_object_a_resourceset_generates_is_flux_operators_to_place(tmp_path: Path) -> None:
    """flux-operator applies what a ResourceSet renders as written (builder/resourceset.go sets no namespace):
    the Kustomization's targetNamespace places the ResourceSet, not what it generates; the warning names the
    ResourceSet and its template, not the Kustomization's targetNamespace."""
    write(tmp_path, gotk() | {
        "clusters/home/apps.yaml": ks("tenants", "./tenants", extra="targetNamespace: tenants"),
        "tenants/rset.yaml": "apiVersion: fluxcd.controlplane.io/v1\nkind: ResourceSet\nmetadata: {name: layer}\n"
                             "spec:\n  inputs: [{tenant: team1}, {tenant: team2}]\n  resources:\n"
                             "    - apiVersion: v1\n      kind: ConfigMap\n"
                             "      metadata: {name: << inputs.tenant >>}\n",
    })
    [(file, line, message)] = _codes(tmp_path)
    assert (file, line) == ("tenants/rset.yaml", 7)
    assert message.startswith("ConfigMap team1, generated by ResourceSet tenants/layer, has no namespace (and 1 "
                              "more object without one): flux-operator")
    assert "sets no targetNamespace" not in message and "set metadata.namespace in its template" in message


def test_a_root_flux_wiki_took_for_one_may_get_a_target_namespace(tmp_path: Path) -> None:
    """A guessed root (no entry point in the repository) or an ``entry:`` folder is applied by a Kustomization
    outside the repository, whose targetNamespace flux-wiki does not know: an object it leaves without a namespace
    is a limit there. The root ``flux bootstrap`` writes has none, so there it stays a problem."""
    files = {"deploy/apps.yaml": ks("gateway", "./apps/gateway").replace("  namespace: flux-system\n", "", 1),
             "apps/gateway/release.yaml": _RELEASE.replace("{name: gateway}", "{name: gateway, namespace: net}")}
    write(tmp_path, files)
    for model in (build_model(tmp_path), build_model(tmp_path, entry="./deploy")):
        [w] = [w for w in model.clusters[0].warnings if w.code == "FW-NAMESPACE-MISSING"]
        assert (w.file, w.cls) == ("deploy/apps.yaml", "limit")
        assert "unless what applies this root, outside the repository, sets one" in w.message
    write(tmp_path, gotk() | {"clusters/home/apps.yaml": files["deploy/apps.yaml"]})
    [w] = [w for w in build_model(tmp_path).clusters[0].warnings if w.code == "FW-NAMESPACE-MISSING"]
    assert (w.file, w.cls) == ("clusters/home/apps.yaml", "repo")
