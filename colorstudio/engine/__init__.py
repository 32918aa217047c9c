"""Inference: the functions both the CLI and the GUI call."""
