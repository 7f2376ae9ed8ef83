"""The pull-request comment: a golden file, and repo values that cannot become markup."""

from __future__ import annotations

import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import markdown

from flux_wiki.diff import GitRepo, Revision, RevisionInventories
from flux_wiki.diff.compare import compare_inventories
from flux_wiki.diff.report import COMMENT_LIMIT, md_prose, mermaid_label, render_markdown, render_text

from ..support import run_cli
from .conftest import History
from .fixture import BASE, KUSTOMIZATION, GitFixture, layer, web

GOLDEN = Path(__file__).parent / "golden"
BROWSE = "https://github.com/example/home/blob/HEAD_SHA/"


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("FLUX_WIKI_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} differs; FLUX_WIKI_UPDATE_GOLDEN=1 rewrites it"


def test_markdown_comment_is_the_golden_file(history: History) -> None:
    """Every step from the base to the duplicate claim, as one pull request (commit ids masked)."""
    result = run_cli(["diff", str(history.fixture.root), "--base", "HEAD~9", "--head", "HEAD~1",
                      "--format", "markdown", "--browse-url", BROWSE])
    assert result.exit_code == 0, result.output
    check_golden("pull-request.md", re.sub(r"\(([0-9a-f]{12})\)", "(COMMIT)", result.output))
    assert_inert(result.output)


def test_markdown_is_deterministic(history: History) -> None:
    def once() -> str:
        return render_markdown(history.inventories.compare(Revision("b", history.commits["base"]),
                                                           Revision("h", history.commits["remove layer"])), BROWSE)
    assert once() == once()


HOSTILE = "x<img src=x onerror=alert(1)>](javascript:alert(1))`|\"]; click n1 call evil()%%{init}%%\n# ```"
ALLOWED_TAGS = {"h3", "h4", "p", "table", "thead", "tbody", "tr", "th", "td", "code", "a", "pre"}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def assert_inert(md: str) -> None:
    """Rendered (our own <details>/<summary> lines aside), the comment has only the tags the report writes,
    and every link goes to the browse URL."""
    ours = re.compile(r"^(<details>|</details>|<summary>[A-Za-z ]+: [a-z0-9, ]+</summary>)$")
    body = "\n".join(line for line in md.splitlines() if not ours.match(line))
    parser = _Tags()
    parser.feed(markdown.markdown(body, extensions=["tables", "fenced_code"]))
    assert {tag for tag, _ in parser.tags} <= ALLOWED_TAGS, parser.tags
    assert all(attrs.get("href", "").startswith(BROWSE) for tag, attrs in parser.tags if tag == "a")


def test_hostile_names_come_out_inert(tmp_path: Path) -> None:
    """A repo's names land in tables, code spans, links and Mermaid labels; none becomes markup or syntax."""
    repo = GitFixture(tmp_path / "home", BASE)
    repo.write({
        "clusters/home/evil.yaml": layer("evil", "./evil", ("infra",)).replace("name: evil", f"name: {json.dumps(HOSTILE)}"),
        "evil/kustomization.yaml": KUSTOMIZATION + "resources: [cm.yaml, web.yaml]\n",
        "evil/cm.yaml": f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  namespace: apps\n  name: {json.dumps(HOSTILE)}\n",
        "evil/web.yaml": web(json.dumps(HOSTILE)).replace("${LB_IP}", json.dumps(HOSTILE)),
    })
    result = run_cli(["diff", str(repo.root), "--base", "HEAD", "--format", "markdown",
                      "--browse-url", BROWSE])
    assert result.exit_code == 0, result.output
    md = result.output
    assert md.count("onerror") >= 4  # the names are there (as text) ...
    assert_inert(md)  # ... and inert
    mermaid = md.split("```mermaid\n", 1)[1].split("```", 1)[0]
    for line in mermaid.splitlines()[1:]:
        assert re.fullmatch(r'  n\d+\["[A-Za-z0-9 ./_:#;-]*"\]|  n\d+ (-->|==>|-\.->) n\d+|'
                            r'  classDef \w+ [a-z:#0-9,-]+|  class [n0-9,]+ \w+', line), line
    for row in (r for r in md.splitlines() if r.startswith("| added | Kustomization")):
        assert len(re.split(r"(?<!\\)\|", row)) == 6, row  # 4 columns: no value broke out through a pipe
    git = GitRepo(repo.root)
    text = render_text(RevisionInventories(git).compare(git.revision("HEAD"), git.revision(None)))
    assert "onerror" in text and "\n# ```" not in text


def test_mermaid_labels_encode_everything_but_plain_text() -> None:
    assert mermaid_label('a/b-c_d.e:f g') == 'a/b-c_d.e:f g'
    assert mermaid_label('"]; x') == '#34;#93;#59; x'
    assert mermaid_label("`<>&\n") == "#96;#60;#62;#38;"


def test_prose_never_mentions_anyone() -> None:
    assert "@o" not in md_prose("owned by @org/team") and "org/team" in md_prose("owned by @org/team")


def test_a_huge_change_still_fits_in_one_comment() -> None:
    """A new cluster with thousands of objects: tables shrink until GitHub would accept the comment."""
    objects = [{"apiVersion": "v1", "kind": "ConfigMap", "namespace": "ns", "name": f"config-{i:05d}",
                "file": f"apps/very/long/path/to/a/folder/config-{i:05d}.yaml", "line": 1} for i in range(3000)]
    head = {"clusters": [{"name": "big", "kustomizations": [
        {"id": f"flux-system/app-{i:03d}", "path": f"apps/{i}", "dependsOn": [], "objects": objects[i::300],
         "file": f"clusters/big/app-{i:03d}.yaml", "line": 1} for i in range(300)]}]}
    diff = compare_inventories({"clusters": []}, head)
    md = render_markdown(diff, BROWSE)
    assert len(md) <= COMMENT_LIMIT and "not shown here" in md
    assert "300 Kustomizations added" in md and "3000 objects added" in md
