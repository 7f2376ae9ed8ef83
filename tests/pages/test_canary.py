"""Secret canaries: every secret-bearing place of the fixture repo holds a distinct string; none may reach
the built site (HTML, search index, sitemap, SVG, DOT, JS/CSS), the inventory JSON or the CLI's outputs."""

from __future__ import annotations

import base64
import gzip
import re
from pathlib import Path

import pytest

from flux_wiki.engine import build_model
from flux_wiki.render.inventory import inventory_json

from ..support import build_site, copy_wiki, run_cli

CANARY = Path(__file__).parent / "fixtures" / "canary"
REPO = CANARY / "repo"
_MARK = re.compile(r"CANARY[A-Za-z0-9_-]*|Q0FOQVJZ[A-Za-z0-9+/=]*")


def canaries() -> set[str]:
    """Every canary string in the fixture, plus the decoded text of base64 ones."""
    found: set[str] = set()
    for path in REPO.rglob("*.yaml"):
        for token in _MARK.findall(path.read_text(encoding="utf-8")):
            found.add(token)
            if token.startswith("Q0FOQVJZ"):
                found.add(base64.b64decode(token).decode())
    return found


def leaks(text: str, secrets: set[str]) -> set[str]:
    return {s for s in secrets if s in text}


def test_fixture_has_a_canary_in_every_place() -> None:
    secrets = canaries()
    # Secret data (2 + decoded) and stringData (2), SOPS Secret (4) and ConfigMap (3), Secret-sourced
    # substitution (3 + decoded), HelmRelease values/annotations/app-template env (13), valuesFrom Secret (2),
    # annotations on plain objects (2)
    assert len(secrets) >= 30, sorted(secrets)
    assert len({s.lower() for s in secrets}) == len(secrets)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("canary")
    wiki = copy_wiki(CANARY, tmp / "wiki")
    return build_site(wiki, tmp / "site")


def _site_texts(site: Path) -> dict[str, str]:
    texts = {}
    for path in site.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        texts[path.relative_to(site).as_posix()] = data.decode("utf-8", "replace")
    return texts


def test_built_site_shows_no_secret(site: Path) -> None:
    texts = _site_texts(site)
    kinds = {Path(p).suffix for p in texts}
    assert {".html", ".dot", ".json", ".js", ".css"} <= kinds, kinds
    assert "search/search_index.json" in texts
    assert any("<svg" in t for p, t in texts.items() if p.endswith(".html")), "diagrams should be inlined"
    secrets = canaries()
    found = {p: sorted(leaks(t, secrets)) for p, t in texts.items() if leaks(t, secrets)}
    assert not found, found


def test_built_site_still_shows_what_is_not_secret(site: Path) -> None:
    """The positive control: the walker sees the pages, and redaction did not hide everything."""
    layer = (site / "flux" / "canary" / "layers" / "apps" / "index.html").read_text(encoding="utf-8")
    for visible in ("web.canary.example.org", "admin.canary.example.org", "192.0.2.10", "app-template",
                    "DB_PASSWORD", "WEBHOOK_TOKEN", "${LB_SECRET_IP}", "web-plain", "web-sops"):
        assert visible in layer, visible
    inventory = (site / "flux" / "canary" / "surfaces" / "index.html").read_text(encoding="utf-8")
    assert "192.0.2.10" in inventory and "web.canary.example.org" in inventory


def test_inventory_json_and_cli_show_no_secret() -> None:
    secrets = canaries()
    assert not leaks(inventory_json(build_model(REPO)), secrets)
    outputs = {"inventory": run_cli(["inventory", "--format", "json", str(REPO)])}
    for fmt in ("dot", "json", "mermaid"):
        outputs[f"graph {fmt}"] = run_cli(["graph", "--format", fmt, str(REPO)])
    for name, result in outputs.items():
        assert result.exit_code == 0, (name, result.output)
        assert not leaks(result.output, secrets), name
    assert "web.canary.example.org" in outputs["inventory"].output


def test_cli_pages_show_no_secret(tmp_path: Path) -> None:
    result = run_cli(["pages", str(REPO), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    written = [p for p in (tmp_path / "out").rglob("*") if p.is_file()]
    assert written
    secrets = canaries()
    assert not {p.name for p in written if leaks(p.read_text(encoding="utf-8"), secrets)}
