"""The doctor's reports: text for terminals, JSON, GitHub Actions workflow commands, SARIF 2.1.0.

Evidence names Secrets and ConfigMaps, never their content: the index holds no value to print.
Paths are repo-relative; ``prefix`` (the repo folder relative to where CI checked out, e.g.
``data/tazlab-k8s``) is put in front of them where a consumer resolves paths from the checkout root.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from typing import Any

from ..model import printable
from .diagnosis import DoctorReport
from .evidence import EdgeEvidence, Evidence
from .findings import RULES, SEVERITIES, Finding

TOOL = "flux-wiki"


def _path(prefix: str, file: str) -> str:
    return f"{prefix.rstrip('/')}/{file}" if prefix and prefix != "." else file


# -- text ----------------------------------------------------------------------------------------------

def render_text(reports: list[DoctorReport], evidence: bool = True) -> str:
    out: list[str] = []
    for r in reports:
        counts = Counter(f.severity for f in r.open)
        summary = ", ".join(f"{counts[s]} {s}" for s in SEVERITIES)
        out.append(f"cluster {r.cluster}: {len(r.edges)} dependsOn edges; findings: {summary}; "
                   f"{len(r.acknowledged)} acknowledged")
        if evidence:
            out.append("")
            out.append("dependsOn evidence")
            for edge in r.edges:
                out.extend(_edge_text(edge))
        for title, findings in (("findings", r.open), ("acknowledged", r.acknowledged)):
            if findings:
                out.append("")
                out.append(title)
                out.extend(_finding_text(f) for f in findings)
        out.append("")
    return printable_lines(out)


def printable_lines(lines: list[str]) -> str:
    return "".join(printable(line) + "\n" for line in lines)


def _edge_text(edge: EdgeEvidence) -> list[str]:
    lines = [f"  {edge.dependent} waits for {edge.dependency} ({edge.file}:{edge.line})"]
    if edge.rationale:
        lines.append(f"    author: {edge.rationale}")
    if edge.implied_by is not None:
        lines.append(f"    implied{' through ' + edge.implied_by if edge.implied_by else ''}")
    for e in edge.evidence:
        lines.append(f"    - {evidence_sentence(e)}")
    if not edge.evidence:
        lines.append("    - no evidence in the manifests")
    return lines


def evidence_sentence(e: Evidence) -> str:
    """One reason, e.g. ``Namespace monitoring: provided by Namespace monitoring (f.yaml:1), used by ...``."""
    where = f" in {e.through}" if e.through else ""
    more = f" and {e.uses - 1} more" if e.uses > 1 else ""
    return (f"{e.provider.subject.label()}: provided by {e.provider.text()}{where} ({e.provider.file}:{e.provider.line}), "
            f"used by {e.consumer.text()} ({e.consumer.file}:{e.consumer.line}){more}")


def _finding_text(f: Finding) -> str:
    ack = f" [acknowledged: {f.acknowledged}]" if f.acknowledged else ""
    return f"  {f.severity} {f.code} {f.file}:{f.line}: {f.message}{ack}"


# -- JSON ----------------------------------------------------------------------------------------------

def report_data(reports: list[DoctorReport]) -> dict[str, Any]:
    """The issue's JSON shape; acknowledged findings are listed apart, with their reason."""
    return {"clusters": [{
        "name": r.cluster,
        "edges": [{"from": e.dependency, "to": e.dependent, "evidence": [_evidence_data(x) for x in e.evidence]}
                  for e in r.edges],
        "findings": [_finding_data(f) for f in r.open],
        "acknowledged": [{**_finding_data(f), "reason": f.acknowledged} for f in r.acknowledged],
    } for r in reports]}


def _evidence_data(e: Evidence) -> dict[str, Any]:
    return {"type": e.type, "subject": e.subject,
            "provider": {"file": e.provider.file, "line": e.provider.line},
            "consumer": {"file": e.consumer.file, "line": e.consumer.line},
            "inferred": e.inferred}


def _finding_data(f: Finding) -> dict[str, Any]:
    return {"code": f.code, "severity": f.severity, "message": f.message, "layer": f.layer, "file": f.file,
            "line": f.line}


def render_json(reports: list[DoctorReport]) -> str:
    return json.dumps(report_data(reports), indent=2, sort_keys=False) + "\n"


# -- GitHub Actions workflow commands --------------------------------------------------------------------

_GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    """A workflow command's message, escaped as @actions/core escapeData does."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value, escaped as @actions/core escapeProperty does."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(reports: list[DoctorReport], prefix: str = "") -> str:
    lines = []
    for r in reports:
        for f in r.open:
            props = ",".join(f"{k}={escape_property(v)}" for k, v in (
                ("file", _path(prefix, f.file)), ("line", str(f.line)), ("title", f"flux-wiki {f.code}")))
            lines.append(f"::{_GITHUB_LEVEL[f.severity]} {props}::{escape_data(f'[{r.cluster}] {f.message}')}")
    return "".join(line + "\n" for line in lines)


# -- SARIF 2.1.0 ---------------------------------------------------------------------------------------

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
_RULE_LEVEL = {"missing-dependson": "error", "crd-same-kustomization": "error", "crd-release-not-waited": "warning",
               "unexplained-dependson": "note", "redundant-dependson": "note", "dangling-dependson": "error",
               "wrong-kind-dependson": "error", "dependson-cycle": "error", "healthcheck-not-applied": "warning",
               "helmrelease-dependson-missing": "error"}


def sarif_data(reports: list[DoctorReport], prefix: str = "", version: str = "") -> dict[str, Any]:
    codes = sorted(RULES)
    rules = [{
        "id": code,
        "name": "".join(w.capitalize() for w in code.split("-")),
        "shortDescription": {"text": RULES[code].title},
        "fullDescription": {"text": RULES[code].help},
        "help": {"text": RULES[code].help},
        "defaultConfiguration": {"level": _RULE_LEVEL[code]},
    } for code in codes]
    results = []
    for r in reports:
        for f in r.findings:
            result: dict[str, Any] = {
                "ruleId": f.code,
                "ruleIndex": codes.index(f.code),
                "level": _SARIF_LEVEL[f.severity],
                "message": {"text": f.message},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": _path(prefix, f.file), "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": max(f.line, 1)}}}],
                "partialFingerprints": {"fluxWikiFinding/v1": _fingerprint(r.cluster, f)},
                "properties": {"cluster": r.cluster, "layer": f.layer},
            }
            if f.acknowledged:
                result["suppressions"] = [{"kind": "external", "justification": f.acknowledged}]
            results.append(result)
    driver: dict[str, Any] = {"name": TOOL, "rules": rules}
    if version:
        driver["version"] = version
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0",
            "runs": [{"tool": {"driver": driver}, "results": results,
                      "columnKind": "unicodeCodePoints"}]}


def _fingerprint(cluster: str, f: Finding) -> str:
    """Stable across line moves: the same finding about the same thing keeps its code-scanning alert."""
    return hashlib.sha256("\0".join((cluster, f.code, f.layer, f.subject or f.message)).encode()).hexdigest()[:32]


def render_sarif(reports: list[DoctorReport], prefix: str = "", version: str = "") -> str:
    return json.dumps(sarif_data(reports, prefix, version), indent=2) + "\n"
