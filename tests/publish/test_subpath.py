"""The MkDocs site served under a sub-path of another site: every same-site link, asset and diagram URL is 200."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections import deque
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

from .conftest import SITE_URL
from .links import is_external, links_in

CRAWLED = ("text/html", "image/svg+xml")


def fetch(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:  # noqa: S310 - 127.0.0.1 only
            return resp.status, resp.headers.get_content_type(), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, "", b""


def crawl(base: str, start: str) -> tuple[dict[str, int], dict[str, list[str]]]:
    """Status of every same-site URL reachable from ``start``, and for each URL the pages that link to it."""
    public = urlsplit(SITE_URL)
    status: dict[str, int] = {}
    referrers: dict[str, list[str]] = {}
    queue = deque([start])
    referrers[start] = ["(start)"]
    while queue:
        url = queue.popleft()
        if url in status:
            continue
        code, kind, body = fetch(url)
        status[url] = code
        if code != 200 or kind not in CRAWLED:
            continue
        for target in links_in(body.decode("utf-8", "replace")):
            if is_external(target):
                continue
            absolute = urldefrag(urljoin(url, target)).url
            parts = urlsplit(absolute)
            if parts.netloc == public.netloc and parts.path.startswith(public.path):
                absolute = base + parts.path + (f"?{parts.query}" if parts.query else "")  # canonical URLs
            elif not absolute.startswith(base + "/"):
                continue
            referrers.setdefault(absolute, []).append(url)
            if absolute not in status:
                queue.append(absolute)
    return status, referrers


def test_every_same_site_url_resolves_under_the_sub_path(served: str, subpath_site: Path) -> None:
    status, referrers = crawl(served, served + "/wiki/")
    broken = {url: (code, referrers[url][:3]) for url, code in status.items() if code != 200}
    assert not broken, broken
    pages = {url for url in status if url.endswith("/")}
    assert served + "/wiki/flux/tazlab-k8s/dag/" in pages
    layers = [u for u in pages if "/wiki/flux/tazlab-k8s/layers/" in u]
    built_layers = sorted(p.parent.name for p in (subpath_site / "wiki/flux/tazlab-k8s/layers").glob("*/index.html"))
    assert sorted(u.rstrip("/").rsplit("/", 1)[1] for u in layers) == built_layers
    assert any(u.endswith(".css") for u in status) and any(u.endswith(".js") for u in status)
    assert all(urlsplit(u).path.startswith("/wiki/") for u in status)


def test_dag_diagram_links_are_followed(served: str) -> None:
    """The inline DAG SVG's node links lead to the layer pages (so the crawl above covers diagram URLs)."""
    code, _, body = fetch(served + "/wiki/flux/tazlab-k8s/dag/")
    assert code == 200
    html = body.decode()
    start = html.index('<div class="flux-wiki-diagram" data-diagram="layer-dag">')
    svg = html[start:html.index("</svg>", start)]
    targets = {t for t in links_in(svg) if "layers/" in t}
    assert len(targets) >= 5
    for t in sorted(targets):
        assert fetch(urljoin(served + "/wiki/flux/tazlab-k8s/dag/", t))[0] == 200, t


def test_canonical_urls_carry_the_sub_path(subpath_site: Path) -> None:
    html = (subpath_site / "wiki/flux/tazlab-k8s/dag/index.html").read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="{SITE_URL}flux/tazlab-k8s/dag/">' in html
