"""Secrets, whichever way they travel: no value that came from a Secret (or from under a password/token-like
key) reaches any output. Each path below carries its own canary; the harness looks for every canary, and
its base64 form, in every file and stream the front ends produce.

Paths: kustomize ``replacements`` from Secret ``data``/``stringData`` and from a ``secretGenerator``
literal into Ingress hosts and a Service address, through a ConfigMap relay (two replacements), with a
delimiter, from a ConfigMap key named like a password; a ``secretGenerator`` literal without ``=``
(quoted by the warning it raises); postBuild variables named like secrets in a ConfigMap or inline; ResourceSet
inputs named like secrets, inline or from a Static provider, templated into hosts; the diffs ``flux-wiki check``
prints into CI logs.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from flux_wiki.analysis.redact import HIDDEN, names_secret
from flux_wiki.authoring.basis import BasisGraph, Declared
from flux_wiki.flux.kustomize.generate import GeneratorError, generate
from flux_wiki.flux.kustomize.replace import apply_replacement, is_tainted
from flux_wiki.flux.kustomize.transform import WorkRes
from flux_wiki.load.authored import SourceRoot

from .harness import Outcome, assert_clean, run_all
from .test_harness import MINI
from .test_injection import visible, write

CANARY = {path: f"canary{path}q7z" for path in ("data", "string", "literal", "bare", "cmkey", "chain", "delim",
                                                  "inline", "cmvar", "sops", "rsinput", "rsprovider")}


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _ingress(name: str, host: str) -> str:
    return f"""\
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {{name: {name}, namespace: web}}
spec: {{rules: [{{host: {json.dumps(host)}, http: {{paths: [{{path: /, pathType: Prefix,
        backend: {{service: {{name: lb, port: {{number: 80}}}}}}}}]}}}}]}}
"""


def secret_repo() -> dict[str, str]:
    c = CANARY
    ks = """\
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {{name: {name}, namespace: flux-system}}
spec:
  path: ./{name}
  sourceRef: {{kind: GitRepository, name: flux-system}}
  interval: 10m
  prune: true
{extra}"""
    replacement = ("- source: {{kind: {kind}, name: {name}, fieldPath: {path}}}\n"
                   "  targets: [{{select: {{kind: {tkind}, name: {target}}}, fieldPaths: [{tpath}]{opts}}}]\n")

    def rep(kind: str, name: str, path: str, target: str, tkind: str = "Ingress",
            tpath: str = "spec.rules.0.host", opts: str = "") -> str:
        return replacement.format(kind=kind, name=name, path=path, tkind=tkind, target=target, tpath=tpath,
                                  opts=opts)

    return {
        "clusters/home/flux-system/gotk-sync.yaml": MINI["clusters/home/flux-system/gotk-sync.yaml"],
        "clusters/home/apps.yaml": ks.format(name="apps", extra=f"""\
  postBuild:
    substitute: {{DB_PASSWORD: {c['inline']}, PLAIN_VAR: plainvalue}}
    substituteFrom: [{{kind: ConfigMap, name: vars}}]
---
apiVersion: v1
kind: ConfigMap
metadata: {{name: vars, namespace: flux-system}}
data: {{API_TOKEN: {c['cmvar']}, DOMAIN: example.org}}
"""),
        "clusters/home/broken.yaml": ks.format(name="broken", extra=""),
        "broken/kustomization.yaml": f"secretGenerator:\n- name: bad\n  literals: [{c['bare']}]\n",
        "apps/kustomization.yaml": "resources: [objects.yaml, sops.yaml, rset.yaml]\n"
        "secretGenerator:\n" f"- name: gen\n  literals: [host={c['literal']}]\n"
        "replacements:\n"
        + rep("Secret", "plain", "data.host", "a")
        + rep("Secret", "plain", "stringData.ip", "lb", "Service", "spec.loadBalancerIP")
        + rep("Secret", "gen", "data.host", "b")
        + rep("ConfigMap", "settings", "data.DB_PASSWORD", "c")
        + rep("Secret", "plain", "stringData.chain", "relay", "ConfigMap", "data.value")
        + rep("ConfigMap", "relay", "data.value", "d")
        + rep("Secret", "plain", "stringData.delim", "e", opts=", options: {delimiter: '.', index: 0}")
        + rep("ConfigMap", "settings", "data.domain", "f")
        + rep("Secret", "plain", "metadata.name", "g")
        + rep("Secret", "sealed", "stringData.host", "s"),
        "apps/objects.yaml": f"""\
apiVersion: v1
kind: Secret
metadata: {{name: plain, namespace: web}}
data: {{host: {b64(c['data'])}}}
stringData: {{ip: {c['string']}, chain: {c['chain']}, delim: {c['delim']}}}
---
apiVersion: v1
kind: ConfigMap
metadata: {{name: settings, namespace: web}}
data: {{DB_PASSWORD: {c['cmkey']}, domain: visible.example.org}}
---
apiVersion: v1
kind: ConfigMap
metadata: {{name: relay, namespace: web}}
data: {{value: placeholder}}
---
apiVersion: v1
kind: Service
metadata: {{name: lb, namespace: web}}
spec: {{type: LoadBalancer, loadBalancerIP: 10.0.0.9, ports: [{{port: 80}}]}}
""" + "".join(_ingress(n, f"{n}.example.org") for n in "abcdefgs")
        + _ingress("h", "${DB_PASSWORD}.${DOMAIN}") + _ingress("i", "${API_TOKEN}.${PLAIN_VAR}.example.org"),
        "apps/rset.yaml": f"""\
apiVersion: fluxcd.controlplane.io/v1
kind: ResourceSetInputProvider
metadata: {{name: creds, namespace: web}}
spec: {{type: Static, defaultValues: {{app: p, dbPassword: {c['rsprovider']}}}}}
---
apiVersion: fluxcd.controlplane.io/v1
kind: ResourceSet
metadata: {{name: hosts, namespace: web}}
spec:
  inputs: [{{app: i, dbPassword: {c['rsinput']}}}]
  inputsFrom: [{{kind: ResourceSetInputProvider, name: creds}}]
  resources:
    - apiVersion: networking.k8s.io/v1
      kind: Ingress
      metadata: {{name: rs-<< inputs.app >>, namespace: web}}
      spec: {{rules: [{{host: "<< inputs.dbPassword >>.example.org"}}]}}
""",
        "apps/sops.yaml": f"""\
apiVersion: v1
kind: Secret
metadata: {{name: sealed, namespace: web}}
stringData: {{host: "ENC[AES256_GCM,data:{c['sops']},type:str]"}}
sops: {{version: 3.8.1}}
""",
    }


@pytest.fixture(scope="module")
def outcome(tmp_path_factory: pytest.TempPathFactory) -> Outcome:
    tmp = tmp_path_factory.mktemp("secrets")
    write(tmp / "repo", secret_repo())
    return run_all(tmp / "repo", tmp / "work")


def test_no_secret_reaches_any_output(outcome: Outcome) -> None:
    assert_clean(outcome, forbidden=tuple(v for c in CANARY.values() for v in (c, b64(c))))
    assert outcome.run("build").returncode == 0 and outcome.run("hugo").returncode == 0


def test_tainted_fields_show_as_hidden_and_the_rest_stays(outcome: Outcome) -> None:
    """The positive control: every replaced field is still listed, redacted, and clean values pass."""
    page = next(t for n, t in outcome.files.items() if n.startswith("site/") and n.endswith("surfaces/index.html"))
    shown = visible(page)
    for host in ("visible.example.org", "plain", f"{HIDDEN}.example.org", "${DB_PASSWORD}.example.org",
                 "${API_TOKEN}.plainvalue.example.org"):
        assert host in shown, host
    assert shown.count(HIDDEN) >= 6  # a, b, c, d, s and the LoadBalancer address
    layer = next(t for n, t in outcome.files.items() if n.startswith("site/") and n.endswith("layers/apps/index.html"))
    assert "API_TOKEN (hidden)" in visible(layer) and "DB_PASSWORD (hidden)" in visible(layer)


def test_a_broken_literal_is_named_by_position_not_quoted(outcome: Outcome) -> None:
    assert "Secret generator 'bad': literal #1 has no '='" in " ".join(outcome.run("build").stderr.split())


def _res(kind: str, data: dict, encrypted: bool = False) -> WorkRes:
    return WorkRes({"apiVersion": "v1", "kind": kind, "metadata": {"name": "src", "namespace": "ns"}, **data},
                   "f.yaml", 1, encrypted, "src", "ns")


@pytest.mark.parametrize("kind, path, value, tainted", [
    ("Secret", "data.password", "x", True),
    ("Secret", "stringData.host", "x", True),
    ("Secret", "metadata.name", "src", False),
    ("Secret", "metadata.labels.app", "a", False),
    ("ConfigMap", "data.DB_PASSWORD", "x", True),
    ("ConfigMap", "data.host", "x", False),
    ("ConfigMap", "data.host", "ENC[AES256_GCM,data:x,type:str]", True),
    ("Deployment", "spec.template.spec.containers.[name=app].env.[name=API_TOKEN].value", "x", True),
    ("Deployment", "spec.template.spec.containers.[name=app].image", "x", False),
    ("ConfigMap", "data", {"a": "b", "token": "t"}, True),
])
def test_taint_follows_where_a_value_comes_from(kind: str, path: str, value: object, tainted: bool) -> None:
    assert is_tainted(_res(kind, {}), path, value) is tainted


def test_encrypted_documents_and_whole_maps_are_hidden_with_their_shape() -> None:
    assert is_tainted(_res("ConfigMap", {}, encrypted=True), "data.host", "")
    source = _res("Secret", {"data": {"user": "dQ==", "pass": "cA=="}})
    target = WorkRes({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "t"}, "data": {}},
                     "f.yaml", 2, False, "t", "")
    apply_replacement([source, target], {"source": {"kind": "Secret", "name": "src", "fieldPath": "data"},
                                         "targets": [{"select": {"kind": "ConfigMap"}, "fieldPaths": ["data"]}]})
    assert target.obj["data"] == {"user": HIDDEN, "pass": HIDDEN}


def test_generator_errors_never_quote_a_literal() -> None:
    with pytest.raises(GeneratorError) as err:
        generate("Secret", {"name": "s", "literals": ["ok=1", "hunter2hunter2"]}, None, lambda p: b"")
    assert "hunter2" not in str(err.value) and "#2" in str(err.value)


@pytest.mark.parametrize("name, secret", [("DB_PASSWORD", True), ("API_TOKEN", True), ("SECRET_DOMAIN", True),
                                          ("LB_SHARE_KEY", False), ("DOMAIN", False), ("TOKEN_SECRET_NAME", False)])
def test_variables_named_like_secrets(name: str, secret: bool) -> None:
    assert names_secret(name) is secret


def test_secret_named_variables_are_not_read() -> None:
    from flux_wiki.flux.objects import PostBuild
    from flux_wiki.flux.substitute import collect_variables

    variables, _ = collect_variables(PostBuild.parse({"substitute": {"DB_PASSWORD": "hunter2", "HOST": "h"}}),
                                     lambda *a: None, "ks.yaml", 1)
    assert variables["DB_PASSWORD"].value is None and variables["DB_PASSWORD"].secret
    assert variables["HOST"].value == "h"


def test_staleness_diffs_in_ci_logs_show_no_secret(tmp_path: Path) -> None:
    """`flux-wiki check` prints what changed in a page's basis: never a secret value, nor any of a Secret."""
    import subprocess

    from flux_wiki.authoring.check import check_page, report_json, report_text
    from flux_wiki.authoring.lock import stamp_page

    repo = tmp_path / "repo"
    old = {"values.yaml": "app:\n  password: canaryOldPw\n  replicas: 1\nenv:\n- name: API_TOKEN\n  value: canaryOldTok\n",
           "secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {host: canaryOldHost}\n",
           ".env": "DB_PASSWORD=canaryOldEnv\nHOST=a\n"}
    write(repo, old)
    for args in (["init", "-q"], ["add", "."], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"]):
        subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)
    graph = BasisGraph(roots={"r": SourceRoot("r", repo)}, docs_dir=tmp_path,
                       pages={"p.md": Declared(sources=[("r:*", "p.md", 1), ("r:.env", "p.md", 1)])})
    stamped = stamp_page(graph, "p.md")
    write(repo, {name: text.replace("canaryOld", "canaryNew").replace("replicas: 1", "replicas: 2")
                 .replace("HOST=a", "HOST=b") for name, text in old.items()})
    status = check_page(graph, "p.md", stamped)
    assert sorted(status.changed) == ["r:.env", "r:secret.yaml", "r:values.yaml"]
    out = report_text([status]) + report_json([status])
    assert "canary" not in out
    assert "-  replicas: 1\n+  replicas: 2" in out and "-HOST=a\n+HOST=b" in out  # the rest of the diff stays
    assert "diff of r:secret.yaml not shown: it holds a Secret" in out
