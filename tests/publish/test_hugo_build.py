"""The Hugo export built by a real Hugo (Debian's): every page renders and every internal link resolves."""

from __future__ import annotations

import posixpath
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

import pytest

from flux_wiki.export import export_hugo

from .conftest import example_config
from .links import is_external, links_in

CONFIG = """\
baseURL = "https://blog.example/"
title = "flux-wiki export test"
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT"]
[markup.goldmark.renderer]
unsafe = true
"""
LAYOUTS = {
    "baseof.html": '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{{ .Title }}</title>'
                   '<meta name="description" content="{{ .Description }}"></head>\n'
                   '<body>{{ block "main" . }}{{ end }}</body></html>\n',
    "single.html": '{{ define "main" }}<article><h1>{{ .Title }}</h1>{{ .Content }}</article>{{ end }}\n',
    "list.html": '{{ define "main" }}<article><h1>{{ .Title }}</h1>{{ .Content }}<ul>{{ range .Pages }}'
                 '<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></article>{{ end }}\n',
}


def hugo() -> str:
    exe = shutil.which("hugo")
    if exe is None:
        pytest.skip("hugo is not installed (bash .ci/setup test installs Debian's hugo)")
    return exe


def build_site(tmp_path: Path, all_pages: bool) -> tuple[Path, list[Path]]:
    site = tmp_path / "blog"
    (site / "layouts" / "_default").mkdir(parents=True)
    (site / "config.toml").write_text(CONFIG, encoding="utf-8")
    for name, text in LAYOUTS.items():
        (site / "layouts" / "_default" / name).write_text(text, encoding="utf-8")
    files = export_hugo(example_config(), site / "content" / "wiki", all_pages=all_pages)
    # --panicOnWarning (Hugo >= 0.89): a missing layout, a bad front matter date or a REF_NOT_FOUND stops the build
    proc = subprocess.run([hugo(), "--panicOnWarning", "--source", str(site), "--destination", str(site / "public")],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "WARN" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    return site, files


def output_of(content: Path, md: Path) -> Path:
    """Where Hugo writes the page of a content file (bundles: index.md and _index.md -> index.html)."""
    return md.parent.relative_to(content) / "index.html"


def unresolved_links(public: Path) -> list[tuple[str, str]]:
    bad = []
    for file in sorted(p for p in public.rglob("*") if p.suffix in (".html", ".svg")):
        url_dir = "/" + file.parent.relative_to(public).as_posix() + "/"
        for target in links_in(file.read_text(encoding="utf-8")):
            parts = urlsplit(target)
            if is_external(target) or (parts.scheme and parts.netloc != "blog.example"):
                continue
            path = unquote(urldefrag(target).url.split("?", 1)[0]) if not parts.netloc else parts.path
            if not path:
                continue
            resolved = posixpath.normpath(posixpath.join(url_dir, path))
            out = public / resolved.lstrip("/")
            if not (out.is_file() or (out / "index.html").is_file()):
                bad.append((str(file.relative_to(public)), target))
    return bad


@pytest.mark.parametrize("all_pages", [False, True], ids=["generated", "all"])
def test_hugo_renders_every_page_and_every_link_resolves(tmp_path: Path, all_pages: bool) -> None:
    site, files = build_site(tmp_path, all_pages)
    content, public = site / "content", site / "public"
    pages = [f for f in files if f.suffix == ".md"]
    assert len(pages) >= 13
    for md in pages:
        html = public / output_of(content, md)
        assert html.is_file(), f"{md} did not render"
        assert "<h1>" in html.read_text(encoding="utf-8")
    svgs = [f for f in files if f.suffix == ".svg"]
    assert svgs and all((public / f.relative_to(content)).is_file() for f in svgs)
    assert unresolved_links(public) == []
    dag = (public / "wiki/flux/tazlab-k8s/dag/index.html").read_text(encoding="utf-8")
    assert 'data="layer-dag.svg"' in dag and "<blockquote>" in dag and "!!!" not in dag
    assert "<h2 id=\"source-basis\">Source Basis</h2>" in dag and "Relationships" in dag


def test_link_checker_sees_a_broken_link(tmp_path: Path) -> None:
    public = tmp_path / "public" / "wiki" / "a"
    public.mkdir(parents=True)
    (public / "index.html").write_text('<a href="../missing/">x</a><a href="./">self</a>'
                                       '<svg><a xlink:href="../a/">n</a></svg>', encoding="utf-8")
    assert unresolved_links(tmp_path / "public") == [("wiki/a/index.html", "../missing/")]
