"""Golden text of one layer page and the surface inventory of the example, and what the inventory must hold.

The goldens stop before "## Relationships"/"## Source Basis" (the shared relationships template, covered by
the spine's DAG golden). Regenerate with FLUX_WIKI_UPDATE_GOLDEN=1 and review the diff.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from flux_wiki.compile import WikiCompiler
from flux_wiki.config import WikiConfig

from ..support import ROOT

GOLDEN = Path(__file__).parent / "golden"
CLUSTER_DIR = "flux/tazlab-k8s"
# Every address and host of the reference page (and the example's manifests), with the layer that declares it.
REFERENCE = {
    "192.168.1.240:80": "infrastructure-operators-core",
    "192.168.1.240:443": "infrastructure-operators-core",
    "192.168.1.240:8000": "infrastructure-instances",
    "192.168.1.240:8001": "infrastructure-instances",
    "192.168.1.240:8002": "infrastructure-instances",
    "192.168.1.240:8003": "infrastructure-instances",
    "192.168.1.240:8004": "apps-data",
    "192.168.1.240:8005": "infrastructure-monitoring",
    "192.168.1.241:5432": "infrastructure-instances",
    "auth.tazlab.net/oauth2": "infrastructure-auth",
    "blog.tazlab.net": "apps-static",
    "grafana.tazlab.net": "infrastructure-monitoring",
}


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    data = ROOT / "data"
    cfg = WikiConfig(repo=data / "tazlab-k8s", clusters=["tazlab-k8s"], exclude=["flux-system/apps-openclaw"],
                     notes=data / "notes.yaml", source_basis=data / "source-basis.yaml", docs_dir=ROOT / "docs",
                     diagrams=False)
    return {p.path: p.markdown for p in WikiCompiler().compile(cfg).pages}


def body(markdown: str) -> str:
    return re.split(r"^## (?:Relationships|Source Basis)$", markdown, maxsplit=1, flags=re.M)[0]


@pytest.mark.parametrize("page, golden", [
    (f"{CLUSTER_DIR}/layers/infrastructure-operators-core.md", "layer-infrastructure-operators-core.md"),
    (f"{CLUSTER_DIR}/surfaces.md", "surfaces.md"),
])
def test_golden(pages: dict[str, str], page: str, golden: str) -> None:
    text = body(pages[page])
    path = GOLDEN / golden
    if os.environ.get("FLUX_WIKI_UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), "regenerate with FLUX_WIKI_UPDATE_GOLDEN=1 and review the diff"


def inventory_rows(markdown: str) -> list[list[str]]:
    table = markdown.split("| IP | Port | Host |", 1)[1].split("\n\n", 1)[0]
    return [[c.strip() for c in line.strip("|").split(" | ")] for line in table.splitlines()[2:]]


def test_inventory_has_every_reference_address_linked_to_its_layer(pages: dict[str, str]) -> None:
    rows = inventory_rows(pages[f"{CLUSTER_DIR}/surfaces.md"])
    found: dict[str, set[str]] = {}
    for ip, port, host, _kind, _obj, _ns, layer, _src in rows:
        key = f"{ip}:{port}" if ip else host
        link = re.fullmatch(r"\[[^\]]+\]\(([^)]+)\)", layer)
        assert link, f"row {key} does not link to a layer: {layer}"
        assert (link.group(1).startswith("layers/") and link.group(1).endswith(".md")) or \
            link.group(1) == "dag.md#flux-root", layer
        found.setdefault(key, set()).add(re.sub(r"^layers/|\.md$", "", link.group(1)))
    for key, layer in REFERENCE.items():
        assert layer in found.get(key, set()), (key, found.get(key))
    assert "openclaw" not in pages[f"{CLUSTER_DIR}/surfaces.md"]


def test_inventory_is_ordered_by_address_and_marked_sortable(pages: dict[str, str]) -> None:
    text = pages[f"{CLUSTER_DIR}/surfaces.md"]
    assert '<span class="flux-wiki-sortable"></span>' in text
    addresses = [f"{r[0]}:{r[1]}" for r in inventory_rows(text) if r[0]]
    key = [tuple(int(x) for x in a.replace(":", ".").split(".")) for a in addresses]
    assert key == sorted(key) and addresses[0] == "192.168.1.240:80"


def test_layer_page_states_spec_releases_and_variables_by_name(pages: dict[str, str]) -> None:
    text = pages[f"{CLUSTER_DIR}/layers/infrastructure-operators-core.md"]
    assert "| Dependents | [infrastructure-bridge](infrastructure-bridge.md) |" in text
    assert "`HelmRelease traefik/traefik`" in text
    assert re.search(r"\| `traefik/traefik` .*\| `traefik` \| `33\.2\.1` \| HelmRepository `flux-system/traefik`", text)
    variables = re.search(r"^\| Substitution variables \(names only\) \| (.*) \|$", text, re.M).group(1)
    assert "`LB_IP`" in variables and "192.168" not in variables
    assert "## What It Installs" in text and "\n\n## What It Installs" in text


def test_duplicate_claims_are_a_warning_admonition(example_wiki: Path) -> None:
    svc = example_wiki / "data" / "tazlab-k8s" / "infrastructure" / "instances" / "pgadmin" / "service.yaml"
    text = svc.read_text()
    assert "port: 8001" in text
    svc.write_text(text.replace("port: 8001", "port: 8000"))
    cfg = WikiConfig(repo=example_wiki / "data" / "tazlab-k8s", clusters=["tazlab-k8s"],
                     exclude=["flux-system/apps-openclaw"], diagrams=False)
    page = next(p.markdown for p in WikiCompiler().compile(cfg).pages if p.kind == "surfaces")
    warning = page.split('!!! warning "Conflicting address claims"', 1)[1].split("\n## ", 1)[0]
    claims = [line for line in warning.splitlines() if line.startswith("    - ")]
    [claim] = claims  # once, at the later claimant, naming the first (both rows are flagged below)
    assert "192.168.1.240:8000/TCP" in claim
    assert claim.startswith("    - `infrastructure/instances/pgadmin/service.yaml:1`")
    assert "homepage/service.yaml" in claim
    flagged = [r for r in inventory_rows(page) if r[0].startswith("⚠")]
    assert sorted(r[4] for r in flagged) == ["Service `homepage`", "Service `pgadmin`"]
    assert page.count("⚠") == 2
