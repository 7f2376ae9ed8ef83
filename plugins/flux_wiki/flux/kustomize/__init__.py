"""kustomize, natively: a folder built as `kubectl kustomize` builds it, and as kustomize-controller drives it.

``build`` holds the builder and the Flux entry points (``build_flux_path``); ``generate``, ``patch``,
``replace`` and ``transform`` are kustomize's generators, patches, replacements and transformers.
"""

from ..objects import FluxOverrides
from .build import (BuildResult, build_flux_path, build_kustomize_dir, flux_kustomization, flux_path,
                    generated_kustomization, is_remote, merge_overrides)

__all__ = ["BuildResult", "FluxOverrides", "build_flux_path", "build_kustomize_dir", "flux_kustomization",
           "flux_path", "generated_kustomization", "is_remote", "merge_overrides"]
