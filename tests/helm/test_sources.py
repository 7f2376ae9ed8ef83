"""source_info over each Flux source kind."""

from __future__ import annotations

import pytest

from flux_wiki.flux.sources import describe_ref, is_source, source_info
from flux_wiki.model import InputError, Resource


def src(kind: str, spec: dict, version: str = "v1") -> Resource:
    return Resource({"apiVersion": f"source.toolkit.fluxcd.io/{version}", "kind": kind,
                     "metadata": {"name": "s", "namespace": "flux-system"}, "spec": spec}, "src.yaml", 5)


@pytest.mark.parametrize("kind,spec,url,ref", [
    ("GitRepository", {"url": "https://github.com/o/r", "ref": {"branch": "main", "tag": ""}},
     "https://github.com/o/r", {"branch": "main"}),
    ("GitRepository", {"url": "ssh://git@github.com/o/r", "ref": {"semver": ">=1.0", "commit": "abc"}},
     "ssh://git@github.com/o/r", {"commit": "abc", "semver": ">=1.0"}),
    ("OCIRepository", {"url": "oci://ghcr.io/o/charts/app", "ref": {"tag": "1.2.3"}},
     "oci://ghcr.io/o/charts/app", {"tag": "1.2.3"}),
    ("HelmRepository", {"url": "https://charts.example.com"}, "https://charts.example.com", {}),
    ("HelmRepository", {"url": "oci://ghcr.io/o/charts", "type": "oci"}, "oci://ghcr.io/o/charts", {"type": "oci"}),
    ("Bucket", {"endpoint": "minio.local:9000", "bucketName": "b", "insecure": True}, "http://minio.local:9000/b", {}),
    ("Bucket", {"endpoint": "s3.amazonaws.com", "bucketName": "b"}, "https://s3.amazonaws.com/b", {}),
    ("HelmChart", {"chart": "podinfo", "version": "6.x", "sourceRef": {"kind": "HelmRepository", "name": "p"}},
     None, {"chart": "podinfo", "version": "6.x", "sourceRef": {"kind": "HelmRepository", "name": "p"}}),
    ("ExternalArtifact", {"sourceRef": {"kind": "ArtifactGenerator", "name": "g"}}, None,
     {"sourceRef": {"kind": "ArtifactGenerator", "name": "g"}}),
])
def test_source_info(kind: str, spec: dict, url: str | None, ref: dict) -> None:
    res = src(kind, spec)
    assert is_source(res)
    info = source_info(res)
    assert (info.kind, info.namespace, info.name, info.url, info.ref) == (kind, "flux-system", "s", url, ref)
    assert (info.file, info.line) == ("src.yaml", 5)


def test_bad_spec_shapes_do_not_raise() -> None:
    info = source_info(src("GitRepository", {"url": ["not", "a", "string"], "ref": "main"}, "v1beta2"))
    assert (info.url, info.ref) == (None, {})


def test_not_a_source_is_an_input_error() -> None:
    res = Resource({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}}, "d.yaml", 2)
    assert not is_source(res)
    with pytest.raises(InputError) as err:
        source_info(res)
    assert (err.value.file, err.value.line) == ("d.yaml", 2)


def test_describe_ref() -> None:
    assert describe_ref(source_info(src("GitRepository", {"url": "u", "ref": {"branch": "main"}}))) == "branch main"
    assert describe_ref(source_info(src("HelmRepository", {"url": "u"}))) is None


@pytest.mark.parametrize("kind,ref,described", [
    # source-controller GitRepositoryRef: commit over all, name over branch, tag and semver, semver over tag
    ("GitRepository", {"branch": "main", "tag": "v1", "semver": ">=1.0"}, "semver >=1.0"),
    ("GitRepository", {"tag": "v1", "name": "refs/pull/1/head"}, "name refs/pull/1/head"),
    ("GitRepository", {"branch": "main", "commit": "abc"}, "commit abc"),
    # OCIRepositoryRef: digest over semver, semver over tag
    ("OCIRepository", {"tag": "1.0.0", "semver": "1.x"}, "semver 1.x"),
    ("OCIRepository", {"tag": "1.0.0", "digest": "sha256:0a"}, "digest sha256:0a"),
])
def test_describe_ref_names_the_ref_source_controller_pulls(kind, ref, described) -> None:
    assert describe_ref(source_info(src(kind, {"url": "u", "ref": ref}))) == described
