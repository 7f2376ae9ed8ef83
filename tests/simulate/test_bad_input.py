"""Bad input never becomes a traceback: any shape of manifest yields a model (with warnings)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from flux_wiki.engine import build_model
from flux_wiki.render.inventory import inventory_json
from flux_wiki.site import WikiCompiler, WikiConfig

from .test_simulate import SYNC

scalars = st.one_of(st.none(), st.booleans(), st.integers(-3, 70000), st.text(max_size=12),
                    st.sampled_from(["./apps", "../..", "${VAR}", "${X:=1}", "${bad-", "flux-system", "*", ""]))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                        st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                      max_leaves=8)
FIELDS = ["path", "dependsOn", "sourceRef", "postBuild", "patches", "images", "components", "targetNamespace",
          "healthChecks", "wait", "prune", "interval", "timeout", "namePrefix", "commonMetadata"]
KINDS = [("kustomize.toolkit.fluxcd.io/v1", "Kustomization"), ("helm.toolkit.fluxcd.io/v2", "HelmRelease"),
         ("v1", "Service"), ("networking.k8s.io/v1", "Ingress"), ("v1", "ConfigMap"), ("v1", "Secret"),
         ("apps/v1", "Deployment"), ("source.toolkit.fluxcd.io/v1", "GitRepository")]


@st.composite
def documents(draw) -> dict:
    api, kind = draw(st.sampled_from(KINDS))
    spec = {f: draw(values) for f in draw(st.lists(st.sampled_from(FIELDS), max_size=6, unique=True))}
    extra = draw(st.dictionaries(st.sampled_from(["type", "ports", "rules", "values", "chart", "chartRef",
                                                  "selector", "template", "loadBalancerIP", "tls"]), values, max_size=3))
    spec.update(extra)
    doc = {"apiVersion": api, "kind": kind,
           "metadata": {"name": draw(st.text("abc-", min_size=1, max_size=6)),
                        "namespace": draw(st.sampled_from(["flux-system", "apps", None]))},
           "spec": draw(st.one_of(st.just(spec), values))}
    if kind in ("ConfigMap", "Secret"):
        doc["data"] = draw(values)
    return doc


@st.composite
def valid_shaped_kustomizations(draw) -> dict:
    """Kustomizations the schema accepts, with odd content where the schema is loose."""
    patch_text = st.sampled_from(["", "- op: add\n  path: /x\n  value: 1", "kind: ConfigMap\nmetadata: {name: a}",
                                  "{{", "- op: remove\n  path: /spec/nothing", "apiVersion: v1\nkind: Secret"])
    spec = {
        "path": draw(st.sampled_from(["./apps", "apps", "./clusters/home", "../../apps", "./nothing", ""])),
        "sourceRef": {"kind": "GitRepository", "name": draw(st.sampled_from(["flux-system", "other"]))},
        "dependsOn": [{"name": n} for n in draw(st.lists(st.sampled_from(["a", "b", "c", "apps"]), max_size=3))],
        "postBuild": {"substitute": draw(st.dictionaries(st.sampled_from(["A", "B", "bad-key", "1X"]), values, max_size=3)),
                      "substituteFrom": draw(st.lists(st.fixed_dictionaries(
                          {"kind": st.sampled_from(["ConfigMap", "Secret", "Other"]), "name": st.text("ab", max_size=3)}),
                          max_size=2))},
        "patches": draw(st.lists(st.fixed_dictionaries({"patch": patch_text},
                                                       optional={"target": st.dictionaries(
                                                           st.sampled_from(["kind", "name", "group"]), st.text(max_size=4),
                                                           max_size=2)}), max_size=2)),
        "images": draw(st.lists(st.dictionaries(st.sampled_from(["name", "newTag", "newName", "digest"]), values,
                                                max_size=3), max_size=2)),
        "components": draw(st.lists(st.sampled_from(["../c", "./x", "http://r/x"]), max_size=2)),
        "targetNamespace": draw(st.sampled_from(["", "apps", "${NS}"])),
    }
    return {"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
            "metadata": {"name": draw(st.sampled_from(["a", "b", "c", "apps"])), "namespace": "flux-system"},
            "spec": spec}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(documents(), valid_shaped_kustomizations()), min_size=1, max_size=6), st.booleans())
def test_any_manifest_shape_gives_a_model_not_a_traceback(docs: list[dict], kustomization_file: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "clusters/home/flux-system").mkdir(parents=True)
        (root / "clusters/home/flux-system/gotk-sync.yaml").write_text(SYNC % {"name": "home"})
        (root / "apps").mkdir()
        for i, doc in enumerate(docs):
            folder = root / ("clusters/home" if i % 2 == 0 else "apps")
            (folder / f"doc{i}.yaml").write_text(yaml.safe_dump(doc))
        if kustomization_file:
            (root / "apps/kustomization.yaml").write_text("resources: [doc1.yaml, missing.yaml, ../../outside]\n")
        model = build_model(root)
        inventory_json(model)
        WikiCompiler().compile(WikiConfig(repo=root, diagrams=False))
        shutil.rmtree(root / "apps")
