"""Run every front end on a (hostile) repository in a bounded subprocess and collect what it wrote.

Each front end runs as its own process under `resource` limits (address space, CPU seconds) and a wall
clock timeout, so an exhaustion attack shows up as a failed, bounded run instead of hanging or
swallowing the test machine. The outcome holds every output as text, so a test can look for canaries,
outside content or executable markup in all of them at once.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

BIN = Path(sys.executable).parent
FLUX_WIKI = [sys.executable, "-m", "flux_wiki.cli"]
MKDOCS = [sys.executable, "-m", "mkdocs"]

# What a reader's browser would run if it reached the HTML or SVG: a script element, an event handler
# attribute, a javascript: URL. Found by parsing tags, so escaped text inside an attribute value
# (a tooltip that reads "onerror=") is not taken for an attribute.
URL_ATTRIBUTES = {"href", "xlink:href", "src", "action", "formaction", "data", "srcdoc"}
_URL_NOISE = re.compile(r"[\s\x00-\x1f]+")


class _MarkupScan(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.found.append(self.get_starttag_text() or "<script")
        for name, value in attrs:
            url = _URL_NOISE.sub("", value or "").lower()
            if name.startswith("on") or (name in URL_ATTRIBUTES and url.startswith(("javascript:", "vbscript:"))):
                self.found.append(self.get_starttag_text() or f"<{tag} {name}=")

    handle_startendtag = handle_starttag


def executable_markup(text: str) -> str | None:
    """The first tag in ``text`` that would run script, or None."""
    scan = _MarkupScan()
    scan.feed(text)
    scan.close()
    return scan.found[0] if scan.found else None

# Material's own scripts, removed before scanning: asset bundles, its config block and its inline boot code.
THEME_SCRIPT = re.compile(r"<script src=\"[^\"<>]*assets/[^\"<>]*\.js\"></script>"
                          r"|<script id=\"__config\" type=\"application/json\">[^<]*</script>"
                          r"|<script>(?:var target=|var palette=|__md_scope=).*?</script>", re.DOTALL)
# A Hugo shortcode call in exported Markdown (`{{</* x */>}}` is Hugo's inert, escaped form).
SHORTCODE_CALL = re.compile(r"\{\{[<%](?!/\*)")

HUGO_CONFIG = """\
baseURL = "https://blog.example/"
title = "flux-wiki security test"
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT"]
[markup.goldmark.renderer]
unsafe = true
"""
HUGO_LAYOUTS = {
    "baseof.html": '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{{ .Title }}</title></head>\n'
                   '<body>{{ block "main" . }}{{ end }}</body></html>\n',
    "single.html": '{{ define "main" }}<article><h1>{{ .Title }}</h1>{{ .Content }}</article>{{ end }}\n',
    "list.html": '{{ define "main" }}<article><h1>{{ .Title }}</h1>{{ .Content }}</article>{{ end }}\n',
}


@dataclass
class Run:
    """One front-end process: its command, exit code and streams."""

    name: str
    returncode: int | None  # None: killed by the wall clock
    stdout: str
    stderr: str

    @property
    def traceback(self) -> bool:
        return "Traceback (most recent call last)" in self.stdout + self.stderr


@dataclass
class Outcome:
    runs: list[Run] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)  # output file (relative to the work dir) -> text

    def run(self, name: str) -> Run:
        return next(r for r in self.runs if r.name == name)

    def texts(self) -> dict[str, str]:
        """Every output: files written and each run's stdout/stderr."""
        out = dict(self.files)
        for r in self.runs:
            out[f"<{r.name} stdout>"] = r.stdout
            out[f"<{r.name} stderr>"] = r.stderr
        return out

    def containing(self, needle: str) -> list[str]:
        return sorted(name for name, text in self.texts().items() if needle in text)


def _limits(mem_mb: int, cpu_s: int):  # type: ignore[no-untyped-def]
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (mem_mb << 20, mem_mb << 20))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s))
    return apply


def bounded(name: str, cmd: list[str], cwd: Path, *, mem_mb: int = 1536, timeout: int = 120) -> Run:
    """Run ``cmd`` with an address-space cap, a CPU-time cap and a wall-clock timeout."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", NO_COLOR="1", NO_MKDOCS_2_WARNING="1")
    try:
        proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, errors="replace", timeout=timeout,
                              env=env, preexec_fn=_limits(mem_mb, timeout), check=False)
    except subprocess.TimeoutExpired as err:
        def text(v: bytes | str | None) -> str:
            return v.decode(errors="replace") if isinstance(v, bytes) else (v or "")
        return Run(name, None, text(err.stdout), text(err.stderr))
    return Run(name, proc.returncode, proc.stdout, proc.stderr)


def write_wiki(work: Path, repo: Path, **options: object) -> Path:
    """A minimal wiki folder beside ``repo``: mkdocs.yml (Material, the plugin on ``repo``) and docs/index.md."""
    wiki = work / "wiki"
    (wiki / "docs").mkdir(parents=True, exist_ok=True)
    if not (wiki / "docs" / "index.md").exists():
        (wiki / "docs" / "index.md").write_text("# Security test wiki\n", encoding="utf-8")
    opts = "".join(f"      {k}: {v}\n" for k, v in options.items())
    (wiki / "mkdocs.yml").write_text(textwrap.dedent(f"""\
        site_name: Security test
        theme:
          name: material
          font: false
        plugins:
          - search
          - flux-wiki:
              repo: {os.path.relpath(repo, wiki)}
        """) + opts + textwrap.dedent("""\
        markdown_extensions:
          - admonition
          - attr_list
          - md_in_html
          - tables
          - pymdownx.details
          - pymdownx.superfences
        """), encoding="utf-8")
    return wiki


def _collect(outcome: Outcome, work: Path, folder: Path) -> None:
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            outcome.files[path.relative_to(work).as_posix()] = path.read_bytes().decode("utf-8", errors="replace")


def run_all(repo: Path, work: Path, *, mem_mb: int = 1536, timeout: int = 120, hugo: bool = True,
            export_all: bool = False, **options: object) -> Outcome:
    """``inventory`` (json, text), ``graph`` (dot, svg), ``mkdocs build`` (strict and not), ``export hugo``
    (with ``--all`` when ``export_all``: the hand-written pages too) and, when Debian's hugo is installed
    and the export succeeded, a real Hugo build of it. Pages or ``data/`` files written into
    ``work/wiki`` beforehand are kept."""
    work.mkdir(parents=True, exist_ok=True)
    wiki = write_wiki(work, repo, **options)
    outcome = Outcome()

    def go(name: str, cmd: list[str], cwd: Path = work) -> Run:
        run = bounded(name, cmd, cwd, mem_mb=mem_mb, timeout=timeout)
        outcome.runs.append(run)
        return run

    go("inventory-json", FLUX_WIKI + ["inventory", str(repo), "--format", "json"])
    go("inventory-text", FLUX_WIKI + ["inventory", str(repo)])
    go("graph-dot", FLUX_WIKI + ["graph", str(repo), "--format", "dot"])
    go("graph-svg", FLUX_WIKI + ["graph", str(repo), "--format", "svg", "--out", str(work / "graph")])
    # not -q: MkDocs then drops warnings before --strict counts them, and they are outputs to scan too
    go("build", MKDOCS + ["build", "-d", str(work / "site")], wiki)
    go("build-strict", MKDOCS + ["build", "--strict", "-d", str(work / "site-strict")], wiki)
    export = go("export-hugo", FLUX_WIKI + ["export", "hugo", "--out", str(work / "hugo" / "content" / "wiki"),
                                            "--config-file", str(wiki / "mkdocs.yml")]
                + (["--all"] if export_all else []), wiki)
    for folder in ("graph", "site", "site-strict", "hugo/content"):
        _collect(outcome, work, work / folder)
    exe = shutil.which("hugo")
    if hugo and exe and export.returncode == 0:
        site = work / "hugo"
        (site / "layouts" / "_default").mkdir(parents=True, exist_ok=True)
        (site / "config.toml").write_text(HUGO_CONFIG, encoding="utf-8")
        for name, text in HUGO_LAYOUTS.items():
            (site / "layouts" / "_default" / name).write_text(text, encoding="utf-8")
        go("hugo", [exe, "--source", str(site), "--destination", str(site / "public")])
        _collect(outcome, work, site / "public")
    return outcome


def assert_clean(outcome: Outcome, *, forbidden: tuple[str, ...] = ()) -> None:
    """No traceback, no run killed by the clock, no forbidden text anywhere, no executable markup in HTML."""
    for run in outcome.runs:
        assert not run.traceback, f"{run.name} printed a traceback:\n{run.stderr[-3000:]}"
        assert run.returncode is not None, f"{run.name} did not finish in time"
        assert run.returncode >= 0, f"{run.name} was killed by signal {-run.returncode}"
    for needle in forbidden:
        assert not outcome.containing(needle), f"{needle!r} reached {outcome.containing(needle)}"
    for name, text in outcome.files.items():
        if name.endswith((".html", ".svg")):
            found = executable_markup(THEME_SCRIPT.sub("", text))
            assert found is None, f"executable markup in {name}: {found[:300]!r}"
        if name.startswith("hugo/content/") and name.endswith(".md"):
            m = SHORTCODE_CALL.search(text)
            assert m is None, f"Hugo shortcode call in {name}: …{text[max(0, m.start() - 80):m.end() + 80]}…"
