"""The Flux simulation: entry points, kustomize, substitution, HelmReleases, sources and the reconciliation walk."""
