"""The command-line flags Flux's controllers run with, as far as the repository says.

Four flags change what the simulation and the order analysis must say:

* ``--no-cross-namespace-refs`` (kustomize-controller, helm-controller): the multi-tenancy lockdown; a
  source in another namespace than the Kustomization's (``getSource``) or the HelmRelease's is refused.
* ``--requeue-dependency`` (kustomize-controller, default 30s): how often a Kustomization whose
  dependsOn are not Ready is checked again.
* ``--no-remote-bases`` (kustomize-controller, default false): the build runs on a file system confined to the
  source artifact (``generator.SecureBuild(workDir, dirPath, !r.NoRemoteBases)``, fluxcd/pkg/kustomize), so a
  remote base kustomize clones fails the build (kustomize-controller#638).
* ``--feature-gates=StrictPostBuildSubstitutions=true`` (kustomize-controller): a ``${VAR}`` without a default
  that postBuild does not give fails the Kustomization instead of becoming an empty string.

Where they are set: the args of the controller Deployments the root Kustomization applies
(gotk-components.yaml and the bootstrap's patches on it); the patches of the root's kustomization files when
the repository keeps bootstrap's comment-only gotk-components.yaml (the official examples do); a FluxInstance's
``spec.kustomize.patches``, and its ``spec.cluster.multitenant`` (flux-operator then runs the controllers
with ``--no-cross-namespace-refs=true``). The requeue interval also from what a peer of the root builds and from
the ``spec.patches`` of a Flux Kustomization that patches the controllers (flux/simulate.py
``_requeue_dependency``). Only flags written literally are read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from ..model import InputError, Resource, slots_repr
from .goregexp import GoRegexpError, compile_go

CONTROLLERS = ("kustomize-controller", "helm-controller")
KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
NO_CROSS_NAMESPACE_REFS = "no-cross-namespace-refs"
REQUEUE_DEPENDENCY = "requeue-dependency"
NO_REMOTE_BASES = "no-remote-bases"
FEATURE_GATES = "feature-gates"

_FLAG = re.compile(r"--(no-cross-namespace-refs|requeue-dependency|no-remote-bases)(?:=([^\s\"',\]\}]+))?"
                   r"|--(feature-gates)=(\w+=\w+(?:,\w+=\w+)*)")
_BOOL = {"1": True, "t": True, "T": True, "true": True, "TRUE": True, "True": True,
         "0": False, "f": False, "F": False, "false": False, "FALSE": False, "False": False}  # Go's strconv.ParseBool

Flags = dict[str, str]  # flag name -> its last value as written ("" for a bare boolean flag)


class ControllerFlags:
    """What the repository says of the controllers' flags: per controller, each flag's value and where it is set."""

    __slots__ = ("values",)

    def __init__(self, values: dict[str, dict[str, tuple[str, str, tuple[str, int]]]] | None = None) -> None:
        # controller -> flag -> (value, where in words, the file and line that set it)
        self.values = {} if values is None else values

    __repr__ = slots_repr

    def set(self, controller: str, flags: Flags, where: str, at: tuple[str, int]) -> None:
        for name, value in flags.items():
            known = self.values.setdefault(controller, {})
            if name == FEATURE_GATES and name in known:  # each --feature-gates adds to the gates (pflag map value)
                value = f"{known[name][0]},{value}"
            known[name] = (value, where, at)

    def has(self, controller: str, flag: str) -> bool:
        return flag in self.values.get(controller, {})

    def blocks_cross_namespace(self, controller: str) -> str | None:
        """Where ``controller`` gets ``--no-cross-namespace-refs=true``, or None when it does not."""
        value, where, _ = self.values.get(controller, {}).get(NO_CROSS_NAMESPACE_REFS, ("", "", ("", 0)))
        return where if where and _BOOL.get(value or "true") else None

    def blocks_remote_bases(self) -> tuple[str, tuple[str, int]] | None:
        """Where kustomize-controller gets ``--no-remote-bases=true`` (in words, and the file and line), or None."""
        value, where, at = self.values.get("kustomize-controller", {}).get(NO_REMOTE_BASES, ("", "", ("", 0)))
        return (where, at) if where and _BOOL.get(value or "true") else None

    def strict_substitutions(self) -> bool:
        """Whether kustomize-controller runs with the StrictPostBuildSubstitutions feature gate on (the last
        mention of a gate wins, as the gate flag parses them)."""
        value, _, _ = self.values.get("kustomize-controller", {}).get(FEATURE_GATES, ("", "", ("", 0)))
        gates = dict(gate.split("=", 1) for gate in value.split(",") if "=" in gate)
        return _BOOL.get(gates.get("StrictPostBuildSubstitutions", ""), False)

    def requeue_dependency(self) -> tuple[str, tuple[str, int]] | None:
        """kustomize-controller's ``--requeue-dependency`` as written, and the file and line that set it; None
        when unset."""
        value, _, at = self.values.get("kustomize-controller", {}).get(REQUEUE_DEPENDENCY, ("", "", ("", 0)))
        return (value, at) if value else None


def args_flags(args: Iterable[Any]) -> Flags:
    """The flags a container's ``args`` give (the last one of a name wins, as pflag reads them)."""
    out: Flags = {}
    for arg in args:
        m = _FLAG.fullmatch(arg) if isinstance(arg, str) else None
        if m:
            _add(out, m)
    return out


def _add(flags: Flags, m: re.Match[str]) -> None:
    """Record the flag ``m`` matched: the last value of a flag wins, except that gates add up."""
    if m.group(3):
        flags[FEATURE_GATES] = ",".join(g for g in (flags.get(FEATURE_GATES), m.group(4)) if g)
    else:
        flags[m.group(1)] = m.group(2) or ""


def deployment_flags(deployment: Resource) -> Flags:
    """The flags of a controller Deployment's containers."""
    template = deployment.spec.get("template")
    pod = template.get("spec") if isinstance(template, dict) else None
    containers = pod.get("containers") if isinstance(pod, dict) else None
    out: Flags = {}
    for container in containers if isinstance(containers, list) else []:
        args = container.get("args") if isinstance(container, dict) else None
        out.update(args_flags(args if isinstance(args, list) else []))
    return out


def patch_flags(patches: Any) -> list[tuple[str, int, Flags]]:
    """(controller, index of the patch, flags) for each controller a kustomization's (or a FluxInstance's)
    ``patches`` give flags: a patch whose text sets them, targeting Deployments by a name pattern that
    matches the controller (kustomize anchors it; no name targets them all)."""
    out = []
    for index, patch in enumerate(patches if isinstance(patches, list) else []):
        text = patch.get("patch") if isinstance(patch, dict) else None
        target = patch.get("target") if isinstance(patch, dict) else None
        if not isinstance(text, str) or not isinstance(target, dict) or target.get("kind") not in (None, "Deployment"):
            continue
        flags: Flags = {}
        for m in _FLAG.finditer(text):
            _add(flags, m)
        if not flags:
            continue
        name = target.get("name")
        for controller in CONTROLLERS:
            try:  # a target name is a Go regular expression, anchored (kustomize's Selector)
                matches = name is None or (isinstance(name, str) and compile_go(name).fullmatch(controller) is not None)
            except GoRegexpError:
                matches = False
            if matches:
                out.append((controller, index, flags))
    return out


def root_flags(resources: list[Resource], files: list[str], namespace: str,
               documents: Callable[[str], list[Any]], line_of: Callable[[str, int, tuple[str | int, ...]], int],
               flags: ControllerFlags) -> None:
    """Add to ``flags`` what the root Kustomization's output says: its controller Deployments' args, else (a
    placeholder gotk-components.yaml) the patches of its kustomization files. ``documents(file)`` parses a
    file (raising for one it cannot read); ``line_of(file, line, path)`` finds a field's line."""
    seen = set()
    for res in resources:
        if res.kind == "Deployment" and res.group == "apps" and res.name in CONTROLLERS and res.namespace == namespace:
            seen.add(res.name)
            flags.set(res.name, deployment_flags(res), f"set in Deployment {res.ident()} ({res.file}:{res.line})",
                      (res.file, res.line))
    if len(seen) == len(CONTROLLERS):
        return
    for rel in files:
        if rel.rsplit("/", 1)[-1] not in KUSTOMIZATION_FILES:
            continue
        try:
            docs = documents(rel)
        except InputError:  # a file the build read: its problems are reported there
            continue
        for doc in docs:
            patches = doc.data.get("patches") if isinstance(doc.data, dict) else None
            for controller, index, found in patch_flags(patches):
                if controller not in seen:
                    line = line_of(rel, doc.line, ("patches", index))
                    flags.set(controller, found, f"set by the patch at {rel}:{line}", (rel, line))
