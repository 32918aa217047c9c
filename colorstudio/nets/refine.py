"""Colour refinement: residue learning guided by the gray (Dong 2019 eq. 2, Cycle CNN sec. H).

Features of I_G by a ResNet, concatenated with the WAC chroma I_C^{Cb,Cr}; a second ResNet
predicts a residue added to the chroma. The last conv starts at zero (identity at init).
"""
from __future__ import annotations

from dataclasses import dataclass

from torch import nn

from colorstudio.nets.blocks import ResNet2d, cat_channels


@dataclass
class RefineConfig:
    features: int = 16
    res_blocks: int = 1       # per ResNet


class Refine(nn.Module):
    """(gray (B,1,H,W), chroma (B,2,H,W) in [0,1], extra (B,E,H,W) or None) -> residue (B,2,H,W)."""

    def __init__(self, cfg: RefineConfig = RefineConfig(), extra_channels: int = 0):
        super().__init__()
        self.cfg = cfg
        n = cfg.features
        self.gray_net = ResNet2d(1, n, cfg.res_blocks, k=3)
        self.fuse_net = ResNet2d(n + 2 + extra_channels, n, cfg.res_blocks, k=3, cout=2)
        nn.init.zeros_(self.fuse_net.head.weight)
        nn.init.zeros_(self.fuse_net.head.bias)

    def forward(self, gray, chroma, extra=None):
        parts = [self.gray_net(gray - 0.5), (chroma - 0.5) * 4]
        if extra is not None:
            parts.append(extra)
        return self.fuse_net(cat_channels(parts)) * 0.25
