"""The built wiki's diagrams at scale in a real browser (Debian's chromium via Playwright), issue 13.

Two wikis are built with the plugin and Material (instant navigation, light and dark palettes): a generated
250-Kustomization repo (tests/support.py ``generated_repo``) and the largest corpus DAG, Exikle__Artemis-Cluster
(154 Kustomizations in one cluster; tyriis__home-ops has more over three clusters, none as large). On the DAG page
(its overview and the full graph) and on three layer pages (their neighbourhood and layer diagrams) every
diagram ``<text>`` is measured at a 1280 px viewport: between 10 px and the body font size. Zoom goes through
the buttons and the keys, find highlights a node, a click on it lands on its page; no console errors, in both
schemes. Run with ``-s`` to see the measured sizes. ``FLUX_WIKI_SCREENSHOTS=1`` refreshes
docs/images/flux-dag-overview.png and docs/images/flux-layer-neighbourhood.png from the corpus (light scheme);
otherwise the screenshots go to a temporary folder so a test run never changes the work tree.
"""

from __future__ import annotations

import functools
import os
import shutil
import threading
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator

import pytest

from ..support import CORPORA, ROOT, build_site, generated_repo
from .test_viewer_browser import BODY_SIZE, SCHEMES, TEXT_SIZES, Tab, _Quiet, browser  # noqa: F401 - a fixture

EXIKLE = CORPORA / "Exikle__Artemis-Cluster"
IMAGES = ROOT / "docs" / "images"


@dataclass(frozen=True)
class Wiki:
    """A built wiki: where its cluster's pages are, three layers to measure, and a find that lands on a page."""

    name: str
    cluster: str
    layers: tuple[str, str, str]
    find: str  # a Kustomization of the full graph, found by name and clicked
    neighbour: tuple[str, str]  # (layer page, a Kustomization of its neighbourhood diagram to find and click)


WIKIS = {
    # app-000 starts a namespace's chain, app-137 is mid-chain with a cross-namespace dependsOn, app-249 the last
    "generated": Wiki("generated", "home", ("app-000", "app-137", "app-249"), "app-201", ("app-137", "app-138")),
    # a root (cilium), a long chain (immich-app) and a layer with many dependents (grafana)
    "corpus": Wiki("corpus", "exikle-artemis-cluster", ("cilium", "immich-app", "grafana"), "immich-app",
                   ("immich-app", "immich-microservices")),
}


def _mkdocs_yml(name: str, repo: Path) -> str:
    toggle = "{icon: material/brightness-7, name: Switch scheme}"
    return (f"site_name: {name}\ntheme:\n  name: material\n  font: false\n  features: [navigation.instant]\n"
            f"  palette:\n"
            f"    - {{media: '(prefers-color-scheme: light)', scheme: default, toggle: {toggle}}}\n"
            f"    - {{media: '(prefers-color-scheme: dark)', scheme: slate, toggle: {toggle}}}\n"
            f"plugins:\n  - flux-wiki:\n      repo: {repo}\n"
            "markdown_extensions: [admonition, attr_list, md_in_html, tables, toc, pymdownx.details,"
            " pymdownx.superfences]\n")


@pytest.fixture(scope="module", params=sorted(WIKIS))
def wiki(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Wiki, str]]:
    """One wiki built (not strict: the corpus has findings of its own) and served on 127.0.0.1."""
    if shutil.which("dot") is None:
        pytest.skip("Graphviz dot is not installed")
    spec = WIKIS[request.param]
    root = tmp_path_factory.mktemp(spec.name)
    if spec.name == "corpus":
        if not EXIKLE.is_dir():
            pytest.skip(f"corpus {EXIKLE.name} not present at {EXIKLE}")
        repo = EXIKLE
    else:
        repo = generated_repo(root / "repo", n=250, namespaces=25)
    (root / "docs").mkdir()
    (root / "docs" / "index.md").write_text(f"# {spec.name}\n", encoding="utf-8")
    (root / "mkdocs.yml").write_text(_mkdocs_yml(spec.name, repo), encoding="utf-8")
    site = build_site(root, root / "site", strict=False)
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield spec, f"http://127.0.0.1:{server.server_address[1]}/flux/{spec.cluster}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(params=sorted(SCHEMES))
def tab(request: pytest.FixtureRequest, browser: Any, wiki: tuple[Wiki, str]) -> Iterator[Tab]:  # noqa: F811
    t = Tab(browser, wiki[1], request.param)
    try:
        yield t
    finally:
        t.context.close()


def open_full_graph(page: Any) -> None:
    page.click("details.flux-wiki-full summary")
    page.wait_for_selector('.flux-wiki-diagram[data-diagram="layer-dag-full"] .fw-viewer-bar')


def diagram(page: Any, name: str, expression: str) -> Any:
    """Evaluate ``expression`` with ``box`` (the diagram ``name``) and ``v`` (its viewer) in scope."""
    return page.eval_on_selector(f'.flux-wiki-diagram[data-diagram="{name}"]',
                                 f"box => {{ const v = box.fluxWikiViewer; return {expression}; }}")


def measured(page: Any) -> dict[str, list[float]]:
    """Every shown diagram's text sizes in CSS px, by diagram name."""
    names = page.eval_on_selector_all(".flux-wiki-diagram", "boxes => boxes.map(b => b.dataset.diagram)")
    return {name: [size for size, _ in page.eval_on_selector(f'.flux-wiki-diagram[data-diagram="{name}"]', TEXT_SIZES)]
            for name in names}


def test_every_diagram_text_is_between_10px_and_the_body_size(wiki: tuple[Wiki, str], tab: Tab) -> None:
    spec, _ = wiki
    seen: dict[str, list[float]] = {}
    for path in ["dag/"] + [f"layers/{layer}/" for layer in spec.layers]:
        page = tab.open(path)
        assert page.get_attribute("body", "data-md-color-scheme") == SCHEMES[tab.scheme]
        body = page.evaluate(BODY_SIZE)
        assert body == 16
        if path == "dag/":
            open_full_graph(page)
        sizes = measured(page)
        expected = {"layer-dag", "layer-dag-full"} if path == "dag/" else {"order", "layer"}
        assert expected <= set(sizes), (path, sorted(sizes))
        for name, px in sizes.items():
            assert px, (path, name)
            key = f"{path}{name}"
            seen[key] = px
            # 10 px is the viewer's floor: its zoom is computed in floating point, so allow 0.01 px
            assert min(px) >= 10 - 0.01 and max(px) <= body + 1e-3, (key, min(px), max(px))
    print(f"\n{spec.name} [{tab.scheme}] at 1280 px, body 16 px:")
    for key, px in seen.items():
        print(f"  {key:40} {len(px):4} texts  {min(px):6.2f} .. {max(px):6.2f} px")
    assert tab.errors == []


def test_zoom_with_the_buttons_and_the_keyboard(wiki: tuple[Wiki, str], tab: Tab) -> None:
    spec, _ = wiki
    for path, name in (("dag/", "layer-dag"), (f"layers/{spec.layers[1]}/", "order")):
        page = tab.open(path)
        box = f'.flux-wiki-diagram[data-diagram="{name}"]'
        natural = diagram(page, name, "v.natural")
        scale = lambda: diagram(page, name, "v.scale()")  # noqa: E731
        start = scale()
        page.click(f"{box} .fw-viewer-in")
        assert scale() == pytest.approx(start * 1.25)
        page.click(f"{box} .fw-viewer-out")
        page.click(f"{box} .fw-viewer-out")
        assert scale() == pytest.approx(start / 1.25)
        page.click(f"{box} .fw-viewer-reset")
        assert scale() == pytest.approx(natural)
        page.focus(f"{box} .fw-viewer-port")
        page.keyboard.press("+")
        assert scale() == pytest.approx(natural * 1.25)
        page.keyboard.press("-")
        page.keyboard.press("-")
        assert scale() == pytest.approx(natural / 1.25)
        page.keyboard.press("f")
        assert diagram(page, name, "(p => p.scrollWidth <= p.clientWidth + 1)(box.querySelector('.fw-viewer-port'))")
        page.keyboard.press("0")
        assert scale() == pytest.approx(natural)
    assert tab.errors == []


def _find_and_follow(tab: Tab, name: str, text: str) -> None:
    page = tab.page
    box = f'.flux-wiki-diagram[data-diagram="{name}"]'
    page.fill(f"{box} .fw-viewer-find", text)
    assert page.inner_text(f"{box} .fw-viewer-count") in ("1 match", "2 matches", "3 matches")
    page.press(f"{box} .fw-viewer-find", "Enter")
    hit = diagram(page, name, "box.querySelector('g.fw-hit-current title').textContent")
    assert hit.endswith("/" + text), hit
    assert diagram(page, name, "box.querySelectorAll('g.edge.fw-hit-edge').length") >= 1
    page.locator(f"{box} g.fw-hit-current a").first.click()
    page.wait_for_url(f"**/layers/{text}/")
    page.locator("h1", has_text=text).wait_for()  # instant navigation sets the URL before the content


def test_find_a_node_and_click_it_to_its_page(wiki: tuple[Wiki, str], tab: Tab) -> None:
    spec, _ = wiki
    open_full_graph(tab.open("dag/", wait_until="networkidle"))
    _find_and_follow(tab, "layer-dag-full", spec.find)
    layer, neighbour = spec.neighbour
    tab.open(f"layers/{layer}/", wait_until="networkidle")
    _find_and_follow(tab, "order", neighbour)
    assert tab.errors == []


CENTRE_FOCUS = """(() => { const p = box.querySelector('.fw-viewer-port'), n = box.querySelector('g.fw-focus');
  const pr = p.getBoundingClientRect(), nr = n.getBoundingClientRect();
  p.scrollLeft += nr.left + nr.width / 2 - (pr.left + pr.width / 2);
  p.scrollTop += nr.top + nr.height / 2 - (pr.top + pr.height / 2);
  return true; })()"""


def test_screenshots_of_the_overview_and_a_neighbourhood(wiki: tuple[Wiki, str], browser: Any,  # noqa: F811
                                                         tmp_path: Path) -> None:
    spec, base = wiki
    if spec.name != "corpus":
        pytest.skip("the screenshots are of the largest corpus")
    tab = Tab(browser, base, "light")
    try:
        shots = {"flux-dag-overview.png": ("dag/", "layer-dag"),
                 "flux-layer-neighbourhood.png": (f"layers/{spec.neighbour[0]}/", "order")}
        for file, (path, name) in shots.items():
            page = tab.open(path)
            target = page.locator(f'.flux-wiki-diagram[data-diagram="{name}"]')
            target.scroll_into_view_if_needed()
            if name == "order":  # the layer itself (highlighted) in the middle of the box, as a reader pans to it
                diagram(page, name, CENTRE_FOCUS)
            target.screenshot(path=str(tmp_path / file))
            assert (tmp_path / file).stat().st_size > 10_000
            if os.environ.get("FLUX_WIKI_SCREENSHOTS") == "1":
                IMAGES.mkdir(parents=True, exist_ok=True)
                shutil.copy(tmp_path / file, IMAGES / file)
        assert tab.errors == []
    finally:
        tab.context.close()
