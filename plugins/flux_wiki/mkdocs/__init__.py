"""mkdocs stage of flux-wiki."""
