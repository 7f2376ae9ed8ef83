"""Page slugs: names that share a slug never overwrite each other's page, clashes are reported, and every
file made from a name (pages, `.layer.dot`, the built site, the Hugo export) stays within file-name limits."""

from __future__ import annotations

from pathlib import Path

from flux_wiki.render.markdown import SLUG_MAX, slug
from flux_wiki.render.pages import unique_slugs
from flux_wiki.compile import WikiCompiler
from flux_wiki.config import WikiConfig

from .harness import assert_clean, run_all
from .test_harness import write_repo

# A valid DNS subdomain of the maximum length (253): four labels of at most 63 characters.
DNS_253 = ".".join(["a" * 63, "b" * 63, "c" * 63, "d" * 61])
LONG_300 = "z" * 300

SYNC = """\
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {{name: flux-system, namespace: flux-system}}
spec: {{url: https://example.org/r, ref: {{branch: main}}}}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {{name: flux-system, namespace: flux-system}}
spec: {{path: ./clusters/{cluster}, sourceRef: {{kind: GitRepository, name: flux-system}}, interval: 10m, prune: true}}
"""
KS = """\
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {{name: "{name}", namespace: {namespace}}}
spec: {{path: ./apps/{folder}, sourceRef: {{kind: GitRepository, name: flux-system, namespace: flux-system}},
        interval: 10m, prune: true}}
"""
SERVICE = """\
apiVersion: v1
kind: Service
metadata: {{name: {name}, namespace: default}}
spec: {{type: LoadBalancer, loadBalancerIP: 10.0.0.{ip}, ports: [{{port: 80}}]}}
"""

# (namespace, name, folder): two names with one slug, one name in two namespaces, a 253- and a 300-character name
LAYERS = [("flux-system", "app.x", "dot"), ("flux-system", "app-x", "dash"), ("flux-system", "web", "web1"),
          ("apps", "web", "web2"), ("flux-system", DNS_253, "long"), ("flux-system", LONG_300, "longer")]


def clash_repo(root: Path, clusters: tuple[str, ...] = ("home",)) -> Path:
    files: dict[str, str] = {}
    for cluster in clusters:
        files[f"clusters/{cluster}/flux-system/gotk-sync.yaml"] = SYNC.format(cluster=cluster)
        files[f"clusters/{cluster}/apps.yaml"] = "".join(KS.format(namespace=ns, name=name, folder=folder)
                                                        for ns, name, folder in LAYERS)
    for i, (_, _, folder) in enumerate(LAYERS):
        files[f"apps/{folder}/svc.yaml"] = SERVICE.format(name=folder, ip=i + 10)
    return write_repo(root, files)


def compile_repo(repo: Path):  # type: ignore[no-untyped-def]
    return WikiCompiler().compile(WikiConfig(repo=repo, diagrams=False))


def layer_pages(compiled) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Layer id -> its generated page path, as the layout planned it."""
    (cluster,) = compiled.model.clusters
    return {k.id: compiled.layout.layer(cluster, k.id) for k in cluster.layers()}


def test_names_sharing_a_slug_each_get_a_page_and_the_clash_is_a_notice(tmp_path: Path) -> None:
    compiled = compile_repo(clash_repo(tmp_path / "repo"))
    pages = layer_pages(compiled)
    generated = {p.path for p in compiled.pages if p.kind == "layer"}
    assert len(set(pages.values())) == len(LAYERS) == len(generated), pages
    assert set(pages.values()) == generated
    dot, dash = pages["flux-system/app.x"], pages["flux-system/app-x"]
    assert dot != dash and Path(dot).stem.startswith("app-x-") and Path(dash).stem.startswith("app-x-")
    # one name in two namespaces: namespace-name, as before
    assert pages["apps/web"].endswith("/layers/apps-web.md")
    assert pages["flux-system/web"].endswith("/layers/flux-system-web.md")
    # each page says what it is about: the page of app.x is titled app.x
    titles = {p.path: p.title for p in compiled.pages}
    assert titles[dot] == "app.x" and titles[dash] == "app-x"
    # never silent: a notice per page, naming the other Kustomization; info, not a warning
    notices = [str(n) for n in compiled.notices]
    assert any("flux-system/app.x" in n and "flux-system/app-x" in n and dot in n for n in notices), notices
    assert any("flux-system/app-x" in n and "flux-system/app.x" in n and dash in n for n in notices), notices
    assert any("apps/web" in n and "flux-system/web" in n for n in notices), notices
    assert all(n.severity == "info" for n in compiled.notices)
    assert not [d for d in compiled.diagnostics if "page name" in d.message]


def test_paths_are_deterministic_whatever_the_order(tmp_path: Path) -> None:
    first = layer_pages(compile_repo(clash_repo(tmp_path / "a")))
    again = layer_pages(compile_repo(clash_repo(tmp_path / "b")))
    assert first == again
    texts = {"ns/app.x": "app.x", "ns/app-x": "app-x", "ns/other": "other"}
    forward, _ = unique_slugs(texts)
    backward, _ = unique_slugs(dict(reversed(list(texts.items()))))
    assert forward == backward
    assert forward["ns/other"] == "other"


def test_a_name_chosen_to_equal_a_disambiguated_slug_does_not_take_its_page() -> None:
    texts = {"a": "app.x", "b": "app-x"}
    hashed, _ = unique_slugs(texts)
    texts["c"] = hashed["b"]  # a third Kustomization named like b's disambiguated page
    out, _ = unique_slugs(texts)
    assert len(set(out.values())) == 3
    assert out["c"] == hashed["b"]  # the plain name keeps its slug, the hashed one moves on


def test_long_names_are_cut_with_a_stable_hash() -> None:
    # stable across runs, processes and machines: a hash of the whole name, not Python's seeded hash()
    assert slug(DNS_253) == ("a" * 63 + "-" + "b" * 63 + "-" + "c" * 63)[:SLUG_MAX - 11] + "-5fcf065db5"
    assert slug(LONG_300) == "z" * (SLUG_MAX - 11) + "-7cf7dc7f99"
    assert slug("z" * 301) != slug(LONG_300) and len(slug("z" * 301)) == SLUG_MAX
    assert slug("app-x", distinct="flux-system/app-x") == "app-x-14b6a4ef27"
    assert slug("web") == "web" and slug("x" * SLUG_MAX) == "x" * SLUG_MAX  # short names are untouched


def test_hostile_names_build_everywhere_within_file_name_limits(tmp_path: Path) -> None:
    repo = clash_repo(tmp_path / "repo", clusters=("home.lab", "home-lab"))
    outcome = run_all(repo, tmp_path / "work")
    assert_clean(outcome)
    for name in ("build", "export-hugo", "inventory-json"):
        run = outcome.run(name)
        assert run.returncode == 0, (name, run.stderr[-2000:])
    # the 300-character name is over the API server's 253: the only warnings, one per cluster
    strict = outcome.run("build-strict")
    warnings = [line for line in strict.stderr.splitlines() if line.startswith("WARNING")]
    assert strict.returncode == 1 and len(warnings) == 2, warnings
    assert all("[FW-SCHEMA-REJECTED]" in w and "must be no more than 253 characters" in w for w in warnings)
    too_long = [f for f in outcome.files if any(len(part.encode()) > 255 for part in Path(f).parts)]
    assert not too_long
    # every layer of both clusters has its own page in the site and in the Hugo export
    for folder in ("site", "hugo/content"):
        layer_files = {f for f in outcome.files if f.startswith(folder + "/") and "/layers/" in f
                       and f.endswith(("index.html", "index.md"))}
        assert len(layer_files) == 2 * len(LAYERS), sorted(layer_files)
    dots = [f for f in outcome.files if f.startswith("site/") and f.endswith(".layer.dot")]
    assert len(dots) == 2 * len(LAYERS)
