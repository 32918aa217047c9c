"""Metrics against known values and scikit-image; the cycle helper's role swap."""
from __future__ import annotations

import math

import numpy as np
import pytest
from skimage.metrics import structural_similarity

from colorstudio.core import metrics
from colorstudio.core.color import compose, luma, rgb_to_ycbcr
from colorstudio.core.result import ChromaResult


def _rand(shape, seed=0):
    return np.random.default_rng(seed).random(shape).astype(np.float32)


def test_psnr_of_a_known_mse():
    a = np.zeros((10, 10), np.float32)
    assert metrics.psnr(a, a + 0.1) == pytest.approx(20.0, abs=1e-4)      # MSE 0.01
    assert metrics.psnr(a, a + 0.5, data_range=0.5) == pytest.approx(0.0, abs=1e-6)
    assert metrics.psnr(a, a) == float("inf")
    with pytest.raises(ValueError, match="shapes differ"):
        metrics.psnr(a, np.zeros((1, a.shape[1])))        # shapes numpy would broadcast: refused all the same


def test_ssim_is_one_for_identical_images():
    x = _rand((32, 40, 3))
    assert metrics.ssim(x, x) == pytest.approx(1.0, abs=1e-9)


@pytest.mark.parametrize("shape", [(48, 64), (48, 64, 3)])
def test_ssim_matches_scikit_image(shape):
    x = _rand(shape, 1)
    y = np.clip(x + 0.15 * np.random.default_rng(2).standard_normal(shape), 0, 1).astype(np.float32)
    ref = structural_similarity(x, y, gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
                                data_range=1.0, channel_axis=-1 if len(shape) == 3 else None)
    assert metrics.ssim(x, y) == pytest.approx(ref, abs=1e-4)
    assert metrics.ssim(x, y) < 0.9


def test_colourfulness_known_values():
    gray = np.repeat(_rand((20, 20))[..., None], 3, axis=2)
    assert metrics.colourfulness(gray) == pytest.approx(0.0, abs=1e-9)
    half = np.zeros((2, 2, 3), np.float32)
    half[0, :, 0] = 1.0   # red row: rg = 255, yb = 127.5
    half[1, :, 1] = 1.0   # green row: rg = -255, yb = 127.5
    # sigma = std(rg) = 255; mu = |mean yb| = 127.5 -> 255 + 0.3 * 127.5
    assert metrics.colourfulness(half) == pytest.approx(293.25, abs=1e-6)


def test_chroma_and_rgb_scores_on_the_grays_own_luma():
    truth = _rand((24, 30, 3), 3)
    gray = np.clip(luma(truth) * 0.8 + 0.05, 0, 1)          # a mono camera with another tone
    truth_chroma = rgb_to_ycbcr(truth)[..., 1:]
    assert metrics.chroma_psnr(truth_chroma, truth_chroma) == float("inf")
    assert metrics.rgb_psnr(gray, truth_chroma, truth) == float("inf")   # luma error excluded
    assert metrics.rgb_ssim(gray, truth_chroma, truth) == pytest.approx(1.0)
    off = np.clip(truth_chroma + 0.05, 0, 1)
    expected = metrics.psnr(compose(gray, off), compose(gray, truth_chroma))
    assert metrics.rgb_psnr(gray, off, truth) == pytest.approx(expected)
    assert metrics.chroma_psnr(off, truth_chroma) < 30


def test_mirrored_options_swap_the_camera_side():
    assert metrics.mirrored_options({"side": "left", "x": 1}) == {"side": "right", "x": 1}
    assert metrics.mirrored_options({"side": "right"}) == {"side": "left"}
    assert metrics.mirrored_options({}) == {}


def test_cycle_psnr_colorizes_the_reference_luma_with_the_result_as_reference():
    gray_rgb, ref_rgb = _rand((16, 20, 3), 4), _rand((16, 20, 3), 5)
    gray = luma(gray_rgb)
    pred = rgb_to_ycbcr(gray_rgb)[..., 1:]
    calls = []

    def oracle(g, r, **options):
        calls.append((g, r, options))
        return ChromaResult(rgb_to_ycbcr(ref_rgb)[..., 1:])   # a perfect second pass

    score = metrics.cycle_psnr(oracle, gray, ref_rgb, pred, side="right")
    assert score == float("inf")
    g2, r2, opts = calls[0]
    np.testing.assert_allclose(g2, luma(ref_rgb), atol=1e-6)           # the reference's luma ...
    np.testing.assert_allclose(r2, compose(gray, pred), atol=1e-6)     # ... coloured from the result
    assert opts == {"side": "left"}                                      # views swapped


def test_cycle_psnr_of_a_real_method_is_finite_and_high_for_a_perfect_start():
    from colorstudio.core.baselines import dis_flow_warp_guided

    rgb = _rand((40, 60, 3), 6)
    import cv2
    rgb = cv2.GaussianBlur(rgb, (0, 0), 2)
    gray = luma(rgb)
    score = metrics.cycle_psnr(dis_flow_warp_guided, gray, rgb, rgb_to_ycbcr(rgb)[..., 1:])
    assert np.isfinite(score) and score > 35


def test_block_psnr_averages_pixel_noise_out_but_keeps_colour_errors():
    rng = np.random.default_rng(0)
    truth = np.tile(np.linspace(0.3, 0.7, 64, dtype=np.float32), (48, 1))[..., None].repeat(2, -1)
    noisy = truth + rng.normal(0, 0.025, truth.shape).astype(np.float32)
    assert metrics.psnr(noisy, truth) == pytest.approx(32.0, abs=0.3)
    assert metrics.block_psnr(noisy, truth) > 52.0            # 16x16 means: sigma / 16
    shifted = truth + 0.01                                    # a colour error survives the means
    assert metrics.block_psnr(shifted, truth) == pytest.approx(40.0, abs=0.01)
    means = metrics.block_means(np.arange(36.0).reshape(6, 6), 3)   # ragged borders: none here
    assert means.tolist() == [[7.0, 10.0], [25.0, 28.0]]
    assert metrics.block_means(np.zeros((35, 40)), 16).shape == (2, 2)
    with pytest.raises(ValueError, match="smaller than one 16x16 block"):
        metrics.block_means(np.zeros((8, 40)), 16)


def test_cycle_psnrs_gives_the_pixel_and_block_scores_of_one_round_trip():
    rng = np.random.default_rng(1)
    ref = rng.uniform(0.2, 0.8, (32, 48, 3)).astype(np.float32)
    gray = luma(ref)
    calls = []

    def method(g, r, **o):
        calls.append(1)
        return ChromaResult(rgb_to_ycbcr(r)[..., 1:] * 0.9 + 0.05)

    pred = method(gray, ref).chroma
    pixel, blocks = metrics.cycle_psnrs(method, gray, ref, pred)
    assert pixel == pytest.approx(metrics.cycle_psnr(method, gray, ref, pred))
    assert math.isfinite(blocks) and len(calls) == 3


def test_cycle_ssim_is_one_for_a_perfect_round_trip_and_drops_for_a_wrong_one():
    rng = np.random.default_rng(3)
    ref = rng.uniform(0.1, 0.9, (40, 50, 3)).astype(np.float32)
    gray = ref.mean(axis=2).astype(np.float32)

    def honest(g, r, **o):      # the second pass gets the reference's true chroma back
        return ChromaResult(rgb_to_ycbcr(ref)[..., 1:].astype(np.float32))

    def washed_out(g, r, **o):  # half-way to neutral
        return ChromaResult((rgb_to_ycbcr(ref)[..., 1:] * 0.5 + 0.25).astype(np.float32))

    pred = honest(gray, ref).chroma
    psnr_ok, ssim_ok = metrics.cycle_psnr_ssim(honest, gray, ref, pred)
    psnr_bad, ssim_bad = metrics.cycle_psnr_ssim(washed_out, gray, ref, pred)
    assert ssim_ok == pytest.approx(1.0, abs=1e-6) and psnr_ok > 60
    assert ssim_bad < ssim_ok - 0.01 and psnr_bad < psnr_ok - 20
