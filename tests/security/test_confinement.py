"""Nothing outside the repository root is read, whichever reader a symlink (or a special file) is put in front of.

The hostile repos are built at test time (links, a FIFO, a socket and a file over the size cap are never
committed) and run through every front end by the harness. Each attack sits in its own Flux Kustomization,
so one refused path fails only its own build and every reader is exercised.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
from pathlib import Path

import pytest

from flux_wiki.load.confine import MAX_FILE_BYTES

from .harness import FLUX_WIKI, assert_clean, bounded, run_all
from .test_harness import MINI, write_repo

CANARY = "canary-3f9d1c77e2"  # in the environment of every front end: /proc/self/environ must not leak it
OUTSIDE = "outside-canary-b81e"  # in files beside the repo that links point at
PASSWD = "root:x:0:0"
FORBIDDEN = (PASSWD, CANARY, OUTSIDE)

GOTK = MINI["clusters/home/flux-system/gotk-sync.yaml"]


def ks(name: str, path: str) -> str:
    return (f"apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\n"
            f"metadata: {{name: {name}, namespace: flux-system}}\n"
            f"spec: {{path: {path}, sourceRef: {{kind: GitRepository, name: flux-system}}, interval: 10m, prune: true}}\n")


INGRESS = """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: default}
spec:
  rules:
    - host: placeholder.example
      http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
"""
SERVICE = """\
apiVersion: v1
kind: Service
metadata: {name: %s, namespace: default}
spec: {type: LoadBalancer, loadBalancerIP: %s, ports: [{port: 80}]}
"""


def generator(kind: str, source: str) -> str:
    """A ConfigMap generated from ``source`` whose value a replacement copies into the Ingress host."""
    return f"""\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources: [ingress.yaml]
configMapGenerator:
  - name: leak
    namespace: default
    {kind}: [{source}]
replacements:
  - source: {{kind: ConfigMap, name: leak, fieldPath: data.{source.split('=')[0]}}}
    targets:
      - select: {{kind: Ingress, name: web}}
        fieldPaths: [spec.rules.0.host]
"""


def kustomization(**fields: str) -> str:
    return "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n" + "".join(
        f"{k}: {v}\n" for k, v in fields.items())


def outside_tree(base: Path) -> Path:
    """Files and folders beside the repo, each carrying the OUTSIDE canary."""
    out = base / "outside"
    cm = f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: stolen, namespace: default}}\ndata: {{x: {OUTSIDE}}}\n"
    write_repo(out, {
        "secret.yaml": cm,
        "patch.yaml": f"apiVersion: v1\nkind: Service\nmetadata: {{name: web, namespace: default}}\n"
                      f"metadata: {{name: web, namespace: default, labels: {{x: {OUTSIDE}}}}}\n",
        "base/kustomization.yaml": kustomization(resources="[cm.yaml]"),
        "base/cm.yaml": cm,
        "component/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"
                                        "resources: [cm.yaml]\n",
        "component/cm.yaml": cm,
        "ignore": "apps/\n",
        f"{OUTSIDE}.yaml": cm,
    })
    return out


def link(repo: Path, rel: str, target: str | Path) -> None:
    (repo / rel).parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, repo / rel)


def hostile_repo(base: Path) -> tuple[Path, dict[str, str]]:
    """One cluster, one Kustomization per attack; returns the repo and {path that must be named: why}."""
    out = outside_tree(base)
    repo = base / "repo"
    files = {"clusters/home/flux-system/gotk-sync.yaml": GOTK}
    attacks = ["resource", "gen-files", "gen-envs", "patch", "component", "folder", "walk", "ks-path", "inside"]
    for name in attacks:
        files[f"clusters/home/{name}.yaml"] = ks(name, "./apps/outlink" if name == "ks-path" else f"./apps/{name}")
    files.update({
        "apps/resource/kustomization.yaml": kustomization(resources="[passwd.yaml]"),
        "apps/gen-files/kustomization.yaml": generator("files", "passwd"),
        "apps/gen-files/ingress.yaml": INGRESS,
        "apps/gen-envs/kustomization.yaml": generator("envs", "environ.env"),
        "apps/gen-envs/ingress.yaml": INGRESS,
        "apps/patch/kustomization.yaml": kustomization(resources="[svc.yaml]", patches="[{path: patch.yaml}]"),
        "apps/patch/svc.yaml": SERVICE % ("web", "10.0.0.7"),
        "apps/component/kustomization.yaml": kustomization(resources="[svc.yaml]", components="[comp]"),
        "apps/component/svc.yaml": SERVICE % ("web", "10.0.0.8"),
        "apps/folder/kustomization.yaml": kustomization(resources="[linked]"),
        "apps/walk/svc.yaml": SERVICE % ("walk", "10.0.0.6"),
        "apps/shared/svc.yaml": SERVICE % ("shared", "10.0.0.9"),
        "apps/inside/kustomization.yaml": kustomization(resources="[svc.yaml]"),
    })
    write_repo(repo, files)
    link(repo, "apps/resource/passwd.yaml", "/etc/passwd")
    link(repo, "apps/gen-files/passwd", "/etc/passwd")
    link(repo, "apps/gen-envs/environ.env", "/proc/self/environ")
    link(repo, "apps/patch/patch.yaml", out / "patch.yaml")
    link(repo, "apps/component/comp", out / "component")
    link(repo, "apps/folder/linked", out / "base")
    link(repo, "apps/outlink", out)
    link(repo, "apps/inside/svc.yaml", "../shared/svc.yaml")  # stays inside, yet no artifact holds a link
    link(repo, ".sourceignore", out / "ignore")  # would hide apps/ if it were read
    walk = {  # a folder without kustomization.yaml: Flux's generated one walks it
        "passwd.yaml": "/etc/passwd", "environ.yaml": "/proc/self/environ", "zero.yaml": "/dev/zero",
        "secret.yaml": out / "secret.yaml", "slash": "/", "loop-a.yaml": "loop-b.yaml", "loop-b.yaml": "loop-a.yaml",
        "dangling.yaml": "nowhere.yaml", "self": ".",
    }
    for name, target in walk.items():
        link(repo, f"apps/walk/{name}", target)
    link(repo, "up", "..")
    os.mkfifo(repo / "apps/walk/fifo.yaml")
    here = Path.cwd()
    os.chdir(repo / "apps/walk")  # a socket path must stay short
    try:
        with socket.socket(socket.AF_UNIX) as sock:
            sock.bind("sock.yaml")
    finally:
        os.chdir(here)
    with open(repo / "apps/walk/huge.yaml", "wb") as fh:
        fh.write(f"# {OUTSIDE}\n".encode().ljust(MAX_FILE_BYTES + 1, b"#"))
    named = {
        "apps/resource/passwd.yaml": "leading outside", "apps/gen-files/passwd": "leading outside",
        "apps/gen-envs/environ.env": "leading outside", "apps/patch/patch.yaml": "leading outside",
        "apps/component/comp": "leading outside", "apps/folder/linked": "leading outside",
        "apps/outlink": "leading outside", ".sourceignore": "leading outside",
        "apps/walk/passwd.yaml": "leading outside", "apps/walk/environ.yaml": "leading outside",
        "apps/walk/zero.yaml": "leading outside", "apps/walk/secret.yaml": "leading outside",
        "apps/walk/slash": "leading outside", "apps/walk/loop-a.yaml": "loop", "apps/walk/dangling.yaml": "dangling",
        "apps/walk/self": "symbolic link", "apps/walk/fifo.yaml": "not a regular file",
        "apps/inside/svc.yaml": "leaves symbolic links out of the artifact",
        "apps/walk/sock.yaml": "not a regular file", "apps/walk/huge.yaml": "limit for one file",
    }
    return repo, named


@pytest.fixture
def canary_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLUX_WIKI_CANARY", CANARY)


def warnings_of(outcome) -> list[str]:  # type: ignore[no-untyped-def]
    inv = json.loads(outcome.run("inventory-json").stdout)
    found = [w["message"] for w in inv["warnings"]]
    for c in inv["clusters"]:
        found += [w["message"] for w in c["warnings"]]
    return found


def test_symlinks_and_special_files_never_lead_out_of_the_repo(tmp_path: Path, canary_env: None) -> None:
    repo, named = hostile_repo(tmp_path)
    outcome = run_all(repo, tmp_path / "work")
    assert_clean(outcome, forbidden=FORBIDDEN)

    warnings = warnings_of(outcome)
    for path, why in named.items():
        assert any(f"'{path}'" in w and why in w for w in warnings), f"no warning names {path} ({why}):\n" + \
            "\n".join(warnings)
    # a link nothing reads is left out of the artifact and never met by Flux: not followed, and not red
    assert not any("'up'" in w for w in warnings), warnings
    build, strict = outcome.run("build"), outcome.run("build-strict")
    assert build.returncode == 0 and strict.returncode == 1, (build.stderr[-2000:], strict.stderr[-2000:])
    assert "apps/gen-envs/environ.env" in build.stderr and "leading outside" in build.stderr

    inv = json.loads(outcome.run("inventory-json").stdout)
    nodes = {k["id"]: k for k in inv["clusters"][0]["kustomizations"]}
    assert all(nodes[f"flux-system/{n}"]["status"] == "error" for n in
               ("resource", "gen-files", "gen-envs", "patch", "component", "folder", "ks-path", "inside"))
    assert nodes["flux-system/walk"]["status"] == "built"
    # a refused .sourceignore does not hide apps/; the service behind the in-repo link is not what Flux applies
    assert outcome.containing("10.0.0.6") and not outcome.containing("10.0.0.9")


def test_source_basis_and_check_never_read_through_links_out_of_a_root(tmp_path: Path, canary_env: None) -> None:
    out = outside_tree(tmp_path)
    repo = write_repo(tmp_path / "repo", MINI)
    link(repo, "apps/passwd.yaml", "/etc/passwd")
    link(repo, "apps/environ.yaml", "/proc/self/environ")
    link(repo, "leak", out)
    wiki = tmp_path / "work" / "wiki"
    write_repo(wiki, {
        "data/source-basis.yaml": "roots:\n  repo: ../../../repo\npages:\n  index.md:\n"
                                  "    sources: ['repo:apps/*', 'repo:leak/*.yaml', 'repo:**/secret.yaml']\n",
    })
    outcome = run_all(repo, tmp_path / "work", source_basis="data/source-basis.yaml")
    assert_clean(outcome, forbidden=FORBIDDEN)
    strict = outcome.run("build-strict")
    assert strict.returncode == 1 and "'apps/passwd.yaml' is a symbolic link leading outside the source root" \
        in strict.stderr, strict.stderr[-2000:]

    # a lock (written by the attacker) stamping the linked files, with git blob ids to diff against
    lock = {"version": 1, "pages": {"index.md": {"sources": ["repo:apps/*"], "files": {
        name: {"sha256": "0" * 64, "git_blob": "1" * 40}
        for name in ("repo:apps/passwd.yaml", "repo:apps/environ.yaml", "repo:apps/svc.yaml", "repo:leak/secret.yaml")}}}}
    (wiki / "data" / "flux-wiki.lock").write_text(json.dumps(lock))
    config = ["--config-file", str(wiki / "mkdocs.yml")]
    check = bounded("check", FLUX_WIKI + ["check", *config], wiki)
    stamp = bounded("stamp", FLUX_WIKI + ["stamp", "--all", *config], wiki)
    for run in (check, stamp):
        text = run.stdout + run.stderr
        assert not run.traceback and not any(x in text for x in FORBIDDEN), text
        assert "warning:" in run.stderr and "'apps/environ.yaml' is a symbolic link leading outside" in run.stderr
        assert "source 'repo:leak/*.yaml': 'leak' is a symbolic link leading outside the source root" in run.stderr
    assert check.returncode == 1 and "removed: repo:apps/passwd.yaml" in check.stdout

    # a committed export whose pages are links out: `check --export-dir` must not diff their targets
    committed = wiki / "content"
    shutil.copytree(tmp_path / "work" / "hugo" / "content" / "wiki", committed)
    pages = sorted(committed.rglob("*.md"))
    for page, target in zip(pages, ["/etc/passwd", "/proc/self/environ", out / "secret.yaml"]):
        page.unlink()
        page.symlink_to(target)
    drift = bounded("check-export", FLUX_WIKI + ["check", "--export-dir", str(committed), *config], wiki)
    assert not drift.traceback and not any(x in drift.stdout + drift.stderr for x in FORBIDDEN), drift.stdout
    assert drift.returncode == 1 and f"missing: {pages[0].relative_to(committed).as_posix()}" in drift.stdout
    assert stamp.returncode == 0
    stamped = json.loads((wiki / "data" / "flux-wiki.lock").read_text())["pages"]["index.md"]["files"]
    assert sorted(stamped) == ["repo:apps/svc.yaml"]
