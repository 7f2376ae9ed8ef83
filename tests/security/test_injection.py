"""No markup injection in any output: one hostile repo (and hostile author files) through every front end.

Names, namespaces, hosts, paths, file names, chart fields, warnings, notes, the source-basis index and a
hand-written page's front matter carry HTML, script, ``javascript:`` links, Hugo shortcodes, Markdown
link syntax, backticks, pipes, DOT quotes and backslashes, line breaks that would add front-matter keys,
and control or bidi characters. The harness asserts that nothing runs in a reader's browser and that Hugo
calls no shortcode; the tests here assert that the hostile text is still shown, escaped, not dropped.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from flux_wiki.authoring.basis import BasisGraph, Declared, relationships_markdown
from flux_wiki.engine import build_model
from flux_wiki.load.authored import SourceRoot
from flux_wiki.render.markdown import link_target, md_code, md_escape, one_line
from flux_wiki.render.pages import PageLayout

from .harness import Outcome, assert_clean, run_all

IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "<script>alert(2)</script>"
ANGLE = "{{< sc-angle >}}"
PERCENT = "{{% sc-pct %}}"
JS_LINK = "](javascript:alert(3))"
# Everything at once, in a Kubernetes name: flux-wiki reads YAML before any API server validates it.
NAME = f"n{IMG}{SCRIPT}{ANGLE}{PERCENT}`tick`|pipe|{JS_LINK}\"q\\b\u202eevil\x1b[31m"
NAMESPACE = f"ns{IMG}"
FRONT_MATTER_NAME = "nl\ntemplate: x\nsearch:\n  exclude: true"
CLUSTER = f"c{IMG}{ANGLE}"  # a folder name under clusters/
FOLDER = f"apps/x){IMG}"  # a KS path
FILE = f"x){IMG}{ANGLE}`t.yaml"  # a file name inside it
HOST = f"{IMG}{ANGLE}.example.org"
NOTE = f"note {SCRIPT} [x](javascript:alert(4)) {PERCENT}\ntemplate: x"
TITLE = f"T{IMG}\ntemplate: x"


def q(text: str) -> str:
    """A YAML double-quoted scalar (JSON's escapes are YAML's)."""
    return json.dumps(text)


def hostile_objects() -> str:
    """Applied objects whose every field a page shows carries markup."""
    return f"""\
apiVersion: v1
kind: Service
metadata: {{name: {q("web" + IMG + ANGLE)}, namespace: {q("app" + SCRIPT)}}}
spec:
  type: LoadBalancer
  loadBalancerIP: {q("10.0.0.5" + IMG + PERCENT)}
  ports: [{{port: 80, protocol: {q("TCP" + IMG)}, name: {q("p" + ANGLE)}}}]
  selector: {{app: web}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {{name: ing, namespace: app}}
spec:
  rules:
  - host: {q(HOST)}
    http:
      paths:
      - path: {q("/p" + SCRIPT + PERCENT + JS_LINK)}
        pathType: Prefix
        backend: {{service: {{name: {q("svc" + IMG + '"];x[label="')}, port: {{number: 80}}}}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: web, namespace: app, annotations: {{note: {q(IMG + ANGLE)}}}}}
spec:
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec: {{containers: [{{name: c, image: {q("nginx:" + IMG + ANGLE)}}}]}}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {{name: {q("cert" + IMG)}, namespace: app}}
spec: {{secretName: s, dnsNames: [{q(HOST)}], issuerRef: {{name: {q("iss" + IMG)}, kind: ClusterIssuer}}}}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {{name: {q("hr" + IMG + ANGLE)}, namespace: app}}
spec:
  interval: 10m
  chart:
    spec:
      chart: app-template
      version: {q("1.0" + PERCENT)}
      sourceRef: {{kind: HelmRepository, name: {q("repo" + IMG)}}}
  values:
    controllers: {{main: {{containers: {{app: {{image: {{repository: {q("img" + IMG)}, tag: {q("t" + ANGLE)}}}}}}}}}}}
    service: {{main: {{controller: main, ports: {{http: {{port: 8080}}}}}}}}
    ingress:
      main:
        hosts: [{{host: {q("chart" + HOST)}, paths: [{{path: {q("/c" + SCRIPT)}, service: {{identifier: main}}}}]}}]
"""


def hostile_repo() -> dict[str, str]:
    cluster_dir = f"clusters/{CLUSTER}"
    ks = ("apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\n"
          "metadata: {{name: {name}, namespace: {ns}}}\n"
          "spec:\n  path: {path}\n  sourceRef: {{kind: GitRepository, name: flux-system, namespace: flux-system}}\n"
          "  interval: 10m\n  prune: true\n{extra}")
    return {
        f"{cluster_dir}/flux-system/gotk-sync.yaml": f"""\
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {{name: flux-system, namespace: flux-system}}
spec: {{url: {q("https://example.org/r" + IMG)}, ref: {{branch: {q("main" + ANGLE)}}}}}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {{name: flux-system, namespace: flux-system}}
spec: {{path: {q("./" + cluster_dir)}, sourceRef: {{kind: GitRepository, name: flux-system}}, interval: 10m,
       prune: true}}
""",
        # v1beta2: api/v1's pattern would refuse the hostile timeout, and the Kustomization must build to show it
        f"{cluster_dir}/apps.yaml": ks.replace("/v1\n", "/v1beta2\n").format(
            name=q(NAME), ns=q(NAMESPACE), path=q("./" + FOLDER), extra=f"""\
  timeout: {q("5m" + ANGLE)}
  dependsOn: [{{name: {q("missing" + IMG + ANGLE)}}}]
  healthChecks: [{{kind: Deployment, name: {q("hc" + IMG + ANGLE)}, namespace: {q("x|y")}}}]
  postBuild:
    substitute: {{VAR_ONE: {q("v" + IMG)}}}
""") + "---\n" + ks.format(name=q(FRONT_MATTER_NAME), ns="flux-system", path="./other", extra=f"""\
  dependsOn: [{{name: {q(NAME)}, namespace: {q(NAMESPACE)}}}]
""") + "---\n" + ks.format(name="left-out", ns="flux-system", path="./other", extra=""),
        f"{FOLDER}/kustomization.yaml": f"resources: [objects.yaml, {q(FILE)}]\n",
        "other/kustomization.yaml": f"resources: [cm.yaml, {q('gone' + IMG + '.yaml')}]\n",
        f"{FOLDER}/{FILE}": f"""\
apiVersion: v1
kind: ConfigMap
metadata: {{name: {q("cm" + IMG + ANGLE)}, namespace: app}}
data: {{k: {q(IMG)}}}
""",
        f"{FOLDER}/objects.yaml": hostile_objects(),
        "other/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: plain, namespace: default}\n",
    }


def author_files(cluster: str, dag_page: str) -> dict[str, str]:
    """notes.yaml, source-basis.yaml and a hand-written page, as a wiki author (or a PR) could write them."""
    return {
        "data/notes.yaml": f"""\
clusters:
  {q(cluster)}:
    title: {q(TITLE)}
    synthesis: {q(NOTE)}
    excluded: {{flux-system/left-out: {q(NOTE)}}}
    kustomizations:
      {q(NAMESPACE + "/" + NAME)}: {{surface: {q(NOTE)}, rationale: {q(NOTE)}}}
""",
        "data/source-basis.yaml": f"""\
roots:
  gitops: {{path: ../../../repo, url: "javascript:alert(5)//"}}
  docs: {{path: ../docs, url: {q("https://docs.example/b/(" + IMG + ")/")}}}
pages:
  {q(dag_page)}:
    related: [evil.md, {q("y)" + IMG + ".md")}]
    sources: [{q("gitops:" + FOLDER + "/*")}, "docs:evil.md#L2", {q("nosuch" + IMG + ":x")}]
""",
        "docs/evil.md": f"""\
---
title: Evil neighbour
related: [{q(dag_page)}, "javascript:alert(6)", {q("z)" + IMG + ".md")}]
source_basis: [{q("gitops:" + FOLDER + "/" + FILE)}]
---
# Evil neighbour

<!-- flux-wiki:layers -->

<!-- flux-wiki:surfaces -->

<!-- flux-wiki:graph -->

<!-- flux-wiki:controllers -->
""",
    }


class _Text(HTMLParser):
    """The text a reader sees (scripts and styles left out)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("script", "style") and self._skip > 0

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return "".join(parser.parts).replace("\u200b", "")


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def outcome(tmp_path_factory: pytest.TempPathFactory) -> Outcome:
    tmp = tmp_path_factory.mktemp("injection")
    repo = tmp / "repo"
    write(repo, hostile_repo())
    cluster = build_model(repo).clusters[0]
    write(tmp / "work" / "wiki", author_files(cluster.name, PageLayout().dag(cluster)))
    return run_all(repo, tmp / "work", export_all=True, browse_url="https://git.example/r/blob/main/",
                   exclude=["flux-system/left-out"])


def _page(outcome: Outcome, prefix: str, contains: str) -> str:
    pages = [t for n, t in outcome.files.items() if n.startswith(prefix) and n.endswith(".html") and contains in t]
    assert pages, f"no page under {prefix} shows {contains!r}"
    return pages[0]


def test_nothing_runs_and_every_front_end_finishes(outcome: Outcome) -> None:
    assert_clean(outcome)
    for name in ("inventory-json", "inventory-text", "graph-dot", "graph-svg", "build", "export-hugo", "hugo"):
        run = outcome.run(name)
        assert run.returncode == 0, (name, run.stderr[-2000:])
    assert outcome.run("build-strict").returncode == 1  # the repo is wrong (dangling dependsOn, missing file)


def test_hostile_names_are_shown_escaped_not_dropped(outcome: Outcome) -> None:
    shown = one_line(NAME)
    assert "\\u202e" in shown and "\\u001b" in shown  # bidi override and ESC made visible
    for site in ("site/", "hugo/public/"):
        layer = _page(outcome, site, "Depends on")
        text = visible(layer)
        for value in (shown, FILE, one_line(HOST), "10.0.0.5" + IMG + PERCENT, "/p" + SCRIPT + PERCENT + JS_LINK):
            if value == "10.0.0.5" + IMG + PERCENT and "hugo" in site:
                continue  # the layer page lists hosts, the inventory lists addresses
            assert value in text, (site, value)
    title = re.search(r"<title>(.*?)</title>", _page(outcome, "site/", "Depends on"), re.S)
    assert title and "<" not in title.group(1) and shown in visible(title.group(0))


def test_front_matter_is_structural(outcome: Outcome) -> None:
    """A name with line breaks neither picks a template nor leaves the search index: it stays the title."""
    site_pages = [n for n in outcome.files if n.startswith("site/") and "nl-template" in n and n.endswith(".html")]
    assert site_pages
    html = outcome.files[site_pages[0]]
    assert "md-content" in html  # built with the theme's own page template
    index = json.loads(outcome.files["site/search/search_index.json"])
    assert any("nl-template" in doc["location"] for doc in index["docs"])
    dag = _page(outcome, "site/", "Current Synthesis")
    assert re.search(r"<title>T&lt;img src=x onerror=alert\(1\)&gt;\s+template: x - ", dag)
    for name, text in outcome.files.items():
        if name.startswith("hugo/content/") and name.endswith(".md"):
            front = text.split("---\n")[1]
            assert not re.search(r"^(template|search):", front, re.M), name


def test_links_built_from_repo_values_stay_links_to_where_they_point(outcome: Outcome) -> None:
    layer = _page(outcome, "site/", "Depends on")
    encoded = "x%29%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E"
    assert f'href="https://git.example/r/blob/main/apps/{encoded}/' in layer
    evil = next(t for n, t in outcome.files.items() if n.startswith("site/evil/"))
    assert "javascript:alert(6)" in visible(evil) or "javascript" not in evil  # an unsafe target loses its link
    dag = _page(outcome, "site/", "Current Synthesis")
    assert f"gitops:{FOLDER}/*" in visible(dag)  # the javascript: root URL is dropped, its label stays


def test_hugo_sees_no_shortcode_and_shows_the_text(outcome: Outcome) -> None:
    exported = {n: t for n, t in outcome.files.items() if n.startswith("hugo/content/") and n.endswith(".md")}
    assert any(ANGLE.replace("{{", "{{\u200b") in t for t in exported.values())
    built = "".join(visible(t) for n, t in outcome.files.items() if n.startswith("hugo/public/"))
    assert ANGLE in built and PERCENT in built


def test_inventory_json_round_trips_every_value(outcome: Outcome) -> None:
    data = json.loads(outcome.run("inventory-json").stdout)
    names = {k["id"] for c in data["clusters"] for k in c["kustomizations"]}
    assert f"{NAMESPACE}/{NAME}" in names and f"flux-system/{FRONT_MATTER_NAME}" in names
    text = outcome.run("inventory-text").stdout + outcome.run("inventory-text").stderr
    assert "\x1b" not in text and "\u202e" not in text and "nl\\ntemplate" in text


def test_escaping_helpers() -> None:
    assert md_escape(f"a{IMG}`|*_[x](y)~") == "a&lt;img src=x onerror=alert\\(1\\)&gt;\\`\\|\\*\\_\\[x\\]\\(y\\)&#126;"
    assert md_code("a|b`c") == "`a`\\|``b`c``"
    assert md_code("|") == "\\|"
    assert link_target("javascript:alert(1)") is None and link_target(" JaVa\tScript:x") is None
    assert link_target("data:text/html,x") is None
    assert link_target("https://x.example/a b)<c>") == "https://x.example/a%20b%29%3Cc%3E"
    assert link_target("../p/q.md#a") == "../p/q.md#a"


def test_relationship_titles_from_front_matter_are_text(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    write(docs, {"a.md": "---\nrelated: [b.md]\n---\n# A\n",
                 "b.md": f"---\ntitle: {q(IMG + JS_LINK)}\n---\n"})
    graph = BasisGraph(roots={"r": SourceRoot("r", tmp_path)}, docs_dir=docs,
                       pages={"a.md": Declared(sources=[("r:docs/b.md", "a.md", 1)], related=[("b.md", "a.md", 2)])})
    md = relationships_markdown(graph, "a.md", lambda root, path, line: f"javascript:{path}")
    assert "- [&lt;img src=x onerror=alert\\(1\\)&gt;\\]\\(javascript:alert\\(3\\)\\)](b.md)" in md
    assert "javascript:" not in md.replace("javascript:alert\\(3\\)", "")


def test_svg_links_are_relative_or_http_only() -> None:
    from flux_wiki.render.svg import postprocess_svg

    svg = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
           '<a xlink:href=" JavaScript:alert(1)"><text>x</text></a><a xlink:href="../layers/a/"><text>y</text></a></svg>')
    out = postprocess_svg(svg)
    assert "javascript" not in out.lower() and 'href="../layers/a/"' in out
