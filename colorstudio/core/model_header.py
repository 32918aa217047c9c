"""What a model file says it is, from its safetensors header alone (no torch): the picker of
the app reads it at start-up, before torch is loaded; :mod:`colorstudio.nets.weights_file`
reads and checks the whole file."""
from __future__ import annotations

import json
import os
import struct
from pathlib import Path

from colorstudio.errors import ModelError


def header(data: bytes, name: str) -> dict:
    """The JSON header of a safetensors file's bytes (``data`` from its start); ModelError in
    one line when it is not one."""
    if len(data) < 8:
        raise ModelError(f"{name} is not a model file (too short)")
    (n,) = struct.unpack("<Q", data[:8])
    if n <= 0 or n > len(data) - 8 or data[8:9] != b"{":
        raise ModelError(f"{name} is not a safetensors model file (a pickle or another format?)")
    try:
        head = json.loads(data[8:8 + n])
    except (ValueError, RecursionError):      # RecursionError: JSON nested 100 000 deep
        raise ModelError(f"{name} has a corrupt safetensors header") from None
    if not isinstance(head, dict):
        raise ModelError(f"{name} has a corrupt safetensors header")
    return head


def data_bytes(head: dict, name: str = "the model file") -> int:
    """The bytes of tensor data a safetensors header describes (the end of its last tensor)."""
    ends = []
    for key, entry in head.items():
        if key == "__metadata__":
            continue
        offsets = entry.get("data_offsets") if isinstance(entry, dict) else None
        if not (isinstance(offsets, list) and len(offsets) == 2 and all(type(o) is int and o >= 0 for o in offsets)):
            raise ModelError(f"{name} is a corrupt safetensors file (tensor {str(key)[:40]!r} has no valid offsets)")
        ends.append(offsets[1])
    return max(ends, default=0)


def metadata(path: str | Path) -> dict | None:
    """The ``__metadata__`` of a safetensors file, read from its header alone; None when it has
    none, cannot be read, is not a regular file, or is shorter than its header says (cut short
    by a stopped copy or a power cut: the app's picker offered it, and Colorize failed)."""
    path = Path(path)
    try:
        if not path.is_file():          # a FIFO would block the open, /dev/zero never end
            return None
        with open(path, "rb") as f:
            head = f.read(8)
            (n,) = struct.unpack("<Q", head)
            if n > 100_000_000:
                return None
            described = header(head + f.read(n), path.name)
            if os.fstat(f.fileno()).st_size < 8 + n + data_bytes(described, path.name):
                return None
            meta = described.get("__metadata__") or {}
    except (OSError, struct.error, ModelError):
        return None
    return meta if isinstance(meta, dict) else None


def declared_model(path: str | Path) -> str | None:
    """The net a model file says it holds ("cyclecnn", "ccdc", "hsv2stage", "cheng"), read
    from its header alone; None when it says none or cannot be read (loading says why)."""
    return declared_in(metadata(path) or {})


def declared_in(meta: dict) -> str | None:
    """The net a model file's header ``meta`` (:func:`metadata`) says it holds, or None."""
    declared = meta.get("model") or meta.get("kind")
    return declared if isinstance(declared, str) else None
