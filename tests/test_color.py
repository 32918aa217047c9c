"""Colour-space conversions: round trips and known values."""
import numpy as np
import pytest

from colorstudio.core import color


@pytest.fixture
def rgb():
    return np.random.default_rng(0).random((64, 3)).astype(np.float32)


@pytest.mark.parametrize("fwd,inv,tol", [
    (color.rgb_to_ycbcr, color.ycbcr_to_rgb, 1e-5),
    (color.rgb_to_lab, color.lab_to_rgb, 1e-4),
    (color.rgb_to_hsv, color.hsv_to_rgb, 1e-5),
])
def test_round_trip(rgb, fwd, inv, tol):
    np.testing.assert_allclose(inv(fwd(rgb)), rgb, atol=tol)


def test_ycbcr_known_values():
    # BT.601 full range: white -> (1, .5, .5), pure red -> (0.299, 0.5-0.1687, 1.0)
    out = color.rgb_to_ycbcr(np.array([[1, 1, 1], [1, 0, 0], [0, 0, 0]], np.float32))
    np.testing.assert_allclose(out[0], [1, .5, .5], atol=1e-6)
    np.testing.assert_allclose(out[1], [0.299, 0.5 - 0.168736, 1.0], atol=1e-5)
    np.testing.assert_allclose(out[2], [0, .5, .5], atol=1e-6)


def test_gray_has_neutral_chroma_and_compose_keeps_luma(rgb):
    g = rgb[:, :1].repeat(3, axis=1)
    np.testing.assert_allclose(color.rgb_to_ycbcr(g)[:, 1:], 0.5, atol=1e-6)
    y = color.luma(rgb)
    chroma = color.rgb_to_ycbcr(rgb)[:, 1:]
    np.testing.assert_allclose(color.luma(color.compose(y, chroma)), y, atol=1e-5)


def test_lab_matches_opencv(rgb):
    cv2 = pytest.importorskip("cv2")
    ours = color.rgb_to_lab(rgb)
    theirs = cv2.cvtColor(rgb[None], cv2.COLOR_RGB2Lab)[0]
    np.testing.assert_allclose(ours, theirs, atol=0.5)


def test_hsv_matches_opencv_and_wraps(rgb):
    cv2 = pytest.importorskip("cv2")
    theirs = cv2.cvtColor(rgb[None], cv2.COLOR_RGB2HSV)[0]
    ours = color.rgb_to_hsv(rgb)
    np.testing.assert_allclose(ours[:, 0] * 360, theirs[:, 0], atol=0.05)
    np.testing.assert_allclose(ours[:, 1:], theirs[:, 1:], atol=1e-5)
    hsv = np.array([[1.0, 1.0, 1.0], [0.0, 1.0, 1.0]], np.float32)  # hue 1 == hue 0
    np.testing.assert_allclose(color.hsv_to_rgb(hsv)[0], color.hsv_to_rgb(hsv)[1])


def test_compose_keeps_luma_exactly_for_out_of_gamut_chroma():
    rng = np.random.default_rng(3)
    y = rng.random(500).astype(np.float32)
    chroma = rng.random((500, 2)).astype(np.float32)  # many of these are far out of gamut
    rgb = color.compose(y, chroma)
    assert rgb.min() >= 0 and rgb.max() <= 1
    np.testing.assert_allclose(color.luma(rgb), y, atol=1e-5)
    # the hue is kept: chroma direction is unchanged, only shortened
    c_in = chroma - 0.5
    c_out = color.rgb_to_ycbcr(rgb)[:, 1:] - 0.5
    cos = (c_in * c_out).sum(1) / (np.linalg.norm(c_in, axis=1) * np.linalg.norm(c_out, axis=1) + 1e-9)
    assert np.all(cos[np.linalg.norm(c_out, axis=1) > 1e-3] > 0.999)
