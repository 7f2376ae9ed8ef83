"""flux stage of flux-wiki."""
