"""The doctor's outputs: the example's evidence (golden text), the JSON shape, SARIF against the official
2.1.0 schema, GitHub workflow commands, the command's exit codes, and no Secret value anywhere."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import jsonschema
import pytest

from flux_wiki.doctor.diagnosis import diagnose
from flux_wiki.doctor.report import escape_property, render_github, render_json, render_sarif, render_text
from flux_wiki.engine import build_model
from flux_wiki.load.authored import load_notes

from ..support import EXAMPLE_REPO, ROOT, run_cli
from .conftest import CERT_MANAGER, CERTIFICATE, layer, write_repo

HERE = Path(__file__).parent
GOLDEN = HERE / "golden" / "tazlab-k8s.txt"
SCHEMA = json.loads((HERE / "sarif" / "sarif-schema-2.1.0.json").read_text())


@pytest.fixture
def example_report():
    """The example as its wiki configures it: the author's notes, apps-openclaw left out."""
    notes, problems = load_notes(ROOT / "data" / "notes.yaml")
    assert not problems
    [cluster] = build_model(EXAMPLE_REPO, exclude=["flux-system/apps-openclaw"]).clusters
    return diagnose(cluster, notes=notes["tazlab-k8s"])


def _reasons(report, dependent: str, dependency: str) -> set[tuple[str, str, str | None]]:
    [edge] = [e for e in report.edges if e.dependent == f"flux-system/{dependent}"
              and e.dependency == f"flux-system/{dependency}"]
    return {(e.type, e.subject, e.through.split("/")[-1] if e.through else None) for e in edge.evidence}


def test_example_evidence_reproduces_the_reference_page(example_report):
    """tazlab-flux-dag.md, "Downstream Dependencies", explained from the manifests."""
    r = example_report
    assert ("namespace", "monitoring", None) in _reasons(r, "infrastructure-monitoring", "infrastructure-operators-namespaces")
    bridge = _reasons(r, "infrastructure-bridge", "infrastructure-operators-core")
    assert ("crd", "ClusterIssuer.cert-manager.io", None) in bridge  # cert-manager's CRDs
    assert ("controller", "traefik.io/ingress-controller", None) in bridge  # the ingress class's controller
    assert ("crd", "PostgresCluster.postgres-operator.crunchydata.com", None) in _reasons(
        r, "infrastructure-instances", "infrastructure-operators-data")
    instances = _reasons(r, "infrastructure-instances", "infrastructure-configs")
    assert {("secret", "Secret dex/dex-google-oauth", None), ("secret", "Secret tazlab-db/s3-backrest-creds", None),
            ("store", "ClusterSecretStore tazlab-secrets", None)} <= instances
    assert ("store", "ClusterSecretStore tazlab-secrets", None) in _reasons(r, "apps-data", "infrastructure-configs")
    # apps-static reads nothing configs makes itself: its reasons come through configs (the bridge's issuer)
    assert ("issuer", "ClusterIssuer tazlab-issuer", "infrastructure-bridge") in _reasons(
        r, "apps-static", "infrastructure-configs")


def test_example_text_report_is_golden(example_report):
    text = render_text([example_report])
    if os.environ.get("FLUX_WIKI_UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(text)
    assert text == GOLDEN.read_text()


def test_json_has_the_issue_shape(example_report):
    data = json.loads(render_json([example_report]))
    [cluster] = data["clusters"]
    assert set(cluster) == {"name", "edges", "findings", "acknowledged"}
    for edge in cluster["edges"]:
        assert set(edge) == {"from", "to", "evidence"}
        for e in edge["evidence"]:
            assert set(e) == {"type", "subject", "provider", "consumer", "inferred"}
            assert set(e["provider"]) == set(e["consumer"]) == {"file", "line"}
    for f in cluster["findings"]:
        assert set(f) == {"code", "severity", "message", "layer", "file", "line"}
    edge = next(e for e in cluster["edges"] if e["to"] == "flux-system/infrastructure-monitoring")
    assert edge["from"] == "flux-system/infrastructure-operators-namespaces"
    assert edge["evidence"][0] == {"type": "namespace", "subject": "monitoring", "inferred": False,
                                   "provider": {"file": "infrastructure/operators/namespaces/monitoring.yaml", "line": 1},
                                   "consumer": {"file": "infrastructure/operators/monitoring/dashboards/kustomization.yaml",
                                                "line": 12}}


# -- SARIF ---------------------------------------------------------------------------------------------

def _every_code_repo(root: Path) -> Path:
    """One repo raising most finding codes, and an acknowledged one, for the machine formats."""
    ghost = "healthChecks:\n  - {apiVersion: apps/v1, kind: Deployment, name: ghost, namespace: default}\n"
    cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: default}\ndata: {a: b}\n"
    return write_repo(root, layer("crds", CERT_MANAGER), layer("apps", CERTIFICATE),
                      layer("same", CERT_MANAGER.replace("cert-manager", "cm2").replace("name: charts", "name: c2")
                            .replace("chart: cm2", "chart: cert-manager") + CERTIFICATE.replace("name: web", "name: w2")),
                      layer("loop-a", cm, deps=("loop-b",)), layer("loop-b", cm.replace("name: a", "name: b"), deps=("loop-a",)),
                      layer("odd", cm.replace("name: a", "name: c"), deps=("nowhere",), spec=ghost))


def test_sarif_validates_against_the_official_2_1_0_schema(tmp_path, example_report):
    [cluster] = build_model(_every_code_repo(tmp_path / "repo")).clusters
    report = diagnose(cluster)
    codes = {f.code for f in report.findings}
    assert {"missing-dependson", "crd-same-kustomization", "dependson-cycle", "dangling-dependson",
            "healthcheck-not-applied"} <= codes
    acked = diagnose(cluster, notes=load_notes(_notes(tmp_path))[0]["test"])
    for reports in ([report], [acked, example_report], []):
        jsonschema.validate(json.loads(render_sarif(reports, "repo", "0.1.0")), SCHEMA)
    sarif = json.loads(render_sarif([acked], "repo"))
    [run] = sarif["runs"]
    suppressed = [r for r in run["results"] if r.get("suppressions")]
    assert suppressed and suppressed[0]["suppressions"] == [{"kind": "external", "justification": "known"}]
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert all(rules[r["ruleIndex"]] == r["ruleId"] for r in run["results"])
    assert all(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith("repo/")
               for r in run["results"])


def _notes(tmp_path: Path) -> Path:
    path = tmp_path / "notes.yaml"
    path.write_text("clusters:\n  test:\n    acknowledged:\n      - {code: dependson-cycle, reason: known}\n")
    return path


def test_sarif_schema_rejects_what_it_should():
    """The vendored schema is the real one: a result without a message is refused."""
    bad = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"ruleId": "r"}]}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, SCHEMA)


# -- GitHub workflow commands ----------------------------------------------------------------------------

# The runner's grammar (actions/runner ActionCommand): ::name key=value,key=value::message
_COMMAND = re.compile(r"^::(?P<name>[a-z]+)(?: (?P<props>[^:]*))?::(?P<data>.*)$")


def _unescape(text: str, prop: bool) -> str:
    pairs = [("%0D", "\r"), ("%0A", "\n")] + ([("%3A", ":"), ("%2C", ",")] if prop else []) + [("%25", "%")]
    for code, char in pairs:
        text = text.replace(code, char)
    return text


def parse_command(line: str) -> tuple[str, dict[str, str], str]:
    m = _COMMAND.match(line)
    assert m, line
    props = {}
    for pair in (m["props"] or "").split(","):
        key, _, value = pair.partition("=")
        props[key] = _unescape(value, True)
    return m["name"], props, _unescape(m["data"], False)


def test_github_lines_parse_as_workflow_commands(tmp_path):
    [cluster] = build_model(_every_code_repo(tmp_path / "repo")).clusters
    report = diagnose(cluster)
    lines = render_github([report], "deploy/repo").splitlines()
    assert len(lines) == len(report.open)
    for line, f in zip(lines, report.open):
        name, props, message = parse_command(line)
        assert name == {"error": "error", "warning": "warning", "info": "notice"}[f.severity]
        assert props == {"file": f"deploy/repo/{f.file}", "line": str(f.line), "title": f"flux-wiki {f.code}"}
        assert message == f"[test] {f.message}"


def test_github_escaping_follows_the_actions_toolkit():
    assert escape_property("a:b,c%d\r\ne") == "a%3Ab%2Cc%25d%0D%0Ae"
    name, props, message = parse_command("::error file=" + escape_property("x,y:z.yaml") + ",line=3::" +
                                         "100%25 sure%0Anext line")
    assert (name, props["file"], message) == ("error", "x,y:z.yaml", "100% sure\nnext line")


# -- the command -----------------------------------------------------------------------------------------

def test_command_exit_codes(tmp_path):
    repo = write_repo(tmp_path / "repo", layer("crds", CERT_MANAGER), layer("apps", CERTIFICATE))
    result = run_cli(["doctor", str(repo)])
    assert result.exit_code == 1 and "missing-dependson" in result.output
    assert run_cli(["doctor", str(repo), "--fail-on", "error", "--format", "json"]).exit_code == 1
    fixed = write_repo(tmp_path / "fixed", layer("crds", CERT_MANAGER, spec="wait: true"),
                       layer("apps", CERTIFICATE, deps=("crds",)))
    assert run_cli(["doctor", str(fixed)]).exit_code == 0
    bad_notes = tmp_path / "notes.yaml"
    bad_notes.write_text("clusters:\n  test:\n    acknowledged: [{code: missing-dependson}]\n")
    result = run_cli(["doctor", str(repo), "--notes", str(bad_notes)])
    assert result.exit_code == 2 and "reason" in result.output
    assert run_cli(["doctor", str(tmp_path / "absent")]).exit_code == 2
    assert run_cli(["doctor", str(repo), "--cluster", "nope"]).exit_code == 2
    assert run_cli(["doctor", str(tmp_path)]).exit_code == 2  # no Flux entry point


def test_command_counts_problems_and_limits_apart(tmp_path):
    """A simulation limit is not a warning (it does not fail --strict): the note says which is which."""
    remote = ("apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata: {name: other, namespace: flux-system}\n"
              "spec: {interval: 1m, url: https://example.com/other.git, ref: {branch: main}}\n")
    elsewhere = layer("remote", remote, spec="sourceRef: {kind: GitRepository, name: other}")
    elsewhere["clusters/test/remote.yaml"] = elsewhere["clusters/test/remote.yaml"].replace(
        "  sourceRef: {kind: GitRepository, name: flux-system}\n", "")
    repo = write_repo(tmp_path / "repo", layer("crds", CERT_MANAGER, spec="wait: true"), elsewhere,
                      extra={"clusters/test/other.yaml": remote})
    result = run_cli(["doctor", str(repo)])
    assert "note: the simulation reported 1 simulation limit(s) or notice(s) (not warnings)" in result.output
    broken = write_repo(tmp_path / "broken", layer("crds", CERT_MANAGER, spec="path: ./nowhere"))
    result = run_cli(["doctor", str(broken)])
    assert "note: the simulation reported 1 problem(s), each a warning in the build" in result.output


def test_command_reads_the_wiki_configuration(monkeypatch):
    """Run where mkdocs.yml is, as CI does: the example, its notes, apps-openclaw excluded."""
    monkeypatch.chdir(ROOT)
    result = run_cli(["doctor", "--format", "github", "--fail-on", "warning"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines and all(line.startswith("::") for line in lines)
    assert all("file=data/tazlab-k8s/" in line for line in lines)
    assert not any("apps-openclaw" in line for line in lines)


def test_no_secret_value_reaches_any_output(tmp_path):
    secret = ("apiVersion: v1\nkind: Secret\nmetadata: {name: db-password, namespace: default}\n"
              "stringData: {password: hunter2-canary}\n")
    pod = ("apiVersion: v1\nkind: Pod\nmetadata: {name: app, namespace: default}\nspec:\n  containers:\n"
           "    - {name: app, image: app, env: [{name: P, valueFrom: {secretKeyRef: {name: db-password, key: password}}}]}\n")
    repo = write_repo(tmp_path / "repo", layer("secrets", secret), layer("apps", pod, deps=("secrets",)),
                      layer("other", pod.replace("name: app,", "name: other,")))
    [cluster] = build_model(repo).clusters
    report = diagnose(cluster)
    assert any("Secret default/db-password" in f.message for f in report.open)
    for text in (render_text([report]), render_json([report]), render_github([report]), render_sarif([report])):
        assert "hunter2" not in text and "db-password" in text


def test_command_names_the_line_of_a_dangling_dependson_entry_as_the_build_does(tmp_path):
    """The doctor's finding and the build's FW-DEPENDSON-DANGLING warning point at the same line: the
    ``- name: nowhere`` entry (line 12 of clusters/test/apps.yaml), not the Kustomization's first line."""
    repo = write_repo(tmp_path / "repo", layer("apps", "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}",
                                               deps=("base", "nowhere")),
                      layer("base", "apiVersion: v1\nkind: Namespace\nmetadata: {name: b}"))
    assert (repo / "clusters/test/apps.yaml").read_text().splitlines()[12] == "    - name: nowhere"
    model = build_model(repo)
    assert [(w.file, w.line) for w in model.clusters[0].warnings if w.code == "FW-DEPENDSON-DANGLING"] == [
        ("clusters/test/apps.yaml", 13)]
    result = run_cli(["doctor", str(repo), "--format", "json"])
    found = [f for c in json.loads(result.stdout)["clusters"] for f in c["findings"] if f["code"] == "dangling-dependson"]
    assert [(f["file"], f["line"]) for f in found] == [("clusters/test/apps.yaml", 13)]
