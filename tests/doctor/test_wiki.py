"""The doctor in the wiki: the evidence of each dependsOn on the DAG page (beside the author's rationale) and
on both layer pages, the Doctor page, and findings that are page content, never build warnings.

The evidence golden is regenerated with FLUX_WIKI_UPDATE_GOLDEN=1 (review the diff).
"""

from __future__ import annotations

import logging
import os
import re
import textwrap
from pathlib import Path

import pytest
import yaml

from flux_wiki.compile import WikiCompiler
from flux_wiki.config import WikiConfig

from ..support import ROOT, build_site
from .conftest import CERT_MANAGER, CERTIFICATE, layer, namespace, write_repo

GOLDEN = Path(__file__).parent / "golden" / "wiki-evidence.md"
CLUSTER = "flux/tazlab-k8s"


@pytest.fixture(scope="module")
def example() -> dict[str, str]:
    cfg = WikiConfig(repo=ROOT / "data" / "tazlab-k8s", clusters=["tazlab-k8s"], exclude=["flux-system/apps-openclaw"],
                     notes=ROOT / "data" / "notes.yaml", diagrams=False)
    return {p.path: p.markdown for p in WikiCompiler().compile(cfg).pages}


def section(markdown: str, heading: str) -> str:
    """From ``heading`` to the next heading of the same or a higher level."""
    level = heading.split(" ")[0]
    start = markdown.index(f"\n{heading}\n") + 1
    end = re.compile(rf"^#{{1,{len(level)}}} ", re.M).search(markdown, start + len(heading))
    return markdown[start:end.start() if end else len(markdown)].rstrip("\n") + "\n"


def evidence(dag: str, dependent: str, dependency: str) -> str:
    """The nested evidence lines under ``dependent``'s row of Downstream Dependencies, for ``dependency``."""
    lines = section(dag, "### Downstream Dependencies").splitlines()
    row = next(i for i, line in enumerate(lines) if line.startswith(f"- [{dependent}]("))
    out, inside = [], False
    for line in lines[row + 1:]:
        if not line.startswith("    "):
            break
        if line.startswith("    - Evidence for "):
            inside = line.startswith(f"    - Evidence for [{dependency}](")
        elif inside:
            out.append(line.strip())
    assert out, f"no evidence for {dependent} -> {dependency}"
    return "\n".join(out)


def test_the_evidence_reproduces_the_reference_pages_reasons(example: dict[str, str]) -> None:
    """The reasons of the hand-written page's Downstream Dependencies, found in the manifests."""
    dag = example[f"{CLUSTER}/dag.md"]
    assert "Namespace `monitoring`" in evidence(dag, "infrastructure-monitoring", "infrastructure-operators-namespaces")
    core = evidence(dag, "infrastructure-bridge", "infrastructure-operators-core")
    assert "CRD `ClusterIssuer.cert-manager.io`: provided by HelmRelease cert-manager/cert-manager" in core
    assert "controller `traefik.io/ingress-controller`" in core and "used by IngressClass traefik" in core
    assert "CRD `PostgresCluster.postgres-operator.crunchydata.com`" in evidence(
        dag, "infrastructure-instances", "infrastructure-operators-data")
    configs = evidence(dag, "infrastructure-instances", "infrastructure-configs")
    assert "Secret `dex/dex-google-oauth`: provided by ExternalSecret dex/dex-google-oauth" in configs
    assert "Secret `tazlab-db/s3-backrest-creds`" in configs
    assert "ClusterSecretStore `tazlab-secrets`" in evidence(dag, "apps-data", "infrastructure-configs")
    # apps-static's variables come from the root's cluster-vars; what configs brings is what it waits for
    assert "ClusterIssuer `tazlab-issuer`: provided by ClusterIssuer tazlab-issuer in [infrastructure-bridge]" in \
        evidence(dag, "apps-static", "infrastructure-configs")


def test_the_evidence_stands_beside_the_authors_rationale(example: dict[str, str]) -> None:
    rows = section(example[f"{CLUSTER}/dag.md"], "### Downstream Dependencies")
    monitoring = rows[rows.index("- [infrastructure-monitoring]("):]
    assert "*Why:* needs the monitoring namespace" in monitoring.splitlines()[0]
    assert monitoring.splitlines()[1].startswith("    - Evidence for [infrastructure-operators-namespaces]")
    bridge = section(example[f"{CLUSTER}/layers/infrastructure-bridge.md"], "## Provides")
    assert "*Author:* waits for the bridge because the TLS and secret wiring" in bridge  # the dependent's reason


def test_rendered_evidence_is_golden(example: dict[str, str]) -> None:
    dag = example[f"{CLUSTER}/dag.md"]
    parts = [section(dag, "### Downstream Dependencies")]
    for name in ("infrastructure-bridge", "infrastructure-instances"):
        page = example[f"{CLUSTER}/layers/{name}.md"]
        parts += [f"<!-- layers/{name}.md -->\n", section(page, "## Needs"), section(page, "## Provides")]
    parts += ["<!-- doctor.md -->\n", example[f"{CLUSTER}/doctor.md"].split("## Source Basis")[0]]
    text = "\n".join(parts)
    if os.environ.get("FLUX_WIKI_UPDATE_GOLDEN"):
        GOLDEN.write_text(text)
    assert text == GOLDEN.read_text(), "regenerate with FLUX_WIKI_UPDATE_GOLDEN=1 and review the diff"


def race_repo(root: Path) -> Path:
    """A real bootstrap race: apps applies a Certificate whose CRD cert-manager's HelmRelease in crds installs,
    without a dependsOn on crds."""
    return write_repo(root, layer("crds", CERT_MANAGER), layer("apps", CERTIFICATE))


ACKNOWLEDGED = """\
    clusters:
      test:
        acknowledged:
          - code: missing-dependson
            layer: apps
            reason: the bootstrap script installs cert-manager's CRDs
    """


def doctor_page(tmp_path: Path, notes: str | None = None) -> tuple[str, str]:
    repo = race_repo(tmp_path / "repo")
    notes_file = None
    if notes:
        notes_file = tmp_path / "notes.yaml"
        notes_file.write_text(textwrap.dedent(notes))
    cfg = WikiConfig(repo=repo, notes=notes_file, browse_url="https://example.com/r/blob/main/", diagrams=False)
    pages = {p.path: p.markdown for p in WikiCompiler().compile(cfg).pages}
    return pages["flux/test/doctor.md"], pages["flux/test/layers/apps.md"]


def test_the_doctor_page_lists_findings_by_severity_linking_layers_and_files(tmp_path: Path) -> None:
    page, apps = doctor_page(tmp_path)
    errors = section(page, "## Errors")
    assert errors.count("\n- ") == 1
    assert "### `missing-dependson`: Missing dependsOn (1)\n\n- [apps](layers/apps.md): CRD Certificate.cert-manager.io" \
        in errors
    assert "([`layers/apps/objects.yaml:1`](https://example.com/r/blob/main/layers/apps/objects.yaml#L1))" in errors
    assert section(page, "## Warnings") == "## Warnings\n\nNone.\n"
    assert "| `missing-dependson` | Missing dependsOn |" in section(page, "## Finding Codes")
    assert "Acknowledged" not in page
    needs = section(apps, "## Needs")  # the layer page names its findings and links the Doctor page
    assert "[ordering doctor](../doctor.md)" in needs and "`missing-dependson` (error)" in needs


def test_acknowledged_findings_are_shown_apart_with_their_reason(tmp_path: Path) -> None:
    page, apps = doctor_page(tmp_path, ACKNOWLEDGED)
    assert section(page, "## Errors") == "## Errors\n\nNone.\n"
    assert "0 errors, 0 warnings, 0 info; 1 acknowledged" in page
    acknowledged = section(page, "## Acknowledged")
    assert "`missing-dependson` (error) in [apps](layers/apps.md)" in acknowledged
    assert "*Acknowledged:* the bootstrap script installs cert-manager" in acknowledged
    assert "missing-dependson" not in apps  # not counted, so not on the layer page either


def test_findings_never_fail_a_strict_build_and_are_logged_at_info(tmp_path: Path,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    wiki = tmp_path / "wiki"
    race_repo(wiki / "repo")
    (wiki / "docs").mkdir()
    (wiki / "docs" / "index.md").write_text("# Home\n")
    (wiki / "mkdocs.yml").write_text(yaml.safe_dump(
        {"site_name": "x", "plugins": [{"flux-wiki": {"repo": "repo", "diagrams": False, "history": 0}}]}))
    caplog.set_level(logging.INFO, logger="mkdocs.plugins.flux-wiki")
    site = build_site(wiki, tmp_path / "site")  # strict: a warning would raise
    logged = [r for r in caplog.records if "missing-dependson" in r.getMessage()]
    assert [r.levelno for r in logged] == [logging.INFO]
    assert "doctor [test] error missing-dependson layers/apps/objects.yaml:1" in logged[0].getMessage()
    assert "missing-dependson" in (site / "flux" / "test" / "doctor" / "index.html").read_text()


def test_the_ci_page_has_the_code_scanning_job() -> None:
    """docs/ci.md's flux-doctor workflow is valid YAML that writes SARIF and uploads it, with the permission
    code scanning needs."""
    text = (ROOT / "docs" / "ci.md").read_text()
    blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(# \.github/workflows/flux-doctor\.yaml\n.*?)```",
                                                   text, re.S)]
    assert len(blocks) == 1
    workflow = blocks[0]
    assert workflow["permissions"]["security-events"] == "write"
    steps = workflow["jobs"]["doctor"]["steps"]
    run = next(s for s in steps if "flux-wiki doctor" in s.get("run", ""))
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert "--format sarif" in run["run"] and run["run"].endswith("> flux-wiki.sarif")
    assert upload["with"]["sarif_file"] == "flux-wiki.sarif" and "failure()" in upload["if"]


def test_a_kept_layer_page_follows_its_evidence(tmp_path: Path) -> None:
    """Under serve, a layer page whose own Kustomization did not change is rendered again when what it needs
    from another layer moved (the page memo's digest covers the evidence)."""
    config_map = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web, namespace: apps}\ndata: {a: b}\n"
    repo = write_repo(tmp_path / "repo", layer("ns", namespace("apps")), layer("apps", config_map, ("ns",)))
    compiler = WikiCompiler(rebuilds=True)
    cfg = WikiConfig(repo=repo, diagrams=False)

    def needs() -> str:
        pages = {p.path: p.markdown for p in compiler.compile(cfg).pages}
        return section(pages["flux/test/layers/apps.md"], "## Needs")
    assert "provided by Namespace apps (`layers/ns/objects.yaml:1`)" in needs()
    (repo / "layers" / "ns" / "objects.yaml").write_text("# moved down a line\n" + namespace("apps"))
    assert "provided by Namespace apps (`layers/ns/objects.yaml:2`)" in needs()
