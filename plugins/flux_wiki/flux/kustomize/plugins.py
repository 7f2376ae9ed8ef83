"""The plugin configs of ``transformers:``, ``generators:`` and ``validators:``, sorted as kustomize sorts them.

kustomize-controller builds with kustomize's built-in plugins only (fluxcd/pkg kustomize.Build:
``PluginConfig: DisabledPluginConfig()``, which also leaves Helm off), and so does ``kubectl kustomize``.
A config whose ``apiVersion`` is exactly ``builtin`` names a built-in by its kind; anything else (an exec
or Go plugin, a KRM function) fails the build with "external plugins disabled", and so does a built-in
kustomize v5.5 does not have. The built-ins flux-wiki simulates are listed in :data:`SIMULATED`; the other
ones are a noted limit (:data:`NOT_SIMULATED`): kustomize runs them and flux-wiki does not know their output.
"""

from __future__ import annotations

from typing import Any

from ..schema import BOOL, INT, STR, mapping, problems, seq
from .fieldspec import FieldSpec, spec_of

GENERATORS = frozenset({"ConfigMapGenerator", "SecretGenerator", "IAMPolicyGenerator", "HelmChartInflationGenerator"})
TRANSFORMERS = frozenset({
    "AnnotationsTransformer", "HashTransformer", "ImageTagTransformer", "LabelTransformer", "NamespaceTransformer",
    "PatchJson6902Transformer", "PatchStrategicMergeTransformer", "PatchTransformer", "PrefixSuffixTransformer",
    "PrefixTransformer", "SuffixTransformer", "ReplacementTransformer", "ReplicaCountTransformer",
    "ValueAddTransformer"})
SIMULATED = frozenset({
    "ConfigMapGenerator", "SecretGenerator", "AnnotationsTransformer", "ImageTagTransformer", "LabelTransformer",
    "NamespaceTransformer", "PatchJson6902Transformer", "PatchStrategicMergeTransformer", "PatchTransformer",
    "PrefixSuffixTransformer", "PrefixTransformer", "SuffixTransformer", "ReplacementTransformer",
    "ReplicaCountTransformer"})
NOT_SIMULATED = (GENERATORS | TRANSFORMERS) - SIMULATED - {"HelmChartInflationGenerator"}
BUILTIN_API_VERSION = "builtin"

_FIELD_SPECS = seq({"group": STR, "version": STR, "kind": STR, "path": STR, "create": BOOL})
_STRINGS = mapping(STR)
_SELECTOR = {k: STR for k in ("group", "version", "kind", "name", "namespace", "labelSelector", "annotationSelector")}
_GENERATOR = {"name": STR, "namespace": STR, "behavior": STR, "files": seq(STR), "literals": seq(STR),
              "envs": seq(STR), "env": STR, "type": STR,
              "options": {"labels": _STRINGS, "annotations": _STRINGS, "disableNameSuffixHash": BOOL,
                          "immutable": BOOL}}
_NO_FIELDS: dict[str, Any] = {}  # the shape of a built-in no table here describes
SHAPES: dict[str, dict[str, Any]] = {
    "ConfigMapGenerator": _GENERATOR,
    "SecretGenerator": _GENERATOR,
    "AnnotationsTransformer": {"annotations": _STRINGS, "fieldSpecs": _FIELD_SPECS},
    "LabelTransformer": {"labels": _STRINGS, "fieldSpecs": _FIELD_SPECS},
    "NamespaceTransformer": {"fieldSpecs": _FIELD_SPECS, "unsetOnly": BOOL, "setRoleBindingSubjects": STR},
    "ImageTagTransformer": {"imageTag": {"name": STR, "newName": STR, "newTag": STR, "digest": STR},
                            "fieldSpecs": _FIELD_SPECS},
    "PatchTransformer": {"path": STR, "patch": STR, "target": _SELECTOR, "options": mapping(BOOL)},
    "PatchStrategicMergeTransformer": {"paths": seq(STR), "patches": STR},
    "PatchJson6902Transformer": {"target": _SELECTOR, "path": STR, "jsonOp": STR},
    "PrefixSuffixTransformer": {"prefix": STR, "suffix": STR, "fieldSpecs": _FIELD_SPECS},
    "PrefixTransformer": {"prefix": STR, "fieldSpecs": _FIELD_SPECS},
    "SuffixTransformer": {"suffix": STR, "fieldSpecs": _FIELD_SPECS},
    "ReplacementTransformer": {"replacements": seq(mapping())},
    "ReplicaCountTransformer": {"replica": {"name": STR, "count": INT}, "fieldSpecs": _FIELD_SPECS},
}
ROLE_BINDING_SUBJECTS = ("defaultOnly", "none", "allServiceAccounts")


class PluginError(ValueError):
    """A plugin config kustomize (and kustomize-controller) refuses; ``code`` names the reason."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


def plugin_kind(obj: dict[str, Any], role: str) -> str:
    """The built-in a config names, checked as kustomize's plugin loader checks it for ``role``
    ("transformer", "generator" or "validator"); raises :class:`PluginError` when the build would fail."""
    kind = str(obj.get("kind") or "")
    if obj.get("apiVersion") != BUILTIN_API_VERSION:
        raise PluginError(f"external plugins disabled; unable to load external plugin '{kind}' (kustomize-controller "
                          "and kubectl run kustomize's built-in plugins only)", "FW-KUSTOMIZE-INVALID")
    if kind not in GENERATORS | TRANSFORMERS:
        raise PluginError(f"unable to load builtin {kind}: kustomize v5.5 has no such built-in plugin",
                          "FW-KUSTOMIZE-INVALID")
    if kind == "HelmChartInflationGenerator":
        raise PluginError(f"plugin {kind}: must specify --enable-helm (kustomize-controller never enables Helm in "
                          "kustomize; use a HelmRelease)", "FW-KUSTOMIZE-HELM")
    if (role == "generator") != (kind in GENERATORS):
        raise PluginError(f"plugin {kind} not a {'generator' if role == 'generator' else 'transformer'}",
                          "FW-KUSTOMIZE-INVALID")
    bad = problems(obj, SHAPES.get(kind, _NO_FIELDS))
    if bad:
        raise PluginError(f"plugin {kind} fails configuration: {bad[0]}", "FW-KUSTOMIZE-INVALID")
    return kind


def field_specs(obj: dict[str, Any], *, required: bool = False) -> list[FieldSpec]:
    """A config's ``fieldSpecs`` (the prefix and suffix transformers refuse a config without them)."""
    specs = obj.get("fieldSpecs")
    if specs is None and required:
        raise PluginError(f"plugin {obj.get('kind')} fails configuration: fieldSpecs is not expected to be nil",
                          "FW-KUSTOMIZE-INVALID")
    return [spec_of(s) for s in specs or [] if isinstance(s, dict)]


def generator_entry(obj: dict[str, Any]) -> dict[str, Any]:
    """A ConfigMapGenerator/SecretGenerator config as a ``configMapGenerator`` entry (the name and namespace
    may come from its metadata)."""
    md = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    entry = {k: v for k, v in obj.items() if k not in ("apiVersion", "kind", "metadata")}
    entry["name"] = entry.get("name") or md.get("name")
    entry["namespace"] = entry.get("namespace") or md.get("namespace")
    return entry
