"""Link extraction shared by the crawl and the Hugo build checks: every href/src/data in HTML and SVG."""

from __future__ import annotations

from html.parser import HTMLParser

LINK_ATTRS = {"href", "src", "data", "xlink:href", "poster"}


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in LINK_ATTRS and value:
                self.links.append(value)
            elif name == "srcset" and value:
                self.links += [part.split()[0] for part in value.split(",") if part.strip()]

    handle_startendtag = handle_starttag


def links_in(markup: str) -> list[str]:
    """Every link target in an HTML or SVG document (inline SVG included), in document order."""
    parser = _Links()
    parser.feed(markup)
    parser.close()
    return parser.links


def is_external(target: str) -> bool:
    return target.startswith(("mailto:", "javascript:", "data:", "tel:"))
