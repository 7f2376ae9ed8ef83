"""The flux-wiki options: one schema that the MkDocs plugin and every command reading mkdocs.yml validate with.

``FluxWikiConfig`` is the plugin's MkDocs ``Config`` (as mkdocs-material's plugins keep theirs in a
``config.py``); MkDocs validates it for the plugin, :func:`wiki_config_from_mkdocs` validates it the same way
for the CLI, so a value MkDocs rejects is rejected by every command with MkDocs' message. :func:`wiki_config`
turns validated options into the :class:`WikiConfig` the compile step takes.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, TypeVar

import yaml
from mkdocs.config import config_options as c
from mkdocs.config.base import Config, ValidationError
from mkdocs.utils.yaml import get_yaml_loader, yaml_load

from .flux.source_dirs import parse_key
from .model import Diagnostic, InputError
from .problem_policy import IgnoreRule, ProblemPolicy, parse_ignore
from .signed_cache import linked_below, user_cache_dir

PLUGIN = "flux-wiki"
log = logging.getLogger("mkdocs.plugins.flux-wiki")
MAX_HISTORY = 100  # recent changes listed at most (each commit looked at is one model build)
Warn = Callable[[Diagnostic], None]
Options = TypeVar("Options", bound=Config)


class SourceMap(c.DictOfItems):
    """``sources:``: each key a source (``Kind/namespace/name`` or URL), each value a folder."""

    def __init__(self) -> None:
        super().__init__(c.Type(str), default={})

    def run_validation(self, value: object) -> dict[str, str]:
        found = super().run_validation(value)
        for key in found:
            try:
                parse_key(key)
            except ValueError as err:
                raise ValidationError(str(err)) from None
        return found


def parse_source_option(values: list[str] | tuple[str, ...]) -> dict[str, str]:
    """``--source KEY=DIR`` values as the ``sources:`` mapping; ValueError naming a bad one."""
    out: dict[str, str] = {}
    for value in values:
        key, sep, folder = value.rpartition("=")
        if not sep or not key or not folder:
            raise ValueError(f"'{value}': expected SOURCE=FOLDER")
        parse_key(key)
        out[key] = folder
    return out
class _IgnoreRules(c.BaseConfigOption[list[IgnoreRule]]):
    """``ignore: [{CODE[:path-glob]: reason}]``, checked against the known codes."""

    def __init__(self) -> None:
        super().__init__()
        self.default = []

    def run_validation(self, value: object) -> list[IgnoreRule]:
        try:
            return parse_ignore(value)
        except ValueError as err:
            raise c.ValidationError(str(err)) from None


class ProblemsConfig(Config):
    ignore = _IgnoreRules()
    """Problems not reported: ``{CODE: reason}`` or ``{CODE:path-glob: reason}`` (gitignore-style glob on the file)."""
    strict_limits = c.Type(bool, default=False)
    """Report simulation limits as warnings too (so ``--strict`` fails on them)."""


class FluxWikiConfig(Config):
    repo = c.Type(str)
    """The Flux GitOps repository (relative to mkdocs.yml)."""
    clusters = c.ListOfItems(c.Type(str), default=[])
    """Clusters to document (by name); all that the repo has when empty."""
    entry = c.Optional(c.Type(str))
    """A root Kustomization path that overrides entry-point detection."""
    exclude = c.ListOfItems(c.Type(str), default=[])
    """Kustomizations (id `namespace/name` or name) left out of the pages, with what they apply."""
    section = c.Type(str, default="flux")
    """Folder of the generated pages inside the site."""
    notes = c.Optional(c.Type(str))
    """Author notes YAML (default: data/notes.yaml next to mkdocs.yml, when present)."""
    source_basis = c.Optional(c.Type(str))
    """Source-basis index YAML (default: data/source-basis.yaml, when present)."""
    templates_dir = c.Optional(c.Type(str))
    """Folder of Jinja2 templates overriding the bundled ones (dag.md.j2, layer.md.j2, surfaces.md.j2)."""
    browse_url = c.Optional(c.Type(str))
    """Base URL to browse the repo's files (e.g. https://github.com/o/r/blob/main/); adds #L<line>."""
    diagrams = c.Type(bool, default=True)
    """Inline Graphviz SVG diagrams."""
    lock_file = c.Optional(c.Type(str))
    """Staleness stamps written by `flux-wiki stamp` (default: data/flux-wiki.lock)."""
    cache = c.Type(bool, default=True)
    """Keep rendered diagrams and what Recent Changes found in past commits on disk between builds, and compiled
    page templates in Jinja's per-user cache (false: only in memory, for one `mkdocs serve`)."""
    cache_dir = c.Optional(c.Type(str))
    """Folder of that disk cache (relative to mkdocs.yml); default: flux-wiki's folder in the user's cache
    directory. Entries are signed with a key kept there, so a file a repository plants is never used."""
    sources = SourceMap()
    """Sources outside the repo (Kind/namespace/name or URL) mapped to the local folders that hold their artifacts
    (relative to mkdocs.yml), e.g. ``GitRepository/flux-system/infra: ../infra``."""
    problems = c.SubConfig(ProblemsConfig)
    """What a build does with problems: codes to ignore (with a reason), limits as warnings."""
    history = c.Type(int, default=10)
    """Recent changes: the last N commits that changed the topology, on a page per cluster and as "last
    changed in" on layer pages (read with git; 0 turns it off)."""


class SiteOptions(Config):
    """The mkdocs.yml settings outside the plugin that the compile step needs, typed as MkDocs types them."""

    docs_dir = c.Type(str, default="docs")
    use_directory_urls = c.Type(bool, default=True)


@dataclass
class WikiConfig:
    """What to compile: the front ends fill this from mkdocs.yml or command-line options."""

    repo: Path
    clusters: list[str] = field(default_factory=list)
    entry: str | None = None
    exclude: list[str] = field(default_factory=list)
    section: str = "flux"
    notes: Path | None = None
    source_basis: Path | None = None
    templates_dir: Path | None = None
    browse_url: str | None = None
    diagrams: bool = True
    use_directory_urls: bool = True
    docs_dir: Path | None = None  # hand-written pages, for the titles of related pages
    lock_file: Path | None = None  # staleness stamps (flux-wiki stamp / check)
    cache_dir: Path | None = None  # signed entries (SVG, past revisions' facts) kept between builds; None: in memory only
    sources: dict[str, Path] = field(default_factory=dict)  # source key -> folder of its artifact
    problems: ProblemPolicy = field(default_factory=ProblemPolicy)  # ignored codes, limits as warnings
    history: int = 0  # recent changes: the last N commits that changed the topology (0: none)


def wiki_config(options: FluxWikiConfig, base: Path, *, docs_dir: Path, use_directory_urls: bool = True) -> WikiConfig:
    """The WikiConfig of validated plugin options; relative paths are taken from ``base`` (mkdocs.yml's folder).

    Raises InputError when the repo is missing; the plugin and the CLI share this.
    """
    def absolute(value: str) -> Path:  # links not resolved: a message names the file as configured
        return Path(os.path.abspath(base / value))

    def optional(value: str | None, default: str) -> Path | None:
        if value:
            return absolute(value)
        p = absolute(default)
        return p if p.exists() or p.is_symlink() else None

    if not options.repo:
        raise InputError(str(base / "mkdocs.yml"), 1, f"{PLUGIN}: option 'repo' is required",
                         code="FW-CONFIG-INVALID")
    repo = (base / options.repo).resolve()
    if not repo.is_dir():
        raise InputError(str(base / "mkdocs.yml"), 1,
                         f"{PLUGIN}: repo '{options.repo}' is not a folder (resolved to {repo})",
                         code="FW-CONFIG-INVALID")
    if not 0 <= options.history <= MAX_HISTORY:
        raise InputError(str(base / "mkdocs.yml"), 1,
                         f"{PLUGIN}: option 'history' is the number of recent changes shown, 0 to {MAX_HISTORY} "
                         f"(got {options.history})", code="FW-CONFIG-INVALID")
    return WikiConfig(
        repo=repo, clusters=list(options.clusters), entry=options.entry, exclude=list(options.exclude),
        section=(options.section or "flux").strip("/"), notes=optional(options.notes, "data/notes.yaml"),
        source_basis=optional(options.source_basis, "data/source-basis.yaml"),
        templates_dir=(base / options.templates_dir).resolve() if options.templates_dir else None,
        browse_url=options.browse_url, diagrams=options.diagrams, use_directory_urls=use_directory_urls,
        docs_dir=docs_dir, lock_file=absolute(options.lock_file or "data/flux-wiki.lock"), history=options.history,
        cache_dir=cache_folder(options, base),
        sources={key: absolute(folder) for key, folder in options.sources.items()},
        problems=ProblemPolicy(tuple(options.problems.ignore), options.problems.strict_limits),
    )


def cache_folder(options: FluxWikiConfig, base: Path) -> Path | None:
    """Where the disk cache is: ``cache_dir`` (relative to ``base``), else the user's cache directory; None when
    caching is off, or when a part of ``cache_dir`` inside the project is a symbolic link (a repository could
    point it anywhere; what is written there would follow it)."""
    if not options.cache:
        return None
    if not options.cache_dir:
        return user_cache_dir()
    folder = Path(os.path.abspath(base / options.cache_dir))
    link = linked_below(base, folder)
    if link is not None:
        log.info("flux-wiki: no disk cache: %s (in cache_dir) is a symbolic link", link)
        return None
    return folder


def wiki_config_from_mkdocs(path: Path, warn: Warn | None = None) -> WikiConfig:
    """The WikiConfig of a mkdocs.yml's flux-wiki options, validated as MkDocs validates them (without loading
    MkDocs or its other plugins). InputError with MkDocs' message when MkDocs would refuse the configuration;
    ``warn`` gets what MkDocs would warn about (unrecognised options)."""
    path = Path(path)
    data = _read_mkdocs_yml(path)
    site = _validated(SiteOptions(config_file_path=str(path)), data, path, None, plugin=False)  # checked first,
    options = _validated(FluxWikiConfig(config_file_path=str(path)), _plugin_options(data, path), path, warn,
                         plugin=True)  # as MkDocs checks them before its plugins
    base = path.resolve().parent
    return wiki_config(options, base, docs_dir=(base / site.docs_dir).resolve(),
                       use_directory_urls=site.use_directory_urls)


def _read_mkdocs_yml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            data = yaml_load(fh)  # MkDocs' loader: !ENV tags, INHERIT
    except OSError as err:
        raise InputError(str(path), 1, f"cannot read: {err.strerror}", code="FW-CONFIG-INVALID") from None
    except Exception as err:  # yaml errors (wrapped by MkDocs), unknown tags, unset !ENV, a missing INHERIT
        mark = getattr(err, "problem_mark", None) or getattr(err.__context__, "problem_mark", None)
        raise InputError(str(path), mark.line + 1 if mark else 1, f"not valid YAML: {err}",
                         code="FW-CONFIG-INVALID") from None
    if not isinstance(data, dict):
        raise InputError(str(path), 1, "expected a mapping at the top level", code="FW-CONFIG-INVALID")
    return data


def _plugin_options(data: dict[str, Any], path: Path) -> dict[str, Any]:
    """The flux-wiki entry of ``plugins:`` (the last one, in list or mapping form), as MkDocs reads it."""
    plugins = data.get("plugins")
    entries = list(plugins.items()) if isinstance(plugins, dict) else [
        next(iter(e.items())) if isinstance(e, dict) and len(e) == 1 else (e, {})
        for e in (plugins if isinstance(plugins, list) else [])]
    found = [options for name, options in entries if name == PLUGIN]
    if not found:
        raise InputError(str(path), 1, f"no {PLUGIN} plugin options under 'plugins:'", code="FW-CONFIG-INVALID")
    options = found[-1] or {}  # a null entry is no options, as in MkDocs
    if not isinstance(options, dict):
        raise InputError(str(path), _line_of(path, ("plugins", PLUGIN)),
                         f"Config value 'plugins': Invalid config options for the '{PLUGIN}' plugin.",
                         code="FW-CONFIG-INVALID")
    options = dict(options)
    if "enabled" in options:  # MkDocs' generic switch; the commands run when asked, enabled or not
        enabled = options.pop("enabled")
        if not isinstance(enabled, bool):
            raise InputError(str(path), _line_of(path, ("plugins", PLUGIN, "enabled")),
                             f"Config value 'plugins': Plugin '{PLUGIN}' option 'enabled': Expected boolean but "
                             f"received: {type(enabled)}", code="FW-CONFIG-INVALID")
    return options


def _validated(config: Options, raw: dict[str, Any], path: Path, warn: Warn | None, *, plugin: bool) -> Options:
    """``config`` loaded with ``raw`` and validated by MkDocs' own option types. Problems are worded as MkDocs
    words them (``Config value 'plugins': Plugin 'flux-wiki' option 'x': ...``) and name the file and line."""
    config.load_dict(raw)
    errors, warnings = config.validate()

    def where(key: str) -> tuple[str, ...]:
        return ("plugins", PLUGIN, key) if plugin else (key,)

    def words(key: str, message: object) -> str:
        return f"Plugin '{PLUGIN}' option '{key}': {message}" if plugin else str(message)

    def value(key: str) -> str:
        return "plugins" if plugin else key

    if errors:  # MkDocs stops at the first, and joins a plugin's messages under one config value
        key = errors[0][0]
        raise InputError(str(path), _line_of(path, where(key)),
                         f"Config value '{value(key)}': " + "\n".join(words(k, m) for k, m in errors),
                         code="FW-CONFIG-INVALID")
    for key, message in warnings if warn else ():
        warn(Diagnostic(str(path), _line_of(path, where(key)), f"Config value '{value(key)}': {words(key, message)}",
                        code="FW-CONFIG-UNKNOWN"))
    return config


def _line_of(path: Path, keys: tuple[str, ...]) -> int:
    """The line of the deepest of ``keys`` found in mkdocs.yml (a plugin entry counts as a key); 1 when unknown."""
    try:
        node = yaml.compose(path.read_text(encoding="utf-8"), Loader=get_yaml_loader())
    except Exception:  # unreadable now, or not YAML: the line is a courtesy
        return 1
    line = 1
    for key in keys:
        found = _entry(node, key)
        if found is None:
            break
        line, node = found[0].start_mark.line + 1, found[1]
    return line


def _entry(node: Any, key: str) -> tuple[Any, Any] | None:
    """(key node, value node) of ``key`` in a mapping node, or of the plugin entry ``key`` in a sequence node."""
    if isinstance(node, yaml.SequenceNode):
        for item in node.value:
            if isinstance(item, yaml.ScalarNode) and item.value == key:
                return item, None
            found = _entry(item, key) if isinstance(item, yaml.MappingNode) else None
            if found is not None:
                return found
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return k, v
    return None
