"""Invariants of the synthesized stereo pairs (colorstudio.core.synth)."""
import numpy as np
import pytest

from colorstudio.core.color import luma
from colorstudio.core.synth import (SynthPair, add_signal_noise, degrade_pair,
                                    synthesize_from_photo, synthesize_from_stereo)


def _photo(h=120, w=200, seed=0):
    rng = np.random.default_rng(seed)
    base = rng.random((h // 8 + 1, w // 8 + 1, 3)).astype(np.float32)
    import cv2
    img = cv2.resize(base, (w, h), interpolation=cv2.INTER_CUBIC)
    return np.clip(img + 0.1 * rng.random((h, w, 3)), 0, 1).astype(np.float32)


def test_shapes_and_ranges():
    p = synthesize_from_photo(_photo(), np.random.default_rng(0), 2, max_disparity=20, crop=(64, 96))
    assert isinstance(p, SynthPair)
    assert p.gray.shape == (64, 96) and p.gray.dtype == np.float32
    assert p.reference.shape == (64, 96, 3) and p.truth_rgb.shape == (64, 96, 3)
    assert p.disparity.shape == (64, 96)
    for a in (p.gray, p.reference, p.truth_rgb):
        assert a.min() >= 0 and a.max() <= 1


def test_reference_downscale():
    p = synthesize_from_photo(_photo(), np.random.default_rng(0), 1, max_disparity=16,
                              crop=(64, 96), ref_scale=4)
    assert p.reference.shape == (16, 24, 3)


@pytest.mark.parametrize("side", ["left", "right"])
def test_disparity_sign_matches_warp(side):
    rng = np.random.default_rng(3)
    # compare the clean views: rebuild the pair with a noise-free degrade by reading truth
    p = synthesize_from_photo(_photo(seed=4), rng, 1, max_disparity=24, crop=(80, 120), side=side)
    d = p.disparity
    assert (np.sign(d[d != 0]) == (1 if side == "right" else -1)).all()
    # the reference at x + d shows the gray view's colour where the pixel is visible:
    # check on many pixels that most agree (occluded ones do not), up to the noise
    ys, xs = np.mgrid[5:75:3, 5:115:3]
    xr = np.round(xs + d[ys, xs]).astype(int)
    ok = (xr >= 0) & (xr < 120)
    err = np.abs(p.reference[ys[ok], xr[ok]] - p.truth_rgb[ys[ok], xs[ok]]).mean(-1)
    assert np.median(err) < 0.06
    # and a wrong sign would not match
    xw = np.round(xs - d[ys, xs]).astype(int)
    ok2 = (xw >= 0) & (xw < 120) & (np.abs(d[ys, xs]) > 3)
    err_w = np.abs(p.reference[ys[ok2], xw[ok2]] - p.truth_rgb[ys[ok2], xs[ok2]]).mean(-1)
    assert np.median(err_w) > np.median(err)


def test_truth_luma_equals_clean_gray_and_noise_level():
    rng = np.random.default_rng(5)
    view = np.full((200, 200, 3), 0.25, np.float32)
    gray, ref = degrade_pair(view, view, 2, rng)
    assert abs(float(np.std(gray)) - 0.01 * np.sqrt(0.25)) < 0.001
    assert abs(float(np.std(ref)) - 0.07 * np.sqrt(0.25)) < 0.004
    assert abs(float(gray.mean()) - float(luma(view).mean())) < 0.002
    p = synthesize_from_photo(_photo(), np.random.default_rng(6), 1, max_disparity=16, crop=(64, 96))
    resid = p.gray - luma(p.truth_rgb)
    assert abs(float(resid.mean())) < 0.003 and float(resid.std()) < 0.01


def test_setup3_changes_tone_not_structure():
    rng = np.random.default_rng(7)
    view = _photo(100, 100)
    g3, _ = degrade_pair(view, view, 3, rng)
    y = luma(view)
    assert np.abs(g3 - y).mean() > 0.01            # a different curve
    assert np.corrcoef(g3.ravel(), y.ravel())[0, 1] > 0.9   # same picture


def test_occlusions_exist():
    found = 0
    for seed in range(6):
        p = synthesize_from_photo(_photo(seed=seed), np.random.default_rng(seed), 1,
                                  max_disparity=30, crop=(80, 120), side="right", n_layers=(2, 4))
        d = p.disparity
        # a disparity step larger than 1 px along x means one surface hides another
        found += int((np.abs(np.diff(d, axis=1)) > 2).any())
    assert found >= 5


def test_deterministic_with_seed():
    a = synthesize_from_photo(_photo(), np.random.default_rng(42), 3, max_disparity=20, crop=(64, 96))
    b = synthesize_from_photo(_photo(), np.random.default_rng(42), 3, max_disparity=20, crop=(64, 96))
    assert np.array_equal(a.gray, b.gray) and np.array_equal(a.reference, b.reference)
    assert np.array_equal(a.disparity, b.disparity)


def test_signal_noise_scales_with_sqrt_value():
    rng = np.random.default_rng(8)
    for v in (0.09, 0.64):
        n = add_signal_noise(np.full((300, 300), v, np.float32), 0.05, rng) - v
        assert abs(float(n.std()) - 0.05 * np.sqrt(v)) < 0.1 * 0.05 * np.sqrt(v)


def test_from_stereo_directions():
    l, r = _photo(seed=1), _photo(seed=2)
    dl = np.full(l.shape[:2], 5.0, np.float32)
    p = synthesize_from_stereo(l, r, 1, "left", np.random.default_rng(0), disparity_left=dl)
    assert np.allclose(p.truth_rgb, l) and (p.disparity == -5).all()
    q = synthesize_from_stereo(l, r, 2, "right", np.random.default_rng(0))
    assert np.allclose(q.truth_rgb, r) and np.isnan(q.disparity).all()
    with pytest.raises(ValueError, match="direction must be 'left' or 'right', not 'up'"):
        synthesize_from_stereo(l, r, 1, "up", np.random.default_rng(0))


def test_a_16_bit_photo_is_read_as_its_tones_not_as_white():
    from colorstudio.core.synth import _unit_float

    rng = np.random.default_rng(0)
    rgb8 = rng.integers(0, 256, (48, 64, 3), dtype=np.uint8)
    a = synthesize_from_photo(rgb8, np.random.default_rng(1), 1)
    b = synthesize_from_photo((rgb8.astype(np.uint16) * 257), np.random.default_rng(1), 1)
    np.testing.assert_allclose(a.truth_rgb, b.truth_rgb, atol=1e-5)          # was all white (/ 255)
    assert _unit_float(np.array([1], np.uint8))[0] == np.float32(1 / 255)    # a dark 8-bit image too
