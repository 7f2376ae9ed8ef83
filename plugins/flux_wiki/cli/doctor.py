"""`flux-wiki doctor`: why each dependsOn exists, and the ones that are missing, for terminals and CI."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from .errors import BadInput, verdict
from .options import cluster_option, entry_option, source_folders, source_option, wiki_config_for
from .parsing import CommandParser, file_path, folder_path


@dataclass
class _Target:
    repo: Path
    clusters: list[str] = field(default_factory=list)
    entry: str | None = None
    exclude: list[str] = field(default_factory=list)
    notes: Path | None = None
    sources: dict[str, Path] = field(default_factory=dict)


def _target(repo: str | None, config_file: str | None) -> _Target:
    """The repo and its wiki options: from the mkdocs.yml named with --config-file, or ./mkdocs.yml when REPO
    is not given and it is usable; else REPO (default: the current folder) alone."""
    cfg = wiki_config_for(repo, config_file)
    if cfg is not None:
        return _Target(Path(repo) if repo else cfg.repo, list(cfg.clusters), cfg.entry, list(cfg.exclude), cfg.notes,
                       dict(cfg.sources))
    return _Target(Path(repo or "."))


def _prefix(repo: Path) -> str:
    """The repo folder relative to the current folder (where CI checked out), for annotation paths."""
    try:
        rel = repo.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return ""
    return rel.as_posix() if str(rel) != "." else ""


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("mkdocs-flux-wiki")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return ""


def doctor(argv: list[str]) -> None:
    """Explain every dependsOn of REPO's clusters from the manifests, and find the ordering bugs a
    fresh bootstrap would hit (a CRD or namespace used before it exists, a Secret from a layer nobody
    waits for, dependsOn that name nothing).

    Exit 0, or 1 when a finding is at or above --fail-on; 2 on bad input or configuration.
    """
    parser = CommandParser("flux-wiki doctor", doctor.__doc__)
    parser.add_argument("repo", metavar="REPO", nargs="?", type=folder_path, help="The Flux GitOps repository.")
    cluster_option(parser)
    entry_option(parser)
    parser.add_argument("--exclude", action="append", default=[], metavar="KS",
                        help="Kustomization (id or name) to leave out.")
    parser.add_argument("--notes", type=file_path, metavar="FILE",
                        help="Author notes YAML (rationale, acknowledged findings).")
    source_option(parser)
    parser.add_argument("-f", "--config-file", metavar="FILE", type=file_path,
                        help="A mkdocs.yml whose flux-wiki options (repo, clusters, entry, exclude, notes, sources) "
                             "apply [default: ./mkdocs.yml when REPO is not given].")
    parser.add_argument("--format", dest="fmt", choices=["text", "json", "github", "sarif"], default="text",
                        help="[default: text]")
    parser.add_argument("--fail-on", choices=["error", "warning", "info"], default="error",
                        help="Exit 1 when an unacknowledged finding is at least this severe. [default: error]")
    args = parser.parse(argv)
    sources = source_folders(parser, args.sources)
    repo, cluster, entry, exclude, notes, fmt = args.repo, args.cluster, args.entry, args.exclude, args.notes, args.fmt

    from ..doctor.bootstrap import bootstrap_releases
    from ..doctor.diagnosis import diagnose
    from ..doctor.report import render_github, render_json, render_sarif, render_text
    from ..engine import build_model
    from ..load import Repo
    from ..load.authored import load_notes
    from ..problem_policy import ProblemPolicy

    target = _target(repo, args.config_file)
    if not target.repo.is_dir():
        raise BadInput(f"{target.repo}: not a folder")
    notes_file = Path(notes) if notes else target.notes
    cluster_notes, problems = load_notes(notes_file) if notes_file else ({}, [])
    if problems:
        raise BadInput(*(str(p) for p in problems))
    model = build_model(target.repo, clusters=list(cluster) or target.clusters or None,
                        entry=entry or target.entry, exclude=list(exclude) or target.exclude,
                        sources=sources or target.sources)
    if not model.clusters:
        raise BadInput(*(str(d) for d in model.diagnostics) or (f"no Flux cluster found in {target.repo}",))
    # as the plugin's default policy reports them (cli/init.py): only problems warn; limits and notices are noted
    levels = [ProblemPolicy().report(d)[0] for d in [*model.diagnostics, *(w for c in model.clusters
                                                                            for w in c.warnings)]]
    warned, noted = levels.count("warning"), levels.count("info")
    counts = ([f"{warned} problem(s), each a warning in the build"] if warned else []) + \
        ([f"{noted} simulation limit(s) or notice(s) (not warnings)"] if noted else [])
    if counts:
        print(f"note: the simulation reported {' and '.join(counts)}; `flux-wiki inventory` lists them",
              file=sys.stderr)
    early = bootstrap_releases(Repo(target.repo))
    reports = [diagnose(c, notes=cluster_notes.get(c.name), order=model.facts[c.name].order, bootstrap=early)
               for c in model.clusters]
    if fmt == "json":
        sys.stdout.write(render_json(reports))
    elif fmt == "github":
        sys.stdout.write(render_github(reports, _prefix(target.repo)))
    elif fmt == "sarif":
        sys.stdout.write(render_sarif(reports, _prefix(target.repo), _version()))
    else:
        sys.stdout.write(render_text(reports))
    verdict(any(r.failing(args.fail_on) for r in reports))
