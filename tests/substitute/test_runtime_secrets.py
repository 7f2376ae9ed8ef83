"""Secrets that controllers create at run time provide ``substituteFrom``: not "Flux would fail", and their
variables stay ``${VAR}`` from "<maker> (run time)".

Followed: kustomize-controller ``internal/controller/kustomization_varsub.go`` (``substituteFrom`` a
Secret that is not found fails the Kustomization unless ``optional``), external-secrets' ExternalSecret
API (``spec.target.name`` defaults to the ExternalSecret's name; ``creationPolicy: Merge``/``None`` create
no Secret; a ``target.template`` with the default ``mergePolicy: Replace`` holds the template's keys),
sealed-secrets (``spec.template.metadata.name`` else the SealedSecret's name; keys of ``encryptedData``),
sops-secrets-operator (``spec.secretTemplates[].name``) and the 1Password operator (a Secret named as
the OnePasswordItem, keys from the vault item).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from flux_wiki.engine import build_model
from flux_wiki.flux.objects import PostBuild
from flux_wiki.flux.runtime import ANY_NAMESPACE, runtime_secret_in, runtime_secrets
from flux_wiki.flux.substitute import RUNTIME_KEYS, collect_variables, substitute_resources
from flux_wiki.model import Resource
from flux_wiki.render.pages import PageRenderer, RenderOptions
from tests.simulate.test_simulate import gotk, ks, write


def obj(api: str, kind: str, name: str, spec: dict, ns: str = "apps", **extra) -> Resource:
    return Resource({"apiVersion": api, "kind": kind, "metadata": {"name": name, "namespace": ns}, "spec": spec,
                     **extra}, "apps/made.yaml", 1)


ESO = "external-secrets.io/v1"


def test_the_catalog_names_each_secret_and_what_is_known_of_its_keys() -> None:
    made = lambda res: [(s.name, s.namespace, s.keys) for s in runtime_secrets(res)]  # noqa: E731
    assert made(obj(ESO, "ExternalSecret", "db", {"data": [{"secretKey": "PASSWORD"}]})) == \
        [("db", "apps", frozenset({"PASSWORD"}))]
    assert made(obj(ESO, "ExternalSecret", "x", {"target": {"name": "tunnel", "template": {
        "data": {"TUNNEL_ID": "{{ .id }}"}}}, "dataFrom": [{"extract": {"key": "cloudflare"}}]})) == \
        [("tunnel", "apps", frozenset({"TUNNEL_ID"}))]
    assert made(obj(ESO, "ExternalSecret", "x", {"dataFrom": [{"extract": {"key": "k"}}]})) == [("x", "apps", None)]
    assert made(obj(ESO, "ExternalSecret", "x", {"target": {"creationPolicy": "Merge"}})) == []
    assert made(obj(ESO, "ClusterExternalSecret", "x", {"externalSecretSpec": {"target": {"name": "s"}}})) == \
        [("s", ANY_NAMESPACE, frozenset())]
    assert made(obj("bitnami.com/v1alpha1", "SealedSecret", "s", {"encryptedData": {"A": "AgB"}})) == \
        [("s", "apps", frozenset({"A"}))]
    assert made(obj("isindir.github.com/v1alpha3", "SopsSecret", "s", {"secretTemplates": [
        {"name": "one", "stringData": {"K": "v"}}]})) == [("one", "apps", frozenset({"K"}))]
    assert made(obj("onepassword.com/v1", "OnePasswordItem", "op", {"itemPath": "vaults/v/items/i"})) == \
        [("op", "apps", None)]
    assert made(obj("v1", "ConfigMap", "c", {})) == []


def test_collect_variables_takes_the_keys_of_a_runtime_secret() -> None:
    tunnel = obj(ESO, "ExternalSecret", "tunnel-id", {"target": {"name": "tunnel", "template": {
        "data": {"TUNNEL_ID": "x"}}}})
    post = PostBuild.parse({"substituteFrom": [{"kind": "Secret", "name": "tunnel"}]})
    variables, diags = collect_variables(post, lambda *a: None, "ks.yaml", 3, namespace="apps",
                                         find_runtime=lambda ns, name: runtime_secret_in([tunnel], ns, name))
    assert not diags
    assert [(v.name, v.secret, v.origin) for v in variables.values()] == [
        ("TUNNEL_ID", True, "ExternalSecret apps/tunnel-id (run time)")]
    variables, diags = collect_variables(post, lambda *a: None, "ks.yaml", 3, namespace="apps")
    assert not variables and [d.code for d in diags] == ["FW-SUBST-FROM-MISSING"]


def test_unknown_keys_keep_every_unset_variable_as_a_secret_one() -> None:
    item = obj("onepassword.com/v1", "OnePasswordItem", "creds", {})
    post = PostBuild.parse({"substituteFrom": [{"kind": "Secret", "name": "creds"}], "substitute": {"HOST": "h"}})
    variables, _ = collect_variables(post, lambda *a: None, "ks.yaml", 3, namespace="apps",
                                     find_runtime=lambda ns, name: runtime_secret_in([item], ns, name))
    assert set(variables) == {RUNTIME_KEYS, "HOST"}
    cm = Resource({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
                   "data": {"a": "${HOST}", "b": "${TOKEN}", "c": "${TOKEN}"}}, "c.yaml", 1)
    result = substitute_resources([cm], variables, enabled=True)
    assert result.resources[0].obj["data"] == {"a": "h", "b": "${TOKEN}", "c": "${TOKEN}"}
    assert result.unresolved == [] and result.secret_vars == ["TOKEN"]


def _tunnel_repo(tmp_path: Path, *, external_secret: bool, elsewhere: bool = False) -> Path:
    """Exikle's cloudflare-tunnel: the Kustomization substitutes from the Secret an ExternalSecret in its
    own path creates (``elsewhere``: in a Kustomization it dependsOn)."""
    made = textwrap.dedent("""\
        apiVersion: external-secrets.io/v1
        kind: ExternalSecret
        metadata: {name: cloudflare-tunnel-id, namespace: network}
        spec:
          secretStoreRef: {kind: ClusterSecretStore, name: onepassword}
          target:
            name: cloudflare-tunnel-id-secret
            template:
              data: {CLOUDFLARE_TUNNEL_ID: "{{ .CLOUDFLARE_TUNNEL_ID }}"}
          dataFrom: [{extract: {key: cloudflare}}]
        """)
    cm = ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: tunnel, namespace: network}\n"
          "data: {id: \"${CLOUDFLARE_TUNNEL_ID}\"}\n")
    files = {**gotk("home"),
             "clusters/home/tunnel.yaml": ks("cloudflare-tunnel", "./apps/tunnel", ns="network",
                                             deps=("tunnel-secrets",) if elsewhere else (), extra="""
                 postBuild:
                   substituteFrom: [{kind: Secret, name: cloudflare-tunnel-id-secret}]
                 """),
             "apps/tunnel/cm.yaml": cm}
    if external_secret and elsewhere:
        files["clusters/home/secrets.yaml"] = ks("tunnel-secrets", "./apps/secrets", ns="network")
        files["apps/secrets/externalsecret.yaml"] = made
    elif external_secret:
        files["apps/tunnel/externalsecret.yaml"] = made
    return write(tmp_path, files)


def test_a_secret_another_kustomization_makes_at_run_time_is_no_flux_failure(tmp_path: Path) -> None:
    cluster = build_model(_tunnel_repo(tmp_path, external_secret=True, elsewhere=True)).clusters[0]
    node = cluster.kustomizations["network/cloudflare-tunnel"]
    assert node.status == "built"
    assert not [w for w in cluster.warnings if "substitute from" in w.message]
    assert [(v.name, v.origin) for v in node.variables] == [
        ("CLOUDFLARE_TUNNEL_ID", "ExternalSecret network/cloudflare-tunnel-id (run time)")]


def test_a_secret_only_the_kustomization_itself_makes_never_exists_in_time(tmp_path: Path) -> None:
    """kustomize-controller loads substituteFrom before it applies anything (fluxcd/pkg
    kustomize/kustomize_varsub.go, loadVars): the ExternalSecret in the same path is never applied."""
    model = build_model(_tunnel_repo(tmp_path, external_secret=True))
    cluster = model.clusters[0]
    node = cluster.kustomizations["network/cloudflare-tunnel"]
    [warning] = [w for w in cluster.warnings if "substitute from" in w.message]
    assert (warning.file, warning.code, warning.cls) == ("clusters/home/tunnel.yaml", "FW-SUBST-FROM-SELF", "repo")
    assert "only Kustomization network/cloudflare-tunnel itself creates it" in warning.message
    assert [(v.name, v.origin) for v in node.variables] == [
        ("CLOUDFLARE_TUNNEL_ID", "ExternalSecret network/cloudflare-tunnel-id (run time)")]
    [cm] = [r for r in node.resources if r.kind == "ConfigMap"]
    assert cm.obj["data"] == {"id": "${CLOUDFLARE_TUNNEL_ID}"}
    page = PageRenderer(model.facts[cluster.name], RenderOptions()).layer_page(node).markdown
    assert "`CLOUDFLARE_TUNNEL_ID` (hidden, from ExternalSecret network/cloudflare-tunnel-id at run time)" in page


def test_a_secret_nobody_creates_is_still_a_flux_failure(tmp_path: Path) -> None:
    cluster = build_model(_tunnel_repo(tmp_path, external_secret=False)).clusters[0]
    [warning] = [w for w in cluster.warnings if "substitute from" in w.message]
    assert (warning.file, warning.code, warning.cls) == ("clusters/home/tunnel.yaml", "FW-SUBST-FROM-MISSING",
                                                         "repo")
