"""CCDC losses: Charbonnier colour loss + warping loss (torch).

- colour: mean sqrt((pred - truth)^2 + eps^2) over the Cb/Cr planes (robust L1).
- warping: mean squared error between the bicubic-upsampled reference warped by the
  estimated flow and the truth (YCbCr), at every flow scale (the reference and the truth
  area-reduced to that scale), weights halving per scale. It trains the flow on its own,
  so the flow stays meaningful where the colour loss has little to say.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from colorstudio.nets.warp import backward_warp

CHARBONNIER_EPS = 1e-3
WARP_WEIGHT = 1.0


def charbonnier(pred: torch.Tensor, truth: torch.Tensor, eps: float = CHARBONNIER_EPS) -> torch.Tensor:
    """Mean Charbonnier distance of two same-shaped tensors."""
    return torch.sqrt((pred - truth) ** 2 + eps * eps).mean()


def warping_loss(ref_up: torch.Tensor, flows: list[torch.Tensor], truth: torch.Tensor) -> torch.Tensor:
    """ref_up, truth (B, 3, H, W) YCbCr; flows [(B, 2, H/2**i, W/2**i)] in pixels of each scale."""
    total, weight_sum = ref_up.new_zeros(()), 0.0
    for i, flow in enumerate(flows):
        size = flow.shape[-2:]
        r = ref_up if i == 0 else F.adaptive_avg_pool2d(ref_up, size)
        t = truth if i == 0 else F.adaptive_avg_pool2d(truth, size)
        w = 0.5 ** i
        total = total + w * F.mse_loss(backward_warp(r, flow), t)
        weight_sum += w
    return total / weight_sum


def ccdc_loss(out: dict, truth: torch.Tensor, warp_weight: float = WARP_WEIGHT) -> tuple[torch.Tensor, dict]:
    """(total loss, parts) for the net's output dict and the truth (B, 3, H, W) YCbCr."""
    colour = charbonnier(out["chroma"], truth[:, 1:])
    warp = warping_loss(out["ref_up"], out["flows"], truth)
    return colour + warp_weight * warp, {"colour": colour.item(), "warp": warp.item()}
