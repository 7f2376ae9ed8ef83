"""A new wiki for a Flux repository (``flux-wiki init``): mkdocs.yml, a home page, the source-basis index.

The engine runs once to name the clusters the home page links to. Every value that comes from the repository
(or its git remote) is escaped for where it lands: YAML through a dumper, Markdown through
:mod:`flux_wiki.render.markdown`, titles shown as HTML by MkDocs themes HTML-escaped.
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import yaml

from ..authoring.basis import collect, repo_root_name
from ..authoring.lock import load_lock, save_lock, stamp
from ..engine import build_model
from ..load.authored import load_source_basis
from ..model import Diagnostic
from ..render.markdown import file_url, front_matter, html_text, md_code, md_escape, md_link, one_line, relative_link
from ..render.pages import PageLayout
from .forge import BrowseGuess, guess_browse_url

TEMPLATES = Path(__file__).parent / "templates"
MKDOCS_YML = "mkdocs.yml"
HOME = "docs/index.md"
SOURCE_BASIS = "data/source-basis.yaml"
LOCK = "data/flux-wiki.lock"
GITIGNORE = ".gitignore"


@dataclass
class ClusterSummary:
    """What the home page says of one cluster, as Markdown."""

    name: str
    kind: str
    entry: str
    kustomizations: int
    helm_releases: int
    dag: str
    surfaces: str


@dataclass
class WikiPlan:
    """The files of a new wiki (path relative to its folder -> text) and what was found or guessed on the way."""

    folder: Path
    repo: Path
    files: dict[str, str]
    ignored: list[str]  # lines .gitignore needs
    browse: BrowseGuess
    clusters: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def conflicts(self) -> list[Path]:
        """Files of the plan that exist already."""
        written = [*self.files, LOCK] if self.clusters else list(self.files)
        return [self.folder / rel for rel in written if (self.folder / rel).exists() or (self.folder / rel).is_symlink()]


def yaml_scalar(value: object) -> str:
    """``value`` as one YAML scalar (double-quoted, escaped by the dumper) to put after a key."""
    return yaml.safe_dump(str(value), default_style='"', allow_unicode=True, width=float("inf")).strip()


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=False,
                             keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.StrictUndefined)
    env.filters.update(yaml=yaml_scalar, e=md_escape, code=md_code)
    return env


def plan_wiki(folder: Path, repo: Path, *, site_name: str | None = None, browse_url: str | None = None) -> WikiPlan:
    """The files ``flux-wiki init`` writes into ``folder`` for the Flux repository ``repo``."""
    folder, repo = Path(os.path.abspath(folder)), repo.resolve()
    guess = guess_browse_url(repo)
    if browse_url:
        guess = BrowseGuess(browse_url, guess.repo_url, "given with --browse-url")
    model = build_model(repo)
    layout = PageLayout("flux", model.clusters)
    root = repo_root_name(repo)
    name = one_line(site_name) if site_name else f"{repo.name or 'Flux'} wiki"
    env = _environment()

    def repo_file(path: str, line: int | None = None) -> str:
        label = f"{path}:{line}" if line else path
        return md_link(md_code(label), file_url(guess.url, path, line))

    clusters = [ClusterSummary(
        name=c.name, kind=c.entry_kind, entry=repo_file(c.entry_file, c.entry_line),
        kustomizations=len(c.kustomizations), helm_releases=model.facts[c.name].installed_release_count(),
        dag=md_link("Flux DAG", relative_link("index.md", layout.dag(c))),
        surfaces=md_link("Surface inventory", relative_link("index.md", layout.surfaces(c))),
    ) for c in model.clusters]
    repo_label = md_code(repo.name or str(repo))
    home = env.get_template("index.md.j2").render(
        front_matter=front_matter({"title": html_text(name)}).rstrip("\n"), site_name=name, clusters=clusters,
        repo_link=md_link(repo_label, guess.repo_url), example_basis=f'source_basis: ["{root}:path/*.yaml"]')
    config = env.get_template("mkdocs.yml.j2").render(
        site_name=html_text(name), repo_url=guess.repo_url, browse_url=guess.url,
        repo=_path_from(folder, repo))
    basis = {"roots": {root: {"path": _path_from((folder / SOURCE_BASIS).parent, repo)}},
             "pages": {"index.md": {"sources": [f"{root}:{glob.escape(c.entry_file)}#L{c.entry_line}"
                                                for c in model.clusters]}} if model.clusters else {}}
    index = ("# Source roots: named folders the wiki's facts come from (paths relative to this file). Per page: the\n"
             "# files it is based on (`root:path`, globs allowed) and the pages it relates to. `flux-wiki stamp`\n"
             "# records a reviewed page's sources in flux-wiki.lock; `flux-wiki check` says when they change.\n"
             + yaml.safe_dump(basis, sort_keys=False, allow_unicode=True, width=4096))
    ignored = [line for line in (TEMPLATES / "gitignore").read_text(encoding="utf-8").splitlines() if line]
    return WikiPlan(folder, repo, {MKDOCS_YML: config, HOME: home, SOURCE_BASIS: index}, ignored, guess,
                    [c.name for c in model.clusters], model.diagnostics + [w for c in model.clusters for w in c.warnings])


def _path_from(base: Path, target: Path) -> str:
    """``target`` as the wiki's files name it: relative to ``base`` (so the two can move together), absolute
    when they share nothing but the file system's root."""
    if os.path.commonpath([base, target]) == base.anchor:
        return target.as_posix()
    return Path(os.path.relpath(target, base)).as_posix()


def write_wiki(plan: WikiPlan) -> list[str]:
    """Write the plan's files (over existing ones: the caller checks :meth:`WikiPlan.conflicts`), add what
    ``.gitignore`` lacks, and stamp the home page against the entry points it describes. What was done, one
    line per file."""
    done = []
    for rel, text in plan.files.items():
        target = plan.folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        done.append(f"wrote {rel}")
    ignore = plan.folder / GITIGNORE
    present = ignore.read_text(encoding="utf-8").splitlines() if ignore.is_file() else []
    missing = [line for line in plan.ignored if line not in present]
    if missing:
        head = "" if not present or ignore.read_text(encoding="utf-8").endswith("\n") else "\n"
        with ignore.open("a", encoding="utf-8") as fh:
            fh.write(head + "".join(f"{line}\n" for line in missing))
        done.append(f"{'added' if present else 'wrote'} {GITIGNORE} ({', '.join(missing)})")
    if plan.clusters:
        index, _ = load_source_basis(plan.folder / SOURCE_BASIS)
        graph = collect(index, plan.folder / "docs", plan.repo)
        lock_file = plan.folder / LOCK
        save_lock(lock_file, stamp(graph, load_lock(lock_file), ["index.md"]))
        done.append(f"wrote {LOCK} (index.md stamped against the entry points it describes)")
    return done


__all__ = ["WikiPlan", "plan_wiki", "write_wiki", "yaml_scalar"]
