"""Joint (cross) bilateral filtering: smooth a map following the edges of a gray guide.

Used by Deep Colorization (Cheng et al.) to clean the per-pixel chroma predictions.
Brute force over the (2r+1)^2 window offsets, vectorised over the image: meant for
working-size images (~200 px), not for 12 MP.
"""
from __future__ import annotations

import numpy as np


def joint_bilateral(src: np.ndarray, guide: np.ndarray, radius: int = 5, sigma_space: float = 3.0,
                    sigma_range: float = 0.08, tap_step: int = 1) -> np.ndarray:
    """Filter ``src`` (H, W) or (H, W, C) float32 guided by ``guide`` (H, W) float32 in [0, 1].

    Weight of neighbour q for pixel p: exp(-|p-q|^2 / 2 sigma_space^2)
    * exp(-(guide_p - guide_q)^2 / 2 sigma_range^2). Borders are reflected.
    ``tap_step``: only every tap_step-th offset of the window in each direction (a wide
    window at tap_step^2 times less cost; the centre is always a tap).
    Returns float32 of ``src``'s shape.
    """
    src = np.asarray(src, np.float32)
    guide = np.asarray(guide, np.float32)
    if guide.ndim != 2 or src.shape[:2] != guide.shape:
        raise ValueError(f"src {src.shape} and guide {guide.shape} must share (H, W)")
    squeeze = src.ndim == 2
    s = src[..., None] if squeeze else src
    h, w = guide.shape
    r = int(radius)
    sp = np.pad(s, ((r, r), (r, r), (0, 0)), mode="symmetric")
    gp = np.pad(guide, r, mode="symmetric")
    acc = np.zeros_like(s)
    norm = np.zeros((h, w), np.float32)
    inv_s, inv_r = 1 / (2 * sigma_space ** 2), 1 / (2 * sigma_range ** 2)
    step = max(int(tap_step), 1)
    offsets = range(-(r // step) * step, r + 1, step)
    for dy in offsets:
        for dx in offsets:
            ws = np.exp(-(dy * dy + dx * dx) * inv_s)
            if ws < 1e-4:
                continue
            g = gp[r + dy:r + dy + h, r + dx:r + dx + w]
            wgt = (ws * np.exp(-((g - guide) ** 2) * inv_r)).astype(np.float32)
            acc += wgt[..., None] * sp[r + dy:r + dy + h, r + dx:r + dx + w]
            norm += wgt
    out = acc / norm[..., None]
    return out[..., 0] if squeeze else out
