"""The GCA intensity curve T as the diagnostics dock draws it (numpy only).

Cycle CNN's GCA (eq. 3): nodes x_m = 0, 4, ..., 252 with values y_m (mono luma expected at
colour-camera luma x_m); T(x) is the Gaussian-weighted average of the y_m. Intensities are
on 0..255.
"""
from __future__ import annotations

import numpy as np

DEFAULT_SIGMA = 5.0


def interpolate_curve(x: np.ndarray, nodes_x, nodes_y, sigma: float = DEFAULT_SIGMA) -> np.ndarray:
    """T(x) for x (any shape, 0..255): sum_m g(x - x_m) y_m / sum_m g(x - x_m), g Gaussian.

    Nodes whose y is not finite (no pixel supported them) are left out.
    """
    nx = np.asarray(nodes_x, np.float64).ravel()
    ny = np.asarray(nodes_y, np.float64).ravel()
    keep = np.isfinite(nx) & np.isfinite(ny)
    nx, ny = nx[keep], ny[keep]
    x = np.asarray(x, np.float64)
    if nx.size == 0:
        return np.full(x.shape, np.nan)
    d = x[..., None] - nx
    w = np.exp(-(d * d) / (2.0 * sigma * sigma))
    s = w.sum(-1)
    nearest = ny[np.abs(d).argmin(-1)]   # far from every node: hold the nearest value
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(s > 1e-12, (w * ny).sum(-1) / np.maximum(s, 1e-300), nearest)


def pair_histogram(pairs, weights=None, bins: int = 128) -> np.ndarray:
    """2-D histogram (bins, bins) of (reference luma, mono luma) pairs on 0..255.

    Row index = mono luma bin (y axis), column = reference luma bin (x axis); log1p counts
    normalised to [0, 1] for display.
    """
    p = np.asarray(pairs, np.float64).reshape(-1, 2)
    if p.size == 0:
        return np.zeros((bins, bins), np.float32)
    w = None
    if weights is not None:
        w = np.asarray(weights, np.float64).ravel()
        if w.size != p.shape[0]:
            w = None
    hist, _, _ = np.histogram2d(p[:, 1], p[:, 0], bins=bins, range=[[0, 256], [0, 256]], weights=w)
    hist = np.log1p(hist * (1.0 if w is None else 100.0 / max(w.mean(), 1e-12)))
    top = hist.max()
    return (hist / top if top > 0 else hist).astype(np.float32)
