"""Run `kubectl kustomize` as the reference and reduce its output to comparable ids."""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

import yaml

KUBECTL = shutil.which("kubectl")

Ident = tuple[str, str, str, str]


class KubectlLoader(yaml.SafeLoader):
    """Safe loader that reads a bare `=` (YAML 1.1 value tag) as the string it is."""


KubectlLoader.add_constructor("tag:yaml.org,2002:value", lambda loader, node: loader.construct_scalar(node))


def ident(obj: dict[str, Any]) -> Ident:
    md = obj.get("metadata") or {}
    return (str(obj.get("apiVersion") or ""), str(obj.get("kind") or ""),
            str(md.get("namespace") or ""), str(md.get("name") or ""))


def kubectl_build(path: str, *, load_restrictor_none: bool = True, timeout: float = 60) -> tuple[list[dict] | None, str]:
    """Objects `kubectl kustomize` builds for ``path`` (None and the error text when it fails)."""
    assert KUBECTL, "kubectl missing"
    cmd = [KUBECTL, "kustomize", path]
    if load_restrictor_none:
        cmd += ["--load-restrictor", "LoadRestrictionsNone"]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, "timeout"
    if proc.returncode != 0:
        return None, proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"exit {proc.returncode}"
    return [d for d in yaml.load_all(proc.stdout, Loader=KubectlLoader) if isinstance(d, dict)], ""
