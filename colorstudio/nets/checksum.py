"""A checksum of a model's tensors, stored in its safetensors metadata and model card.

Loading recomputes it, so a corrupted or tampered file (same names and shapes, other
bytes) is refused instead of silently giving wrong colours.
"""
from __future__ import annotations

import hashlib

import torch

from colorstudio.errors import ModelError

KEY = "sha256"


def tensors_digest(tensors: dict[str, torch.Tensor]) -> str:
    """sha256 over every tensor's name, dtype, shape and bytes, in name order."""
    h = hashlib.sha256()
    for name in sorted(tensors):
        t = tensors[name].detach().cpu().contiguous()
        h.update(f"{name}|{t.dtype}|{tuple(t.shape)}|".encode())
        h.update(t.reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b"")
    return h.hexdigest()


def verify(tensors: dict[str, torch.Tensor], meta: dict, name: str) -> None:
    """ModelError unless ``meta`` carries the checksum of ``tensors``."""
    expected = meta.get(KEY)
    if not expected:
        raise ModelError(f"{name} has no checksum: not a ColorStudio model file, or an old one")
    if tensors_digest(tensors) != expected:
        raise ModelError(f"{name} is corrupted or was modified (checksum mismatch); "
                         f"use the original file")
