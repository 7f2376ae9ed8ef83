"""A layer table with no row says why in one sentence instead of an empty table: the Flux root applies no
Kustomization, every one it applies is excluded, or the root is not built; a layer page listing nothing says
whether the path yields no objects or the layer was not built."""

from __future__ import annotations

from pathlib import Path

from flux_wiki.compile import WikiCompiler
from flux_wiki.config import WikiConfig

from ..simulate.test_simulate import gotk, ks, write

CM = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: default}\n"


def pages(repo: Path, **options) -> dict[str, str]:
    wiki = WikiCompiler().compile(WikiConfig(repo=repo, diagrams=False, **options))
    return {p.path.split("/", 2)[-1]: p.markdown for p in wiki.pages}


def layers_section(dag: str) -> str:
    return dag.split("## DAG Layers\n", 1)[1].split("\n## ", 1)[0]


def test_a_root_that_applies_no_kustomization(tmp_path: Path) -> None:
    section = layers_section(pages(write(tmp_path, {**gotk(), "clusters/home/cm.yaml": CM}))["dag.md"])
    assert "| Layer |" not in section
    assert ("No layers: the Flux root applies no Flux Kustomization; what it installs itself is listed under "
            "[Flux Root](#flux-root).") in section


def test_every_kustomization_excluded(tmp_path: Path) -> None:
    repo = write(tmp_path, {**gotk(), "clusters/home/apps.yaml": ks("apps", "./apps"), "apps/cm.yaml": CM})
    section = layers_section(pages(repo, exclude=["apps"])["dag.md"])
    assert "| Layer |" not in section and "No layers: every Kustomization the Flux root applies is excluded" in section


def test_a_root_that_does_not_build(tmp_path: Path) -> None:
    files = gotk()
    files["clusters/home/flux-system/kustomization.yaml"] = "resources: [gotk-sync.yaml, missing.yaml]\n"
    section = layers_section(pages(write(tmp_path, files))["dag.md"])
    assert section.startswith("\nNo layers: the Flux root is not built (error: ") and "missing.yaml" in section


def test_a_layer_not_built_lists_nothing_and_says_so(tmp_path: Path) -> None:
    repo = write(tmp_path, {**gotk(), "clusters/home/apps.yaml": ks("apps", "./nowhere")})
    layer = pages(repo)["layers/apps.md"]
    installs = layer.split("## What It Installs\n", 1)[1].split("\n## ", 1)[0]
    assert "Nothing listed: flux-wiki did not build it (error; the Status above says why)." in installs
    assert "yields no objects" not in installs
