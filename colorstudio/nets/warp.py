"""Backward warping with optical flow (``grid_sample``), and flow resizing.

Convention (as OpenCV DIS in :mod:`colorstudio.core.baselines`): ``flow`` (B, 2, H, W) holds
(dx, dy) in pixels of its own grid, and the target pixel (x, y) takes the source value at
(x + dx, y + dy). A zero flow is the identity.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F


def _base_grid(h: int, w: int, like: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    ys = torch.arange(h, dtype=like.dtype, device=like.device).view(1, h, 1)
    xs = torch.arange(w, dtype=like.dtype, device=like.device).view(1, 1, w)
    return xs, ys


def backward_warp(img: torch.Tensor, flow: torch.Tensor, padding_mode: str = "border") -> torch.Tensor:
    """out(x, y) = img(x + dx, y + dy), bilinear; img (B, C, H, W), flow (B, 2, H, W) float.

    Samples outside the image take the nearest border value (``padding_mode='border'``)
    or zero (``'zeros'``). Returns (B, C, H, W).
    """
    if img.shape[-2:] != flow.shape[-2:] or flow.shape[1] != 2:
        raise ValueError(f"image {tuple(img.shape)} and flow {tuple(flow.shape)} do not fit")
    _, _, h, w = img.shape
    xs, ys = _base_grid(h, w, flow)
    gx = (xs + flow[:, 0]) * (2.0 / max(w - 1, 1)) - 1.0
    gy = (ys + flow[:, 1]) * (2.0 / max(h - 1, 1)) - 1.0
    grid = torch.stack([gx, gy], dim=-1)
    return F.grid_sample(img, grid, mode="bilinear", padding_mode=padding_mode, align_corners=True)


def resize_flow(flow: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """Flow (B, 2, H, W) brought to ``size`` = (h, w): resampled bilinearly and its vectors
    scaled per axis so they stay in pixels of the new grid."""
    h, w = size
    H, W = flow.shape[-2:]
    if (h, w) == (H, W):
        return flow
    mode = "area" if h < H and w < W else "bilinear"
    out = F.interpolate(flow, size=(h, w), mode=mode) if mode == "area" else \
        F.interpolate(flow, size=(h, w), mode=mode, align_corners=False)
    scale = torch.tensor([w / W, h / H], dtype=flow.dtype, device=flow.device).view(1, 2, 1, 1)
    return out * scale

