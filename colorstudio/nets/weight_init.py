"""Random initial weights that a shape-only (meta-device) net skips.

A model file's tensors are checked against a net built on PyTorch's meta device (shapes only,
no memory: :func:`colorstudio.nets.weights_file.build_net`). On that device PyTorch's
``normal_`` runs a Python reference implementation whose first call imports ``torch._dynamo``:
1.8 s, with GIL-holding stretches that froze the app's window for 0.2 s at start-up. A meta
tensor has no values to draw, so these helpers leave it alone.
"""
from __future__ import annotations

from torch import nn


def he_normal_(layer: nn.Module) -> None:
    """He (Kaiming) normal weights for a ReLU layer, zero bias (if it has one)."""
    if not layer.weight.is_meta:
        nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
        if layer.bias is not None:
            nn.init.zeros_(layer.bias)


def small_normal_(layer: nn.Module, std: float) -> None:
    """Normal weights of standard deviation ``std`` (a near-zero start), zero bias (if any)."""
    if not layer.weight.is_meta:
        nn.init.normal_(layer.weight, std=std)
        if layer.bias is not None:
            nn.init.zeros_(layer.bias)
