"""Install from anywhere: the sdist and the wheel build, their metadata is valid, the wheel carries every file the
package reads, and a new user's first steps (the README's "Use it on your repo", run as written) work in a
fresh virtualenv with nothing but the wheel."""

from __future__ import annotations

import email
import os
import re
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

import pytest
from packaging.metadata import Metadata

from ..support import CORPORA, EXAMPLE_REPO, ROOT

PACKAGE = ROOT / "plugins" / "flux_wiki"
INSTALL = "git+https://github.com/<owner>/flux-wiki"
USER_REPO = "../my-gitops-repo"


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sdist and the wheel, built as `python -m build` builds them (the wheel from the sdist)."""
    out = tmp_path_factory.mktemp("dist")
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    print(f"python -m build: {time.perf_counter() - started:.1f} s")
    return out


def package_files() -> set[str]:
    """Every file of the package that is not Python source (templates, JS, CSS, the CRD catalog, ...)."""
    return {p.relative_to(PACKAGE.parent).as_posix() for p in PACKAGE.rglob("*")
            if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts}


def test_the_wheel_and_the_sdist_carry_every_file_the_package_reads(dist: Path) -> None:
    wheel, = dist.glob("*.whl")
    sdist, = dist.glob("*.tar.gz")
    needed = package_files()
    assert "flux_wiki/render/assets/viewer.css" in needed and "flux_wiki/analysis/crd_catalog.yaml" in needed
    with zipfile.ZipFile(wheel) as zf:
        assert needed <= set(zf.namelist())
        entry_points = zf.read(next(n for n in zf.namelist() if n.endswith(".dist-info/entry_points.txt"))).decode()
    with tarfile.open(sdist) as tf:
        top = tf.getnames()[0].split("/")[0]
        assert {f"{top}/plugins/{name}" for name in needed} <= set(tf.getnames())
    for group in ("[console_scripts]", "[mkdocs.plugins]", "[properdocs.plugins]"):
        assert group in entry_points
    assert "flux-wiki = flux_wiki.mkdocs.plugin:FluxWikiPlugin" in entry_points


def test_metadata_is_valid(dist: Path) -> None:
    """What `twine check` checks, with packaging's validator (twine is not on the local mirrors here)."""
    wheel, = dist.glob("*.whl")
    sdist, = dist.glob("*.tar.gz")
    with zipfile.ZipFile(wheel) as zf:
        raw_wheel = zf.read(next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA")))
    with tarfile.open(sdist) as tf:
        member = tf.extractfile(f"{tf.getnames()[0].split('/')[0]}/PKG-INFO")
        assert member is not None
        raw_sdist = member.read()
    for raw in (raw_wheel, raw_sdist):
        meta = Metadata.from_email(raw, validate=True)  # raises on any invalid or unknown field
        assert meta.name == "mkdocs-flux-wiki" and str(meta.version) == "0.1.0"
        assert str(meta.requires_python) == ">=3.11" and meta.license_expression == "Apache-2.0"
        assert meta.description_content_type == "text/markdown"
        assert meta.description and "## Use it on your repo" in meta.description
        assert meta.provides_extra and "material" in meta.provides_extra
    assert email.message_from_bytes(raw_wheel)["Metadata-Version"] in ("2.2", "2.3", "2.4")


def readme_steps() -> str:
    """The commands of the README's "Use it on your repo" section, as written there."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Use it on your repo", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None
    assert len(section.strip().splitlines()) <= 10
    return block.group(1)


def test_a_new_user_installs_the_wheel_and_builds_a_wiki_of_their_repo(dist: Path, tmp_path: Path) -> None:
    wheel, = dist.glob("*.whl")
    repo = CORPORA / "fluxcd__flux2-kustomize-helm-example"
    repo = repo if repo.is_dir() else EXAMPLE_REPO  # a clone without ../shared: the bundled example repo
    steps = readme_steps()
    assert steps.count(INSTALL) == 1 and steps.count(USER_REPO) == 1
    script = steps.replace(INSTALL, f"file://{wheel}").replace(USER_REPO, str(repo))
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    started = time.perf_counter()
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=900)
    print(f"README steps in a fresh virtualenv: {time.perf_counter() - started:.1f} s")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]

    venv = tmp_path / ".venv"
    located = subprocess.run([str(venv / "bin/python"), "-c", "import flux_wiki; print(flux_wiki.__file__)"],
                             cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    assert located.startswith(str(venv))  # the wheel, not this checkout
    version = subprocess.run([str(venv / "bin/flux-wiki"), "--version"], capture_output=True, text=True, check=True)
    assert version.stdout.strip() == "flux-wiki, version 0.1.0"

    site = tmp_path / "wiki" / "site"
    home = (site / "index.html").read_text()
    assert "This wiki documents the Flux GitOps repository" in home  # `/` is the page init wrote
    dags = sorted(site.glob("flux/*/dag/index.html"))
    assert dags
    for dag in dags:
        text = dag.read_text()
        assert '<div class="admonition info">' in text and "!!!" not in text
    assert (site / "assets/flux-wiki.js").is_file() and (site / "assets/flux-wiki.css").is_file()
    assert re.search(r"stamped index\.md \([1-9]\d* file\(s\)\)", done.stdout)  # the repo root the build knows
    assert "all 1 page(s) fresh" in done.stdout
