"""Flux specs parsed once into typed fields, with the defaults Flux applies (flux/objects.py; a HelmRelease's in
flux/helm.py, a FluxInstance's in flux/instance.py)."""

from __future__ import annotations

import datetime
import pickle
from pathlib import Path

from flux_wiki.engine import build_model
from flux_wiki.fingerprint import fingerprint
from flux_wiki.flux.helm import ChartTemplate, HelmReleaseSpec, ObjectRef, ValuesReference
from flux_wiki.flux.instance import FluxInstanceSpec, FluxInstanceSync
from flux_wiki.flux.objects import KustomizationSpec, PostBuild, SourceRef, SubstituteRef
from flux_wiki.flux.schema import checked_kustomization_spec

from .test_simulate import gotk, ks, write


def test_an_empty_kustomization_spec_gets_flux_defaults() -> None:
    spec = KustomizationSpec.parse({}, "apps")
    assert spec.path is None  # the root of the source's artifact
    assert spec.source_ref == SourceRef("GitRepository", "apps", "")
    assert (spec.depends_on, spec.wait, spec.prune) == ((), None, None)
    assert spec.post_build == PostBuild() and not spec.post_build.enabled
    assert spec.overrides.target_namespace is None and spec.overrides.patches == []


def test_kustomization_references_default_to_its_own_namespace() -> None:
    spec = KustomizationSpec.parse({
        "sourceRef": {"kind": "OCIRepository", "name": "repo"},
        "dependsOn": [{"name": "b"}, {"name": "a", "namespace": "infra"}, {"name": "b"}, {"name": ""}],
    }, "apps")
    assert spec.source_ref == SourceRef("OCIRepository", "apps", "repo")
    assert spec.depends_on == ("apps/b", "infra/a")  # sorted, once each, nameless entries dropped


def test_a_yaml_timestamp_is_text_as_sigs_k8s_yaml_makes_it() -> None:
    spec = KustomizationSpec.parse({"path": datetime.date(2024, 1, 1), "targetNamespace": datetime.date(2024, 1, 2)},
                                   "apps")
    assert (spec.path, spec.overrides.target_namespace) == ("2024-01-01", "2024-01-02")


def test_post_build_keeps_what_collecting_the_variables_refuses() -> None:
    post = PostBuild.parse({"substituteFrom": [{"kind": "ConfigMap", "name": "vars"}, None,
                                               {"kind": "Secret", "name": "s", "optional": True}],
                            "substitute": {"A": "1"}, "strict": True})
    assert post.substitute_from == (SubstituteRef("ConfigMap", "vars", False), None, SubstituteRef("Secret", "s", True))
    assert post.enabled and post.strict and post.substitute == {"A": "1"}


def test_the_parse_reads_the_spec_the_schema_check_passed() -> None:
    checked, problems = checked_kustomization_spec({"path": "./apps", "wait": "yes", "postBuild": {"substitute": [1]}})
    spec = KustomizationSpec.parse(checked, "apps")
    assert {p.field for p in problems} == {"spec.wait", "spec.postBuild.substitute"}
    assert (spec.path, spec.wait, spec.post_build) == ("./apps", None, PostBuild())


def test_a_spec_pickles_and_prints_every_field() -> None:
    """A node's spec is in the digest that finds a cluster unchanged (:func:`fingerprint` pickles it), and the repr
    of its overrides keys the kustomize builds reused: both by value, every field."""
    written = {"targetNamespace": "web", "components": ["c"], "patches": [{"patch": "p"}],
               "postBuild": {"substitute": {"A": "1"}, "substituteFrom": [{"kind": "Secret", "name": "s"}]}}
    spec = KustomizationSpec.parse(written, "apps")
    again = pickle.loads(pickle.dumps(spec))
    assert repr(again) == repr(spec) and again.post_build == spec.post_build != PostBuild()
    assert fingerprint(spec) == fingerprint(KustomizationSpec.parse(written, "apps")) is not None
    assert repr(spec.overrides) == ("FluxOverrides(target_namespace='web', patches=[{'patch': 'p'}], images=[], "
                                    "components=['c'], common_metadata=None, name_prefix=None, name_suffix=None, "
                                    "ignore_missing_components=False)")
    assert repr(spec.post_build) == ("PostBuild(substitute={'A': '1'}, substitute_from=(SubstituteRef(kind='Secret', "
                                     "name='s', optional=False),), strict=False)")
    fewer = spec.overrides.replace(components=[])
    assert (fewer.components, fewer.patches, spec.overrides.components) == ([], [{"patch": "p"}], ["c"])


def test_helm_release_defaults_and_problems() -> None:
    spec, problems = HelmReleaseSpec.parse({
        "interval": "10m",
        "chart": {"spec": {"chart": "podinfo", "version": [1], "sourceRef": {"kind": "HelmRepository", "name": "r"}}},
        "valuesFrom": ["x", {"kind": "ConfigMap", "name": "v"}, {"kind": "Secret", "name": "s", "valuesKey": "k",
                                                                  "targetPath": "a.b", "optional": True}],
        "dependsOn": ["db", "infra/cache", {"name": "queue"}, {"namespace": "x"}],
        "values": [1],
    }, "apps")
    assert spec.chart == ChartTemplate("podinfo", "*", ObjectRef("HelmRepository", "apps", "r"), False)
    assert spec.values_from == (ValuesReference("ConfigMap", "v", "values.yaml", "", False),
                                ValuesReference("Secret", "s", "k", "a.b", True))
    assert spec.depends_on == ("apps/db", "infra/cache", "apps/queue")
    assert (spec.values, spec.chart_ref, spec.declares_chart, spec.target_namespace) == ({}, None, True, "")
    assert [p.field for p in problems] == ["spec.chart.spec.version", "spec.values", "spec.valuesFrom[0]"]


def test_helm_release_chart_ref_and_missing_chart() -> None:
    spec, _ = HelmReleaseSpec.parse({"chartRef": {"kind": "OCIRepository", "name": "podinfo", "namespace": "oci"}},
                                    "apps")
    assert (spec.chart, spec.chart_ref) == (None, ObjectRef("OCIRepository", "oci", "podinfo"))
    neither, _ = HelmReleaseSpec.parse({"values": {}}, "apps")
    assert not neither.declares_chart
    empty, _ = HelmReleaseSpec.parse({"chart": {"spec": {"chart": "", "version": 1.0}}}, "apps")
    assert empty.chart == ChartTemplate(None, "1.0", ObjectRef("", "apps", ""), True)


def test_flux_instance_sync_needs_a_path() -> None:
    assert FluxInstanceSpec.parse({"sync": {"url": "https://x"}, "components": ["a"]}) == FluxInstanceSpec(None, ("a",))
    assert FluxInstanceSpec.parse(None) == FluxInstanceSpec(None, ())
    assert FluxInstanceSpec.parse({"sync": {"path": "clusters/prod", "ref": "refs/heads/main"}}).sync == \
        FluxInstanceSync("GitRepository", None, "refs/heads/main", "clusters/prod")


def test_nodes_carry_the_parsed_spec(tmp_path: Path) -> None:
    root = write(tmp_path, {**gotk(), "clusters/home/apps.yaml": ks("apps", "2024-01-01", deps=("infra",)),
                            "2024-01-01/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\n"})
    node = build_model(root).clusters[0].kustomizations["flux-system/apps"]
    assert node.flux_spec.path == node.path == "2024-01-01"  # a timestamp path builds; it once was a traceback
    assert node.status == "built" and node.depends_on == ["flux-system/infra"] and node.prune is True
