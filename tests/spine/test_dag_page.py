"""The generated Flux DAG page of the example states every fact of the reference page."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from flux_wiki.compile import WikiCompiler
from flux_wiki.config import WikiConfig

from ..support import REFERENCE_LAYERS
from ..support import EXAMPLE_REPO, ROOT

GOLDEN = Path(__file__).parent / "golden"

LAYERS = REFERENCE_LAYERS
CONTROLLERS = ["source-controller", "kustomize-controller", "helm-controller", "notification-controller",
               "image-reflector-controller", "image-automation-controller"]
ADDRESSES = ["192.168.1.240:8000", "192.168.1.240:8001", "192.168.1.240:8002", "192.168.1.240:8003",
             "192.168.1.240:8004", "192.168.1.240:8005", "192.168.1.241:5432"]


def compile_pages(repo: Path = EXAMPLE_REPO, data: Path = ROOT / "data") -> dict[str, str]:
    cfg = WikiConfig(repo=repo, clusters=["tazlab-k8s"], exclude=["flux-system/apps-openclaw"],
                     notes=data / "notes.yaml", source_basis=data / "source-basis.yaml",
                     docs_dir=ROOT / "docs", diagrams=False)
    return {p.path: p.markdown for p in WikiCompiler().compile(cfg).pages}


def table_rows(markdown: str) -> dict[str, list[str]]:
    """The DAG Layers table as {layer: [cells]}."""
    section = markdown.split("## DAG Layers", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        if line.startswith("| [") or line.startswith("| `"):
            cells = [c.strip() for c in line.strip("|").split(" | ")]
            name = re.sub(r"[\[`]([^\]`]+)[\]`].*", r"\1", cells[0])
            rows[name] = cells
    return rows


@pytest.fixture(scope="module")
def dag() -> str:
    return compile_pages()["flux/tazlab-k8s/dag.md"]


def test_layers_and_exact_depends_on(dag: str) -> None:
    rows = table_rows(dag)
    assert set(rows) == set(LAYERS)
    for layer, deps in LAYERS.items():
        cell = rows[layer][1]
        found = set(re.findall(r"\[([a-z0-9-]+)\]\(", cell))
        assert found == deps, layer
        if not deps:
            assert cell == "Flux root only"


def test_roots_controllers_source(dag: str) -> None:
    roots = dag.split("### Roots", 1)[1].split("###", 1)[0]
    assert set(re.findall(r"\[([a-z0-9-]+)\]\(layers/", roots)) == {
        "infrastructure-operators-namespaces", "infrastructure-operators-core", "infrastructure-operators-data"}
    flux_root = dag.split("## Flux Root", 1)[1].split("## DAG Layers", 1)[0]
    assert re.findall(r"^- `([a-z-]+)`", flux_root, re.M) == CONTROLLERS
    assert "`https://github.com/tazzo/tazlab-k8s`" in dag
    assert "`./clusters/tazlab-k8s`" in dag
    assert "clusters/tazlab-k8s/flux-system/gotk-sync.yaml:17" in dag


def test_surfaces_and_wait(dag: str) -> None:
    for addr in ADDRESSES:
        assert addr in dag, addr
    for host in ("auth.tazlab.net", "blog.tazlab.net"):
        assert host in dag
    assert re.search(r"ClusterIP dex on 5556, 5558", dag)
    instances = [l for l in dag.splitlines() if l.startswith("- [infrastructure-instances]")]
    assert len(instances) == 1 and "`wait: false`" in instances[0]


def test_openclaw_only_in_scope_note(dag: str) -> None:
    assert "apps-openclaw" not in table_rows(dag)
    scope = dag.split("## Scope Note", 1)[1].split("\n## ", 1)[0]
    assert "`apps-openclaw`" in scope and "excluded" in scope
    assert dag.count("apps-openclaw") == 1 + dag.count("clusters/tazlab-k8s/apps-openclaw.yaml")


def test_related_pages_listed(dag: str) -> None:
    related = dag.split("## Relationships", 1)[1].split("\n## ", 1)[0]
    targets = re.findall(r"\]\(([^)]+)\)", related)
    declared = {"tazlab-cluster-delivery-flow.md", "tazlab-system-map.md", "tazlab-k8s-layers.md",
                "tazlab-flux-dag-troubleshooting.md", "tazlab-k8s.md", "tazlab-secret-and-identity-flow.md"}
    assert declared <= {t.removeprefix("../../") for t in targets}  # plus backlinks from pages that relate to it
    for t in targets:
        assert (ROOT / "docs" / "flux" / "tazlab-k8s" / t).resolve().is_file(), t


def test_golden_markdown(dag: str) -> None:
    golden = GOLDEN / "dag.md"
    if os.environ.get("FLUX_WIKI_UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(dag, encoding="utf-8")
    assert dag == golden.read_text(encoding="utf-8"), "regenerate with FLUX_WIKI_UPDATE_GOLDEN=1 and review the diff"


def test_page_follows_manifest_changes(example_wiki: Path) -> None:
    repo = example_wiki / "data" / "tazlab-k8s"
    ks = repo / "clusters" / "tazlab-k8s" / "apps-data.yaml"
    text = ks.read_text()
    assert "    - name: infrastructure-configs\n" in text
    ks.write_text(text.replace("    - name: infrastructure-configs\n",
                               "    - name: infrastructure-configs\n    - name: infrastructure-auth\n", 1))
    svc = repo / "infrastructure" / "instances" / "pgadmin" / "service.yaml"
    svc_text = svc.read_text()
    assert "port: 8001" in svc_text
    svc.write_text(svc_text.replace("port: 8001", "port: 8011"))
    cluster_vars = repo / "clusters" / "tazlab-k8s" / "cluster-vars.yaml"
    vars_text = cluster_vars.read_text()
    assert "192.168.1.241" in vars_text
    cluster_vars.write_text(vars_text.replace("192.168.1.241", "192.168.1.251"))

    dag = compile_pages(repo, example_wiki / "data")["flux/tazlab-k8s/dag.md"]
    rows = table_rows(dag)
    assert set(re.findall(r"\[([a-z0-9-]+)\]\(", rows["apps-data"][1])) == {"infrastructure-configs",
                                                                          "infrastructure-auth"}
    assert "192.168.1.240:8011" in dag and "192.168.1.240:8001" not in dag
    assert "192.168.1.251:5432" in dag and "192.168.1.241" not in dag


def test_user_templates_override_the_bundled_ones(tmp_path: Path) -> None:
    (tmp_path / "dag.md.j2").write_text("# {{ title | e }}\n\n{% for row in layers %}- {{ row.node.name | e }}\n{% endfor %}")
    cfg = WikiConfig(repo=EXAMPLE_REPO, clusters=["tazlab-k8s"], templates_dir=tmp_path, diagrams=False,
                     notes=ROOT / "data" / "notes.yaml")
    pages = {p.path: p.markdown for p in WikiCompiler().compile(cfg).pages}
    dag = pages["flux/tazlab-k8s/dag.md"]
    # the renderer writes the front matter (a YAML dumper), the template the body
    assert dag.startswith("---\ntitle: TazLab Flux DAG\nflux_wiki: generated\n---\n\n"
                          "# TazLab Flux DAG\n\n- infrastructure-operators-core\n")
    assert "## Spec" in pages["flux/tazlab-k8s/layers/apps-data.md"]  # not overridden: bundled template
