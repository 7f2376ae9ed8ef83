"""A build copies only the top of each manifest it reads (its top level, metadata, labels, annotations) and shares
the rest with the parse cache (flux/kustomize/transform.py ``WorkRes.own``): a transformer, patch or replacement
that writes deeper copies the object first. The cache is shared by every build of a run and of ``mkdocs serve``'s
rebuilds, so a write that reached it would change later builds. Here the cache is frozen (a change raises) and
the builds must come out as they do unfrozen."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from flux_wiki.flux.kustomize import BuildResult, build_kustomize_dir
from flux_wiki.load import Document, ParseCache, Repo, parse_documents
from flux_wiki.load.yamldocs import decode_text
from flux_wiki.model import InputError

from ..support import CORPORA, Changed, frozen, run_cli
from .test_kustomize_corpora import _kustomize_dirs

FIXTURES = Path(__file__).resolve().parent / "fixtures"
# every fixture folder with a kustomization: all of kustomize's transformers, patches and replacements among them
FOLDERS = sorted(str(p.parent.relative_to(FIXTURES)) for p in FIXTURES.rglob("kustomization.yaml"))


def freeze_parse_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on every parse cache hands out frozen documents (the same ones for the same file and bytes)."""
    get, text_documents = ParseCache.get, ParseCache.text_documents

    def frozen_get(self: ParseCache, file: str, content: bytes) -> list[Document]:
        kept = self.derived.setdefault("frozen documents", {})
        if (file, content) not in kept:
            kept[(file, content)] = [Document(frozen(d.data), d.file, d.line, d.duplicates)
                                     for d in get(self, file, content)]
        return kept[(file, content)]

    def frozen_text_documents(self: ParseCache, text: str, file: str) -> list[Document]:
        return [Document(frozen(d.data), d.file, d.line, d.duplicates) for d in text_documents(self, text, file)]

    monkeypatch.setattr(ParseCache, "get", frozen_get)
    monkeypatch.setattr(ParseCache, "text_documents", frozen_text_documents)


def built(repo: Repo, folder: str) -> Any:
    """What a build gives (objects, files, diagnostics), or its error, as plain data."""
    try:
        result: BuildResult = build_kustomize_dir(repo, folder)
    except InputError as err:
        return str(err)
    return ([json.dumps(r.obj) for r in result.resources], result.files,
            [str(d) for d in result.diagnostics])


def test_the_frozen_cache_catches_a_build_that_changes_a_manifest(monkeypatch: pytest.MonkeyPatch) -> None:
    from flux_wiki.flux.kustomize import transform

    freeze_parse_cache(monkeypatch)
    monkeypatch.setattr(transform.WorkRes, "own", lambda self: self.obj)  # a write below the top, uncopied
    with pytest.raises(Changed):
        build_kustomize_dir(Repo(FIXTURES / "patches"), "app")


@pytest.mark.parametrize("folder", FOLDERS)
def test_fixture_builds_leave_the_parse_cache_as_parsed(folder: str) -> None:
    # two builds on one cache: the second is the first, and every cached document is still what its bytes parse to
    repo = Repo(FIXTURES)
    first = built(repo, folder)
    assert built(repo, folder) == first
    for (file, content), docs in repo.cache._entries.items():
        fresh = parse_documents(decode_text(content, file), file)
        assert [d.data for d in docs] == [d.data for d in fresh], file


@pytest.mark.parametrize("folder", FOLDERS)
def test_fixture_builds_on_a_frozen_parse_cache_come_out_as_unfrozen(folder: str,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    expected = built(Repo(FIXTURES), folder)
    freeze_parse_cache(monkeypatch)
    repo = Repo(FIXTURES)
    assert built(repo, folder) == expected
    assert built(repo, folder) == expected


CUSTOM_SPECS = {
    "kustomization.yaml": "resources: [objects.yaml]\nconfigurations: [config.yaml]\nnamePrefix: p-\n"
                          "images: [{name: nginx, newTag: '2'}]\n",
    "config.yaml": "namePrefix: [{path: spec/target, kind: App}]\n"
                   "images: [{path: spec/image, kind: CustomResourceDefinition}]\n",
    "objects.yaml": "apiVersion: example.com/v1\nkind: App\nmetadata: {name: a}\nspec: {target: t}\n---\n"
                    "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
                    "metadata: {name: apps.example.com}\nspec: {image: 'nginx:1'}\n",
}


def test_custom_field_specs_write_below_the_top_on_a_frozen_parse_cache(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # a name prefix and an image kustomize's defaults would not write there (the legacy image filter skips CRDs)
    for name, text in CUSTOM_SPECS.items():
        (tmp_path / name).write_text(text)
    expected = built(Repo(tmp_path), ".")
    assert '"target": "p-t"' in str(expected) and '"image": "nginx:2"' in str(expected)
    freeze_parse_cache(monkeypatch)
    assert built(Repo(tmp_path), ".") == expected


NAMES = sorted(p.name for p in CORPORA.iterdir() if p.is_dir()) if CORPORA.is_dir() else []


@pytest.mark.corpora
@pytest.mark.skipif(not NAMES, reason="../shared/corpora absent")
@pytest.mark.parametrize("name", NAMES)
def test_corpus_builds_on_a_frozen_parse_cache_come_out_as_unfrozen(name: str, monkeypatch: pytest.MonkeyPatch
                                                                    ) -> None:
    root = (CORPORA / name).resolve()
    dirs = _kustomize_dirs(root)
    plain = Repo(root)
    expected = [built(plain, d) for d in dirs]
    freeze_parse_cache(monkeypatch)
    repo = Repo(root)
    assert [built(repo, d) for d in dirs] == expected


@pytest.mark.corpora
@pytest.mark.parametrize("name", ["angelnu__k8s-gitops", "fluxcd__flux2-multi-tenancy",
                                  "fluxcd__flux2-kustomize-helm-example"])
def test_inventory_on_a_frozen_parse_cache_comes_out_as_unfrozen(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # the Flux Kustomizations' builds (targetNamespace, patches, components of spec) and every later stage
    root = CORPORA / name
    if not root.is_dir():
        pytest.skip("corpus not present")
    expected = run_cli(["inventory", str(root), "--format", "json"], catch_exceptions=False)
    freeze_parse_cache(monkeypatch)
    result = run_cli(["inventory", str(root), "--format", "json"], catch_exceptions=False)
    assert result.exit_code == expected.exit_code == 0
    assert result.output == expected.output
