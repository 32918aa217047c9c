"""The engines' chroma upsampler (core.guided.detail_upsample_chroma): bicubic + the gray's detail."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from colorstudio.core.guided import detail_upsample_chroma, guided_upsample_chroma


def _smooth_scene(h=121, w=163, seed=0):
    """(gray, true chroma): smooth colour regions, a sharp luma edge the chroma follows, a
    colour edge of equal luma (which the gray cannot show) and luma texture the colour lacks."""
    rng = np.random.default_rng(seed)
    edge = np.zeros((h, w), np.float32)
    edge[:, 2 * w // 3 + 1:] = 1.0
    colour_edge = np.zeros((h, w), np.float32)
    colour_edge[h // 2 + 1:, :] = 1.0
    tex = cv2.GaussianBlur(rng.random((h, w)).astype(np.float32), (0, 0), 1.0)
    gray = np.clip(0.2 + 0.5 * edge + 0.4 * (tex - tex.mean()), 0, 1).astype(np.float32)
    smooth = cv2.GaussianBlur(rng.random((h, w, 2)).astype(np.float32), (0, 0), 12)
    chroma = (0.5 + 1.5 * (smooth - smooth.mean((0, 1))) + 0.2 * (edge[..., None] - 0.5)
              + 0.25 * (colour_edge[..., None] - 0.5) * np.array([1, -1], np.float32))
    return gray, np.clip(chroma, 0, 1).astype(np.float32)


def test_equal_sizes_return_the_chroma_unsmoothed():
    gray, chroma = _smooth_scene()
    np.testing.assert_array_equal(detail_upsample_chroma(chroma, gray), chroma)


def test_a_constant_chroma_stays_constant_whatever_the_gray():
    gray = np.random.default_rng(2).random((90, 130)).astype(np.float32)
    out = detail_upsample_chroma(np.full((20, 31, 2), 0.37, np.float32), gray)
    np.testing.assert_allclose(out, 0.37, atol=1e-5)


@pytest.mark.parametrize("size_hw", [(40, 55), (17, 23), (121 // 5, 163 // 5)])
def test_odd_factors_give_the_gray_size_in_range(size_hw):
    gray, chroma = _smooth_scene()
    low = cv2.resize(chroma, size_hw[::-1], interpolation=cv2.INTER_AREA)
    out = detail_upsample_chroma(low, gray)
    assert out.shape == (121, 163, 2) and out.dtype == np.float32
    assert 0.0 <= out.min() and out.max() <= 1.0


def test_it_beats_bicubic_and_the_smoothing_guided_filter_on_a_reduced_true_chroma():
    gray, chroma = _smooth_scene()
    low = cv2.resize(chroma, (163 // 4, 121 // 4), interpolation=cv2.INTER_AREA)
    err = lambda c: float(np.mean((c - chroma) ** 2))
    bicubic = np.clip(cv2.resize(low, (163, 121), interpolation=cv2.INTER_CUBIC), 0, 1)
    detail = err(detail_upsample_chroma(low, gray))
    assert detail < err(bicubic)                             # the gray's edge is put back
    assert detail < 0.5 * err(guided_upsample_chroma(low, gray))   # and nothing is smeared


def test_without_detail_it_is_plain_bicubic():
    gray, chroma = _smooth_scene()
    low = cv2.resize(chroma, (50, 37), interpolation=cv2.INTER_AREA)
    bicubic = np.clip(cv2.resize(low, (163, 121), interpolation=cv2.INTER_CUBIC), 0, 1)
    np.testing.assert_allclose(detail_upsample_chroma(low, gray, gain=0), bicubic, atol=1e-6)


def test_bad_shapes_are_refused():
    with pytest.raises(ValueError, match="need chroma"):
        detail_upsample_chroma(np.zeros((10, 10, 3), np.float32), np.zeros((20, 20), np.float32))
