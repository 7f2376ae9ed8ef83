"""kustomize ``replacements``: copy a value from a source object into target field paths.

A value read from a Secret (its data, stringData or any field but its identity), from an encrypted
document, from under a password/token/key-like field or that is itself secret material, is tainted:
the targets receive :data:`~flux_wiki.analysis.redact.HIDDEN` instead of it, so it cannot reach a page
by way of an Ingress host, a Service address or a later replacement that reads the target.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from ...analysis.redact import HIDDEN, hide_values, is_secret_key, is_secret_payload, secret_strings
from ...load.yamldocs import BoundError, GrowthBudget, copy_data
from .patch import selects
from .transform import WorkRes


class ReplacementError(ValueError):
    """A replacement that cannot be applied; the caller adds file and line (``code``: its problem code)."""

    def __init__(self, message: str, code: str = "FW-KUSTOMIZE-PATCH"):
        super().__init__(message)
        self.code = code


class SourceNotFound(ReplacementError):
    """No object matches the replacement's source (it may live in a remote base)."""


def split_path(path: str) -> list[str]:
    """Split a kustomize field path on dots outside brackets (``a.[name=x].b``)."""
    parts, buf, depth = [], "", 0
    for ch in path:
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        if ch == "." and depth == 0:
            parts.append(buf)
            buf = ""
        else:
            buf += ch
    parts.append(buf)
    return [p for p in parts if p != ""]


def _children(node: Any, part: str, create: bool) -> list[tuple[Any, Any]]:
    """(container, key) pairs selected by one path element."""
    m = re.fullmatch(r"\[([^=\]]+)=([^\]]*)\]", part)
    if m:
        if not isinstance(node, list):
            return []
        found = [(node, i) for i, item in enumerate(node)
                 if isinstance(item, dict) and str(item.get(m.group(1))) == m.group(2)]
        if not found and create:  # kyaml's PathMatcher appends the element it looks for
            node.append({m.group(1): m.group(2)})
            found = [(node, len(node) - 1)]
        return found
    if part.startswith("[") and part.endswith("]"):
        part = part[1:-1]
    if isinstance(node, list):
        if part == "*":
            return [(node, i) for i in range(len(node))]
        try:
            i = int(part)
        except ValueError:
            return []
        return [(node, i)] if 0 <= i < len(node) else []
    if isinstance(node, dict):
        if part == "*":
            return [(node, k) for k in node]
        if part in node or create:
            return [(node, part)]
    return []


def _locate(obj: Any, parts: list[str], create: bool) -> list[tuple[Any, Any]]:
    current: list[tuple[Any, Any]] = [({"": obj}, "")]
    for i, part in enumerate(parts):
        nxt: list[tuple[Any, Any]] = []
        for holder, key in current:
            node = holder[key] if isinstance(holder, list) or key in holder else None
            if node is None and create and isinstance(holder, dict):
                node = holder[key] = [] if parts[i].startswith("[") else {}
            nxt.extend(_children(node, part, create and i < len(parts)))
        current = nxt
    return current


def get_value(obj: dict[str, Any], path: str) -> Any:
    found = _locate(obj, split_path(path), False)
    if not found:
        raise ReplacementError(f"fieldPath '{path}' not found in source")
    holder, key = found[0]
    return holder[key]


def _delimited(old: Any, value: Any, opts: dict[str, Any]) -> Any:
    delim = opts.get("delimiter")
    if not delim:
        return value
    parts = str(old if old is not None else "").split(str(delim))
    index = int(opts.get("index") or 0)
    if index < 0:
        parts.insert(0, str(value))
    elif index >= len(parts):
        parts.append(str(value))
    else:
        parts[index] = str(value)
    return str(delim).join(parts)


def _scalar_text(value: Any) -> str:
    """A scalar as the text of its YAML node (what kyaml copies between scalar fields)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


_PLAIN = yaml.resolver.Resolver()
_TYPED = frozenset({"tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool",
                    "tag:yaml.org,2002:null"})


def _resolve_plain(text: str) -> Any:
    """What an untagged plain scalar reads back as (YAML 1.1, as sigs.k8s.io/yaml and the API server read
    kustomize-controller's output): "1" is the int 1, "yes" is true."""
    if _PLAIN.resolve(yaml.ScalarNode, text, (True, False)) in _TYPED:
        return yaml.safe_load(text)
    return text


def _new_value(old: Any, existed: bool, value: Any, opts: dict[str, Any]) -> Any:
    """The target field's new value, typed as kustomize's setFieldValue leaves it: an existing scalar keeps its
    own type (only the text is copied: "3" into ``replicas: 1`` is the int 3, 3 into a string field is "3"); a
    scalar field the replacement creates has no type and reads back as its plain text would (kustomize writes
    it untagged); a mapping or list replaces the field as it is."""
    if opts.get("delimiter"):
        value = _delimited(old, _scalar_text(value) if not isinstance(value, (dict, list)) else value, opts)
    if isinstance(value, (dict, list)) or (existed and isinstance(old, (dict, list))):
        return copy_data(value)
    text = _scalar_text(value)
    return text if existed and isinstance(old, str) else _resolve_plain(text)


# Fields of a Secret that identify it rather than hold its payload.
_SECRET_IDENTITY = frozenset({"apiVersion", "kind", "metadata", "type", "immutable"})


def is_tainted(res: WorkRes, path: str, value: Any) -> bool:
    """True when the value at ``path`` of ``res`` is secret and must not travel to another field."""
    words: list[str] = []
    for part in split_path(path):
        key, _, match = part.strip("[]").partition("=")
        words += [key, match] if match else [key]  # [name=DB_PASSWORD] selects a secret env entry
    if (res.kind == "Secret" or res.encrypted) and words and words[0] not in _SECRET_IDENTITY:
        return True
    if any(is_secret_key(w) for w in words):
        return True
    return bool(secret_strings(value)) if isinstance(value, (dict, list)) else is_secret_payload(value)


def apply_replacement(resources: list[WorkRes], rep: dict[str, Any], budget: GrowthBudget | None = None) -> None:
    budget = budget or GrowthBudget()
    source = rep.get("source") or {}
    cands = [r for r in resources if selects(source, r.obj, r.names(), r.namespaces(), regex=False)]
    if len(cands) != 1:
        raise (SourceNotFound if not cands else ReplacementError)(
            f"replacement source must match exactly one resource, matched {len(cands)}")
    path = str(source.get("fieldPath") or "metadata.name")
    value = get_value(cands[0].obj, path)
    if is_tainted(cands[0], path, value):
        value = hide_values(value) if isinstance(value, (dict, list)) else HIDDEN
    src_opts = source.get("options") or {}
    if src_opts.get("delimiter") and value != HIDDEN:
        pieces = str(value).split(str(src_opts["delimiter"]))
        idx = int(src_opts.get("index") or 0)
        value = pieces[idx] if 0 <= idx < len(pieces) else ""
    for target in rep.get("targets") or []:
        if not isinstance(target, dict):
            continue
        select = target.get("select") or {}
        rejects = target.get("reject") or []
        opts = target.get("options") or {}
        for r in resources:
            if not selects(select, r.obj, r.names(), r.namespaces(), regex=False):
                continue
            if any(selects(rej, r.obj, r.names(), r.namespaces(), regex=False) for rej in rejects
                   if isinstance(rej, dict)):
                continue
            for path in target.get("fieldPaths") or []:
                parts = split_path(str(path))
                found = _locate(r.own(), parts, bool(opts.get("create")))
                if not found:  # kustomize v5 fails rather than skip a target field it cannot reach
                    raise ReplacementError(f"unable to find {'or create ' if opts.get('create') else ''}field "
                                           f"\"{str(path)[:200]}\" in replacement target {r.kind} {r.name}")
                for holder, key in found:
                    try:
                        budget.spend(value, len(parts))
                    except BoundError as err:
                        raise ReplacementError(f"replacement into '{str(path)[:80]}': {err}", "FW-LIMIT-COPIES") from None
                    existed = isinstance(holder, list) or key in holder
                    holder[key] = _new_value(holder[key] if existed else None, existed, value, opts)
