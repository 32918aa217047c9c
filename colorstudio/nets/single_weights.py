"""Saving and loading the single-gray nets as safetensors with their config in the metadata.

Metadata keys: ``model`` (the net's name, e.g. "hsv2stage"), ``config`` (JSON of the
config dataclass) and any extra JSON-able strings. Nothing is unpickled, ever.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import save_file

from colorstudio.errors import ModelError
from colorstudio.nets import checksum


def save_weights(path: str | Path, tensors: dict[str, torch.Tensor], model: str, config: dict,
                 extra: dict[str, str] | None = None) -> None:
    """Write ``tensors`` (contiguous CPU copies) with model name and config JSON in the metadata."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tensors = {k: v.detach().cpu().contiguous() for k, v in tensors.items()}
    meta = {"model": model, "config": json.dumps(config)}
    meta.update(extra or {})
    meta[checksum.KEY] = checksum.tensors_digest(tensors)
    tmp = path.with_name(path.name + ".tmp")
    save_file(tensors, str(tmp), metadata=meta)
    os.chmod(tmp, 0o644)  # safetensors creates the file private; weights are not secret
    tmp.replace(path)


def load_weights(path: str | Path, model: str) -> tuple[dict[str, torch.Tensor], dict, dict]:
    """(tensors, config dict, metadata) of a safetensors file made by :func:`save_weights`.

    Raises ModelError if the file is missing, not safetensors, or for another net.
    """
    path = Path(path)
    if not path.is_file():
        raise ModelError(f"model file not found: {path}")
    try:
        with safe_open(str(path), framework="pt") as f:
            meta = f.metadata() or {}
            tensors = {k: f.get_tensor(k) for k in f.keys()}
    except (SafetensorError, OSError, ValueError) as e:
        raise ModelError(f"{path.name} is not a readable safetensors model file ({e})") from None
    checksum.verify(tensors, meta, path.name)
    if meta.get("model") != model:
        raise ModelError(f"{path.name} holds a '{meta.get('model', 'unknown')}' model, not '{model}'")
    try:
        config = json.loads(meta["config"])
    except (KeyError, json.JSONDecodeError):
        raise ModelError(f"{path.name} has no readable config in its metadata") from None
    return tensors, config, meta
