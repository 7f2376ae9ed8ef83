"""Bad input never becomes a traceback: any shape of manifest yields a model (with warnings)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from flux_wiki.engine import build_model
from flux_wiki.flux import schema
from flux_wiki.render.inventory import inventory_json
from flux_wiki.compile import WikiCompiler
from flux_wiki.config import WikiConfig

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


# -- every field the engine reads, from the shape tables of flux/schema.py -----------------------------

_STRINGS = st.sampled_from(["./apps", "apps", "flux-system", "GitRepository", "OCIRepository", "HelmRepository",
                            "ConfigMap", "Secret", "Service", "web", "${VAR}", "${X:=1}", "", "*", "80", "http",
                            "LoadBalancer", "10.0.0.5", "a.example.org", "../..", "objects.yaml", "a=b", "1.0"])


def shaped(shape: object) -> st.SearchStrategy:
    """Values of ``shape``, each field sometimes replaced by a value of any other shape."""
    return st.one_of(_valid(shape), _valid(shape), _valid(shape), values)


def _valid(shape: object) -> st.SearchStrategy:
    if shape == schema.STR:
        return _STRINGS
    if shape in (schema.INT, schema.NUM):
        return st.integers(-2, 70000)
    if shape == schema.BOOL:
        return st.booleans()
    if shape == schema.ANY:
        return values
    if isinstance(shape, dict):
        return fields_of(shape)
    kind, *inner = shape  # type: ignore[misc]
    if kind == "list":
        return st.lists(shaped(inner[0]), max_size=3)
    if kind == "map":
        return st.dictionaries(st.sampled_from(["a", "b", "app.kubernetes.io/name", "VAR"]), shaped(inner[0]),
                               max_size=3)
    return st.one_of(*(_valid(s) for s in inner))


def fields_of(shape: dict, base: dict | None = None, most: int = 4) -> st.SearchStrategy:
    """A mapping holding a few of the fields of ``shape``, drawn over ``base``."""
    keys = sorted(k.rstrip("!") for k in shape)
    subs = {k.rstrip("!"): v for k, v in shape.items()}
    return st.lists(st.sampled_from(keys), max_size=most, unique=True).flatmap(
        lambda chosen: st.fixed_dictionaries({k: shaped(subs[k]) for k in chosen}).map(
            lambda drawn: {**(base or {}), **drawn}))


def _object(api: str, kind: str, shape: dict, base: dict | None = None) -> st.SearchStrategy:
    return fields_of(shape, base).map(lambda body: {"apiVersion": api, "kind": kind,
                                                   "metadata": {"name": kind.lower(), "namespace": "apps"}, **body})


_APPLIED = [(f"{group}/v1" if group else "v1", kind, shape) for (group, kind), shape in schema.APPLIED_OBJECTS.items()]
# keys the chart readers of analysis/chart_values.py look up, so drawn values reach them
_VALUE_KEYS = st.sampled_from(
    "annotations backendRefs className containers controller controllers dashboard default enabled entryPoints "
    "expose exposedPort externalPort fullnameOverride grafana host hostnames hosts http https identifier image "
    "ingress ingressClassName ingressRoute kind matchRule matches name nameOverride namespace parentRefs path "
    "paths port portName ports protocol repository route rules service spec tag targetPort tls type main app "
    "web websecure controller prometheus alertmanager".split())
_VALUE_LEAVES = st.one_of(scalars, st.sampled_from(["{{ .Release.Name }}", "LoadBalancer", "10.0.0.5", "a.example.org"]))
chart_values = st.recursive(_VALUE_LEAVES, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(_VALUE_KEYS, inner, max_size=4)), max_leaves=25)
_CHARTS = st.sampled_from(["web", "app-template", "traefik", "grafana", "kube-prometheus-stack", "pgadmin4",
                           "podinfo", "ingress-nginx"])


@st.composite
def shaped_repos(draw) -> dict[str, object]:
    """A repo whose Flux Kustomization, kustomization file, HelmRelease, sources and surface objects
    each carry a few fields of any shape."""
    ks_spec = draw(fields_of(schema.FLUX_KUSTOMIZATION_SPEC, {
        "path": "./apps", "interval": "10m", "prune": True,
        "sourceRef": {"kind": "GitRepository", "name": "flux-system"}}))
    kfile = draw(fields_of(schema.KUSTOMIZATION_FILE, {"resources": ["objects.yaml"]}))
    chart = {"spec": {"chart": draw(_CHARTS), "sourceRef": {"kind": "HelmRepository", "name": "helmrepository"}}}
    objects = [{"apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease",
                "metadata": {"name": "web", "namespace": "apps"},
                "spec": draw(fields_of(schema.HELM_RELEASE_SPEC, {"chart": chart, "values": draw(chart_values)}))}]
    for api, kind, shape in draw(st.lists(st.sampled_from(_APPLIED), min_size=1, max_size=5, unique_by=lambda a: a[1])):
        objects.append(draw(_object(api, kind, shape)))
    return {"ks": {"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
                   "metadata": {"name": "apps", "namespace": "flux-system"}, "spec": ks_spec},
            "kustomization": kfile, "objects": objects}


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(shaped_repos())
def test_any_shape_of_any_field_the_engine_reads_gives_pages_not_a_traceback(repo: dict[str, object]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "clusters/home/flux-system").mkdir(parents=True)
        (root / "clusters/home/flux-system/gotk-sync.yaml").write_text(SYNC % {"name": "home"})
        (root / "clusters/home/apps.yaml").write_text(yaml.safe_dump(repo["ks"]))
        (root / "apps").mkdir()
        (root / "apps/kustomization.yaml").write_text(yaml.safe_dump(repo["kustomization"]))
        (root / "apps/objects.yaml").write_text(yaml.safe_dump_all(repo["objects"]))
        model = build_model(root)
        inventory_json(model)
        WikiCompiler().compile(WikiConfig(repo=root, diagrams=False))
