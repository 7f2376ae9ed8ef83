"""A base that several kustomizations of one build include: what building it once per reference gives, and what
any reuse of its build must keep (issue 14 measured that such repeats cost ~1-2 % of a corpus run, so a base is
still built at each reference): the same objects as `kubectl kustomize`, a cycle through it reported as a cycle,
and every reference's copies counted against the build's one copy budget."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from flux_wiki.flux.kustomize import build_kustomize_dir
from flux_wiki.load import Repo
from flux_wiki.load.yamldocs import MAX_COPIED_NODES
from flux_wiki.model import InputError
from .kustomize_kubectl import KUBECTL, kubectl_build


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


def _normal(objs: list[dict]) -> list[dict]:
    return list(yaml.safe_load_all(yaml.safe_dump_all(objs)))


SHARED = {
    "shared/kustomization.yaml": "resources: [cm.yaml]\nconfigMapGenerator:\n- {name: gen, literals: [a=1]}\n"
                                 "patches:\n- target: {kind: ConfigMap, name: cm}\n"
                                 "  patch: '[{\"op\": \"copy\", \"from\": \"/data/a\", \"path\": \"/data/b\"}]'\n",
    "shared/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {a: x}\n",
    "left/kustomization.yaml": "namePrefix: l-\nresources: [../shared]\ncommonLabels: {side: left}\n",
    "right/kustomization.yaml": "namePrefix: r-\nnamespace: right\nresources: [../shared]\n",
    "kustomization.yaml": "resources: [left, right]\n",
}


@pytest.mark.skipif(KUBECTL is None, reason="kubectl not installed")
@pytest.mark.kubectl
def test_a_base_two_overlays_include_builds_as_kubectl_builds_it(tmp_path: Path) -> None:
    _write(tmp_path, SHARED)
    expected, err = kubectl_build(str(tmp_path))
    assert expected is not None, err
    got = build_kustomize_dir(Repo(tmp_path), ".")
    assert _normal([r.obj for r in got.resources]) == _normal(expected)
    assert len(got.resources) == 4 and "shared/cm.yaml" in got.files


@pytest.mark.skipif(KUBECTL is None, reason="kubectl not installed")
@pytest.mark.kubectl
def test_a_cycle_through_a_shared_base_is_a_cycle(tmp_path: Path) -> None:
    """``right`` includes ``shared`` as ``left`` does, and ``shared`` includes ``left``: a cycle on one path only."""
    _write(tmp_path, {**SHARED, "shared/kustomization.yaml": "resources: [cm.yaml, ../left]\n"})
    expected, _ = kubectl_build(str(tmp_path))
    assert expected is None  # kustomize refuses the cycle too
    with pytest.raises(InputError) as caught:
        build_kustomize_dir(Repo(tmp_path), ".")
    assert caught.value.code == "FW-KUSTOMIZE-CYCLE"
    assert caught.value.file == "left/kustomization.yaml"
    assert caught.value.message.endswith("cycle: . -> left -> shared -> left")


def test_every_reference_to_a_base_counts_against_the_copy_budget(tmp_path: Path) -> None:
    """One reference copies less than the budget; the references of one build together copy more."""
    keys = 5_000
    data = "".join(f"  k{i}: v\n" for i in range(keys))
    references = MAX_COPIED_NODES // keys + 1
    _write(tmp_path, {
        "base/kustomization.yaml": "resources: [cm.yaml]\npatches:\n- target: {kind: ConfigMap, name: big}\n"
                                   "  patch: '[{\"op\": \"copy\", \"from\": \"/data\", \"path\": \"/binaryData\"}]'\n",
        "base/cm.yaml": f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: big}}\ndata:\n{data}",
        **{f"o{i}/kustomization.yaml": f"namePrefix: o{i}-\nresources: [../base]\n" for i in range(references)},
    })
    (tmp_path / "one").mkdir()
    (tmp_path / "one" / "kustomization.yaml").write_text("resources: [../o0]\n")
    assert len(build_kustomize_dir(Repo(tmp_path), "one").resources) == 1
    (tmp_path / "kustomization.yaml").write_text(f"resources: [{', '.join(f'o{i}' for i in range(references))}]\n")
    with pytest.raises(InputError, match=f"more than {MAX_COPIED_NODES:,} nodes"):
        build_kustomize_dir(Repo(tmp_path), ".")
