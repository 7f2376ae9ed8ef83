"""Simulate Flux reconciliation from an entry point: the tree of Kustomizations as the controllers see it.

The root Kustomization's path is built (kustomize + Flux's own merge) and substituted; the Flux
Kustomizations in *that output* are the next nodes, with their spec as built (a parent's patches
apply); and so on. Nothing is found by grepping for ``kind: Kustomization``: folders nothing reaches
are not part of the cluster.
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections import deque
from graphlib import CycleError, TopologicalSorter
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ..load import ParseCache, Repo
from ..load.yamldocs import block_scalar_line, field_line
from ..model import (BUILT_STATUSES, FLUX_HELM_GROUP, FLUX_KUSTOMIZE_GROUP, FLUX_OPERATOR_GROUP, FLUX_SOURCE_GROUP,
                     SOPS_ENCRYPTED_KIND, Cluster, Controller, Diagnostic, FieldAt, HelmReleaseInfo,
                     InputError, KustomizationNode, Resource, SourceDir, SourceInfo, SubstitutionVar,
                     helm_release_identity, value_at)
from ..problems import CODES
from .controller_flags import (CONTROLLERS, NO_CROSS_NAMESPACE_REFS, REQUEUE_DEPENDENCY, ControllerFlags, patch_flags,
                               root_flags)
from .entry import Entry, artifact_prefix, bootstrap_build, root_path
from .fields import holds_variable, is_ciphertext
from .kustomize.build import BuildResult, Includes, included_in
from .kustomize.reuse import build_reusing
from .objects import KustomizationSpec, dependency_index, landing_cluster, ready_dependencies, remote_cluster
from .schema import (FLUX_KUSTOMIZATION_SPEC, LABEL, FieldProblem, checked_kustomization, checked_kustomization_spec,
                     host_problems, name_problem, name_rule, object_problems, unknown_fields, unsubstituted_durations)
from .scope import ScopeIndex
from .source_dirs import SourceDirs, normalized_url, source_key, unmapped_hint
from .sources import canonical_ref, describe_ref, wrong_source_message
from .store import ObjectStore
from .runtime import ANY_NAMESPACE, RuntimeSecret, runtime_secret_in, runtime_secrets

if TYPE_CHECKING:  # substitute.py loads with the first Kustomization that substitutes (see Simulation._substituted)
    from collections.abc import Callable

    from .helm import ArtifactChart
    from .substitute import Variable

_FLUX_CONTROLLERS = ("source-controller", "kustomize-controller", "helm-controller", "notification-controller",
                     "image-reflector-controller", "image-automation-controller", "source-watcher")


# Bounds of one cluster's simulation. Real repositories stay far below them (the largest test corpus:
# 154 Kustomizations, 928 objects, 3 levels below the root), so only a repository that re-applies its own
# paths under new names reaches them; it is reported on the node that is not simulated.
MAX_DISCOVERY_DEPTH = 16  # Kustomizations applied by Kustomizations, below the root
MAX_KUSTOMIZATIONS = 10_000  # Kustomizations per cluster (the scale benchmark builds 5,000)
MAX_OBJECTS = 50_000  # objects applied per cluster
MAX_RELEASE_CYCLES = 20  # HelmRelease dependsOn cycles reported per cluster (one sort each)
_PROBLEMS_PER_OBJECT = 5  # field problems reported for one object


def _node(namespace: str, name: str, spec: dict[str, Any], **fields: Any) -> KustomizationNode:
    """A node for a Kustomization whose spec the schema check passed (``spec`` without what it refused)."""
    ks = KustomizationSpec.parse(spec, namespace)
    return KustomizationNode(namespace=namespace, name=name, path=ks.path, depends_on=list(ks.depends_on),
                             spec=spec, flux_spec=ks, **fields)


def _node_from_resource(res: Resource, parent: str | None,
                        checked: tuple[dict[str, Any], list[FieldProblem]] | None = None,
                        ) -> tuple[KustomizationNode, list[FieldProblem]]:
    """A node for a Flux Kustomization object; one the CRD schema would refuse is an error, never built.
    ``checked`` is :func:`checked_kustomization` of the object, when the caller has it."""
    spec, problems = checked if checked is not None else checked_kustomization(res.obj)
    node = _node(res.namespace or "default", res.name, spec, parent=parent, source=None, file=res.file,
                 line=res.line, generated_by=res.generated_by, depends_on_at=res.depends_on_at)
    if problems:
        node.status = "error"
        node.reason = _rejected(problems)
    return node, problems


def _first_failure(diagnostics: list[Diagnostic]) -> Diagnostic | None:
    """The first problem that fails a Kustomization in Flux, among those found in its postBuild or in the objects
    it applies (a reference to something nothing applies is left out: flux-wiki may not have seen what provides
    it, see problems.settle_references)."""
    return next((d for d in diagnostics if d.cls == "repo" and d.severity == "warning"
                 and not ((code := CODES.get(d.code)) and code.reference)), None)


def _rejected(problems: list[FieldProblem]) -> str:
    return "the API server rejects this Kustomization: " + "; ".join(str(p) for p in problems)


_DECRYPT_ANNOTATION = f"{FLUX_KUSTOMIZE_GROUP}/decrypt"
KUSTOMIZE_CONFIG_GROUP = "kustomize.config.k8s.io"  # kustomize's own file kinds (Kustomization, Component): never served
# entries whose root spec the repository does not hold (flux-wiki writes it)
_SYNTHESIZED_ROOTS = ("explicit", "gotk-sync placeholder", "bootstrap command", "guessed root")
# of those, the roots something outside the repository applies with a spec of its own (not `flux bootstrap`'s)
FOREIGN_ROOTS = ("explicit", "guessed root")


def _and_more(items: list[Any]) -> str:
    """`` (and N more)`` after the first of ``items`` a message names; empty for one."""
    return f" (and {len(items) - 1} more)" if len(items) > 1 else ""


def _decryption_disabled(res: Resource) -> bool:
    """``kustomize.toolkit.fluxcd.io/decrypt: disabled`` (any case): kustomize-controller neither decrypts the
    object nor refuses it as encrypted."""
    md = res.obj.get("metadata")
    annotations = md.get("annotations") if isinstance(md, dict) else None
    return isinstance(annotations, dict) and str(annotations.get(_DECRYPT_ANNOTATION, "")).lower() == "disabled"


def _unsubstituted(node: KustomizationNode, res: Resource) -> str | None:
    """Why the ``${VAR}`` in ``res`` reach the API server as written as ``node`` applies it, or None when postBuild
    substitutes it: kustomize-controller skips an object labelled or annotated
    ``kustomize.toolkit.fluxcd.io/substitute: disabled`` (fluxcd/pkg kustomize_varsub.go)."""
    if not node.flux_spec.post_build.enabled:
        return "the Kustomization applying it has no postBuild variables"
    from .substitute import SUBSTITUTE_KEY, substitution_disabled  # loaded by the substitution that ran

    return f"it is marked {SUBSTITUTE_KEY}: disabled" if substitution_disabled(res) else None


class Simulation:
    """One cluster's reconciliation, run breadth-first from the root Kustomization."""

    def __init__(self, repo: Repo, entry: Entry, source_dirs: SourceDirs | None = None,
                 foreign_roots: tuple[str, ...] = ()):
        self.checkout = repo  # the repository as a clone holds it: what the bootstrap applies by hand
        self.repo = repo.with_ignore(entry.source.ignore)  # the artifact the entry's source would build
        self.entry = entry
        self.source_dirs = source_dirs or SourceDirs()
        self.artifact_failures: dict[str, str] = {}  # ExternalArtifact namespace/name: why its generator fails
        # the entry's artifact, when it is not the repo root
        self.boot_dir = self.source_dirs.find(entry.source) or self._artifact_around_entry()
        # (source folder, spec.ignore) -> (its files, the prefix that makes their paths repo-relative)
        self.mounts: dict[tuple[Path, str | None], tuple[Repo, str]] = {}
        self.store = ObjectStore(self.repo, foreign_roots)
        self.scopes = ScopeIndex()
        root_id = f"{entry.root_namespace}/{entry.root_name}"
        self.cluster = Cluster(name=entry.cluster, entry_file=entry.file, entry_line=entry.line,
                               entry_kind=entry.kind, source=entry.source, root_id=root_id)
        self.depth: dict[str, int] = {root_id: 0}  # how many Kustomizations apply each one, from the root
        self.objects = 0  # objects applied so far
        self.stopped: dict[str, list[KustomizationNode]] = {}  # limit -> the nodes it stopped
        self.dropped: Resource | None = None  # the first Kustomization past the count limit
        self.dropped_count = 0
        self.applied_twice: set[str] = set()
        self.flags = ControllerFlags()  # what the controllers run with, as far as the repository says
        for controller in CONTROLLERS if entry.lockdown else ():
            self.flags.set(controller, {NO_CROSS_NAMESPACE_REFS: "true"}, f"set by {entry.lockdown}",
                           (entry.file, entry.line))
        for patch, line in entry.controller_patches:
            for controller, _, found in patch_flags([patch]):
                self.flags.set(controller, found, f"set by the patch at {entry.file}:{line}", (entry.file, line))

    def run(self) -> Cluster:
        e = self.entry
        spec, problems = (checked_kustomization(e.root_object) if e.root_object is not None
                          else checked_kustomization_spec(e.root_spec))
        root = _node(e.root_namespace, e.root_name, spec, parent=None, source=e.source, file=e.file, line=e.line)
        self.cluster.kustomizations[root.id] = root
        queue: deque[KustomizationNode] = deque([root])
        if problems:
            root.status, root.reason = "error", _rejected(problems)
            root.failure = Diagnostic(e.file, self._line(e.file, e.line, problems[0]), root.reason,
                                      code="FW-SCHEMA-REJECTED")
            self.cluster.warnings.append(root.failure._replace(message=f"Kustomization {root.id}: {root.reason}"))
            queue.clear()
        deferred: list[KustomizationNode] = []
        peers_added = False
        while queue or deferred or not peers_added:
            if not queue and not peers_added:  # what the root's tree does not apply, the bootstrap still did
                peers_added = True
                queue.extend(self._bootstrap_peers())
                continue
            if not queue:
                # nothing left that could still apply the variables they wait for: build with the repo fallback
                queue.extend(deferred)
                deferred.clear()
                for node in queue:
                    node.status = "pending-final"
            node = queue.popleft()
            if node.status == "pending" and self._waits_for_variables(node):
                node.status = "deferred"
                deferred.append(node)
                continue
            for child in self._reconcile(node):
                queue.append(child)
        self._requeue_dependency()
        self._report_limits()
        self._report_self_substitution()
        self._finish()
        self._report_substitution_elsewhere()
        for repo, prefix in self.mounts.values():  # links leading out of a source folder, unreadable files
            self.cluster.warnings += [d._replace(file=prefix + d.file) for d in repo.problems]
        return self.cluster

    def _bootstrap_peers(self) -> list[KustomizationNode]:
        """The Kustomizations the bootstrap applies by hand beside the root (flux/entry.py ``bootstrap_build``)
        that no Kustomization of the cluster applies: peers of the root, which exist from bootstrap on and are
        reconciled like it."""
        found = bootstrap_build(self.checkout, self.entry)
        if found is None:
            return []
        self.cluster.bootstrap, resources = found
        peers = []
        for res in resources:
            if not res.is_kind(FLUX_KUSTOMIZE_GROUP, "Kustomization") or \
                    f"{res.namespace or 'default'}/{res.name}" in self.cluster.kustomizations:
                continue
            peer, problems = _node_from_resource(res, None)
            peer.bootstrap_peer = True
            self.cluster.kustomizations[peer.id] = peer
            self.depth[peer.id] = 0
            if problems:
                self.cluster.warn(peer.file, self._line(peer.file, peer.line, problems[0]),
                                  f"Kustomization {peer.id}: {peer.reason}", code="FW-SCHEMA-REJECTED")
            else:
                peers.append(peer)
        return peers

    def _text(self, file: str) -> str | None:
        """The text of a file as pages name it (a source folder's under its prefix); None when unreadable."""
        repo, rel = self.repo, file
        for mounted, prefix in self.mounts.values():
            if prefix and file.startswith(prefix):
                repo, rel = mounted, file[len(prefix):]
        try:
            return repo.read_text(rel)
        except (OSError, InputError):
            return None

    def _line(self, file: str, line: int, problem: FieldProblem | tuple[str | int, ...]) -> int:
        """The line of the field a problem names, in the document starting at ``file:line``."""
        text = self._text(file)
        if text is None:
            return line
        return field_line(text, line, problem.path if isinstance(problem, FieldProblem) else problem)

    def _check_objects(self, node: KustomizationNode) -> None:
        """What the API server would refuse in the objects a Kustomization applies: Flux fails to apply them."""
        unplaced = [res for res in node.resources if not res.namespace and self.scopes.surely_namespaced(res)]
        generated = [res for res in unplaced if res.generated_by is not None]
        unplaced = [res for res in unplaced if res.generated_by is None]
        for by in dict.fromkeys(res.generated_by for res in generated):  # flux-operator applies these, not kustomize
            mine = [res for res in generated if res.generated_by == by]
            first, more = mine[0], len(mine) - 1
            others = f" (and {more} more object{'s' if more > 1 else ''} without one)" if more else ""
            self.cluster.warn(first.file, first.line,
                              f"{first.kind} {first.name}, generated by {by.kind} {by.ident()}, has no "
                              f"namespace{others}: flux-operator applies it as written (a Kustomization's "
                              f"targetNamespace does not reach it) and fails the {by.kind} (\"{first.kind}/"
                              f"{first.name} namespace not specified\"); set metadata.namespace in its template",
                              code="FW-NAMESPACE-MISSING")
        if unplaced:  # kustomize-controller gives them no namespace: its server-side apply refuses the first
            first, more = unplaced[0], len(unplaced) - 1
            others = f" (and {more} more object{'s' if more > 1 else ''} without one)" if more else ""
            partial = node.status == "partial"  # what flux-wiki did not build or simulate may give one
            foreign = node.parent is None and self.entry.kind in FOREIGN_ROOTS  # its targetNamespace is unknown
            unless = " unless what flux-wiki did not simulate there sets one" if partial else \
                " unless what applies this root, outside the repository, sets one" if foreign else ""
            self.cluster.warn(first.file, first.line,
                              f"{first.kind} {first.name} has no namespace{others} and Kustomization {node.id} sets "
                              f"no targetNamespace: kustomize-controller fails it (\"{first.kind}/{first.name} "
                              f"namespace not specified\"){unless}; set metadata.namespace, a kustomization "
                              f"namespace or spec.targetNamespace", code="FW-NAMESPACE-MISSING",
                              cls="limit" if partial or foreign else "repo")
        self._check_decryption(node)
        self._check_names(node)
        for res in node.resources:
            if res.group == KUSTOMIZE_CONFIG_GROUP:  # a kustomization file listed among its own resources
                self.cluster.warn(res.file, res.line,
                                  f"{res.kind} {res.ident()} ({res.obj.get('apiVersion')}) is kustomize's own "
                                  f"configuration, not an API object: no cluster serves that kind, so Kustomization "
                                  f"{node.id} fails to apply (\"no matches for kind {res.kind!r}\"); remove it from "
                                  "the resources that list it", code="FW-MANIFEST-INVALID")
                continue
            if res.is_kind(FLUX_KUSTOMIZE_GROUP, "Kustomization") or res.is_kind(FLUX_HELM_GROUP, "HelmRelease"):
                continue  # their specs are checked where they are read
            found = object_problems(res.obj, res.group, res.kind)
            if res.encrypted:  # kustomize-controller decrypts before it applies: ciphertext is no value to judge
                found = _judged(found, res.obj, is_ciphertext)
            kept = self._kept(node, res)
            if kept is None:  # a ${VAR} left is a Secret's or an unset one: no value known
                found = _judged(found, res.obj, holds_variable)
            else:
                found += unsubstituted_durations(res.obj, res.group, res.kind, kept)
                found += host_problems(res.obj, res.group, res.kind, kept)
            for problem in found[:_PROBLEMS_PER_OBJECT]:
                self._rejected(node, res, problem)

    def _kept(self, node: KustomizationNode, res: Resource) -> str | None:
        """Why the ``${VAR}`` in ``res`` reach the API server as written as ``node`` applies it
        (:func:`_unsubstituted`), or None when something may substitute them: postBuild, or, for a root flux-wiki
        wrote (guessed, or the ``entry`` option's), what applies it from outside the repository."""
        if node.parent is None and self.entry.kind in FOREIGN_ROOTS:
            return None
        return _unsubstituted(node, res)

    def _rejected(self, node: KustomizationNode, res: Resource, problem: FieldProblem, more: str = "") -> None:
        line = self._line(res.file, res.line, problem)
        substituted = _unsubstituted(node, res) is None and "${" in self._text_line(res.file, line)
        self.cluster.warn(res.file, line,
                          f"{res.kind} {res.ident()}: {problem}{more} ("
                          + ("after postBuild substitution; " if substituted else "")
                          + f"the API server rejects it; Kustomization {node.id} fails to apply)",
                          code="FW-SCHEMA-REJECTED")

    def _text_line(self, file: str, line: int) -> str:
        """Line ``line`` of ``file`` as written ("" when it cannot be read)."""
        lines = (self._text(file) or "").split("\n")
        return lines[line - 1] if 0 < line <= len(lines) else ""

    def _check_names(self, node: KustomizationNode) -> None:
        """Names and namespaces the API server refuses. A namespace is reported once, at its first object, or at
        spec.targetNamespace when that set it. Like any refused object, a Kustomization so named is still
        simulated: the pages show what the repository asks for, the warning that Flux fails it."""
        in_namespace: dict[str, list[Resource]] = {}
        for res in node.resources:
            kept = None if "${" not in res.name else self._kept(node, res)
            problem = name_problem(res.name, name_rule(res.group, res.kind), kept=kept)
            if problem is not None:
                self._rejected(node, res, problem)
            if res.namespace and self.scopes.surely_namespaced(res):
                in_namespace.setdefault(res.namespace, []).append(res)
        for namespace, objects in in_namespace.items():
            reasons = [] if "${" not in namespace else [self._kept(node, o) for o in objects]
            problem = name_problem(namespace, LABEL, "namespace",
                                   kept=reasons[0] if reasons and all(reasons) else None)
            if problem is None:
                continue
            count = f"{len(objects)} object{'s' if len(objects) > 1 else ''}"
            if namespace == node.flux_spec.overrides.target_namespace:
                line = self._line(node.file, node.line, ("spec", "targetNamespace"))
                self.cluster.warn(node.file, line, f"Kustomization {node.id}: spec.targetNamespace is not a "
                                  f"namespace name ({problem.expected}): the API server rejects the {count} it puts "
                                  "there, and the Kustomization fails to apply", code="FW-SCHEMA-REJECTED")
            else:
                more = len(objects) - 1
                self._rejected(node, objects[0], problem,
                               f" (and {more} more object{'s' if more > 1 else ''} in it)" if more else "")

    def _check_decryption(self, node: KustomizationNode) -> None:
        """A SOPS-encrypted Secret applied by a Kustomization without ``spec.decryption``: kustomize-controller
        decrypts only with a decryption provider set (``DecryptResource``), and refuses to apply a ``v1`` Secret
        that still has its ``sops`` metadata (``encrypted`` here) unless it is annotated
        ``kustomize.toolkit.fluxcd.io/decrypt: disabled`` (``IsEncryptedSecret``, before the server-side apply)."""
        if node.parent is None and self.entry.kind in _SYNTHESIZED_ROOTS:
            return  # flux-wiki wrote this root's spec: how the real one decrypts is not in the repository
        spec = node.spec
        for res in node.resources:  # a Kustomization that applies itself runs with the spec it applies
            if res.is_kind(FLUX_KUSTOMIZE_GROUP, "Kustomization") and (res.namespace, res.name) == (
                    node.namespace, node.name) and isinstance(res.obj.get("spec"), dict):
                spec = res.obj["spec"]
        decryption = spec.get("decryption")
        if isinstance(decryption, dict) and decryption.get("provider"):
            return
        encrypted = [res for res in node.resources
                     if res.kind == "Secret" and res.obj.get("apiVersion") == "v1" and res.encrypted
                     and not _decryption_disabled(res)]
        if encrypted:
            first, others = encrypted[0], _and_more(encrypted)
            self.cluster.warn(first.file, first.line,
                              f"Secret {first.ident()} is SOPS-encrypted{others} and Kustomization {node.id} has no "
                              f"spec.decryption: kustomize-controller fails it (\"Secret/{first.ident()} is SOPS "
                              "encrypted, configuring decryption is required for this secret to be reconciled\"); "
                              "set spec.decryption (provider: sops) on the Kustomization",
                              code="FW-SOPS-NO-DECRYPTION")
        whole = [res for res in node.resources if res.encrypted and res.kind == SOPS_ENCRYPTED_KIND]
        if whole:  # its apiVersion and kind are ciphertext: no API serves them
            first, others = whole[0], _and_more(whole)
            self.cluster.warn(first.file, first.line,
                              f"a document SOPS-encrypted whole, apiVersion and kind included{others}, and "
                              f"Kustomization {node.id} has no spec.decryption: kustomize-controller applies it "
                              "encrypted and the API server serves no such kind, so the Kustomization fails; set "
                              "spec.decryption (provider: sops) on the Kustomization", code="FW-SOPS-NO-DECRYPTION")

    # -- one Kustomization ----------------------------------------------
    def _waits_for_variables(self, node: KustomizationNode) -> bool:
        for ref in node.flux_spec.post_build.substitute_from:
            if ref is not None and ref.name:
                kind = ref.kind or "ConfigMap"
                if self.store.find_applied(kind, node.namespace, ref.name) is None and not (
                        kind == "Secret" and self.store.runtime_secret(node.namespace, ref.name)):
                    return True
        return False

    def _artifact_around_entry(self) -> SourceDir | None:
        """The folder an OCI or Bucket entry's artifact is pushed from, when no mapping or workflow names it and
        its root path is ``.`` or not a folder of the repository root: the folder below which the entry file
        sits in that path (:func:`artifact_prefix`), as the artifact holds the entry's own tree."""
        prefix, path = artifact_prefix(self.entry), root_path(self.entry)
        if prefix is None or (path != "." and self.repo.is_dir(path)) \
                or not self.repo.is_dir(posixpath.normpath(f"{prefix}/{path}")):
            return None
        source = self.entry.source
        where = "flux-system" if path == "." else path
        return SourceDir(source_key(source.kind, source.namespace, source.name), self.repo.root / prefix,
                         f"inferred from {self.entry.file}, which lies in {where} of that folder", self.entry.file,
                         self.entry.line, shown=prefix)

    def _source_of(self, node: KustomizationNode) -> tuple[SourceInfo | None, str | None, SourceDir | None]:
        """The node's source, why it cannot be built (None when it can) and the folder that holds its
        artifact (None: this repository as the entry's source sees it)."""
        ref = node.flux_spec.source_ref
        return self._source_folder(ref.kind, ref.namespace, ref.name)

    def _source_folder(self, kind: str, ns: str, name: str, *, generated: bool = True
                       ) -> tuple[SourceInfo | None, str | None, SourceDir | None]:
        """:meth:`_source_of` for a source reference; ``generated``: follow an ArtifactGenerator's artifact to
        the folder it copies (one level: a generator reading another's artifact is not followed)."""
        source, skip = self._find_source(kind, ns, name)
        if skip is None:  # the entry's source, or its repository and revision declared again
            return source, None, self.boot_dir
        if kind == "ExternalArtifact":
            generator = self._artifact_generator(ns, name) if generated else None
            if generator is not None and self.store.find_source(kind, ns, name) is None:
                return self._generated_folder(generator, source)
            return source, skip, None
        folder = self.source_dirs.find(source, anchor=self.entry.source.url)
        if folder is not None:
            return source, None, folder
        return source, skip + unmapped_hint(source), None

    def _generated_folder(self, generator: Resource, artifact: SourceInfo
                          ) -> tuple[SourceInfo, str | None, SourceDir | None]:
        """The folder an ArtifactGenerator copies ``artifact`` from, when it is a folder of a source flux-wiki
        reads (flux/artifact_generator.py); else why the artifact is not built (a limit), or the failure
        (status error) of a copy whose source path is not there."""
        from .artifact_generator import artifact_layout

        label = f"source {artifact.kind} {artifact.ident()} is assembled at run time by ArtifactGenerator " \
                f"{generator.ident()} ({generator.file}:{generator.line})"
        resolved: dict[tuple[str, str, str], tuple[SourceInfo | None, str | None, SourceDir | None]] = {}
        aliases = {s.get("alias"): s for s in generator.spec.get("sources") or [] if isinstance(s, dict)}

        def resolve(alias: str) -> tuple[SourceInfo | None, str | None, SourceDir | None]:
            ref = aliases.get(alias) or {}
            key = (str(ref.get("kind") or ""), str(ref.get("namespace") or generator.namespace),
                   str(ref.get("name") or ""))
            if key not in resolved:
                resolved[key] = self._source_folder(*key, generated=False)
            return resolved[key]

        def shown(folder: SourceDir | None, path: str) -> str:
            base = folder.shown if folder is not None else ""
            return "/".join(p for p in (base, path) if p) or "."

        def is_dir(alias: str, path: str) -> bool | None:
            _, skip, folder = resolve(alias)
            if skip is not None or (folder is not None and folder.root != self.repo.root
                                    and (folder.shown == ".." or folder.shown.startswith("../"))):
                return None
            found = self.repo.files.entry(shown(folder, path))
            return None if not found.usable else found.kind == "dir"

        layout = artifact_layout(generator.spec, artifact.name, generator.namespace, is_dir)
        if isinstance(layout, str):
            return artifact, f"{label}; its content is not built here ({layout})", None
        _, skip, base = resolve(layout.alias)
        if skip is not None:
            return artifact, f"{label}; its source {skip.removeprefix('source ')}", None
        base_root = base.root if base is not None else self.repo.root
        if base is not None and (base.shown == ".." or base.shown.startswith("../")):
            return artifact, f"{label} from a folder outside the repository ({base.shown})", None
        copies = []
        for copy in layout.copies:
            if is_dir(copy.alias, copy.source_path) is None:
                if copy.optional:
                    continue
                why = (f"{label}: its copy `{copy.expression}` finds nothing at {shown(base, copy.source_path)}, "
                       f"so source-watcher fails the artifact and the Kustomization never gets it")
                self.artifact_failures[artifact.ident()] = why
                return artifact, why, None
            copies.append(copy)
        layout = layout._replace(copies=tuple(copies))
        root = Path(base_root, layout.folder) if layout.folder else base_root
        folder = SourceDir(source_key(artifact.kind, artifact.namespace, artifact.name), root,
                           f"ArtifactGenerator {generator.ident()} copies it from {layout.kind} "
                           f"{layout.namespace}/{layout.name}",
                           generator.file, generator.line, shown(base, layout.folder))
        return artifact.replace(ignore=layout.ignore_rules()), None, folder

    def _find_source(self, kind: str, ns: str, name: str) -> tuple[SourceInfo | None, str | None]:
        boot = self.entry.source
        if (kind, ns, name) == (boot.kind, boot.namespace, boot.name):
            return boot, None
        found = self.store.find_source(kind, ns, name)
        label = f"{kind} {ns}/{name}"
        if kind == "ExternalArtifact" and found is None:
            generator = self._artifact_generator(ns, name)
            if generator is not None:
                return (SourceInfo(kind=kind, namespace=ns, name=name, file=generator.file, line=generator.line),
                        f"source {label} is assembled at run time by ArtifactGenerator {generator.ident()} "
                        f"({generator.file}:{generator.line}); its content is not built here")
        if found is None:
            return (SourceInfo(kind=kind, namespace=ns, name=name),
                    f"source {label} is not defined in this repository for this cluster")
        if kind == "ExternalArtifact":
            return found, f"source {label} is produced at run time (ArtifactGenerator); its content is not in this repository"
        if kind == "HelmChart":  # an ArtifactGenerator's source (source-watcher 2.7.x): a chart fetched at run time
            return found, f"source {label} is a chart source-controller fetches at run time; not built"
        if (kind == boot.kind and boot.url and normalized_url(found.url) == normalized_url(boot.url)
                and canonical_ref(kind, found.ref) == canonical_ref(kind, boot.ref)):
            return found, None
        revision = describe_ref(found)
        where = f" ({found.url}" + (f", {revision}" if revision else "") + ")" if found.url else ""
        return found, f"source {label}{where} is another repository or revision; not built"

    def _namesake_source(self, node: KustomizationNode) -> str | None:
        """``namespace/name`` of the source this cluster has under the kind and name ``node``'s sourceRef gives,
        in another namespace, when nothing provides one in the namespace the reference resolves to: the
        reference left out its namespace (it defaults to the Kustomization's), a failure rather than a source
        kept outside the repository. None otherwise (a mapped folder is a source found)."""
        ref = node.flux_spec.source_ref
        return self._namesake(ref.kind, ref.namespace, ref.name)

    def _namesake(self, kind: str, namespace: str, name: str) -> str | None:
        """``namespace/name`` of a source of this kind and name the cluster has in another namespace, when none is
        in ``namespace`` (nor a folder the ``sources`` option maps to it)."""
        if not name or self.store.find_source(kind, namespace, name) is not None:
            return None
        if self.source_dirs.find(SourceInfo(kind=kind, namespace=namespace, name=name)) is not None:
            return None
        boot = self.entry.source
        if (boot.kind, boot.name) == (kind, name) and boot.namespace != namespace:
            return f"{boot.namespace}/{boot.name}"
        others = sorted(ns for (k, ns, n) in self.store.applied if (k, n) == (kind, name) and ns != namespace)
        return f"{others[0]}/{name}" if others else None

    def _release_source(self, kind: str, namespace: str, name: str) -> SourceInfo | None:
        """The Flux source a HelmRelease's chart names: one the cluster applies, else the bootstrap's own (what a
        FluxInstance, ``flux bootstrap`` or its commands create, though no manifest of the repository declares it)."""
        found = self.store.find_source(kind, namespace, name)
        boot = self.entry.source
        if found is None and (kind, namespace, name) == (boot.kind, boot.namespace, boot.name):
            return boot
        return found

    def _release_source_hint(self, kind: str, namespace: str, name: str) -> str:
        """What a HelmRelease's missing source reference should say when the source is in another namespace."""
        namesake = self._namesake(kind, namespace, name)
        if namesake is None:
            return ""
        other = namesake.split("/")[0]
        if self.flags.blocks_cross_namespace("helm-controller"):
            return (f"; a {kind} '{name}' exists in namespace '{other}', but under the multi-tenancy lockdown a "
                    f"source in another namespace is refused: put one in '{namespace}'")
        return f"; a {kind} '{name}' exists in namespace '{other}': set sourceRef.namespace: {other}"

    def _generated_namesake(self, namespace: str, name: str) -> str:
        """What a missing valuesFrom ConfigMap's message should say when a configMapGenerator made it with a hash
        suffix: kustomize writes that name into a HelmRelease's valuesFrom only under a nameReference
        configuration (HelmRelease is no kind its built-in name references know)."""
        made = re.compile(re.escape(name) + r"-[a-z0-9]{10}")
        found = sorted(n for kind, ns, n in self.store.applied if (kind, ns) == ("ConfigMap", namespace)
                       and made.fullmatch(n))
        if not found:
            return ""
        return (f"; this cluster applies ConfigMap {namespace}/{found[0]}, a generated name with a hash suffix the "
                "HelmRelease does not follow: give the kustomization a nameReference configuration for HelmRelease "
                "spec/valuesFrom/name, or generatorOptions.disableNameSuffixHash: true")

    def _artifact_generator(self, namespace: str, artifact: str) -> Resource | None:
        """The ArtifactGenerator applied so far that declares an artifact of that name."""
        for (kind, ns, _), res in sorted(self.store.applied.items()):
            if kind == "ArtifactGenerator" and ns == namespace and res.group == "source.extensions.fluxcd.io":
                artifacts = res.spec.get("artifacts")
                if isinstance(artifacts, list) and any(isinstance(a, dict) and a.get("name") == artifact
                                                       for a in artifacts):
                    return res
        return None

    def _mount(self, folder: SourceDir | None, source: SourceInfo) -> tuple[Repo, str] | str:
        """The files of a source's folder and the prefix that makes their paths repo-relative on pages, or
        why the folder cannot be read. The folder is confined like the repository (load/confine.py)."""
        if folder is None:
            return self.repo, ""
        # once per source and folder, however many Kustomizations read it (each finds its own objects)
        if not any((s.kind, s.namespace, s.name, d.shown) == (source.kind, source.namespace, source.name, folder.shown)
                   for s, d in self.cluster.source_dirs):
            self.cluster.source_dirs.append((source, folder))
        inside = folder.shown != ".." and not folder.shown.startswith("../")
        found = self.repo.files.entry(folder.shown) if inside else None
        if (found.kind != "dir" if found else not folder.root.is_dir()):
            why = found.reason if found and found.reason else "is not a folder"
            return f"the folder {folder.shown or folder.root} given for it ({folder.origin}) {why}"
        if folder.root == self.repo.root:
            return self.repo.with_ignore(source.ignore), ""
        key = (folder.root, source.ignore)
        if key not in self.mounts:
            # its own parse cache: kept builds are keyed by root-relative paths, which another root shares
            files = self.repo.files.subfolder(folder.shown) if inside else None  # a revision's folder is in git
            self.mounts[key] = (Repo(folder.root, ParseCache(), source.ignore, files=files), f"{folder.shown}/")
        return self.mounts[key]

    def _included(self, node: KustomizationNode) -> str | None:
        """Why a path this repository does not hold is no failure: source-controller copies another
        GitRepository's artifact there (the source's ``spec.include``), whose content flux-wiki does not read."""
        found = included_in(_includes(node.source), posixpath.normpath(node.path or ".").strip("/"))
        if found is None:
            return None
        to, who = found
        return (f"its path {node.path} is in {to or 'the root'}, where {who}: that repository's content is "
                "not built here")

    def _artifact_hint(self, node: KustomizationNode, folder: SourceDir | None) -> str:
        """Where a path of an OCI artifact may be missing from: CI may push a sub-folder flux-wiki was not told."""
        source = node.source
        if folder is not None or source is None or source.kind != "OCIRepository":
            return ""
        return (f" (the artifact of OCIRepository {source.ident()} is read from the repository root; if CI pushes "
                f"a sub-folder, map it with the `sources:` option: `OCIRepository/{source.namespace}/{source.name}: "
                f"<folder>`)")

    def _artifact_unplaced(self, node: KustomizationNode, folder: SourceDir | None) -> bool:
        """The node reads the entry's OCI or Bucket artifact from the repository root only because nothing says
        which folder CI pushes: no mapping, workflow or entry place (:meth:`_artifact_around_entry`), and the
        root path is ``.`` or not a folder of the repository root. A path missing there, that some folder of
        the repository holds (``kubernetes/flux/cluster`` for ``flux/cluster``), is not known to be missing from
        the artifact; one that no folder holds is."""
        source, path = node.source, root_path(self.entry)
        if not (folder is None and source is not None and source.kind in ("OCIRepository", "Bucket")
                and (path == "." or not self.repo.is_dir(path))):
            return False
        wanted = f"/{posixpath.normpath(node.path or '.').strip('/')}/"
        return any(f"/{f}".find(wanted, 1) > 0 for f in self.repo.walk_yaml())  # below a folder, not the root

    def _reconcile(self, node: KustomizationNode) -> list[KustomizationNode]:
        refused = self._cross_namespace(node)
        if refused:
            node.status, node.reason = "error", refused
            node.failure = Diagnostic(node.file, self._line(node.file, node.line, ("spec", "sourceRef", "namespace")),
                                      refused, code="FW-KS-CROSS-NAMESPACE-REF")
            self.cluster.warnings.append(node.failure._replace(message=f"Kustomization {node.id}: {refused}"))
            return []
        ref = node.flux_spec.source_ref
        wrong = self.store.misgrouped_source(ref.kind, ref.namespace, ref.name) if ref.name else None
        if wrong is not None and (ref.kind, ref.namespace, ref.name) != (
                self.entry.source.kind, self.entry.source.namespace, self.entry.source.name):
            node.status, node.reason = "error", f"source {ref.kind} {ref.namespace}/{ref.name} not found: " \
                                                f"{wrong_source_message(wrong)} ({wrong.file}:{wrong.line})"
            node.failure = Diagnostic(wrong.file, self._line(wrong.file, wrong.line, ("apiVersion",)),
                                      wrong_source_message(wrong), code="FW-SOURCE-INVALID")
            self.cluster.warnings.append(node.failure._replace(message=f"{node.failure.message}, so Kustomization "
                                                                       f"{node.id} fails (source not found)"))
            return []
        node.source, skip, folder = self._source_of(node)
        namesake = self._namesake_source(node) if skip else None
        if namesake is not None:
            ref = node.flux_spec.source_ref
            raw = node.spec.get("sourceRef")
            why = ("where sourceRef points" if isinstance(raw, dict) and raw.get("namespace")
                   else "the Kustomization's own, where a sourceRef without a namespace looks")
            node.status, node.reason = "error", (
                f"source {ref.kind} {ref.namespace}/{ref.name} not found: nothing applies it in namespace "
                f"{ref.namespace}, {why}")
            advice = (f"set sourceRef.namespace: {namesake.split('/')[0]}"
                      if not self.flags.blocks_cross_namespace("kustomize-controller") else
                      f"under the multi-tenancy lockdown a source in another namespace is refused: put one in "
                      f"{ref.namespace}")
            node.failure = Diagnostic(node.file, node.line, node.reason, code="FW-KS-SOURCE-MISSING")
            self.cluster.warnings.append(node.failure._replace(
                message=f"Kustomization {node.id}: {node.reason}; {ref.kind} {namesake} is the one "
                                      f"this cluster has ({advice})"))
            return []
        failed = self.artifact_failures.get(node.source.ident()) \
            if skip and node.source is not None and node.source.kind == "ExternalArtifact" else None
        if failed:
            node.status, node.reason = "error", failed
            node.failure = Diagnostic(node.file, node.line, failed, code="FW-ARTIFACT-COPY-MISSING")
            self.cluster.warnings.append(node.failure._replace(message=f"Kustomization {node.id}: {failed}"))
            return []
        if skip:
            node.status, node.reason = "skipped", skip
            self.cluster.warn(node.file, node.line, f"Kustomization {node.id} (skipped): {skip}",
                              code="FW-KS-SOURCE-EXTERNAL", cls="limit")
            return []
        if node.path is not None and "${" in node.path and self._parent_substitutes(node):
            node.status, node.reason = "skipped", (
                f"its path {node.path} holds a variable flux-wiki does not know (a Secret's, or one no source sets, "
                "which Flux makes empty), so the folder Flux builds is unknown")
            self.cluster.warn(node.file, node.line, f"Kustomization {node.id} (skipped): {node.reason}",
                              code="FW-KS-PATH-VARIABLE", cls="limit")
            return []
        if node.path is None:
            node.path = "./"
        if self.objects >= MAX_OBJECTS:
            return self._over_objects(node, 0)
        mounted = self._mount(folder, node.source)
        if isinstance(mounted, str):
            node.status, node.reason = "error", f"source {node.source.kind} {node.source.ident()}: {mounted}"
            self.cluster.warnings.append(Diagnostic(node.file, node.line, f"Kustomization {node.id}: {node.reason}",
                                                    code="FW-SOURCE-DIR-MISSING"))
            return []
        repo, prefix = mounted
        try:
            built = _prefixed(build_reusing(repo, node.path or "./", node.flux_spec.overrides,
                                            _includes(node.source)), prefix)
        except InputError as err:
            included = self._included(node) if err.code == "FW-KS-PATH-MISSING" else None
            if included is not None:
                node.status, node.reason = "skipped", included
                self.cluster.warn(node.file, node.line, f"Kustomization {node.id} (skipped): {included}",
                                  code="FW-KS-SOURCE-EXTERNAL", cls="limit")
                return []
            if err.spec_field:  # what the Kustomization's own spec merged into the build
                at = (node.file, self._line(node.file, node.line, ("spec", *err.spec_field)))
                where = f"{at[0]}:{at[1]}: "
            elif repo.is_file(err.file):
                at = (f"{prefix}{err.file}", err.line)
                where = f"{at[0]}:{at[1]}: "
            else:
                at, where = (node.file, self._line(node.file, node.line, ("spec", "path"))), ""
            hint = self._artifact_hint(node, folder) if "not found" in err.message else ""
            if err.code == "FW-KS-PATH-MISSING" and self._artifact_unplaced(node, folder):
                source = node.source
                node.status, node.reason = "skipped", (
                    f"its path {node.path} is not a folder of the repository root, where the artifact of "
                    f"{source.kind} {source.ident()} is read for want of knowing which folder CI pushes; map it "
                    f"with the `sources:` option: `{source.kind}/{source.namespace}/{source.name}: <folder>`")
                self.cluster.warn(node.file, node.line, f"Kustomization {node.id} (skipped): {node.reason}",
                                  code="FW-KS-SOURCE-EXTERNAL", cls="limit")
                return []
            node.status, node.reason = "error", f"{where}{err.message}{hint}"
            if err.cls == "repo":
                node.failure = Diagnostic(*at, err.message, code=err.code)
            self.cluster.warn(node.file, node.line,
                              f"Kustomization {node.id} (path {node.path}) does not build: {where}{err.message}{hint}",
                              code=err.code, cls=err.cls)
            return []
        built = built.replace(resources=self._spec_patches_placed(node, built.resources))
        node.files = sorted(set(built.files))
        node.remote_resources = sorted(set(built.remote))
        if node.id == self.cluster.root_id:  # the root's own output may set the flags that judge its build
            root_flags(built.resources, node.files, self.entry.root_namespace,
                       lambda rel: self.repo.documents(rel, copy=False), self._line, self.flags)
        if self._remote_base_refused(node, built):
            return []
        node.helm_charts = built.helm_charts
        self.cluster.warnings.extend(built.diagnostics)
        resources = built.resources
        if node.flux_spec.post_build.enabled:
            substituted = self._substituted(node, resources)
            if substituted is None:
                return []
            resources = substituted
        # flux-operator renders the ResourceSets this Kustomization applied; what they generate is applied too
        # (resourceset.py and the template engine load only for a repository that has one)
        generated: list[Resource] = []
        if any(r.is_kind(FLUX_OPERATOR_GROUP, "ResourceSet") for r in resources):
            from .resourceset import expand_resourcesets

            generated, diags = expand_resourcesets(resources, self.store, self.repo)
            self.cluster.warnings.extend(diags)
        node.resources = resources + generated
        self.scopes.learn(node.resources)
        self.scopes.apply(node.resources)
        if self.objects + len(node.resources) > MAX_OBJECTS:
            return self._over_objects(node, len(node.resources))
        self.objects += len(node.resources)
        node.status, node.reason = ("partial", _partial_reason(node.remote_resources, built.limits)) if built.limits else ("built", None)
        checked = len(self.cluster.warnings)
        self._check_objects(node)
        node.failure = node.failure or _first_failure(self.cluster.warnings[checked:])
        for res in node.resources:
            self.store.add(res)
        if node.id == self.cluster.root_id:
            self._instance_lockdown(node)
        return self._children(node)

    def _remote_base_refused(self, node: KustomizationNode, built: BuildResult) -> bool:
        """Under ``--no-remote-bases=true`` kustomize-controller builds on a file system confined to the
        artifact, so a remote base kustomize clones fails the build (``kustomize build failed``): the
        Kustomization applies nothing. True (the node failed) when the build has one."""
        refused = self.flags.blocks_remote_bases()
        if refused is None or not built.remote_bases:
            return False
        url, file, line = built.remote_bases[0]
        more = len(built.remote_bases) - 1
        reason = (f"remote base '{url}' ({file}:{line})" + (f" and {more} more" if more else "") + " cannot be "
                  f"fetched: kustomize-controller runs with --no-remote-bases=true ({refused[0]}), so kustomize "
                  "build fails; vendor the base into the repository or apply it from a Flux source")
        node.status, node.reason = "error", reason
        node.failure = Diagnostic(file, line, reason, code="FW-KUSTOMIZE-REMOTE-REFUSED")
        self.cluster.warnings.append(node.failure._replace(message=f"Kustomization {node.id} (path {node.path}) "
                                                                   f"does not build: {reason}"))
        return True

    def _spec_patches_placed(self, node: KustomizationNode, resources: list[Resource]) -> list[Resource]:
        """The objects ``node`` built, each host field and HelmRelease values leaf a patch of its own
        ``spec.patches`` wrote pointing at that patch's line in ``node``'s file (a build is shared by Kustomizations
        of the same path and spec: each has its file)."""
        if not any(f.spec_patch is not None for r in resources
                   for f in (*(r.patched_hosts or {}).values(), *(r.values_at or {}).values())):
            return resources
        text = self._text(node.file)

        def placed(at: FieldAt) -> FieldAt:
            if at.spec_patch is None:
                return at
            key_line = self._line(node.file, node.line, ("spec", "patches", at.spec_patch, "patch"))
            return FieldAt(node.file, block_scalar_line(text, key_line, at.line) if text else key_line)

        return [r.replace(patched_hosts={path: placed(at) for path, at in r.patched_hosts.items()}
                          if r.patched_hosts else r.patched_hosts,
                          values_at={path: placed(at) for path, at in r.values_at.items()}
                          if r.values_at else r.values_at)
                if r.patched_hosts or r.values_at else r for r in resources]

    def _requeue_dependency(self) -> None:
        """kustomize-controller's ``--requeue-dependency``: from the root's output and the FluxInstance (read as the
        root is built), else from what a peer of the root applies (its controller Deployments, the patches of its
        kustomization files), else from the ``spec.patches`` of a Flux Kustomization that patches the controller's
        Deployment (home-lab templates install Flux with a Kustomization ``flux`` whose patches add
        ``--requeue-dependency=5s``): the root first, then the peers, then the others by id. Only the interval is
        read this late: the lockdown has decided what the walk built."""
        controller = "kustomize-controller"
        nodes = sorted(self.cluster.kustomizations.values(),
                       key=lambda k: (k.id != self.cluster.root_id, not k.bootstrap_peer, k.id))
        for node in nodes:
            if self.flags.has(controller, REQUEUE_DEPENDENCY):
                break
            found = ControllerFlags()
            if node.bootstrap_peer and node.status in BUILT_STATUSES:
                root_flags(node.resources, node.files, self.entry.root_namespace,
                           lambda rel: self.repo.documents(rel, copy=False), self._line, found)
            for name, index, flags in patch_flags(node.spec.get("patches")):
                if not found.has(name, REQUEUE_DEPENDENCY):
                    line = self._line(node.file, node.line, ("spec", "patches", index))
                    found.set(name, flags, f"set by the patch at {node.file}:{line}", (node.file, line))
            requeue = found.requeue_dependency()
            if requeue:
                self.flags.set(controller, {REQUEUE_DEPENDENCY: requeue[0]}, "", requeue[1])
        requeue = self.flags.requeue_dependency()
        self.cluster.requeue_dependency, self.cluster.requeue_dependency_at = requeue if requeue else (None, None)

    def _instance_lockdown(self, root: KustomizationNode) -> None:
        """A FluxInstance without a sync that the root applies with ``spec.cluster.multitenant: true``:
        flux-operator runs the controllers with ``--no-cross-namespace-refs=true``."""
        for res in root.resources:
            if (res.is_kind(FLUX_OPERATOR_GROUP, "FluxInstance") and res.namespace == self.entry.root_namespace
                    and not self.entry.lockdown):
                cluster = res.spec.get("cluster")
                if isinstance(cluster, dict) and cluster.get("multitenant") is True:
                    line = self._line(res.file, res.line, ("spec", "cluster", "multitenant"))
                    for controller in CONTROLLERS:
                        self.flags.set(controller, {NO_CROSS_NAMESPACE_REFS: "true"},
                                       f"set by spec.cluster.multitenant ({res.file}:{line})", (res.file, line))
                return

    def _cross_namespace(self, node: KustomizationNode) -> str | None:
        """Why kustomize-controller refuses the node's source (``getSource``: a sourceRef in another namespace
        under the lockdown), or None."""
        why = self.flags.blocks_cross_namespace("kustomize-controller")
        ref = node.flux_spec.source_ref
        if not why or node.id == self.cluster.root_id or ref.namespace == node.namespace:
            return None
        return (f"can't access '{ref.kind}/{ref.namespace}/{ref.name}', cross-namespace references have been blocked "
                f"(kustomize-controller runs with --no-cross-namespace-refs=true, {why}): it applies nothing; put the "
                f"source in namespace {node.namespace} or the Kustomization in {ref.namespace}")

    def _substituted(self, node: KustomizationNode, resources: list[Resource]) -> list[Resource] | None:
        """The objects ``node`` built, with its ``spec.postBuild`` variables substituted, and its variables noted
        on it; None when the Kustomization fails (its reason set). Only for a Kustomization that substitutes: a
        repository without one never loads substitute.py (the YAML round trip, envsubst)."""
        from .substitute import collect_variables, substitute_resources

        post = node.flux_spec.post_build

        def find_runtime(namespace: str, name: str) -> RuntimeSecret | None:
            """A Secret made at run time from what is applied so far, or from this Kustomization's own output."""
            return self.store.runtime_secret(namespace, name) or runtime_secret_in(resources, namespace, name)

        try:
            variables, diags = collect_variables(post, self.store.find, node.file, node.line,
                                                 namespace=node.namespace, find_runtime=find_runtime)
        except InputError as err:
            node.status, node.reason = "error", err.message
            node.failure = err.diagnostic() if err.cls == "repo" else None
            self.cluster.warnings.append(err.diagnostic())
            return None
        self.cluster.warnings.extend(diags)
        node.failure = _first_failure(diags)
        shared = self.repo.run_memo
        strict = post.strict or self.flags.strict_substitutions()
        result = substitute_resources(resources, variables, enabled=post.enabled, strict=strict,
                                      cache=self.repo.cache,
                                      seen=shared.setdefault("substitute seen", {}) if shared is not None else None)
        self.cluster.warnings.extend(result.diagnostics)
        node.failure = node.failure or _first_failure(result.diagnostics)
        node.unresolved_vars = sorted(set(result.unresolved))
        node.secret_vars = sorted(set(result.secret_vars))
        node.variables = _variables(variables, node.secret_vars)
        return result.resources

    def _over_objects(self, node: KustomizationNode, count: int) -> list[KustomizationNode]:
        self.objects = max(self.objects, MAX_OBJECTS)  # nothing more is built
        what = f"its {count:,} objects would take" if count else "it comes after"
        self._stop(node, "FW-LIMIT-OBJECTS",
                   f"not simulated: {what} the cluster past {MAX_OBJECTS:,} objects, flux-wiki's limit")
        return []

    def _stop(self, node: KustomizationNode, limit: str, reason: str) -> None:
        """Mark a node a limit (its problem code) stopped; each limit is one note, at the first node it stopped."""
        node.status, node.reason, node.resources = "error", reason, []
        self.stopped.setdefault(limit, []).append(node)

    def _parent_substitutes(self, node: KustomizationNode) -> bool:
        """Whether the Kustomization that applies ``node`` runs postBuild substitution on it
        (:func:`_unsubstituted`)."""
        parent = self.cluster.kustomizations.get(node.parent) if node.parent else None
        return parent is not None and parent.flux_spec.post_build.enabled and any(
            (res.file, res.line, res.name) == (node.file, node.line, node.name) and _unsubstituted(parent, res) is None
            for res in parent.resources if res.is_kind(FLUX_KUSTOMIZE_GROUP, "Kustomization"))

    def _children(self, node: KustomizationNode) -> list[KustomizationNode]:
        children = []
        depth = self.depth[node.id] + 1
        dropped = 0
        for res in node.resources:
            if not res.is_kind(FLUX_KUSTOMIZE_GROUP, "Kustomization"):
                continue
            existing = self.cluster.kustomizations.get(f"{res.namespace or 'default'}/{res.name}")
            if existing is not None:
                if existing.id != node.id and existing.parent != node.id and existing.id != self.cluster.root_id \
                        and not existing.bootstrap_peer and existing.id not in self.applied_twice:
                    self.applied_twice.add(existing.id)
                    nodes = self.cluster.kustomizations
                    there = landing_cluster(node.id, nodes)
                    if landing_cluster(existing.parent, nodes) == there:
                        self.cluster.warn(res.file, res.line, f"Kustomization {existing.id} is applied by both "
                                                              f"{existing.parent} and {node.id}", code="FW-KS-APPLIED-TWICE")
                    else:  # two spokes of a hub get the same Kustomization: one object on each cluster
                        self.cluster.warn(res.file, res.line,
                                          f"Kustomization {existing.id} is applied by {existing.parent} and, to "
                                          f"another cluster ({there or 'the one Flux runs in'}), by {node.id}: the "
                                          f"pages show the copy {existing.parent} applies", code="FW-KS-REMOTE-COPY",
                                          cls="limit")
                continue
            if len(self.cluster.kustomizations) >= MAX_KUSTOMIZATIONS:
                dropped += 1
                self.dropped = self.dropped or res
                continue
            spec, problems = self._shared_verdict("kustomization checks", res.obj,
                                                  lambda: checked_kustomization(res.obj))
            kept = self._kept(node, res)
            if kept is None:  # as for any object (_check_objects): a ${VAR} left is unknown
                problems = _judged(problems, res.obj, holds_variable)
            else:
                problems = [*problems, *unsubstituted_durations(res.obj, res.group, res.kind, kept)]
            child, problems = _node_from_resource(res, node.id, (dict(spec), list(problems)))
            self.cluster.kustomizations[child.id] = child
            self.depth[child.id] = depth
            self._note_dropped_fields(res, child)
            if child.status == "error":
                child.failure = Diagnostic(child.file, self._line(child.file, child.line, problems[0]),
                                           child.reason or "", code="FW-SCHEMA-REJECTED")
                self.cluster.warnings.append(child.failure._replace(
                    message=f"Kustomization {child.id}: {child.reason}"))
                if res.generated_by is None:  # a ResourceSet's refused object fails the ResourceSet instead
                    node.failure = node.failure or child.failure._replace(message=(
                        f"Kustomization {child.id}: {problems[0]} (the API server rejects it; Kustomization "
                        f"{node.id} fails to apply)"))
            elif depth > MAX_DISCOVERY_DEPTH:
                self._stop(child, "FW-LIMIT-DEPTH", (
                    f"not simulated: it is {depth} levels of Kustomizations below the root, beyond flux-wiki's "
                    f"limit of {MAX_DISCOVERY_DEPTH}; {node.id} applies it (a path that re-applies itself?)"))
            else:
                children.append(child)
        if dropped:
            dropped_reason = (f"applies {dropped:,} more Kustomizations beyond flux-wiki's limit of "
                              f"{MAX_KUSTOMIZATIONS:,} per cluster; they are not simulated")
            node.reason = f"{node.reason}; {dropped_reason}" if node.reason else dropped_reason
            self.dropped_count += dropped
        return children

    def _shared_verdict(self, what: str, obj: dict[str, Any], verdict: Callable[[], _V]) -> _V:
        """``verdict()`` about ``obj``, found once per run for an object the clusters share (a build another
        cluster reuses gives the very same objects, never changed in place: reuse.py). Kept by the object's id
        with the object itself, so the id stays its own; the caller must not change what it gets."""
        memo = self.repo.run_memo.setdefault(what, {}) if self.repo.run_memo is not None else None
        hit = memo.get(id(obj)) if memo is not None else None
        if hit is not None and hit[0] is obj:
            return hit[1]
        found = verdict()
        if memo is not None:
            memo[id(obj)] = (obj, found)
        return found

    def _note_dropped_fields(self, res: Resource, child: KustomizationNode) -> None:
        """A field a ``kustomize.toolkit.fluxcd.io/v1`` Kustomization does not have (``dependOn``, a
        ``sourceRef.dependsOn`` indented one level too deep): the API server prunes it from the object it stores,
        so it does nothing. Flux does not fail: a notice, which names what the author meant to set."""
        spec = res.obj.get("spec")
        if res.obj.get("apiVersion") != f"{FLUX_KUSTOMIZE_GROUP}/v1" or not isinstance(spec, dict):
            return
        unknown = self._shared_verdict("dropped kustomization fields", res.obj,
                                       lambda: unknown_fields(spec, FLUX_KUSTOMIZATION_SPEC, ("spec",)))
        for path in unknown[:_PROBLEMS_PER_OBJECT]:
            field = "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else p) for i, p in enumerate(path))
            self.cluster.warnings.append(Diagnostic(
                res.file, self._line(res.file, res.line, path),
                f"Kustomization {child.id}: {field} is not a field of a Flux Kustomization: the API server drops "
                "it, so it has no effect (a misspelt or misplaced field?)", severity="info", code="FW-FIELD-DROPPED",
                cls="limit"))

    def _report_limits(self) -> None:
        for code, nodes in self.stopped.items():
            first, more = nodes[0], len(nodes) - 1
            self.cluster.warn(first.file, first.line, f"Kustomization {first.id}: {first.reason}"
                              + (f" ({more:,} more Kustomizations stopped by the same limit)" if more else ""),
                              code=code, cls="limit")
        if self.dropped is not None:
            first = self.dropped
            self.cluster.warn(first.file, first.line,
                              f"{self.dropped_count:,} Kustomizations (the first: {first.ident()}) are beyond "
                              f"flux-wiki's limit of {MAX_KUSTOMIZATIONS:,} per cluster; they are not simulated",
                              code="FW-LIMIT-KUSTOMIZATIONS", cls="limit")

    # -- after the walk ----------------------------------------------------
    def _report_self_substitution(self) -> None:
        """A ``substituteFrom`` that only the Kustomization itself provides (a ConfigMap or Secret in its own output,
        or a Secret a controller makes from it): kustomize-controller loads the variables before it applies
        anything (fluxcd/pkg ``kustomize/kustomize_varsub.go``, ``loadVars``), so on a fresh cluster the object
        never exists when it is read and the Kustomization never reconciles."""
        providers: dict[tuple[str, str, str], set[str]] = {}
        for node in self.cluster.kustomizations.values():
            for res in node.resources:
                if res.kind in ("ConfigMap", "Secret") and res.group == "":
                    providers.setdefault((res.kind, res.namespace or "", res.name), set()).add(node.id)
                for made in runtime_secrets(res):
                    providers.setdefault(("Secret", made.namespace, made.name), set()).add(node.id)
        for node in sorted(self.cluster.kustomizations.values(), key=lambda k: k.id):
            for ref in node.flux_spec.post_build.substitute_from:
                if ref is None or ref.optional or ref.kind not in ("ConfigMap", "Secret"):
                    continue
                found = providers.get((ref.kind, node.namespace, ref.name), set()) | \
                    providers.get((ref.kind, ANY_NAMESPACE, ref.name), set())
                if found == {node.id} and node.id == self.cluster.root_id:
                    self.cluster.warn(node.file, node.line,
                                      f"substitute from '{ref.kind}/{ref.name}': only the root Kustomization "
                                      f"{node.id} itself creates it, and kustomize-controller reads substituteFrom "
                                      "before it applies anything: on a fresh cluster it reconciles only if the "
                                      "bootstrap creates it first, as home-lab templates do by hand",
                                      code="FW-SUBST-FROM-BOOTSTRAP", cls="limit")
                elif found == {node.id}:
                    self.cluster.warn(node.file, node.line,
                                      f"substitute from '{ref.kind}/{ref.name}': only Kustomization {node.id} itself "
                                      "creates it, and kustomize-controller reads substituteFrom before it applies "
                                      "anything: on a fresh cluster it never reconciles", code="FW-SUBST-FROM-SELF")

    def _report_substitution_elsewhere(self) -> None:
        """A non-optional ``substituteFrom`` that the repository fallback satisfied while the simulation ran, but
        that no Kustomization puts in the referring namespace: the document it found is applied elsewhere (a
        component one namespace includes), and kustomize-controller reads only the Kustomization's own namespace,
        so it fails. Checked once the store is settled, where the fallback no longer stands for applied documents."""
        reported = {(w.file, w.line) for w in self.cluster.warnings if w.code == "FW-SUBST-FROM-MISSING"}
        for node in sorted(self.cluster.kustomizations.values(), key=lambda k: k.id):
            if node.status not in BUILT_STATUSES or (node.file, node.line) in reported:
                continue
            for ref in node.flux_spec.post_build.substitute_from:
                if ref is None or ref.optional or ref.kind not in ("ConfigMap", "Secret") or not ref.name:
                    continue
                if self.store.find(ref.kind, node.namespace, ref.name) is None and not (
                        ref.kind == "Secret" and self.store.runtime_secret(node.namespace, ref.name)):
                    elsewhere = sorted({ns for kind, ns, name in self.store.applied
                                        if (kind, name) == (ref.kind, ref.name)})
                    self.cluster.warn(node.file, node.line,
                                      f"substitute from '{ref.kind}/{ref.name}': not found in namespace "
                                      f"'{node.namespace}' (Flux would fail to reconcile); it is applied in "
                                      f"{', '.join(repr(ns) for ns in elsewhere) or 'no namespace'} only, and "
                                      "kustomize-controller reads the Kustomization's own namespace",
                                      code="FW-SUBST-FROM-MISSING", ref_namespace=node.namespace)

    def _finish(self) -> None:
        cluster = self.cluster
        self.store.settled = True
        specs: dict[tuple[str, int], Any] = {}  # (file, line) of each HelmRelease -> its spec
        applied: list[tuple[Resource, HelmReleaseInfo]] = []
        for node in cluster.kustomizations.values():
            for res in node.resources:
                if res.is_kind(FLUX_HELM_GROUP, "HelmRelease"):
                    from .helm import helm_release_info  # loads with the first HelmRelease

                    info, diags = helm_release_info(res, self.store.find, self._release_source,
                                                    lambda path, r=res: self._line(r.file, r.line, path),
                                                    self._artifact_chart, self._release_source_hint,
                                                    substituted=self._kept(node, res) is None,
                                                    load=self.repo.cache.loaded_text,
                                                    values_hint=self._generated_namesake)
                    info.layer = node.id
                    specs[(res.file, res.line)] = res.obj.get("spec")
                    applied.append((res, info))
                    cluster.helm_releases.append(info)
                    cluster.warnings.extend(diags)
                    rejected = next((d for d in diags if d.code == "FW-SCHEMA-REJECTED"), None)
                    if rejected is not None and res.generated_by is None:  # the whole server-side apply fails
                        node.failure = node.failure or rejected._replace(
                            message=f"{rejected.message[:-1]}; Kustomization {node.id} fails to apply)")
                    self._check_release_source(res, info)
                    self._check_release_version(res, info, self._kept(node, res) is None)
                    self._check_release_chart(res, info)
        cluster.helm_releases.sort(key=lambda h: (h.layer, h.namespace, h.name))
        self._check_release_dependencies(specs)
        self._check_shared_releases(applied)
        self._check_release_cycles(specs)
        self._check_repository_types()
        cluster.controllers = self._controllers()
        self._check_api_versions()

    def _check_api_versions(self) -> None:
        """Flux objects in an API version the cluster's Flux no longer serves: the API server refuses them, and
        the Kustomization applying them fails. Certain when a Flux CRD the cluster applies does not serve it, when
        no Flux release ever had that version of the group, or when every version a FluxInstance admits is past the
        release that removed it; else a notice."""
        from .served import API_VERSIONS, REMOVED_IN, flux_crds, lowest_version

        nodes = [k for k in self.cluster.kustomizations.values() if not k.excluded]
        crds = flux_crds(res for node in nodes for res in node.resources)
        versions = self._flux_versions_asked(nodes)
        lows = [lowest_version(v[0]) for v in versions]
        # the oldest Flux the instance admits (None: one of them is no version range flux-wiki reads)
        lowest = min(lows) if lows and None not in lows else None  # type: ignore[type-var]
        asked = versions[lows.index(lowest)] if lowest is not None else versions[0] if versions else None
        noted: dict[tuple[str, str], list[Resource]] = {}
        for node in nodes:
            for res in node.resources:
                if "fluxcd." not in res.api_version:  # every group below is *.fluxcd.io or fluxcd.controlplane.io
                    continue
                version = res.api_version.rpartition("/")[2]
                served = crds.get((res.group, res.kind))
                # the whole server-side apply fails: the Kustomization's, or the ResourceSet's that generates it
                applier = (f"{res.generated_by.kind} {res.generated_by.ident()}" if res.generated_by
                           else f"Kustomization {node.id}")
                refused = (f"the API server refuses it and {applier} fails to apply; move it to a served version "
                           "(flux migrate)")
                if served is not None:
                    if version not in served.versions:
                        self._refuse_api_version(node, res, f"is not served by the {res.kind} CRD this cluster applies "
                                                 f"({served.file}:{served.line} serves "
                                                 f"{', '.join(sorted(served.versions)) or 'no version'}): {refused}")
                    continue
                known = API_VERSIONS.get(res.group)
                if known is not None and version not in known:
                    self._refuse_api_version(node, res, f"is no version of the {res.group} API any Flux release has "
                                             f"(it had {', '.join(known)}): the API server has no {res.kind} in it (no "
                                             f"matches for kind) and {applier} fails to apply; fix the apiVersion")
                    continue
                removed = REMOVED_IN.get((res.group, version))
                if removed is None:
                    continue
                if asked and lowest is not None and lowest >= (*removed, 0):
                    self._refuse_api_version(node, res, f"is not served since Flux v{removed[0]}.{removed[1]}, and the "
                                             f"Flux instance at {asked[1]}:{asked[2]} asks for Flux {asked[0]!r}: "
                                             f"{refused}")
                else:
                    noted.setdefault((res.api_version, f"{removed[0]}.{removed[1]}"), []).append(res)
        for (api_version, release), objects in noted.items():
            first, more = objects[0], len(objects) - 1
            why = (f"the Flux instance at {asked[1]}:{asked[2]} asks for Flux {asked[0]!r}, which admits older "
                   "releases" if asked else "flux-wiki does not know this cluster's Flux version (no Flux CRDs or "
                   "FluxInstance version in the repository)")
            self.cluster.warnings.append(Diagnostic(
                first.file, self._line(first.file, first.line, ("apiVersion",)),
                f"{first.kind} {first.ident()}" + (f" (and {more} more object{'s' if more > 1 else ''})" if more else "")
                + f" uses {api_version}, which Flux v{release} and later no longer serve: {why}; on such a Flux the "
                "API server refuses it (flux migrate moves it to a served version)",
                severity="info", code="FW-API-DEPRECATED", cls="limit"))

    def _refuse_api_version(self, node: KustomizationNode, res: Resource, why: str) -> None:
        """FW-API-REMOVED at ``res``'s apiVersion line; the server-side apply of ``node`` fails with it (of the
        ResourceSet instead, when one generates ``res``: it is not ``node``'s failure)."""
        self.cluster.warn(res.file, self._line(res.file, res.line, ("apiVersion",)),
                          f"{res.kind} {res.ident()}: {res.api_version} {why}", code="FW-API-REMOVED")
        if res.generated_by is None:
            node.failure = node.failure or self.cluster.warnings[-1]

    def _flux_versions_asked(self, nodes: list[KustomizationNode]) -> list[tuple[str, str, int]]:
        """The Flux versions (semver ranges) the cluster's Flux instance asks for, each with its file:line: a
        FluxInstance's ``spec.distribution.version`` (applied, or the entry's), the flux-instance chart's
        ``instance.distribution.version``."""
        found = []
        for res in (r for node in nodes for r in node.resources):
            if res.is_kind(FLUX_OPERATOR_GROUP, "FluxInstance"):
                distribution = res.spec.get("distribution")
                version = distribution.get("version") if isinstance(distribution, dict) else None
                if isinstance(version, str) and version:
                    found.append((version, res.file, self._line(res.file, res.line, ("spec", "distribution", "version"))))
        for info in self.cluster.helm_releases:
            if info.chart == "flux-instance":
                instance = info.values.get("instance")
                distribution = instance.get("distribution") if isinstance(instance, dict) else None
                version = distribution.get("version") if isinstance(distribution, dict) else None
                if isinstance(version, str) and version:
                    found.append((version, info.file, self._line(info.file, info.line, (
                        "spec", "values", "instance", "distribution", "version"))))
        found += [(c.distribution, c.file, c.line) for c in self.cluster.controllers if c.distribution]
        return list(dict.fromkeys(found))

    def _check_release_dependencies(self, specs: dict[tuple[str, int], Any]) -> None:
        """A HelmRelease's ``dependsOn`` on a HelmRelease this cluster never applies: helm-controller waits for it
        for ever, so the release is never installed (a limit while a Kustomization flux-wiki could not build may
        apply it: problems.settle_references)."""
        releases = {h.ident() for h in self.cluster.helm_releases}
        for h in self.cluster.helm_releases:
            for dep in h.depends_on:
                if dep in releases:
                    continue
                name = dep.rpartition("/")[2]
                namesakes = sorted(r for r in releases if r.rpartition("/")[2] == name)
                hint = f" (this cluster has {', '.join(namesakes)}: set dependsOn's namespace)" if namesakes else ""
                self.cluster.warn(h.file, self._depends_on_line(h.file, h.line, specs.get((h.file, h.line)), dep,
                                                                h.namespace),
                                  f"HelmRelease {h.ident()} depends on HelmRelease {dep}, which this "
                                  f"cluster never applies: it is never installed{hint}",
                                  code="FW-DEPENDSON-DANGLING", ref_namespace=dep.rpartition("/")[0])

    def _check_shared_releases(self, applied: list[tuple[Resource, HelmReleaseInfo]]) -> None:
        """Two HelmReleases, neither suspended, that install one Helm release (storage namespace and release name,
        :func:`helm_release_identity`) on one cluster: helm-controller finds the release the other installed, not in
        its own history, takes it for one it does not manage and upgrades it (internal/reconcile/state.go
        DetermineReleaseState, atomic_release.go ReleaseStatusUnmanaged), so the two upgrade it in turn. Reported at
        the second by ident, naming both."""
        nodes = self.cluster.kustomizations
        first: dict[tuple[str, str, str], HelmReleaseInfo] = {}
        for res, info in sorted(applied, key=lambda a: (a[1].namespace, a[1].name, a[1].file, a[1].line)):
            spec = res.spec
            name = helm_release_identity(info.name, info.namespace, spec)[0]
            storage = spec.get("storageNamespace") or info.namespace
            if spec.get("suspend") is True or not info.namespace or not isinstance(storage, str) \
                    or holds_variable(name) or holds_variable(storage):
                continue
            there = landing_cluster(info.layer, nodes)
            if info.kube_config is not None:
                there = remote_cluster(info.kube_config, info.namespace, there)
            other = first.setdefault((there, storage, name), info)
            if (other.namespace, other.name) == (info.namespace, info.name):
                continue  # itself, or one object two Kustomizations apply (applied_twice.py)
            self.cluster.warn(info.file, info.line,
                              f"HelmReleases {other.ident()} ({other.file}:{other.line}) and {info.ident()} "
                              f"({info.file}:{info.line}) both install Helm release {name} in namespace {storage} "
                              "(its storage): helm-controller takes a release its HelmRelease did not install for "
                              "one it does not manage and upgrades it, so each upgrades it with its own chart and "
                              "values in turn; give one another spec.releaseName or spec.storageNamespace",
                              code="FW-HELM-RELEASE-SHARED")

    def _check_release_cycles(self, specs: dict[tuple[str, int], Any]) -> None:
        """HelmReleases whose ``dependsOn`` goes round: helm-controller installs a release only once each
        dependency is Ready and looks for no cycle (checkDependencies), so none of them is ever installed. An entry
        with ``readyExpr`` is judged by its CEL expression, not by Ready: it closes no cycle here."""
        releases = {h.ident(): h for h in self.cluster.helm_releases}
        waits: dict[str, list[str]] = {}
        for ident, h in releases.items():
            spec = specs.get((h.file, h.line))
            waits[ident] = ready_dependencies(h.depends_on, spec.get("dependsOn") if isinstance(spec, dict) else None,
                                              h.namespace, releases)
        dropped: set[tuple[str, str]] = set()
        for _ in range(MAX_RELEASE_CYCLES):
            graph = {r: {d for d in deps if (r, d) not in dropped} for r, deps in waits.items()}
            try:
                TopologicalSorter(graph).prepare()
                return
            except CycleError as err:
                ring: list[str] = list(err.args[1])[::-1]  # each release then the one it depends on
            start = min(range(len(ring) - 1), key=lambda i: ring[i])
            ring = ring[start:-1] + ring[:start + 1]
            dropped.add((ring[0], ring[1]))
            first = releases[ring[0]]
            self.cluster.warn(first.file, self._depends_on_line(first.file, first.line, specs.get(
                                  (first.file, first.line)), ring[1], first.namespace),
                              "HelmRelease dependsOn cycle: " + "; ".join(
                                  f"{a} depends on {b}" for a, b in zip(ring, ring[1:], strict=False))
                              + "; none of them is ever installed", code="FW-DEPENDSON-CYCLE")

    def _check_repository_types(self) -> None:
        """A HelmRepository whose ``spec.type`` does not fit its URL, used by a HelmRelease: source-controller
        builds an ``oci`` one's charts only from an oci:// URL ("invalid OCI registry URL"), and downloads the
        index.yaml of a default one, which an OCI registry does not serve; either way the release never installs."""
        users: dict[tuple[str, str], list[str]] = {}
        for h in self.cluster.helm_releases:
            if h.source_kind == "HelmRepository" and h.source_name:
                users.setdefault((h.source_namespace or "", h.source_name), []).append(h.ident())
        for (ns, name), releases in sorted(users.items()):
            repo = self.store.find("HelmRepository", ns, name)
            url = repo.spec.get("url") if repo is not None else None
            if not isinstance(url, str) or "$" in url or url.startswith("oci://") == (repo.spec.get("type") == "oci"):
                continue
            more = f" (and {len(releases) - 1} more)" if len(releases) > 1 else ""
            why = ("has type oci but a URL without oci://: source-controller fails every chart from it "
                   "(\"invalid OCI registry URL\")") if repo.spec.get("type") == "oci" else \
                ("has an oci:// URL without type: oci: source-controller downloads the index.yaml of a Helm repository "
                 "from it, which an OCI registry does not serve")
            self.cluster.warn(repo.file, self._line(repo.file, repo.line, ("spec", "url")),
                              f"HelmRepository {repo.ident()} {why}, so HelmRelease {releases[0]}{more} is never "
                              "installed", code="FW-HELM-SOURCE-TYPE")

    def _depends_on_line(self, file: str, line: int, spec: Any, dep: str, namespace: str) -> int:
        """The line of the ``spec.dependsOn`` entry naming ``dep`` in the HelmRelease at ``file:line``."""
        text = self._text(file)
        deps = spec.get("dependsOn") if isinstance(spec, dict) else None
        if text is None or not isinstance(deps, list):
            return line
        i = dependency_index(deps, dep, namespace)
        return field_line(text, line, ("spec", "dependsOn") if i is None else ("spec", "dependsOn", i))

    def _artifact_chart(self, ns: str, name: str) -> ArtifactChart:
        """The chart of ExternalArtifact ``ns/name`` when an ArtifactGenerator copies it from a folder flux-wiki reads:
        its ``Chart.yaml`` at the artifact's root, or in its one folder (a chart packaged as Helm archives it)."""
        from .helm import ArtifactChart

        source, skip, folder = self._source_folder("ExternalArtifact", ns, name)
        failed = self.artifact_failures.get(f"{ns}/{name}")
        if failed:
            return ArtifactChart(failure=failed)
        if skip is not None or folder is None:
            return ArtifactChart(limit=skip or f"source ExternalArtifact {ns}/{name} is made at run time")
        mounted = self._mount(folder, source)
        if isinstance(mounted, str):
            return ArtifactChart(limit=f"source ExternalArtifact {ns}/{name}: {mounted}")
        files, prefix = mounted

        def chart_file(rel: str) -> bool:
            return files.is_file(rel) and not files.ignored(rel)

        candidates = ["Chart.yaml"] if chart_file("Chart.yaml") else [
            f"{child}/Chart.yaml" for child, is_dir in files.listdir(".")
            if is_dir and not files.ignored(child, True) and chart_file(f"{child}/Chart.yaml")]
        where = f"source ExternalArtifact {ns}/{name} ({folder.origin}, {folder.shown or '.'})"
        if len(candidates) != 1:
            return ArtifactChart(limit=f"{where} holds no Chart.yaml at its root or in a single folder")
        try:
            docs = files.documents(candidates[0], copy=False)
        except InputError as err:
            return ArtifactChart(limit=f"{where}: {err.message}")
        meta = docs[0].data if len(docs) == 1 and isinstance(docs[0].data, dict) else {}
        chart, version = meta.get("name"), meta.get("version")
        if not isinstance(chart, str) or not chart:
            return ArtifactChart(limit=f"{where}: {prefix}{candidates[0]} has no chart name")
        return ArtifactChart(chart, str(version) if isinstance(version, (str, int, float)) else None)

    def _check_release_source(self, res: Resource, info: HelmReleaseInfo) -> None:
        """helm-controller under the lockdown refuses a chart source in another namespace than the release's."""
        why = self.flags.blocks_cross_namespace("helm-controller")
        if not why or not info.source_namespace or info.source_namespace == info.namespace:
            return
        at = ("spec", "chartRef", "namespace") if "chartRef" in res.spec else \
            ("spec", "chart", "spec", "sourceRef", "namespace")
        self.cluster.warn(res.file, self._line(res.file, res.line, at),
                          f"HelmRelease {info.ident()}: can't access '{info.source_kind}/{info.source_namespace}/"
                          f"{info.source_name}', cross-namespace references have been blocked (helm-controller runs "
                          f"with --no-cross-namespace-refs=true, {why}): the release is never installed",
                          code="FW-HELM-CROSS-NAMESPACE-REF")

    def _check_release_chart(self, res: Resource, info: HelmReleaseInfo) -> None:
        """A chart from a GitRepository or Bucket is a path in the source's artifact (a folder with Chart.yaml, or a
        packaged chart): source-controller fails the HelmChart when it is not there, and the release never installs.
        Known only when flux-wiki reads that source (this repository, or a folder the ``sources`` option maps)."""
        at: tuple[str | int, ...] = ("spec", "chart", "spec", "chart")
        kind, ns, name, chart = info.source_kind, info.source_namespace, info.source_name, info.chart
        if kind == "HelmChart":  # chartRef: the HelmChart's own chart and source
            helm_chart = self.store.find("HelmChart", ns or "", name or "")
            ref = helm_chart.spec.get("sourceRef") if helm_chart is not None else None
            if not isinstance(ref, dict):
                return
            res, at = helm_chart, ("spec", "chart")
            kind, ns, name = str(ref.get("kind") or ""), str(ref.get("namespace") or helm_chart.namespace), \
                str(ref.get("name") or "")
        if kind not in ("GitRepository", "Bucket") or not name or not isinstance(chart, str) or not chart.strip():
            return
        source, skip, folder = self._source_folder(kind, ns or "", name)
        if source is None or skip is not None:
            return
        mounted = self._mount(folder, source)
        if isinstance(mounted, str):
            return
        files, prefix = mounted
        rel = posixpath.normpath("/" + chart.strip()).lstrip("/") or "."  # securejoin: `..` stops at the root
        found = files.entry(rel)
        if found.usable and not files.ignored(rel, found.kind == "dir") and (
                found.kind == "file" or files.is_file(posixpath.join(rel, "Chart.yaml"))
                and not files.ignored(posixpath.join(rel, "Chart.yaml"))):
            self._check_values_files(res, info, at[:-1], files, prefix, f"{kind} {ns}/{name}")
            if found.kind == "dir":
                info.version = _packaged_version(files, posixpath.join(rel, "Chart.yaml"), _value_at(res.obj, at[:-1]))
            return
        what = "holds no Chart.yaml" if found.usable and found.kind == "dir" else "is not there"
        self.cluster.warn(res.file, self._line(res.file, res.line, at),
                          f"HelmRelease {info.ident()}: chart path '{chart}' of {kind} {ns}/{name} "
                          f"({prefix}{rel}) {what}: source-controller fails the chart and the release never "
                          "installs", code="FW-HELM-CHART-MISSING")

    def _check_values_files(self, res: Resource, info: HelmReleaseInfo, at: tuple[str | int, ...], files: Repo,
                            prefix: str, source: str) -> None:
        """``valuesFiles`` of a chart from a source flux-wiki reads: source-controller joins each to the artifact's
        root (securejoin) and fails the chart on one that is not a file ("no values file found at path", chart
        builder mergeFileValues), unless ``ignoreMissingValuesFiles``."""
        spec = _value_at(res.obj, at)
        if not isinstance(spec, dict) or spec.get("ignoreMissingValuesFiles") is True:
            return
        listed = spec.get("valuesFiles")
        for i, path in enumerate(listed if isinstance(listed, list) else []):
            if not isinstance(path, str) or not path.strip():
                continue
            rel = posixpath.normpath("/" + path.strip()).lstrip("/") or "."
            if files.is_file(rel) and not files.ignored(rel):
                continue
            self.cluster.warn(res.file, self._line(res.file, res.line, (*at, "valuesFiles", i)),
                              f"HelmRelease {info.ident()}: values file '{path}' of {source} ({prefix}{rel}) is not "
                              "there: source-controller fails the chart (no values file found at path) and the "
                              "release never installs; fix the path or set ignoreMissingValuesFiles: true",
                              code="FW-HELM-CHART-MISSING")

    def _check_release_version(self, res: Resource, info: HelmReleaseInfo, substituted: bool) -> None:
        """source-controller parses a HelmRepository chart's version as a semver range (Masterminds/semver): one
        it refuses (``latest``) means the chart is never fetched. GitRepository and Bucket charts ignore it. A
        version still holding a variable after substitution (``substituted``: one whose value flux-wiki did not
        read, its name says it is a secret, ``${external_secrets_version}``) is not known here."""
        if info.source_kind != "HelmRepository" or not info.version:
            return
        if substituted and holds_variable(info.version):
            return
        from .helm import version_range_error  # loaded with the first HelmRelease already

        why = version_range_error(info.version)
        if why is None:
            return
        self.cluster.warn(res.file, self._line(res.file, res.line, ("spec", "chart", "spec", "version")),
                          f"HelmRelease {info.ident()}: chart version {info.version!r} is not a semver range "
                          f"source-controller can parse ({why}): the chart is never fetched and the release never "
                          f"installs; use a version or a range such as '*' or '>=1.0.0'", code="FW-HELM-VERSION-INVALID")

    def _controllers(self) -> list[Controller]:
        found: dict[str, Controller] = {}
        root = self.cluster.kustomizations[self.cluster.root_id]
        for res in root.resources:
            if res.kind == "Deployment" and res.group == "apps" and res.namespace == self.entry.root_namespace:
                labels = res.metadata.get("labels")
                part_of = labels.get("app.kubernetes.io/part-of") if isinstance(labels, dict) else None
                if part_of == "flux" or res.name in _FLUX_CONTROLLERS:
                    found[res.name] = Controller(res.name, _first_image(res), res.file, res.line)
        for controller in self.entry.controllers:
            found.setdefault(controller.name, controller)
        for controller in self._instance_controllers(root):
            found.setdefault(controller.name, controller)
        return sorted(found.values(), key=lambda c: (_FLUX_CONTROLLERS.index(c.name)
                                                     if c.name in _FLUX_CONTROLLERS else 99, c.name))


    def _instance_controllers(self, root: KustomizationNode) -> list[Controller]:
        """The controllers of a FluxInstance the root applies in its namespace: flux-operator without a sync,
        whose root is a GitRepository and Kustomization applied by hand."""
        for res in root.resources:
            if res.is_kind(FLUX_OPERATOR_GROUP, "FluxInstance") and res.namespace == self.entry.root_namespace:
                from .instance import FluxInstanceSpec, controllers  # loads with the first FluxInstance

                instance = FluxInstanceSpec.parse(res.spec)
                at = ("spec", "components" if instance.components else "distribution")
                return controllers(instance, instance.registry, res.file, self._line(res.file, res.line, at))
        return []

def _variables(variables: dict[str, Variable], kept: list[str]) -> list[SubstitutionVar]:
    """A Kustomization's postBuild variables by name; those only a run-time Secret's controller knows are
    listed as the objects use them."""
    from .substitute import RUNTIME_KEYS

    out = {v.name: _variable(v.name, v.origin, v.secret) for v in variables.values() if v.name != RUNTIME_KEYS}
    unknown = variables.get(RUNTIME_KEYS)
    if unknown is not None:
        out.update((name, _variable(name, unknown.origin, True)) for name in kept if name not in out)
    return [out[name] for name in sorted(out)]  # by name: the keys


# SubstitutionVar is frozen, so Kustomizations listing the same variable of the same origin share one (a
# cluster's settings are listed by each Kustomization substituting from them)
_variable = functools.lru_cache(maxsize=8192)(SubstitutionVar)


def _first_image(deployment: Resource) -> str | None:
    """The image of a Deployment's first container (a field of the wrong shape, reported by the schema check,
    counts as unset)."""
    template = deployment.spec.get("template")
    pod = template.get("spec") if isinstance(template, dict) else None
    containers = pod.get("containers") if isinstance(pod, dict) else None
    first = containers[0] if isinstance(containers, list) and containers else None
    return first.get("image") if isinstance(first, dict) else None


def _packaged_version(files: Repo, chart_yaml: str, chart_spec: Any) -> str | None:
    """The version source-controller packages a chart folder of a GitRepository or Bucket with: its Chart.yaml's
    (``spec.version`` is ignored), with the source's revision as build metadata under ``reconcileStrategy:
    Revision``, which flux-wiki does not know (``<revision>``). None when Chart.yaml has no version."""
    try:
        docs = files.documents(chart_yaml, copy=False)
    except InputError:
        return None
    meta = docs[0].data if len(docs) == 1 and isinstance(docs[0].data, dict) else {}
    version = meta.get("version")
    if not isinstance(version, str) or not version:
        return None
    revision = isinstance(chart_spec, dict) and chart_spec.get("reconcileStrategy") == "Revision"
    return f"{version.partition('+')[0]}+<revision>" if revision else version


def _value_at(obj: Any, path: tuple[str | int, ...]) -> Any:
    """The value at ``path`` in an object (None when the path leads nowhere)."""
    return value_at(obj, path)[1]


def _judged(found: list[FieldProblem], obj: Any, unknown: Callable[[Any], bool]) -> list[FieldProblem]:
    """``found`` without the problems at a value flux-wiki does not know (``unknown(value)``: ciphertext
    kustomize-controller decrypts, a ``${VAR}`` postBuild left), which the API server would judge another way."""
    return [p for p in found if not unknown(_value_at(obj, p.path))]


_K = TypeVar("_K")
_V = TypeVar("_V")


def _prefixed_at(at: dict[_K, FieldAt] | None, prefix: str) -> dict[_K, FieldAt] | None:
    return {key: f._replace(file=prefix + f.file) if f.file else f for key, f in at.items()} if at else at


def _prefixed(built: BuildResult, prefix: str) -> BuildResult:
    """A build of a source folder with its paths as pages show them (relative to the repository root)."""
    if not prefix:
        return built
    return built.replace(resources=[r.replace(file=prefix + r.file,
                                              depends_on_at=_prefixed_at(r.depends_on_at, prefix),
                                              patched_hosts=_prefixed_at(r.patched_hosts, prefix),
                                              values_at=_prefixed_at(r.values_at, prefix))
                                    for r in built.resources],
                  files=[prefix + f for f in built.files],
                  diagnostics=[d._replace(file=prefix + d.file) for d in built.diagnostics])


def simulate(repo: Repo, entry: Entry, source_dirs: SourceDirs | None = None,
             foreign_roots: tuple[str, ...] = ()) -> Cluster:
    """Run Flux's reconciliation for one entry point and return the cluster it produces; ``source_dirs``
    holds the folders of sources outside the repository (the ``sources:`` option, CI pushes), ``foreign_roots``
    the root folders of the repository's other clusters (:func:`foreign_roots`)."""
    return Simulation(repo, entry, source_dirs, foreign_roots).run()


def root_folder(entry: Entry) -> str:
    """The repo-relative folder an entry's root Kustomization syncs ("" for the repository root)."""
    path = entry.root_spec.get("path") if isinstance(entry.root_spec, dict) else None
    folder = posixpath.normpath(path.strip().lstrip("/")) if isinstance(path, str) and path.strip() else "."
    return "" if folder == "." or folder.startswith("..") else folder


def foreign_roots(entry: Entry, entries: list[Entry]) -> tuple[str, ...]:
    """The root folders of the other entries that neither hold nor sit inside ``entry``'s: documents there are
    another cluster's (a GitRepository ``clusters/staging`` applies is no source ``clusters/dev`` has)."""
    mine = root_folder(entry)
    out = []
    for other in entries:
        theirs = root_folder(other)
        if other is entry or not theirs or not mine or theirs == mine:
            continue
        if theirs.startswith(mine + "/") or mine.startswith(theirs + "/"):
            continue
        out.append(theirs)
    return tuple(sorted(set(out)))


__all__ = ["simulate", "Simulation", "ObjectStore", "FLUX_SOURCE_GROUP"]


MAX_PARTIAL_REASONS = 3


def _includes(source: SourceInfo | None) -> Includes:
    """The folders a GitRepository's ``spec.include`` fills with other GitRepositories' artifacts, each with which
    GitRepository includes which, and where."""
    if source is None:
        return ()
    return tuple((to, f"GitRepository {source.ident()} includes GitRepository {source.namespace}/{name} "
                      f"({source.file}:{source.line})") for to, name in source.includes)


def _partial_reason(remote: list[str], limits: list[Diagnostic]) -> str:
    """Why a built Kustomization may apply more (or other) than flux-wiki shows: its build's limits, the remote
    content it names first (each URL once)."""
    urls = ", ".join(remote[:MAX_PARTIAL_REASONS]) + (f" and {len(remote) - MAX_PARTIAL_REASONS} more"
                                                       if len(remote) > MAX_PARTIAL_REASONS else "")
    parts = [f"remote content not fetched: {urls}"] if remote else []
    parts += list(dict.fromkeys(d.message for d in limits if d.code != "FW-KUSTOMIZE-REMOTE"))
    more = len(parts) - MAX_PARTIAL_REASONS
    return ("part of what it applies is out of flux-wiki's reach: " + "; ".join(parts[:MAX_PARTIAL_REASONS])
            + (f"; and {more} more" if more > 0 else ""))
