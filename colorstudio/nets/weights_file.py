"""The one way ColorStudio writes and reads tensors: safetensors files with a checksum.

Every model file and training checkpoint goes through :func:`write_weights` /
:func:`read_weights`: the file is written atomically (temp file + rename, usual
permissions), its metadata carries a sha256 of the tensors (names, dtypes, shapes, bytes)
so a corrupted or tampered file is refused, and reading never unpickles anything — a
pickle renamed ``.safetensors`` is recognised by its header and refused.

:func:`save_weights` / :func:`load_weights` add the convention of the single-net models
(hsv2stage, cheng, ccdc and the training checkpoints): metadata ``model`` (the net's name)
and ``config`` (JSON of its config dataclass).
"""
from __future__ import annotations

import dataclasses

import hashlib
import json
import os
import struct
from pathlib import Path
from typing import Callable

import torch
from safetensors.torch import load as st_load
from safetensors.torch import save as st_save

from colorstudio.core.atomic_files import atomic_write_bytes
from colorstudio.core.model_header import data_bytes, declared_in
from colorstudio.core.model_header import header as _header
from colorstudio.errors import ModelError

CHECKSUM_KEY = "sha256"
MAX_HEADER_BYTES = 100_000_000   # a header above this is not a model's (safetensors' own limit)


def tensors_digest(tensors: dict[str, torch.Tensor]) -> str:
    """sha256 over every tensor's name, dtype, shape and bytes, in name order."""
    h = hashlib.sha256()
    for name in sorted(tensors):
        t = tensors[name].detach().cpu().contiguous()
        h.update(f"{name}|{t.dtype}|{tuple(t.shape)}|".encode())
        h.update(t.reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b"")
    return h.hexdigest()


def write_weights(path: str | Path, tensors: dict[str, torch.Tensor], metadata: dict[str, str]) -> dict:
    """Write ``tensors`` (as contiguous CPU copies) with ``metadata`` + checksum, atomically.

    Returns the metadata as written (with the checksum)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tensors = {k: v.detach().cpu().contiguous() for k, v in tensors.items()}
    meta = {k: str(v) for k, v in metadata.items()}
    meta[CHECKSUM_KEY] = tensors_digest(tensors)
    atomic_write_bytes(path, st_save(tensors, metadata=meta))
    return meta


def require_model_file(path: str | Path, name: str | None = None) -> Path:
    """``path`` as a Path when it is a file; else a ModelError saying what it is instead
    (missing, or a folder: a user who gives ``--model`` a folder meant a file in it).
    ``name``: the method the weights are for, named in the message."""
    path = Path(path)
    whose = f"no weights for '{name}': " if name else ""
    if path.is_dir():
        raise ModelError(f"{whose}{path} is a folder, not a model file (.safetensors)")
    if not path.is_file():
        raise ModelError(f"{whose}{path} does not exist" if name else f"model file not found: {path}")
    return path


def file_facts(path: str | Path) -> dict:
    """What a model card says of its weight file: the checksum written in the file's metadata
    (over the tensors, :func:`tensors_digest`) and the file's size in bytes."""
    path = Path(path)
    meta = _header(path.read_bytes(), path.name).get("__metadata__") or {}
    return {CHECKSUM_KEY: meta.get(CHECKSUM_KEY), "file_bytes": path.stat().st_size}


def read_weights(path: str | Path, require_checksum: bool = True,
                 check_metadata: Callable[[dict], None] | None = None) -> tuple[dict[str, torch.Tensor], dict[str, str]]:
    """(tensors, metadata) of a file made by :func:`write_weights`; ModelError when the file
    is missing, not safetensors, corrupt, or fails its checksum. ``require_checksum=False``
    also reads files written before checksums existed (a present checksum is still verified).
    The metadata is judged from the header, before the tensors are read: a file that is not
    a ColorStudio model (no checksum; ``check_metadata`` raising ModelError, e.g. another
    kind of model) is refused without reading its gigabytes."""
    path = require_model_file(path)
    try:
        # one open file for all of it: the header first (a 3 GB file of zeros is not read whole),
        # and a model replaced meanwhile (a save, atomic) cannot pair its header with other bytes
        with path.open("rb") as f:
            size, first = os.fstat(f.fileno()).st_size, f.read(8)
            (n,) = struct.unpack("<Q", first) if len(first) == 8 else (0,)
            if n > min(MAX_HEADER_BYTES, size - 8):
                raise ModelError(f"{path.name} is not a safetensors model file (a pickle or another format?)")
            head = _header(first + f.read(n), path.name)
            described = 8 + n + data_bytes(head, path.name)
            if size != described:
                raise ModelError(f"{path.name} is not a complete safetensors file "
                                 f"({size} bytes where its header describes {described})")
            meta = head.get("__metadata__") or {}
            if not isinstance(meta, dict):
                raise ModelError(f"{path.name} has a corrupt safetensors header")
            expected = meta.get(CHECKSUM_KEY)
            if not expected and require_checksum:
                raise ModelError(f"{path.name} has no checksum: not a ColorStudio model file, or an old one")
            if check_metadata is not None:
                check_metadata(meta)
            f.seek(0)
            data = f.read()
    except OSError as e:
        raise ModelError(f"{path.name} cannot be read ({e.strerror or e})") from None
    try:
        tensors = st_load(data)
    except Exception as e:  # safetensors raises its own error types
        raise ModelError(f"{path.name} is a corrupt safetensors file ({e})") from None
    if expected and tensors_digest(tensors) != expected:
        raise ModelError(f"{path.name} is corrupted or was modified (checksum mismatch); use the original file")
    return tensors, meta


def save_weights(path: str | Path, tensors: dict[str, torch.Tensor], model: str, config: dict,
                 extra: dict[str, str] | None = None) -> dict:
    """Write ``tensors`` with the net's name and config JSON in the metadata."""
    return write_weights(path, tensors, {"model": model, "config": json.dumps(config), **(extra or {})})


def load_weights(path: str | Path, model: str) -> tuple[dict[str, torch.Tensor], dict, dict]:
    """(tensors, config dict, metadata) of a file made by :func:`save_weights` for ``model``."""
    path = Path(path)

    def same_model(meta: dict) -> None:
        if meta.get("model") != model:
            raise ModelError(f"{path.name} holds a '{declared_in(meta) or 'unknown'}' model, "
                             f"not '{model}'")

    tensors, meta = read_weights(path, check_metadata=same_model)
    try:
        config = json.loads(meta["config"])
    except (KeyError, json.JSONDecodeError):
        raise ModelError(f"{path.name} has no readable config in its metadata") from None
    return tensors, config, meta


def build_net(path: str | Path, name: str, config: dict, cfg_cls, net_cls, check=None,
              tensors: dict[str, torch.Tensor] | None = None) -> torch.nn.Module:
    """The net ``net_cls`` built from a model file's ``config``; a config that does not hold
    together (a wrong type, a size not positive or above its limit, ``check`` failing on the
    net) is a ModelError. With the file's ``tensors``, their names, shapes and numbers are
    checked against a shape-only (meta device) net first: a crafted config cannot make the app
    allocate gigabytes before the file is refused."""
    try:
        cfg = cfg_cls.from_dict(config)
        check_config_sizes(cfg)
        if tensors is not None:
            with torch.device("meta"):
                shapes = net_cls(cfg).state_dict()
            check_tensors(Path(path).name, shapes, tensors)
        net = net_cls(cfg)
        if check is not None:
            check(net)
    except (KeyError, TypeError, ValueError, AttributeError, RuntimeError) as e:
        raise ModelError(f"{Path(path).name} has an invalid '{name}' config ({e})") from None
    return net


def check_tensors(name: str, expected: dict[str, torch.Tensor], tensors: dict[str, torch.Tensor]) -> None:
    """A ModelError unless ``tensors`` has ``expected``'s names and shapes, real numbers where
    the net has them (not integers or booleans), and no NaN or infinity."""
    if set(expected) != set(tensors) or any(expected[k].shape != tensors[k].shape for k in expected):
        raise ModelError(f"{name} does not match its config (tensor names or shapes differ)")
    for key, t in tensors.items():
        if expected[key].is_floating_point():
            if not t.is_floating_point():
                raise ModelError(f"{name} holds {t.dtype} numbers in {key} where the net has real numbers")
            if not bool(torch.isfinite(t).all()):
                raise ModelError(f"{name} holds weights that are not numbers (NaN or infinity) in {key}")


# CCDC's working size: the shipped 1 MP, and the memory check's per-pixel need was measured there;
# 4 MP takes about 4x its working memory, more would outgrow that check. A working size of a few
# pixels made the flow (OpenCV DIS) fail inside the run: at least 128 x 128.
CONFIG_LIMITS = {"max_disparity": 512, "max_working_pixels": 4_000_000}
CONFIG_MINIMA = {"max_working_pixels": 16_384}
CONFIG_CHOICES = {"stride": (1, 2, 4),     # the Cycle CNN's volume: its U-Net halves it 4 times
                  "batchnorm_statistics": ("running", "image")}
DEFAULT_CONFIG_LIMIT = 4096     # widths, depths, nodes, dilations…: the shipped nets stay below 200


def check_config_sizes(cfg) -> None:
    """Every number of a model config (widths, depths, disparities, scales) is positive and
    within its limits, or one of its few allowed values (a crafted file asking for 20 000
    disparities, or a working size of one pixel, is refused, not run)."""
    for f in dataclasses.fields(cfg):
        value = getattr(cfg, f.name)
        if dataclasses.is_dataclass(value):
            check_config_sizes(value)
            continue
        if f.name in CONFIG_CHOICES and value not in CONFIG_CHOICES[f.name]:
            raise ValueError(f"{f.name} = {value!r} (one of {', '.join(map(str, CONFIG_CHOICES[f.name]))})")
        if f.type in (bool, "bool") and not isinstance(value, bool):     # "no" would read as true
            raise ValueError(f"{f.name} = {value!r} (true or false)")
        low, limit = CONFIG_MINIMA.get(f.name, 0), CONFIG_LIMITS.get(f.name, DEFAULT_CONFIG_LIMIT)
        numbers = value if isinstance(value, (tuple, list)) else (value,)
        for v in numbers:
            if isinstance(v, (int, float)) and not isinstance(v, bool) and not (0 < v and low <= v <= limit):
                raise ValueError(f"{f.name} = {value!r}" + (f" (at most {limit})" if v > limit else
                                                             f" (at least {low})" if v > 0 and low else ""))
