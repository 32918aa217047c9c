"""Losses of the Cycle CNN (and Dong et al. 2019 supervised pretraining).

All images are (B, C, H, W) float in [0, 1] (chroma centred on 0.5).
SSIM matches ``skimage.metrics.structural_similarity(gaussian_weights=True, sigma=1.5,
use_sample_covariance=False, data_range=1)`` (11x11 Gaussian window, 'valid' mean).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

_C1, _C2 = 0.01 ** 2, 0.03 ** 2
SSIM_WINDOW = 11      # px a side: an image compared by SSIM must be at least this large


def _gauss_window(size: int = SSIM_WINDOW, sigma: float = 1.5, dtype=torch.float32, device=None):
    x = torch.arange(size, dtype=dtype, device=device) - (size - 1) / 2
    g = torch.exp(-x ** 2 / (2 * sigma ** 2))
    return g / g.sum()


def ssim_map(x: torch.Tensor, y: torch.Tensor, size: int = SSIM_WINDOW, sigma: float = 1.5) -> torch.Tensor:
    """Per-pixel SSIM, (B,C,H,W) -> (B,C,H-size+1,W-size+1) (separable Gaussian, no padding)."""
    C = x.shape[1]
    g = _gauss_window(size, sigma, x.dtype, x.device)
    gx = g.view(1, 1, 1, size).expand(C, 1, 1, size)
    gy = g.view(1, 1, size, 1).expand(C, 1, size, 1)

    def blur(t):
        return F.conv2d(F.conv2d(t, gx, groups=C), gy, groups=C)

    mx, my = blur(x), blur(y)
    sxx = blur(x * x) - mx * mx
    syy = blur(y * y) - my * my
    sxy = blur(x * y) - mx * my
    return ((2 * mx * my + _C1) * (2 * sxy + _C2)) / ((mx * mx + my * my + _C1) * (sxx + syy + _C2))


def ssim(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean SSIM over batch, channels and pixels (a scalar)."""
    return ssim_map(x, y).mean()


def structure_loss(aligned_colour_y: torch.Tensor, gray: torch.Tensor) -> torch.Tensor:
    """GCA structure loss 1 - SSIM(T(I_C^Y), I_G); (B,1,H,W) each."""
    return 1.0 - ssim(aligned_colour_y, gray)


def cycle_loss(pred_cbcr: torch.Tensor, ref_cbcr: torch.Tensor, pool: int = 1) -> torch.Tensor:
    """1 - (SSIM(Cb) + SSIM(Cr)) / 2 on (B,2,H,W) chroma; with ``pool`` > 1 both are first
    averaged over pool x pool blocks, so the colour shot's pixel noise (pool^2 times less
    variance there) is no longer a structure the round trip is rewarded for reproducing."""
    if pool > 1:
        pred_cbcr, ref_cbcr = F.avg_pool2d(pred_cbcr, pool), F.avg_pool2d(ref_cbcr, pool)
    return 1.0 - 0.5 * (ssim(pred_cbcr[:, :1], ref_cbcr[:, :1]) + ssim(pred_cbcr[:, 1:], ref_cbcr[:, 1:]))


def smoothness_loss(weights: torch.Tensor) -> torch.Tensor:
    """mean |V_W - its 4 neighbours| over a (B,D,H,W) weight volume (each neighbour pair
    counted in both directions, so the mean of the x and y absolute differences)."""
    dx = (weights[..., :, 1:] - weights[..., :, :-1]).abs().mean()
    dy = (weights[..., 1:, :] - weights[..., :-1, :]).abs().mean()
    return 0.5 * (dx + dy)


def chroma_mse(pred_cbcr: torch.Tensor, truth_cbcr: torch.Tensor) -> torch.Tensor:
    """Dong 2019 supervised loss: mean squared chroma error (0..1 scale)."""
    return F.mse_loss(pred_cbcr, truth_cbcr)


def psnr(pred: torch.Tensor, truth: torch.Tensor) -> torch.Tensor:
    """PSNR in dB for [0,1] data."""
    mse = F.mse_loss(pred, truth).clamp_min(1e-10)
    return 10.0 * torch.log10(1.0 / mse)
