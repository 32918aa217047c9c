"""Histogram matching of the reference luma to the gray (the global tone alignment every
pair method gets) and its sort-based quantiles."""
from __future__ import annotations

import numpy as np
import pytest

from colorstudio.core.luma_matching import _quantiles, match_luma


@pytest.mark.parametrize("n", [1, 2, 7, 1000, 250_001])
def test_quantiles_equal_numpys_linear_rule(n):
    x = np.random.default_rng(n).random(n).astype(np.float32)
    q = np.linspace(0.0, 1.0, 256)
    np.testing.assert_allclose(_quantiles(x, q), np.quantile(x, q), rtol=0, atol=1e-7)   # float32 data: equal to its precision


def test_match_luma_recovers_a_known_tone_curve():
    rng = np.random.default_rng(0)
    target = rng.random((300, 400)).astype(np.float32)
    source = target ** 2.2 * 0.8                    # another camera's tone curve, same scene
    matched = match_luma(source, target)
    assert matched.dtype == np.float32 and matched.shape == source.shape
    assert np.abs(matched - target).max() < 0.01    # monotone curve: matching undoes it
    assert np.abs(source - target).mean() > 0.1


def test_match_luma_keeps_order_on_flat_regions():
    source = np.repeat(np.linspace(0.2, 0.4, 50, dtype=np.float32), 40).reshape(50, 40)
    source[:10] = 0.3                                # many equal values: quantiles repeat
    matched = match_luma(source, np.linspace(0, 1, 2000, dtype=np.float32).reshape(40, 50))
    order = np.argsort(source.ravel(), kind="stable")
    assert np.all(np.diff(matched.ravel()[order]) >= -1e-6)


def test_unmatch_luma_undoes_the_matching_even_where_the_targets_quantiles_repeat():
    """The stereo curve and CCDC's warped reference are shown on the colour shot's own luma: the
    matched values are brought back through the inverse of the matching map."""
    from colorstudio.core.luma_matching import luma_matching, unmatch_luma

    source = np.random.default_rng(1).random((200, 300)).astype(np.float32) ** 1.5
    for target in (source ** 0.7, np.clip(source * 1.5, 0, 1)):        # the second clips: repeated quantiles
        matching = luma_matching(source, target)
        matched = np.interp(source, *matching)
        np.testing.assert_allclose(matched, match_luma(source, target), atol=1e-6)
        back = unmatch_luma(matched, matching)
        unclipped = matched < 0.999
        assert back.dtype == np.float32 and np.abs(back - source)[unclipped].max() < 2e-3
