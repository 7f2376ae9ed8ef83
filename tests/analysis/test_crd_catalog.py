"""The chart -> CRD catalog: its file format, the queries on it, the inference fallback, real repos."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import fields
from importlib import resources

import pytest
import yaml

from flux_wiki.analysis.crds import (CatalogError, CrdCatalog, ProvidedKind, crd_policy, group_of, infer_kinds,
                                     is_builtin_group, kinds_of_crd_manifest, normalize_url, oci_chart_name,
                                     provided_by_chart)

KIND = re.compile(r"^[A-Z][A-Za-z0-9]*$")
GROUP = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$")
CITATION = re.compile(r"\b[\w.-]+/[\w.-]+ [\w./{}*,-]+")  # "owner/repo path..."
# The charts issue #15 names; each must have an entry.
REQUIRED_CHARTS = ["cert-manager", "cilium", "traefik", "kube-prometheus-stack", "prometheus-operator-crds",
                   "external-secrets", "cloudnative-pg", "rook-ceph", "longhorn", "gateway-helm", "kyverno",
                   "volsync", "pgo", "grafana-operator", "flux-operator", "snapshot-controller", "keda",
                   "node-feature-discovery", "connect"]


@pytest.fixture(scope="module")
def raw_catalog() -> dict:
    text = resources.files("flux_wiki.analysis").joinpath("crd_catalog.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def _kinds(provided: list[ProvidedKind]) -> set[str]:
    return {p.kind for p in provided}


# -- the file -------------------------------------------------------------------------------------

def test_every_entry_cites_its_source_and_lists_groups_and_kinds(raw_catalog):
    ids = [e["id"] for e in raw_catalog["charts"]]
    assert len(ids) == len(set(ids))
    for entry in raw_catalog["charts"]:
        assert entry["charts"] and all(isinstance(c, str) and c == c.lower() for c in entry["charts"]), entry["id"]
        assert CITATION.search(entry["source"]), f"{entry['id']}: source must name owner/repo and a path"
        assert entry["crds"], entry["id"]
        for crd_set in entry["crds"]:
            assert crd_set["from"] in ("crds-dir", "templates", "hook", "controller"), entry["id"]
            for provided in crd_set["provides"]:
                assert GROUP.match(provided["group"]), (entry["id"], provided["group"])
                assert not is_builtin_group(provided["group"]), (entry["id"], provided["group"])
                assert provided["kinds"] and all(KIND.match(k) for k in provided["kinds"]), entry["id"]
                assert len(set(provided["kinds"])) == len(provided["kinds"]), entry["id"]


def test_libyaml_reads_the_shipped_catalog_as_the_pure_python_loader_does(raw_catalog):
    """The catalog is loaded with libyaml at start-up (speed); it must be the same data as safe_load's."""
    text = resources.files("flux_wiki.analysis").joinpath("crd_catalog.yaml").read_text(encoding="utf-8")
    fast = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    assert fast == raw_catalog
    assert CrdCatalog.from_data(fast).entries == CrdCatalog.from_data(raw_catalog).entries


def test_catalog_parses_and_covers_the_charts_issue_15_names():
    catalog = CrdCatalog.load()
    assert CrdCatalog.load() is catalog  # cached
    for chart in REQUIRED_CHARTS:
        assert catalog.entry_for(chart, None) or chart == "connect", chart
    assert catalog.entry_for("connect", "oci://ghcr.io/1password/connect") is not None


def test_catalog_rejects_an_entry_without_citation():
    crds = [{"from": "crds-dir", "provides": [{"group": "x.io", "kinds": ["X"]}]}]
    entry = {"id": "x", "charts": ["x"], "crds": crds}
    with pytest.raises(CatalogError, match="source"):
        CrdCatalog.from_data({"charts": [entry]})
    with pytest.raises(CatalogError, match="from"):
        CrdCatalog.from_data({"charts": [{**entry, "source": "a/b c", "crds": [{"from": "elsewhere"}]}]})
    with pytest.raises(CatalogError, match="condition"):
        CrdCatalog.from_data({"charts": [{**entry, "source": "a/b c",
                                          "crds": [{**entry["crds"][0], "when": [{"value": "a"}]}]}]})


def test_provided_kinds_are_typed_values():
    provided = provided_by_chart("kube-prometheus-stack", None, {})
    assert provided and all(isinstance(p, ProvidedKind) for p in provided)
    assert all(isinstance(getattr(p, f.name), (str, type(None))) for p in provided for f in fields(p))


# -- queries --------------------------------------------------------------------------------------

@pytest.mark.parametrize("values, installed", [
    ({}, False),                                            # chart default: crds.enabled false
    ({"crds": {"enabled": True}}, True),
    ({"crds": {"enabled": False}}, False),
    ({"installCRDs": True}, True),                          # legacy value
    ({"installCRDs": True, "crds": {"enabled": False}}, True),  # either one suffices
])
def test_cert_manager_crds_follow_its_values(values, installed):
    provided = provided_by_chart("cert-manager", "https://charts.jetstack.io/", values)
    assert ({"ClusterIssuer", "Issuer", "Certificate"} <= _kinds(provided)) is installed
    assert not provided or {p.group for p in provided} == {"cert-manager.io", "acme.cert-manager.io"}
    assert all(p.origin == "catalog" and p.via == "templates" and "cert-manager/cert-manager" in p.citation
               for p in provided)


def test_cert_manager_templated_crds_ignore_the_skip_policy():
    assert "ClusterIssuer" in _kinds(provided_by_chart("cert-manager", None, {"crds": {"enabled": True}}, "Skip"))


def test_kube_prometheus_stack_crds_come_from_its_crds_subchart():
    provided = provided_by_chart("kube-prometheus-stack", "https://prometheus-community.github.io/helm-charts", {})
    assert {"ServiceMonitor", "PodMonitor", "PrometheusRule", "Prometheus", "ScrapeConfig"} <= _kinds(provided)
    assert {p.via for p in provided} == {"crds-dir"}
    assert provided_by_chart("kube-prometheus-stack", None, {"crds": {"enabled": False}}) == []
    assert provided_by_chart("kube-prometheus-stack", None, {}, "Skip") == []
    assert _kinds(provided_by_chart("kube-prometheus-stack", None, {}, "CreateReplace")) == _kinds(provided)


def test_prometheus_operator_crds_switch_kinds_one_by_one():
    values = {"crds": {"servicemonitors": {"enabled": False}}}
    provided = _kinds(provided_by_chart("prometheus-operator-crds", None, values))
    assert "ServiceMonitor" not in provided and {"PodMonitor", "PrometheusRule"} <= provided


@pytest.mark.parametrize("url, kind", [
    ("oci://ghcr.io/external-secrets/charts/external-secrets:0.10.4", "ExternalSecret"),
    ("oci://ghcr.io/home-operations/charts-mirror/cilium", "CiliumNetworkPolicy"),  # a mirror keeps the name
    ("oci://quay.io/jetstack/charts/cert-manager@sha256:abc", None),                 # default off
    ("oci://ghcr.io/controlplaneio-fluxcd/charts/flux-operator", "ResourceSet"),
])
def test_chart_from_an_oci_url(url, kind):
    provided = provided_by_chart(None, url, {})
    assert (kind in _kinds(provided)) if kind else provided == []


def test_install_crds_skip_drops_only_the_crds_folder():
    assert "PostgresCluster" in _kinds(provided_by_chart("pgo", None, {}))
    assert provided_by_chart("pgo", None, {}, "Skip") == []
    assert provided_by_chart("grafana-operator", None, {}, crd_policy({"spec": {"install": {"crds": "Skip"}}})) == []
    assert "Dragonfly" in _kinds(provided_by_chart("dragonfly-operator", None, {}, "Skip"))  # templates


@pytest.mark.parametrize("spec, policy", [
    ({}, "Create"),
    ({"install": {"crds": "Skip"}}, "Skip"),
    ({"install": {"crds": "CreateReplace"}}, "CreateReplace"),
    ({"install": {"skipCRDs": True}}, "Skip"),                       # deprecated field
    ({"install": {"skipCRDs": True, "crds": "Create"}}, "Create"),   # the policy field wins
    ({"install": {"crds": "Bogus"}}, "Create"),
    ({"install": "nonsense"}, "Create"),
])
def test_crd_policy_of_a_helmrelease(spec, policy):
    assert crd_policy(spec) == policy
    assert crd_policy({"apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease", "spec": spec}) == policy


def test_cilium_crds_are_created_by_its_operator():
    provided = provided_by_chart("cilium", "https://helm.cilium.io/", {})
    assert {"CiliumNetworkPolicy", "CiliumLoadBalancerIPPool", "CiliumL2AnnouncementPolicy"} <= _kinds(provided)
    assert {p.via for p in provided} == {"controller"}
    assert provided_by_chart("cilium", None, {}, "Skip")  # not a crds/ folder
    assert provided_by_chart("cilium", None, {"operator": {"skipCRDCreation": True}}) == []
    assert provided_by_chart("cilium", None, {"operator": {"enabled": False}}) == []


def test_generic_chart_names_need_their_source():
    assert provided_by_chart("connect", "https://charts.example.com/kafka", {}) == []
    assert _kinds(provided_by_chart("connect", "oci://ghcr.io/1password/connect", {})) == {"OnePasswordItem"}
    helm_repo = "https://1password.github.io/connect-helm-charts/"
    assert _kinds(provided_by_chart("connect", helm_repo, {})) == {"OnePasswordItem"}
    assert provided_by_chart("base", "oci://gcr.io/istio-release/charts/base", {})
    assert provided_by_chart("base", "https://charts.example.com", {}) == []


def test_value_equality_and_list_membership_gates():
    standard = _kinds(provided_by_chart("gateway-crds-helm", None, {"crds": {"gatewayAPI": {"enabled": True,
                                                                                           "channel": "standard"}}}))
    assert "HTTPRoute" in standard and "TCPRoute" not in standard
    experimental = {"crds": {"gatewayAPI": {"enabled": True}}}
    assert "TCPRoute" in _kinds(provided_by_chart("gateway-crds-helm", None, experimental))
    default = _kinds(provided_by_chart("flux-instance", None, {}))
    assert {"HelmRelease", "Kustomization", "GitRepository"} <= default and "ImagePolicy" not in default
    images = _kinds(provided_by_chart("flux-instance", None, {"instance": {"components": [
        "source-controller", "image-reflector-controller"]}}))
    assert "ImagePolicy" in images and "HelmRelease" not in images


def test_every_gate_value_is_read_as_helm_would():
    # a non-bool value is read with Go template truthiness: any non-empty string is true
    assert provided_by_chart("cert-manager", None, {"crds": {"enabled": "false"}})
    assert provided_by_chart("cert-manager", None, {"crds": {"enabled": ""}}) == []
    assert provided_by_chart("cert-manager", None, {"crds": "not-a-map"}) == []


# -- unknown charts -------------------------------------------------------------------------------

USED = [("widgets.example.io", "Widget"), ("apps", "Deployment"), ("other.io", "Gadget"),
        ("widget.dev", "Part"), ("", "ConfigMap")]


def test_unknown_operator_chart_is_inferred_from_api_groups():
    provided = provided_by_chart("widget-operator", "https://charts.example.io", {}, used_kinds=USED)
    assert {(p.group, p.kind) for p in provided} == {("widgets.example.io", "Widget"), ("widget.dev", "Part")}
    assert all(p.origin == "inferred" and p.inferred and p.entry is None and "inferred" in p.citation
               for p in provided)
    assert {p.key() for p in infer_kinds("widget-crds", USED)} == {p.key() for p in provided}


@pytest.mark.parametrize("chart", ["widget", "grafana", "app-operator", None, ""])
def test_no_inference_without_an_operator_name_or_a_long_enough_stem(chart):
    assert provided_by_chart(chart, None, {}, used_kinds=USED + [("app.io", "App")]) == []


def test_known_chart_is_never_inferred():
    assert provided_by_chart("cert-manager", None, {}, used_kinds=[("cert-manager.io", "Certificate")]) == []


# -- CRD manifests --------------------------------------------------------------------------------

def test_kinds_of_a_crd_manifest():
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": "widgets.example.io"},
           "spec": {"group": "example.io", "names": {"kind": "Widget", "plural": "widgets"}}}
    [provided] = kinds_of_crd_manifest(crd)
    assert provided.key() == ("example.io", "Widget") and provided.origin == "manifest"
    assert "widgets.example.io" in provided.citation
    assert kinds_of_crd_manifest({**crd, "apiVersion": "v1"}) == []
    assert kinds_of_crd_manifest({**crd, "spec": {"group": "example.io"}}) == []
    assert kinds_of_crd_manifest({**crd, "spec": "x"}) == []
    assert kinds_of_crd_manifest(["not", "a", "map"]) == []


def test_url_helpers():
    assert normalize_url("HTTPS://Charts.Jetstack.io/") == "https://charts.jetstack.io"
    assert normalize_url("oci://GHCR.io/a/b/cilium:1.16.1") == "oci://ghcr.io/a/b/cilium"
    assert oci_chart_name("oci://ghcr.io/a/b/cilium@sha256:00") == "cilium"
    assert oci_chart_name("https://helm.cilium.io") is None and oci_chart_name("oci://ghcr.io") is None
    assert group_of("cert-manager.io/v1") == "cert-manager.io" and group_of("v1") == ""
    assert is_builtin_group("apps") and not is_builtin_group("gateway.networking.k8s.io")


# -- real repositories ----------------------------------------------------------------------------

# Groups no Helm chart provides: served by the platform (OpenShift, OLM, Talos, Giant Swarm) or not
# Kubernetes objects at all (Backstage catalog files). Reported, left out of the chart-coverage floor.
PLATFORM_GROUP = re.compile(r"(\.openshift\.io|^operators\.coreos\.com|^k8s\.ovn\.org|\.giantswarm\.io|^talos\.dev"
                            r"|^backstage\.io)$")


def _corpus_objects(root):
    """Every top-level Kubernetes-shaped document of a corpus, as the loader reads them."""
    from flux_wiki.load import Repo
    from flux_wiki.model import InputError
    repo = Repo(root)
    for rel in repo.walk_yaml():
        try:
            docs = repo.documents(rel, copy=False)
        except InputError:
            continue
        for d in docs:
            obj = d.data
            if isinstance(obj, dict) and isinstance(obj.get("kind"), str) and "/" in str(obj.get("apiVersion")):
                yield obj


def _release_charts(objects: list[dict]) -> set[str]:
    """Chart names of the HelmReleases: spec.chart.spec.chart, or the chartRef OCIRepository's last URL segment."""
    oci = {(o.get("metadata") or {}).get("name"): (o.get("spec") or {}).get("url")
           for o in objects if o["kind"] == "OCIRepository" and isinstance(o.get("spec"), dict)}
    charts = set()
    for o in objects:
        spec = o.get("spec") if o["kind"] == "HelmRelease" else None
        if not isinstance(spec, dict):
            continue
        chart = (spec.get("chart") or {}).get("spec") if isinstance(spec.get("chart"), dict) else None
        ref = spec.get("chartRef") if isinstance(spec.get("chartRef"), dict) else {}
        name = chart.get("chart") if isinstance(chart, dict) else oci_chart_name(oci.get(ref.get("name")))
        if isinstance(name, str):
            charts.add(name)
    return charts


# kustomize's own files (kustomization.yaml, Component) are build inputs, never applied to a cluster.
NOT_CLUSTER_GROUPS = {"kustomize.config.k8s.io"}


@pytest.mark.corpora
def test_catalog_coverage_of_custom_kinds_used_in_the_corpora():
    from ..support import CORPORA
    if not CORPORA.is_dir():
        pytest.skip("../shared/corpora is absent")
    catalog = CrdCatalog.load()
    used_all: set[tuple[str, str]] = set()
    lines = []
    for root in sorted(p for p in CORPORA.iterdir() if p.is_dir()):
        objects = list(_corpus_objects(root))
        defined = {p.key() for o in objects for p in kinds_of_crd_manifest(o)}
        used = {(group_of(o["apiVersion"]), o["kind"]) for o in objects}
        used = {(g, k) for g, k in used  # Flux's own kinds exist before anything reconciles
                if not is_builtin_group(g) and g not in NOT_CLUSTER_GROUPS and not g.endswith(".fluxcd.io")}
        charts = _release_charts(objects)
        covered = {k for k in used if catalog.provider_of(*k)}
        own = {k for k in covered if any(c in e.charts for e in catalog.provider_of(*k) for c in charts)}
        lines.append(f"{root.name}: {len(used)} custom kinds, {len(covered)} in the catalog ({len(own)} from a "
                     f"chart this repo releases), {len(used & defined - covered)} more from CRD manifests; "
                     f"not covered: {', '.join(sorted(k for _, k in used - covered - defined)) or '-'}")
        used_all |= used
    covered_all = {k for k in used_all if catalog.provider_of(*k)}
    chart_kinds = {k for k in used_all if not PLATFORM_GROUP.search(k[0])}
    print("\n" + "\n".join(lines))
    print(f"all corpora: {len(covered_all)}/{len(used_all)} custom kinds in the catalog "
          f"({100 * len(covered_all) / len(used_all):.1f}%); without platform groups "
          f"{len(covered_all & chart_kinds)}/{len(chart_kinds)} "
          f"({100 * len(covered_all & chart_kinds) / len(chart_kinds):.1f}%)")
    assert len(used_all) >= 100
    assert len(covered_all) >= 0.70 * len(used_all)  # measured 95/133 = 71.4%
    assert len(covered_all & chart_kinds) >= 0.83 * len(chart_kinds)  # measured 94/112 = 83.9%


@pytest.mark.corpora
def test_every_catalog_kind_of_a_corpus_chart_is_spelled_as_the_repos_use_it():
    """A kind a repo uses in a catalog group must be one the catalog lists, unless the entry says it is partial."""
    from ..support import CORPORA
    if not CORPORA.is_dir():
        pytest.skip("../shared/corpora is absent")
    catalog = CrdCatalog.load()
    listed: dict[str, set[str]] = defaultdict(set)
    for e in catalog.entries:
        for group, kind in e.kinds():
            listed[group].add(kind)
    unknown = set()
    for root in sorted(p for p in CORPORA.iterdir() if p.is_dir()):
        for obj in _corpus_objects(root):
            group = group_of(obj["apiVersion"])
            if group in listed and obj["kind"] not in listed[group]:
                unknown.add((group, obj["kind"]))
    # Known gaps, each named in its entry's notes: metallb-operator's MetalLB (OLM, not the chart),
    # litellm-operator's LiteLLMModel (not in the stored chart copy).
    assert unknown <= {("metallb.io", "MetalLB"), ("litellm.home-operations.com", "LiteLLMModel")}, unknown
