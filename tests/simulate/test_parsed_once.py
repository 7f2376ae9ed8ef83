"""Work a run would repeat on the same input is done once (issue 14): an inline patch or a rendered template is
parsed once per text, a template tree once per text and function names, and a folder a snapshot listed answers
for the names it lacks without resolving them. Counters show the work skipped; other inputs are not served
from it, and nothing shared can be changed through what a build returns."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from flux_wiki.flux import gotemplate
from flux_wiki.flux.kustomize.build import build_flux_path
from flux_wiki.load import ParseCache, Repo
from flux_wiki.load import confine
from flux_wiki.load.confine import ConfinedDir
from flux_wiki.model import InputError

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec: {replicas: 1, template: {spec: {containers: [{name: web, image: nginx}]}}}
"""
PATCHED = """\
resources: [deployment.yaml]
patches:
  - patch: |
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web}
      spec: {replicas: %d}
"""


def test_a_text_is_parsed_once_whatever_file_reads_it() -> None:
    cache = ParseCache()
    first = cache.text_documents("a: 1\n---\nb: [2]\n", "k.yaml")
    again = cache.text_documents("a: 1\n---\nb: [2]\n", "l.yaml")
    assert cache.counts["texts parsed"] == 1 and cache.counts["texts reused"] == 1
    assert [(d.data, d.file, d.line) for d in first] == [({"a": 1}, "k.yaml", 1), ({"b": [2]}, "k.yaml", 3)]
    assert [(d.data, d.file, d.line) for d in again] == [({"a": 1}, "l.yaml", 1), ({"b": [2]}, "l.yaml", 3)]
    assert cache.text_documents("a: 2\n", "k.yaml")[0].data == {"a": 2}  # another text
    assert cache.counts["texts parsed"] == 2
    dup = cache.text_documents("a: 1\na: 2\n", "d.yaml")[0]
    assert dup.duplicates and dup.file == "d.yaml"
    for file in ("bad.yaml", "worse.yaml"):  # a text that does not parse fails each time, naming its file
        with pytest.raises(InputError) as err:
            cache.text_documents("a: [\n", file)
        assert err.value.file == file and err.value.line == 2 and err.value.code == "FW-YAML-INVALID"
    assert cache.counts["texts parsed"] == 4


def test_an_inline_patch_two_builds_use_is_parsed_once_and_each_build_gets_its_own_objects(tmp_path: Path) -> None:
    for folder, replicas in (("one", 3), ("two", 3), ("three", 5)):  # one and two: the same patch, in two files
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "deployment.yaml").write_text(DEPLOYMENT)
        (tmp_path / folder / "kustomization.yaml").write_text(PATCHED % replicas)
    repo = Repo(tmp_path)
    one = build_flux_path(repo, "./one").resources[0].obj
    assert repo.cache.counts["texts parsed"] == 1
    one["spec"]["replicas"] = 99  # a later stage changing a built object in place
    one["spec"]["template"]["spec"]["containers"].clear()
    two = build_flux_path(repo, "./two").resources[0].obj
    assert repo.cache.counts["texts reused"] == 1  # the same patch text: not parsed again
    assert two["spec"]["replicas"] == 3 and two["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx"
    three = build_flux_path(repo, "./three").resources[0].obj
    assert three["spec"]["replicas"] == 5 and repo.cache.counts["texts parsed"] == 2  # another patch


def test_a_template_tree_is_parsed_once_and_runs_with_each_callers_functions() -> None:
    text = "<< greet >>-<< .x >>-test-parsed-once"
    before = dict(gotemplate.PARSE_COUNTS)
    hello = gotemplate.parse(text, {"greet": gotemplate.Func(lambda: "hello")}, "<<", ">>")
    hi = gotemplate.parse(text, {"greet": gotemplate.Func(lambda: "hi")}, "<<", ">>")
    assert gotemplate.PARSE_COUNTS["parsed"] == before["parsed"] + 1
    assert gotemplate.PARSE_COUNTS["reused"] == before["reused"] + 1
    assert hello.execute({"x": 1}).text == "hello-1-test-parsed-once"
    assert hi.execute({"x": 2}).text == "hi-2-test-parsed-once"
    with pytest.raises(gotemplate.TemplateError):  # without the function the name does not parse: not served
        gotemplate.parse(text, {}, "<<", ">>")


def test_a_listed_folder_answers_for_names_it_lacks_without_resolving_them(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "kustomization.yaml").write_text("resources: []\n")
    (tmp_path / "other").mkdir()
    os.symlink("kustomization.yaml", tmp_path / "app" / "Kustomization")
    resolved: list[str] = []
    real = os.path.realpath

    def counting(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        resolved.append(str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(confine.os.path, "realpath", counting)
    files = ConfinedDir(tmp_path, snapshot=True)
    files.listdir(".")
    assert [name for name, _ in files.listdir("app")] == ["Kustomization", "kustomization.yaml"]
    resolved.clear()
    assert files.entry("app/kustomization.yml").kind == "missing"
    assert resolved == []  # the listing answered
    assert files.entry("app/Kustomization").kind == "file"  # a link it listed is what the link is
    assert files.entry("other/kustomization.yml").kind == "missing"
    assert resolved  # a folder not listed: the path is resolved
    resolved.clear()
    for outside in ("..", "../app", "/app", "/etc"):  # a listed root answers nothing outside it
        assert files.entry(outside).kind == "refused"
    assert files.entry("./app/kustomization.yaml").kind == "file"  # a path as written, not as listed
    live = ConfinedDir(tmp_path)  # not a snapshot: the disk may change, every path is resolved
    live.listdir("app")
    resolved.clear()
    assert live.entry("app/kustomization.yml").kind == "missing" and resolved


def test_the_texts_and_trees_remembered_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from flux_wiki.load import yamldocs

    monkeypatch.setattr(yamldocs, "MAX_TEXT_MEMO", 3)
    monkeypatch.setattr(yamldocs, "MAX_TEXT_MEMO_CHARS", 40)
    monkeypatch.setattr(yamldocs, "MAX_TEXT_MEMO_ONE", 20)
    cache = ParseCache()
    for i in range(5):
        cache.text_documents(f"k: {i}\n", "f.yaml")
    memo = cache.derived["text documents"]
    assert list(memo) == ["k: 2\n", "k: 3\n", "k: 4\n"]  # the oldest forgotten
    cache.text_documents("long: " + "x" * 30 + "\n", "f.yaml")  # over the size of one: parsed, not kept
    assert len(memo) == 3 and cache.counts["texts parsed"] == 6
    for i in range(3):
        cache.text_documents(f"key{i}: {'y' * 10}\n", "f.yaml")  # 17 characters each: two fit in 40
    assert len(memo) == 2
    monkeypatch.setattr(gotemplate, "_PARSED_MAX", 2)
    for i in range(4):
        gotemplate.parse(f"<< .x >>-bounded-{i}", {}, "<<", ">>")
    assert len(gotemplate._PARSED) == 2
