"""Diagrams of a build rendered in one engine process, and the disk cache that makes a second build render none.

Counted, not timed: ``SvgRenderer.processes`` and a ``dot`` on PATH that logs each run before running Graphviz.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from flux_wiki.compile import WikiCompiler
from flux_wiki.config import WikiConfig, wiki_config_from_mkdocs
from flux_wiki.render import svg as svg_mod
from flux_wiki.render.diagrams import layer_dag_dot, layer_diagram_dot
from flux_wiki.render.svg import SvgRenderer
from flux_wiki.signed_cache import user_cache_dir

from ..support import EXAMPLE_REPO, build_site, two_cluster_wiki
from .conftest import Layer, facts_of, four_layers, helm_release, make_cluster, url_for

REAL_WHICH = shutil.which
BROKEN = "digraph { a -> "


def _dots(n: int) -> list[str]:
    """``n`` distinct diagrams, as the pages of a cluster have."""
    return [layer_dag_dot(facts_of(four_layers() + [Layer(f"extra-{i}", 1)]), url_for) for i in range(n)]


@pytest.fixture(params=["dot", "graphviz-pure"])
def engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "graphviz-pure":
        monkeypatch.setattr(svg_mod.shutil, "which", lambda name, *a, **k: None if name == "dot" else REAL_WHICH(name))
    found = svg_mod.find_engine()
    if found is None or found[0] != request.param:
        pytest.skip(f"{request.param} is not installed")
    return request.param


def test_many_diagrams_render_in_one_process_as_each_alone(engine: str) -> None:
    dots = _dots(5)
    batch = SvgRenderer()
    results = batch.render_many(dots + [dots[0]])
    assert batch.processes == 1 and batch.renders == 5
    alone = [SvgRenderer().render(dot) for dot in dots]
    assert [r.svg for r in results] == [r.svg for r in alone] + [alone[0].svg]
    assert all(r.engine == engine and r.warning is None for r in results)
    assert [r.cached for r in results] == [False] * 5 + [True]


def _clustered(n: int, namespaces: int = 3) -> list[str]:
    """``n`` diagrams with several clusters (a layer's HelmReleases in ``namespaces`` namespaces)."""
    cluster = make_cluster(four_layers())
    return [layer_diagram_dot(cluster, "flux-system/apps", [], url_for,
                              releases=[helm_release(f"ns-{j}", f"app-{i}", "chart", "1.0")
                                        for j in range(namespaces)])
            for i in range(n)]


def test_diagrams_with_clusters_are_drawn_as_alone(engine: str) -> None:
    dots = _dots(3) + _clustered(2)
    assert all(dot.count("subgraph cluster_") == 3 for dot in dots[3:])
    batch = SvgRenderer()
    results = batch.render_many(dots)
    assert [r.svg for r in results] == [SvgRenderer().render(dot).svg for dot in dots]
    # the system dot may order clusters by memory address (2.43 does): each such graph needs a fresh process, so
    # one leads the batch (a run's first graph is drawn as alone) and the other gets a process of its own
    assert batch.processes == (1 if engine == "graphviz-pure" else 2)


def _drawn_after(dot: str, before: list[str]) -> str:
    """The SVG the system ``dot`` draws for ``dot`` after ``before`` in one run."""
    found = svg_mod.find_engine()
    assert found is not None
    output = subprocess.run([found[1], "-Tsvg"], input="\n".join(before + [dot]).encode("utf-8"),
                            capture_output=True, check=True).stdout
    start, end = svg_mod._document_bounds(output)[-1]
    return svg_mod._inline("dot", svg_mod._as_alone(output[start:end].decode("utf-8"))).svg or ""


def test_each_batch_is_led_by_a_graph_that_needs_a_fresh_process(engine: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Graphs with clusters lead the batches (one each), the rest run alone: as many processes as such graphs,
    or batches if there are more of those; every drawing as the graph alone."""
    monkeypatch.setattr(svg_mod, "BATCH_GRAPHS", 3)
    clustered, free = _clustered(4, namespaces=6), _dots(5)
    alone = [SvgRenderer().render(dot).svg for dot in clustered + free]
    if engine == "dot" and b"version 2.4" in subprocess.run(["dot", "-V"], capture_output=True).stderr:
        # where not first in a run, such a graph is drawn otherwise (9 runs in 10 here: where the names land
        # depends on the address space's random layout), so this test can tell a batch that is not led by it
        assert any(_drawn_after(clustered[0], free[:2]) != alone[0] for _ in range(5))
    batch = SvgRenderer()
    results = batch.render_many(free[:2] + clustered + free[2:])
    assert [r.svg for r in results] == alone[4:6] + alone[:4] + alone[6:]
    # batches of 3: [clustered 0, free 0, free 1], [clustered 1, free 2, free 3], [clustered 2, free 4]; clustered 3
    # alone (graphviz-pure draws any graph alike in any run: 9 graphs in batches of 3)
    assert batch.processes == (3 if engine == "graphviz-pure" else 4)
    fewer = SvgRenderer()
    assert [r.svg for r in fewer.render_many(clustered[:1] + free)] == alone[:1] + alone[4:]
    assert fewer.processes == 2  # two batches, the first led by the clustered graph


def test_a_broken_diagram_is_named_and_the_others_render(engine: str) -> None:
    dots = _dots(6)
    batch = SvgRenderer()
    results = batch.render_many(dots[:3] + [BROKEN] + dots[3:])
    assert results[3].svg is None and results[3].warning == SvgRenderer().render(BROKEN).warning
    assert all(r.svg for i, r in enumerate(results) if i != 3)
    assert batch.processes <= 1 + 2 * 3  # halved until the broken one runs alone: log2(7) levels, not 7 runs


@pytest.mark.parametrize("graphs, chars, processes", [(2, 10**9, 3), (10**9, 0, 5), (3, 10**9, 2)])
def test_a_batch_is_bounded_by_graphs_and_by_dot_size(engine: str, monkeypatch: pytest.MonkeyPatch, graphs: int,
                                                     chars: int, processes: int) -> None:
    """A large wiki's diagrams go to several engine runs, each within the bounds (a graph above the size bound
    runs alone), drawn as each alone."""
    monkeypatch.setattr(svg_mod, "BATCH_GRAPHS", graphs)
    monkeypatch.setattr(svg_mod, "BATCH_DOT_CHARS", chars)
    dots = _dots(5)
    batch = SvgRenderer()
    results = batch.render_many(dots)
    assert batch.processes == processes and batch.renders == 5
    assert [r.svg for r in results] == [SvgRenderer().render(dot).svg for dot in dots]


def test_batches_keep_the_order_and_cut_at_the_size_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(svg_mod, "BATCH_GRAPHS", 3)
    monkeypatch.setattr(svg_mod, "BATCH_DOT_CHARS", 10)
    dots = ["a" * 4, "b" * 4, "c" * 20, "d", "e", "f", "g"]  # each counts its newline
    assert svg_mod._batches([0, 1, 2, 3, 4, 5, 6], dots) == [[0, 1], [2], [3, 4, 5], [6]]
    assert svg_mod._batches([1, 3, 6], dots) == [[1, 3, 6]]
    assert svg_mod._batches([], dots) == []
    # graphs that need a fresh process lead batches while they last; one too large for company leads alone
    assert svg_mod._batches([0, 1, 3, 4, 5], dots, leads=[2, 6]) == [[2], [0, 1], [6, 3, 4], [5]]
    assert svg_mod._batches([3], dots, leads=[0, 1]) == [[0, 3]]
    assert svg_mod._batches([], dots, leads=[0]) == []


def test_a_broken_diagram_in_one_of_several_batches_is_named(engine: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(svg_mod, "BATCH_GRAPHS", 4)
    dots = _dots(6)
    batch = SvgRenderer()
    results = batch.render_many(dots[:5] + [BROKEN] + dots[5:])
    assert results[5].svg is None and results[5].warning == SvgRenderer().render(BROKEN).warning
    assert [r.svg for i, r in enumerate(results) if i != 5] == [SvgRenderer().render(dot).svg for dot in dots]
    assert batch.processes <= 1 + 1 + 2 * 2  # the good batch once; the other halved until the broken one is alone


def test_a_single_build_reads_each_diagram_back_from_disk_instead_of_holding_them(tmp_path: Path, engine: str) -> None:
    """``hold`` off (``compile(last=True)``): what the disk cache holds is not kept in memory after
    :meth:`SvgRenderer.prepare`; each :meth:`SvgRenderer.render` reads it back, and nothing renders twice."""
    dots = _dots(4)
    once = SvgRenderer(tmp_path / "cache")
    once.hold = False
    once.prepare(dots[:3] + [BROKEN])
    assert once.processes >= 1 and once.renders == 4
    assert len(once._memory) == 1  # only the broken one: it has no SVG to read back
    processes = once.processes
    results = [once.render(dot) for dot in dots[:3] + [BROKEN]]
    assert once.processes == processes and once._disk is not None and once._disk.hits == 3
    assert [r.svg for r in results[:3]] == [SvgRenderer().render(dot).svg for dot in dots[:3]]
    assert results[3].svg is None and results[3].warning
    assert once.render(dots[3]).svg and len(once._memory) == 1  # a miss is rendered alone, not held either
    held = SvgRenderer(tmp_path / "cache")  # `mkdocs serve`: kept in memory for the next rebuild
    held.prepare(dots)
    assert len(held._memory) == 4 and held.renders == 0


def test_without_a_disk_cache_a_single_build_holds_what_it_renders(engine: str) -> None:
    once = SvgRenderer()
    once.hold = False
    once.prepare(_dots(3))
    assert len(once._memory) == 3
    processes = once.processes
    assert all(once.render(dot).cached for dot in _dots(3)) and once.processes == processes


def test_only_what_the_caches_miss_is_rendered(tmp_path: Path, engine: str) -> None:
    dots = _dots(3)
    SvgRenderer(tmp_path).render_many(dots[:2])
    again = SvgRenderer(tmp_path)
    results = again.render_many(dots)
    assert again.renders == 1 and again.processes == 1
    assert [r.cached for r in results] == [True, True, False]


def _counting_dot(folder: Path) -> Path:
    """A `dot` on PATH that appends a line to ``folder/runs`` and runs Graphviz's."""
    real = REAL_WHICH("dot")
    if real is None:
        pytest.skip("Graphviz dot is not installed")
    folder.mkdir()
    script = folder / "dot"
    script.write_text(f'#!/bin/sh\necho run >> "{folder}/runs"\nexec "{real}" "$@"\n')
    script.chmod(0o755)
    return folder / "runs"


def _runs(log: Path) -> int:
    return len(log.read_text().splitlines()) if log.exists() else 0


def _wiki(root: Path, **options: object) -> Path:
    wiki = two_cluster_wiki(root, layers=("apps", "infra", "media"))
    config = {"site_name": "x", "plugins": [{"flux-wiki": {"repo": "data/gitops", **options}}]}
    (wiki / "mkdocs.yml").write_text(yaml.safe_dump(config))
    return wiki


def test_a_build_after_a_build_runs_no_dot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = _counting_dot(tmp_path / "bin")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    wiki = _wiki(tmp_path / "wiki")
    first = build_site(wiki, tmp_path / "site1")
    assert _runs(log) == 1  # every diagram of both clusters in one process
    assert list(user_cache_dir().glob("*.svg")) and not (wiki / ".cache").exists()
    second = build_site(wiki, tmp_path / "site2")  # a new plugin: what a second `mkdocs build` process is
    assert _runs(log) == 1
    page = "flux/home/dag/index.html"
    assert (first / page).read_text() == (second / page).read_text()


def test_without_the_disk_cache_each_build_renders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = _counting_dot(tmp_path / "bin")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    wiki = _wiki(tmp_path / "wiki", cache=False)
    build_site(wiki, tmp_path / "site1")
    build_site(wiki, tmp_path / "site2")
    assert _runs(log) == 2 and not (wiki / ".cache").exists() and not list(user_cache_dir().glob("*.svg"))


def test_cache_dir_is_taken_from_mkdocs_yml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user"))
    wiki = _wiki(tmp_path / "wiki")  # default: the user's cache directory, where no repository writes
    assert wiki_config_from_mkdocs(wiki / "mkdocs.yml").cache_dir == tmp_path / "user" / "flux-wiki"
    wiki = _wiki(tmp_path / "other", cache_dir="build/diagrams")
    assert wiki_config_from_mkdocs(wiki / "mkdocs.yml").cache_dir == wiki / "build" / "diagrams"
    wiki = _wiki(tmp_path / "off", cache=False)
    assert wiki_config_from_mkdocs(wiki / "mkdocs.yml").cache_dir is None


def test_the_example_wiki_draws_its_diagrams_in_one_process_per_graph_with_clusters() -> None:
    """The bundled example as `flux-wiki init` sets it up: 21 diagrams, 4 of them with several clusters (the full
    DAG, the surface map, two layers' neighbourhoods). With Graphviz 2.4x each of those needs a fresh process; one
    of them leads the batch of the 17 others, so 4 processes (5 before batches were led)."""
    found = svg_mod.find_engine()
    if found is None or found[0] != "dot":
        pytest.skip("Graphviz dot is not installed")
    compiler = WikiCompiler()
    compiler.compile(WikiConfig(repo=EXAMPLE_REPO))
    assert compiler.svg.renders == 21
    assert compiler.svg.processes == 4
