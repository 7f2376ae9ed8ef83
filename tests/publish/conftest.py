"""Fixtures for the publishing tests: the example wiki's config, a built sub-path site and a local server."""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

import pytest

from flux_wiki.config import WikiConfig

from ..support import ROOT

SITE_URL = "https://blog.tazlab.net/wiki/"


def example_config(**overrides: object) -> WikiConfig:
    """The example wiki's options (as mkdocs.yml sets them), without reading mkdocs.yml."""
    options: dict[str, object] = dict(
        repo=ROOT / "data" / "tazlab-k8s", clusters=["tazlab-k8s"], exclude=["flux-system/apps-openclaw"],
        notes=ROOT / "data" / "notes.yaml", source_basis=ROOT / "data" / "source-basis.yaml",
        browse_url="https://github.com/tazzo/tazlab-k8s/blob/master/", docs_dir=ROOT / "docs")
    options.update(overrides)
    return WikiConfig(**options)  # type: ignore[arg-type]


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass


@pytest.fixture(scope="session")
def subpath_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example built with ``site_url: https://blog.tazlab.net/wiki/`` into ``<root>/wiki``; returns <root>.

    The theme's web fonts are turned off (``theme.font: false``): they come from Google Fonts, which a
    machine without internet cannot reach, and they are not part of the wiki.
    """
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.utils.yaml import yaml_load

    root = tmp_path_factory.mktemp("blog")
    with (ROOT / "mkdocs.yml").open("rb") as fh:
        theme = dict(yaml_load(fh)["theme"])
    theme["font"] = False
    cfg = load_config(config_file=str(ROOT / "mkdocs.yml"), site_url=SITE_URL, site_dir=str(root / "wiki"),
                      theme=theme, strict=True)
    build(cfg)
    return root


@pytest.fixture(scope="session")
def served(subpath_site: Path) -> Iterator[str]:
    """``subpath_site`` served on 127.0.0.1 (a free port, a thread); yields the base URL without a slash."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(subpath_site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
