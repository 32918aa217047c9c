"""Cycle CNN losses against reference implementations and known cases."""
import numpy as np
import torch
from skimage.metrics import structural_similarity

from colorstudio.core.color import rgb_to_ycbcr as np_ycc
from colorstudio.nets.colorspace import rgb_to_ycbcr, ycbcr_to_rgb
from colorstudio.training import losses as L


def test_ssim_matches_skimage():
    rng = np.random.default_rng(0)
    a = rng.random((40, 50)).astype(np.float32)
    b = np.clip(a + 0.1 * rng.standard_normal(a.shape), 0, 1).astype(np.float32)
    ref = structural_similarity(a, b, gaussian_weights=True, sigma=1.5,
                                use_sample_covariance=False, data_range=1.0)
    ours = float(L.ssim(torch.from_numpy(a)[None, None], torch.from_numpy(b)[None, None]))
    assert abs(ours - ref) < 1e-4


def test_structure_and_cycle_losses_are_zero_on_identity():
    x = torch.rand(1, 2, 32, 32)
    assert float(L.cycle_loss(x, x)) < 1e-6
    assert float(L.structure_loss(x[:, :1], x[:, :1])) < 1e-6
    assert float(L.cycle_loss(x, torch.rand(1, 2, 32, 32))) > 0.5


def test_smoothness_on_a_known_volume():
    v = torch.zeros(1, 2, 4, 4)
    v[:, 0, :, :2] = 1.0                        # a vertical edge between columns 1 and 2
    v[:, 1, :, 2:] = 1.0
    # x-differences: 2 channels x 4 rows x 3 pairs, 8 of 24 are 1 -> 1/3; y-differences all 0
    assert abs(float(L.smoothness_loss(v)) - 0.5 * (1 / 3)) < 1e-6
    assert float(L.smoothness_loss(torch.ones(1, 3, 5, 5))) == 0.0


def test_colorspace_twin_matches_numpy_and_inverts():
    rgb = np.random.default_rng(1).random((6, 7, 3)).astype(np.float32)
    t = torch.from_numpy(rgb).permute(2, 0, 1)[None]
    ycc = rgb_to_ycbcr(t)
    assert np.allclose(ycc[0].permute(1, 2, 0).numpy(), np_ycc(rgb), atol=1e-5)
    assert torch.allclose(ycbcr_to_rgb(ycc), t, atol=1e-5)


def test_chroma_mse_and_psnr():
    a = torch.full((1, 2, 4, 4), 0.5)
    b = a + 0.1
    assert abs(float(L.chroma_mse(a, b)) - 0.01) < 1e-6
    assert abs(float(L.psnr(a, b)) - 20.0) < 1e-3


def test_pooled_cycle_loss_compares_block_means_and_stops_rewarding_noise():
    g = torch.Generator().manual_seed(0)
    yy, xx = torch.meshgrid(torch.linspace(0, 1, 64), torch.linspace(0, 1, 96), indexing="ij")
    clean = torch.stack([0.5 + 0.1 * torch.sin(6 * xx), 0.5 + 0.1 * torch.cos(5 * yy)])[None]
    noisy = clean + 0.03 * torch.randn(clean.shape, generator=g)
    pooled = torch.nn.functional.avg_pool2d
    torch.testing.assert_close(L.cycle_loss(clean, noisy, pool=4), L.cycle_loss(pooled(clean, 4), pooled(noisy, 4)))
    assert float(L.cycle_loss(noisy, noisy, pool=4)) < 1e-6
    # against a noisy target the clean prediction is penalised far less once the noise is pooled away
    assert float(L.cycle_loss(clean, noisy, pool=4)) < 0.25 * float(L.cycle_loss(clean, noisy))
