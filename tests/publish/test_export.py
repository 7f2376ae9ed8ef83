"""The Hugo export: layout, front matter, Markdown conversion, determinism, stale files, the CLI."""

from __future__ import annotations

import posixpath
from pathlib import Path

import yaml
from hypothesis import given
from hypothesis import strategies as st

from flux_wiki.export import export_hugo
from flux_wiki.load.authored import split_front_matter
from flux_wiki.export.hugo import (HugoPage, bundle_path, convert_admonitions, description, export_files,
                                   repo_date, rewrite_links, _resolver)
from flux_wiki.compile import page_url

from ..support import ROOT, run_cli
from .conftest import example_config


def hugo_url(bundle: str) -> str:
    """The URL (relative to the section) Hugo gives a bundle's page."""
    folder = posixpath.dirname(bundle)
    return folder + "/" if folder else ""


@given(st.lists(st.from_regex(r"[a-z0-9][a-z0-9-]{0,8}", fullmatch=True), min_size=1, max_size=4))
def test_bundles_keep_the_mkdocs_directory_url(parts: list[str]) -> None:
    src = "/".join(parts) + ".md"
    assert hugo_url(bundle_path(src)) == page_url(src, True)


def test_bundle_paths() -> None:
    assert bundle_path("index.md") == "_index.md"
    assert bundle_path("flux/index.md") == "flux/_index.md"
    assert bundle_path("flux/c/dag.md") == "flux/c/dag/index.md"


def test_admonitions_become_blockquotes_outside_code() -> None:
    text = ('!!! info "Generated page"\n    First line.\n\n    Second.\n\nAfter.\n\n'
            '??? note\n    Collapsed.\n\n!!! tip ""\n    No title.\n\n'
            '```\n!!! warning "in code"\n    kept\n```\n'
            '- item\n\n    !!! danger "Nested"\n        Deep.\n')
    assert convert_admonitions(text) == (
        '> **Generated page**\n>\n> First line.\n>\n> Second.\n\nAfter.\n\n'
        '> **Note**\n>\n> Collapsed.\n\n> No title.\n\n'
        '```\n!!! warning "in code"\n    kept\n```\n'
        '- item\n\n    > **Nested**\n    >\n    > Deep.\n')


def test_admonition_with_fenced_body_and_nested_admonition() -> None:
    text = '!!! example "Outer"\n    ```dot\n    !!! not one\n    ```\n    !!! note "Inner"\n        x\n'
    assert convert_admonitions(text) == ('> **Outer**\n>\n> ```dot\n> !!! not one\n> ```\n'
                                         '> > **Inner**\n> >\n> > x\n')


def test_links_between_exported_pages_become_relative_urls(tmp_path: Path) -> None:
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "shot.png").write_bytes(b"png")
    page = HugoPage(src="flux/c/dag.md", kind="dag", title="DAG", body="")
    resolve = _resolver(page, {"flux/c/dag.md", "flux/c/layers/a.md", "index.md"}, tmp_path)
    text = ("[a](layers/a.md#spec) [home](../../index.md) [gone](../../other.md) `[code](layers/a.md)` "
            "[ext](https://x.example/a.md) [top](#scope) ![shot](../../images/shot.png \"t\") "
            '<a href="layers/a.md">raw</a>\n```\n[fenced](layers/a.md)\n```\n')
    assert rewrite_links(text, resolve) == (
        "[a](../layers/a/#spec) [home](../../../) gone `[code](layers/a.md)` "
        "[ext](https://x.example/a.md) [top](#scope) ![shot](images-shot.png \"t\") "
        '<a href="../layers/a/">raw</a>\n```\n[fenced](layers/a.md)\n```\n')
    assert page.resources == {"images-shot.png": b"png"}


def test_front_matter_and_description() -> None:
    front, body, problems = split_front_matter("---\ntitle: T\nrelated: [a.md]\n---\n# T\n\nBody.\n", "p.md")
    assert front == {"title": "T", "related": ["a.md"]} and body == "# T\n\nBody.\n" and problems == []
    _, _, problems = split_front_matter("---\ntitle: [\n---\nx\n", "p.md")
    assert problems and problems[0].file == "p.md"
    long = "Word " * 80
    assert description("> quote\n\n| t |\n\nThe **first** [para](x.md) with `code`.\nMore.\n\nNext.") == \
        "The first para with code. More."
    assert len(description(long)) <= 161 and description(long).endswith("…")


def test_export_is_deterministic_and_complete() -> None:
    first, diagnostics = export_files(example_config())
    second, _ = export_files(example_config())
    assert first == second
    assert list(first) == sorted(first)
    pages = {k: v.decode() for k, v in first.items() if k.endswith(".md")}
    assert "_index.md" in pages and "flux/tazlab-k8s/dag/index.md" in pages
    assert "flux/tazlab-k8s/layers/apps-openclaw/index.md" not in pages  # excluded by configuration
    weights = []
    for path, text in pages.items():
        front, body, _ = split_front_matter(text, path)
        assert list(front)[:2] == ["title", "weight"] and front["flux_wiki"]["source"]
        assert "description" in front and "date" in front  # the example repo is in git
        assert front["date"] == repo_date(ROOT / "data" / "tazlab-k8s")
        assert "\n!!!" not in body and "\n???" not in body and ".md)" not in body
        weights.append(front["weight"])
    assert sorted(weights) == list(range(1, len(pages) + 1))
    for path, data in first.items():
        assert b"canary-example-secret-value" not in data, path
    svgs = [k for k in first if k.endswith(".svg")]
    assert "flux/tazlab-k8s/dag/layer-dag.svg" in svgs
    for svg in svgs:
        text = first[svg].decode()
        assert text.startswith("<?xml") and 'target="_top"' in text
        assert f'data="{posixpath.basename(svg)}"' in pages[posixpath.dirname(svg) + "/index.md"]


def test_repo_outside_git_has_no_date(tmp_path: Path) -> None:
    assert repo_date(tmp_path) is None


def test_all_pages_adds_hand_written_pages_and_their_images() -> None:
    files, _ = export_files(example_config(), all_pages=True)
    index = files["_index.md"].decode()
    assert yaml.safe_load(index.split("---\n")[1])["title"] == "TazLab Wiki"
    assert "](flux/tazlab-k8s/dag/)" in index
    assert "publishing/images-flux-dag-browser.png" in files
    dag = files["flux/tazlab-k8s/dag/index.md"].decode()
    assert "](../../../tazlab-system-map/)" in dag  # Relationships link to hand-written pages


def test_export_removes_its_stale_files_and_nothing_else(tmp_path: Path) -> None:
    out = tmp_path / "wiki"
    foreign = tmp_path / "wiki" / "notes.txt"
    out.mkdir()
    foreign.write_text("mine")
    files = export_hugo(example_config(), out)
    assert foreign.is_file()  # no earlier export there: other files are left alone
    stale = out / "flux" / "tazlab-k8s" / "layers" / "old" / "index.md"
    stale.parent.mkdir(parents=True)
    stale.write_text("old")
    again = export_hugo(example_config(), out)
    assert again == files == sorted(files)
    assert not stale.exists() and not stale.parent.exists() and not foreign.exists()


def test_cli_export_hugo(tmp_path: Path) -> None:
    out = tmp_path / "content" / "wiki"
    result = run_cli(["export", "hugo", "--out", str(out), "--config-file",
                      str(ROOT / "mkdocs.yml")])
    assert result.exit_code == 0, result.output
    assert "exported" in result.output and (out / "flux" / "tazlab-k8s" / "dag" / "layer-dag.svg").is_file()
    bad = tmp_path / "mkdocs.yml"
    bad.write_text("site_name: x\nplugins: [search]\n")
    result = run_cli(["export", "hugo", "--out", str(out), "--config-file", str(bad)])
    assert result.exit_code != 0 and "flux-wiki" in result.output and "Traceback" not in result.output


def test_hand_written_pages_are_exported_as_the_site_shows_them(tmp_path: Path) -> None:
    from .conftest import example_config

    export_hugo(example_config(), tmp_path / "wiki", all_pages=True)
    layers = (tmp_path / "wiki" / "tazlab-k8s-layers" / "index.md").read_text()
    assert "<!-- flux-wiki:layers -->" not in layers
    assert "| Layer | Depends On | What It Installs | Main Runtime Surface |" in layers
    system_map = (tmp_path / "wiki" / "tazlab-system-map" / "index.md").read_text()
    assert "## Relationships" in system_map and "## Source Basis" in system_map
