"""The diagram viewer (render/assets/viewer.js + viewer.css) in a real browser: Debian's chromium via Playwright.

A small Material site is built with the viewer as extra CSS/JS and three Graphviz diagrams rendered here by
``dot`` in the markup flux-wiki emits: a 2-node graph (11 pt, 1:1 is natural), a 250-node wide DAG (11 pt
nodes, 7 pt edge labels: zoomed so the labels reach 10 px) and a graph with a very long label (Graphviz's
default 14 pt, zoomed down to the body size, then to fit the column). Every ``<text>`` is measured at a 1280 px viewport in both
colour schemes. Run with ``-s`` to see the measured sizes.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import threading
import xml.etree.ElementTree as ET
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator

import pytest

from flux_wiki.render.svg import DIAGRAM_CSS, SVG_NS, postprocess_svg
from flux_wiki.render.viewer import VIEWER_CSS, VIEWER_JS

from ..publish.test_browser import CHROMIUM, FLAGS

VIEWPORT = {"width": 1280, "height": 900}
SCHEMES = {"light": "default", "dark": "slate"}
FONT = 'fontname="Helvetica,sans-Serif"'
DIGEST = "sha256:" + "0123456789abcdef" * 4


def two_nodes() -> str:
    return (f'digraph two {{ node [shape=box, style=rounded, {FONT}, fontsize=11]; '
            'alpha [URL="long/"]; beta [URL="wide/"]; alpha -> beta; }')


def wide_dag(nodes: int = 250, parents: int = 10) -> str:
    lines = ["digraph wide {", f"node [shape=box, style=rounded, {FONT}, fontsize=11];", f"edge [{FONT}, fontsize=7];"]
    lines += [f'"ks-{i:03d}" [label="ks-{i:03d}\\n{i % 7} objects", URL="../"];' for i in range(nodes)]
    lines += [f'"ks-{i % parents:03d}" -> "ks-{i:03d}"' + (' [label="wait"]' if i % 25 == 0 else "") + ";"
              for i in range(parents, nodes)]
    return "\n".join(lines + ["}"])


def long_label() -> str:
    return (f'digraph long {{ image [shape=box, label="ghcr.io/example/a-rather-long-image-name@{DIGEST}"]; '
            'chart [label="oci://registry.example.org/charts/some-chart"]; image -> chart; }')


def render(dot: str, natural_size: bool = True) -> str:
    """flux-wiki's inline SVG of ``dot`` (render/svg.py's post-processing: Graphviz's width/height in pt, links
    with ``xlink:href`` only); without ``natural_size`` the width and height are dropped, as older releases did."""
    raw = subprocess.run(["dot", "-Tsvg"], input=dot.encode(), capture_output=True, check=True, timeout=60).stdout
    root = ET.fromstring(postprocess_svg(raw.decode()))
    assert all(link.get("href") is None for link in root.iter(f"{{{SVG_NS}}}a"))
    if not natural_size:
        root.attrib.pop("width")
        root.attrib.pop("height")
    return ET.tostring(root, encoding="unicode")


def page(title: str, name: str, svg: str) -> str:
    links = "[two](index.md) · [wide](wide.md) · [long](long.md) · [sizeless](sizeless.md)"
    return (f"# {title}\n\n{links}\n\nSome body text.\n\n"
            f'<div class="flux-wiki-diagram" data-diagram="{name}">\n{svg}\n</div>\n\nText after the diagram.\n')


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Material site (instant navigation, light/dark palette) with the test diagrams, served on 127.0.0.1."""
    if shutil.which("dot") is None:
        pytest.skip("Graphviz dot is not installed")
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    root = tmp_path_factory.mktemp("viewer")
    docs, out = root / "docs", root / "site"
    (docs / "assets").mkdir(parents=True)
    out.mkdir()
    (docs / "assets" / "diagram.css").write_text(DIAGRAM_CSS, encoding="utf-8")
    (docs / "assets" / "viewer.css").write_text(VIEWER_CSS, encoding="utf-8")
    (docs / "assets" / "viewer.js").write_text(VIEWER_JS, encoding="utf-8")
    (docs / "index.md").write_text(page("Two nodes", "two", render(two_nodes())), encoding="utf-8")
    (docs / "wide.md").write_text(page("Wide", "wide", render(wide_dag())), encoding="utf-8")
    (docs / "long.md").write_text(page("Long label", "long", render(long_label())), encoding="utf-8")
    sizeless = render(two_nodes(), natural_size=False)
    (docs / "sizeless.md").write_text(page("Sizeless", "sizeless", sizeless), encoding="utf-8")

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(out)))
    url = f"http://127.0.0.1:{server.server_address[1]}"
    toggle = {"icon": "material/brightness-7", "name": "Switch scheme"}
    (root / "mkdocs.yml").write_text("site_name: viewer\n", encoding="utf-8")
    build(load_config(
        config_file=str(root / "mkdocs.yml"), docs_dir=str(docs), site_dir=str(out), site_url=url + "/", strict=True,
        plugins=[], extra_css=["assets/diagram.css", "assets/viewer.css"], extra_javascript=["assets/viewer.js"],
        theme={"name": "material", "font": False, "features": ["navigation.instant"],
               "palette": [{"media": "(prefers-color-scheme: light)", "scheme": "default", "toggle": toggle},
                           {"media": "(prefers-color-scheme: dark)", "scheme": "slate", "toggle": toggle}]}))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"{CHROMIUM} is not installed (bash .ci/setup test installs Debian's chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install .[test])")
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            yield chromium
        finally:
            chromium.close()


class Tab:
    """One page in a fresh browser context, with the errors it logged (console errors, page errors, HTTP >= 400)."""

    def __init__(self, browser: Any, base: str, scheme: str, javascript: bool = True):
        self.base, self.scheme = base, scheme
        self.context = browser.new_context(viewport=VIEWPORT, color_scheme=scheme, java_script_enabled=javascript)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(f"console: {m.text}") if m.type == "error" else None)
        self.page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        self.page.on("response", lambda r: self.errors.append(f"HTTP {r.status} {r.url}") if r.status >= 400 else None)

    def open(self, path: str, wait_until: str = "load") -> Any:
        self.page.goto(f"{self.base}/{path}", wait_until=wait_until)
        return self.page

    def viewer(self, expression: str) -> Any:
        """Evaluate ``expression`` with ``box`` (the diagram wrapper) and ``v`` (its viewer API) in scope."""
        return self.page.eval_on_selector(".flux-wiki-diagram",
                                          f"box => {{ const v = box.fluxWikiViewer; return {expression}; }}")


@pytest.fixture(params=sorted(SCHEMES))
def tab(request: pytest.FixtureRequest, browser: Any, site: str) -> Iterator[Tab]:
    t = Tab(browser, site, request.param)
    try:
        yield t
    finally:
        t.context.close()


TEXT_SIZES = """box => Array.from(box.querySelectorAll('svg text')).map(t => {
  const m = t.getScreenCTM(), size = parseFloat(getComputedStyle(t).fontSize);
  return [size * Math.sqrt(Math.abs(m.a * m.d - m.b * m.c)), t.getBoundingClientRect().height];
})"""
BODY_SIZE = "() => parseFloat(getComputedStyle(document.querySelector('.md-typeset')).fontSize)"


def text_sizes(page: Any) -> list[tuple[float, float]]:
    return [tuple(x) for x in page.eval_on_selector(".flux-wiki-diagram", TEXT_SIZES)]


@pytest.mark.parametrize("path, name", [("", "two"), ("wide/", "wide"), ("long/", "long")])
def test_every_text_lands_between_10px_and_the_body_size(tab: Tab, path: str, name: str) -> None:
    page = tab.open(path)
    assert page.get_attribute("body", "data-md-color-scheme") == SCHEMES[tab.scheme]
    body = page.evaluate(BODY_SIZE)
    sizes = text_sizes(page)
    px = [s for s, _ in sizes]
    print(f"\n{name} [{tab.scheme}]: {len(px)} texts, {min(px):.2f}..{max(px):.2f} px, body {body} px, "
          f"zoom {tab.viewer('v.scale()'):.4f} px/pt")
    assert body == 16
    assert min(px) >= 10 - 1e-3 and max(px) <= body + 1e-3, (min(px), max(px))
    # the box the glyphs occupy agrees with the font size computed from the transform
    assert all(0.8 <= height / size <= 1.6 for size, height in sizes), sizes[:5]
    port = tab.viewer("(p => [p.scrollWidth, p.clientWidth, p.firstElementChild.getBoundingClientRect().width])"
                      "(box.querySelector('.fw-viewer-port'))")
    scroll_width, client_width, svg_width = port
    if name == "two":  # not blown up to the column width
        assert svg_width < client_width / 3, port
    elif name == "long":  # a bit wider than the column at 16 px: shrunk to fit, its text still >= 10 px
        assert scroll_width <= client_width and tab.viewer("v.scale() < v.natural"), port
    else:  # far wider: shrunk only to the 10 px floor, then it scrolls inside its box
        assert scroll_width > client_width * 10 and tab.viewer("v.scale() === v.natural"), port
    assert tab.errors == []


def test_a_graph_whose_text_is_natural_stays_at_1_to_1(tab: Tab) -> None:
    """11 pt text is 14.67 px at 1:1, inside [10, 16]: no zoom, also when svg.py dropped width/height."""
    for path in ("", "sizeless/"):
        tab.open(path)
        assert tab.viewer("v.scale()") == pytest.approx(4 / 3)
        assert [s for s, _ in text_sizes(tab.page)] == pytest.approx([11 * 4 / 3] * 2, abs=0.02)
    assert tab.errors == []


def test_zoom_with_buttons_keys_and_ctrl_wheel(tab: Tab) -> None:
    page = tab.open("wide/")
    natural = tab.viewer("v.natural")
    scale = lambda: tab.viewer("v.scale()")  # noqa: E731
    page.click(".fw-viewer-in")
    assert scale() == pytest.approx(natural * 1.25)
    page.click(".fw-viewer-out")
    page.click(".fw-viewer-out")
    assert scale() == pytest.approx(natural / 1.25)
    assert page.inner_text(".fw-viewer-zoom") == "80%"
    page.click(".fw-viewer-reset")
    assert scale() == pytest.approx(natural)

    page.focus(".fw-viewer-port")
    page.keyboard.press("+")
    assert scale() == pytest.approx(natural * 1.25)
    page.keyboard.press("-")
    page.keyboard.press("-")
    assert scale() == pytest.approx(natural / 1.25)
    page.keyboard.press("f")
    fitted = tab.viewer("(() => { const s = box.querySelector('svg').getBoundingClientRect(),"
                        " p = box.querySelector('.fw-viewer-port'), r = p.getBoundingClientRect();"
                        " return [s.left >= r.left - 0.5 && s.right <= r.right + 0.5 && s.top >= r.top - 0.5"
                        " && s.bottom <= r.bottom + 0.5, p.scrollWidth <= p.clientWidth, s.width / r.width]; })()")
    assert fitted[:2] == [True, True] and fitted[2] > 0.95, fitted
    fit_scale = scale()
    assert fit_scale < natural / 10
    assert page.evaluate("() => document.activeElement.classList.contains('fw-viewer-port')")  # f stayed with us
    page.keyboard.press("0")
    assert scale() == pytest.approx(natural)
    left = tab.viewer("box.querySelector('.fw-viewer-port').scrollLeft")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert tab.viewer("box.querySelector('.fw-viewer-port').scrollLeft") == left + 80
    page.click(".fw-viewer-fit")
    assert scale() == pytest.approx(fit_scale)
    page.click(".fw-viewer-reset")

    box = page.locator(".fw-viewer-port").bounding_box()
    page.mouse.move(box["x"] + 200, box["y"] + 60)
    page.mouse.wheel(0, 100)  # a plain wheel scrolls, it does not zoom
    assert scale() == pytest.approx(natural)
    page.keyboard.down("Control")
    page.mouse.wheel(0, -100)
    page.keyboard.up("Control")
    page.wait_for_function("() => document.querySelector('.flux-wiki-diagram').fluxWikiViewer.scale() > "
                           f"{natural * 1.1}", timeout=5000)
    assert tab.errors == []


def test_drag_pans_and_never_follows_the_link(tab: Tab) -> None:
    page = tab.open("wide/")
    node = page.locator('.flux-wiki-diagram g.node:has(title:text-is("ks-005")) a').first
    node.scroll_into_view_if_needed()
    box = node.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    before = tab.viewer("box.querySelector('.fw-viewer-port').scrollLeft")
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - 150, y, steps=5)
    page.mouse.move(x - 300, y, steps=5)
    page.mouse.up()
    after = tab.viewer("box.querySelector('.fw-viewer-port').scrollLeft")
    assert after - before == pytest.approx(300, abs=2)
    page.wait_for_timeout(100)
    assert page.url == f"{tab.base}/wide/"
    node.click()  # a click without a drag follows the node's link
    page.wait_for_url(f"{tab.base}/")
    page.locator("h1", has_text="Two nodes").wait_for()  # instant navigation sets the URL before the content
    assert tab.errors == []


def test_find_highlights_the_node_and_its_edges(tab: Tab) -> None:
    page = tab.open("wide/")
    page.fill(".fw-viewer-find", "KS-137")
    assert page.inner_text(".fw-viewer-count") == "1 match"
    hits = tab.viewer("Array.from(box.querySelectorAll('g.node.fw-hit title'), t => t.textContent)")
    edges = tab.viewer("Array.from(box.querySelectorAll('g.edge.fw-hit-edge title'), t => t.textContent)")
    assert (hits, edges) == (["ks-137"], ["ks-007->ks-137"])
    page.press(".fw-viewer-find", "Enter")
    assert page.inner_text(".fw-viewer-count") == "1 of 1"
    centred = tab.viewer("(() => { const n = box.querySelector('g.fw-hit-current').getBoundingClientRect(),"
                         " p = box.querySelector('.fw-viewer-port').getBoundingClientRect();"
                         " return [n.left + n.width / 2 - (p.left + p.width / 2), n.left >= p.left, n.right <= p.right]; })()")
    assert abs(centred[0]) < 10 and centred[1:] == [True, True], centred
    colours = page.evaluate("""() => {
      const palette = name => {
        const probe = document.createElement('span');
        probe.style.color = `var(${name})`;
        document.querySelector('article').appendChild(probe);
        return getComputedStyle(probe).color;
      };
      const titles = Array.from(document.querySelectorAll('g.node title')),
            opacity = id => getComputedStyle(titles.find(t => t.textContent === id).parentNode).opacity;
      return [palette('--md-accent-fg-color'), getComputedStyle(document.querySelector('g.fw-hit path')).stroke,
              getComputedStyle(document.querySelector('g.fw-hit-edge path')).stroke, opacity('ks-007'),
              opacity('ks-008'), palette('--md-default-fg-color'),
              getComputedStyle(document.querySelector('.fw-viewer-button')).color];
    }""")
    # the match and its edge in the accent colour, the edge's other end readable, the rest faded; the
    # toolbar in the scheme's text colour
    accent, hit, edge, near, other, text, button = colours
    assert accent == hit == edge and (near, other) == ("1", "0.25") and text == button, colours

    page.fill(".fw-viewer-find", "ks-01")  # ks-010 .. ks-019
    assert page.inner_text(".fw-viewer-count") == "10 matches"
    page.press(".fw-viewer-find", "Enter")
    page.press(".fw-viewer-find", "Enter")
    assert page.inner_text(".fw-viewer-count") == "2 of 10"
    assert tab.viewer("box.querySelector('g.fw-hit-current title').textContent") == "ks-011"
    page.press(".fw-viewer-find", "Shift+Enter")
    assert tab.viewer("box.querySelector('g.fw-hit-current title').textContent") == "ks-010"
    page.press(".fw-viewer-find", "Escape")
    assert tab.viewer("box.querySelectorAll('.fw-hit, .fw-hit-edge').length") == 0
    page.fill(".fw-viewer-find", "no-such-node")
    assert page.inner_text(".fw-viewer-count") == "no match"
    assert tab.errors == []


def test_instant_navigation_enhances_each_new_page_once(tab: Tab) -> None:
    page = tab.open("", wait_until="networkidle")  # Material follows links in place once it has the sitemap
    assert page.evaluate("() => typeof window.document$.subscribe") == "function"
    page.evaluate("() => { window.stillTheSameDocument = true; }")
    page.get_by_role("link", name="wide", exact=True).click()
    page.wait_for_url(f"{tab.base}/wide/")
    page.wait_for_selector('.flux-wiki-diagram[data-diagram="wide"] .fw-viewer-bar')
    assert page.evaluate("() => window.stillTheSameDocument") is True  # Material swapped the content in place
    assert page.locator(".fw-viewer-bar").count() == 1
    page.go_back()
    page.wait_for_selector('.flux-wiki-diagram[data-diagram="two"] .fw-viewer-bar')
    assert page.locator(".fw-viewer-bar").count() == 1
    page.locator('g.node:has(title:text-is("beta")) a').click()  # a diagram link is loaded in place too
    page.wait_for_url(f"{tab.base}/wide/")
    page.wait_for_selector('.flux-wiki-diagram[data-diagram="wide"] .fw-viewer-bar')
    assert page.evaluate("() => window.stillTheSameDocument") is True
    assert tab.errors == []


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
def test_without_javascript_the_svg_shows_at_natural_size_and_scrolls(browser: Any, site: str, scheme: str) -> None:
    tab = Tab(browser, site, scheme, javascript=False)
    try:
        page = tab.open("wide/")
        assert page.locator(".fw-viewer-bar").count() == 0
        svg = page.locator(".flux-wiki-diagram > svg")
        assert svg.is_visible()
        # Playwright's evaluation runs even though the page's own scripts are disabled
        scroll_width, client_width, max_height = page.eval_on_selector(
            ".flux-wiki-diagram", "b => [b.scrollWidth, b.clientWidth, getComputedStyle(b).maxHeight]")
        assert scroll_width > client_width * 10
        assert max_height == f"{0.8 * VIEWPORT['height']:g}px"
        assert {round(s, 1) for s, _ in text_sizes(page)} == {14.7, 9.3}  # 1:1: 11 pt nodes, 7 pt labels
        page.eval_on_selector(".flux-wiki-diagram", "b => { b.scrollLeft = 5000; }")
        assert page.eval_on_selector(".flux-wiki-diagram", "b => b.scrollLeft") == 5000
        sizeless = tab.open("sizeless/")  # no width/height (older releases): visible, as wide as the column
        assert sizeless.locator(".flux-wiki-diagram > svg").bounding_box()["width"] > 300
        assert tab.errors == []
    finally:
        tab.context.close()
