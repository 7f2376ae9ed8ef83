"""Field-spec configurations merged as kustomize's TransformerConfig.Merge, answering with an operand when the merge
adds nothing: the configs of a whole run stay a few objects, so their merges and name-reference look-ups are found,
not computed again (what a build outputs is guarded by the kubectl differential tests)."""

from __future__ import annotations

from pathlib import Path

import pytest

from flux_wiki.flux.kustomize import build_kustomize_dir, fieldspec
from flux_wiki.flux.kustomize.fieldspec import DEFAULTS, NO_CONFIG, FieldSpecError, TransformerConfig, parse_config
from flux_wiki.load import Repo

CUSTOM = parse_config({"namePrefix": [{"path": "spec/ref", "kind": "Foo"}],
                       "nameReference": [{"kind": "ConfigMap", "fieldSpecs": [{"path": "spec/ref", "kind": "Foo"}]}]})
# the same field specs as the defaults, one name reference more: not the defaults
NAME_ONLY = parse_config({"nameReference": [{"kind": "Secret", "fieldSpecs": [{"path": "spec/token", "kind": "Foo"}]}]})


def _content(config: TransformerConfig) -> tuple[object, object]:
    return config.specs, config.name_reference


def test_a_merge_that_adds_nothing_is_an_operand() -> None:
    assert NO_CONFIG.merge(DEFAULTS) is DEFAULTS
    assert DEFAULTS.merge(DEFAULTS) is DEFAULTS
    assert DEFAULTS.merge(NO_CONFIG) is DEFAULTS
    with_custom = DEFAULTS.merge(CUSTOM)
    assert with_custom is not DEFAULTS and with_custom is not CUSTOM
    assert with_custom.merge(CUSTOM) is with_custom
    assert with_custom.merge(DEFAULTS) is with_custom


@pytest.mark.parametrize("pair", [(NO_CONFIG, DEFAULTS), (DEFAULTS, CUSTOM), (CUSTOM, DEFAULTS), (CUSTOM, CUSTOM),
                                  (NO_CONFIG, CUSTOM), (DEFAULTS, NAME_ONLY), (NAME_ONLY, DEFAULTS)])
def test_the_answer_equals_the_merge(pair: tuple[TransformerConfig, TransformerConfig]) -> None:
    a, b = pair
    merged = a.merge(b)
    assert _content(merged) == _content(a._merge(b))
    assert merged.count() == a._merge(b).count()


def test_a_merge_adding_only_a_name_reference_is_new() -> None:
    merged = DEFAULTS.merge(NAME_ONLY)
    assert merged is not DEFAULTS and merged.specs == DEFAULTS.specs
    assert len(merged.name_reference) == len(DEFAULTS.name_reference) + 1


def test_a_conflict_still_fails() -> None:
    conflicting = parse_config({"namePrefix": [{"path": "spec/ref", "kind": "Foo", "create": True}]})
    with pytest.raises(FieldSpecError, match="conflicting fieldspecs"):
        CUSTOM.merge(conflicting)


def test_a_tree_of_bases_merges_its_configs_a_few_times(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Twenty bases of two levels, no ``configurations:``: every accumulation's config is the defaults."""
    names = [f"b{i}" for i in range(20)]
    for name in names:
        (tmp_path / name / "leaf").mkdir(parents=True)
        (tmp_path / name / "leaf" / "kustomization.yaml").write_text("resources: [cm.yaml]\n")
        (tmp_path / name / "leaf" / "cm.yaml").write_text(f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}}}\n")
        (tmp_path / name / "kustomization.yaml").write_text("resources: [leaf]\n")
    (tmp_path / "kustomization.yaml").write_text(f"namePrefix: p-\nresources: [{', '.join(names)}]\n")
    monkeypatch.setattr(fieldspec, "_MERGED", {})
    merges = []
    real = TransformerConfig._merge
    monkeypatch.setattr(TransformerConfig, "_merge", lambda self, other: merges.append(1) or real(self, other))
    result = build_kustomize_dir(Repo(tmp_path), ".")
    assert sorted(r.name for r in result.resources) == sorted(f"p-{n}" for n in names)
    assert len(merges) <= 2  # NO_CONFIG + DEFAULTS, DEFAULTS + DEFAULTS; each found afterwards
