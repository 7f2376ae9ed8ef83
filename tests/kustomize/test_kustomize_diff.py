"""Differential tests: each fixture built natively and by `kubectl kustomize` must agree."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from flux_wiki.flux.kustomize import FluxOverrides, build_flux_path, build_kustomize_dir
from flux_wiki.load import Repo
from flux_wiki.model import InputError
from .kustomize_kubectl import KUBECTL, ident, kubectl_build

FIXTURES = Path(__file__).resolve().parent / "fixtures"
needs_kubectl = pytest.mark.skipif(KUBECTL is None, reason="kubectl not installed")

# (fixture, folder, compare whole objects and their order)
CASES = [
    ("generators", "app", True),
    ("generator-merge", "overlay", True),
    ("images", "app", True),
    ("patches", "app", True),
    ("labels", "app", True),
    ("namespace", "app", True),
    ("components", "app", True),
    ("replacements", "app", True),
    ("configurations", "app", True),
    ("fieldspecs", "app", True),
    ("plugins", "app", True),
    ("replacement-fields", "app", True),
    ("output-edges", "app", True),
    ("build-metadata", "top", True),
    ("misc", "app", False),  # holds a SOPS file: its payload is redacted natively
]


def _normal(objs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Objects as YAML would give them back (ints, strings) for a fair comparison."""
    return list(yaml.safe_load_all(yaml.safe_dump_all(objs)))


@needs_kubectl
@pytest.mark.kubectl
@pytest.mark.parametrize(("fixture", "folder", "full"), CASES, ids=[c[0] for c in CASES])
def test_fixture_matches_kubectl(fixture: str, folder: str, full: bool) -> None:
    root = FIXTURES / fixture
    native = build_kustomize_dir(Repo(root), folder)
    expected, err = kubectl_build(str(root / folder))
    assert expected is not None, err
    got = [r.obj for r in native.resources]
    assert [ident(o) for o in got] == [ident(o) for o in expected]
    if full:
        assert _normal(got) == _normal(expected)


_DEPLOYMENT = ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: env}\ndata: {x: '1'}\n---\n"
               "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n"
               "spec:\n  template:\n    spec:\n      containers: [{name: web, image: nginx}]\n")


@needs_kubectl
@pytest.mark.kubectl
@pytest.mark.parametrize(("field_path", "create"), [
    ("spec.replicas", False),
    ("spec.template.spec.containers.[name=other].image", False),
    ("spec.template.spec.containers.5.image", True),
    ("spec.template.spec.containers.[name=web].image.tag", True),
])
def test_replacement_target_field_it_cannot_reach_fails_like_kubectl(tmp_path: Path, field_path: str,
                                                                     create: bool) -> None:
    """kustomize v5 fails a replacement whose target field is missing (or cannot be created) on a selected
    object rather than skip it (api/filters/replacement/replacement.go, copyValueToTarget)."""
    target: dict[str, Any] = {"select": {"kind": "Deployment"}, "fieldPaths": [field_path]}
    if create:
        target["options"] = {"create": True}
    (tmp_path / "objects.yaml").write_text(_DEPLOYMENT)
    (tmp_path / "kustomization.yaml").write_text(yaml.safe_dump({"resources": ["objects.yaml"], "replacements": [
        {"source": {"kind": "ConfigMap", "name": "env", "fieldPath": "data.x"}, "targets": [target]}]}))
    expected, err = kubectl_build(str(tmp_path))
    assert expected is None, "kubectl built it"
    with pytest.raises(InputError, match="unable to find") as raised:
        build_kustomize_dir(Repo(tmp_path), ".")
    assert (raised.value.file, raised.value.line) == ("kustomization.yaml", 1)  # replacements: (keys sorted)


@needs_kubectl
@pytest.mark.kubectl
@pytest.mark.parametrize("options", [{"allowNameChange": True}, {"allowKindChange": True}, {}])
def test_a_patch_changes_name_or_kind_only_where_its_options_allow_it(tmp_path: Path, options: dict) -> None:
    """kustomize's PatchTransformer gives a strategic-merge patch's objects back their own name and kind unless the
    entry's options allow the change; a renamed object's references follow it."""
    patch = "apiVersion: v1\nkind: Secret\nmetadata: {name: renamed}\ndata: {y: '2'}\n"
    entry: dict[str, Any] = {"patch": patch, "target": {"kind": "ConfigMap", "name": "env"}}
    if options:
        entry["options"] = options
    (tmp_path / "objects.yaml").write_text(_DEPLOYMENT.replace("containers: [{name: web, image: nginx}]",
                                                               "containers: [{name: web, image: nginx, envFrom: "
                                                               "[{configMapRef: {name: env}}]}]"))
    (tmp_path / "kustomization.yaml").write_text(yaml.safe_dump({"resources": ["objects.yaml"], "patches": [entry]}))
    expected, err = kubectl_build(str(tmp_path))
    assert expected is not None, err
    assert _normal([r.obj for r in build_kustomize_dir(Repo(tmp_path), ".").resources]) == _normal(expected)


@needs_kubectl
@pytest.mark.kubectl
def test_env_files_are_read_as_kustomize_reads_them(tmp_path: Path) -> None:
    """kv.KeyValuesFromLine: leading whitespace dropped, the key is all before the first '=' (spaces kept), the
    value all after it (trailing spaces kept), and a line without '=' is a key whose value the (empty) environment
    gives."""
    (tmp_path / "app.env").write_text("# comment\n\nA=1\n  B = spaced \r\nC=with=equals\nD\n")
    (tmp_path / "kustomization.yaml").write_text(yaml.safe_dump({"configMapGenerator": [
        {"name": "env", "envs": ["app.env"]}]}))
    expected, err = kubectl_build(str(tmp_path))
    assert expected is not None, err
    assert _normal([r.obj for r in build_kustomize_dir(Repo(tmp_path), ".").resources]) == _normal(expected)


_PORT_CASES = [  # (the Service's ports, the patch's ports)
    ("{port: 53, name: dns, protocol: TCP}, {port: 53, name: dnsu, protocol: UDP}", "{port: 53, protocol: UDP, nodePort: 30053}"),
    ("{port: 80, name: http, protocol: TCP}, {port: 80, name: dns, protocol: UDP}", "{port: 80, targetPort: 9}"),
    ("{port: 80, name: http, targetPort: 8080}", "{port: 80, name: web, protocol: TCP}"),
    ("{port: 80, name: a, protocol: TCP}, {port: 81, name: b}, {port: 82, name: c, protocol: TCP}",
     "{port: 82, protocol: TCP, name: c2}, {port: 81, name: b2}, {port: 83, name: d}"),
    ("{port: 80, name: http}, {port: 81, name: b}", "{port: 82, name: c}, {port: 81, name: b2}"),
]


@needs_kubectl
@pytest.mark.kubectl
@pytest.mark.parametrize(("ports", "patched"), _PORT_CASES)
def test_ports_merge_by_port_and_protocol_like_kubectl(tmp_path: Path, ports: str, patched: str) -> None:
    """Ports merge on the port and the protocol (kyaml's list-map keys): an entry of the other protocol is another
    entry (a DNS Service keeps both), and a patch entry whose protocol is named where the object's is not (or the
    other way round) changes nothing."""
    (tmp_path / "svc.yaml").write_text(f"apiVersion: v1\nkind: Service\nmetadata: {{name: s}}\nspec:\n  ports: [{ports}]\n")
    (tmp_path / "kustomization.yaml").write_text(
        "resources: [svc.yaml]\npatches:\n- patch: |-\n    apiVersion: v1\n    kind: Service\n    metadata: {name: s}\n"
        f"    spec:\n      ports: [{patched}]\n")
    expected, err = kubectl_build(str(tmp_path))
    assert expected is not None, err
    assert _normal([r.obj for r in build_kustomize_dir(Repo(tmp_path), ".").resources]) == _normal(expected)


def _write_flux_kustomization(root: Path, path: str, ov: FluxOverrides) -> None:
    """What kustomize-controller writes into a KS path without a kustomization file."""
    base = root / path
    resources: list[str] = []

    def walk(cur: Path) -> None:
        for entry in sorted(cur.iterdir(), key=lambda p: p.name):
            if entry.is_dir():
                if any((entry / n).is_file() for n in ("kustomization.yaml", "kustomization.yml", "Kustomization")):
                    resources.append("./" + entry.relative_to(base).as_posix())
                else:
                    walk(entry)
            elif entry.suffix in (".yaml", ".yml"):
                resources.append("./" + entry.relative_to(base).as_posix())

    walk(base)
    kus: dict[str, Any] = {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
                           "resources": resources}
    if ov.target_namespace:
        kus["namespace"] = ov.target_namespace
    if ov.name_prefix:
        kus["namePrefix"] = ov.name_prefix
    if ov.patches:
        kus["patches"] = ov.patches
    if ov.components:
        kus["components"] = ov.components
    if ov.images:
        kus["images"] = ov.images
    (base / "kustomization.yaml").write_text(yaml.safe_dump(kus))


FLUX_OVERRIDES = FluxOverrides(
    target_namespace="flux-ns",
    name_prefix="f-",
    components=["../comp"],
    images=[{"name": "app", "newTag": "2"}],
    patches=[{"target": {"kind": "ConfigMap", "name": "settings"},
              "patch": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  patched: 'yes'\n"}],
    common_metadata={"labels": {"owner": "flux"}},
)


@needs_kubectl
@pytest.mark.kubectl
def test_flux_generated_kustomization_matches_kubectl(tmp_path: Path) -> None:
    src = FIXTURES / "flux-generated"
    native = build_flux_path(Repo(src), "./apps/ks", FLUX_OVERRIDES)
    copy = tmp_path / "repo"
    shutil.copytree(src, copy)
    _write_flux_kustomization(copy, "apps/ks", FLUX_OVERRIDES)
    expected, err = kubectl_build(str(copy / "apps/ks"))
    assert expected is not None, err
    for obj in expected:  # commonMetadata: kustomize-controller sets it after the build
        obj["metadata"].setdefault("labels", {})["owner"] = "flux"
    assert _normal([r.obj for r in native.resources]) == _normal(expected)
    assert "apps/ks/notes.txt" not in native.files
    assert "apps/ks/built/ignored-by-kustomize.yaml" not in native.files


def test_flux_generated_reads_expected_files() -> None:
    result = build_flux_path(Repo(FIXTURES / "flux-generated"), "apps/ks")
    assert result.files == ["apps/ks/app.yaml", "apps/ks/built/cm.yaml", "apps/ks/built/kustomization.yaml",
                            "apps/ks/sub/more.yml"]
    assert {(r.kind, r.namespace, r.name) for r in result.resources} == {
        ("Deployment", "", "app"), ("ConfigMap", "", "settings"), ("Service", "", "app"),
        ("ConfigMap", "inner", "built")}


def test_provenance_points_at_documents_and_generator_entries() -> None:
    result = build_kustomize_dir(Repo(FIXTURES / "generators"), "app")
    where = {(r.kind, r.name.rsplit("-", 1)[0] if r.kind != "Deployment" else r.name): (r.file, r.line)
             for r in result.resources}
    assert where[("Deployment", "p-web")] == ("app/deploy.yaml", 1)
    assert where[("ConfigMap", "p-settings")] == ("app/kustomization.yaml", 5)
    assert where[("Secret", "p-creds")] == ("app/kustomization.yaml", 16)


def test_sops_documents_are_kept_but_redacted() -> None:
    result = build_kustomize_dir(Repo(FIXTURES / "misc"), "app")
    enc = [r for r in result.resources if r.encrypted]
    assert [r.name for r in enc] == ["enc"]
    assert "sops" not in enc[0].obj
    assert "ENC[" not in yaml.safe_dump(enc[0].obj)


def test_flux_overrides_merge_into_existing_kustomization() -> None:
    """spec.targetNamespace replaces the folder's own namespace; images with the same name are replaced."""
    result = build_flux_path(Repo(FIXTURES / "images"), "app",
                             FluxOverrides(target_namespace="x", images=[{"name": "nginx", "newTag": "9"}]))
    images = [c["image"] for r in result.resources
              for c in (r.obj["spec"].get("template") or r.obj["spec"]["jobTemplate"]["spec"]["template"])
              ["spec"]["containers"]]
    assert "nginx:9" in images and "nginx:1.27" not in images
    assert {r.namespace for r in result.resources} == {"x"}


def test_build_metadata_managed_by_label_fails_flux_and_transformer_annotations_are_a_limit(tmp_path: Path) -> None:
    """kustomize-controller writes app.kubernetes.io/managed-by: kustomize-(devel), which the API server refuses
    (fluxcd/kustomize-controller#960, #1008): a repo problem at the buildMetadata line."""
    built = build_kustomize_dir(Repo(FIXTURES / "build-metadata"), "top")
    assert [(d.file, d.line, d.cls, d.code) for d in built.diagnostics] == [
        ("top/kustomization.yaml", 2, "repo", "FW-KUSTOMIZE-MANAGED-BY")]
    (tmp_path / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
    (tmp_path / "kustomization.yaml").write_text("resources: [cm.yaml]\nbuildMetadata: [transformerAnnotations]\n")
    assert [(d.line, d.cls, d.code) for d in build_kustomize_dir(Repo(tmp_path), ".").diagnostics] == [
        (2, "limit", "FW-KUSTOMIZE-UNSUPPORTED")]


def test_remote_resources_are_recorded_not_fetched(tmp_path: Path) -> None:
    (tmp_path / "kustomization.yaml").write_text(
        "resources:\n  - github.com/fluxcd/flux2/manifests/install?ref=v2.0.0\n"
        "  - https://example.com/x.yaml\n")
    result = build_kustomize_dir(Repo(tmp_path), ".")
    assert result.remote == ["github.com/fluxcd/flux2/manifests/install?ref=v2.0.0", "https://example.com/x.yaml"]
    assert [(d.line, d.cls, d.code) for d in result.limits] == [(2, "limit", "FW-KUSTOMIZE-REMOTE"),
                                                               (3, "limit", "FW-KUSTOMIZE-REMOTE")]
    assert result.resources == []


def test_fixture_tree_is_self_contained() -> None:
    for dirpath, _, files in os.walk(FIXTURES):
        for f in files:
            assert not Path(dirpath, f).is_symlink()
