"""flux-wiki stamp / check: the review loop and its exit codes (0 fresh, 1 stale, 2 bad config)."""

from __future__ import annotations

import json
from pathlib import Path

from flux_wiki.authoring.lock import dump_lock, git_blob_id, load_lock

from ..support import CliResult, run_cli
from .conftest import MANIFEST, git

PAGE = "tazlab-system-map.md"  # basis: clusters/tazlab-k8s/*.yaml + AGENTS.ctx:cluster/CONTEXT.md


def run(wiki: Path, *args: str) -> CliResult:
    return run_cli([*args, "--config-file", str(wiki / "mkdocs.yml")])


def test_stamp_edit_check_restamp(git_wiki: Path) -> None:
    assert run(git_wiki, "stamp", "--all").exit_code == 0
    fresh = run(git_wiki, "check")
    assert fresh.exit_code == 0, fresh.output
    assert "all 7 page(s) fresh" in fresh.output

    manifest = git_wiki / MANIFEST
    manifest.write_text(manifest.read_text().replace("LB_IP: 192.168.1.240", "LB_IP: 192.168.1.250"))
    stale = run(git_wiki, "check")
    assert stale.exit_code == 1
    out = stale.output
    assert f"{PAGE}: stale" in out
    assert "changed: tazlab-k8s:clusters/tazlab-k8s/cluster-vars.yaml" in out
    assert "-  LB_IP: 192.168.1.240\n+  LB_IP: 192.168.1.250" in out
    assert "tazlab-secret-and-identity-flow.md: stale" not in out  # its basis does not include cluster-vars

    assert run(git_wiki, "stamp", PAGE, "tazlab-k8s-layers.md", "tazlab-flux-dag-troubleshooting.md",
               "tazlab-cluster-delivery-flow.md").exit_code == 0
    again = run(git_wiki, "check")
    assert again.exit_code == 0, again.output


def test_added_and_removed_basis_files_and_json(git_wiki: Path) -> None:
    assert run(git_wiki, "stamp", PAGE).exit_code == 0
    folder = git_wiki / "data/tazlab-k8s/clusters/tazlab-k8s"
    (folder / "apps-extra.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n")
    (folder / "apps-data.yaml").unlink()
    result = run(git_wiki, "check", "--format", "json")
    assert result.exit_code == 1
    pages = {p["page"]: p for p in json.loads(result.output)["pages"]}
    assert pages[PAGE]["state"] == "stale"
    assert pages[PAGE]["added"] == ["tazlab-k8s:clusters/tazlab-k8s/apps-extra.yaml"]
    assert pages[PAGE]["removed"] == ["tazlab-k8s:clusters/tazlab-k8s/apps-data.yaml"]
    assert pages["tazlab-k8s.md"]["state"] == "unstamped"


def test_lock_is_deterministic_and_records_git_blobs(git_wiki: Path) -> None:
    run(git_wiki, "stamp", "--all")
    lock_file = git_wiki / "data" / "flux-wiki.lock"
    first = lock_file.read_bytes()
    run(git_wiki, "stamp", "tazlab-k8s.md")
    assert lock_file.read_bytes() == first
    assert dump_lock(load_lock(lock_file)).encode() == first
    entry = load_lock(lock_file).pages[PAGE].files["tazlab-k8s:clusters/tazlab-k8s/cluster-vars.yaml"]
    expected = git(git_wiki, "hash-object", MANIFEST).strip()
    assert entry.git_blob == expected == git_blob_id((git_wiki / MANIFEST).read_bytes())


def test_without_git_no_blob_and_no_diff(wiki: Path) -> None:
    assert run(wiki, "stamp", PAGE).exit_code == 0
    assert all(f.git_blob is None for f in load_lock(wiki / "data/flux-wiki.lock").pages[PAGE].files.values())
    manifest = wiki / MANIFEST
    manifest.write_text(manifest.read_text() + "  EXTRA: x\n")
    result = run(wiki, "check")
    assert result.exit_code == 1
    assert "no diff for tazlab-k8s:clusters/tazlab-k8s/cluster-vars.yaml" in result.output


def test_bad_config_exits_2(wiki: Path, tmp_path: Path) -> None:
    assert run_cli(["check", "--config-file", str(tmp_path / "nope.yml")]).exit_code == 2
    (wiki / "data" / "flux-wiki.lock").write_text("{not json")
    result = run(wiki, "check")
    assert result.exit_code == 2 and "flux-wiki.lock:1" in result.output
    cfg = wiki / "mkdocs.yml"
    cfg.write_text(cfg.read_text().replace("repo: data/tazlab-k8s", "repo: data/missing"))
    assert run(wiki, "check").exit_code == 2
    cfg.write_text("site_name: x\nplugins: [search]\n")
    missing = run(wiki, "check")
    assert missing.exit_code == 2 and "no flux-wiki plugin options" in missing.output


def test_stamp_refuses_unknown_and_generated_pages(wiki: Path) -> None:
    result = run(wiki, "stamp", "flux/tazlab-k8s/dag.md")
    assert result.exit_code == 2 and "flux/tazlab-k8s/dag.md" in result.output
    assert run(wiki, "stamp").exit_code == 2  # usage error: nothing named
    assert not (wiki / "data" / "flux-wiki.lock").exists()
