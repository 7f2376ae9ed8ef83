"""The viewer's pure rules run under node: the natural-size zoom, edge ends from Graphviz titles, SVG lengths.

The browser test (test_viewer_browser.py) checks the same rules end to end; these pin the edge cases a page
would rarely show (text sizes too far apart for both bounds, ports, ids that contain the edge operator).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

import pytest

from flux_wiki.render.viewer import VIEWER_JS

PT = 4 / 3

HARNESS = """
global.window = {};
global.document = { readyState: "complete", querySelectorAll: () => [] };
SCRIPT
const v = window.FluxWikiViewer;
console.log(JSON.stringify(CALLS.map(([f, args]) => v[f](...args))));
"""

EDGE_IDS = {"a": 1, "b": 1, "ks_flux-system/apps-data": 1, "x->y": 1, "n:1": 1}
EDGE_TITLES = ["a->b", "a--b", "a:out:s->b:in", "ks_flux-system/apps-data->a", "x->y->a", "n:1->b", "a->nowhere", ""]
LENGTHS = ["300pt", "300", "12.5px", "1in", "100%", "", None, "auto"]
# (text sizes in viewBox units, px per unit at 1:1, body font px)
SIZES = [([11, 9, 12], PT, 16), ([], PT, 16), ([14], PT, 16), ([6, 7], PT, 16), ([14], PT, 20), ([7, 11], PT, 16),
         ([6, 20], PT, 16), ([11], 1.0, 16)]

FLOORS = [[11, 7, 0], [20], []]
# (natural zoom, 10 px floor zoom, zoom that fits the box or 0 when not laid out)
INITIAL = [(1.5, 1.0, 2.0), (1.5, 1.0, 1.2), (1.5, 1.0, 0.1), (1.5, 1.0, 0), (1.5, 1.5, 0.5)]


@pytest.fixture(scope="module")
def results() -> dict[str, list[Any]]:
    """Every case above through viewer.js in one node run."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    calls = ([("naturalScale", list(case)) for case in SIZES] + [("edgeEnds", [t, EDGE_IDS]) for t in EDGE_TITLES]
             + [("lengthPx", [v]) for v in LENGTHS] + [("floorScale", [s]) for s in FLOORS]
             + [("initialScale", list(case)) for case in INITIAL])
    script = HARNESS.replace("SCRIPT", VIEWER_JS).replace("CALLS", json.dumps(calls))
    proc = subprocess.run([node, "-e", script], capture_output=True, text=True, timeout=60, check=True)
    out = json.loads(proc.stdout)
    groups = {"natural": SIZES, "edges": EDGE_TITLES, "lengths": LENGTHS, "floor": FLOORS, "initial": INITIAL}
    results, at = {}, 0
    for name, cases in groups.items():
        results[name], at = out[at:at + len(cases)], at + len(cases)
    return results


def natural(results: dict[str, list[Any]], sizes: list[float], unit: float = PT, body: float = 16) -> float:
    return results["natural"][SIZES.index((sizes, unit, body))]


def test_natural_scale_is_1_to_1_when_every_text_is_readable(results: dict[str, list[Any]]) -> None:
    assert natural(results, [11, 9, 12]) == pytest.approx(PT)  # flux-wiki's own sizes: 12 px .. 16 px
    assert natural(results, []) == pytest.approx(PT)  # no text: Graphviz's 1:1


def test_natural_scale_brings_text_between_10px_and_the_body_size(results: dict[str, list[Any]]) -> None:
    assert natural(results, [14]) * 14 == pytest.approx(16)  # Graphviz's default 14 pt would be 18.7 px
    assert natural(results, [6, 7]) * 6 == pytest.approx(10)
    assert natural(results, [14], body=20) == pytest.approx(PT)  # a larger body font allows 18.7 px
    scale = natural(results, [7, 11])
    assert scale * 7 == pytest.approx(10) and scale * 11 <= 16


def test_the_10px_floor_wins_when_text_sizes_are_too_far_apart(results: dict[str, list[Any]]) -> None:
    scale = natural(results, [6, 20])
    assert scale * 6 == pytest.approx(10) and scale * 20 > 16


def test_natural_scale_honours_a_size_given_in_px(results: dict[str, list[Any]]) -> None:
    assert natural(results, [11], unit=1.0) == pytest.approx(1.0)  # 11 px text at width="…px"


def test_edge_ends_from_graphviz_titles(results: dict[str, list[Any]]) -> None:
    assert results["edges"] == [["a", "b"], ["a", "b"], ["a", "b"], ["ks_flux-system/apps-data", "a"], ["x->y", "a"],
                                ["n:1", "b"], None, None]


def test_svg_lengths_in_css_px(results: dict[str, list[Any]]) -> None:
    assert results["lengths"] == [pytest.approx(400), 300, 12.5, 96, None, None, None, None]


def test_the_floor_is_the_zoom_that_puts_the_smallest_text_at_10px(results: dict[str, list[Any]]) -> None:
    assert results["floor"] == [pytest.approx(10 / 7), pytest.approx(0.5), 0]


def test_the_first_view_shrinks_toward_fitting_but_not_below_the_floor(results: dict[str, list[Any]]) -> None:
    # fits at natural size: natural (never blown up); fits a bit smaller: fit; far too big: the floor;
    # box not laid out (a closed details or tab): natural; no room below natural: natural
    assert results["initial"] == [1.5, 1.2, 1.0, 1.5, 1.5]
