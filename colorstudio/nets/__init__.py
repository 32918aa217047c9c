"""Torch networks (one part per file). Every module here imports torch (the package itself does not)."""
