"""Colour-space conversions: round trips and known values."""
import numpy as np
import pytest

from colorstudio.core import color


@pytest.fixture
def rgb():
    return np.random.default_rng(0).random((64, 3)).astype(np.float32)


@pytest.mark.parametrize("fwd,inv,tol", [
    (color.rgb_to_ycbcr, color.ycbcr_to_rgb, 1e-5),
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


def test_compose_in_bands_equals_one_pixel_at_a_time():
    """A multi-band image (bands of rows, the last one short) gives what the per-pixel
    definition gives: the largest s in [0, 1] keeping y + s * delta inside [0, 1]."""
    rng = np.random.default_rng(4)
    y = rng.random((301, 517)).astype(np.float32)                # 155k px: 3 bands
    chroma = rng.random((301, 517, 2)).astype(np.float32)
    y[0, :3], chroma[0, :3] = (0.0, 1.0, 0.5), 0.5                # black, white, neutral
    out = color.compose(y, chroma)
    delta = (chroma.reshape(-1, 2) - 0.5) @ color._YCC2RGB[:, 1:].T
    yy = y.reshape(-1, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        room = np.where(delta > 0, (1 - yy) / delta, np.where(delta < 0, -yy / delta, np.inf))
    expected = np.clip(yy + np.clip(room.min(1, keepdims=True), 0, 1) * delta, 0, 1)
    np.testing.assert_allclose(out.reshape(-1, 3), expected, atol=1e-6)
    np.testing.assert_allclose(out[0, :3], [[0, 0, 0], [1, 1, 1], [0.5, 0.5, 0.5]], atol=1e-6)
