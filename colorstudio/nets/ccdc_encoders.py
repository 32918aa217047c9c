"""CCDC luminance and colour encoders: 4-scale feature pyramids, small widths for the CPU.

Both are the same plain conv pyramid (no BatchNorm: batches are tiny and inference runs
on single images): level i (i = 1..4) is a stride-2 3x3 conv then a 3x3 conv, LeakyReLU,
so F_i is at 1/2**i of the input size. The luminance encoder (1 channel in) is applied to
the gray target I1 and to the reference luma I2^Y with shared weights, so their features
are comparable (visibility maps V_i = warp(F_i^Y) - F_i^l); the colour encoder (3 channels
in: the reference's Y, Cb, Cr) gives the features that are warped and fused.
"""
from __future__ import annotations

import torch
from torch import nn


def conv_lrelu(cin: int, cout: int, stride: int = 1) -> nn.Sequential:
    """3x3 conv (same padding) + LeakyReLU(0.1). (B, cin, H, W) -> (B, cout, H/stride, W/stride)."""
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1), nn.LeakyReLU(0.1, inplace=True))


class PyramidEncoder(nn.Module):
    """(B, cin, H, W) in [0, 1] (H, W multiples of 16) -> [F_1 .. F_4], F_i (B, widths[i-1], H/2**i, W/2**i)."""

    def __init__(self, cin: int, widths: tuple[int, ...]):
        super().__init__()
        levels, prev = [], cin
        for w in widths:
            levels.append(nn.Sequential(conv_lrelu(prev, w, 2), conv_lrelu(w, w)))
            prev = w
        self.levels = nn.ModuleList(levels)

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        feats, y = [], x - 0.5
        for level in self.levels:
            y = level(y)
            feats.append(y)
        return feats


def luminance_encoder(widths: tuple[int, ...]) -> PyramidEncoder:
    """Encoder of a luma plane (the gray target, the reference luma): 1 channel in."""
    return PyramidEncoder(1, widths)


def colour_encoder(widths: tuple[int, ...]) -> PyramidEncoder:
    """Encoder of the (bicubic-upsampled) reference in YCbCr: 3 channels in."""
    return PyramidEncoder(3, widths)
