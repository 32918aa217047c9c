"""Image-quality metrics for colorization (numpy + OpenCV).

All inputs are float32 in [0, 1] (data range 1). Definitions used by the benchmark:

- ``psnr(a, b)`` = 10 log10(1 / MSE) over every element; identical images give +inf.
- ``ssim(a, b)``: Wang et al. 2004 with an 11x11 Gaussian window (sigma 1.5), K1 = 0.01,
  K2 = 0.03, population covariances, borders (5 px) cropped, mean over channels — the
  same as ``skimage.metrics.structural_similarity(..., gaussian_weights=True,
  sigma=1.5, use_sample_covariance=False, data_range=1)``.
- ``chroma_psnr(pred, truth)``: PSNR over the Cb and Cr planes jointly.
- ``rgb_psnr(gray, pred, truth_rgb)``: the truth's chroma and the prediction are BOTH
  composed on the gray's own luma (``compose(gray, .)``, clipped to [0, 1]) and compared
  in RGB. The luma error (noise, tone curve of the mono camera) is thus excluded: only
  the colouring is judged, in the RGB units a viewer sees. ``rgb_ssim`` is the SSIM of
  the same two images.
- ``colourfulness(rgb)``: Hasler & Süsstrunk 2003, on the 0..255 scale of the paper
  (``sigma_rgyb + 0.3 mu_rgyb``); 0 for any gray image.
- ``cycle_psnr``: colorize back (Cycle CNN, Table II) — see its docstring.
- ``block_psnr(a, b)``: PSNR of the two images' 16x16 block means. A colour shot's pixel noise
  (sigma ~0.025 in Cb/Cr on a noisy phone camera, 32 dB) drops 16x there (56 dB), so the
  cycle PSNR on block means judges the recovered colours, not the reproduced noise.
"""
from __future__ import annotations

from typing import Callable

import cv2
import numpy as np

from colorstudio.core.color import compose, luma, rgb_to_ycbcr

_SSIM_SIGMA = 1.5
_SSIM_RADIUS = 5          # int(3.5 * sigma + 0.5): skimage's truncation -> 11x11 window
_K1, _K2 = 0.01, 0.03
NOISE_FREE_BLOCK = 16     # block_psnr's block side (px)


def psnr(a: np.ndarray, b: np.ndarray, data_range: float = 1.0) -> float:
    """Peak signal-to-noise ratio in dB of two same-shaped arrays."""
    a = np.asarray(a, np.float64)
    b = np.asarray(b, np.float64)
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {a.shape} vs {b.shape}")
    mse = float(np.mean((a - b) ** 2))
    return float("inf") if mse == 0 else float(10.0 * np.log10(data_range ** 2 / mse))


def block_means(img: np.ndarray, block: int = NOISE_FREE_BLOCK) -> np.ndarray:
    """Means over block x block tiles of an (H, W[, C]) image (a ragged border is dropped)."""
    img = np.asarray(img, np.float64)
    h, w = img.shape[0] // block, img.shape[1] // block
    if h == 0 or w == 0:
        raise ValueError(f"image {img.shape[:2]} smaller than one {block}x{block} block")
    tiles = img[:h * block, :w * block].reshape(h, block, w, block, *img.shape[2:])
    return tiles.mean(axis=(1, 3))


def block_psnr(a: np.ndarray, b: np.ndarray, block: int = NOISE_FREE_BLOCK) -> float:
    """PSNR of the block x block means of two same-shaped images (pixel noise averaged out)."""
    if np.shape(a) != np.shape(b):
        raise ValueError(f"shapes differ: {np.shape(a)} vs {np.shape(b)}")
    return psnr(block_means(a, block), block_means(b, block))


def _ssim_plane(x: np.ndarray, y: np.ndarray, data_range: float) -> float:
    k = 2 * _SSIM_RADIUS + 1

    def blur(img):
        return cv2.GaussianBlur(img, (k, k), _SSIM_SIGMA, borderType=cv2.BORDER_REFLECT)

    c1, c2 = (_K1 * data_range) ** 2, (_K2 * data_range) ** 2
    mx, my = blur(x), blur(y)
    vx = blur(x * x) - mx * mx
    vy = blur(y * y) - my * my
    cxy = blur(x * y) - mx * my
    s = ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))
    r = _SSIM_RADIUS
    if s.shape[0] > 2 * r and s.shape[1] > 2 * r:
        s = s[r:-r, r:-r]
    return float(s.mean())


def ssim(a: np.ndarray, b: np.ndarray, data_range: float = 1.0) -> float:
    """Mean SSIM of (H, W) or (H, W, C) images (mean over channels), Gaussian window."""
    a = np.asarray(a, np.float64)
    b = np.asarray(b, np.float64)
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {a.shape} vs {b.shape}")
    if a.ndim == 2:
        return _ssim_plane(a, b, data_range)
    return float(np.mean([_ssim_plane(np.ascontiguousarray(a[..., c]), np.ascontiguousarray(b[..., c]),
                                      data_range) for c in range(a.shape[-1])]))


def chroma_psnr(pred_chroma: np.ndarray, truth_chroma: np.ndarray) -> float:
    """PSNR of predicted Cb/Cr (H, W, 2) against the truth's Cb/Cr (both in [0, 1])."""
    return psnr(pred_chroma, truth_chroma)


def truth_on_gray(gray: np.ndarray, truth_rgb: np.ndarray) -> np.ndarray:
    """The true colours recomposed on the gray's own luma: (H, W, 3) RGB in [0, 1]."""
    return compose(gray, rgb_to_ycbcr(truth_rgb)[..., 1:])


def rgb_psnr(gray: np.ndarray, pred_chroma: np.ndarray, truth_rgb: np.ndarray) -> float:
    """PSNR of compose(gray, pred_chroma) against compose(gray, truth chroma), in RGB."""
    return psnr(compose(gray, pred_chroma), truth_on_gray(gray, truth_rgb))


def rgb_ssim(gray: np.ndarray, pred_chroma: np.ndarray, truth_rgb: np.ndarray) -> float:
    """SSIM (mean over R, G, B) of the same two images as :func:`rgb_psnr`."""
    return ssim(compose(gray, pred_chroma), truth_on_gray(gray, truth_rgb))


def colourfulness(rgb: np.ndarray) -> float:
    """Hasler–Süsstrunk colourfulness of an RGB image in [0, 1], on the paper's 0..255 scale."""
    rgb = np.asarray(rgb, np.float64) * 255.0
    rg = rgb[..., 0] - rgb[..., 1]
    yb = 0.5 * (rgb[..., 0] + rgb[..., 1]) - rgb[..., 2]
    sigma = np.sqrt(rg.std() ** 2 + yb.std() ** 2)
    mu = np.sqrt(rg.mean() ** 2 + yb.mean() ** 2)
    return float(sigma + 0.3 * mu)


_MIRRORED = {"left": "right", "right": "left"}


def mirrored_options(options: dict) -> dict:
    """Options for the second (backward) pass: the views swap roles, so a camera side
    ('side': 'left' <-> 'right') flips; everything else is kept."""
    out = dict(options)
    if out.get("side") in _MIRRORED:
        out["side"] = _MIRRORED[out["side"]]
    return out


def cycle_chroma(method: Callable, gray: np.ndarray, reference: np.ndarray,
                 pred_chroma: np.ndarray, **options) -> np.ndarray:
    """Second-time colorization (Cycle CNN): colorize the reference's own luma R_G using
    compose(gray, pred_chroma) as ITS reference, with the views' roles swapped.

    method: a pair method ``fn(gray, reference, **options) -> ChromaResult``.
    Returns the recovered reference chroma (h, w, 2) at the reference's size.
    """
    colorized = compose(gray, pred_chroma)
    return method(luma(reference), colorized, **mirrored_options(options)).chroma


def cycle_psnr(method: Callable, gray: np.ndarray, reference: np.ndarray,
               pred_chroma: np.ndarray, **options) -> float:
    """Chroma PSNR of the recovered reference chroma against the real reference's Cb/Cr.

    Needs no ground truth (Cycle CNN, Table II): a method that colours the gray well can
    colour the reference back from its own result.
    """
    back = cycle_chroma(method, gray, reference, pred_chroma, **options)
    return chroma_psnr(back, rgb_to_ycbcr(reference)[..., 1:])


def cycle_psnr_ssim(method: Callable, gray: np.ndarray, reference: np.ndarray,
                    pred_chroma: np.ndarray, **options) -> tuple[float, float]:
    """(cycle chroma PSNR, cycle SSIM) from one second-time pass (Cycle CNN, Table II): the
    SSIM compares the recovered reference, composed on the reference's own luma, with it."""
    back = cycle_chroma(method, gray, reference, pred_chroma, **options)
    return (chroma_psnr(back, rgb_to_ycbcr(reference)[..., 1:]),
            rgb_ssim(luma(reference), back, reference))


def cycle_psnrs(method: Callable, gray: np.ndarray, reference: np.ndarray,
                pred_chroma: np.ndarray, **options) -> tuple[float, float]:
    """(cycle PSNR per pixel, cycle PSNR on 16x16 block means) from one second-time pass.

    The pixel one also rewards reproducing the colour shot's noise; the block one does not."""
    back = cycle_chroma(method, gray, reference, pred_chroma, **options)
    truth = rgb_to_ycbcr(reference)[..., 1:]
    return chroma_psnr(back, truth), block_psnr(back, truth)
