"""Markers expand to generated fragments; source specs resolve inside their roots; relationships and backlinks."""

from __future__ import annotations

from pathlib import Path

import pytest

from flux_wiki.authoring.basis import collect, problems, relationships_markdown, resolve_source
from flux_wiki.authoring.markers import MarkerExpander, find_markers
from flux_wiki.compile import WikiCompiler, relative_url
from flux_wiki.config import wiki_config_from_mkdocs
from flux_wiki.load.authored import PageBasis, SourceBasisIndex, SourceRoot

from ..support import ROOT


@pytest.fixture(scope="module")
def expander() -> MarkerExpander:
    cfg = wiki_config_from_mkdocs(ROOT / "mkdocs.yml")
    cfg.diagrams = False
    compiler = WikiCompiler()
    compiled = compiler.compile(cfg)
    return MarkerExpander(compiled.model.clusters, compiler.render_options(cfg, compiled.notes, compiled.basis),
                          lambda a, b: relative_url(a, b, True))


def test_layers_marker_is_the_dag_table(expander: MarkerExpander) -> None:
    out, diags = expander.expand("# T\n\nBefore\n\n<!-- flux-wiki:layers -->\n\nAfter\n", "guide/page.md")
    assert not diags
    assert "| Layer | Depends On | What It Installs | Main Runtime Surface |" in out
    assert "[apps-static](../flux/tazlab-k8s/layers/apps-static.md)" in out  # links relative to the page
    assert "apps-openclaw" not in out
    assert out.startswith("# T\n\nBefore\n\n|") and out.endswith("|\n\nAfter\n")


def test_surfaces_marker_for_one_layer(expander: MarkerExpander) -> None:
    out, diags = expander.expand("<!-- flux-wiki:surfaces layer=infrastructure-instances -->\n", "p.md")
    assert not diags
    assert "192.168.1.241" in out and "blog.tazlab.net" not in out
    everything, _ = expander.expand("<!-- flux-wiki:surfaces -->\n", "p.md")
    assert "blog.tazlab.net" in everything and "192.168.1.241" in everything


def test_graph_and_controllers_markers(expander: MarkerExpander) -> None:
    out, diags = expander.expand("<!-- flux-wiki:graph -->\n<!-- flux-wiki:controllers -->\n", "p.md")
    assert not diags
    assert out.startswith("```dot\ndigraph")
    assert 'URL="flux/tazlab-k8s/layers/apps-static/"' in out or "flux/tazlab-k8s/layers/apps-static/" in out
    assert "`kustomize-controller`" in out


def test_bad_markers_are_warnings_with_line_and_stay_invisible(expander: MarkerExpander) -> None:
    text = "# T\n\n<!-- flux-wiki:layerz -->\n<!-- flux-wiki:surfaces layer=nope -->\n<!-- flux-wiki:layers cluster=x -->\n"
    out, diags = expander.expand(text, "p.md", "docs/p.md")
    assert out == text
    assert [(d.file, d.line) for d in diags] == [("docs/p.md", 3), ("docs/p.md", 4), ("docs/p.md", 5)]
    assert "unknown marker" in diags[0].message and "no layer 'nope'" in diags[1].message
    assert "no cluster 'x'" in diags[2].message


def test_markers_in_code_fences_are_left_alone() -> None:
    text = "```md\n<!-- flux-wiki:layers -->\n```\n\n~~~\n<!-- flux-wiki:graph -->\n~~~\n<!-- flux-wiki:graph -->\n"
    assert [(n, m.group(1)) for n, m in find_markers(text)] == [(8, "graph")]


def test_sources_resolve_inside_their_root(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "apps" / "a").mkdir(parents=True)
    (root / "apps" / "a" / "x.yaml").write_text("x")
    (root / "apps" / "b.yaml").write_text("b")
    (root / ".git").mkdir()
    (root / ".git" / "HEAD").write_text("ref")
    (tmp_path / "secret.txt").write_text("s")
    roots = {"r": SourceRoot("r", root, "https://h/o/r/blob/main/")}
    r = resolve_source(roots, "r:apps/*")
    assert r.matches == ["apps/a", "apps/b.yaml"] and r.files == ["apps/a/x.yaml", "apps/b.yaml"]
    assert resolve_source(roots, "r:apps/b.yaml#L7").line == 7
    assert resolve_source(roots, "r:*").files == ["apps/a/x.yaml", "apps/b.yaml"]  # .git skipped
    for spec in ("r:../secret.txt", "r:/etc/passwd", "q:apps/*", "apps/*", "r:apps/none*"):
        assert resolve_source(roots, spec).error and not resolve_source(roots, spec).files, spec
    (root / "escape").symlink_to(tmp_path / "secret.txt")
    assert resolve_source(roots, "r:escape").error


def test_front_matter_and_index_merge_with_backlinks(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text("---\ntitle: Page A\nrelated: [b.md]\nsource_basis: ['r:f.yaml#L3']\n---\n# A\n")
    (docs / "b.md").write_text("# Page B\n")
    (docs / "c.md").write_text("---\nrelated: [a.md, gone.md]\n---\n# C\n")
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "f.yaml").write_text("k: v\n")
    index_file = tmp_path / "sb.yaml"
    index_file.write_text("pages:\n  b.md:\n    related: [a.md]\n")
    index = SourceBasisIndex(index_file, {"r": SourceRoot("r", tmp_path / "r", "https://h/r/")},
                             {"b.md": PageBasis([], ["a.md"])})
    graph = collect(index, docs)
    assert graph.related("a.md") == ["b.md"] and graph.backlinks("a.md") == ["c.md"]
    assert graph.backlinks("b.md") == []  # a.md declares b.md, and b.md already declares a.md
    text = relationships_markdown(graph, "a.md", lambda root, path, line: f"https://h/{path}" + (f"#L{line}" if line else ""))
    assert text == ("## Relationships\n\n- [Page B](b.md)\n\nLinked from: [C](c.md)\n\n"
                    "## Source Basis\n\n- [`r:f.yaml#L3`](https://h/f.yaml#L3)\n")
    found = problems(graph, {"a.md", "b.md", "c.md"})
    assert [(Path(d.file).name, d.line) for d in found] == [("c.md", 2)] and "gone.md" in found[0].message


@pytest.mark.parametrize("pattern", ["*", "apps/*", "apps/*/x.yaml", "**", "**/*.yaml", "apps/**", "apps/**/*.md",
                                     "*/a", "apps/[ab]*", "apps/?.yaml", ".hidden/*", "apps/a/x.yaml", "apps"])
def test_source_globs_match_what_pathlib_matches(tmp_path: Path, pattern: str) -> None:
    for rel in ("apps/a/x.yaml", "apps/a/deep/y.md", "apps/b.yaml", "apps/c.md", ".hidden/h.yaml", "top.yaml"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    expected = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.glob(pattern)) \
        if any(c in pattern for c in "*?[") else [pattern]
    assert sorted(resolve_source({"r": SourceRoot("r", tmp_path)}, f"r:{pattern}").matches) == expected


def test_sources_never_follow_links_out_of_their_root(tmp_path: Path) -> None:
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.yaml").write_text("s")
    root = tmp_path / "repo"
    (root / "apps" / "real").mkdir(parents=True)
    (root / "apps" / "real" / "a.yaml").write_text("a")
    (root / "apps" / "out.yaml").symlink_to(tmp_path / "outside" / "secret.yaml")
    (root / "apps" / "out-dir").symlink_to(tmp_path / "outside")
    (root / "apps" / "alias").symlink_to("real")
    (root / "apps" / "real" / "loop").symlink_to("..")
    roots = {"r": SourceRoot("r", root)}
    r = resolve_source(roots, "r:**/*.yaml")
    assert r.files == ["apps/alias/a.yaml", "apps/real/a.yaml"]
    assert sorted(s.split("'")[1] for s in r.skipped) == ["apps/alias/loop", "apps/out-dir", "apps/out.yaml",
                                                          "apps/real/loop"]
    assert resolve_source(roots, "r:apps/out-dir/*").skipped == [
        "'apps/out-dir' is a symbolic link leading outside the source root 'r'; not followed"]
    assert resolve_source(roots, "r:apps/real/*").skipped == [
        "'apps/real/loop' is a symbolic link to a folder that contains it (a loop); not followed"]
    assert resolve_source(roots, "r:apps/alias/*.yaml").skipped == []
