"""A real browser (Debian's chromium, driven by Playwright) opens the DAG page under /wiki/ and clicks a node.

Set FLUX_WIKI_SCREENSHOTS=1 to refresh docs/images/flux-dag-browser.png; otherwise the screenshot goes
to the test's temporary folder so a test run never changes the work tree.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from ..support import ROOT

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-quic"]
SCREENSHOT = ROOT / "docs" / "images" / "flux-dag-browser.png"


def _open_page(tmp_path: Path, scheme: str):  # type: ignore[no-untyped-def]
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"{CHROMIUM} is not installed (bash .ci/setup test installs Debian's chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install .[test])")
    profile = tmp_path / f"profile-{scheme}"
    profile.mkdir()
    with sync_api.sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=FLAGS,
            viewport={"width": 1280, "height": 900}, color_scheme=scheme)
        try:
            yield context.pages[0] if context.pages else context.new_page()
        finally:
            context.close()


@pytest.fixture
def browser_page(tmp_path: Path):  # type: ignore[no-untyped-def]
    yield from _open_page(tmp_path, "light")


@pytest.fixture
def dark_page(tmp_path: Path):  # type: ignore[no-untyped-def]
    yield from _open_page(tmp_path, "dark")


def test_click_a_dag_node_lands_on_its_layer_page(browser_page, served: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = browser_page
    errors: list[str] = []
    external: list[str] = []

    def ours(url: str) -> bool:
        return url.startswith(served + "/") or not url.startswith(("http:", "https:"))

    def console(msg) -> None:  # type: ignore[no-untyped-def]
        if msg.type != "error":
            return
        # Material asks api.github.com for the repo's stars (repo_url): offline that request fails, and
        # Chromium reports it on the console; it is not the wiki's error, so it is kept apart.
        (errors if ours(msg.location.get("url", "")) and "api.github.com" not in msg.text else external).append(
            f"console: {msg.text} at {msg.location.get('url')}")

    page.on("console", console)
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on("response", lambda r: (errors if ours(r.url) else external).append(f"HTTP {r.status}: {r.url}")
            if r.status >= 400 else None)
    page.on("requestfailed", lambda r: (errors if ours(r.url) else external).append(f"failed: {r.url} {r.failure}"))

    page.goto(served + "/wiki/flux/tazlab-k8s/dag/", wait_until="load")
    assert page.title().startswith("TazLab Flux DAG")
    diagram = page.locator('.flux-wiki-diagram[data-diagram="layer-dag"] svg')
    diagram.scroll_into_view_if_needed()
    shot = tmp_path / "flux-dag-browser.png"
    page.screenshot(path=str(shot))
    if os.environ.get("FLUX_WIKI_SCREENSHOTS") == "1":
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, SCREENSHOT)

    node = diagram.locator('a[*|href*="layers/infrastructure-bridge/"]').first
    assert node.is_visible()
    node.click()
    page.wait_for_url("**/wiki/flux/tazlab-k8s/layers/infrastructure-bridge/")
    assert page.locator("h1").first.inner_text().strip().rstrip("¶") == "infrastructure-bridge"
    assert errors == [], errors
    assert all("api.github.com" in e for e in external), external


def test_diagrams_follow_the_dark_palette(dark_page, served: str) -> None:  # type: ignore[no-untyped-def]
    """In Material's slate scheme the diagram has no white background and its text takes the page's colour."""
    page = dark_page
    page.goto(served + "/wiki/flux/tazlab-k8s/dag/", wait_until="load")
    graph = page.locator('.flux-wiki-diagram[data-diagram="layer-dag"] svg')
    background = graph.evaluate("svg => getComputedStyle(svg.querySelector('.graph polygon')).fill")
    assert background in ("transparent", "rgba(0, 0, 0, 0)"), background
    text = graph.evaluate("svg => getComputedStyle(svg.querySelector('.node text')).fill")
    page_text = page.evaluate("() => getComputedStyle(document.querySelector('.md-typeset')).color")
    assert text == page_text, (text, page_text)
