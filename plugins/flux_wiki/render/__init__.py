"""render stage of flux-wiki."""
