"""The compute device of the learned methods (the ``device`` option; classic methods have none).

torch is imported when a function here is called, never at import time.
``device``: None or 'cpu' = the CPU (the default), 'auto' = a CUDA GPU if PyTorch sees one,
else an Apple GPU (MPS), else the CPU; 'cuda', 'cuda:N' or 'mps' = that device, and a
one-line :class:`~colorstudio.errors.MethodError` if this computer does not have it (or the CPU
with ``cpu_if_absent``, as the fine-tune wizard trains).
"""
from __future__ import annotations

import threading
import weakref
from typing import Any

from colorstudio.errors import MethodError

DEVICES = ("auto", "cpu", "cuda", "mps")


def _mps_available(torch) -> bool:
    mps = getattr(torch.backends, "mps", None)
    return bool(mps is not None and mps.is_available())


def _present(torch, kind: str, index: str) -> bool:
    if kind == "cuda":
        return torch.cuda.is_available() and (not index or int(index) < torch.cuda.device_count())
    return kind != "mps" or _mps_available(torch)


def torch_device(name: str | None = None, *, cpu_if_absent: bool = False):
    """The ``torch.device`` for a device option (see the module doc); a GPU named but absent is
    the CPU with ``cpu_if_absent``, else an error. An unknown name is an error either way."""
    import torch

    text = "cpu" if name is None else str(name).strip().lower()
    if text == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        return torch.device("mps") if _mps_available(torch) else torch.device("cpu")
    kind, _, index = text.partition(":")
    if kind not in DEVICES or (index and not (kind == "cuda" and index.isdigit())):
        raise MethodError(f"unknown device '{name}' (use {', '.join(DEVICES)})")
    if cpu_if_absent and not _present(torch, kind, index):
        return torch.device("cpu")
    if kind == "cuda":
        if not torch.cuda.is_available():
            raise MethodError(f"device '{name}' is not available: PyTorch finds no CUDA GPU on this "
                              f"computer; choose 'auto' or 'cpu'")
        if index and int(index) >= torch.cuda.device_count():
            raise MethodError(f"device '{name}' is not available: this computer has "
                              f"{torch.cuda.device_count()} CUDA GPU(s)")
    if kind == "mps" and not _mps_available(torch):
        raise MethodError(f"device '{name}' is not available: PyTorch finds no Apple GPU (MPS) on this "
                          f"computer; choose 'auto' or 'cpu'")
    return torch.device(text)


def to_cpu(value: Any) -> Any:
    """Tensors (also inside dicts, lists, tuples) moved to the CPU; anything else unchanged."""
    import torch

    if isinstance(value, torch.Tensor):
        return value.cpu()
    if isinstance(value, dict):
        return {k: to_cpu(v) for k, v in value.items()}
    if isinstance(value, tuple) and hasattr(value, "_fields"):     # a named tuple
        return type(value)(*(to_cpu(v) for v in value))
    if isinstance(value, (list, tuple)):
        return type(value)(to_cpu(v) for v in value)
    return value


_COPIES_LOCK = threading.Lock()
_COPIES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()   # cached net -> (device, its copy there)


def on_device(net, dev):
    """``net`` to run on ``dev``: the net itself when it is there already (the caches keep
    nets on the CPU), else a copy kept for that device. A cached net is never moved in place:
    another job (the batch, the fine-tune wizard's evaluation) may be running it on the CPU at
    that moment, and moving it under that job broke the job."""
    import copy

    import torch

    first = next(iter(net.parameters()), None)
    with _COPIES_LOCK:
        if first is None or first.device == torch.device(dev) or (
                first.device.type == torch.device(dev).type and torch.device(dev).index is None):
            _COPIES.pop(net, None)          # back on its own device: the GPU copy's memory is freed
            return net
        key, kept = str(torch.device(dev)), _COPIES.get(net)
        if kept is None or kept[0] != key:  # one device's copy at a time
            kept = _COPIES[net] = (key, copy.deepcopy(net).to(dev))
        return kept[1]
