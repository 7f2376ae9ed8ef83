"""ResourceSet expansion as flux-operator does it: inputs, providers, templates, dedup, errors, bounds."""

from __future__ import annotations

import textwrap
import zlib
from pathlib import Path

import pytest
import yaml

from flux_wiki.flux.resourceset import OWNER_LABELS, expand_resourceset, normalize_provider_name
from flux_wiki.load import Repo
from flux_wiki.model import Resource


def rset(text: str, extra: str = "", file: str = "rs.yaml", line: int = 1) -> Resource:
    return Resource(yaml.safe_load(textwrap.dedent(text) + extra), file, line)


def plain(res: Resource) -> dict:
    """The object without the labels the controller adds, as builder goldens show it."""
    obj = dict(res.obj)
    md = dict(obj["metadata"])
    labels = {k: v for k, v in md.get("labels", {}).items() if k not in OWNER_LABELS}
    md.pop("labels", None)
    if labels:
        md["labels"] = labels
    obj["metadata"] = md
    return obj


MULTI_DOC = """\
apiVersion: fluxcd.controlplane.io/v1
kind: ResourceSet
metadata:
  name: bundles
  namespace: flux-system
spec:
  inputs:
    - bundle: addons
      decryption: false
      apps:
        - ingress-nginx
        - cert-manager
    - bundle: apps
      decryption: true
      apps:
        - frontend
        - backend
  resourcesTemplate: |
    ---
    apiVersion: source.toolkit.fluxcd.io/v1beta2
    kind: OCIRepository
    metadata:
      name: << inputs.bundle >>
      namespace: flux-system
    spec:
      interval: 10m
      url: oci://registry.example.com/<< inputs.bundle >>
      ref:
        tag: latest
    <<- range $app := inputs.apps >>
    ---
    apiVersion: kustomize.toolkit.fluxcd.io/v1
    kind: Kustomization
    metadata:
      name: << $app >>
      namespace: flux-system
    spec:
      interval: 10m
      prune: true
      <<- if inputs.decryption >>
      decryption:
        provider: sops
        secretRef:
          name: << inputs.bundle >>-sops
      <<- end >>
      sourceRef:
        kind: OCIRepository
        name: << inputs.bundle >>
      path: ./<< $app >>
    <<- end >>
"""


def test_multi_doc_template_matches_flux_operator_golden(tmp_path: Path) -> None:
    """flux-operator internal/builder/testdata/resourceset/multi-doc-template.yaml and its golden: two
    OCIRepositories and four Kustomizations, decryption only for the `apps` bundle; each object points
    at the template line it came from and names the ResourceSet, which labels it as the controller does."""
    (tmp_path / "rs.yaml").write_text(MULTI_DOC)
    res = rset(MULTI_DOC)
    out = expand_resourceset(res, repo=Repo(tmp_path))
    assert out.diagnostics == []
    assert [(r.kind, r.name) for r in out.resources] == [
        ("OCIRepository", "addons"), ("Kustomization", "ingress-nginx"), ("Kustomization", "cert-manager"),
        ("OCIRepository", "apps"), ("Kustomization", "frontend"), ("Kustomization", "backend")]
    frontend = plain(out.resources[4])
    assert frontend["spec"] == {"interval": "10m", "prune": True, "path": "./frontend",
                                "decryption": {"provider": "sops", "secretRef": {"name": "apps-sops"}},
                                "sourceRef": {"kind": "OCIRepository", "name": "apps"}}
    assert "decryption" not in out.resources[1].obj["spec"]
    assert [r.line for r in out.resources] == [20, 32, 32, 20, 32, 32]
    assert MULTI_DOC.splitlines()[19] == "    apiVersion: source.toolkit.fluxcd.io/v1beta2"
    assert out.resources[0].generated_by.ident() == "flux-system/bundles"
    assert out.resources[0].metadata["labels"] == {OWNER_LABELS[0]: "bundles", OWNER_LABELS[1]: "flux-system"}


def test_resources_entries_match_slugify_golden() -> None:
    """flux-operator testdata/resourceset/slugify.yaml + golden: `spec.resources` entries are templated as
    the YAML yaml.JSONToYAML writes, once per input; `quote` keeps strings, `int` makes numbers; the
    objects come entry by entry."""
    out = expand_resourceset(rset("""
        apiVersion: fluxcd.controlplane.io/v1
        kind: ResourceSet
        metadata: {name: app1, namespace: apps}
        spec:
          inputs:
            - {tenant: team1, domain: t1.example.com, semver: ">=1.0.0-rc.0", replicas: "2"}
            - {tenant: team2, domain: t2.example.com, semver: ">=1.0.0", replicas: "3"}
          resources:
            - apiVersion: source.toolkit.fluxcd.io/v1beta2
              kind: OCIRepository
              metadata:
                name: << inputs.tenant >>-app1
                namespace: apps
                labels:
                  app.kubernetes.io/semver: << inputs.semver | slugify >>
              spec:
                interval: 10m
                url: oci://ghcr.io/org/charts/app1
                ref:
                  semver: << inputs.semver | quote >>
            - apiVersion: helm.toolkit.fluxcd.io/v2
              kind: HelmRelease
              metadata:
                name: << inputs.tenant >>-app1
                namespace: apps
                labels:
                  replicas: << inputs.replicas | quote >>
              spec:
                interval: 1h
                releaseName: << inputs.tenant >>-app1
                chartRef:
                  kind: OCIRepository
                  name: << inputs.tenant >>-app1
                values:
                  domain: << inputs.domain >>
                  replicas: << inputs.replicas | int >>
        """))
    assert out.diagnostics == []
    golden = [plain(r) for r in out.resources]
    assert [(o["kind"], o["metadata"]["name"]) for o in golden] == [
        ("OCIRepository", "team1-app1"), ("OCIRepository", "team2-app1"),
        ("HelmRelease", "team1-app1"), ("HelmRelease", "team2-app1")]
    assert golden[0]["metadata"]["labels"] == {"app.kubernetes.io/semver": "1-0-0-rc-0"}
    assert golden[0]["spec"]["ref"] == {"semver": ">=1.0.0-rc.0"}
    assert golden[2]["metadata"]["labels"] == {"replicas": "2"}
    assert golden[3]["spec"]["values"] == {"domain": "t2.example.com", "replicas": 3}


def test_dedup_exclusion_and_common_metadata() -> None:
    """docs/api/v1/resourceset.md "Resource deduplication", "Conditional resource exclusion", "Common
    metadata": a shared source is applied once, `reconcile: disabled` drops an object, commonMetadata
    overrides labels and annotations; `spec.resources` win over the template for the same object."""
    out = expand_resourceset(rset("""
        apiVersion: fluxcd.controlplane.io/v1
        kind: ResourceSet
        metadata: {name: podinfo, namespace: default}
        spec:
          commonMetadata:
            labels: {app.kubernetes.io/name: podinfo}
            annotations: {fluxcd.controlplane.io/prune: disabled}
          inputs: [{tenant: team1}, {tenant: team2}]
          resources:
            - apiVersion: source.toolkit.fluxcd.io/v1
              kind: OCIRepository
              metadata: {name: podinfo, namespace: default}
              spec: {url: oci://ghcr.io/stefanprodan/charts/podinfo}
            - apiVersion: v1
              kind: ServiceAccount
              metadata:
                name: flux
                namespace: << inputs.tenant >>
                annotations:
                  fluxcd.controlplane.io/reconcile: << if eq inputs.tenant "team1" >>enabled<< else >>disabled<< end >>
          resourcesTemplate: |
            apiVersion: source.toolkit.fluxcd.io/v1
            kind: OCIRepository
            metadata: {name: podinfo, namespace: default}
            spec: {url: oci://from-template}
        """))
    assert [(r.kind, r.namespace, r.name) for r in out.resources] == [
        ("OCIRepository", "default", "podinfo"), ("ServiceAccount", "team1", "flux")]
    assert out.resources[0].spec["url"] == "oci://ghcr.io/stefanprodan/charts/podinfo"
    assert out.resources[1].metadata["labels"]["app.kubernetes.io/name"] == "podinfo"
    assert out.resources[1].metadata["annotations"]["fluxcd.controlplane.io/prune"] == "disabled"


def test_no_inputs_render_once_and_missing_keys_fail() -> None:
    """builder BuildResourceSet: without inputs each template renders once with empty inputs, so reading
    an input fails the ResourceSet (missingkey=error) and nothing is generated: a warning."""
    ok = expand_resourceset(rset("""
        apiVersion: fluxcd.controlplane.io/v1
        kind: ResourceSet
        metadata: {name: static, namespace: ns}
        spec:
          resources:
            - {apiVersion: v1, kind: ConfigMap, metadata: {name: cm, namespace: ns}}
        """))
    assert [r.name for r in ok.resources] == ["cm"] and ok.diagnostics == []
    bad = expand_resourceset(rset("""
        apiVersion: fluxcd.controlplane.io/v1
        kind: ResourceSet
        metadata: {name: empty, namespace: ns}
        spec:
          inputs: []
          resourcesTemplate: |
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: << inputs.name >>}
        """))
    assert bad.resources == []
    [diag] = bad.diagnostics
    assert diag.severity == "warning" and 'map has no entry for key "name"' in diag.message


def _snakecase_resourceset(name: str) -> str:
    """A ResourceSet whose template calls ``snakecase``, a function slim-sprig lacks (line 10 of the file)."""
    return textwrap.dedent(f"""\
        apiVersion: fluxcd.controlplane.io/v1
        kind: ResourceSet
        metadata: {{name: {name}, namespace: ns}}
        spec:
          inputs: [{{name: a}}]
          resourcesTemplate: |
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: << inputs.name | snakecase >>
        """)


def test_template_errors_name_the_template_line(tmp_path: Path) -> None:
    """A function slim-sprig lacks is a parse error; flux-operator marks the ResourceSet BuildFailed. The
    warning points at the template line in the file; so does rendered YAML that does not parse."""
    text = _snakecase_resourceset("broken")
    (tmp_path / "rs.yaml").write_text(text)
    [diag] = expand_resourceset(rset(text), repo=Repo(tmp_path)).diagnostics
    assert (diag.file, diag.line, diag.severity) == ("rs.yaml", 10, "warning")
    assert 'function "snakecase" not defined' in diag.message
    bad_yaml = text.replace("<< inputs.name | snakecase >>", "<< inputs.name >>\n      - oops")
    (tmp_path / "rs.yaml").write_text(bad_yaml)
    [diag] = expand_resourceset(rset(bad_yaml), repo=Repo(tmp_path)).diagnostics
    assert diag.severity == "warning" and "not valid YAML" in diag.message and diag.line in (10, 11)


PROVIDERS = """\
apiVersion: fluxcd.controlplane.io/v1
kind: ResourceSetInputProvider
metadata: {name: static-b, namespace: apps, labels: {team: x}}
spec:
  type: Static
  defaultValues: {tenant: b}
---
apiVersion: fluxcd.controlplane.io/v1
kind: ResourceSetInputProvider
metadata: {name: static-a, namespace: apps, labels: {team: x}}
spec:
  type: Static
  defaultValues: {tenant: a}
---
apiVersion: fluxcd.controlplane.io/v1
kind: ResourceSetInputProvider
metadata: {name: prs, namespace: apps, labels: {team: x}}
spec:
  type: GitHubPullRequest
  url: https://github.com/example/app
"""


def providers() -> list[Resource]:
    return [Resource(d, "providers.yaml", 1) for d in yaml.safe_load_all(PROVIDERS)]


CONFIGMAP = """
  resourcesTemplate: |
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: cm-<< inputs.tenant >>, namespace: apps}
    data: {from: << inputs.provider.kind >>/<< inputs.provider.name >>}
"""


def test_inputs_from_static_providers_flatten_and_live_ones_skipped() -> None:
    """internal/inputs combine.go + provider.go: inline inputs first, then the selected providers sorted
    by name, each set tagged with its provider; a Static provider exports its defaultValues
    (docs/api/v1/resourcesetinputprovider.md); a GitHubPullRequest provider needs the live API: its
    inputs are skipped with the reason, a simulation limit, not a repo problem."""
    out = expand_resourceset(rset("""
        apiVersion: fluxcd.controlplane.io/v1
        kind: ResourceSet
        metadata: {name: tenants, namespace: apps}
        spec:
          inputs: [{tenant: inline}]
          inputsFrom:
            - kind: ResourceSetInputProvider
              selector: {matchLabels: {team: x}}
        """, CONFIGMAP), current=providers())
    assert [(r.name, r.obj["data"]["from"]) for r in out.resources] == [
        ("cm-inline", "ResourceSet/tenants"), ("cm-a", "ResourceSetInputProvider/static-a"),
        ("cm-b", "ResourceSetInputProvider/static-b")]
    [note] = out.diagnostics
    assert note.cls == "limit" and "apps/prs" in note.message and "GitHub pull requests" in note.message


@pytest.mark.parametrize("ptype, reads", [("ExternalArtifact", "reads the ExternalArtifacts in the cluster"),
                                           ("GitLabEnvironment", "reads GitLab environments at run time")])
def test_external_artifact_and_gitlab_environment_providers_are_limits_that_say_what_they_read(
        ptype: str, reads: str) -> None:
    """docs/guides/resourcesets/rset-monorepo.md and rset-gitlab-environments.md: a provider of type
    ExternalArtifact lists the cluster's ExternalArtifacts (what an ArtifactGenerator made of the monorepo), one of
    type GitLabEnvironment a GitLab project's environments: a limit that says so, not a warning."""
    external = Resource(yaml.safe_load("""
        apiVersion: fluxcd.controlplane.io/v1
        kind: ResourceSetInputProvider
        metadata: {name: platform-apps, namespace: apps}
        spec:
          type: %s
          selectors: [{matchLabels: {team: platform, env: dev}}]
        """ % ptype), "providers.yaml", 1)
    out = expand_resourceset(rset("""
        apiVersion: fluxcd.controlplane.io/v1
        kind: ResourceSet
        metadata: {name: platform-apps, namespace: apps}
        spec:
          inputsFrom: [{kind: ResourceSetInputProvider, name: platform-apps}]
        """, CONFIGMAP), current=[external])
    assert out.resources == []
    [note] = out.diagnostics
    assert note.cls == "limit" and reads in note.message


def test_permute_scopes_inputs_by_provider_and_ids_them() -> None:
    """internal/inputs/permuter.go and docs "Input strategy": the product of the sets, each under the
    normalised provider name, `id` the Adler-32 of `name=index/...` (combine_test.go: rset=0/rsip=0 ->
    563152006)."""
    assert normalize_provider_name("My-RSet.v2") == "my_rset_v2"
    assert zlib.adler32(b"rset=0/rsip=0") == 563152006
    out = expand_resourceset(rset("""
        apiVersion: fluxcd.controlplane.io/v1
        kind: ResourceSet
        metadata: {name: rset, namespace: apps}
        spec:
          inputStrategy: {name: Permute}
          inputs: [{env: dev}, {env: prod}]
          inputsFrom: [{kind: ResourceSetInputProvider, name: static-a}]
          resourcesTemplate: |
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: << inputs.rset.env >>-<< inputs.static_a.tenant >>, namespace: apps}
            data: {id: "<< inputs.id >>"}
        """), current=providers())
    assert [(r.name, r.obj["data"]["id"]) for r in out.resources] == [
        ("dev-a", str(zlib.adler32(b"rset=0/static_a=0"))), ("prod-a", str(zlib.adler32(b"rset=1/static_a=0")))]
    live = expand_resourceset(rset("""
        apiVersion: fluxcd.controlplane.io/v1
        kind: ResourceSet
        metadata: {name: rset, namespace: apps}
        spec:
          inputStrategy: {name: Permute}
          inputsFrom: [{kind: ResourceSetInputProvider, name: prs}]
        """, CONFIGMAP), current=providers())
    assert live.resources == [] and {d.cls for d in live.diagnostics} == {"limit"}


def test_permute_keys_a_dotted_provider_name_with_underscores() -> None:
    """keys.go NormalizeKeyForTemplate (docs "Input strategy"): punctuation, `.` included, becomes `_`, so a
    provider named `oci.tag` is read as `inputs.oci_tag` (it was dropped, `inputs.ocitag`: a false warning)."""
    static = Resource(yaml.safe_load("""
        apiVersion: fluxcd.controlplane.io/v1
        kind: ResourceSetInputProvider
        metadata: {name: oci.tag, namespace: apps}
        spec: {type: Static, defaultValues: {digest: "sha256:d4ec"}}
        """), "providers.yaml", 1)
    out = expand_resourceset(rset("""
        apiVersion: fluxcd.controlplane.io/v1
        kind: ResourceSet
        metadata: {name: my.rset, namespace: apps}
        spec:
          inputStrategy: {name: Permute}
          inputs: [{someField: foo}]
          inputsFrom: [{kind: ResourceSetInputProvider, name: oci.tag}]
          resources:
            - apiVersion: v1
              kind: ConfigMap
              metadata: {name: my-cm, namespace: apps}
              data:
                digest: << inputs.oci_tag.digest | quote >>
                someField: << inputs.my_rset.someField | quote >>
                id: << inputs.id | quote >>
        """), current=[static])
    assert [d.message for d in out.diagnostics if d.cls == "repo"] == []
    [cm] = out.resources
    assert cm.obj["data"] == {"digest": "sha256:d4ec", "someField": "foo",
                              "id": str(zlib.adler32(b"my_rset=0/oci_tag=0"))}


def test_provider_errors_and_empty_providers() -> None:
    """resourceset_controller.go getInputs: a provider named but absent fails the ResourceSet (warning);
    a selector that matches nothing reconciles an empty set (no objects, no warning)."""
    missing = expand_resourceset(rset("""
        apiVersion: fluxcd.controlplane.io/v1
        kind: ResourceSet
        metadata: {name: r, namespace: apps}
        spec:
          inputsFrom: [{kind: ResourceSetInputProvider, name: nope}]
        """, CONFIGMAP), current=providers())
    assert missing.resources == [] and missing.diagnostics[0].cls == "repo"
    assert "failed to get provider apps/nope" in missing.diagnostics[0].message
    empty = expand_resourceset(rset("""
        apiVersion: fluxcd.controlplane.io/v1
        kind: ResourceSet
        metadata: {name: r, namespace: apps}
        spec:
          inputsFrom: [{kind: ResourceSetInputProvider, selector: {matchLabels: {team: none}}}]
        """, CONFIGMAP), current=providers())
    assert empty.resources == [] and all(d.severity == "info" for d in empty.diagnostics)


def test_steps_disabled_and_encrypted() -> None:
    """builder BuildResourceSetSteps: steps build one by one and may not define the same object twice;
    a ResourceSet with `reconcile: disabled` generates nothing (a notice); nor does a SOPS-encrypted one,
    whose values only the cluster can decrypt."""
    steps = expand_resourceset(rset("""
        apiVersion: fluxcd.controlplane.io/v1
        kind: ResourceSet
        metadata: {name: r, namespace: ns}
        spec:
          steps:
            - name: one
              resources: [{apiVersion: v1, kind: ConfigMap, metadata: {name: a, namespace: ns}}]
            - name: two
              resources: [{apiVersion: v1, kind: ConfigMap, metadata: {name: a, namespace: ns}}]
        """))
    assert steps.resources == [] and "duplicate resource ConfigMap/ns/a in step 'two'" in steps.diagnostics[0].message
    off = expand_resourceset(rset("""
        apiVersion: fluxcd.controlplane.io/v1
        kind: ResourceSet
        metadata: {name: r, namespace: ns, annotations: {fluxcd.controlplane.io/reconcile: disabled}}
        spec:
          resources: [{apiVersion: v1, kind: ConfigMap, metadata: {name: a, namespace: ns}}]
        """))
    assert off.resources == [] and off.diagnostics[0].severity == "info"
    sops = rset("""
        apiVersion: fluxcd.controlplane.io/v1
        kind: ResourceSet
        metadata: {name: r, namespace: ns}
        spec:
          inputs: [{token: "ENC[AES256_GCM,data:abc]"}]
          resources: [{apiVersion: v1, kind: ConfigMap, metadata: {name: a, namespace: ns}}]
        sops: {version: 3.8.1}
        """)
    sops.encrypted = True
    encrypted = expand_resourceset(sops)
    assert encrypted.resources == [] and "SOPS-encrypted" in encrypted.diagnostics[0].message


def test_bounds_are_limits_not_warnings() -> None:
    """flux-wiki's own bounds (input sets, objects, template budget) stop the expansion with a simulation limit;
    only upstream's cap (10000 permutations) is a warning, because flux-operator fails there too."""
    many = {"apiVersion": "fluxcd.controlplane.io/v1", "kind": "ResourceSet", "metadata": {"name": "big", "namespace": "ns"},
            "spec": {"inputs": [{"i": i} for i in range(10_001)],
                     "resources": [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm-<< inputs.i >>"}}]}}
    [note] = expand_resourceset(Resource(many, "rs.yaml", 1)).diagnostics
    assert note.cls == "limit" and "10001 input sets" in note.message
    many["spec"]["inputs"] = many["spec"]["inputs"][:6000]
    [note] = expand_resourceset(Resource(many, "rs.yaml", 1)).diagnostics
    assert note.cls == "limit" and "more than 5000 objects" in note.message
    loop = rset("""
        apiVersion: fluxcd.controlplane.io/v1
        kind: ResourceSet
        metadata: {name: loop, namespace: ns}
        spec:
          inputs: [{n: 1}]
          resourcesTemplate: |
            << range until 100000 >><< range until 100000 >><< end >><< end >>
        """)
    [note] = expand_resourceset(loop).diagnostics
    assert note.cls == "limit" and "not expanded" in note.message
    for template in ("<< " + "(" * 3000 + "1" + ")" * 3000 + " >>", "a: " + "[" * 3000 + "]" * 3000):
        deep = rset("""
            apiVersion: fluxcd.controlplane.io/v1
            kind: ResourceSet
            metadata: {name: deep, namespace: ns}
            spec:
              resourcesTemplate: ""
            """)
        deep.obj["spec"]["resourcesTemplate"] = template
        [note] = expand_resourceset(deep).diagnostics
        assert note.cls == "limit", note
    permute = {"apiVersion": "fluxcd.controlplane.io/v1", "kind": "ResourceSet", "metadata": {"name": "p", "namespace": "ns"},
               "spec": {"inputStrategy": {"name": "Permute"}, "inputs": [{"i": i} for i in range(10_001)],
                        "resources": [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}]}}
    [diag] = expand_resourceset(Resource(permute, "rs.yaml", 1)).diagnostics
    assert diag.cls == "repo" and "maximum allowed permutations" in diag.message


def test_a_file_built_into_many_kustomizations_is_composed_once_for_its_lines(tmp_path: Path) -> None:
    """The template lines come from the file's node tree, composed once per text however many Kustomizations
    (each with its own locator) apply the file; an edited file is composed anew."""
    from flux_wiki.flux import resourceset

    text = _snakecase_resourceset("once")
    (tmp_path / "rs.yaml").write_text(text)
    resourceset._documents.cache_clear()
    lines = [expand_resourceset(rset(text), repo=Repo(tmp_path)).diagnostics[0].line for _ in range(3)]
    assert lines == [10, 10, 10]
    assert resourceset._documents.cache_info().misses == 1
    (tmp_path / "rs.yaml").write_text("# moved\n" + text)
    [diag] = expand_resourceset(rset(text, line=2), repo=Repo(tmp_path)).diagnostics
    assert diag.line == 11 and resourceset._documents.cache_info().misses == 2


def test_template_lines_come_from_a_composer_that_agrees_with_pyyaml_s_own() -> None:
    """The locator composes with libyaml; its node lines, columns and styles are the pure-Python composer's
    on every YAML file of the tests (and, with the corpora present, on theirs)."""
    from ..support import CORPORA, ROOT

    def flat(node: yaml.Node, out: list) -> list:
        out.append((type(node).__name__, node.start_mark.line, node.start_mark.column,
                    node.style or None if isinstance(node, yaml.ScalarNode) else None))
        for child in ([n for pair in node.value for n in pair] if isinstance(node, yaml.MappingNode)
                      else node.value if isinstance(node, yaml.SequenceNode) else []):
            flat(child, out)
        return out

    def composed(text: str, loader: type) -> object:
        try:
            return [flat(n, []) for n in yaml.compose_all(text, Loader=loader) if n is not None]
        except (yaml.YAMLError, RecursionError):
            return "error"

    roots = [ROOT / "tests", ROOT / "data"] + ([CORPORA] if CORPORA.is_dir() else [])
    checked = 0
    for root in roots:
        for path in sorted(root.rglob("*.y*ml")):
            if path.is_symlink() or not path.is_file():
                continue
            text = path.read_bytes().decode("utf-8-sig", errors="replace")
            if "ResourceSet" not in text and root != ROOT / "tests":
                continue
            assert composed(text, yaml.CSafeLoader) == composed(text, yaml.SafeLoader), path
            checked += 1
    assert checked > 50
