"""Every generator gets the wiki: ProperDocs runs the plugin; Zensical (which runs no MkDocs plugin) and any
other static generator build what `flux-wiki pages` writes: pages, diagrams as SVG files, assets and a nav."""

from __future__ import annotations

import importlib.util
import posixpath
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from flux_wiki.compile import page_url
from flux_wiki.export.pages import ASSETS
from flux_wiki.render.svg import SVG_NS, XLINK_NS

from ..support import EXAMPLE_REPO, ROOT, CliResult, run_cli

BROWSE = "https://github.com/tazzo/tazlab-k8s/blob/master/"
LINK = re.compile(r"\]\(([^)\s]+)\)")


def write_pages(out: Path, *args: str) -> CliResult:
    result = run_cli(["pages", str(EXAMPLE_REPO), "--out", str(out), "--browse-url", BROWSE, *args])
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("static") / "docs"  # the docs folder of a site project
    write_pages(out)
    (out / "index.md").write_text("# Home\n\nThe [Flux DAG](flux/tazlab-k8s/dag.md).\n")
    return out


def generated(docs: Path) -> list[str]:
    return sorted(p.relative_to(docs).as_posix() for p in (docs / "flux").rglob("*.md") if p.name != "SUMMARY.md")


def test_pages_link_their_diagrams_as_files_whose_links_work_on_their_own(docs: Path) -> None:
    pages = generated(docs)
    urls = {page_url(p, True) for p in pages}
    svgs = 0
    for page in pages:
        text = (docs / page).read_text()
        for target in LINK.findall(text):
            if target.endswith((".svg", ".dot")):
                assert (docs / posixpath.dirname(page) / target).is_file(), (page, target)
        for svg in re.findall(r"\]\(([^)]+\.svg)\)", text):
            svgs += 1
            file = posixpath.normpath(posixpath.join(posixpath.dirname(page), svg))
            root = ET.fromstring((docs / file).read_bytes())
            assert root.get("width", "").endswith("pt")
            for a in root.iter(f"{{{SVG_NS}}}a"):
                href = a.get(f"{{{XLINK_NS}}}href")
                if href is None or href.startswith(("http:", "https:")):
                    continue
                resolved = posixpath.normpath(posixpath.join(posixpath.dirname(file), href.split("#")[0]))
                assert resolved + "/" in urls, (file, href)  # the page the node stands for, from the file's place
    assert svgs >= 13  # the DAG, the surface map and one per layer


def test_the_nav_files_list_every_page_once(docs: Path) -> None:
    pages = generated(docs)
    summary = (docs / "flux/SUMMARY.md").read_text()
    listed = [posixpath.normpath(posixpath.join("flux", t)) for t in LINK.findall(summary)]
    assert sorted(listed) == pages
    assert "    * Layers" in summary

    def paths(items: object) -> list[str]:
        if isinstance(items, str):
            return [posixpath.join("flux", items)]
        if isinstance(items, dict):
            return [p for v in items.values() for p in paths(v)]
        return [p for i in items for p in paths(i)] if isinstance(items, list) else []
    nav = yaml.safe_load((docs / "flux/.nav.yml").read_text())["nav"]
    assert sorted(paths(nav)) == pages
    assert list(nav[0]) == ["tazlab-k8s"] and "Layers" in nav[0]["tazlab-k8s"][-1]


def test_the_assets_the_pages_use_are_written(docs: Path) -> None:
    for rel, content in ASSETS.items():
        assert (docs / "flux" / rel).read_text() == content


def test_a_later_run_removes_what_is_no_longer_generated(tmp_path: Path) -> None:
    out = tmp_path / "docs"
    (out / "flux").mkdir(parents=True)
    (out / "flux/mine.md").write_text("# Mine\n")  # in the folder before any output: kept
    write_pages(out)
    assert (out / "flux/mine.md").is_file()
    (out / "flux/tazlab-k8s/layers/gone.md").write_text("# Gone\n")
    (out / "index.md").write_text("# Home\n")
    write_pages(out, "--no-diagrams")
    assert not (out / "flux/tazlab-k8s/layers/gone.md").exists() and not (out / "flux/mine.md").exists()
    assert not list((out / "flux").rglob("*.svg")) and (out / "index.md").is_file()


def available(module: str) -> None:
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} is not installed (pip install {module}; it is in the test extra)")


@pytest.mark.parametrize("nav_plugin", ["literate-nav", "awesome-nav"])
def test_zensical_builds_the_pages_output(docs: Path, nav_plugin: str) -> None:
    available("zensical")
    project = docs.parent
    config = {"site_name": "Zensical", "docs_dir": "docs", "site_dir": f"site-{nav_plugin}",
              "plugins": [nav_plugin], "markdown_extensions": ["admonition", "tables", {"toc": {"permalink": True}}],
              "extra_css": [f"flux/{a}" for a in ASSETS if a.endswith(".css")],
              "extra_javascript": [f"flux/{a}" for a in ASSETS if a.endswith(".js")]}
    (project / f"{nav_plugin}.yml").write_text(yaml.safe_dump(config))
    done = subprocess.run([sys.executable, "-m", "zensical", "build", "--strict", "--clean", "-f", f"{nav_plugin}.yml"],
                          cwd=project, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    site = project / f"site-{nav_plugin}"
    dag = (site / "flux/tazlab-k8s/dag/index.html").read_text()
    assert 'class="admonition info"' in dag and "!!!" not in dag
    assert 'class="flux-wiki-diagram"' in dag and 'href="../dag.layer-dag.svg"' in dag
    assert (site / "flux/tazlab-k8s/dag.layer-dag.svg").is_file()
    assert 'href="../../assets/flux-wiki.css"' in dag and 'src="../../assets/viewer.js"' in dag
    home = (site / "index.html").read_text()
    order = [home.index(f'href="./flux/tazlab-k8s/{p}/"') for p in
             ("dag", "surfaces", "layers/infrastructure-operators-core", "layers/infrastructure-auth")]
    assert order == sorted(order)  # the nav file's order (the DAG's), not the alphabetical one
    assert re.search(r">\s*Layers\s*<", home)


def test_properdocs_builds_the_example_strict(tmp_path: Path) -> None:
    available("properdocs")
    done = subprocess.run([sys.executable, "-m", "properdocs", "build", "--strict", "-f", str(ROOT / "mkdocs.yml"),
                           "-d", str(tmp_path / "site")], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    dag = (tmp_path / "site/flux/tazlab-k8s/dag/index.html").read_text()
    assert 'class="admonition info"' in dag and 'class="flux-wiki-diagram"' in dag
    assert (tmp_path / "site/flux/tazlab-k8s/layers/apps-data/index.html").is_file()
    assert 'not included in the "nav"' not in done.stderr


def check(wiki: Path, *args: str) -> CliResult:
    return run_cli(["check", "--config-file", str(wiki / "mkdocs.yml"), *args])


def test_check_points_zensical_sites_at_flux_wiki_pages(tmp_path: Path) -> None:
    wiki = tmp_path / "wiki"
    (wiki / "docs").mkdir(parents=True)
    config = {"site_name": "x", "plugins": [{"flux-wiki": {"repo": str(EXAMPLE_REPO), "browse_url": BROWSE}}]}
    (wiki / "mkdocs.yml").write_text(yaml.safe_dump(config))
    assert "Zensical" not in check(wiki).output
    (wiki / "site").mkdir()
    (wiki / "site/index.html").write_text('<html><head><meta name="generator" content="mkdocs-1.6.1"></head></html>')
    assert "Zensical" not in check(wiki).output
    (wiki / "site/index.html").write_text('<html><head><meta name="generator" content="zensical-0.0.73">')
    built = check(wiki)
    assert built.exit_code == 0
    assert "was built by Zensical" in built.output
    assert f"`flux-wiki pages -f {wiki / 'mkdocs.yml'} --out docs`" in built.output
    (wiki / "site/index.html").unlink()
    (wiki / "zensical.toml").write_text("[project]\nsite_name = 'x'\n")
    beside = check(wiki)
    assert "zensical.toml is beside it" in beside.output and "Zensical runs no MkDocs plugin" in beside.output
    written = run_cli(["pages", "-f", str(wiki / "mkdocs.yml"), "--out", str(wiki / "docs")])
    assert written.exit_code == 0, written.output
    (wiki / "docs/index.md").write_text("# Home\n")  # hand-written, beside the generated folder
    followed = check(wiki, "--export-dir", str(wiki / "docs"), "--export-kind", "pages")
    assert followed.exit_code == 0, followed.output
    assert "Zensical" not in followed.output and "committed copy is current" in followed.output


def test_pages_takes_either_a_repo_or_a_mkdocs_yml(tmp_path: Path) -> None:
    config = tmp_path / "mkdocs.yml"
    config.write_text(yaml.safe_dump({"site_name": "x", "plugins": [{"flux-wiki": {"repo": str(EXAMPLE_REPO)}}]}))
    both = run_cli(["pages", "-f", str(config), "--out", str(tmp_path), "--browse-url", BROWSE])
    assert both.exit_code == 2 and "drop browse_url" in both.output
    neither = run_cli(["pages", "--out", str(tmp_path)])
    assert neither.exit_code == 2 and "name the REPO" in neither.output
