"""analysis stage of flux-wiki."""
