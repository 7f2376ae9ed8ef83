"""Every problem the engine can report has a registered code and the class the registry gives it, and the
README documents exactly the registered codes (issue 12 point 9)."""

from __future__ import annotations

import ast
import re

import pytest

from flux_wiki.problem_policy import ProblemPolicy, parse_ignore
from flux_wiki.problems import CODES

from ..support import ROOT

PLUGIN = ROOT / "plugins" / "flux_wiki"
# the doctor's findings are not Diagnostics: they have their own codes (README, "The ordering doctor")
SOURCES = sorted(p for p in PLUGIN.rglob("*.py") if "doctor" not in p.relative_to(PLUGIN).parts)


def _calls() -> list[tuple[str, int, ast.Call]]:
    """Every Diagnostic(...), InputError(...) and <cluster>.warn(...) call of the engine and front ends."""
    out = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            f = node.func
            name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
            target = ast.unparse(f.value) if isinstance(f, ast.Attribute) else ""
            if name in ("Diagnostic", "InputError") or (name == "warn" and target.endswith("cluster")):
                out.append((f"{path.relative_to(ROOT)}:{node.lineno}", node.lineno, node))
    return out


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def test_every_emitter_names_a_registered_code_of_the_registered_class() -> None:
    calls = _calls()
    assert len(calls) > 100, "the scan finds the emitters"
    missing, unknown, wrong_class = [], [], []
    for where, _, call in calls:
        code = _keyword(call, "code")
        if code is None:
            missing.append(where)
            continue
        if not isinstance(code, ast.Constant):
            continue  # passed on from an error or an entry that carries its own code
        if code.value not in CODES:
            unknown.append(f"{where}: {code.value}")
            continue
        cls = _keyword(call, "cls")
        given = cls.value if isinstance(cls, ast.Constant) else "repo" if cls is None else None
        if given is not None and given != CODES[code.value].cls:
            wrong_class.append(f"{where}: {code.value} is {CODES[code.value].cls}, given {given}")
    assert not missing, "emitters without a code:\n" + "\n".join(missing)
    assert not unknown, "codes not in flux_wiki/problems.py:\n" + "\n".join(unknown)
    assert not wrong_class, "\n".join(wrong_class)


def test_every_registered_code_is_emitted_somewhere() -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in SOURCES if p.name != "problems.py")
    unused = [c for c in CODES if f'"{c}"' not in text]
    assert not unused, f"codes nothing reports: {unused}"


def test_readme_lists_every_code_with_its_class() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `(FW-[A-Z0-9-]+)` \| (repo|limit|notice) \|", readme, re.M))
    assert set(rows) == set(CODES), (sorted(set(CODES) - set(rows)), sorted(set(rows) - set(CODES)))
    for code, cls in rows.items():
        entry = CODES[code]
        assert cls == ("notice" if entry.notice else entry.cls), code
    mentioned = set(re.findall(r"\bFW-[A-Z0-9]+(?:-[A-Z0-9]+)*\b", readme))
    assert mentioned <= set(CODES), mentioned - set(CODES)


@pytest.mark.parametrize("value, error", [
    ("FW-KS-PATH-MISSING", "must be a list"),
    (["FW-KS-PATH-MISSING"], "a reason is required"),
    ([{"FW-KS-PATH-MISSING": ""}], "a reason is required"),
    ([{"FW-KS-PATH-MISSING": "a", "FW-DEPENDSON-CYCLE": "b"}], "a reason is required"),
    ([{"FW-NOPE": "because"}], "unknown problem code 'FW-NOPE'"),
])
def test_ignore_rules_need_a_known_code_and_a_reason(value: object, error: str) -> None:
    with pytest.raises(ValueError, match=re.escape(error)):
        parse_ignore(value)


def test_ignore_rules_match_by_code_and_path_glob() -> None:
    from flux_wiki.model import Diagnostic

    [by_code, by_glob] = parse_ignore([{"FW-SUBST-FROM-MISSING": "made by Terraform"},
                                       {"FW-KS-PATH-MISSING:clusters/old/**": "archived, never synced"}])
    policy = ProblemPolicy((by_code, by_glob))
    old = Diagnostic("clusters/old/apps.yaml", 3, "x", code="FW-KS-PATH-MISSING")
    new = Diagnostic("clusters/new/apps.yaml", 3, "x", code="FW-KS-PATH-MISSING")
    subst = Diagnostic("anywhere/ks.yaml", 1, "x", code="FW-SUBST-FROM-MISSING")
    assert policy.report(old) == ("info", f"ignored (FW-KS-PATH-MISSING:clusters/old/**: archived, never synced): {old}")
    assert policy.report(new) == ("warning", str(new))
    assert policy.report(subst)[0] == "info"
    limit = Diagnostic("a.yaml", 1, "x", code="FW-KS-SOURCE-EXTERNAL", cls="limit")
    assert ProblemPolicy().report(limit) == ("info", f"simulation limit: {limit}")
    assert ProblemPolicy(strict_limits=True).report(limit)[0] == "warning"
    notice = Diagnostic("a.yaml", 1, "x", "info", code="FW-RSET-NOTE", cls="limit")
    assert ProblemPolicy(strict_limits=True).report(notice)[0] == "info"
    sorted_ = policy.sort([old, new, limit, notice])
    assert (sorted_.problems, sorted_.limits, sorted_.ignored) == ([new], [limit], [(old, "archived, never synced")])
