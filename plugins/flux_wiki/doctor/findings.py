"""Ordering findings: each with a stable code, a severity and the file:line to fix.

Severities follow the project's rule: *error* when Flux fails on a fresh bootstrap (a Kustomization
blocked for good or until someone intervenes), *warning* when it misbehaves (fails until a retry finds
what it needs), *info* when the order is fine but unexplained or redundant, or when what flux-wiki
cannot see (charts it does not render, Kustomizations it could not build) may settle the question.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field, replace

from ..analysis.order import Cycle
from ..model import BUILT_STATUSES, Cluster, HelmReleaseInfo, KustomizationNode
from .evidence import EdgeEvidence
from .index import DependencyIndex
from .reach import Reach, applies, gates, health_checks
from .subjects import RACE_SEVERITY, Need, Provision, Subject

SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Rule:
    code: str
    title: str
    help: str


RULES: dict[str, Rule] = {r.code: r for r in (
    Rule("missing-dependson", "Missing dependsOn",
         "A Kustomization uses something (a CRD, a namespace, a Secret, a ConfigMap, a source) that only a "
         "Kustomization it does not wait for provides. On a fresh bootstrap the two race: an unknown kind or "
         "namespace fails the whole Kustomization's dry-run, a missing Secret or source fails what reads it. "
         "Add a dependsOn on the provider."),
    Rule("crd-same-kustomization", "Custom resource next to the HelmRelease that installs its CRD",
         "kustomize-controller dry-runs every object of a stage before applying any. A custom resource applied "
         "by the same Kustomization as the HelmRelease that installs its CRD fails that dry-run on a fresh "
         "cluster, so the HelmRelease is never applied either. Move the custom resources to a Kustomization "
         "that dependsOn this one (and have this one wait for the release)."),
    Rule("crd-release-not-waited", "CRDs from a HelmRelease nobody waits for",
         "A Kustomization applies a HelmRelease whose chart installs CRDs, but is Ready without waiting for it "
         "(no wait: true, no healthCheck on the release). Kustomizations that use those CRDs start as soon as "
         "it is Ready and fail their dry-run until the release is installed. Set wait: true or add the "
         "HelmRelease to healthChecks."),
    Rule("unexplained-dependson", "dependsOn without evidence",
         "Nothing the dependent applies uses anything the dependency (or what it waits for) provides. The edge "
         "may be right for reasons flux-wiki cannot see (a chart's objects, a runtime call); say why in "
         "data/notes.yaml (kustomizations.<id>.rationale or .dependsOn.<dependency>)."),
    Rule("redundant-dependson", "Redundant dependsOn",
         "The dependent already waits for the dependency through another dependsOn (or its parent): this "
         "edge adds nothing to the order."),
    Rule("dangling-dependson", "dependsOn names a Kustomization the cluster never applies",
         "Flux waits for a dependency that does not exist: the Kustomization never reconciles."),
    Rule("wrong-kind-dependson", "dependsOn names an object of another kind",
         "A Kustomization's dependsOn names Kustomizations only, a HelmRelease's names HelmReleases only. "
         "The named object exists with another kind, so the dependency is never found. Wait for a HelmRelease "
         "through the healthChecks of a Kustomization instead."),
    Rule("dependson-cycle", "Ordering cycle",
         "The Kustomizations wait for each other: none of them ever becomes Ready."),
    Rule("healthcheck-not-applied", "healthChecks names an object the Kustomization does not apply",
         "A health check on an object nothing applies never passes: the Kustomization times out and is not Ready."),
    Rule("helmrelease-dependson-missing", "HelmRelease dependsOn names a missing HelmRelease",
         "helm-controller waits for a HelmRelease that no Kustomization applies: the release is never installed."),
)}


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str  # error | warning | info
    message: str
    layer: str  # the Kustomization id the finding is about
    file: str
    line: int
    subject: str = ""  # what it is about (for acknowledgements): a subject, a dependency, an object
    acknowledged: str | None = None  # the author's reason, when data/notes.yaml acknowledges it

    def sort_key(self) -> tuple:
        return (SEVERITIES.index(self.severity), self.code, self.file, self.line, self.layer, self.subject)


def at_least(severity: str, threshold: str) -> bool:
    return SEVERITIES.index(severity) <= SEVERITIES.index(threshold)


@dataclass
class _Context:
    cluster: Cluster
    index: DependencyIndex
    reach: Reach
    checked: set[str]  # layers the findings are about: built, not excluded
    out: list[Finding] = field(default_factory=list)
    unwaited: dict[tuple[str, str], list[tuple[str, Subject, Need, Provision]]] = field(
        default_factory=lambda: defaultdict(list))  # (provider layer, release) -> what uses its CRDs

    def add(self, code: str, severity: str, message: str, layer: str, file: str, line: int, subject: str = "") -> None:
        self.out.append(Finding(code, severity, message, layer, file, line, subject))


def find(cluster: Cluster, index: DependencyIndex, reach: Reach, edges: list[EdgeEvidence]) -> list[Finding]:
    checked = {k.id for k in cluster.kustomizations.values()
               if k.status in BUILT_STATUSES and not k.excluded and k.id != cluster.root_id}
    ctx = _Context(cluster, index, reach, checked)
    for layer in sorted(checked):
        _needs(ctx, layer)
    for (provider, release), uses in sorted(ctx.unwaited.items()):
        _release_not_waited(ctx, provider, release, uses)
    _edges(ctx, edges)
    _references(ctx)
    for cycle in reach.order.cycles:
        _cycle(ctx, cycle)
    _health(ctx)
    return sorted(set(ctx.out), key=Finding.sort_key)


# -- needs no ancestor provides ---------------------------------------------------------------------------

_CONSEQUENCE = {
    "crd": "{layer} fails its whole dry-run (no matches for kind) until the CRD exists",
    "namespace": "{layer} fails to apply (namespace not found) until the namespace exists",
    "secret": "what reads the Secret fails until it exists",
    "configmap": "what reads the ConfigMap fails until it exists",
    "source": "what reads the source fails until it exists",
}

_GENERIC = frozenset({"crd", "crds", "app", "apps", "kubernetes", "main", "system", "cluster", "base", "flux",
                      "operator", "operators", "controller", "helm", "chart", "charts",
                      "io", "com", "org", "net", "dev", "sh", "k8s", "github", "https", "http", "www", "git"})


def _words(*texts: str) -> set[str]:
    return {w for t in texts for w in re.split(r"[^a-z0-9]+", t.lower()) if len(w) >= 3 and w not in _GENERIC}


def _unseen(ctx: _Context, layer: str, crd: tuple[Subject, list[Provision]] | None = None) -> list[str]:
    """Kustomizations flux-wiki could not build that may provide what ``layer`` needs: the layer and what
    it comes after. For a CRD, a CRD bundle (a Kustomization named for CRDs, from another repository)
    counts when it is among those or applied alongside them, and its name or source shares a word with
    the CRD's group or the release that installs it."""
    nodes = ctx.cluster.kustomizations
    around = ctx.reach.before(layer) | {layer}
    candidates = around | ({c for k in around for c in ctx.reach.children.get(k, [])} if crd else set())
    hints = _words(crd[0].group, *(p.release or "" for p in crd[1])) if crd else set()
    out = []
    for k in candidates:
        node = nodes.get(k)
        if node is None or node.status == "built":
            continue
        bundle = "crd" in f"{node.name} {node.path or ''}".lower()
        if bundle and crd:
            url = node.source.url if node.source is not None else ""
            if not any(a in b or b in a for a in _words(node.name, url or "") for b in hints):
                continue
        elif k not in around:
            continue
        out.append(k)
    return sorted(out)


def _needs(ctx: _Context, layer: str) -> None:
    ancestors = ctx.reach.before(layer)
    for subject, needs in ctx.index.of(layer).needs.items():
        if subject.type not in RACE_SEVERITY:
            continue
        providers = [p for p in ctx.index.providers(subject) if not (p.awaited and p.layer == layer)]
        if any(p.before_flux for p in providers):
            continue
        own = [p for p in providers if p.layer == layer]
        before = [p for p in providers if p.layer in ancestors]
        if subject.type == "crd":
            if any(not p.runtime for p in own + before):
                continue  # a CustomResourceDefinition object: kustomize-controller applies it first
            if before:
                _unwaited(ctx, layer, subject, needs, before)
                continue
            if own:
                _same_kustomization(ctx, layer, subject, needs, own)
                continue
        elif own or before:
            continue
        if providers:
            _missing(ctx, layer, subject, needs, providers)


def _missing(ctx: _Context, layer: str, subject: Subject, needs: list[Need], providers: list[Provision]) -> None:
    """A need only layers that do not come before ``layer`` provide."""
    stype = subject.type
    provider_layers = sorted({p.layer for p in providers})
    unseen = _unseen(ctx, layer, (subject, providers) if stype == "crd" else None)
    inferred = all(p.inferred for p in providers)
    severity = "info" if inferred or unseen else RACE_SEVERITY[stype]
    consequence = _CONSEQUENCE[stype].format(layer=layer)
    if stype == "namespace" and all(n.how == "targetNamespace" for n in needs):
        severity = "info" if inferred or unseen else "warning"
        consequence = f"{needs[0].obj} fails to install into it until it exists"
    first = needs[0]
    more = f" (and {len(needs) - 1} more)" if len(needs) > 1 else ""
    who = ", ".join(provider_layers)
    after = [p for p in provider_layers if layer in ctx.reach.applied_before(p)]
    advice = (f"{', '.join(after)} itself runs after {layer}: move what it provides, or the objects that use it"
              if after else f"add a dependsOn on {who if len(provider_layers) == 1 else 'one of them'}")
    if after and len(after) == len(provider_layers) and stype in ("crd", "namespace"):
        consequence += f", which never happens: {', '.join(after)} waits for {layer} first (a deadlock)"
    ctx.add("missing-dependson", severity,
            f"{subject.label()} is used by {first.text()}{more} but only {who} provides it "
            f"({providers[0].text()}), and {layer} does not wait for it: on a fresh bootstrap "
            f"{consequence}; {advice}{_maybe(unseen)}",
            layer, first.file, first.line, subject.text())


def _maybe(unseen: list[str]) -> str:
    if not unseen:
        return ""
    shown = ", ".join(unseen[:3]) + (", ..." if len(unseen) > 3 else "")
    return f" (unless {shown}, which flux-wiki could not build, provides it)"


def _same_kustomization(ctx: _Context, layer: str, subject: Subject, needs: list[Need], own: list[Provision]) -> None:
    first = needs[0]
    release = own[0].release or own[0].via
    unseen = _unseen(ctx, layer, (subject, own))
    ctx.add("crd-same-kustomization", "info" if all(p.inferred for p in own) or unseen else "error",
            f"{first.obj} is a {subject.text()}, whose CRD only HelmRelease {release} installs, and {layer} applies "
            f"both: kustomize-controller dry-runs the whole stage first, so on a fresh cluster the dry-run fails "
            f"(no matches for kind {subject.kind}) and the HelmRelease is never applied; move the custom "
            f"resources to a Kustomization that dependsOn {layer}{_maybe(unseen)}",
            layer, first.file, first.line, subject.text())


def _unwaited(ctx: _Context, layer: str, subject: Subject, needs: list[Need], before: list[Provision]) -> None:
    """Record a CRD that only HelmReleases of earlier layers install, when none is surely Ready first."""
    releases = [p for p in before if p.release]
    if not releases or any(ctx.reach.release_ready_before(p.release, layer) for p in releases if p.release):
        return
    p = releases[0]
    ctx.unwaited[(p.layer, p.release or "")].append((layer, subject, needs[0], p))


def _release_not_waited(ctx: _Context, provider_id: str, release: str,
                        uses: list[tuple[str, Subject, Need, Provision]]) -> None:
    provider = ctx.cluster.kustomizations.get(provider_id)
    if provider is None:
        return
    layers = sorted({layer for layer, _, _, _ in uses})
    kinds = sorted({subject.text() for _, subject, _, _ in uses})
    ordered = [layer for layer in layers if provider_id in ctx.reach.ready_before(layer)]
    gating = sorted(k.id for k in ctx.cluster.kustomizations.values() if k.id != provider_id
                    and gates(k, "HelmRelease", *release.split("/", 1)))
    if ordered:
        why = f"{provider_id} is Ready without it (no wait: true, no healthCheck on the release)"
        advice = f"set wait: true on {provider_id} or add the HelmRelease to its healthChecks"
    else:
        why = (f"{', '.join(layers)} only start{'s' if len(layers) == 1 else ''} once {provider_id} applied "
               f"{'it' if len(layers) == 1 else 'them'}, not once the release is Ready")
        advice = (f"add a dependsOn on {gating[0]}, which health-checks the release" if gating else
                  "add a dependsOn on a Kustomization that health-checks the release")
    _, _, need, p = uses[0]
    shown = ", ".join(kinds[:4]) + (f" and {len(kinds) - 4} more" if len(kinds) > 4 else "")
    ctx.add("crd-release-not-waited", "info" if all(u[3].inferred for u in uses) else "warning",
            f"HelmRelease {release} (applied by {provider_id}) installs the CRDs of {shown}, used by "
            f"{', '.join(layers)} (first: {need.text()} at {need.file}:{need.line}), but {why}: they can start "
            f"before the CRDs exist and fail their dry-run until the release is installed; {advice}",
            provider_id, provider.file, provider.line, release)


# -- dependsOn edges ------------------------------------------------------------------------------------

def _edges(ctx: _Context, edges: list[EdgeEvidence]) -> None:
    for edge in edges:
        if edge.dependent not in ctx.checked:
            continue
        if edge.implied_by is not None:
            route = f" through {edge.implied_by}" if edge.implied_by else ""
            ctx.add("redundant-dependson", "info",
                    f"{edge.dependent} dependsOn {edge.dependency}, but it already waits for it{route}",
                    edge.dependent, edge.file, edge.line, edge.dependency)
        elif not edge.evidence and not edge.rationale and all(_built(ctx, k)
                                                              for k in ctx.reach.ready_with(edge.dependency)):
            ctx.add("unexplained-dependson", "info",
                    f"{edge.dependent} dependsOn {edge.dependency}, but flux-wiki finds nothing it applies that "
                    f"needs what {edge.dependency} (or what it waits for) provides (a namespace, CRD, Secret, "
                    f"ConfigMap, source, class, Service); say why in data/notes.yaml",
                    edge.dependent, edge.file, edge.line, edge.dependency)


def _built(ctx: _Context, node_id: str) -> bool:
    """Whether flux-wiki saw what ``node_id`` applies (else "nothing it provides is used" is unknown: for a
    dependsOn, of the dependency and of every Kustomization it waits for, e.g. a child from an OCI artifact)."""
    node = ctx.cluster.kustomizations.get(node_id)
    return node is not None and node.status == "built"


def _unbuilt(cluster: Cluster) -> list[str]:
    return sorted(k.id for k in cluster.kustomizations.values() if k.status != "built")


def _references(ctx: _Context) -> None:
    """dependsOn of Kustomizations and HelmReleases that name nothing, or the wrong kind."""
    cluster = ctx.cluster
    releases = {h.ident(): h for h in cluster.helm_releases}
    # the line of each dangling dependsOn entry, as the build's warning names it
    entry = {(e.after, e.before): (e.file, e.line) for e in ctx.reach.order.dangling}
    all_unbuilt = _unbuilt(cluster)
    for node in sorted(cluster.kustomizations.values(), key=lambda k: k.id):
        if node.excluded or node.status == "pending":
            continue
        unbuilt = [k for k in all_unbuilt if k != node.id]
        maybe = (f" unless a Kustomization flux-wiki could not build applies it ({', '.join(unbuilt[:3])}"
                 f"{', ...' if len(unbuilt) > 3 else ''})") if unbuilt else ""
        for dep in node.depends_on:
            if dep in cluster.kustomizations:
                continue
            file, line = entry.get((node.id, dep), (node.file, node.line))
            if dep in releases:
                ctx.add("wrong-kind-dependson", "error",
                        f"Kustomization {node.id} dependsOn {dep}, which is a HelmRelease "
                        f"({releases[dep].file}:{releases[dep].line}), not a Kustomization: it never becomes Ready "
                        f"as a dependency; health-check the HelmRelease from a Kustomization and depend on that",
                        node.id, file, line, dep)
            else:
                ctx.add("dangling-dependson", "info" if unbuilt else "error",
                        f"Kustomization {node.id} dependsOn {dep}, which this cluster never applies: it never "
                        f"reconciles{maybe}", node.id, file, line, dep)
    unbuilt = _unbuilt(cluster)
    maybe = (f" unless a Kustomization flux-wiki could not build applies it ({', '.join(unbuilt[:3])}"
             f"{', ...' if len(unbuilt) > 3 else ''})") if unbuilt else ""
    for h in cluster.helm_releases:
        layer = cluster.kustomizations.get(h.layer)
        if layer is None or layer.excluded:
            continue
        for dep in h.depends_on:
            if dep in releases:
                continue
            if dep in cluster.kustomizations:
                ctx.add("wrong-kind-dependson", "error",
                        f"HelmRelease {h.ident()} dependsOn {dep}, which is a Kustomization, not a HelmRelease: "
                        f"helm-controller never finds it and never installs the release", h.layer, h.file, h.line, dep)
            else:
                ctx.add("helmrelease-dependson-missing", "info" if unbuilt else "error",
                        f"HelmRelease {h.ident()} dependsOn HelmRelease {dep}, which no Kustomization applies: "
                        f"the release is never installed{maybe}", h.layer, h.file, h.line, dep)


def _cycle(ctx: _Context, cycle: Cycle) -> None:
    """One cycle of the effective order (``analysis.order.Cycle``): none of its Kustomizations becomes Ready."""
    ids = list(cycle.nodes)
    nodes = [ctx.cluster.kustomizations[n] for n in ids if n in ctx.cluster.kustomizations]
    if not nodes:
        return
    first = min(nodes, key=lambda k: k.id)
    ring = ids + ids[:1]
    ctx.add("dependson-cycle", "error", f"ordering cycle {' -> '.join(ring)}: none of them ever becomes Ready "
            f"({cycle.describe()})", first.id, first.file, first.line, " -> ".join(sorted(set(ids))))


# -- healthChecks ---------------------------------------------------------------------------------------

def _health(ctx: _Context) -> None:
    cluster = ctx.cluster
    appliers: dict[tuple[str, str], list[tuple[str, str]]] | None = None  # both made on the first check they answer
    makers: _Makers | None = None
    for node_id in sorted(ctx.checked):
        node = cluster.kustomizations[node_id]
        for check in health_checks(node):
            kind, name = str(check.get("kind") or ""), str(check.get("name") or "")
            ns = str(check.get("namespace") or "")
            if not kind or not name or _applied_by(node, kind, ns, name):
                continue
            target = f"{kind} {ns + '/' if ns else ''}{name}"
            if appliers is None:
                appliers = _appliers(cluster)
            other_id = next((i for namespace, i in appliers.get((kind, name), ())
                             if i != node.id and (not ns or namespace == ns)), None)
            other = cluster.kustomizations[other_id] if other_id is not None else None
            if makers is None:
                makers = _Makers.of(ctx)
            made, maker = _made_at_run_time(makers, node, kind, ns, name)
            release = ""
            if not made:
                charted = ctx.reach.charted().get(node.id, {})
                release = next((r for r, objects in charted.items() if target in objects), "")
                made = f"perhaps by a chart of HelmRelease {release}" if release else ""
            if other is None and maker and maker != node.id:
                other = cluster.kustomizations.get(maker)
            installer = _installer(cluster, release) if other is None and not maker and release else None
            if other is not None:
                if node.id not in ctx.reach.ready_before(other.id):
                    continue  # a health check on what another layer applies: legal, and it passes once applied
                severity, why = "warning", (f"{other.id} applies it, and {other.id} waits for {node.id} to be Ready: "
                                            f"the health check never passes")
            elif installer is not None and installer != node.id and node.id in ctx.reach.ready_before(installer):
                severity, why = "warning", (f"it is perhaps made by a chart of HelmRelease {release}, which {installer} "
                                            f"applies, and {installer} waits for {node.id} to be Ready: the health "
                                            f"check never passes")
            elif made:
                severity, why = "info", f"it is made at run time ({made}); flux-wiki cannot see it"
            else:
                unseen = [k.id for k in cluster.kustomizations.values() if k.status != "built" and k.id != node.id
                          and (kind != "CustomResourceDefinition" or _words(k.name, k.source.url if k.source
                                                                            and k.source.url else "") & _words(name))]
                severity, why = ("info", f"only a Kustomization flux-wiki could not build may apply it "
                                         f"({', '.join(sorted(unseen)[:3])})") if unseen else (
                    "warning", "nothing in this cluster applies it: the health check never passes")
            ctx.add("healthcheck-not-applied", severity,
                    f"Kustomization {node.id} health-checks {target}, which it does not apply: {why}",
                    node.id, node.file, node.line, target)


def _installer(cluster: Cluster, release: str) -> str | None:
    """The Kustomization that applies HelmRelease ``release`` (namespace/name)."""
    return next((h.layer for h in cluster.helm_releases if h.ident() == release), None)


def _appliers(cluster: Cluster) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """(kind, name) -> (namespace, Kustomization id) of every object the cluster's Kustomizations apply, in the
    order of their ids: a health check that its own Kustomization does not apply looks up who does, instead of
    scanning every Kustomization's objects (O(n²) on a cluster whose layers health-check each other's)."""
    found: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for node in sorted(cluster.kustomizations.values(), key=lambda k: k.id):
        for r in node.resources:
            found[(r.kind, r.name)].append((r.namespace, node.id))
    return found


def _applied_by(node: KustomizationNode, kind: str, namespace: str, name: str) -> bool:
    if namespace:
        return applies(node, kind, namespace, name)
    return any(r.kind == kind and r.name == name for r in node.resources)


@dataclass
class _Makers:
    """What may make an object at run time, indexed once per cluster for the health checks that ask: the
    run-time provisions by the kind they make (in index order), and the layers' HelmReleases."""

    by_kind: dict[str, list[tuple[str, Provision]]]  # subject kind -> (layer, provision)
    crds: list[tuple[str, Provision]]  # what a CustomResourceDefinition check may be: CRD subjects, CRD kinds
    releases: dict[str, list[HelmReleaseInfo]]  # layer -> its HelmReleases

    @classmethod
    def of(cls, ctx: _Context) -> _Makers:
        by_kind: dict[str, list[tuple[str, Provision]]] = defaultdict(list)
        crds: list[tuple[str, Provision]] = []
        for layer, facts in ctx.index.layers.items():
            for p in facts.provisions:
                if p.runtime:
                    by_kind[p.subject.kind].append((layer, p))
                    if p.subject.type == "crd" or p.subject.kind == "CustomResourceDefinition":
                        crds.append((layer, p))
        releases: dict[str, list[HelmReleaseInfo]] = defaultdict(list)
        for h in ctx.cluster.helm_releases:
            releases[h.layer].append(h)
        return cls(by_kind, crds, releases)


def _made_at_run_time(makers: _Makers, node: KustomizationNode, kind: str, namespace: str,
                      name: str) -> tuple[str, str]:
    """(what may create the object at run time, the layer it belongs to): a provision (a CRD a release
    installs, a Secret an operator writes), or a HelmRelease of the Kustomization (charts are not rendered)."""
    for layer, p in makers.crds if kind == "CustomResourceDefinition" else makers.by_kind.get(kind, ()):
        if _is(p.subject, kind, namespace, name):
            return p.via, layer
    releases = makers.releases.get(node.id, [])
    if releases and kind not in ("Kustomization", "HelmRelease"):
        return f"perhaps by a chart of HelmRelease {releases[0].ident()}", ""
    return "", ""


def _is(subject: Subject, kind: str, namespace: str, name: str) -> bool:
    """Whether a health check's object (kind, namespace, name) is ``subject``; a CRD is named
    ``<plural>.<group>``."""
    if kind == "CustomResourceDefinition" and subject.type == "crd":
        plural, _, group = name.partition(".")
        k = subject.kind.lower()
        return group == subject.group and plural in (k, k + "s", k + "es", k[:-1] + "ies")
    return subject.kind == kind and subject.name == name and (not namespace or subject.namespace in (namespace, "*"))


def acknowledge(findings: list[Finding], acks: list, layer_names: dict[str, str]) -> list[Finding]:
    """Findings with the reason of the first acknowledgement that matches each (others unchanged)."""
    out = []
    for f in findings:
        ack = next((a for a in acks if a.matches(f.code, f.layer, layer_names.get(f.layer, ""), f.subject)), None)
        out.append(replace(f, acknowledged=ack.reason) if ack is not None else f)
    return out
