"""Recent changes in the wiki: a page per cluster listing the last commits that changed its topology, and
"last changed in <commit>" on each layer page.

It words what :mod:`flux_wiki.diff` found (:class:`~flux_wiki.diff.RecentChanges`); git is read there, once
per commit id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..diff import Commit, LastChange, RecentChanges
from ..diff.compare import ClusterDiff
from ..diff.report import FIELD_TITLES, change_summary
from ..model import Cluster
from .pages import GeneratedPage, PageLayout, PageRenderer


def changes_path(layout: PageLayout, cluster: Cluster) -> str:
    return f"{layout.cluster_dir(cluster)}/changes.md"


@dataclass(frozen=True)
class TouchedLayer:
    id: str
    state: str  # added | removed | changed
    fields: tuple[str, ...] = ()  # the Kustomization fields that changed


@dataclass
class HistoryView:
    """What the templates ask of one cluster's recent changes (the ``history`` of their context)."""

    page: str  # the Recent changes page
    wanted: int  # the N of the option
    entries: list[tuple[Commit, ClusterDiff]] = field(default_factory=list)
    last: dict[str, LastChange] = field(default_factory=dict)
    note: str | None = None  # why there is no history to show
    looked_at: int = 0
    complete: bool = True
    shallow: bool = False

    @staticmethod
    def anchor(commit: Commit) -> str:
        return f"commit-{commit.id[:12]}"

    def layer_inputs(self, layer: str) -> tuple:
        """What a layer page shows of the history (the page memo's digest includes it)."""
        return self.page, self.note, self.complete, len(self.entries), self.last.get(layer)

    def last_changed(self, layer: str) -> LastChange | None:
        return self.last.get(layer)

    @staticmethod
    def summary(diff: ClusterDiff) -> list[str]:
        return change_summary(diff)

    @staticmethod
    def touched(diff: ClusterDiff) -> list[TouchedLayer]:
        """The Kustomizations a commit changed, with the fields of each that changed."""
        fields = {k.id: tuple(FIELD_TITLES.get(ch.field, ch.field) for ch in k.changes)
                  for k in diff.kustomizations.changed}
        return [TouchedLayer(ks, state, fields.get(ks, ())) for ks, state in diff.touched_kustomizations().items()]


def history_context(recent: RecentChanges | str, wanted: int, layout: PageLayout,
                    clusters: list[Cluster]) -> dict[str, dict[str, Any]]:
    """Per cluster name, the ``history`` the templates get; ``recent`` is what git gave, or why it gave nothing."""
    out = {}
    for c in clusters:
        page = changes_path(layout, c)
        if isinstance(recent, str):
            view = HistoryView(page, wanted, note=recent)
        else:
            view = HistoryView(page, wanted, recent.of_cluster(c.name), recent.last_changed(c.name),
                               looked_at=recent.looked_at, complete=recent.complete, shallow=recent.shallow)
        out[c.name] = {"history": view}
    return out


def changes_page(renderer: PageRenderer, view: HistoryView) -> GeneratedPage:
    cluster = renderer.cluster
    return renderer.render_page("changes.md.j2", view.page, f"{cluster.name} Recent Changes", "changes",
                                history=view, dag_page=renderer.layout.dag(cluster))
