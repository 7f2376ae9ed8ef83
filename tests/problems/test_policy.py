"""Problem classes in a build: repo problems are MkDocs warnings (``--strict`` fails), limits are INFO lines
and "Simulation Notes" on the DAG page (``--strict`` passes), ``problems.ignore`` silences a code (or a code
under a path glob) with a required reason, ``problems.strict_limits`` makes limits warnings."""

from __future__ import annotations

import json
import logging
import textwrap
from pathlib import Path

import pytest
from mkdocs.exceptions import Abort

from ..support import build_site, run_cli

SYNC = """\
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: flux-system, namespace: flux-system}
spec: {interval: 1m, ref: {branch: main}, url: https://example.com/home}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: flux-system, namespace: flux-system}
spec: {interval: 10m, path: ./clusters/home, prune: true, sourceRef: {kind: GitRepository, name: flux-system}}
"""
KS = """\
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {{name: {name}, namespace: flux-system}}
spec: {{interval: 10m, path: {path}, prune: true, sourceRef: {{kind: GitRepository, name: {source}}}}}
"""
VENDOR = """\
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: vendor, namespace: flux-system}
spec: {interval: 1h, ref: {tag: v1.2.3}, url: https://example.com/vendor}
"""
SERVICE = "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: apps}\nspec: {ports: [{port: 80}]}\n"


def wiki(tmp_path: Path, *, broken: bool = False, problems: str = "") -> Path:
    """A wiki on a repo with one limit (a Kustomization of another repository) and, if ``broken``, one repo
    problem (a Kustomization whose path is not there)."""
    files = {
        "repo/clusters/home/flux-system/gotk-sync.yaml": SYNC,
        "repo/clusters/home/apps.yaml": KS.format(name="apps", path="./apps", source="flux-system"),
        "repo/clusters/home/vendor.yaml": KS.format(name="vendor", path="./deploy", source="vendor") + "---\n" + VENDOR,
        "repo/apps/service.yaml": SERVICE,
        "docs/index.md": "# Home\n",
        "mkdocs.yml": "site_name: t\nplugins:\n  - flux-wiki:\n      repo: repo\n      diagrams: false\n"
                      + textwrap.indent(textwrap.dedent(problems), " " * 6),
    }
    if broken:
        files["repo/clusters/home/old.yaml"] = KS.format(name="old", path="./gone", source="flux-system")
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


def build(root: Path, caplog: pytest.LogCaptureFixture) -> tuple[str, dict[int, list[str]]]:
    """A strict build: the DAG page's Markdown source and the plugin's log lines by level."""
    caplog.set_level(logging.INFO, logger="mkdocs.plugins.flux-wiki")
    site = build_site(root, root / "site")
    html = (site / "flux" / "home" / "dag" / "index.html").read_text()
    return html, _records(caplog)


def _records(caplog: pytest.LogCaptureFixture) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for r in caplog.records:
        if r.name == "mkdocs.plugins.flux-wiki":
            out.setdefault(r.levelno, []).append(r.getMessage())
    return out


def test_a_limit_alone_passes_strict_and_is_a_simulation_note(tmp_path: Path,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    html, logs = build(wiki(tmp_path), caplog)
    assert logs.get(logging.WARNING) is None
    [note] = [m for m in logs[logging.INFO] if "flux-system/vendor" in m]
    assert note.startswith("flux-wiki: simulation limit: clusters/home/vendor.yaml:1: ")
    assert "https://example.com/vendor, tag v1.2.3" in note and "{" not in note  # no Python dict in the reason
    assert note.endswith("[FW-KS-SOURCE-EXTERNAL]")
    assert "Simulation Notes" in html and "FW-KS-SOURCE-EXTERNAL" in html
    assert ">Warnings<" not in html


def test_a_repo_problem_fails_strict_and_is_a_warning_on_the_page(tmp_path: Path,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    root = wiki(tmp_path, broken=True)
    caplog.set_level(logging.INFO, logger="mkdocs.plugins.flux-wiki")
    with pytest.raises(Abort):
        build_site(root, root / "site")
    [warning] = _records(caplog)[logging.WARNING]
    assert warning.startswith("clusters/home/old.yaml:1: Kustomization flux-system/old (path ./gone) does not build")
    assert warning.endswith("[FW-KS-PATH-MISSING]")


@pytest.mark.parametrize("rule", ["FW-KS-PATH-MISSING", "FW-KS-PATH-MISSING:clusters/home/*.yaml",
                                  "FW-KS-PATH-MISSING:old.yaml"])
def test_an_ignored_problem_passes_strict_and_shows_the_reason(tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                                              rule: str) -> None:
    root = wiki(tmp_path, broken=True, problems=f"""\
        problems:
          ignore:
            - {rule}: "archived layer, kept for reference"
        """)
    html, logs = build(root, caplog)
    assert logs.get(logging.WARNING) is None
    assert any(m.startswith(f"flux-wiki: ignored ({rule}: archived layer, kept for reference): "
                            "clusters/home/old.yaml:1:") for m in logs[logging.INFO])
    assert "Acknowledged Problems" in html and "archived layer, kept for reference" in html


def test_an_ignore_under_another_path_leaves_the_problem(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    root = wiki(tmp_path, broken=True, problems="""\
        problems:
          ignore:
            - FW-KS-PATH-MISSING:clusters/lab/**: "the lab is archived"
            - FW-DEPENDSON-CYCLE: "not this one"
        """)
    with pytest.raises(Abort):
        build_site(root, root / "site")


@pytest.mark.parametrize("problems, error", [
    ("problems:\n  ignore: [FW-KS-PATH-MISSING]\n", "a reason is required"),
    ("problems:\n  ignore:\n    - FW-KS-PATH-MISING: typo\n", "unknown problem code 'FW-KS-PATH-MISING'"),
    ("problems:\n  strict_limits: 'yes'\n", "Expected type: <class 'bool'>"),
])
def test_a_bad_problems_option_is_refused(tmp_path: Path, caplog: pytest.LogCaptureFixture, problems: str,
                                         error: str) -> None:
    root = wiki(tmp_path, problems=problems)
    with pytest.raises(Abort):
        build_site(root, root / "site")
    assert any("option 'problems'" in r.getMessage() and error in r.getMessage() for r in caplog.records)
    # the CLI validates with the same schema, naming mkdocs.yml and the line
    result = run_cli(["export", "hugo", "--out", str(tmp_path / "out"), "-f",
                      str(root / "mkdocs.yml")])
    assert result.exit_code == 2 and error in result.output and "mkdocs.yml:" in result.output, result.output


def test_strict_limits_turns_limits_into_warnings(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    root = wiki(tmp_path, problems="problems:\n  strict_limits: true\n")
    caplog.set_level(logging.INFO, logger="mkdocs.plugins.flux-wiki")
    with pytest.raises(Abort):
        build_site(root, root / "site")
    [warning] = _records(caplog)[logging.WARNING]
    assert warning.startswith("simulation limit: clusters/home/vendor.yaml:1:")


def test_inventory_json_gives_each_problem_its_code_and_class(tmp_path: Path) -> None:
    root = wiki(tmp_path, broken=True)
    result = run_cli(["inventory", str(root / "repo"), "--format", "json"])
    [cluster] = json.loads(result.stdout)["clusters"]
    by_code = {w["code"]: w for w in cluster["warnings"]}
    assert by_code["FW-KS-PATH-MISSING"]["class"] == "repo"
    assert by_code["FW-KS-SOURCE-EXTERNAL"]["class"] == "limit"
    assert set(by_code["FW-KS-PATH-MISSING"]) == {"file", "line", "message", "code", "class"}
    text = run_cli(["inventory", str(root / "repo")])
    assert "warning: clusters/home/old.yaml:1:" in text.stderr
    assert "note: simulation limit: clusters/home/vendor.yaml:1:" in text.stderr
