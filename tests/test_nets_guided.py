"""The torch guided filter that runs in every CCDC forward pass: its box filter against a
brute-force window mean, and the filter against the numpy one of core.guided away from the
borders (the torch one clips its windows at the borders, the numpy one reflects)."""
import numpy as np
import torch

from colorstudio.core.guided import guided_filter as numpy_guided_filter
from colorstudio.nets.guided import box_filter, guided_filter


def test_the_box_filter_is_the_mean_over_the_window_clipped_to_the_image():
    x = torch.from_numpy(np.random.default_rng(0).random((1, 2, 9, 13)).astype(np.float32))
    r = 2
    got = box_filter(x, r)[0].numpy()
    want = np.zeros_like(got)
    for y in range(9):
        for xx in range(13):
            want[:, y, xx] = x[0, :, max(0, y - r):y + r + 1, max(0, xx - r):xx + r + 1].numpy().mean(axis=(1, 2))
    np.testing.assert_allclose(got, want, atol=1e-5)


def test_the_guided_filter_matches_the_numpy_one_inside_the_image():
    rng = np.random.default_rng(1)
    guide = rng.random((32, 40)).astype(np.float32)
    src = np.clip(guide[..., None] * 0.5 + 0.1 * rng.random((32, 40, 2)), 0, 1).astype(np.float32)
    r, eps = 3, 1e-3
    ours = guided_filter(torch.from_numpy(guide)[None, None], torch.from_numpy(src).permute(2, 0, 1)[None], r, eps)
    ours = ours[0].permute(1, 2, 0).numpy()
    theirs = numpy_guided_filter(guide, src, r, eps)
    inner = (slice(2 * r, -2 * r), slice(2 * r, -2 * r))
    np.testing.assert_allclose(ours[inner], theirs[inner], atol=1e-4)
    assert np.abs(ours - src).max() > 1e-3                      # it does filter
