"""``flux-wiki export``: the wiki for another site generator (Hugo)."""

from __future__ import annotations

from pathlib import Path

from .options import read_wiki_config, warn
from .parsing import CommandParser, GroupParser, existing_file, folder_path


def export(argv: list[str]) -> None:
    """Export the wiki for another site generator."""
    generators = {"hugo": hugo}
    parser = GroupParser("flux-wiki export", export.__doc__, {name: run.__doc__ for name, run in generators.items()})
    generator, arguments = parser.command(argv)
    generators[generator](arguments)


def hugo(argv: list[str]) -> None:
    """Write the wiki as a Hugo content section (page bundles, SVG diagrams, front matter)."""
    parser = CommandParser("flux-wiki export hugo", hugo.__doc__)
    parser.add_argument("--out", type=folder_path, required=True, metavar="DIR",
                        help="Hugo content folder to write, e.g. ../hugo-blog/content/wiki.")
    parser.add_argument("--all", dest="all_pages", action="store_true",
                        help="Also export the hand-written pages of docs_dir.")
    parser.add_argument("-f", "--config-file", metavar="FILE", type=existing_file, default="mkdocs.yml",
                        help="The mkdocs.yml whose flux-wiki plugin options say what to compile. [default: mkdocs.yml]")
    args = parser.parse(argv)

    from ..export.hugo import export_files, write_export

    cfg = read_wiki_config(args.config_file)
    files, diagnostics = export_files(cfg, all_pages=args.all_pages)
    for d in diagnostics:
        warn(d, cfg.problems)
    written = write_export(files, Path(args.out))
    print(f"exported {sum(1 for p in written if p.suffix == '.md')} pages ({len(written)} files) to {args.out}",
          flush=True)
