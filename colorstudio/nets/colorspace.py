"""Torch twin of colorstudio.core.color's YCbCr (BT.601 full range, chroma centred on 0.5).

Tensors are (B, 3, H, W) float in [0, 1]; used by the losses and the networks.
"""
from __future__ import annotations

import torch

from colorstudio.core.color import _RGB2YCC, _YCC2RGB

RGB2YCC = torch.from_numpy(_RGB2YCC.copy())
YCC2RGB = torch.from_numpy(_YCC2RGB.copy())
_OFFSET = torch.tensor([0.0, 0.5, 0.5]).view(1, 3, 1, 1)


def rgb_to_ycbcr(rgb: torch.Tensor) -> torch.Tensor:
    """(B,3,H,W) RGB -> (B,3,H,W) YCbCr (Cb, Cr centred on 0.5)."""
    m = RGB2YCC.to(rgb)
    return torch.einsum("ij,bjhw->bihw", m, rgb) + _OFFSET.to(rgb)


def ycbcr_to_rgb(ycc: torch.Tensor) -> torch.Tensor:
    """Inverse of :func:`rgb_to_ycbcr` (not clipped)."""
    m = YCC2RGB.to(ycc)
    return torch.einsum("ij,bjhw->bihw", m, ycc - _OFFSET.to(ycc))


def luma(rgb: torch.Tensor) -> torch.Tensor:
    """(B,3,H,W) -> (B,1,H,W) BT.601 luma."""
    return rgb_to_ycbcr(rgb)[:, :1]


# ======================================================================================
# HSV — added by the single-gray helper (issue #6); same conventions as core.color's HSV:
# all three channels in [0, 1], hue 1.0 == 0.0. Tensors (..., 3, H, W), channel dim -3.
# ======================================================================================
def rgb_to_hsv(rgb: torch.Tensor) -> torch.Tensor:
    """(..., 3, H, W) RGB in [0,1] -> (..., 3, H, W) HSV in [0,1]."""
    r, g, b = rgb.unbind(dim=-3)
    v = rgb.amax(dim=-3)
    c = v - rgb.amin(dim=-3)
    one = torch.ones_like(c)
    safe_c = torch.where(c > 0, c, one)
    h = torch.where(v == r, torch.remainder((g - b) / safe_c, 6.0),
                    torch.where(v == g, (b - r) / safe_c + 2.0, (r - g) / safe_c + 4.0))
    h = torch.where(c > 0, h / 6.0, torch.zeros_like(h))
    s = torch.where(v > 0, c / torch.where(v > 0, v, one), torch.zeros_like(v))
    return torch.stack([h, s, v], dim=-3)


def hsv_to_rgb(hsv: torch.Tensor) -> torch.Tensor:
    """Inverse of :func:`rgb_to_hsv` (differentiable in S, V and almost everywhere in H)."""
    h, s, v = hsv.unbind(dim=-3)
    h = torch.remainder(h, 1.0)

    def channel(n: float) -> torch.Tensor:
        k = torch.remainder(n + h * 6.0, 6.0)
        return v - v * s * torch.clamp(torch.minimum(k, 4.0 - k), 0.0, 1.0)

    return torch.stack([channel(5.0), channel(3.0), channel(1.0)], dim=-3)
