"""`mkdocs serve` (with livereload: `--no-livereload` also turns off watching) picks up a manifest edit; the pre-commit hook's entry; the committed-export check."""

from __future__ import annotations

import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import yaml

from flux_wiki.config import wiki_config_from_mkdocs
from flux_wiki.export.drift import regenerate

from ..support import ROOT, run_cli
from .conftest import MANIFEST

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.read().decode()
    except OSError:
        return None


def poll(url: str, until, seconds: float = 90):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        text = fetch(url)
        if text is not None and until(text):
            return text
        time.sleep(0.5)
    return None


def test_mkdocs_serve_rebuilds_on_a_manifest_edit(wiki: Path, tmp_path: Path) -> None:
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen([str(BIN / "mkdocs"), "serve", "-a", f"127.0.0.1:{port}",
                             "-f", str(wiki / "mkdocs.yml")], cwd=wiki, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}/flux/tazlab-k8s/surfaces/"
        assert poll(url, lambda t: "192.168.1.240" in t), (tmp_path / "serve.log").read_text()
        manifest = wiki / MANIFEST
        manifest.write_text(manifest.read_text().replace("LB_IP: 192.168.1.240", "LB_IP: 192.168.1.250"))
        changed = poll(url, lambda t: "192.168.1.250" in t)
        assert changed is not None, (tmp_path / "serve.log").read_text()
        assert "192.168.1.240:" not in changed
        assert not (wiki / "docs" / "flux").exists(), "nothing is written into watched folders"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        log.close()


def test_pre_commit_hook_entry(git_wiki: Path) -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "flux-wiki-check" and hook["pass_filenames"] is False
    entry = shlex.split(hook["entry"])
    argv = [str(BIN / entry[0]), *entry[1:]]
    unstamped = subprocess.run(argv, cwd=git_wiki, capture_output=True, text=True)
    assert unstamped.returncode == 1 and "never stamped" in unstamped.stdout
    subprocess.run([str(BIN / "flux-wiki"), "stamp", "--all"], cwd=git_wiki, check=True, capture_output=True)
    fresh = subprocess.run(argv, cwd=git_wiki, capture_output=True, text=True)
    assert fresh.returncode == 0, fresh.stdout + fresh.stderr
    ctx = git_wiki / "data" / "AGENTS.ctx" / "cluster" / "CONTEXT.md"
    ctx.write_text(ctx.read_text() + "- A new node joined.\n")
    stale = subprocess.run(argv, cwd=git_wiki, capture_output=True, text=True)
    assert stale.returncode == 1
    assert "changed: AGENTS.ctx:cluster/CONTEXT.md" in stale.stdout and "+- A new node joined." in stale.stdout


def test_check_export_dir_against_a_fresh_hugo_export(git_wiki: Path) -> None:
    args = ["-f", str(git_wiki / "mkdocs.yml")]
    assert run_cli(["stamp", "--all", *args]).exit_code == 0
    committed = git_wiki / "hugo" / "content" / "wiki"
    regenerate(wiki_config_from_mkdocs(git_wiki / "mkdocs.yml"), committed, "hugo")
    current = run_cli(["check", "--export-dir", str(committed), *args])
    assert current.exit_code == 0, current.output
    assert "committed copy is current" in current.output
    manifest = git_wiki / "data/tazlab-k8s/infrastructure/instances/pgadmin/service.yaml"
    manifest.write_text(manifest.read_text().replace("8001", "8011"))
    drift = run_cli(["check", "--export-dir", str(committed), "--format", "json", *args])
    assert drift.exit_code == 1
    data = json.loads(drift.output)["export"]
    assert data["current"] is False
    changed = [f for f in data["files"] if f["state"] == "changed"]
    assert changed and all("8011" in f["diff"] for f in changed)


def test_check_export_dir_with_generated_markdown_pages(wiki: Path) -> None:
    args = ["-f", str(wiki / "mkdocs.yml")]
    run_cli(["stamp", "--all", *args])
    committed = wiki / "generated"
    regenerate(wiki_config_from_mkdocs(wiki / "mkdocs.yml"), committed, "pages")
    (committed / "flux" / "tazlab-k8s" / "old.md").write_text("gone\n")
    dag = committed / "flux" / "tazlab-k8s" / "dag.md"
    dag.write_text(dag.read_text().replace("TazLab Flux DAG", "Edited by hand", 1))
    result = run_cli(["check", "--export-dir", str(committed), "--export-kind", "pages", *args])
    assert result.exit_code == 1
    assert "changed: flux/tazlab-k8s/dag.md" in result.output and "extra: flux/tazlab-k8s/old.md" in result.output
    assert "-title: Edited by hand\n+title: TazLab Flux DAG" in result.output


def test_check_export_dir_of_an_export_with_hand_written_pages(git_wiki: Path) -> None:
    args = ["-f", str(git_wiki / "mkdocs.yml")]
    assert run_cli(["stamp", "--all", *args]).exit_code == 0
    committed = git_wiki / "hugo" / "content" / "wiki"
    regenerate(wiki_config_from_mkdocs(git_wiki / "mkdocs.yml"), committed, "hugo", all_pages=True)
    current = run_cli(["check", "--export-dir", str(committed), "--export-all", *args])
    assert current.exit_code == 0, current.output
    without_flag = run_cli(["check", "--export-dir", str(committed), *args])
    assert without_flag.exit_code == 1  # the hand-written pages look like extra files to a generated-only check
    page = git_wiki / "docs" / "tazlab-system-map.md"
    page.write_text(page.read_text() + "\nA new paragraph.\n")
    edited = run_cli(["check", "--export-dir", str(committed), "--export-all", *args])
    assert edited.exit_code == 1 and "A new paragraph." in edited.output
