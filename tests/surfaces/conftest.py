"""Helpers to build small Resource and HelmReleaseInfo objects in Python."""

from __future__ import annotations

from typing import Any

import pytest

from flux_wiki.model import HelmReleaseInfo, Resource


def res(api: str, kind: str, name: str, spec: dict[str, Any] | None = None, *, ns: str = "apps",
        line: int = 1, file: str | None = None, **meta: Any) -> Resource:
    obj: dict[str, Any] = {"apiVersion": api, "kind": kind, "metadata": {"name": name, "namespace": ns, **meta}}
    if spec is not None:
        obj["spec"] = spec
    return Resource(obj, file or f"apps/{name}.yaml", line)


def hr(name: str, chart: str | None, values: dict[str, Any], *, ns: str = "apps", version: str | None = None,
       source_kind: str | None = "HelmRepository", url: str | None = None, line: int = 3) -> HelmReleaseInfo:
    return HelmReleaseInfo(namespace=ns, name=name, chart=chart, version=version, source_kind=source_kind,
                           source_namespace="flux-system", source_name="charts", source_url=url, depends_on=[],
                           values=values, values_sources=[], unresolved_values=[], file=f"apps/{name}/hr.yaml",
                           line=line)


@pytest.fixture
def make_res():
    return res


@pytest.fixture
def make_hr():
    return hr
