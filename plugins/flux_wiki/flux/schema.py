"""The shape the Kustomization CRD's schema enforces: an object that breaks it is never applied.

The API server rejects such an object, so the simulation reports it as an error on the node instead
of building it; the rest of the engine can then rely on the types.
"""

from __future__ import annotations

from typing import Any

_STRING_FIELDS = ("path", "targetNamespace", "namePrefix", "nameSuffix", "interval", "timeout", "retryInterval",
                  "serviceAccountName")
_BOOL_FIELDS = ("wait", "prune", "force", "suspend")
_LIST_OF_MAPS = ("dependsOn", "patches", "images", "healthChecks")


def checked_kustomization_spec(spec: Any) -> tuple[dict[str, Any], list[str]]:
    """The fields of a Flux Kustomization's ``spec`` the CRD schema accepts, and what it would refuse."""
    if not isinstance(spec, dict):
        return {}, ["spec: expected a mapping"]
    problems = _problems(spec)
    bad = {p.split(":", 1)[0].removeprefix("spec.").split(".", 1)[0].split("[", 1)[0] for p in problems}
    return {k: v for k, v in spec.items() if k not in bad}, problems


def _problems(spec: dict[str, Any]) -> list[str]:
    problems = []
    for f in _STRING_FIELDS:
        if f in spec and spec[f] is not None and not isinstance(spec[f], str):
            problems.append(f"spec.{f}: expected a string")
    for f in _BOOL_FIELDS:
        if f in spec and spec[f] is not None and not isinstance(spec[f], bool):
            problems.append(f"spec.{f}: expected true or false")
    for f in _LIST_OF_MAPS:
        if f in spec and spec[f] is not None and not (isinstance(spec[f], list)
                                                       and all(isinstance(i, dict) for i in spec[f])):
            problems.append(f"spec.{f}: expected a list of mappings")
    for d in spec.get("dependsOn") or [] if isinstance(spec.get("dependsOn"), list) else []:
        if isinstance(d, dict) and not isinstance(d.get("name"), str):
            problems.append("spec.dependsOn[].name: expected a string")
    if "components" in spec and spec["components"] is not None and not (
            isinstance(spec["components"], list) and all(isinstance(c, str) for c in spec["components"])):
        problems.append("spec.components: expected a list of strings")
    ref = spec.get("sourceRef")
    if ref is not None and not (isinstance(ref, dict) and isinstance(ref.get("name"), str)
                                and isinstance(ref.get("kind", ""), str) and isinstance(ref.get("namespace", ""), str)):
        problems.append("spec.sourceRef: expected a mapping with kind and name")
    post = spec.get("postBuild")
    if post is not None:
        if not isinstance(post, dict):
            problems.append("spec.postBuild: expected a mapping")
        else:
            if post.get("substitute") is not None and not isinstance(post["substitute"], dict):
                problems.append("spec.postBuild.substitute: expected a mapping")
            refs = post.get("substituteFrom")
            if refs is not None and not (isinstance(refs, list) and all(isinstance(r, dict) for r in refs)):
                problems.append("spec.postBuild.substituteFrom: expected a list of mappings")
    meta = spec.get("commonMetadata")
    if meta is not None and not (isinstance(meta, dict) and all(isinstance(meta.get(k) or {}, dict)
                                                                for k in ("labels", "annotations"))):
        problems.append("spec.commonMetadata: expected labels and annotations mappings")
    return problems
