"""Pair checks on the Motorcycle pair and on pairs made from it with known changes."""
from __future__ import annotations

import json
import re

import cv2
import numpy as np
import pytest

from colorstudio.core.checks import check_pair
from colorstudio.core.feature_matching import match_features
from colorstudio.core.color import luma

skdata = pytest.importorskip("skimage.data")


@pytest.fixture(scope="module")
def moto():
    """(left RGB, right RGB, disparity of left) at full size (741x500), float32 [0,1]."""
    left, right, disp = skdata.stereo_motorcycle()
    return left.astype(np.float32) / 255, right.astype(np.float32) / 255, disp


@pytest.fixture(scope="module")
def baseline(moto):
    left, right, _ = moto
    return check_pair(luma(left), right)


def shifted(img, dy):
    M = np.float32([[1, 0, 0], [0, 1, dy]])
    return cv2.warpAffine(img, M, (img.shape[1], img.shape[0]), borderMode=cv2.BORDER_REFLECT)


def test_motorcycle_left_gray_right_reference(moto, baseline):
    _, _, disp = moto
    r = baseline
    assert r.gray_size == r.reference_size == (741, 500)
    assert r.scale_factor == (1.0, 1.0) and not r.size_mismatch
    assert r.n_inliers >= 100
    assert r.rectified and r.vertical_offset_px <= 1.0
    # right-view points lie at smaller x: x_ref - x_gray = -disparity_of_left
    true = -disp[np.isfinite(disp)]
    assert np.percentile(true, 2) - 6 <= r.disparity_min < r.disparity_max <= np.percentile(true, 98) + 6
    assert r.disparity_max < 0
    assert r.colour_side == "left" and r.colour_camera_position == "right"
    assert r.suggested_mode == "stereo"
    assert not r.identical and not r.reference_is_gray
    assert any("rectified" in m for m in r.messages)
    assert any("right of the mono camera" in m for m in r.messages)


def test_motorcycle_other_direction(moto, baseline):
    left, right, _ = moto
    r = check_pair(luma(right), left)
    assert r.colour_side == "right" and r.colour_camera_position == "left"
    assert r.disparity_min > 0
    assert r.disparity_min == pytest.approx(-baseline.disparity_max, abs=4)
    assert r.disparity_max == pytest.approx(-baseline.disparity_min, abs=4)
    assert r.rectified


@pytest.mark.parametrize("dy", [6.0, -4.0])
def test_vertical_shift_is_detected(moto, dy):
    left, right, _ = moto
    r = check_pair(luma(left), shifted(right, dy))
    assert r.rectified is False
    assert r.vertical_offset_px == pytest.approx(abs(dy), abs=1.0)
    assert r.vertical_shift_px == pytest.approx(dy, abs=1.0)
    assert r.suggested_mode == "crosscam"
    msg = next(m for m in r.messages if "not rectified" in m)
    assert float(re.search(r"rows differ by ([0-9.]+) px", msg).group(1)) == pytest.approx(abs(dy), abs=1.0)
    assert ("down" if dy > 0 else "up") in msg


def test_scaled_reference(moto):
    left, right, _ = moto
    small = cv2.resize(right, (185, 125), interpolation=cv2.INTER_AREA)
    r = check_pair(luma(left), small)
    assert r.reference_size == (185, 125) and r.size_mismatch and not r.aspect_mismatch
    assert r.scale_factor[0] == pytest.approx(4.0, abs=0.02) and r.scale_factor[1] == pytest.approx(4.0)
    assert r.suggested_mode == "crosscam" and r.mode_reason.startswith("the colour shot is 4.0x smaller than the gray shot")
    assert any("4.0x smaller" in m for m in r.messages)
    assert r.colour_side == "left"  # disparities are measured in gray pixels


def test_reference_of_another_shape(moto):
    left, right, _ = moto
    r = check_pair(luma(left), cv2.resize(right, (370, 500), interpolation=cv2.INTER_AREA))
    assert r.aspect_mismatch and r.scale_factor == pytest.approx((741 / 370, 1.0))
    assert any("different shapes" in m and "2.00x across and 1.00x down" in m for m in r.messages)
    assert r.rectified and r.colour_side == "left"


def test_exposure_and_tone_changes(moto, baseline):
    left, right, _ = moto
    darker = check_pair(luma(left), right * 0.6)
    assert darker.exposure_gain == pytest.approx(0.6 * baseline.exposure_gain, rel=0.08)
    assert darker.exposure_stops == pytest.approx(np.log2(0.6), abs=0.15)
    assert darker.tone_gamma == pytest.approx(baseline.tone_gamma, abs=0.08)
    assert darker.mean_luma_diff < baseline.mean_luma_diff - 0.05
    assert any("darker" in m for m in darker.messages)
    assert not any("darker" in m or "brighter" in m for m in baseline.messages)
    curved = check_pair(luma(left), right ** 0.7)
    assert curved.tone_gamma == pytest.approx(0.7 * baseline.tone_gamma, abs=0.07)
    assert any("tones differently" in m for m in curved.messages)


def test_identical_images(moto):
    left, _, _ = moto
    r = check_pair(luma(left), left)
    assert r.identical and r.rectified
    assert r.disparity_min == r.disparity_max == 0
    assert r.colour_side == "unknown"
    assert r.exposure_gain == pytest.approx(1.0, abs=0.01)
    assert any("same picture" in m for m in r.messages)


def test_gray_reference(moto):
    left, right, _ = moto
    r = check_pair(luma(left), np.repeat(luma(right)[..., None], 3, axis=2))
    assert r.reference_is_gray and not r.identical
    assert r.suggested_mode == "single"
    assert any("no colour" in m for m in r.messages)
    twice = check_pair(luma(left), np.repeat(luma(left)[..., None], 3, axis=2))    # the gray given twice
    assert twice.reference_is_gray and not any("copied directly" in m for m in twice.messages)


def test_too_few_matches_is_a_message_not_an_exception():
    flat = np.full((150, 200), 0.5, np.float32)
    noise = np.random.default_rng(0).random((150, 200, 3)).astype(np.float32)
    r = check_pair(flat, noise)
    assert r.rectified is None and r.vertical_offset_px is None and r.disparity_min is None
    assert r.colour_side == "unknown" and r.suggested_mode == "crosscam"
    assert any("matching details" in m and "could not be measured" in m for m in r.messages)
    json.dumps(r.to_dict())


def test_report_is_json_able(baseline):
    d = json.loads(json.dumps(baseline.to_dict()))
    assert d["gray_size"] == [741, 500] and d["colour_side"] == "left"
    assert isinstance(d["rectified"], bool) and isinstance(d["messages"], list)


def test_a_one_megapixel_pair_is_checked(moto):
    """Not timed here (0.15-0.3 s on an idle core; wall-clock limits fail on a loaded machine):
    the check is part of every pair colorization that `colorstudio bench --speed` times."""
    left, right, _ = moto
    s = 1.65  # 1223x825
    g = luma(cv2.resize(left, None, fx=s, fy=s, interpolation=cv2.INTER_CUBIC))
    ref = cv2.resize(right, None, fx=s, fy=s, interpolation=cv2.INTER_CUBIC)
    r = check_pair(g, ref)
    assert r.rectified and r.colour_side == "left"


@pytest.mark.parametrize("factor", [1.07, 1.15])
def test_check_and_colorize_agree_on_the_mode_of_a_slightly_larger_reference(moto, factor):
    from colorstudio.core.pair_mode import choose_mode

    left, right, _ = moto
    bigger = cv2.resize(right, (round(741 * factor), round(500 * factor)), interpolation=cv2.INTER_CUBIC)
    report = check_pair(luma(left), bigger)
    assert report.suggested_mode == choose_mode(left.shape, bigger.shape, report)[0]
    assert report.suggested_mode == ("stereo" if factor < 1.1 else "crosscam")


def test_a_mirrored_colour_shot_is_not_a_rectified_pair(moto):
    left, right, _ = moto
    r = check_pair(luma(left), right[:, ::-1].copy())
    assert r.mirrored and r.rectified is False and r.suggested_mode == "crosscam"
    assert any("mirrored" in m for m in r.messages)
    assert not check_pair(luma(left), right).mirrored


@pytest.mark.parametrize("turn", [90, 180, 270])
@pytest.mark.parametrize("smaller", [1, 2, 4])
def test_a_turned_colour_shot_says_by_how_much_and_is_not_called_mirrored(moto, turn, smaller):
    # a quarter-turned shot used to be squeezed into the gray's shape before matching: 29 of 47
    # matches at 2x smaller, taken for another scene, and its angle read as 99 or 67 degrees
    left, right, _ = moto
    h, w = right.shape[:2]
    small = cv2.resize(right, (w // smaller, h // smaller), interpolation=cv2.INTER_AREA)
    turned = np.ascontiguousarray(np.rot90(small, k=turn // 90))
    r = check_pair(luma(left), turned)
    assert r.n_inliers >= 100
    assert abs(r.rotation_deg % 360 - turn) < 3 and not r.mirrored and r.rectified is False
    assert any("turned by" in m and "upright" in m for m in r.messages), r.messages
    assert not any("another scene" in m for m in r.messages), r.messages


def test_the_matches_of_a_colour_shot_of_another_shape_map_back_to_its_own_pixels(moto):
    # a wider field of view (the colour shot 4:3 around the gray's 3:2 frame): the matches are
    # given in the gray's frame (the shot stretched over it) and in the shot's own pixels
    left, right, _ = moto
    g = luma(left)
    m = match_features(g, luma(cv2.copyMakeBorder(right, 80, 80, 0, 0, cv2.BORDER_REFLECT)))
    assert m.n_inliers >= 60
    own = m.ref_pts_own(g.shape)[m.inliers]          # in the wide shot's pixels: the rows 80 lower
    assert np.median(np.abs(own[:, 1] - 80 - m.gray_pts[m.inliers][:, 1])) < 1.0
    assert np.median(np.abs(m.ref_pts[m.inliers][:, 1] - m.gray_pts[m.inliers][:, 1])) > 10


@pytest.mark.parametrize("factor", [4, 8, 12])
def test_a_same_frame_smaller_colour_shot_has_no_parallax(moto, factor):
    # the camera's own small colour preview: a few imprecise matches of the blurred reference
    # used to read as "parallax runs both ways" (4x, 8x) and "rows differ by 0.0 px" (16x)
    left, _, _ = moto
    h, w = left.shape[:2]
    small = cv2.resize(left, (round(w / factor), round(h / factor)), interpolation=cv2.INTER_AREA)
    r = check_pair(luma(left), small)
    assert r.colour_side == "unknown" and r.rectified, r.messages
    assert r.parallax_near_zero_fraction >= 0.75
    assert any("no measurable parallax" in m for m in r.messages), r.messages
    assert not any("both ways" in m or "not rectified" in m for m in r.messages)
    # a reference pixel spans `factor` gray pixels: the tolerance follows it
    assert r.rectify_tolerance_px >= 0.74 * factor
    assert not any("tones differently" in m for m in r.messages), r.messages


def test_a_far_background_does_not_hide_the_side_of_the_near_objects(moto):
    # half the view at zero parallax (far away), half 10 px to the left in the colour shot
    left, _, _ = moto
    ref = left.copy()
    ref[:, 370:-10] = left[:, 380:]
    r = check_pair(luma(left), ref)
    assert r.colour_side == "left", r.messages
    assert 0.3 <= r.parallax_near_zero_fraction <= 0.7


def test_rows_off_without_a_median_offset_says_how_many_points_are_off():
    from colorstudio.core.check_messages import describe

    facts = {"gray_size": (800, 600), "reference_size": (800, 600), "scale_factor": (1.0, 1.0),
             "size_mismatch": False, "aspect_mismatch": False, "identical": False,
             "reference_is_gray": False, "n_matches": 400, "n_inliers": 300,
             "vertical_offset_px": 0.0, "rows_off_fraction": 0.15, "vertical_shift_px": 0.0,
             "rotation_deg": 0.0, "mirrored": False, "rectify_tolerance_px": 1.5, "rectified": False,
             "disparity_min": -20.0, "disparity_max": -5.0, "disparity_median": -10.0,
             "parallax_near_zero_fraction": 0.0, "colour_side": "left",
             "colour_camera_position": "right", "exposure_gain": 1.0, "exposure_stops": 0.0,
             "tone_slope": 1.0, "tone_offset": 0.0, "tone_gamma": 1.0, "mean_luma_diff": 0.0}
    _, _, messages = describe(facts, 15)
    msg = next(m for m in messages if "not rectified" in m)
    assert "15% of the matched points lie off their row" in msg, msg


def test_a_reference_squeezed_across_keeps_the_row_tolerance_of_its_full_height(moto):
    # 8x narrower, as tall as the gray: its rows are as precise as the gray's, so a 5 px shift
    # down is still found (the tolerance follows each axis's own pixel size)
    left, _, _ = moto
    h, w = left.shape[:2]
    narrow = cv2.resize(left, (w // 8, h), interpolation=cv2.INTER_AREA)
    r = check_pair(luma(left), shifted(narrow, 5.0))
    assert r.rectified is False and r.rectify_tolerance_px < 4, r.messages
    assert r.vertical_offset_px == pytest.approx(5.0, abs=1.0)
    same = check_pair(luma(left), narrow)
    assert not any("tones differently" in m for m in same.messages), same.messages


def test_chance_matches_boundaries():
    """The rule: fewer than 8 inliers is chance however well they agree; fewer than 30 with
    under half of the matches agreeing is chance too; exactly half, or 30 inliers, is not."""
    from colorstudio.core.feature_matching import FEW_INLIERS, MIN_AGREEING, SAME_SCENE_MIN_INLIERS, chance_matches

    # all agreeing: only the count decides
    for n in range(0, 8):
        assert chance_matches(n, n), n
    for n in (8, 9, 29, 30, 31):
        assert not chance_matches(n, n), n
    assert chance_matches(7, 8) and not chance_matches(8, 9)
    # below 30 inliers: half the matches agreeing is enough, a hair under half is not
    assert not chance_matches(8, 16) and chance_matches(8, 17)
    assert not chance_matches(10, 20) and chance_matches(10, 21)
    assert not chance_matches(29, 58) and chance_matches(29, 59)
    # 30 inliers or more: a measurement however many matches disagree
    assert not chance_matches(30, 61) and not chance_matches(30, 1000) and chance_matches(29, 1000)
    assert (SAME_SCENE_MIN_INLIERS, FEW_INLIERS, MIN_AGREEING) == (8, 30, 0.5)   # as documented


def test_matches_that_agree_as_chance_matches_do_are_no_measurement():
    from colorstudio.core.check_messages import describe
    from colorstudio.core.feature_matching import MIN_INLIERS
    from colorstudio.core.feature_matching import chance_matches

    # session 34's numbers: unrelated photos reached 25 of 74 and 17 of 39; related pairs 19 of 33
    assert chance_matches(25, 74) and chance_matches(17, 39) and chance_matches(3, 4)
    assert not chance_matches(19, 33) and not chance_matches(35, 85) and not chance_matches(400, 520)
    facts = {"identical": False, "reference_is_gray": False, "rectified": None, "n_inliers": 25, "n_matches": 74,
             "reference_size": (300, 200), "gray_size": (600, 400), "scale_factor": (2.0, 2.0),
             "size_mismatch": True, "aspect_mismatch": False}
    _, _, messages = describe(facts, MIN_INLIERS, 24)
    assert any("Only 25 of the 74 matching details found agree" in m for m in messages), messages


def _tilted(rgb, degrees):
    h, w = rgb.shape[:2]
    return cv2.warpAffine(rgb, cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0), (w, h),
                          borderMode=cv2.BORDER_REFLECT)


@pytest.mark.parametrize("variant", ["same", "mirrored", "upside down", "quarter turned", "4x smaller",
                                     "cropped", "tilted", "zoomed out"])
def test_check_suggests_the_mode_colorize_chooses_in_the_same_words(moto, variant):
    # one rule (core.pair_mode): check's "Treated as …" and colorize's "… mode: …" were two
    from colorstudio.core.pair_mode import MODE_NAMES
    from colorstudio.engine.colorize import choose_pair_mode

    left, right, _ = moto
    make = {"same": lambda r: r, "mirrored": lambda r: r[:, ::-1], "upside down": lambda r: r[::-1, ::-1],
            "quarter turned": lambda r: np.rot90(r[::2, ::2]), "4x smaller": lambda r: cv2.resize(r, (185, 125)),
            "cropped": lambda r: r[125:], "tilted": lambda r: _tilted(r, 4.0),
            "zoomed out": lambda r: cv2.resize(np.pad(r, ((63, 62), (93, 92), (0, 0)), mode="reflect"), (741, 500))}
    gray, ref = luma(left), np.ascontiguousarray(make[variant](right))
    report = check_pair(gray, ref)
    mode, why = choose_pair_mode(gray, ref)
    assert (mode, why) == (report.suggested_mode, f"{MODE_NAMES[mode]}: {report.mode_reason}")
