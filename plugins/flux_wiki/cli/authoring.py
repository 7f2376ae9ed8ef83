"""The review loop of hand-written pages: ``stamp`` records a page's source basis, ``check`` says what changed
since (and whether a committed copy of generated output is current)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .errors import BadInput, verdict
from .options import config_file_option, read_wiki_config, warn
from .parsing import CommandParser, folder_path

if TYPE_CHECKING:
    from ..authoring.basis import BasisGraph
    from ..config import WikiConfig


def _wiki_graph(config_file: str) -> tuple[WikiConfig, BasisGraph]:
    """The wiki's configuration and source-basis graph; BadInput when either is unusable.

    Paths a declared source reached but refused to read (a link out of its root, ...) are warnings.
    """
    from ..authoring.basis import collect, refused_sources
    from ..load.authored import SourceBasisIndex, load_source_basis

    cfg = read_wiki_config(config_file)
    index, diags = load_source_basis(cfg.source_basis) if cfg.source_basis else (SourceBasisIndex(), [])
    if diags:
        raise BadInput(*(str(d) for d in diags))
    graph = collect(index, cfg.docs_dir, cfg.repo)
    for d in refused_sources(graph):
        warn(d)
    return cfg, graph


def _refuse_bad_declarations(graph: BasisGraph, pages: list[str]) -> None:
    """Sources of ``pages`` that name an unknown root (or leave their root) are bad configuration: the build
    warns about them, so a stamp or a verdict on them would mean nothing."""
    from ..authoring.basis import declaration_errors

    errors = declaration_errors(graph, pages)
    if errors:
        raise BadInput(*(str(d) for d in errors))


def stamp(argv: list[str]) -> None:
    """Record that PAGE (docs-relative path) was reviewed against its source basis as it is now."""
    parser = CommandParser("flux-wiki stamp", stamp.__doc__)
    parser.add_argument("page", metavar="PAGE", nargs="*")
    parser.add_argument("--all", dest="all_pages", action="store_true",
                        help="Stamp every hand-written page that declares a source basis.")
    config_file_option(parser)
    args = parser.parse(argv)
    config_file, page = args.config_file, args.page

    from ..authoring.lock import load_lock, save_lock, stamp as stamp_pages, stampable

    cfg, graph = _wiki_graph(config_file)
    known = stampable(graph)
    chosen = known if args.all_pages else [p.removeprefix(f"{cfg.docs_dir.name}/") if cfg.docs_dir else p for p in page]
    if not chosen:
        parser.error("name the pages to stamp, or --all")
    unknown = [p for p in chosen if p not in known]
    if unknown:
        raise BadInput(f"not a hand-written page with a source basis: {', '.join(unknown)}")
    _refuse_bad_declarations(graph, chosen)
    lock = stamp_pages(graph, load_lock(cfg.lock_file), chosen)
    save_lock(cfg.lock_file, lock)
    for p in chosen:
        print(f"stamped {p} ({len(lock.pages[p].files)} file(s)) in {cfg.lock_file}", flush=True)


def check(argv: list[str]) -> None:
    """Exit 0 when every stamped page is fresh, 1 when a page's source basis changed, 2 on bad configuration."""
    parser = CommandParser("flux-wiki check", check.__doc__)
    config_file_option(parser)
    parser.add_argument("--format", dest="fmt", choices=["text", "json"], default="text", help="[default: text]")
    parser.add_argument("--export-dir", type=folder_path, metavar="DIR",
                        help="Also check this committed copy of generated output against a fresh generation.")
    parser.add_argument("--export-kind", choices=["hugo", "pages"], default="hugo",
                        help="What --export-dir holds: the Hugo export, or the Markdown of `flux-wiki pages`. "
                             "[default: hugo]")
    parser.add_argument("--export-all", action="store_true",
                        help="The committed Hugo export was made with `export hugo --all`.")
    args = parser.parse(argv)
    config_file, fmt, export_dir, export_kind = args.config_file, args.fmt, args.export_dir, args.export_kind

    import json
    import tempfile

    from ..authoring.check import check as check_pages, report_json, report_text
    from ..authoring.lock import load_lock, stampable
    from ..export.drift import compare_trees, drift_text, regenerate
    from ..export.pages import zensical_signs

    cfg, graph = _wiki_graph(config_file)
    _refuse_bad_declarations(graph, stampable(graph))
    signs = zensical_signs(Path(config_file))
    if signs and not (export_dir and export_kind == "pages"):
        docs = cfg.docs_dir.name if cfg.docs_dir else "docs"
        warn(f"{config_file} names the flux-wiki plugin, but Zensical seems to build this site ({'; '.join(signs)}) "
             f"and Zensical runs no MkDocs plugin: write the generated pages with `flux-wiki pages -f {config_file} "
             f"--out {docs}` before `zensical build`, and check them with "
             f"`flux-wiki check --export-dir {docs} --export-kind pages`")
    statuses = check_pages(graph, load_lock(cfg.lock_file))
    drift = None
    if export_dir:
        with tempfile.TemporaryDirectory(prefix="flux-wiki-check-") as tmp:
            owned = regenerate(cfg, Path(tmp), export_kind, all_pages=args.export_all)
            drift = compare_trees(Path(tmp), Path(export_dir), owned)
    if fmt == "json":
        data = json.loads(report_json(statuses))
        if drift is not None:
            data["export"] = {"dir": export_dir, "current": not drift,
                              "files": [{"path": d.path, "state": d.state, "diff": d.diff} for d in drift]}
        print(json.dumps(data, indent=2, sort_keys=True), flush=True)
    else:
        print(report_text(statuses), end="", flush=True)
        if drift is not None:
            print(drift_text(drift, Path(export_dir or ".")), end="", flush=True)
    verdict(any(s.stale for s in statuses) or bool(drift))
