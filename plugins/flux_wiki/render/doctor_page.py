"""The ordering doctor in the wiki: a Doctor page per cluster, and the evidence of each dependsOn on the DAG
page (next to the author's rationale) and on both layer pages (Needs / Provides).

It words a :class:`~flux_wiki.doctor.DoctorReport`; the doctor package finds everything. Findings are page
content, never build warnings: they are advice about the order, not problems Flux reports.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from ..doctor import DoctorReport, EdgeEvidence, Finding
from ..doctor.findings import RULES, SEVERITIES, Rule
from ..doctor.subjects import Subject
from ..model import Cluster
from .pages import GeneratedPage, PageLayout, PageRenderer

SEVERITY_TITLES = {"error": "Errors", "warning": "Warnings", "info": "Info"}
_SUBJECT_PREFIX = {"crd": "CRD", "namespace": "Namespace", "controller": "controller"}


def doctor_path(layout: PageLayout, cluster: Cluster) -> str:
    return f"{layout.cluster_dir(cluster)}/doctor.md"


def subject_words(subject: Subject) -> tuple[str, str]:
    """(what kind of thing, its name) as evidence writes them: ``("CRD", "ClusterIssuer.cert-manager.io")``,
    ``("Secret", "auth/wildcard-tls")``; the name goes in a code span."""
    if subject.type in _SUBJECT_PREFIX:
        return _SUBJECT_PREFIX[subject.type], subject.text()
    return subject.kind, f"{subject.namespace}/{subject.name}" if subject.namespace else subject.name


@dataclass
class DoctorView:
    """What the templates ask of one cluster's doctor report (the ``doctor`` of their context)."""

    report: DoctorReport
    page: str  # the Doctor page

    @cached_property
    def _edges_by_layer(self) -> tuple[dict[str, list[EdgeEvidence]], dict[str, list[EdgeEvidence]]]:
        """The report's edges indexed once by dependent and by dependency (each layer page asks for its own)."""
        dependent: dict[str, list[EdgeEvidence]] = defaultdict(list)
        dependency: dict[str, list[EdgeEvidence]] = defaultdict(list)
        for e in self.report.edges:
            dependent[e.dependent].append(e)
            dependency[e.dependency].append(e)
        return dependent, dependency

    @cached_property
    def _open_by_layer(self) -> dict[str, list[Finding]]:
        out: dict[str, list[Finding]] = defaultdict(list)
        for f in self.report.open:
            out[f.layer].append(f)
        return out

    def needs(self, layer: str) -> list[EdgeEvidence]:
        """The layer's dependsOn edges, each with what it needs from that dependency."""
        return list(self._edges_by_layer[0].get(layer, ()))

    def provides(self, layer: str) -> list[EdgeEvidence]:
        """The edges of the layers that dependsOn this one, each with what this layer provides them."""
        return list(self._edges_by_layer[1].get(layer, ()))

    def layer_inputs(self, layer: str) -> tuple:
        """What a layer page shows of the report (the page memo's digest includes it)."""
        return self.page, self.needs(layer), self.provides(layer), self.findings(layer)

    def findings(self, layer: str) -> list[Finding]:
        """Open findings about the layer, most severe first."""
        return list(self._open_by_layer.get(layer, ()))

    def by_severity(self) -> list[tuple[str, str, list[Finding]]]:
        """(severity, section title, open findings) for each severity, in order."""
        return [(s, SEVERITY_TITLES[s], [f for f in self.report.open if f.severity == s]) for s in SEVERITIES]

    @staticmethod
    def by_code(findings: list[Finding]) -> list[tuple[Rule, list[Finding]]]:
        """``findings`` grouped by code (codes in order), each group with its rule."""
        codes = sorted({f.code for f in findings})
        return [(RULES.get(c) or Rule(c, c, ""), [f for f in findings if f.code == c]) for c in codes]

    def counts(self) -> dict[str, int]:
        return {s: sum(1 for f in self.report.open if f.severity == s) for s in SEVERITIES}

    def rules(self) -> list[Rule]:
        """The codes of the report's findings (acknowledged ones too), with what each means."""
        return [RULES[c] for c in sorted({f.code for f in self.report.findings}) if c in RULES]


def doctor_context(reports: dict[str, DoctorReport], layout: PageLayout,
                   clusters: list[Cluster]) -> dict[str, dict[str, Any]]:
    """Per cluster name, what the DAG and layer templates get: ``doctor`` (a :class:`DoctorView`) and the
    helpers the evidence fragments use."""
    return {c.name: {"doctor": DoctorView(reports[c.name], doctor_path(layout, c)), "subject_words": subject_words}
            for c in clusters if c.name in reports}


def doctor_page(renderer: PageRenderer, report: DoctorReport) -> GeneratedPage:
    cluster = renderer.cluster
    layout = renderer.layout
    return renderer.render_page("doctor.md.j2", doctor_path(layout, cluster), f"{cluster.name} Ordering Doctor",
                                "doctor", dag_page=layout.dag(cluster))
