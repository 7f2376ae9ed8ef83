"""Flux source objects (source.toolkit.fluxcd.io) as :class:`SourceInfo`."""

from __future__ import annotations

import posixpath
from typing import Any

from ..model import FLUX_SOURCE_GROUP, InputError, Resource, SourceInfo

SOURCE_KINDS = ("GitRepository", "OCIRepository", "HelmRepository", "Bucket", "HelmChart", "ExternalArtifact")

# the fields of spec.ref that select a revision, per kind, in Flux's order of precedence
_REF_FIELDS = {
    "GitRepository": ("commit", "name", "semver", "tag", "branch"),
    "OCIRepository": ("digest", "semver", "semverFilter", "tag"),
}


def is_source(res: Resource) -> bool:
    return res.group == FLUX_SOURCE_GROUP and res.kind in SOURCE_KINDS


def _str(value: Any) -> str | None:
    return str(value) if isinstance(value, (str, int, float)) and not isinstance(value, bool) else None


def _bucket_url(spec: dict[str, Any]) -> str | None:
    endpoint, bucket = _str(spec.get("endpoint")), _str(spec.get("bucketName"))
    if not endpoint:
        return None
    if "://" not in endpoint:
        endpoint = ("http://" if spec.get("insecure") is True else "https://") + endpoint
    return f"{endpoint.rstrip('/')}/{bucket}" if bucket else endpoint


def misgrouped(res: Resource) -> bool:
    """Not a Flux source although it may be named as one: a kind Flux's source API does not have, or another
    API group (``wrong.group/v1``)."""
    return res.kind not in SOURCE_KINDS or bool(res.group and res.group != FLUX_SOURCE_GROUP)


def wrong_source_message(res: Resource) -> str:
    """Why an object named as a Flux source is not found as one, for a problem at its line."""
    return (f"{res.kind or 'object'} {res.ident()} has apiVersion {res.api_version or '(none)'}, not "
            f"{FLUX_SOURCE_GROUP}/v1: the Flux controllers never find it as a source")


def source_info(res: Resource) -> SourceInfo:
    """URL and revision selector of a Flux source object.

    ``ref`` holds the fields of ``spec.ref`` that are set (branch/tag/semver/
    commit/name/digest); a HelmRepository records ``type: oci`` there, a
    HelmChart its ``chart``/``version`` and an ExternalArtifact its ``sourceRef``.
    Raises :class:`InputError` for an object that is not a Flux source.
    """
    if misgrouped(res):
        raise InputError(res.file, res.line, f"{res.kind or 'object'} {res.ident()} is not a Flux source",
                         code="FW-SOURCE-INVALID")
    spec = res.spec
    ref: dict[str, Any] = {}
    url: str | None = None
    if res.kind in ("GitRepository", "OCIRepository"):
        url = _str(spec.get("url"))
        raw = spec.get("ref")
        if isinstance(raw, dict):
            ref = {k: _str(raw[k]) for k in _REF_FIELDS[res.kind] if _str(raw.get(k))}
    elif res.kind == "HelmRepository":
        url = _str(spec.get("url"))
        if spec.get("type") == "oci" or (url or "").startswith("oci://"):
            ref = {"type": "oci"}
    elif res.kind == "Bucket":
        url = _bucket_url(spec)
    elif res.kind == "HelmChart":
        ref = {k: _str(spec[k]) for k in ("chart", "version") if _str(spec.get(k))}
        if isinstance(spec.get("sourceRef"), dict):
            ref["sourceRef"] = dict(spec["sourceRef"])
    elif isinstance(spec.get("sourceRef"), dict):  # ExternalArtifact
        ref = {"sourceRef": dict(spec["sourceRef"])}
    ignore = spec.get("ignore") if res.kind in ("GitRepository", "OCIRepository") else None
    return SourceInfo(kind=res.kind, namespace=res.namespace, name=res.name, url=url, ref=ref,
                      file=res.file, line=res.line, ignore=ignore if isinstance(ignore, str) else None,
                      includes=git_includes(res.kind, spec))


def git_includes(kind: str, spec: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """Where a GitRepository's ``spec.include`` entries copy other GitRepositories' artifacts into its own:
    (``toPath``, normalized, which defaults to the included repository's name; that name)."""
    entries = spec.get("include") if kind == "GitRepository" else None
    out = []
    for entry in entries if isinstance(entries, list) else []:
        repository = entry.get("repository") if isinstance(entry, dict) else None
        name = _str(repository.get("name")) if isinstance(repository, dict) else None
        if name:
            to = posixpath.normpath(_str(entry.get("toPath")) or name).strip("/")
            out.append((to if to != "." else "", name))
    return tuple(out)


def describe_ref(info: SourceInfo) -> str | None:
    """A short human form of a source's revision selector, e.g. ``branch main`` or ``semver >=1.0``: the field
    source-controller pulls by when several are set (a commit or digest first, then a Git name, semver, tag)."""
    for key in ("commit", "digest", "name", "semver", "tag", "branch", "version"):
        if key in info.ref:
            return f"{key} {info.ref[key]}"
    return None


def canonical_ref(kind: str, ref: dict[str, Any]) -> dict[str, Any]:
    """A Git reference name written as the branch or tag it names (``refs/heads/main`` is ``branch main``):
    source-controller checks out the same revision either way, so pages and comparisons read one form."""
    name = ref.get("name")
    if kind != "GitRepository" or not isinstance(name, str) or len(ref) != 1:
        return ref
    for prefix, key in (("refs/heads/", "branch"), ("refs/tags/", "tag")):
        if name.startswith(prefix):
            return {key: name[len(prefix):]}
    return ref
