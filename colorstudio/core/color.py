"""Colour spaces in numpy: YCbCr (BT.601 full range) and HSV.

Conventions (shared with :mod:`colorstudio.nets.colorspace`, the torch twin):
- RGB is float32 in [0, 1], shape (..., 3).
- YCbCr: Y in [0, 1]; Cb, Cr in [0, 1] with 0.5 meaning neutral (JPEG/JFIF, BT.601
  full range), i.e. the papers' 0..255 scale divided by 255.
- HSV: all three in [0, 1] (hue 1.0 == 0.0).
"""
from __future__ import annotations

import numpy as np

# BT.601 full-range (JFIF) matrices
_RGB2YCC = np.array(
    [[0.299, 0.587, 0.114],
     [-0.168735892, -0.331264108, 0.5],
     [0.5, -0.418687589, -0.081312411]], dtype=np.float32)
_YCC2RGB = np.linalg.inv(_RGB2YCC.astype(np.float64)).astype(np.float32)


def rgb_to_ycbcr(rgb: np.ndarray) -> np.ndarray:
    """(..., 3) RGB in [0,1] -> (..., 3) YCbCr with chroma centred on 0.5."""
    rgb = np.asarray(rgb, dtype=np.float32)
    ycc = rgb @ _RGB2YCC.T
    ycc[..., 1:] += 0.5
    return ycc


def ycbcr_to_rgb(ycc: np.ndarray, clip: bool = True) -> np.ndarray:
    """Inverse of :func:`rgb_to_ycbcr`."""
    ycc = np.asarray(ycc, dtype=np.float32).copy()
    ycc[..., 1:] -= 0.5
    rgb = ycc @ _YCC2RGB.T
    return np.clip(rgb, 0.0, 1.0) if clip else rgb


def luma(rgb: np.ndarray) -> np.ndarray:
    """BT.601 luma Y of an RGB image, shape (...,)."""
    rgb = np.asarray(rgb, dtype=np.float32)
    return rgb @ _RGB2YCC[0]


def compose(gray: np.ndarray, chroma: np.ndarray) -> np.ndarray:
    """RGB from a luma plane (H, W) and a chroma plane (H, W, 2) of Cb, Cr.

    Out-of-gamut colours are desaturated towards the gray (same hue) instead of being
    clipped per channel, so the result's luma is exactly ``gray``. Works in bands of rows,
    plane by plane, so the temporaries stay in the CPU cache (12 MP in a fraction of a second).
    """
    y = np.asarray(gray, np.float32)
    chroma = np.asarray(chroma, np.float32)
    out = np.empty(y.shape + (3,), np.float32)
    rows = max(1, _BAND_PIXELS // max(1, y.shape[-1])) if y.ndim == 2 else len(y)
    for r in range(0, max(1, len(y)), rows):
        _compose_band(y[r:r + rows], chroma[r:r + rows], out[r:r + rows])
    return out


_BAND_PIXELS = 65536


def _compose_band(y: np.ndarray, chroma: np.ndarray, out: np.ndarray) -> None:
    cb, cr = chroma[..., 0] - np.float32(0.5), chroma[..., 1] - np.float32(0.5)
    deltas = [_YCC2RGB[k, 1] * cb + _YCC2RGB[k, 2] * cr for k in range(3)]  # RGB offsets from the gray
    scale = np.ones_like(y)
    for d in deltas:        # the largest s in [0, 1] with 0 <= y + s d <= 1 in every channel
        limit = np.where(d > 0, 1.0 - y, y)
        np.minimum(scale, limit / np.maximum(np.abs(d), np.float32(1e-12)), out=scale)
    np.maximum(scale, 0.0, out=scale)
    for k, d in enumerate(deltas):
        out[..., k] = y + scale * d
    np.clip(out, 0.0, 1.0, out=out)


# ---------------------------------------------------------------- HSV
def rgb_to_hsv(rgb: np.ndarray) -> np.ndarray:
    rgb = np.asarray(rgb, dtype=np.float32)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    v = rgb.max(axis=-1)
    c = v - rgb.min(axis=-1)
    safe_c = np.where(c > 0, c, 1.0)
    h = np.where(v == r, ((g - b) / safe_c) % 6.0,
                 np.where(v == g, (b - r) / safe_c + 2.0, (r - g) / safe_c + 4.0))
    h = np.where(c > 0, h / 6.0, 0.0)
    s = np.where(v > 0, c / np.where(v > 0, v, 1.0), 0.0)
    return np.stack([h, s, v], axis=-1).astype(np.float32)


def hsv_to_rgb(hsv: np.ndarray) -> np.ndarray:
    hsv = np.asarray(hsv, dtype=np.float32)
    h, s, v = hsv[..., 0] % 1.0, hsv[..., 1], hsv[..., 2]

    def channel(n):
        k = (n + h * 6.0) % 6.0
        return v - v * s * np.clip(np.minimum(k, 4.0 - k), 0.0, 1.0)

    return np.stack([channel(5.0), channel(3.0), channel(1.0)], axis=-1).astype(np.float32)
