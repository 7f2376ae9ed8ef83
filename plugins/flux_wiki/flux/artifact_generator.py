"""Where an ArtifactGenerator's ExternalArtifact comes from, when it is a folder of one of its sources.

source-watcher (Flux 2.7) assembles each artifact of an ArtifactGenerator by copy operations from its sources'
artifacts (``internal/builder/builder.go``, ``applyCopyOperation``). Most generators split a repository into
folders: ``@repo/infrastructure/** -> @artifact/`` or ``@repo/apps/base/** -> @artifact/base/`` plus
``@repo/apps/production/** -> @artifact/production/``. Such an artifact is a folder of the source (``apps``)
in which only what was copied (``base``, ``production``) exists: :func:`artifact_layout` finds that folder, so
the Kustomizations that read the artifact are built from the repository's own files, named as they are there.

Copies that rename or rearrange (different offsets, a file renamed, selective globs, the ``Merge``/``Extract``
strategies) are not mapped: the artifact stays a simulation limit. ``exclude`` patterns that name files
wherever they are (``*.md``, ``**/docs/**``) become ``.sourceignore`` rules under the copy's destination.
"""

from __future__ import annotations

import posixpath
from collections import namedtuple
from typing import Any

GLOB_CHARS = frozenset("*?[]")


class CopiedTree(namedtuple("CopiedTree", "alias source_path artifact_path optional expression excludes",
                            defaults=((),))):
    """One copy operation that copies a whole file or folder: ``source_path`` of the source lands at
    ``artifact_path`` of the artifact ("" is the root of either)."""

    __slots__ = ()

    alias: str
    source_path: str
    artifact_path: str
    optional: bool
    expression: str  # the operation as written: ``@repo/apps/** -> @artifact/apps/``
    excludes: tuple[str, ...]  # its ``exclude`` patterns, each matching at any depth (see _exclude_rule)


class ArtifactLayout(namedtuple("ArtifactLayout", "alias kind namespace name folder copies")):
    """The artifact as a folder of one source: ``folder`` of the source aliased ``alias`` (its ``kind``,
    ``namespace``, ``name``), where only ``visible`` exists ("" in it: everything)."""

    __slots__ = ()

    alias: str
    kind: str
    namespace: str
    name: str
    folder: str
    copies: tuple[CopiedTree, ...]

    @property
    def visible(self) -> tuple[str, ...]:
        return tuple(sorted({c.artifact_path for c in self.copies}))

    def ignore_rules(self) -> str | None:
        """``.sourceignore`` rules (relative to :attr:`folder`) that hide what no copy brought in; None when a
        copy brings the whole folder."""
        rules: list[str] = []
        opened: set[str] = set()
        for path in self.visible if "" not in self.visible else ():
            parts = path.split("/")
            for depth in range(len(parts)):
                parent = "/".join(parts[:depth])
                if parent not in opened:  # hide the parent's other entries, once
                    opened.add(parent)
                    rules.append(f"/{parent}/*" if parent else "/*")
                rules.append("!/" + "/".join(parts[:depth + 1]) + ("" if depth + 1 == len(parts) else "/"))
        rules.extend(_exclude_rule(c.artifact_path, pattern) for c in self.copies for pattern in c.excludes)
        if not rules:
            return None
        # a later rule brings back what an earlier one hid: the order of the rules is kept, duplicates dropped
        return "\n".join(dict.fromkeys(rules)) + "\n"


def _exclude_rule(under: str, pattern: str) -> str:
    """An ``exclude`` pattern of a copy into ``under`` as a .sourceignore rule. source-watcher matches it
    (doublestar) against each copied path, and a pattern without a slash against the file name too
    (``shouldExclude``): both kinds this module accepts match at any depth below the copy's destination."""
    below = pattern if pattern.startswith("**/") else f"**/{pattern}"
    return f"/{under}/{below}" if under else below


def _overlap(a: str, b: str) -> bool:
    return not a or not b or a == b or a.startswith(b + "/") or b.startswith(a + "/")


def _strings(op: dict[str, Any], *keys: str) -> list[str] | None:
    values = [op.get(k) for k in keys]
    return values if all(isinstance(v, str) and v for v in values) else None  # type: ignore[return-value]


def copied_tree(op: Any, is_dir: Any) -> CopiedTree | str:
    """The whole file or folder one copy operation copies, or why flux-wiki does not map it.

    ``is_dir(alias, path)`` answers whether a source path is a folder (True), a file (False) or missing (None):
    source-watcher copies a folder named without a glob as a sub-folder (``cp -r``), a file into the folder."""
    if not isinstance(op, dict):
        return "a copy operation that is not a mapping"
    found = _strings(op, "from", "to")
    if found is None:
        return "a copy operation without `from` and `to`"
    src, dest = found
    shown = f"{src} -> {dest}"
    if not src.startswith("@") or "/" not in src or not dest.startswith("@artifact/"):
        return f"`{shown}` is not of the form `@alias/path -> @artifact/path`"
    if op.get("strategy") not in (None, "", "Overwrite"):
        return f"`{shown}` uses the {op.get('strategy')} strategy"
    excludes = op.get("exclude") or []
    if not isinstance(excludes, list) or not all(isinstance(p, str) and p for p in excludes):
        return f"`{shown}` has an exclude that is not a list of patterns"
    for pattern in excludes:
        # a name (`*.md`, `docs`) or `**/name` / `**/name/**`: it matches at any depth; a path from the root does not
        anywhere = "/" not in pattern or (pattern.startswith("**/") and "/" not in pattern[3:].removesuffix("/**"))
        if not anywhere or set(pattern) & set("{}\\!#"):
            return f"`{shown}` excludes `{pattern}`, a path flux-wiki does not map"
    alias, pattern = src[1:].split("/", 1)
    to = dest[len("@artifact/"):]
    to_dir = posixpath.normpath(to) if to else "."
    if to_dir.startswith("/") or ".." in to_dir.split("/"):
        return f"`{shown}` leaves the artifact"
    to_dir = "" if to_dir == "." else to_dir
    optional = op.get("optional") is True
    if pattern in ("**", "*"):  # fs.Glob: every entry of the root, each kept at its own path under the destination
        return CopiedTree(alias, "", to_dir, optional, shown, tuple(excludes))
    prefix = pattern[:-3] if pattern.endswith("/**") else pattern
    if GLOB_CHARS & set(prefix):
        return f"`{shown}` copies the files a glob selects"
    prefix = posixpath.normpath(prefix)
    if prefix.startswith("/") or ".." in prefix.split("/"):
        return f"`{shown}` leaves the source"
    prefix = "" if prefix == "." else prefix
    if pattern.endswith("/**"):  # `dir/**`: the folder's entries, under the destination (calculateGlobDestination)
        return CopiedTree(alias, prefix, to_dir, optional, shown, tuple(excludes))
    kind = is_dir(alias, prefix)
    if kind is None:  # what source-watcher does with it is said by the caller (missing, optional)
        return CopiedTree(alias, prefix, posixpath.join(to_dir, posixpath.basename(prefix)), optional, shown,
                          tuple(excludes))
    if kind or to.endswith("/") or not to:  # a folder, or a file into a folder: it keeps its name
        return CopiedTree(alias, prefix, posixpath.join(to_dir, posixpath.basename(prefix)), optional, shown,
                          tuple(excludes))
    if posixpath.basename(to_dir) != posixpath.basename(prefix):
        return f"`{shown}` renames the file"
    return CopiedTree(alias, prefix, to_dir, optional, shown, tuple(excludes))


def artifact_layout(spec: Any, artifact: str, namespace: str, is_dir: Any) -> ArtifactLayout | str:
    """The folder of one source that artifact ``artifact`` of an ArtifactGenerator (``spec``, in ``namespace``)
    is, or why flux-wiki does not map it (a sentence)."""
    if not isinstance(spec, dict):
        return "the ArtifactGenerator has no spec"
    aliases: dict[str, dict[str, Any]] = {}
    for source in spec.get("sources") or []:
        if isinstance(source, dict) and isinstance(source.get("alias"), str):
            aliases[source["alias"]] = source
    wanted = [a for a in spec.get("artifacts") or [] if isinstance(a, dict) and a.get("name") == artifact]
    if not wanted:
        return f"the ArtifactGenerator declares no artifact {artifact}"
    operations = wanted[0].get("copy")
    if not isinstance(operations, list) or not operations:
        return f"artifact {artifact} has no copy operations"
    copies: list[CopiedTree] = []
    for op in operations:
        found = copied_tree(op, is_dir)
        if isinstance(found, str):
            return found
        copies.append(found)
    for c in copies:  # another copy of the same files would bring back what this one excludes
        if c.excludes and any(o is not c and _overlap(o.artifact_path, c.artifact_path) for o in copies):
            return f"`{c.expression}` excludes files another copy of artifact {artifact} may bring in"
    names = {c.alias for c in copies}
    if len(names) != 1:
        return f"artifact {artifact} joins the sources {', '.join(sorted(names))}"
    alias = names.pop()
    source = aliases.get(alias)
    if source is None or not all(isinstance(source.get(k), str) and source[k] for k in ("kind", "name")):
        return f"source alias {alias} is not declared in spec.sources"
    folders = set()
    for c in copies:
        if c.artifact_path and not (c.source_path == c.artifact_path
                                    or c.source_path.endswith("/" + c.artifact_path)):
            return f"`{c.expression}` moves {c.source_path or 'the root'} to another folder"
        folders.add(c.source_path[:len(c.source_path) - len(c.artifact_path)].rstrip("/"))
    if len(folders) != 1:
        return f"artifact {artifact} copies folders to different places ({', '.join(c.expression for c in copies)})"
    src_ns = source.get("namespace") if isinstance(source.get("namespace"), str) and source.get("namespace") \
        else namespace
    return ArtifactLayout(alias, source["kind"], src_ns, source["name"], folders.pop(), tuple(copies))
