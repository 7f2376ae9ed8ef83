"""A topology diff as JSON, plain text, or Markdown for a pull-request comment.

Every repo value is untrusted: in Markdown it lands in a code span (with `|` escaped for tables) or goes
through :func:`md_prose`; in the Mermaid diagram node ids are generated and labels are entity-encoded;
in text, control characters are dropped so a name cannot drive a terminal.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote

from ..model import endpoint, object_ident as _ident
from ..render.markdown import code_span, md_escape
from .compare import (ClusterDiff, FieldChange, Finding, FindingDelta, ImageChange, KustomizationEntry, SurfaceChange,
                      TopologyDiff, counts)
from .revisions import Revision

MAX_ROWS = 50  # per table
COMMENT_LIMIT = 60_000  # GitHub refuses comments over 65536 characters
MAX_DIAGRAM_NODES = 60
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_MERMAID_PLAIN = re.compile(r"[A-Za-z0-9 ./_:-]")
DIAGRAM_STYLES = {"added": "fill:#dafbe1,stroke:#1a7f37,color:#116329",
                  "removed": "fill:#ffebe9,stroke:#cf222e,color:#a40e26,stroke-dasharray:4 3",
                  "changed": "fill:#fff8c5,stroke:#9a6700,color:#633c01",
                  "context": "fill:#f6f8fa,stroke:#d0d7de,color:#8c959f"}
FIELD_TITLES = {"appliedBy": "applied by", "dependsOn": "dependsOn", "sourceRef": "source",
                "substitute": "postBuild.substitute", "substituteFrom": "postBuild.substituteFrom",
                "remoteResources": "remote resources", "port_name": "port name"}


# --- JSON -------------------------------------------------------------------------------------------


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


def _plain(value: Any) -> Any:
    """Dataclasses to dicts with camelCase keys; inventory dicts (surfaces, sources) kept as they are."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {_camel(f.name): _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def diff_document(diff: TopologyDiff) -> dict[str, Any]:
    """The diff as plain data (the JSON format; see README)."""
    return {
        "base": diff.base.as_dict() if diff.base else None,
        "head": diff.head.as_dict() if diff.head else None,
        "changed": diff.changed,
        "problems": _plain(diff.problems),
        "clusters": [{**_plain(c), "changed": c.changed} for c in diff.clusters],
    }


def render_json(diff: TopologyDiff) -> str:
    return json.dumps(diff_document(diff), indent=2, ensure_ascii=False) + "\n"


# --- shared wording ---------------------------------------------------------------------------------


def _one_line(value: Any) -> str:
    return " ".join(_CONTROL.sub(" ", "" if value is None else str(value)).split())


def value_text(value: Any) -> str:
    """A compared value in words: unset, true/false, lists joined, references as 'Kind ns/name'."""
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ", ".join(value_text(v) for v in value) if value else "none"
    if isinstance(value, dict):
        if value.get("name") and (value.get("kind") or "namespace" in value):
            ident = f"{value['namespace']}/{value['name']}" if value.get("namespace") else str(value["name"])
            text = f"{value['kind']} {ident}" if value.get("kind") else ident
            return f"{text} ({value['url']})" if value.get("url") else text
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return _one_line(value)


def surface_text(s: dict[str, Any]) -> str:
    """'loadbalancer 10.0.0.5:443/TCP', 'ingress app.example.com/api', 'certificate app.example.com'."""
    where = ""
    if s.get("address"):
        where = endpoint(str(s["address"]), s.get("port"))
    elif s.get("port") is not None:
        where = f":{s['port']}"
    if where and s.get("protocol") and s.get("port") is not None:
        where += f"/{s['protocol']}"
    if s.get("host"):
        where = f"{where} {s['host']}".strip()
    if s.get("path"):
        where += str(s["path"])
    return _one_line(f"{s.get('kind')} {where}".strip())


def _change_words(changes: Iterable[FieldChange], fmt: Callable[[str], str]) -> str:
    return "; ".join(f"{FIELD_TITLES.get(c.field, c.field)} {fmt(value_text(c.base))} → {fmt(value_text(c.head))}"
                     for c in changes)


def _ks_words(k: KustomizationEntry, fmt: Callable[[str], str]) -> str:
    parts = [f"path {fmt(value_text(k.path))}", f"level {fmt(value_text(k.level))}"]
    if k.applied_by:
        parts.append(f"applied by {fmt(k.applied_by)}")
    if k.depends_on:
        parts.append(f"dependsOn {fmt(value_text(list(k.depends_on)))}")
    if k.status and k.status != "built":
        parts.append(f"status {fmt(k.status)}")
    return ", ".join(parts)


def _claim_words(claim: Any, fmt: Callable[[str], str], prose: Callable[[str], str]) -> str:
    who = ", ".join(f"{prose(c.get('kind') or '')} {fmt(_ident(c.get('namespace') or '', c.get('name') or ''))}"
                    for c in claim.claimants)
    return f"{fmt(f'{endpoint(claim.address, claim.port)}/{claim.protocol}')} claimed by {who}"


SECTIONS = (  # (counter section, title, noun singular and plural, states)
    ("kustomizations", "Kustomizations", ("Kustomization", "Kustomizations"), ("added", "removed", "changed")),
    ("objects", "Objects", ("object", "objects"), ("added", "removed", "moved")),
    ("surfaces", "Surfaces", ("surface", "surfaces"), ("added", "removed", "changed")),
    ("duplicate_claims", "Duplicate LoadBalancer claims",
     ("duplicate LoadBalancer claim", "duplicate LoadBalancer claims"), ("introduced", "resolved")),
    ("helm_releases", "HelmReleases", ("HelmRelease", "HelmReleases"), ("added", "removed", "changed")),
    ("images", "Images", ("image", "images"), ("added", "removed", "changed")),
)
FINDING_NOUNS = {"problems": ("Problems", ("problem", "problems"))}


def _sections(diff: ClusterDiff) -> list[tuple[str, str, str, str]]:
    """(key, title, '2 added, 1 removed', '2 objects added, 1 removed') of each section with changes."""
    c = counts(diff)
    sections = [(key, title, nouns, states) for key, title, nouns, states in SECTIONS]
    sections += [(cat, *FINDING_NOUNS.get(cat, (cat.title(), (cat, cat))), ("introduced", "resolved"))
                 for cat in diff.findings]
    out = []
    for key, title, (one, many), states in sections:
        found = [(c[f"{key}.{state}"], state) for state in states if c[f"{key}.{state}"]]
        if found:
            short = ", ".join(f"{n} {state}" for n, state in found)
            n, state = found[0]
            long = ", ".join([f"{n} {one if n == 1 else many} {state}"] + [f"{m} {s}" for m, s in found[1:]])
            out.append((key, title, short, long))
    return out


def change_summary(diff: ClusterDiff) -> list[str]:
    """What changed in one cluster, a phrase per section (``2 objects added, 1 removed``), as the summary says it."""
    return (["entry point or source changed"] if diff.changes else []) + [s[3] for s in _sections(diff)]


def _revision_words(rev: Revision | None) -> str:
    if rev is None:
        return "?"
    return f"{rev.label} ({rev.commit[:12]})" if rev.commit and not rev.label.startswith(rev.commit[:12]) else rev.label


# --- text -------------------------------------------------------------------------------------------


def render_text(diff: TopologyDiff) -> str:
    """A terminal report: one line per change, `+` added, `-` removed, `~` changed, `>` moved."""
    def q(value: str) -> str:
        return _one_line(value)

    lines = [f"base {q(_revision_words(diff.base))} → head {q(_revision_words(diff.head))}"]
    if not diff.changed:
        lines.append("no change to the cluster topology")
    for f in diff.problems.introduced:
        lines.append(f"+ problem {q(f.file)}:{f.line}: {q(f.message)}")
    for f in diff.problems.resolved:
        lines.append(f"- problem {q(f.file)}:{f.line}: {q(f.message)}")
    for c in diff.clusters:
        if not c.changed:
            continue
        lines.append(f"cluster {q(c.name)}" + (f" ({c.status})" if c.status in ("added", "removed") else ""))
        lines += [f"  ~ {q(ch.field)}: {q(value_text(ch.base))} → {q(value_text(ch.head))}" for ch in c.changes]
        for key, title, summary, _ in _sections(c):
            lines.append(f"  {title}: {summary}")
            lines += [f"    {row}" for row in _text_rows(c, key, q)]
    return "\n".join(lines) + "\n"


def _text_rows(c: ClusterDiff, key: str, q: Callable[[str], str]) -> list[str]:
    if key == "kustomizations":
        return ([f"+ {q(k.id)}: {_ks_words(k, q)}" for k in c.kustomizations.added]
                + [f"- {q(k.id)}: {_ks_words(k, q)}" for k in c.kustomizations.removed]
                + [f"~ {q(k.id)}: {_change_words(k.changes, q)}" for k in c.kustomizations.changed])
    if key == "objects":
        return ([f"+ {q(o.kind)} {q(_ident(o.namespace, o.name))} in {q(o.kustomization)}" for o in c.objects.added]
                + [f"- {q(o.kind)} {q(_ident(o.namespace, o.name))} in {q(o.kustomization)}" for o in c.objects.removed]
                + [f"> {q(m.kind)} {q(_ident(m.namespace, m.name))}: {q(m.base_kustomization)} → "
                   f"{q(m.head_kustomization)}" for m in c.objects.moved])
    if key == "surfaces":
        def owner(s: dict[str, Any]) -> str:
            return f"{q(s.get('object_kind') or '')} {q(_ident(s.get('namespace') or '', s.get('name') or ''))}"
        return ([f"+ {q(surface_text(s))} ({owner(s)})" for s in c.surfaces.added]
                + [f"- {q(surface_text(s))} ({owner(s)})" for s in c.surfaces.removed]
                + [f"~ {q(surface_text(s.head))} ({owner(s.head)}): {_change_words(s.changes, q)}"
                   for s in c.surfaces.changed])
    if key == "duplicate_claims":
        return ([f"+ {_claim_words(x, q, q)}" for x in c.duplicate_claims.introduced]
                + [f"- {_claim_words(x, q, q)}" for x in c.duplicate_claims.resolved])
    if key == "helm_releases":
        return ([f"+ {q(h.id)}: chart {q(value_text(h.chart))} {q(value_text(h.version))}"
                 for h in c.helm_releases.added]
                + [f"- {q(h.id)}: chart {q(value_text(h.chart))} {q(value_text(h.version))}"
                   for h in c.helm_releases.removed]
                + [f"~ {q(h.id)}: {_change_words(h.changes, q)}" for h in c.helm_releases.changed])
    if key == "images":
        return ([f"+ {q(i.kind)} {q(_ident(i.namespace, i.name))}: {q(i.image)}" for i in c.images.added]
                + [f"- {q(i.kind)} {q(_ident(i.namespace, i.name))}: {q(i.image)}" for i in c.images.removed]
                + [f"~ {q(i.kind)} {q(_ident(i.namespace, i.name))}: {q(i.base)} → {q(i.head)}"
                   for i in c.images.changed])
    delta = c.findings[key]
    return ([f"+ {q(f.file)}:{f.line}: {q(f.message)}" for f in delta.introduced]
            + [f"- {q(f.file)}:{f.line}: {q(f.message)}" for f in delta.resolved])


# --- Markdown -----------------------------------------------------------------------------------------


def md_prose(value: Any) -> str:
    """Repo text outside a code span: Markdown and HTML escaped, and no `@name` that GitHub would notify."""
    return md_escape(value).replace("@", "@\u2060")


def md_cell_code(value: Any, *, table: bool = True) -> str:
    """A code span: markup inert, backticks fenced; in a table cell `|` is escaped (GFM reads `\\|` there)."""
    text = _one_line(value)
    return code_span(text.replace("|", "\\|") if table else text)


def md_code(value: Any) -> str:
    """A code span outside tables."""
    return md_cell_code(value, table=False)


def mermaid_label(value: Any) -> str:
    """Label text for a quoted Mermaid node: anything but letters, digits and ` ./_:-` as a numeric entity."""
    return "".join(ch if _MERMAID_PLAIN.fullmatch(ch) else f"#{ord(ch)};" for ch in _one_line(value))


class MarkdownReport:
    """Markdown for a pull-request comment; file links point at ``browse_url`` (the head revision's files)."""

    def __init__(self, diff: TopologyDiff, browse_url: str | None = None, max_rows: int = MAX_ROWS):
        self.diff = diff
        self.browse_url = browse_url
        self.max_rows = max_rows

    # -- pieces ---------------------------------------------------------------------------------------
    def where(self, file: str, line: int, *, at_head: bool = True) -> str:
        """file:line, linked to the browse URL when the file is at the head revision."""
        text = f"{file}:{line}" if line else file
        if not (self.browse_url and at_head and file):
            return md_cell_code(text)
        url = self.browse_url + quote(file, safe="/-._~") + (f"#L{int(line)}" if line else "")
        url = url.replace(" ", "%20").replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")
        return f"[{md_prose(text)}]({url})"

    def _table(self, header: list[str], rows: list[list[str]]) -> list[str]:
        shown = rows[:self.max_rows]
        out = []
        if shown:
            out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
            out += ["| " + " | ".join(r) + " |" for r in shown]
        if len(rows) > len(shown):
            out += [""] if shown else []
            out.append(f"{len(rows) - len(shown)} {'more ' if shown else ''}not shown here "
                       "(`flux-wiki diff --format json` lists them all).")
        return out

    def summary(self) -> str:
        """One paragraph: what changed, per cluster, and between which revisions."""
        sentences = []
        several = len(self.diff.clusters) > 1
        for c in self.diff.clusters:
            if not c.changed:
                continue
            parts = (["entry point or source changed"] if c.changes else []) + [s[3] for s in _sections(c)]
            status = {"added": "new cluster", "removed": "cluster removed"}.get(c.status)
            text = "; ".join(([status] if status else []) + parts)
            sentences.append(f"Cluster {md_code(c.name)}: {text}." if several or status
                             else f"{text[0].upper()}{text[1:]}.")
        if self.diff.problems:
            sentences.append(f"Repository problems: {len(self.diff.problems.introduced)} introduced, "
                             f"{len(self.diff.problems.resolved)} resolved.")
        if not sentences:
            sentences.append("No change to the cluster topology.")
        return (" ".join(sentences) + f" Base {md_code(_revision_words(self.diff.base))}, "
                f"head {md_code(_revision_words(self.diff.head))}.")

    def diagram(self, c: ClusterDiff) -> list[str]:
        """Mermaid flowchart of the changed Kustomizations and their dependsOn neighbours (dimmed)."""
        touched = c.touched_kustomizations()
        if not touched or len(touched) > MAX_DIAGRAM_NODES:
            return []
        neighbours = sorted({x for e in c.dependencies for x in (e.dependency, e.dependent)} - touched.keys())
        if len(touched) + len(neighbours) > MAX_DIAGRAM_NODES:
            neighbours = []
        ids = {n: f"n{i}" for i, n in enumerate(sorted([*touched, *neighbours]), 1)}
        lines = ["```mermaid", "flowchart LR"]
        lines += [f'  {mid}["{mermaid_label(n)}"]' for n, mid in ids.items()]
        arrows = {"unchanged": "-->", "added": "==>", "removed": "-.->"}
        lines += [f"  {ids[e.dependency]} {arrows[e.state]} {ids[e.dependent]}" for e in c.dependencies
                  if e.dependency in ids and e.dependent in ids]
        groups = {state: [ids[n] for n, s in touched.items() if s == state]
                  for state in ("added", "removed", "changed")}
        groups["context"] = [ids[n] for n in neighbours]
        for state, members in groups.items():
            if members:
                lines += [f"  classDef {state} {DIAGRAM_STYLES[state]}", f"  class {','.join(members)} {state}"]
        legend = ("Changed Kustomizations coloured (green added, red removed, yellow changed), their dependsOn "
                  "neighbours grey; arrows point from a dependency to its dependent, `==>` is a new dependency, "
                  "`-.->` a removed one.")
        return lines + ["```", "", legend]

    def _rows(self, c: ClusterDiff, key: str) -> tuple[list[str], list[list[str]]]:
        code, where = md_cell_code, self.where
        if key == "kustomizations":
            d = c.kustomizations
            return (["", "Kustomization", "What", "File"],
                    [["added", code(k.id), _ks_words(k, code), where(k.file, k.line)] for k in d.added]
                    + [["removed", code(k.id), _ks_words(k, code), where(k.file, k.line, at_head=False)]
                       for k in d.removed]
                    + [["changed", code(k.id), _change_words(k.changes, code), where(k.file, k.line)]
                       for k in d.changed])
        if key == "objects":
            o = c.objects
            return (["", "Object", "Kustomization", "File"],
                    [["added", f"{md_prose(x.kind)} {code(_ident(x.namespace, x.name))}", code(x.kustomization),
                      where(x.file, x.line)] for x in o.added]
                    + [["removed", f"{md_prose(x.kind)} {code(_ident(x.namespace, x.name))}", code(x.kustomization),
                        where(x.file, x.line, at_head=False)] for x in o.removed]
                    + [["moved", f"{md_prose(m.kind)} {code(_ident(m.namespace, m.name))}",
                        f"{code(m.base_kustomization)} → {code(m.head_kustomization)}", where(m.file, m.line)]
                       for m in o.moved])
        if key == "surfaces":
            def owner(s: dict[str, Any]) -> str:
                return f"{md_prose(s.get('object_kind'))} {code(_ident(s.get('namespace') or '', s.get('name') or ''))}"

            def row(state: str, s: dict[str, Any], change: SurfaceChange | None = None) -> list[str]:
                return [state, code(surface_text(s)), owner(s), _change_words(change.changes, code) if change else "",
                        where(s.get("file") or "", s.get("line") or 0, at_head=state != "removed")]
            return (["", "Surface", "Object", "Change", "File"],
                    [row("added", s) for s in c.surfaces.added] + [row("removed", s) for s in c.surfaces.removed]
                    + [row("changed", s.head, s) for s in c.surfaces.changed])
        if key == "duplicate_claims":
            dc = c.duplicate_claims
            return (["", "Claim"], [["introduced", _claim_words(x, code, md_prose)] for x in dc.introduced]
                    + [["resolved", _claim_words(x, code, md_prose)] for x in dc.resolved])
        if key == "helm_releases":
            hd = c.helm_releases

            def chart(h: Any) -> str:
                return f"{code(value_text(h.chart))} {code(value_text(h.version))} from {code(value_text(h.source))}"
            return (["", "HelmRelease", "Chart / change", "File"],
                    [["added", code(h.id), chart(h), where(h.file, h.line)] for h in hd.added]
                    + [["removed", code(h.id), chart(h), where(h.file, h.line, at_head=False)] for h in hd.removed]
                    + [["changed", code(h.id), _change_words(h.changes, code), where(h.file, h.line)]
                       for h in hd.changed])
        if key == "images":
            im = c.images

            def change(i: ImageChange) -> str:
                return f"{code(i.base)} → {code(i.head)}"
            return (["", "Workload", "Image", "File"],
                    [["added", f"{md_prose(i.kind)} {code(_ident(i.namespace, i.name))}", code(i.image),
                      where(i.file, i.line)] for i in im.added]
                    + [["removed", f"{md_prose(i.kind)} {code(_ident(i.namespace, i.name))}", code(i.image),
                        where(i.file, i.line, at_head=False)] for i in im.removed]
                    + [["changed", f"{md_prose(i.kind)} {code(_ident(i.namespace, i.name))}", change(i),
                        where(i.file, i.line)] for i in im.changed])
        return self._finding_rows(c.findings[key])

    def _finding_rows(self, delta: FindingDelta[Finding]) -> tuple[list[str], list[list[str]]]:
        return (["", "Problem", "File"],
                [["introduced", md_prose(f.message), self.where(f.file, f.line)] for f in delta.introduced]
                + [["resolved", md_prose(f.message), self.where(f.file, f.line, at_head=False)]
                   for f in delta.resolved])

    def _details(self, title: str, words: str, body: list[str]) -> list[str]:
        return ["<details>", f"<summary>{title}: {words}</summary>", "", *body, "", "</details>", ""]

    # -- the whole comment ------------------------------------------------------------------------------
    def render(self) -> str:
        out = ["### Flux topology diff", "", self.summary(), ""]
        if self.diff.problems:
            header, rows = self._finding_rows(self.diff.problems)
            out += self._details("Repository problems", f"{len(self.diff.problems.introduced)} introduced, "
                                                        f"{len(self.diff.problems.resolved)} resolved",
                                 self._table(header, rows))
        for c in self.diff.clusters:
            if not c.changed:
                continue
            status = {"added": " (new)", "removed": " (removed)"}.get(c.status, "")
            out += [f"#### Cluster {md_code(c.name)}{status}", ""]
            if c.changes:
                out += [f"- {md_prose(ch.field)}: {md_code(value_text(ch.base))} → "
                        f"{md_code(value_text(ch.head))}" for ch in c.changes] + [""]
            diagram = self.diagram(c)
            if diagram:
                out += diagram + [""]
            for key, title, words, _ in _sections(c):
                header, rows = self._rows(c, key)
                out += self._details(title, words, self._table(header, rows))
        return "\n".join(out).rstrip("\n") + "\n"


def render_markdown(diff: TopologyDiff, browse_url: str | None = None) -> str:
    """The pull-request comment; file links go to ``browse_url`` + path + ``#L<line>``.

    Tables are shortened until the comment fits GitHub's limit (65536 characters).
    """
    text = ""
    for rows in (MAX_ROWS, 20, 5, 0):
        text = MarkdownReport(diff, browse_url, rows).render()
        if len(text) <= COMMENT_LIMIT:
            break
    return text
