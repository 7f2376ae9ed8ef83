"""Bad input gives an InputError naming file and line; hash and patch units."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flux_wiki.flux.kustomize import build_flux_path, build_kustomize_dir
from flux_wiki.flux.kustomize.generate import name_hash
from flux_wiki.flux.kustomize.patch import apply_json6902, merge_strategic
from flux_wiki.load import Repo
from flux_wiki.model import InputError


def _repo(tmp_path: Path, files: dict[str, str]) -> Repo:
    for name, text in files.items():
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return Repo(tmp_path)


def test_missing_resource_names_kustomization_file_and_line(tmp_path: Path) -> None:
    repo = _repo(tmp_path, {"app/kustomization.yaml": "---\nresources:\n  - ok.yaml\n  - missing.yaml\n",
                            "app/ok.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n"})
    with pytest.raises(InputError) as err:
        build_kustomize_dir(repo, "app")
    assert (err.value.file, err.value.line) == ("app/kustomization.yaml", 4)
    assert "missing.yaml" in err.value.message


def test_resource_outside_repo_is_refused(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "repo", {"app/kustomization.yaml": "resources:\n  - ../../outside.yaml\n"})
    (tmp_path / "outside.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
    with pytest.raises(InputError) as err:
        build_kustomize_dir(repo, "app")
    assert (err.value.file, err.value.line) == ("app/kustomization.yaml", 2)
    assert "outside the repository" in err.value.message


def test_flux_path_is_joined_inside_the_artifact(tmp_path: Path) -> None:
    """kustomize-controller joins spec.path with securejoin: `..` stops at the artifact root, never leaves it."""
    repo = _repo(tmp_path, {"apps/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\n"})
    assert [r.name for r in build_flux_path(repo, "../../apps").resources] == ["cm"]
    with pytest.raises(InputError, match="not found"):
        build_flux_path(repo, "../elsewhere")


def test_flux_path_that_does_not_exist(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        build_flux_path(_repo(tmp_path, {"a.yaml": ""}), "./clusters/gone")


def test_flux_path_that_is_a_file_is_no_folder_rather_than_missing(tmp_path: Path) -> None:
    """Notliam99/nzdev-cluster's ``path: ./apps/production/kustomization.yaml``: the file exists, so it is not
    "not found"; kustomize-controller fails to write its kustomization.yaml into a file (fluxcd/pkg kustomize
    generator: ``not a directory``)."""
    repo = _repo(tmp_path, {"apps/kustomization.yaml": "resources: []\n"})
    with pytest.raises(InputError) as err:
        build_flux_path(repo, "./apps/kustomization.yaml")
    assert err.value.code == "FW-KS-PATH-MISSING"
    assert "not found" not in err.value.message
    assert "is a file, not a folder" in err.value.message


def test_non_kubernetes_yaml_fails_a_generated_kustomization(tmp_path: Path) -> None:
    repo = _repo(tmp_path, {"apps/x/ok.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n",
                            "apps/x/values.yaml": "replicaCount: 2\nimage: nginx\n"})
    with pytest.raises(InputError) as err:
        build_flux_path(repo, "apps/x")
    assert (err.value.file, err.value.line) == ("apps/x/values.yaml", 1)


def test_files_loaded_from_outside_the_folder_but_inside_the_repo(tmp_path: Path) -> None:
    """Flux builds with load restrictions off."""
    repo = _repo(tmp_path, {"apps/x/kustomization.yaml": "resources: [../../shared/cm.yaml]\n",
                            "shared/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: shared}\n"})
    assert [r.name for r in build_flux_path(repo, "apps/x").resources] == ["shared"]


def test_duplicate_ids_fail_like_kustomize(tmp_path: Path) -> None:
    cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: same}\n"
    repo = _repo(tmp_path, {"kustomization.yaml": "resources: [a.yaml, b.yaml]\n", "a.yaml": cm, "b.yaml": cm})
    with pytest.raises(InputError, match="already registered id") as err:
        build_kustomize_dir(repo, ".")
    assert err.value.file == "b.yaml"


def test_patch_without_a_match_fails(tmp_path: Path) -> None:
    repo = _repo(tmp_path, {
        "kustomization.yaml": "resources: [a.yaml]\npatches:\n  - path: p.yaml\n",
        "a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
        "p.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\ndata: {x: y}\n"})
    with pytest.raises(InputError, match="no resource matches ConfigMap b") as err:
        build_kustomize_dir(repo, ".")
    assert err.value.file == "p.yaml"


def test_patch_without_target_must_name_the_objects_version(tmp_path: Path) -> None:
    """kustomize looks a target-less strategic-merge patch up by its whole id (ResId.Equals: group, version, kind,
    name): a patch still written for HelmRelease v2beta1 fails the build of a HelmRelease v2 ("no matches for Id");
    with a target it applies."""
    release = "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: web}\nspec: {interval: 1m}\n"
    patch = "apiVersion: helm.toolkit.fluxcd.io/v2beta1\nkind: HelmRelease\nmetadata: {name: web}\nspec: {interval: 2m}\n"
    repo = _repo(tmp_path, {"app/kustomization.yaml": "resources: [hr.yaml]\npatches:\n  - path: patch.yaml\n",
                            "app/hr.yaml": release, "app/patch.yaml": patch,
                            "targeted/kustomization.yaml": "resources: [../app/hr.yaml]\npatches:\n  - path: "
                                                           "../app/patch.yaml\n    target: {kind: HelmRelease}\n"})
    with pytest.raises(InputError) as err:
        build_kustomize_dir(repo, "app")
    assert (err.value.file, err.value.line) == ("app/patch.yaml", 1)
    assert "the HelmRelease web of the build is helm.toolkit.fluxcd.io/v2" in err.value.message
    [built] = build_kustomize_dir(repo, "targeted").resources
    assert (built.obj["apiVersion"], built.obj["spec"]["interval"]) == ("helm.toolkit.fluxcd.io/v2", "2m")


def test_component_used_as_resource_fails(tmp_path: Path) -> None:
    repo = _repo(tmp_path, {"kustomization.yaml": "resources: [comp]\n",
                            "comp/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"})
    with pytest.raises(InputError, match="expected kind 'Kustomization'"):
        build_kustomize_dir(repo, ".")


def test_fields_not_simulated_are_limits_not_fatal(tmp_path: Path) -> None:
    repo = _repo(tmp_path, {"kustomization.yaml": "resources: []\nvars:\n  - name: X\nopenapi:\n  path: s.json\n"})
    result = build_kustomize_dir(repo, ".")
    assert [(d.file, d.line, d.cls, d.severity) for d in result.diagnostics] == [
        ("kustomization.yaml", 4, "limit", "warning"), ("kustomization.yaml", 2, "limit", "warning")]
    assert result.limits == result.diagnostics


def test_name_hash_matches_kustomize() -> None:
    """Values checked against kubectl kustomize v5.5 (configMapGenerator a=b,c=d; secretGenerator x=y)."""
    assert name_hash({"kind": "ConfigMap", "metadata": {"name": "cm"}, "data": {"a": "b", "c": "d"}}) == "fh478f99mk"
    assert name_hash({"kind": "Secret", "type": "Opaque", "metadata": {"name": "s"},
                      "data": {"x": "eQ=="}}) == "t86b282gdf"


_json = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=5)),
                     lambda inner: st.dictionaries(st.text("abc", min_size=1, max_size=3), inner, max_size=4),
                     max_leaves=12)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.text("abcxyz", min_size=1, max_size=3), _json, max_size=5),
       st.dictionaries(st.text("abcxyz", min_size=1, max_size=3), _json.filter(lambda v: v is not None), max_size=5))
def test_strategic_merge_is_idempotent_and_keeps_patch_values(target: dict, patch: dict) -> None:
    once = merge_strategic(dict(target), patch, known=False)
    twice = merge_strategic(merge_strategic(dict(target), patch, known=False), patch, known=False)
    assert once == twice
    for key, value in patch.items():
        if not isinstance(value, dict):
            assert once[key] == value


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.text("abc", min_size=1, max_size=3), st.integers(), min_size=1, max_size=5), st.integers())
def test_json6902_add_then_remove_restores(obj: dict, value: int) -> None:
    doc = {"spec": dict(obj)}
    apply_json6902(doc, [{"op": "add", "path": "/spec/new~1key", "value": value}])
    assert doc["spec"]["new/key"] == value
    apply_json6902(doc, [{"op": "remove", "path": "/spec/new~1key"}])
    assert doc == {"spec": obj}


@pytest.mark.parametrize("first_ns", ["y", "x"])
def test_namespace_that_makes_two_ids_one_fails_like_kustomize(tmp_path: Path, first_ns: str) -> None:
    """kustomize's NamespaceTransformer checks each object's new id against all objects as they are then,
    the later ones not yet moved; two ConfigMaps of one name in other namespaces collide in `x`."""
    cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}, namespace: {ns}}}\n"
    objects = "---\n".join([cm.format(name="same", ns=first_ns), cm.format(name="other", ns="z"),
                            cm.format(name="same", ns="z")])
    repo = _repo(tmp_path, {"kustomization.yaml": "namespace: x\nresources: [a.yaml]\n", "a.yaml": objects})
    with pytest.raises(InputError, match="namespace transformation produces ID conflict: ConfigMap same"):
        build_kustomize_dir(repo, ".")
    moved = _repo(tmp_path / "ok", {"kustomization.yaml": "namespace: x\nresources: [a.yaml]\n",
                                    "a.yaml": objects.replace("{name: same, namespace: z}", "{name: third}")})
    assert [(r.namespace, r.name) for r in build_kustomize_dir(moved, ".").resources] == [
        ("x", "other"), ("x", "same"), ("x", "third")]
    from .kustomize_kubectl import KUBECTL, kubectl_build
    if KUBECTL:
        assert "namespace transformation produces ID conflict" in kubectl_build(str(tmp_path))[1]


_KS = "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: app, namespace: flux-system}\n" \
      "spec: {path: ./app}\n"


@pytest.mark.parametrize(("patch", "missing"), [
    ("apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nspec:\n  components: [../c]\n", "metadata.name"),
    ("metadata: {name: not-used}\nspec:\n  components: [../c]\n", "kind"),
    ("kind: Kustomization\nmetadata: {name: ''}\nspec:\n  components: [../c]\n", "metadata.name"),
])
def test_strategic_merge_patch_without_kind_or_name_fails_like_kustomize(tmp_path: Path, patch: str,
                                                                         missing: str) -> None:
    """A targeted strategic-merge patch is still read as a resource: kustomize (and so kustomize-controller)
    refuses one without a kind or a metadata.name ("unable to parse SM or JSON patch"); buroa/k8s-gitops's
    components/common/helmrelease had such a patch on every Flux Kustomization."""
    body = "".join(f"      {line}\n" for line in patch.splitlines())
    repo = _repo(tmp_path, {"kustomization.yaml": "resources: [ks.yaml]\npatches:\n  - target:\n"
                                                  "      kind: Kustomization\n    patch: |\n" + body,
                            "ks.yaml": _KS})
    with pytest.raises(InputError, match=f"unable to parse SM or JSON patch: .* needs {missing}") as err:
        build_kustomize_dir(repo, ".")
    assert (err.value.file, err.value.line) == ("kustomization.yaml", 2)
    named = _repo(tmp_path / "named", {"kustomization.yaml": "resources: [ks.yaml]\npatches:\n  - target:\n"
                                                             "      kind: Kustomization\n    patch: |\n"
                                                             "      kind: Kustomization\n      metadata: {name: x}\n"
                                                             "      spec: {components: [../c]}\n",
                                       "ks.yaml": _KS})
    assert build_kustomize_dir(named, ".").resources[0].obj["spec"]["components"] == ["../c"]
    from .kustomize_kubectl import KUBECTL, kubectl_build
    if KUBECTL:
        assert kubectl_build(str(tmp_path))[0] is None
        assert kubectl_build(str(tmp_path / "named"))[0] is not None


_CM = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"


def test_kustomization_fields_match_case_insensitively_like_go(tmp_path: Path) -> None:
    """kustomize decodes a kustomization file with encoding/json, which matches a key to a field case-
    insensitively, keys in sorted order, the later winning: bo0tzz/clusterfuck's `configMapgenerator:` makes
    the ConfigMap its flux-instance HelmRelease reads its values from, brenix/home-ops's
    `disableNameSuffixhash: true` keeps a generated ConfigMap's name without the hash."""
    repo = _repo(tmp_path, {"kustomization.yaml": "RESOURCES: [cm.yaml]\nresources: [cm2.yaml]\nnamePrefix: a-\n"
                                                  "NAMEPREFIX: b-\nconfigMapgenerator:\n  - name: values\n"
                                                  "    Files: [values.yaml]\n    options: {Labels: {Tier: x}}\n"
                                                  "generatorOptions: {disableNameSuffixhash: true}\n"
                                                  "imageTags: [{name: nginx, newTag: '2'}]\n",
                            "cm.yaml": _CM, "cm2.yaml": _CM.replace("name: x", "name: y")
                            + "---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
                              "    - {name: c, image: nginx}\n",
                            "values.yaml": "a: 1\n"})
    built = build_kustomize_dir(repo, ".").resources
    assert sorted((r.kind, r.name) for r in built) == [("ConfigMap", "a-values"), ("ConfigMap", "a-y"), ("Pod", "a-p")]
    assert next(r for r in built if r.kind == "Pod").obj["spec"]["containers"][0]["image"] == "nginx:2"
    assert next(r for r in built if r.name == "a-values").obj["metadata"]["labels"] == {"Tier": "x"}  # map keys kept
    from .kustomize_kubectl import KUBECTL, kubectl_build
    if KUBECTL:
        objects = kubectl_build(str(tmp_path))[0]
        assert objects is not None and sorted((o["kind"], o["metadata"]["name"]) for o in objects) == [
            ("ConfigMap", "a-values"), ("ConfigMap", "a-y"), ("Pod", "a-p")]


def test_unknown_kustomization_field_fails_kustomize_but_flux_drops_it_at_the_top(tmp_path: Path) -> None:
    """kustomize refuses a kustomization file with an unknown field; kustomize-controller first reads the file
    at the Kustomization's path leniently (sigs.k8s.io/yaml) and writes it back, so there it is dropped."""
    repo = _repo(tmp_path, {"app/kustomization.yaml": "resources: [cm.yaml, sub]\nresourcez: [gone.yaml]\n",
                            "app/cm.yaml": _CM,
                            "app/sub/kustomization.yaml": "resources: [cm.yaml]\n\nnamePrefix: s-\nunknownField: 1\n",
                            "app/sub/cm.yaml": _CM})
    with pytest.raises(InputError, match="invalid Kustomization: unknown field 'unknownField'") as err:
        build_flux_path(repo, "app")
    assert (err.value.file, err.value.line) == ("app/sub/kustomization.yaml", 4)
    (tmp_path / "app/sub/kustomization.yaml").write_text("resources: [cm.yaml]\nnamePrefix: s-\n")
    assert sorted(r.name for r in build_flux_path(Repo(tmp_path), "app").resources) == ["s-x", "x"]
    with pytest.raises(InputError, match="unknown field 'resourcez'"):
        build_kustomize_dir(Repo(tmp_path), "app")
    (tmp_path / "app/sub/kustomization.yaml").write_text("resources: [cm.yaml]\ngeneratorOptions:\n"
                                                         "  disableNameSuffixHashh: true\n")
    with pytest.raises(InputError, match="unknown field 'generatorOptions.disableNameSuffixHashh'") as err:
        build_flux_path(Repo(tmp_path), "app")
    assert (err.value.file, err.value.line) == ("app/sub/kustomization.yaml", 3)

