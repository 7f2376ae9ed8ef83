"""`flux-wiki inventory --format json`: the stable model other tools and tests rely on."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from ..support import EXAMPLE_REPO, ROOT, corpus, run_cli


def inventory(*args: str) -> str:
    result = run_cli(["inventory", *args, "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_schema_and_example_facts() -> None:
    data = json.loads(inventory(str(EXAMPLE_REPO)))
    (cluster,) = data["clusters"]
    assert cluster["name"] == "tazlab-k8s"
    assert cluster["entry"]["file"] == "clusters/tazlab-k8s/flux-system/gotk-sync.yaml"
    assert cluster["entry"]["line"] == 17
    assert cluster["source"]["url"] == "https://github.com/tazzo/tazlab-k8s"
    assert cluster["source"]["branch"] == "master"
    ks = {k["id"]: k for k in cluster["kustomizations"]}
    inst = ks["flux-system/infrastructure-instances"]
    assert inst["path"] == "infrastructure/instances"
    assert inst["parent"] == "flux-system/flux-system"
    assert inst["dependsOn"] == ["flux-system/infrastructure-configs", "flux-system/infrastructure-operators-data"]
    assert inst["level"] == 3 and inst["wait"] is False and inst["status"] == "built"
    assert inst["file"] == "clusters/tazlab-k8s/infrastructure-instances.yaml"
    dex = [o for o in inst["objects"] if o["kind"] == "Deployment" and o["name"] == "dex"]
    assert dex and dex[0]["namespace"] == "dex" and dex[0]["file"].startswith("infrastructure/instances/dex/")
    assert list(ks) == sorted(ks)
    assert {s["address"] for s in cluster["surfaces"] if s["kind"] == "loadbalancer"} == {
        "192.168.1.240", "192.168.1.241"}


def test_byte_identical_between_runs() -> None:
    assert inventory(str(EXAMPLE_REPO)) == inventory(str(EXAMPLE_REPO))


def test_secrets_never_in_inventory() -> None:
    text = inventory(str(EXAMPLE_REPO))
    assert "canary-example-secret-value" not in text
    assert (EXAMPLE_REPO / "infrastructure").is_dir()
    found = subprocess.run(["grep", "-rl", "canary-example-secret-value", str(EXAMPLE_REPO)],
                           capture_output=True, text=True).stdout
    assert found, "the canary must exist in the example for this test to mean anything"


@pytest.mark.corpora
def test_user_repo_runs_without_traceback() -> None:
    repo = corpus("tazlab-k8s")
    proc = subprocess.run([sys.executable, "-m", "flux_wiki.cli", "inventory", str(repo), "--format", "json"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    data = json.loads(proc.stdout)
    names = {c["name"] for c in data["clusters"]}
    assert "tazlab-k8s" in names
    cluster = next(c for c in data["clusters"] if c["name"] == "tazlab-k8s")
    errors = [k for k in cluster["kustomizations"] if k["status"] == "error"]
    assert errors, "the mixed-history repo has Kustomizations whose folders are gone"
    assert all(k["reason"] for k in errors)
    assert any("not found" in k["reason"] or "does not exist" in k["reason"] for k in errors)
    assert "canary-plaintext-db-password" not in proc.stdout


@pytest.mark.corpora
@pytest.mark.parametrize("name", ["onedr0p__home-ops", "bjw-s-labs__home-ops", "toboshii__home-ops",
                                  "fluxcd__flux2-kustomize-helm-example", "fluxcd__flux2-multi-tenancy"])
def test_public_corpora_without_traceback(name: str) -> None:
    data = json.loads(inventory(str(corpus(name))))
    assert data["clusters"]
    for c in data["clusters"]:
        for k in c["kustomizations"]:
            assert k["status"] in ("built", "partial", "error", "skipped")
            if k["status"] != "built":
                assert k["reason"]
