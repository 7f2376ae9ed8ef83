"""What a build does with each problem (the ``problems`` option): codes users silence, with a reason, and whether
simulation limits fail ``--strict``. Loaded by the front ends that report problems (pages, the MkDocs log, the CLI's
text output); the simulation and the inventory JSON read only :mod:`.problems`' codes and classes."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable

from .problems import CODES

if TYPE_CHECKING:
    import pathspec

    from .model import Diagnostic


@dataclass(frozen=True, eq=False)
class IgnoreRule:
    """``CODE`` or ``CODE:path-glob`` (gitignore-style, on the problem's file) with the user's reason."""

    code: str
    glob: str | None
    reason: str

    def matches(self, diag: Diagnostic) -> bool:
        if diag.code != self.code:
            return False
        return self.glob is None or _spec(self.glob).match_file(diag.file)

    def __str__(self) -> str:
        return self.code + (f":{self.glob}" if self.glob else "")


@functools.lru_cache(maxsize=256)
def _spec(glob: str) -> pathspec.GitIgnoreSpec:
    import pathspec  # a few hundredths of a second to import: only when an ignore rule names a path glob

    return pathspec.GitIgnoreSpec.from_lines([glob])


def parse_ignore(value: Any) -> list[IgnoreRule]:
    """The rules of ``problems.ignore``: a list of ``{"CODE[:path-glob]": "reason"}``. ValueError says what is wrong."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError("'ignore' must be a list of {CODE[:path-glob]: reason}")
    rules = []
    for i, item in enumerate(value):
        if not isinstance(item, dict) or len(item) != 1:
            raise ValueError(f"ignore[{i}]: expected one 'CODE[:path-glob]: reason' (a reason is required), "
                             f"got {item!r}")
        (key, reason), = item.items()
        code, _, glob = str(key).partition(":")
        code, glob = code.strip(), glob.strip()
        if code not in CODES:
            raise ValueError(f"ignore[{i}]: unknown problem code '{code}' (the README lists them)")
        if not isinstance(reason, str) or not reason.strip():
            raise ValueError(f"ignore[{i}]: {key}: a reason is required")
        rules.append(IgnoreRule(code, glob or None, reason.strip()))
    return rules


@dataclass(frozen=True, eq=False)
class ProblemPolicy:
    """What a build does with each problem: the ``problems`` option."""

    ignore: tuple[IgnoreRule, ...] = ()
    strict_limits: bool = False

    def ignored_by(self, diag: Diagnostic) -> IgnoreRule | None:
        return next((r for r in self.ignore if r.matches(diag)), None)

    def report(self, diag: Diagnostic) -> tuple[str, str]:
        """(level, text) a front end logs: level ``warning`` fails ``--strict``, ``info`` does not."""
        rule = self.ignored_by(diag)
        if rule is not None:
            return "info", f"ignored ({rule}: {rule.reason}): {diag}"
        if diag.severity == "info":
            return "info", f"notice: {diag}"
        if diag.cls == "limit":
            return ("warning" if self.strict_limits else "info"), f"simulation limit: {diag}"
        return "warning", str(diag)

    def sort(self, diagnostics: Iterable[Diagnostic]) -> Sorted:
        out = Sorted()
        for d in diagnostics:
            rule = self.ignored_by(d)
            if d.severity == "info":
                continue
            if rule is not None:
                out.ignored.append((d, rule.reason))
            elif d.cls == "limit":
                out.limits.append(d)
            else:
                out.problems.append(d)
        return out


@dataclass(eq=False)
class Sorted:
    """Problems by what a page says of them: repo problems, simulation notes, and those the user ignored."""

    problems: list[Diagnostic] = field(default_factory=list)
    limits: list[Diagnostic] = field(default_factory=list)
    ignored: list[tuple[Diagnostic, str]] = field(default_factory=list)  # with the user's reason
