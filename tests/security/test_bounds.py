"""Bounded work: hostile repositories that would exhaust memory, stack or time end as warnings.

Every exhaustion case runs in a subprocess under address-space and CPU limits (tests/security/harness.py):
each alone through `flux-wiki inventory`, and all together through every front end. Each must finish
within the limits, print no traceback, and name its file in a warning. The in-process tests below pin
the bounds themselves (discovery caps, copies inside a build, substitution, Helm's targetPath).
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from flux_wiki.engine import build_model
from flux_wiki.flux import simulate
from flux_wiki.flux.helm import MAX_INDEX, set_path_value
from flux_wiki.flux.kustomize import build_flux_path
from flux_wiki.load import Repo
from flux_wiki.load.yamldocs import MAX_COPIED_NODES, MAX_DEPTH
from flux_wiki.model import InputError

from .harness import FLUX_WIKI, MKDOCS, assert_clean, bounded, run_all

SYNC = """\
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: flux-system, namespace: flux-system}
spec: {url: https://example.org/r, ref: {branch: main}}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: flux-system, namespace: flux-system}
spec: {path: ./clusters/home, sourceRef: {kind: GitRepository, name: flux-system}, interval: 10m, prune: true}
"""


def ks(name: str, path: str, extra: str = "") -> str:
    return (f"apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\n"
            f"metadata: {{name: {name}, namespace: flux-system}}\n"
            f"spec:\n  path: {path}\n  interval: 10m\n  prune: true\n"
            f"  sourceRef: {{kind: GitRepository, name: flux-system}}\n" + textwrap.indent(extra, "  "))


def cm(name: str, data: str) -> str:
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}, namespace: default}}\ndata:\n{data}"


def laughs(levels: int = 9) -> str:
    """531 bytes that expand to 9^9 strings when copied."""
    lines = ['  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    prev = "a"
    for c in "bcdefghijklmnop"[:levels - 1]:
        lines.append(f"  {c}: &{c} [" + ",".join([f"*{prev}"] * 9) + "]")
        prev = c
    return cm("lol", "\n".join(lines) + "\n")


def nested(levels: int, inner: str = "x") -> str:
    return "[" * levels + inner + "]" * levels


def aliased_documents(count: int = 1000) -> str:
    """``count`` documents, each aliasing as much as go-yaml allows one document: too much for one file."""
    doc = cm("c{i}", "  base: &b [" + ",".join(["x"] * 200) + "]\n  uses: [" + ",".join(["*b"] * 90) + "]\n")
    return "---\n".join(doc.replace("{i}", str(i)) for i in range(count))


def fan_out(count: int = 1000) -> dict[str, str]:
    """One file of ``count`` Kustomizations, each re-applying the file's own folder under new names."""
    docs = [ks(f"f{i}", "./fanout", f"namePrefix: p{i}-\n") for i in range(count)]
    return {"fanout/kustomizations.yaml": "---\n".join(docs)}


def self_reapplying() -> dict[str, str]:
    """A Kustomization whose path holds a Kustomization for the same path, renamed on every build."""
    return {
        "loop/kustomization.yaml": textwrap.dedent("""\
            resources: [ks.yaml]
            replacements:
            - source: {kind: Kustomization, fieldPath: metadata.name}
              targets:
              - select: {kind: Kustomization}
                fieldPaths: [spec.namePrefix]
                options: {create: true}
            """),
        "loop/ks.yaml": ks("k", "./loop"),
    }


def copies_into_itself(kind: str) -> dict[str, str]:
    """40 copies of an object's data into itself: the object doubles each time."""
    if kind == "json6902":
        ops = "".join(f"- op: copy\n  from: /data\n  path: /data/k{i}\n" for i in range(40))
        patch = "patchesJson6902:\n- target: {kind: ConfigMap, name: grow}\n  patch: |\n" + textwrap.indent(ops, "    ")
    else:
        patch = "replacements:\n" + "".join(
            f"- source: {{kind: ConfigMap, name: grow, fieldPath: data}}\n  targets:\n"
            f"  - select: {{kind: ConfigMap, name: grow}}\n    fieldPaths: [data.k{i}]\n    options: {{create: true}}\n"
            for i in range(40))
    return {f"{kind}/kustomization.yaml": "resources: [cm.yaml]\n" + patch,
            f"{kind}/cm.yaml": cm("grow", "  a: '1'\n  b: '2'\n")}


# case -> (files of the case; the file its warning names; what the warning says)
CASES: dict[str, tuple[dict[str, str], str, str]] = {
    "billion-laughs": ({"laughs/cm.yaml": laughs()}, "laughs/cm.yaml", "excessive aliasing"),
    "deep-nesting": ({"deep/cm.yaml": cm("deep", f"  x: '1'\n  y: {nested(600)}\n")}, "deep/cm.yaml", "nesting"),
    "deep-postbuild": ({"deeppost/cm.yaml": cm("deep", f"  x: ${{X}}\n  y: {nested(600)}\n"),
                        "clusters/home/deeppost.yaml": ks("deeppost", "./deeppost", "postBuild:\n  substitute: {X: a}\n")},
                       "deeppost/cm.yaml", "nesting"),
    "deep-by-substitution": ({"deepsub/cm.yaml": cm("deep", "  x: ${X}\n"),
                              "clusters/home/deepsub.yaml": ks("deepsub", "./deepsub",
                                                               f"postBuild:\n  substitute: {{X: '{nested(300)}'}}\n")},
                             "deepsub/cm.yaml", "nesting"),
    "self-reapplying": (self_reapplying(), "loop/ks.yaml", "levels of Kustomizations below the root"),
    "thousand-documents": ({"many/cms.yaml": aliased_documents()}, "many/cms.yaml", "excessive aliasing"),
    "thousand-kustomizations-fan-out": (fan_out(), "fanout/kustomizations.yaml", "limit"),
    "substitution-blowup": ({"blowup/cm.yaml": cm("big", "  x: ${X//a/${Y}}${X//a/${Y}}\n"),
                             "clusters/home/blowup.yaml": ks("blowup", "./blowup", "postBuild:\n  substitute:\n"
                                                             f"    X: {'a' * 3000}\n    Y: {'b' * 3000}\n")},
                            "blowup/cm.yaml", "exceed 3 MiB"),
    "json6902-doubling": (copies_into_itself("json6902"), "json6902/kustomization.yaml", "copies in this build"),
    "replacement-doubling": (copies_into_itself("replacement"), "replacement/kustomization.yaml",
                             "copies in this build"),
    "helm-huge-index": ({"helm/hr.yaml": textwrap.dedent("""\
                             apiVersion: helm.toolkit.fluxcd.io/v2
                             kind: HelmRelease
                             metadata: {name: web, namespace: default}
                             spec:
                               interval: 10m
                               chart: {spec: {chart: web, sourceRef: {kind: HelmRepository, name: charts}}}
                               valuesFrom:
                                 - {kind: ConfigMap, name: v, valuesKey: x, targetPath: "a[999999999]"}
                             """),
                         "helm/cm.yaml": cm("v", "  x: '1'\n")},
                        "helm/hr.yaml", "maximum supported index"),
}


# data exactly at the nesting bound goes through every stage, postBuild's dump and reparse included
AT_BOUND = {"atbound/deep.yaml": "apiVersion: example.org/v1\nkind: Deep\nmetadata: {name: deep, namespace: default}\n"
                                  f"spec:\n  x: ${{X}}\n  y: {nested(MAX_DEPTH - 2)}\n",
            "clusters/home/atbound.yaml": ks("atbound", "./atbound", "postBuild:\n  substitute: {X: a}\n")}


def write_case(root: Path, names: list[str]) -> Path:
    files = {"clusters/home/flux-system/gotk-sync.yaml": SYNC, **AT_BOUND}
    for name in names:
        case_files, warned, _ = CASES[name]
        files.update(case_files)
        folder = warned.split("/")[0]
        files.setdefault(f"clusters/home/{folder}.yaml", ks(folder, f"./{folder}"))
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def warnings_in(inventory: str) -> list[str]:
    data = json.loads(inventory)
    found = [f"{w['file']}:{w['line']}: {w['message']}" for w in data["warnings"]]
    for c in data["clusters"]:
        found += [f"{w['file']}:{w['line']}: {w['message']}" for w in c["warnings"]]
    return found


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_exhaustion_case_is_a_bounded_warning(tmp_path: Path, case: str) -> None:
    repo = write_case(tmp_path / "repo", [case])
    run = bounded("inventory", FLUX_WIKI + ["inventory", str(repo), "--format", "json"], tmp_path,
                  mem_mb=1024, timeout=60)
    assert run.returncode is not None, f"{case}: not finished within 60 s"
    assert not run.traceback and run.returncode == 0, f"{case}: exit {run.returncode}\n{run.stderr[-3000:]}"
    _, file, what = CASES[case]
    warnings = warnings_in(run.stdout)
    assert any(file in w and what in w for w in warnings), f"{case}: no warning naming {file}:\n" + "\n".join(warnings)


# 10,000 Kustomizations are 10,000 pages: the fan-out runs through `inventory` only (the page path at
# scale is benchmarks' concern)
EVERY_FRONT_END = sorted(set(CASES) - {"thousand-kustomizations-fan-out"})


def test_every_front_end_survives_all_cases_at_once(tmp_path: Path) -> None:
    repo = write_case(tmp_path / "repo", EVERY_FRONT_END)
    outcome = run_all(repo, tmp_path / "work", timeout=120)
    assert_clean(outcome)
    assert outcome.run("build").returncode == 0, outcome.run("build").stderr[-3000:]
    # the warnings fail --strict (run without -q: a quiet build drops warnings before they are counted)
    strict = bounded("build-strict-loud", MKDOCS + ["build", "--strict", "-d", str(tmp_path / "strict")],
                     tmp_path / "work" / "wiki")
    assert strict.returncode == 1 and not strict.traceback, strict.stderr[-3000:]
    assert "Aborted with" in strict.stdout + strict.stderr
    warnings = warnings_in(outcome.run("inventory-json").stdout)
    for case in EVERY_FRONT_END:
        _, file, what = CASES[case]
        assert any(file in w and what in w for w in warnings), f"{case}: no warning naming {file}"
    assert not [w for w in warnings if "atbound" in w]
    (cluster,) = json.loads(outcome.run("inventory-json").stdout)["clusters"]
    (at_bound,) = [k for k in cluster["kustomizations"] if k["id"] == "flux-system/atbound"]
    assert at_bound["status"] == "built"


# -- the bounds themselves, in-process ---------------------------------------------------------------

def test_discovery_depth_is_capped_and_reported_on_the_node(tmp_path: Path) -> None:
    repo = write_case(tmp_path, ["self-reapplying"])
    (cluster,) = build_model(repo).clusters
    capped = [k for k in cluster.kustomizations.values() if k.status == "error"]
    assert len(capped) == 1 and "limit of 16" in (capped[0].reason or "")
    chain = [k for k in cluster.kustomizations.values() if k.name != "atbound"]
    assert len(chain) == simulate.MAX_DISCOVERY_DEPTH + 2  # the root, 16 levels, the capped one


def test_discovery_count_is_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(simulate, "MAX_KUSTOMIZATIONS", 20)
    files = {"clusters/home/flux-system/gotk-sync.yaml": SYNC,
             "clusters/home/many.yaml": "---\n".join(ks(f"k{i}", "./app") for i in range(40)),
             "app/cm.yaml": cm("x", "  a: b\n")}
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    (cluster,) = build_model(tmp_path).clusters
    assert len(cluster.kustomizations) == 20
    root = cluster.kustomizations["flux-system/flux-system"]
    assert "21 more Kustomizations beyond flux-wiki's limit of 20" in (root.reason or "")
    (warning,) = [w for w in cluster.warnings if "limit of 20" in w.message]
    assert warning.file == "clusters/home/many.yaml" and warning.message.startswith("21 Kustomizations")


def test_object_count_is_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(simulate, "MAX_OBJECTS", 10)
    files = {"clusters/home/flux-system/gotk-sync.yaml": SYNC, "clusters/home/apps.yaml": ks("apps", "./apps"),
             "apps/cms.yaml": "---\n".join(cm(f"c{i}", "  a: b\n") for i in range(20))}
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    (cluster,) = build_model(tmp_path).clusters
    apps = cluster.kustomizations["flux-system/apps"]
    assert apps.status == "error" and "limit" in (apps.reason or "") and not apps.resources


@pytest.mark.parametrize("kind", ["json6902", "replacement"])
def test_copies_inside_one_build_are_bounded(tmp_path: Path, kind: str) -> None:
    repo = write_case(tmp_path, [f"{kind}-doubling"])
    with pytest.raises(InputError, match=f"more than {MAX_COPIED_NODES:,} nodes"):
        build_flux_path(Repo(repo), f"./{kind}")


def test_a_copy_may_not_nest_past_the_depth_bound(tmp_path: Path) -> None:
    path = "/data/" + "/".join(["x"] * MAX_DEPTH)
    files = {"app/kustomization.yaml": "resources: [cm.yaml]\npatchesJson6902:\n- target: {kind: ConfigMap}\n"
                                       f"  patch: '[{{\"op\": \"add\", \"path\": \"{path}\", \"value\": 1}}]'\n",
             "app/cm.yaml": cm("c", "  a: b\n")}
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    with pytest.raises(InputError, match="deeper than"):
        build_flux_path(Repo(tmp_path), "./app")


def test_helm_target_path_follows_helms_strvals_limits() -> None:
    values: dict = {}
    set_path_value(values, f"a[{MAX_INDEX}]", "1")
    assert len(values["a"]) == MAX_INDEX + 1
    with pytest.raises(ValueError, match="maximum supported index"):
        set_path_value({}, f"a[{MAX_INDEX + 1}]", "1")
    with pytest.raises(ValueError, match="nested level"):
        set_path_value({}, ".".join(["a"] * 32), "1")
    with pytest.raises(ValueError, match="deeper than"):
        set_path_value({}, "a" + "[0]" * (MAX_DEPTH + 1), "1")
