"""Author files in `data/`: the notes file and the source-basis index.

Both are optional; a broken one is a diagnostic naming file and line, never a failed build.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import yaml
from mkdocs.utils.meta import YAML_RE

from ..model import Diagnostic, InputError
from .confine import read_config_text
from .yamldocs import parse_documents


def _load_mapping(path: Path) -> tuple[dict[str, Any], list[Diagnostic], str]:
    """(top-level mapping, problems, text) of an author file; an absent file is an empty mapping."""
    try:
        text = read_config_text(path)
        if text is None:
            return {}, [], ""
        docs = parse_documents(text, str(path))
    except InputError as err:
        return {}, [err.diagnostic()], ""
    except RecursionError:
        return {}, [Diagnostic(str(path), 1, "nested too deeply to be an author file", code="FW-WIKI-FILE")], ""
    if not docs:
        return {}, [], text
    if not isinstance(docs[0].data, dict):
        return {}, [Diagnostic(str(path), docs[0].line, "expected a mapping at the top level",
                               code="FW-WIKI-FILE")], text
    return docs[0].data, [], text


def _line_of(text: str, needle: str) -> int:
    """The first line of ``text`` mentioning ``needle`` (1 when none does): where a wrong value sits."""
    at = text.find(needle)
    return text.count("\n", 0, at) + 1 if at >= 0 else 1


class _Checker:
    """Type checks of one author file; each problem is a diagnostic naming the file, the line and the field."""

    def __init__(self, path: Path, text: str):
        self.path = path
        self.text = text
        self.problems: list[Diagnostic] = []

    def wrong(self, field_: str, key: str, expected: str) -> None:
        self.problems.append(Diagnostic(str(self.path), _line_of(self.text, key), f"{field_}: expected {expected}",
                                        code="FW-WIKI-FILE"))

    def mapping(self, value: Any, field_: str, key: str) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.wrong(field_, key, "a mapping")
            return {}
        return value

    def strings(self, value: Any, field_: str, key: str) -> list[str]:
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.wrong(field_, key, "a list of strings")
            return []
        return value


@dataclass(frozen=True)
class Acknowledgement:
    """A doctor finding the author has looked at: shown as acknowledged, with the reason, not counted.

    It matches findings of ``code``, and when given, of that layer (id or name) and that subject (as
    the finding names it, e.g. ``Secret tazlab-db/app-user``); layer and subject may be shell-style
    patterns (``*.monitoring.coreos.com`` for CRDs a bootstrap script installs).
    """

    code: str
    reason: str
    layer: str | None = None
    subject: str | None = None
    file: str = ""
    line: int = 0

    def matches(self, code: str, layer_id: str, layer_name: str, subject: str) -> bool:
        return (code == self.code
                and (self.layer is None or any(fnmatchcase(x, self.layer) for x in (layer_id, layer_name)))
                and (self.subject is None or fnmatchcase(subject, self.subject)))


@dataclass
class ClusterNotes:
    """Author-written text for one cluster, shown beside derived facts, never instead of them."""

    title: str | None = None
    synthesis: str | None = None
    excluded: dict[str, str] = field(default_factory=dict)
    kustomizations: dict[str, dict[str, str]] = field(default_factory=dict)
    depends_on: dict[str, dict[str, str]] = field(default_factory=dict)  # layer -> dependency -> why
    acknowledged: list[Acknowledgement] = field(default_factory=list)

    def for_layer(self, node_id: str, name: str) -> dict[str, str]:
        return self.kustomizations.get(node_id) or self.kustomizations.get(name) or {}

    def exclusion_reason(self, node_id: str, name: str) -> str | None:
        return self.excluded.get(node_id) or self.excluded.get(name)

    def dependency_rationale(self, node_id: str, name: str, dep_id: str, dep_name: str) -> str | None:
        """Why the layer waits for that dependency: the author's line for this edge, else the layer's rationale."""
        edges = self.depends_on.get(node_id) or self.depends_on.get(name) or {}
        return edges.get(dep_id) or edges.get(dep_name) or self.for_layer(node_id, name).get("rationale")


def load_notes(path: Path) -> tuple[dict[str, ClusterNotes], list[Diagnostic]]:
    data, diags, text = _load_mapping(path)
    check = _Checker(path, text)
    out: dict[str, ClusterNotes] = {}
    clusters = data.get("clusters") if isinstance(data.get("clusters"), dict) else {}
    for name, raw in clusters.items():
        if not isinstance(raw, dict):
            diags.append(Diagnostic(str(path), 1, f"clusters.{name}: expected a mapping", code="FW-WIKI-FILE"))
            continue
        ks = raw.get("kustomizations") if isinstance(raw.get("kustomizations"), dict) else {}
        out[str(name)] = ClusterNotes(
            title=raw.get("title"), synthesis=raw.get("synthesis"),
            excluded={str(k): str(v) for k, v in (raw.get("excluded") or {}).items()}
            if isinstance(raw.get("excluded"), dict) else {},
            kustomizations={str(k): {str(a): str(b) for a, b in v.items() if not isinstance(b, (dict, list))}
                            for k, v in ks.items() if isinstance(v, dict)},
            depends_on={str(k): {str(a): str(b) for a, b in
                                 check.mapping(v.get("dependsOn"), f"clusters.{name}.kustomizations.{k}.dependsOn",
                                               "dependsOn:").items()}
                        for k, v in ks.items() if isinstance(v, dict) and v.get("dependsOn") is not None},
            acknowledged=_acknowledgements(raw.get("acknowledged"), f"clusters.{name}.acknowledged", check),
        )
    return out, diags + check.problems


def _acknowledgements(raw: object, field_: str, check: _Checker) -> list[Acknowledgement]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        check.wrong(field_, "acknowledged:", "a list of {code, reason, layer, subject}")
        return []
    out = []
    for i, item in enumerate(raw):
        item = item if isinstance(item, dict) else {}
        code, reason = item.get("code"), item.get("reason")
        layer, subject = item.get("layer"), item.get("subject")
        if not (isinstance(code, str) and code and isinstance(reason, str) and reason.strip()
                and isinstance(layer, (str, type(None))) and isinstance(subject, (str, type(None)))):
            check.wrong(f"{field_}[{i}]", str(code) if isinstance(code, str) and code else "acknowledged:",
                        "a code and a reason (strings), and optionally a layer and a subject")
            continue
        out.append(Acknowledgement(code, reason.strip(), layer, subject, str(check.path), _line_of(check.text, code)))
    return out


@dataclass
class SourceRoot:
    """A named folder facts come from (the GitOps repo, a context folder), with an optional browse URL."""

    name: str
    path: Path
    url: str | None = None


@dataclass
class PageBasis:
    sources: list[str] = field(default_factory=list)  # "root:glob"
    related: list[str] = field(default_factory=list)  # docs-relative page paths


@dataclass
class SourceBasisIndex:
    """The source-basis index: roots, and per page its sources and related pages."""

    file: Path | None = None
    roots: dict[str, SourceRoot] = field(default_factory=dict)
    pages: dict[str, PageBasis] = field(default_factory=dict)


def load_source_basis(path: Path) -> tuple[SourceBasisIndex, list[Diagnostic]]:
    """The index, and its problems (unreadable, not YAML, wrong types) as diagnostics naming file and line."""
    data, diags, text = _load_mapping(path)
    index = SourceBasisIndex(file=path if data else None)
    if diags or not data:
        return index, diags
    check = _Checker(path, text)
    for name, raw in check.mapping(data.get("roots"), "roots", "roots:").items():
        raw = raw if isinstance(raw, dict) else {"path": raw}
        folder, url = raw.get("path") or str(name), raw.get("url")
        if not isinstance(folder, str) or "\0" in folder or not isinstance(url, (str, type(None))):
            check.wrong(f"roots.{name}", str(name), "a folder path (and an optional url), as strings")
            continue
        index.roots[str(name)] = SourceRoot(str(name), (path.parent / folder).resolve(), url)
    for page, raw in check.mapping(data.get("pages"), "pages", "pages:").items():
        raw = check.mapping(raw, f"pages.{page}", str(page))
        index.pages[str(page)] = PageBasis(
            sources=check.strings(raw.get("sources"), f"pages.{page}.sources", str(page)),
            related=check.strings(raw.get("related"), f"pages.{page}.related", str(page)),
        )
    return index, diags + check.problems


def split_front_matter(text: str, file: str) -> tuple[dict[str, Any], str, list[Diagnostic]]:
    """(front matter, body, problems) of a Markdown page, split where MkDocs splits it.

    MkDocs silently ignores front matter that is not valid YAML; here that is a diagnostic naming the line.
    """
    m = YAML_RE.match(text)
    if not m:
        return {}, text, []
    body = text[m.end():].lstrip("\n")
    try:
        data = yaml.safe_load(m.group(1))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        return {}, text, [Diagnostic(file, (mark.line + 2) if mark else 1, f"front matter is not valid YAML: {err}",
                                     code="FW-WIKI-FRONT-MATTER")]
    if not isinstance(data, dict):
        return {}, text, [Diagnostic(file, 1, "front matter is not a mapping", code="FW-WIKI-FRONT-MATTER")]
    return data, body, []


def page_title(path: Path) -> str | None:
    """A Markdown page's title: front matter `title:`, else its first `# ` heading."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return None
    meta, body, _ = split_front_matter(text, str(path))
    if isinstance(meta.get("title"), str) and meta["title"].strip():
        return meta["title"].strip()
    for line in body.splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return None
