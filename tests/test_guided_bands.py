"""The guided filter's banded upsampling of its coefficients equals the one-shot formula.

``_apply_coefficients`` computes q = up(a) * guide + up(b), up = cv2.resize INTER_LINEAR to
the guide's size, in bands of ``_BAND_ROWS`` full-resolution rows. Here it is checked against
the one-shot computation on a guide tall enough for several bands, with a last band cut short.
"""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from colorstudio.core import guided
from colorstudio.core.guided import _apply_coefficients


def _reference(a, b, guide, clip=False):
    """q = resize(a) * guide + resize(b), all at once (float64 for the products)."""
    H, W = guide.shape
    up = lambda p: cv2.resize(p, (W, H), interpolation=cv2.INTER_LINEAR).reshape(H, W, *p.shape[2:])
    ua, ub = up(a).astype(np.float64), up(b).astype(np.float64)
    g = guide.astype(np.float64)
    q = ua * (g[..., None] if ua.ndim == 3 else g) + ub
    return np.clip(q, 0.0, 1.0) if clip else q


# more than two bands of rows and a row count no multiple of the band: the last band is short,
# and the low-resolution rows each band needs start part-way into the coefficient planes
SHAPES = [((53, 41), (700, 333)), ((97, 60), (613, 257)), ((7, 9), (530, 70))]


@pytest.mark.parametrize("low, full", SHAPES)
def test_banded_upsampling_equals_the_one_shot_resize(low, full):
    (h, w), (H, W) = low, full
    assert H > 2 * guided._BAND_ROWS and H % guided._BAND_ROWS
    rng = np.random.default_rng(H * W)
    a = rng.uniform(-2, 2, (h, w)).astype(np.float32)
    b = rng.uniform(-1, 1, (h, w)).astype(np.float32)
    guide = rng.uniform(0, 1, (H, W)).astype(np.float32)
    out = _apply_coefficients(a, b, guide)
    assert out.shape == (H, W) and out.dtype == np.float32
    np.testing.assert_allclose(out, _reference(a, b, guide), atol=1e-5, rtol=0)


def test_banded_upsampling_of_several_channels_with_clipping():
    (h, w), (H, W) = (61, 48), (777, 310)
    rng = np.random.default_rng(5)
    a = rng.uniform(-2, 2, (h, w, 2)).astype(np.float32)
    b = rng.uniform(-1, 1, (h, w, 2)).astype(np.float32)
    guide = rng.uniform(0, 1, (H, W)).astype(np.float32)
    out = _apply_coefficients(a, b, guide)
    assert out.shape == (H, W, 2)
    np.testing.assert_allclose(out, _reference(a, b, guide), atol=1e-5, rtol=0)
    clipped = _apply_coefficients(a, b, guide, clip=True)
    np.testing.assert_allclose(clipped, _reference(a, b, guide, clip=True), atol=1e-5, rtol=0)
    assert clipped.min() >= 0 and clipped.max() <= 1


def test_smooth_coefficients_give_a_smooth_result_across_band_seams():
    """A vertical ramp in ``b`` (a = 0) comes out as the linearly interpolated ramp, with no
    step at the rows where one band ends and the next begins."""
    h, w, H, W = 40, 3, 600, 5
    b = np.repeat(np.linspace(0, 1, h, dtype=np.float32)[:, None], w, 1)
    out = _apply_coefficients(np.zeros_like(b), b, np.ones((H, W), np.float32))
    src_y = np.clip((np.arange(H) + 0.5) * h / H - 0.5, 0, h - 1)        # cv2's INTER_LINEAR sampling
    np.testing.assert_allclose(out[:, 2], src_y / (h - 1), atol=1e-5)
    steps = np.diff(out[:, 2])
    assert steps.max() <= 1.0 / (h - 1) * h / H + 1e-5                   # never more than one row's worth
