"""The diagnostics mean what they say, not only that they are there: the stereo curve goes from
the colour camera's own luma to the mono luma (a known tone curve is recovered through the tone
matching that runs first), CCDC's warped reference keeps the colour shot's brightness, the
flow's colour wheel turns the documented way, and info.json says what each PNG's colours stand
for (each map is stretched to its own range)."""
from __future__ import annotations

import json
from types import SimpleNamespace

import cv2
import numpy as np
import pytest

from colorstudio import paths
from colorstudio.core import diagnostic_maps as maps
from colorstudio.core.color import rgb_to_ycbcr
from colorstudio.engine.diagnostics_io import write_diagnostics

torch = pytest.importorskip("torch")


@pytest.fixture(scope="module")
def colour_view() -> np.ndarray:
    """The example pair's colour shot at 370 x 250, RGB [0, 1]."""
    bgr = cv2.imread(str(paths.examples_dir() / "motorcycle_color.jpg"))
    return cv2.resize(bgr[..., ::-1].astype(np.float32) / 255, (370, 250), interpolation=cv2.INTER_AREA)


def test_the_stereo_curve_recovers_the_mono_cameras_tone_curve(colour_view):
    """The gray is the colour view's luma through gamma 0.7. The reference's luma is histogram-
    matched to the gray before the nets, so GCA's own curve is near the identity; the curve
    reported (and drawn) is the two steps together and must be the gamma (it read 59.7 at 64
    where the gamma gives 96.9)."""
    from colorstudio.engine.stereo import colorize_stereo

    gray = np.clip(rgb_to_ycbcr(colour_view)[..., 0], 0, 1) ** 0.7
    curve = json.loads(json.dumps(colorize_stereo(gray.astype(np.float32), colour_view, match_side="right",
                                                  max_disparity=16).diagnostics["curve"]))
    x, y = np.array(curve["x"]), np.array(curve["y"])
    assert len(x) == len(y) == 64 and x[0] == 0 and x[-1] == 252
    for at in (64, 128, 192):
        assert abs(np.interp(at, x, y) - 255 * (at / 255) ** 0.7) < 8, at
    pairs = np.array(curve["pairs"])
    lit = (pairs > 10).all(1)
    exponent = np.polyfit(np.log(pairs[lit, 0] / 255), np.log(pairs[lit, 1] / 255), 1)[0]
    assert abs(exponent - 0.7) < 0.08                       # the pairs are in the colour camera's own luma
    assert abs(np.interp(128, curve["gca"]["x"], curve["gca"]["y"]) - 128) < 12     # GCA's part: near identity
    assert abs(np.interp(64, curve["tone_match"]["x"], curve["tone_match"]["y"]) - 96.9) < 8


def test_ccdcs_warped_reference_keeps_the_colour_shots_brightness(colour_view):
    """The net moves the reference with its luma matched to the gray; the picture of the moved
    colour shot is in the shot's own brightness (it had the gray's: 0.008 from the gray, 0.096
    from the reference)."""
    from colorstudio.engine.crosscam import colorize_crosscam

    gray = np.clip(rgb_to_ycbcr(colour_view)[..., 0], 0, 1) ** 0.7
    small = cv2.resize(colour_view, (185, 125), interpolation=cv2.INTER_AREA)
    warped = colorize_crosscam(gray.astype(np.float32), small).diagnostics["warped_reference"]
    warped_y = rgb_to_ycbcr(warped)[..., 0]
    own_y = cv2.resize(rgb_to_ycbcr(colour_view)[..., 0], warped_y.shape[::-1], interpolation=cv2.INTER_AREA)
    gray_y = cv2.resize(gray, warped_y.shape[::-1], interpolation=cv2.INTER_AREA)
    inner = (slice(8, -8), slice(8, -8))
    assert np.abs(warped_y - own_y)[inner].mean() < 0.03
    assert np.abs(warped_y - gray_y)[inner].mean() > 0.06


@pytest.mark.parametrize("direction, rgb", [((1, 0), (1, 0, 0)), ((0, 1), (0.5, 1, 0)), ((-1, 0), (0, 1, 1)),
                                            ((0, -1), (0.5, 0, 1))])
def test_the_flow_colour_wheel_turns_as_its_legend_says(direction, rgb):
    """Right red, down yellow-green, left cyan, up violet (image rows grow downwards)."""
    flow = np.zeros((4, 4, 2), np.float32)
    flow[..., 0], flow[..., 1] = 3 * direction[0], 3 * direction[1]
    np.testing.assert_allclose(maps.flow_to_rgb(flow)[0, 0], rgb, atol=0.01)
    words = maps.legend("flow", flow)["shows"]
    assert "red: right" in words and "yellow-green: down" in words and "cyan: left" in words and "violet: up" in words


def test_info_json_says_what_each_pictures_colours_stand_for(tmp_path):
    disparity = np.tile(np.linspace(-20, -4, 64, dtype=np.float32), (32, 1))
    visibility = np.tile(np.linspace(-0.2, 0.2, 64, dtype=np.float32), (32, 1))
    flow = np.zeros((32, 64, 2), np.float32)
    flow[..., 0] = 6.0
    result = SimpleNamespace(diagnostics={"disparity": disparity, "entropy": disparity * 0 + 1.5,
                                          "visibility_0": visibility, "flow": flow,
                                          "confidence": np.full((32, 64), 0.04, np.float32), "curve": {"x": [0]}},
                             method="cyclecnn", seconds=0.1, info={})
    write_diagnostics(result, tmp_path, "orange-blue")
    pictures = json.loads((tmp_path / "info.json").read_text())["pictures"]
    assert set(pictures) == {"disparity.png", "entropy.png", "visibility_0.png", "flow.png", "confidence.png"}
    d = pictures["disparity.png"]
    assert d["size"] == [64, 32] and d["range"] == pytest.approx([-20, -4])
    assert "gray pixels" in d["units"] and "nats" in pictures["entropy.png"]["units"]
    assert pictures["visibility_0.png"]["full_colour_at"] == pytest.approx(0.2, abs=0.002)
    assert "orange where the moved shot is darker" in pictures["visibility_0.png"]["shows"]
    assert pictures["flow.png"]["full_saturation_at_px"] == pytest.approx(6.0)
    assert pictures["confidence.png"]["full_high_at"] == pytest.approx(0.04)


@pytest.mark.parametrize("shift", [12, -12])
def test_the_disparity_and_the_flow_measure_a_known_shift(colour_view, shift):
    """The colour view moved by ``shift`` px: the stereo disparity (x in the colour shot minus x
    in the gray) and CCDC's flow read that many gray pixels, with the sign, not only the sign."""
    from colorstudio.engine.crosscam import colorize_crosscam
    from colorstudio.engine.stereo import colorize_stereo

    gray = np.clip(rgb_to_ycbcr(colour_view)[..., 0], 0, 1).astype(np.float32)
    moved = np.roll(colour_view, shift, axis=1)
    inner = (slice(20, -20), slice(40, -40))
    side = "right" if shift > 0 else "left"
    disparity = colorize_stereo(gray, moved, match_side=side, max_disparity=24).diagnostics["disparity"]
    assert np.median(disparity[inner]) == pytest.approx(shift, abs=1.5)
    flow = colorize_crosscam(gray, moved).diagnostics["flow"]
    assert np.median(flow[inner][..., 0]) == pytest.approx(shift, abs=1.0)
    assert abs(np.median(flow[inner][..., 1])) < 0.5


def test_a_map_with_a_hole_still_gives_plain_json_and_the_app_and_the_png_share_its_scale():
    """A NaN in a map made the legend's scale NaN (invalid JSON); the app's colour bars and the
    PNG's legend come from the same helpers."""
    v = np.linspace(-0.3, 0.3, 100, dtype=np.float32).reshape(10, 10)
    v[0, 0] = np.nan
    flow = np.ones((10, 10, 2), np.float32)
    flow[0, 0] = np.nan
    for name, value in (("visibility_0", v), ("disparity", v), ("flow", flow)):
        json.dumps(maps.legend(name, value), allow_nan=False)
    assert maps.signed_scale(np.zeros((4, 4))) > 0 and maps.scalar_range(np.ones((4, 4)))[1] > 1
    from colorstudio.gui import diagnostics_dock

    assert diagnostics_dock.maps is maps and not hasattr(diagnostics_dock, "symmetric_scale")


def test_the_legends_name_the_colours_each_map_really_has():
    """The orange-blue confidence middle is near white, not yellow; V1-V4 are feature
    differences whose sign says nothing of brightness (a review found V2 positive for a bright
    and for a dark object alike), only V0's colours mean darker / brighter."""
    m = np.linspace(0, 1, 100, dtype=np.float32).reshape(10, 10)
    for palette, middle in (("red-green", "yellow"), ("orange-blue", "near white")):
        assert f" to {middle} to " in maps.legend("confidence", m, palette)["shows"]
        r, g, b = maps.confidence_to_rgb(np.float32(0.5), palette=palette)
        assert (r > 0.9 and g > 0.9) and (b < 0.1 if middle == "yellow" else b > 0.9)
    v = m - 0.5
    assert "darker" in maps.legend("visibility_0", v)["shows"]
    for scale in range(1, 5):
        words = maps.legend(f"visibility_{scale}", v)["shows"]
        assert "darker" not in words and "says nothing of brightness" in words
