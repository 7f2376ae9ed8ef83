"""flux/scope: which objects lose their namespace once applied (the API server drops it)."""

from plugins.flux_wiki.flux.scope import ScopeIndex
from plugins.flux_wiki.model import Resource


def _res(api_version: str, kind: str, namespace: str | None = "apps", **spec) -> Resource:
    md = {"name": "x"} | ({"namespace": namespace} if namespace else {})
    return Resource({"apiVersion": api_version, "kind": kind, "metadata": md, "spec": spec}, "f.yaml", 1)


def _crd(group: str, kind: str, scope: str) -> Resource:
    return _res("apiextensions.k8s.io/v1", "CustomResourceDefinition", None,
                group=group, names={"kind": kind}, scope=scope)


def test_builtin_cluster_scoped_kind_loses_namespace():
    ns = _res("v1", "Namespace")
    ScopeIndex().apply([ns])
    assert ns.namespace in (None, "")


def test_namespaced_builtin_keeps_namespace():
    cm = _res("v1", "ConfigMap")
    ScopeIndex().apply([cm])
    assert cm.namespace == "apps"


def test_well_known_operator_kind_is_cluster_scoped():
    issuer = _res("cert-manager.io/v1", "ClusterIssuer")
    ScopeIndex().apply([issuer])
    assert not issuer.namespace


def test_unknown_custom_kind_keeps_namespace_until_a_crd_says_cluster():
    index = ScopeIndex()
    widget = _res("example.com/v1", "Widget")
    index.apply([widget])
    assert widget.namespace == "apps"
    index.learn([_crd("example.com", "Widget", "Cluster")])
    index.apply([widget])
    assert not widget.namespace


def test_a_crd_declaring_namespaced_overrides_the_well_known_table():
    index = ScopeIndex()
    index.learn([_crd("cert-manager.io", "ClusterIssuer", "Namespaced")])
    issuer = _res("cert-manager.io/v1", "ClusterIssuer")
    index.apply([issuer])
    assert issuer.namespace == "apps"


def test_learn_ignores_non_crds_and_malformed_names():
    index = ScopeIndex()
    before = set(index.cluster_scoped)
    index.learn([_res("v1", "ConfigMap", scope="Cluster"),
                 _res("apiextensions.k8s.io/v1", "CustomResourceDefinition", None, group="g", names="bad")])
    assert index.cluster_scoped == before
