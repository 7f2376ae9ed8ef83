"""The harness itself: a benign repo runs clean, and each detector fires on what it must catch."""

from __future__ import annotations

from pathlib import Path

import pytest

from .harness import SHORTCODE_CALL, THEME_SCRIPT, Outcome, assert_clean, executable_markup, run_all

MINI = {
    "clusters/home/flux-system/gotk-sync.yaml": """\
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: flux-system, namespace: flux-system}
spec: {url: https://example.org/r, ref: {branch: main}}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: flux-system, namespace: flux-system}
spec: {path: ./clusters/home, sourceRef: {kind: GitRepository, name: flux-system}, interval: 10m, prune: true}
""",
    "clusters/home/apps.yaml": """\
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: apps, namespace: flux-system}
spec: {path: ./apps, sourceRef: {kind: GitRepository, name: flux-system}, interval: 10m, prune: true}
""",
    "apps/svc.yaml": """\
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec: {type: LoadBalancer, loadBalancerIP: 10.0.0.5, ports: [{port: 80}]}
""",
}


def write_repo(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def test_benign_repo_runs_clean_through_every_front_end(tmp_path: Path) -> None:
    repo = write_repo(tmp_path / "repo", MINI)
    outcome = run_all(repo, tmp_path / "work")
    assert_clean(outcome)
    assert all(r.returncode == 0 for r in outcome.runs), [(r.name, r.returncode, r.stderr[-500:]) for r in outcome.runs]
    assert outcome.containing("10.0.0.5"), "the LoadBalancer address should reach the outputs"
    assert any(n.endswith("index.html") and n.startswith("site/") for n in outcome.files)


@pytest.mark.parametrize("html", ['<img src=x onerror="alert(1)">', "<script>alert(1)</script>",
                                  '<a href="javascript:alert(1)">x</a>', "<svg><g onload=alert(1)></g></svg>",
                                  '<img/src="x"/onerror=alert(1)>', '<a href=" java&#x09;script:alert(1)">x</a>',
                                  '<a xlink:href="JavaScript:alert(1)">x</a>', "<SCRIPT SRC=//x></SCRIPT>"])
def test_executable_markup_is_detected(html: str) -> None:
    outcome = Outcome(files={"site/x/index.html": f"<p>{html}</p>"})
    with pytest.raises(AssertionError, match="executable markup"):
        assert_clean(outcome)


def test_theme_scripts_and_escaped_text_are_not_flagged() -> None:
    page = ('<script src="../assets/javascripts/bundle.1.min.js"></script><script>__md_scope=new URL(".")</script>'
            "<p>&lt;img src=x onerror=alert(1)&gt; one = 1</p>"
            '<a xlink:title="&lt;img src=x onerror=alert(1)&gt; javascript:x" href="../x/">t</a>')
    assert executable_markup(THEME_SCRIPT.sub("", page)) is None


def test_shortcode_calls_are_detected_and_escaped_form_is_not() -> None:
    assert SHORTCODE_CALL.search("x {{< figure src=a >}}") and SHORTCODE_CALL.search("{{% note %}}")
    assert SHORTCODE_CALL.search("{{</* figure */>}}") is None


def test_forbidden_text_is_found_in_any_output() -> None:
    outcome = Outcome(files={"site/a.html": "ok", "hugo/content/wiki/b.md": "root:x:0:0"})
    with pytest.raises(AssertionError, match="root:x:0:0"):
        assert_clean(outcome, forbidden=("root:x:0:0",))
