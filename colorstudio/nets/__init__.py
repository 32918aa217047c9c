"""Torch networks (one part per file). Importing this package imports torch."""
