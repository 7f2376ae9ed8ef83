"""Without a Graphviz engine a diagram is its DOT source in plain HTML: readable, escaped, and one HTML block
(also inside the full graph's <details>, where Markdown is not parsed)."""

from __future__ import annotations

import logging
from pathlib import Path

import markdown
import pytest

from flux_wiki.compile import WikiCompiler
from flux_wiki.config import WikiConfig
from flux_wiki.render.svg import RenderResult

NESTED = Path(__file__).parents[1] / "analysis" / "fixtures" / "order" / "nested"


def test_without_graphviz_each_diagram_is_its_escaped_dot_source(monkeypatch: pytest.MonkeyPatch,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    compiler = WikiCompiler()
    monkeypatch.setattr(compiler.svg, "render", lambda dot: RenderResult(None, None, "no Graphviz engine available"))
    caplog.set_level(logging.WARNING, logger="mkdocs.plugins.flux-wiki")
    wiki = compiler.compile(WikiConfig(repo=NESTED))
    dag = next(p.markdown for p in wiki.pages if p.path.endswith("dag.md"))
    assert dag.count("<summary>Diagram source (Graphviz not available)</summary>") == 1
    html = markdown.markdown(dag, extensions=["tables"])
    block = html.split('<details class="flux-wiki-dot">', 1)[1].split("</details>", 1)[0]
    assert "digraph layers {" in block and "-&gt;" in block and "<p>" not in block
    assert any("diagram layer-dag on" in r.getMessage() and "not rendered" in r.getMessage() for r in caplog.records)
