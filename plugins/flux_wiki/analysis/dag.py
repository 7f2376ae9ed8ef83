"""A cluster's Kustomizations put in order: effective levels, the problems of the order, exclusions."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ..flux.objects import dependency_index, ready_dependencies
from ..flux.simulate import FOREIGN_ROOTS
from ..load.yamldocs import field_line
from ..model import FLUX_HELM_GROUP, FLUX_KUSTOMIZE_GROUP, Cluster, HelmReleaseInfo, InputError
from .order import MAX_CYCLES, Blocker, EffectiveOrder, ReleaseHolds

if TYPE_CHECKING:
    from ..flux.bootstrap_commands import TerraformManifest


def apply_order(cluster: Cluster, read_text: Callable[[str], str] | None = None,
                terraform: Callable[[], Mapping[str, TerraformManifest]] | None = None) -> EffectiveOrder:
    """The cluster's effective order (:mod:`.order`); sets each Kustomization's ``level`` to its effective level
    and warns where Flux would never get a Kustomization Ready.

    Warnings name the line that causes each problem: a dependsOn on a Kustomization the cluster never applies,
    each cycle (Kustomizations that wait for each other: a deadlock), a health check naming a Kustomization the
    cluster never applies. ``read_text`` (the repo's) lets them point at the field's own line. A dependsOn on a
    Kustomization the repository's Terraform creates (``terraform``, asked only then) is a limit: Flux finds it
    once Terraform ran; so is one that dangles only because flux-wiki put one end in ``default``
    (:func:`_unknown_namespace`).
    """
    unplaced = _unknown_namespace(cluster)

    def provided(after: str, before: str) -> bool:
        """Whether Flux may find ``before`` after all: the dependent waits an unknown time, not for ever."""
        return (terraform is not None and before in terraform()) or \
            _dangles_through_default(cluster, after, before, unplaced)

    deadlocks: list[_Deadlock] = []

    def releases(starts_after_ready: Callable[[str, str], bool]) -> ReleaseHolds:
        deadlocks.extend(_release_deadlocks(cluster, starts_after_ready))
        return _release_holds(cluster, deadlocks, read_text)

    order = EffectiveOrder.of(cluster, read_text=read_text, provided=provided,
                              releases=releases if cluster.helm_releases else None)
    for node_id, level in order.levels.items():
        cluster.kustomizations[node_id].level = level
    for edge in order.dangling:
        made = terraform().get(edge.before) if terraform is not None else None
        unless = f" (unless the Terraform resource {made.address} at {made.file}:{made.line}, which flux-wiki does " \
                 "not run, creates it)" if made is not None else ""
        placed = made is None and _dangles_through_default(cluster, edge.after, edge.before, unplaced)
        if placed:
            unless = " (unless what applies this cluster's root, outside the repository, sets a targetNamespace: " \
                     "flux-wiki put the Kustomizations it applies without a namespace in default)"
        cluster.warn(edge.file, edge.line,
                     f"Kustomization {edge.after} depends on {edge.before}, which this cluster never applies"
                     f"{_namesakes(cluster, edge.before)}{unless}", code="FW-DEPENDSON-DANGLING",
                     cls="limit" if made is not None or placed else "repo",
                     ref_namespace=edge.before.partition("/")[0])
    for cycle in order.cycles:
        link = cycle.links[0]
        plain = all(getattr(x, "kind", None) == "dependsOn" for x in cycle.links)
        cluster.warn(link.file, link.line, f"{'dependsOn cycle' if plain else 'reconciliation deadlock'}: "
                                           f"{cycle.describe()}; none of them ever becomes Ready",
                     code="FW-DEPENDSON-CYCLE")
    if order.truncated:
        cluster.warn(cluster.root.file, cluster.root.line,
                     f"more than {MAX_CYCLES} cycles among the Kustomizations: the first {MAX_CYCLES} are "
                     "reported, and levels follow only which Kustomization applies which", code="FW-DEPENDSON-CYCLE")
    for deadlock in deadlocks:
        release = deadlock.release
        cluster.warn(release.file, _dependency_line(cluster, release, deadlock.path[1], read_text),
                     f"reconciliation deadlock: {deadlock.describe()}; none of them ever becomes Ready",
                     code="FW-DEPENDSON-CYCLE")
    for node_id, blocker in sorted(order.blocked.items()):
        if blocker.cause == "health-check" and blocker.node == node_id:
            cluster.warn(blocker.file, blocker.line, f"Kustomization {node_id} {blocker.detail}: it never becomes Ready",
                         code="FW-HEALTHCHECK-MISSING", ref_namespace=blocker.ref_namespace)
    return order


def _unknown_namespace(cluster: Cluster) -> set[str]:
    """Ids of the Kustomizations a guessed or ``entry:`` root applies without a namespace: flux-wiki puts them in
    ``default``, but what applies that root outside the repository may set a targetNamespace."""
    root = cluster.kustomizations.get(cluster.root_id)
    if root is None or cluster.entry_kind not in FOREIGN_ROOTS:
        return set()
    return {f"default/{res.name}" for res in root.resources if not res.namespace and res.generated_by is None
            and res.is_kind(FLUX_KUSTOMIZE_GROUP, "Kustomization")}


def _dangles_through_default(cluster: Cluster, after: str, before: str, unplaced: set[str]) -> bool:
    """Whether some targetNamespace on the root would resolve ``after``'s dependsOn on ``before``: a Kustomization
    of that name is in another namespace, and either it is in ``unplaced`` or ``after`` is and its dependsOn entry
    names no namespace (kustomize-controller then looks in the dependent's own namespace)."""
    name = before.partition("/")[2]
    namesakes = [k.id for k in cluster.kustomizations.values() if k.name == name and k.id != before]
    if any(n in unplaced for n in namesakes):
        return True
    if not namesakes or after not in unplaced:
        return False
    deps = cluster.kustomizations[after].spec.get("dependsOn")
    return any(isinstance(d, dict) and d.get("name") == name and not d.get("namespace")
               for d in (deps if isinstance(deps, list) else []))


class _Deadlock(namedtuple("_Deadlock", "waiter release reason path applier")):
    """``waiter`` waits Ready for ``release`` (``reason``), whose dependsOn ``path`` leads to a HelmRelease applied
    only once ``waiter`` is Ready."""

    __slots__ = ()

    waiter: str
    release: HelmReleaseInfo
    reason: str
    path: list[str]
    applier: str  # the Kustomization applying the last release of ``path``

    def describe(self) -> str:
        links = "; ".join(f"{a} depends on {b}" for a, b in zip(self.path, self.path[1:], strict=False))
        return (f"{self.waiter} waits for HelmRelease {self.release.ident()} to be Ready ({self.reason}); {links}; "
                f"{self.applier} applies {self.path[-1]} only once {self.waiter} is Ready")


def _release_deadlocks(cluster: Cluster, starts_after_ready: Callable[[str, str], bool]) -> list[_Deadlock]:
    """A Kustomization that waits Ready for a HelmRelease (``wait: true`` on one it applies, or a health check
    naming it) whose dependsOn leads to a HelmRelease that a Kustomization applies only once the first one is
    Ready: helm-controller installs nothing before the dependency exists and is Ready (checkDependencies), so none
    of them ever becomes Ready. One per waited release, through its first dependsOn entry that leads there."""
    releases = {h.ident(): h for h in cluster.helm_releases}
    out = []
    for waiter, release, reason in _waited_releases(cluster, releases):
        came_from: dict[str, str] = {release.ident(): ""}
        queue = [release.ident()]
        while queue:
            current = queue.pop(0)
            found = None
            for dep in releases[current].depends_on:
                if dep in came_from or dep not in releases:
                    continue
                came_from[dep] = current
                layer = releases[dep].layer
                if layer != waiter and layer in cluster.kustomizations and starts_after_ready(layer, waiter):
                    found = dep
                    break
                queue.append(dep)
            if found is None:
                continue
            path = [found]
            while came_from[path[-1]]:
                path.append(came_from[path[-1]])
            path.reverse()
            out.append(_Deadlock(waiter, release, reason, path, releases[found].layer))
            break
    return out


def _release_holds(cluster: Cluster, deadlocks: list[_Deadlock],
                   read_text: Callable[[str], str] | None) -> ReleaseHolds:
    """The HelmReleases helm-controller never installs on a fresh bootstrap as they wait for ever on a dependsOn
    (checkDependencies wants each dependency Ready; a suspended one never reconciles, so it never is; releases on
    a cycle or a deadlock wait for each other), each with its first cause; and the Kustomizations that wait Ready
    for one of them (``wait: true``, ``healthChecks``). A dependsOn with ``readyExpr`` is judged by its CEL
    expression, not by Ready, and a dangling one is reported apart (FW-DEPENDSON-DANGLING): neither holds here."""
    releases = {h.ident(): h for h in cluster.helm_releases}
    specs = {ident: _release_spec(cluster, h) for ident, h in releases.items()}
    waits = {ident: ready_dependencies(h.depends_on, specs[ident].get("dependsOn"), h.namespace, releases)
             for ident, h in releases.items()}
    causes: dict[str, Blocker] = {}
    for deadlock in deadlocks:
        release = deadlock.release
        causes.setdefault(release.ident(), Blocker(
            "cycle", release.ident(), deadlock.describe(), release.file,
            _dependency_line(cluster, release, deadlock.path[1], read_text)))
    for ident in sorted(releases):
        for dep in waits[ident]:
            if specs[dep].get("suspend") is True:
                suspended = releases[dep]
                causes.setdefault(ident, Blocker("suspended", dep, "spec.suspend is true: it never reconciles",
                                                 suspended.file, _spec_line(suspended, ("spec", "suspend"), read_text)))
    installable = _installable(waits, causes)
    blocked: dict[str, Blocker] = {}
    for ident in sorted(set(releases) - installable):
        _first_cause(ident, waits, causes, installable, blocked, releases, cluster, read_text)
    held: dict[str, Blocker] = {}
    for waiter, release, reason in _waited_releases(cluster, releases):
        blocker = blocked.get(release.ident())
        if blocker is None or waiter in held:
            continue
        own = next((d for d in deadlocks if d.waiter == waiter and d.release is release), None)
        held[waiter] = blocker._replace(node=waiter) if own is not None else Blocker(
            "release", waiter, f"waits for HelmRelease {release.ident()} to be Ready ({reason}), which is never "
                               f"installed: {_release_cause(release.ident(), blocker)}", blocker.file, blocker.line)
    return ReleaseHolds(held, blocked)


def _release_cause(ident: str, blocker: Blocker) -> str:
    """Why HelmRelease ``ident`` is never installed, from its blocker."""
    if blocker.node != ident:
        return f"it waits for HelmRelease {blocker.node}, which " + (
            "is suspended" if blocker.cause == "suspended" else "is in a cycle")
    return f"in a cycle: {blocker.detail}"


def _installable(waits: dict[str, list[str]], causes: dict[str, Blocker]) -> set[str]:
    """The HelmReleases installed in the end: without a cause of their own, once every one they wait for is."""
    left = {ident: len(set(deps)) for ident, deps in waits.items()}
    waited_by: dict[str, list[str]] = {}
    for ident, deps in waits.items():
        for dep in set(deps):
            waited_by.setdefault(dep, []).append(ident)
    queue = [ident for ident, n in left.items() if n == 0 and ident not in causes]
    done = set(queue)
    while queue:
        for after in waited_by.get(queue.pop(), []):
            left[after] -= 1
            if left[after] == 0 and after not in causes:
                done.add(after)
                queue.append(after)
    return done


def _first_cause(ident: str, waits: dict[str, list[str]], causes: dict[str, Blocker], installable: set[str],
                 blocked: dict[str, Blocker], releases: dict[str, HelmReleaseInfo], cluster: Cluster,
                 read_text: Callable[[str], str] | None) -> None:
    """Record in ``blocked`` the first cause that keeps HelmRelease ``ident`` (not installable) from ever being
    installed, and the same for each release on the way: its own cause, else that of its first dependency never
    installed, until a release already judged or a cycle (reported from its first release in id order)."""
    path: list[str] = []
    on_path: dict[str, int] = {}
    current = ident
    while current not in blocked and current not in causes and current not in on_path:
        on_path[current] = len(path)
        path.append(current)
        current = next(d for d in waits[current] if d not in installable)
    if current in blocked or current in causes:
        found = blocked.get(current) or causes[current]
        path.append(current)
    else:
        ring = path[on_path[current]:]
        start = ring.index(min(ring))
        ring = ring[start:] + ring[:start]
        first = releases[ring[0]]
        found = Blocker("cycle", ring[0], "; ".join(
            f"{a} depends on {b}" for a, b in zip(ring, ring[1:] + ring[:1], strict=False)), first.file,
            _dependency_line(cluster, first, ring[1 % len(ring)], read_text))
    for node in path:
        blocked.setdefault(node, found)


def _waited_releases(cluster: Cluster, releases: dict[str, HelmReleaseInfo]) -> list[tuple[str, HelmReleaseInfo, str]]:
    """(Kustomization, HelmRelease, how) for each release a Kustomization is Ready only after: every one it applies
    with ``wait: true`` (one a ResourceSet generates only through a ResourceSet with ``wait: true``: flux-operator
    applies it), else those its ``healthChecks`` name (namespace and name both set, as Flux reads them)."""
    out = []
    for node in cluster.kustomizations.values():
        if node.spec.get("wait") is True:
            waiting = {(r.kind, r.namespace, r.name) for r in node.resources
                       if r.kind == "ResourceSet" and r.spec.get("wait") is True}
            for res in node.resources:
                gen = res.generated_by
                if res.kind == "HelmRelease" and res.group == FLUX_HELM_GROUP and (
                        gen is None or (gen.kind, gen.namespace, gen.name) in waiting):
                    release = releases.get(res.ident())
                    if release is not None and release.layer == node.id:
                        out.append((node.id, release, "wait"))
            continue
        checks = node.spec.get("healthChecks")
        for check in checks if isinstance(checks, list) else []:
            if isinstance(check, dict) and check.get("kind") == "HelmRelease" and str(
                    check.get("apiVersion") or "").split("/", 1)[0] == FLUX_HELM_GROUP:
                release = releases.get(f"{check.get('namespace')}/{check.get('name')}")
                if release is not None:
                    out.append((node.id, release, "healthChecks"))
    return out


def _release_spec(cluster: Cluster, release: HelmReleaseInfo) -> dict[str, Any]:
    """The spec of ``release`` as its Kustomization applies it (empty when not found)."""
    node = cluster.kustomizations.get(release.layer)
    res = next((r for r in node.resources if (r.file, r.line) == (release.file, release.line)), None) \
        if node is not None else None
    return res.spec if res is not None else {}


def _dependency_line(cluster: Cluster, release: HelmReleaseInfo, dep: str,
                     read_text: Callable[[str], str] | None) -> int:
    """The line of ``release``'s dependsOn entry naming ``dep`` (the release's own line when unknown)."""
    i = dependency_index(_release_spec(cluster, release).get("dependsOn"), dep, release.namespace)
    return release.line if i is None else _spec_line(release, ("spec", "dependsOn", i), read_text)


def _spec_line(release: HelmReleaseInfo, path: tuple[str | int, ...], read_text: Callable[[str], str] | None) -> int:
    """The line of ``path`` in ``release``'s document (the release's own line when unknown)."""
    if read_text is None:
        return release.line
    try:
        return field_line(read_text(release.file), release.line, path)
    except (OSError, InputError, ValueError):
        return release.line


def _namesakes(cluster: Cluster, missing: str) -> str:
    """Where Kustomizations of the name ``missing`` (namespace/name) are, when in other namespaces: a dependsOn
    without a namespace means the dependent's own namespace, which a home-ops layout moves Kustomizations out of."""
    name = missing.partition("/")[2]
    found = sorted(k.id for k in cluster.kustomizations.values() if k.name == name and k.id != missing)
    return f" (this cluster has {', '.join(found)}: set dependsOn's namespace)" if found else ""


def apply_exclusions(cluster: Cluster, patterns: list[str]) -> None:
    """Mark Kustomizations named by ``patterns`` (id or bare name) and everything they apply as excluded."""
    wanted = set(patterns)
    children: dict[str, list[str]] = {}
    for k in cluster.kustomizations.values():
        if k.parent:
            children.setdefault(k.parent, []).append(k.id)
    stack = [k.id for k in cluster.kustomizations.values()
             if (k.id in wanted or k.name in wanted) and k.id != cluster.root_id]
    while stack:
        node_id = stack.pop()
        node = cluster.kustomizations[node_id]
        if node.excluded:
            continue
        node.excluded = True
        cluster.excluded.append(node_id)
        stack.extend(children.get(node_id, []))
    cluster.excluded.sort()
