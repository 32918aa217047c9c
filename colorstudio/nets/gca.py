"""GCA: gray-colour alignment of luminance (Cycle CNN eqs. 3-8).

A confidence ResNet on [I_C^Y, I_G, P_I] (P_I: normalised distances to the borders) gives
M in (0, 1); a 64-node tone curve T maps the colour camera's luma to the mono camera's:
nodes x_m = 0, 4, ..., 252 (0..255 scale), y_m = sum(W I_G) / sum(W) with
W = exp(-(I_C^Y - x_m)^2 / 2 sigma^2) * M, sigma = 5, and T(x) = Gaussian-weighted average
of the y_m (nodes weighted by their support). Everything is differentiable.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from colorstudio.nets.blocks import ResNet2d

LUT_SIZE = 1024                # inference: T evaluated on this grid for large images


@dataclass
class GCAConfig:
    features: int = 16
    res_blocks: int = 2
    nodes: int = 64
    sigma: float = 5.0        # on the 0..255 scale


def border_distances(b: int, h: int, w: int, device=None, dtype=torch.float32) -> torch.Tensor:
    """P_I: (B,2,H,W) distance to the nearest left/right and top/bottom border, in [0, 1]."""
    x = torch.arange(w, device=device, dtype=dtype)
    y = torch.arange(h, device=device, dtype=dtype)
    dx = torch.minimum(x, w - 1 - x) / max(w / 2, 1)
    dy = torch.minimum(y, h - 1 - y) / max(h / 2, 1)
    return torch.stack([dx.view(1, w).expand(h, w), dy.view(h, 1).expand(h, w)]).expand(b, 2, h, w)


def fit_curve(src: torch.Tensor, dst: torch.Tensor, weight: torch.Tensor, nodes: int = 64,
              sigma: float = 5.0):
    """Eqs. 4-6. src, dst, weight: (B,1,H,W), src/dst in [0,1].
    -> (x_m (S,), y_m (B,S), support (B,S)) on the 0..1 scale; support sums to 1 per image."""
    step = 256.0 / nodes
    xm = torch.arange(nodes, device=src.device, dtype=src.dtype) * step        # 0..252
    s255 = src.flatten(1).unsqueeze(-1) * 255.0                                # (B,N,1)
    g = torch.exp(-(s255 - xm) ** 2 / (2 * sigma ** 2)) * weight.flatten(1).unsqueeze(-1)
    num = (g * dst.flatten(1).unsqueeze(-1)).sum(1)                           # (B,S)
    den = g.sum(1)
    ym = (num + 1e-6 * xm / 255.0) / (den + 1e-6)
    support = den / den.sum(1, keepdim=True).clamp_min(1e-12)
    return xm / 255.0, ym, support


def apply_curve(x: torch.Tensor, xm: torch.Tensor, ym: torch.Tensor, support: torch.Tensor,
                sigma: float = 5.0) -> torch.Tensor:
    """Eq. 3: T(x) for x (B,1,H,W) in [0,1] -> (B,1,H,W); nodes weighted by a Gaussian of
    their distance and by their support (empty nodes are ignored; identity far from data)."""
    B = x.shape[0]
    if not torch.is_grad_enabled() and x[0].numel() > 4 * LUT_SIZE:
        # large images at inference: evaluate T on a fine grid, interpolate linearly
        grid = torch.linspace(0, 1, LUT_SIZE, dtype=x.dtype, device=x.device).view(1, 1, 1, -1)
        lut = apply_curve(grid.expand(B, 1, 1, LUT_SIZE), xm, ym, support, sigma)[:, 0, 0]
        pos = x.clamp(0, 1).flatten(1) * (LUT_SIZE - 1)
        i0 = pos.floor().long().clamp(max=LUT_SIZE - 2)
        frac = pos - i0
        out = torch.gather(lut, 1, i0) * (1 - frac) + torch.gather(lut, 1, i0 + 1) * frac
        return out.view(B, 1, *x.shape[-2:])
    d255 = (x.flatten(1).unsqueeze(-1) - xm) * 255.0                          # (B,N,S)
    g = torch.exp(-d255 ** 2 / (2 * sigma ** 2)) * support.unsqueeze(1)
    eps = 1e-4 / xm.numel()
    out = ((g * ym.unsqueeze(1)).sum(-1) + eps * x.flatten(1)) / (g.sum(-1) + eps)
    return out.view(B, 1, *x.shape[-2:])


class GCA(nn.Module):
    """(colour-camera luma I_C^Y (B,1,H,W), gray I_G (B,1,H,W)) -> dict:
    confidence M (B,1,H,W); aligned T(I_C^Y) (B,1,H,W); curve (x_m (S,), y_m (B,S), support (B,S))."""

    def __init__(self, cfg: GCAConfig = GCAConfig()):
        super().__init__()
        self.cfg = cfg
        # the confidence net runs at half resolution (stride-2 first conv), M upsampled
        self.net = ResNet2d(4, cfg.features, cfg.res_blocks, k=3, stride=2, cout=1)

    def forward(self, colour_y, gray, fit_pixels: int = 16384):
        B, _, H, W = gray.shape
        p = border_distances(B, H, W, gray.device, gray.dtype)
        logit = self.net(torch.cat([colour_y - 0.5, gray - 0.5, p], 1))
        m = torch.sigmoid(F.interpolate(logit, size=(H, W), mode="bilinear", align_corners=False))
        # fit on a regular subsample (the curve has 64 nodes; more pixels add little)
        step = max(1, int((H * W / fit_pixels) ** 0.5))
        sub = (slice(None), slice(None), slice(0, None, step), slice(0, None, step))
        xm, ym, support = fit_curve(colour_y[sub], gray[sub], m[sub], self.cfg.nodes, self.cfg.sigma)
        aligned = apply_curve(colour_y, xm, ym, support, self.cfg.sigma)
        return {"confidence": m, "aligned": aligned, "curve": (xm, ym, support)}
