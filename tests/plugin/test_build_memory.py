"""Issue 14, memory: a one-off `mkdocs build` lets go of the parse cache and the SVG kept in memory once the pages
are compiled, of the model once the hand-written pages are read, and hands MkDocs the generated pages as files it
reads when it renders them; `mkdocs serve` keeps everything for its rebuilds. The built site is the same either
way."""

from __future__ import annotations

import filecmp
import re
import weakref
from pathlib import Path

import pytest
import yaml
from mkdocs.commands.build import build
from mkdocs.structure.pages import Page

from flux_wiki.mkdocs.plugin import FluxWikiPlugin

from ..support import load, two_cluster_wiki


def _wiki(root: Path) -> Path:
    wiki = two_cluster_wiki(root, layers=("apps", "infra"))
    # a hand-written page whose marker draws a diagram after the release (rendered again from the disk cache)
    (wiki / "docs" / "index.md").write_text("# Home\n\n<!-- flux-wiki:graph cluster=home -->\n")
    config = {"site_name": "x", "plugins": [{"flux-wiki": {"repo": "data/gitops"}}]}
    (wiki / "mkdocs.yml").write_text(yaml.safe_dump(config))
    return wiki


def _build(wiki: Path, site: Path, command: str):  # type: ignore[no-untyped-def]
    cfg = load(wiki, site)
    cfg.plugins.on_startup(command=command, dirty=False)
    try:
        build(cfg)
    finally:
        cfg.plugins.on_shutdown()
    return cfg.plugins["flux-wiki"]


def _same(a: Path, b: Path) -> bool:
    """The same file, but for the build date the theme writes into the home page."""
    def text(path: Path) -> bytes:
        return re.sub(rb"Build Date UTC : [^\n]*", b"", path.read_bytes())
    return text(a) == text(b)


def _differ(a: Path, b: Path) -> list[str]:
    cmp = filecmp.dircmp(a, b)
    found = [f"only in one: {n}" for n in cmp.left_only + cmp.right_only]
    found += [n for n in cmp.common_files if not n.startswith("sitemap") and not _same(a / n, b / n)]
    return found + [f"{name}/{n}" for name in cmp.common_dirs for n in _differ(a / name, b / name)]


def test_a_build_releases_the_caches_and_builds_the_same_site(tmp_path: Path, need_engine) -> None:
    wiki = _wiki(tmp_path / "wiki")
    once = _build(wiki, tmp_path / "built", "build")
    assert once.compiler.parse_cache.misses == 0 and once.compiler.parse_cache.hits == 0  # a new, empty cache
    served = _build(wiki, tmp_path / "served", "serve")
    assert served.compiler.parse_cache.misses > 0  # kept for the next rebuild
    assert _differ(tmp_path / "built", tmp_path / "served") == []
    home = (tmp_path / "built" / "index.html").read_text()
    assert '<div class="flux-wiki-diagram" data-diagram="layer-dag">' in home and "<svg" in home


@pytest.fixture
def need_engine() -> None:
    from flux_wiki.render.svg import find_engine
    if find_engine() is None:
        pytest.skip("no Graphviz engine")


def _watched(monkeypatch: pytest.MonkeyPatch) -> dict:
    """What a build shows of the plugin's compilation: a weak reference to its model, the scratch folder and the
    Files, and for each page MkDocs reads whether the model was still alive and where the page came from."""
    seen: dict = {"read": {}}
    on_files = FluxWikiPlugin.on_files

    def files_hook(self, files, *, config):  # type: ignore[no-untyped-def]
        files = on_files(self, files, config=config)
        seen.update(model=weakref.ref(self.compiled.model), files=files, released=self.released,
                    folder=Path(self.folder.name) if self.folder else None)  # (MkDocs may reuse a plugin instance)
        return files
    read_source = Page.read_source

    def read(page, config):  # type: ignore[no-untyped-def]
        seen["read"][page.file.src_uri] = (seen["model"]() is not None, page.file.abs_src_path)
        return read_source(page, config)
    monkeypatch.setattr(FluxWikiPlugin, "on_files", files_hook)
    monkeypatch.setattr(Page, "read_source", read)
    return seen


def test_a_build_lets_go_of_the_model_before_mkdocs_reads_the_generated_pages(tmp_path: Path, need_engine,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _watched(monkeypatch)
    plugin = _build(_wiki(tmp_path / "wiki"), tmp_path / "built", "build")
    generated = "flux/home/layers/apps.md"
    assert seen["read"]["index.md"][0]  # its marker is expanded from the model
    assert seen["read"][generated] == (False, str(seen["folder"] / generated))  # read from the scratch folder
    assert plugin.released == seen["released"] + 1 and plugin.compiled is None and not seen["folder"].exists()
    pages = {f.src_uri: f.page for f in seen["files"].documentation_pages()}
    assert pages[generated].content is None and pages[generated].title == "apps"  # its HTML once written
    assert pages["index.md"].content  # a hand-written page is MkDocs' own
    assert "<svg" in (tmp_path / "built" / "index.html").read_text()


def test_serve_keeps_the_model_and_the_pages_in_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _watched(monkeypatch)
    plugin = _build(_wiki(tmp_path / "wiki"), tmp_path / "served", "serve")
    assert seen["read"]["flux/home/layers/apps.md"] == (True, None) and seen["folder"] is None
    assert plugin.released == seen["released"] and plugin.compiled is not None and seen["model"]() is plugin.compiled.model


def test_beside_a_plugin_it_does_not_know_a_build_keeps_the_generated_pages_text(tmp_path: Path, need_engine,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A plugin that may read pages after they are written (one printing the site into one file, say) still can:
    Material's group plugin (disabled, so it does nothing) stands for any plugin not known to be done with them."""
    seen = _watched(monkeypatch)
    wiki = _wiki(tmp_path / "wiki")
    config = yaml.safe_load((wiki / "mkdocs.yml").read_text())
    config["plugins"].append({"material/group": {"enabled": False, "plugins": []}})
    (wiki / "mkdocs.yml").write_text(yaml.safe_dump(config))
    plugin = _build(wiki, tmp_path / "built", "build")
    page = {f.src_uri: f.page for f in seen["files"].documentation_pages()}["flux/home/layers/apps.md"]
    assert plugin.released == seen["released"] + 1  # the model still goes
    assert page.content and page.markdown and page.toc


def test_no_generated_page_holds_its_html_while_mkdocs_reads_the_others(tmp_path: Path, need_engine,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """MkDocs renders every page before it writes the first: meanwhile a generated page's HTML waits in the scratch
    folder, and comes back before the page is indexed and written (the first test compares the built site)."""
    seen = _watched(monkeypatch)
    on_env = FluxWikiPlugin.on_env

    def env_hook(self, env, *, config, files):  # type: ignore[no-untyped-def]
        seen["waiting"] = {f.src_uri: (f.page.content, (Path(self.folder.name) / f"{f.src_uri}.html").is_file())
                           for f in files.documentation_pages() if f.src_uri in self.generated}
        return on_env(self, env, config=config, files=files)
    monkeypatch.setattr(FluxWikiPlugin, "on_env", env_hook)
    wiki = _wiki(tmp_path / "wiki")
    config = yaml.safe_load((wiki / "mkdocs.yml").read_text())
    config["plugins"].insert(0, "search")
    (wiki / "mkdocs.yml").write_text(yaml.safe_dump(config))
    _build(wiki, tmp_path / "built", "build")
    assert seen["waiting"] and set(seen["waiting"].values()) == {("", True)}  # all rendered, none in memory
    assert not seen["folder"].exists()
    index = (tmp_path / "built" / "search" / "search_index.json").read_text()
    assert "flux/home/layers/apps/" in index and "What It Installs" in index  # indexed from the HTML put back
