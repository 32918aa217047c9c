"""Model files: safetensors weights + the config in their metadata + a JSON model card.

``save_model(model, path, card)`` writes ``path`` (.safetensors, atomically) and
``path.with_suffix('.json')`` (the card). ``load_model(path)`` reads safetensors ONLY (never a
pickle), validates the config and the tensor names/shapes, and raises ModelError otherwise.
"""
from __future__ import annotations

import json
import struct
from pathlib import Path

import torch
from safetensors.torch import load as st_load
from safetensors.torch import save as st_save

from colorstudio.core.imageio import atomic_write_bytes
from colorstudio.errors import ModelError
from colorstudio.nets import checksum
from colorstudio.nets.cyclecnn import CycleCNN, CycleCNNConfig

FORMAT = "colorstudio-model"
KINDS = {"cyclecnn": (CycleCNNConfig, CycleCNN)}     # kind -> (config class, module class)


def kind_of(model: torch.nn.Module) -> str:
    for kind, (_, cls) in KINDS.items():
        if isinstance(model, cls):
            return kind
    raise TypeError(f"no registered kind for {type(model).__name__}")


def model_bytes(model: torch.nn.Module, extra_meta: dict | None = None) -> bytes:
    """The safetensors bytes of a model's state (float tensors contiguous, on CPU)."""
    tensors = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    meta = {"format": FORMAT, "kind": kind_of(model), "config": json.dumps(model.cfg.to_dict())}
    meta.update({k: str(v) for k, v in (extra_meta or {}).items()})
    meta[checksum.KEY] = checksum.tensors_digest(tensors)
    return st_save(tensors, metadata=meta)


def save_model(model: torch.nn.Module, path, card: dict | None = None) -> Path:
    """Write the weights (+ config in the metadata) and a JSON model card beside them."""
    path = Path(path)
    card = dict(card or {})
    card.setdefault("kind", kind_of(model))
    card["config"] = model.cfg.to_dict()
    card["parameters"] = int(sum(p.numel() for p in model.parameters()))
    data = model_bytes(model)
    atomic_write_bytes(path, data)
    card[checksum.KEY] = read_header(data, path.name)["__metadata__"][checksum.KEY]
    card["file_bytes"] = path.stat().st_size
    atomic_write_bytes(path.with_suffix(".json"), (json.dumps(card, indent=2) + "\n").encode())
    return path


def read_header(data: bytes, name: str) -> dict:
    """The safetensors JSON header, or ModelError if ``data`` is not a safetensors file."""
    if len(data) < 8:
        raise ModelError(f"{name} is not a model file (too short)")
    (n,) = struct.unpack("<Q", data[:8])
    if n <= 0 or n > len(data) - 8 or data[8:9] != b"{":
        raise ModelError(f"{name} is not a safetensors model file (a pickle or another format?)")
    try:
        return json.loads(data[8:8 + n])
    except ValueError:
        raise ModelError(f"{name} has a corrupt safetensors header") from None


def load_model(path, kind: str | None = None) -> torch.nn.Module:
    """A model in eval mode from a .safetensors file; ModelError when missing/invalid."""
    path = Path(path)
    if not path.is_file():
        raise ModelError(f"model file not found: {path}")
    data = path.read_bytes()
    header = read_header(data, path.name)
    meta = header.get("__metadata__") or {}
    if meta.get("format") != FORMAT or meta.get("kind") not in KINDS:
        raise ModelError(f"{path.name} is a safetensors file but not a ColorStudio model")
    if kind is not None and meta["kind"] != kind:
        raise ModelError(f"{path.name} is a '{meta['kind']}' model, not '{kind}'")
    cfg_cls, model_cls = KINDS[meta["kind"]]
    try:
        cfg = cfg_cls.from_dict(json.loads(meta["config"]))
    except (KeyError, TypeError, ValueError) as e:
        raise ModelError(f"{path.name} has an invalid model config ({e})") from None
    try:
        tensors = st_load(data)
    except Exception as e:  # safetensors raises its own error types
        raise ModelError(f"{path.name} is a corrupt safetensors file ({e})") from None
    checksum.verify(tensors, meta, path.name)
    model = model_cls(cfg)
    expected = model.state_dict()
    if set(expected) != set(tensors) or any(expected[k].shape != tensors[k].shape for k in expected):
        raise ModelError(f"{path.name} does not match its config (tensor names or shapes differ)")
    model.load_state_dict(tensors)
    model.eval()
    return model
