"""The true-disparity oracle of the stereo benchmark: splatting, filling and warping."""
import numpy as np

from colorstudio.bench.stereo_oracle import fill_rows, oracle_chroma, right_disparity, unmatched_mask
from colorstudio.core.color import rgb_to_ycbcr


def test_right_disparity_splats_and_keeps_the_nearest_surface():
    d = np.full((1, 10), 2.0, np.float32)
    d[0, 6] = 3.0  # pixel 6 lands on x=3, where pixel 5 (d=2) lands too: the nearer (3) wins
    r = right_disparity(d)
    assert r[0, 3] == 3.0
    assert r[0, 0] == 2.0 and r[0, 7] == 2.0
    assert np.isnan(r[0, 8]) and np.isnan(r[0, 9])  # nothing of the left view lands there


def test_fill_rows_takes_the_nearest_known_value():
    row = np.array([[np.nan, 1.0, np.nan, np.nan, 5.0, np.inf]], np.float32)
    assert fill_rows(row).tolist() == [[1.0, 1.0, 1.0, 5.0, 5.0, 5.0]]
    assert fill_rows(np.full((1, 3), np.nan)).tolist() == [[0.0, 0.0, 0.0]]


def test_oracle_recovers_a_known_shift_both_ways():
    rng = np.random.default_rng(0)
    h, w, shift = 24, 64, 5
    scene = rng.random((h, w + shift, 3)).astype(np.float32)
    left, right = scene[:, :w], scene[:, shift:]  # x_right = x_left - shift (Middlebury sign)
    disp_left = np.full((h, w), float(shift), np.float32)
    gray_l = rgb_to_ycbcr(left)[..., 0]
    got = oracle_chroma(gray_l, right, disp_left, gray_is_left=True, smooth=False)
    np.testing.assert_allclose(got[:, shift:], rgb_to_ycbcr(left)[:, shift:, 1:], atol=1e-5)
    gray_r = rgb_to_ycbcr(right)[..., 0]
    got = oracle_chroma(gray_r, left, disp_left, gray_is_left=False, smooth=False)
    np.testing.assert_allclose(got[:, :w - shift], rgb_to_ycbcr(right)[:, :w - shift, 1:], atol=1e-5)


def test_unmatched_mask_marks_the_half_occlusion_beside_a_nearer_surface():
    # background at d=2, a foreground block at d=6 over columns 10..15 of the left view
    d = np.full((1, 30), 2.0, np.float32)
    d[0, 10:16] = 6.0
    left = unmatched_mask(d, gray_is_left=True)
    # columns 0..1 look outside the right view; background columns 6..9 land on x=4..7 of the
    # right view, where the block (x_right = 4..9) is nearer: hidden
    assert left[0, :2].all() and left[0, 6:10].all()
    assert not left[0, 2:6].any() and not left[0, 10:].any()
    right = unmatched_mask(d, gray_is_left=False)
    # the right view's x = 10..13 would show the background hidden behind the block in the left
    # view (x_left = x + 2 = 12..15 is the block): nothing of the left view lands there
    assert right[0, 10:14].all()
    assert not right[0, 4:10].any() and not right[0, 14:28].any()
    assert right[0, 28:].all()  # the left view ends at x_left = 29
    d[0, 20] = np.nan  # unknown disparity: unmatched
    assert unmatched_mask(d, gray_is_left=True)[0, 20]
