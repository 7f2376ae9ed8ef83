"""Which versions of the Flux APIs a cluster serves: the Flux CRDs the repository applies say so, else the Flux
version a FluxInstance asks for, against the Flux releases that removed the alpha and beta APIs from the CRDs; and
which versions each Flux API group ever had."""

from __future__ import annotations

import re
from collections import namedtuple
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..model import Resource

# Every version each Flux API group ever had, oldest first. A version outside it is no API any Flux serves: the API
# server finds no kind for it ("no matches for kind"). The toolkit groups went v1alpha1 (helm v2alpha1; image also
# v1alpha2) -> beta -> GA (notification v1beta3 for Alert/Provider, Flux v2.2: notification-controller#540; image v1,
# Flux v2.7); flux-operator started at fluxcd.controlplane.io/v1alpha1 (its api/v1alpha1) before v1.
API_VERSIONS: dict[str, tuple[str, ...]] = {
    "source.toolkit.fluxcd.io": ("v1alpha1", "v1beta1", "v1beta2", "v1"),
    "kustomize.toolkit.fluxcd.io": ("v1alpha1", "v1beta1", "v1beta2", "v1"),
    "helm.toolkit.fluxcd.io": ("v2alpha1", "v2beta1", "v2beta2", "v2"),
    "notification.toolkit.fluxcd.io": ("v1alpha1", "v1beta1", "v1beta2", "v1beta3", "v1"),
    "image.toolkit.fluxcd.io": ("v1alpha1", "v1alpha2", "v1beta1", "v1beta2", "v1"),
    "fluxcd.controlplane.io": ("v1alpha1", "v1"),
}

# (group, version) -> the Flux release whose CRDs no longer serve it. The alpha versions were gone before Flux v2.0
# (promotion to beta removed them: notification-controller#54, helm-controller#99; image ones in v0.37, flux2#3362);
# Flux v2.7 (fluxcd.io/blog/2025/09/flux-v2.7.0, flux2#5474); Flux v2.8 (flux2#5711: source-controller#1983,
# kustomize-controller#1584, helm-controller#1404); Flux v2.9 (flux2#5942: notification-controller#1327,
# image-reflector-controller#896, its v1.2.0 changelog: "The image.toolkit.fluxcd.io/v1beta2 APIs were removed").
REMOVED_IN: dict[tuple[str, str], tuple[int, int]] = {
    ("source.toolkit.fluxcd.io", "v1alpha1"): (2, 0),
    ("kustomize.toolkit.fluxcd.io", "v1alpha1"): (2, 0),
    ("helm.toolkit.fluxcd.io", "v2alpha1"): (2, 0),
    ("notification.toolkit.fluxcd.io", "v1alpha1"): (2, 0),
    ("image.toolkit.fluxcd.io", "v1alpha1"): (2, 0),
    ("image.toolkit.fluxcd.io", "v1alpha2"): (2, 0),
    ("source.toolkit.fluxcd.io", "v1beta1"): (2, 7),
    ("kustomize.toolkit.fluxcd.io", "v1beta1"): (2, 7),
    ("helm.toolkit.fluxcd.io", "v2beta1"): (2, 7),
    ("image.toolkit.fluxcd.io", "v1beta1"): (2, 7),
    ("notification.toolkit.fluxcd.io", "v1beta1"): (2, 7),
    ("source.toolkit.fluxcd.io", "v1beta2"): (2, 8),
    ("kustomize.toolkit.fluxcd.io", "v1beta2"): (2, 8),
    ("helm.toolkit.fluxcd.io", "v2beta2"): (2, 8),
    ("notification.toolkit.fluxcd.io", "v1beta2"): (2, 9),
    ("image.toolkit.fluxcd.io", "v1beta2"): (2, 9),
}

Version = tuple[int, int, int]

_CV = r"v?(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?"
# patterns as strings: `re` compiles them with the first FluxInstance version range (a millisecond at import)
_TERM = rf"(=|!=|>=|=>|<=|=<|>|<|~>|~|\^)?\s*{_CV}"
_HYPHEN = rf"({_CV})\s+-\s+({_CV})"


class ServedVersions(namedtuple("ServedVersions", "versions file line")):
    """The versions of one Flux kind the repository's CRD serves."""

    __slots__ = ()

    versions: frozenset[str]
    file: str
    line: int


def lowest_version(constraint: str) -> Version | None:
    """The lowest version a Masterminds/semver constraint (as flux-operator reads ``distribution.version``)
    admits, or None when it is not one. Upper bounds and exclusions admit everything from 0.0.0."""
    from .helm import version_range_error

    if not constraint.strip() or version_range_error(constraint) is not None:
        return None
    rewritten = re.sub(_HYPHEN, lambda m: f">={m.group(1)}", constraint)
    lows = []
    for part in rewritten.split("||"):
        low: Version = (0, 0, 0)
        for m in re.finditer(_TERM, part):
            op = m.group(1) or "="
            if op.startswith("<") or op.endswith("<") or op == "!=":
                continue
            numbers = [int(n) if n and n.isdigit() else 0 for n in m.group(2, 3, 4)]
            low = max(low, (numbers[0], numbers[1], numbers[2]))
        lows.append(low)
    return min(lows)


def flux_crds(objects: Iterable[Resource]) -> dict[tuple[str, str], ServedVersions]:
    """(group, kind) -> the versions served, for each Flux CRD among ``objects`` (the first one applied wins)."""
    out: dict[tuple[str, str], ServedVersions] = {}
    for res in objects:
        if not res.is_kind("apiextensions.k8s.io", "CustomResourceDefinition"):
            continue
        spec = res.spec
        group, names, versions = spec.get("group"), spec.get("names"), spec.get("versions")
        kind = names.get("kind") if isinstance(names, dict) else None
        if not (isinstance(group, str) and group.endswith(".fluxcd.io") and isinstance(kind, str)
                and isinstance(versions, list)):
            continue
        served = frozenset(str(v.get("name")) for v in versions if isinstance(v, dict) and v.get("served") is True)
        out.setdefault((group, kind), ServedVersions(served, res.file, res.line))
    return out
