"""Auto-rectification of unrectified pairs made from Motorcycle, and the way back."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from colorstudio.core.checks import check_pair
from colorstudio.core.color import luma
from colorstudio.core.rectify import needs_rectification, rectify_pair, unrectify
from colorstudio.errors import ColorStudioError, PairError

skdata = pytest.importorskip("skimage.data")


@pytest.fixture(scope="module")
def moto():
    left, right, _ = skdata.stereo_motorcycle()
    return luma(left.astype(np.float32) / 255), right.astype(np.float32) / 255


def turned(img, degrees, dy, centre=(370, 250), scale=1.0):
    M = cv2.getRotationMatrix2D(centre, degrees, scale)
    M[1, 2] += dy
    return cv2.warpAffine(img, M, (img.shape[1], img.shape[0]), borderMode=cv2.BORDER_REFLECT)


@pytest.fixture(scope="module")
def tilted(moto):
    """Gray = left luma; reference = right view turned 1.5 degrees and moved 4 px down."""
    gray, right = moto
    ref = turned(right, 1.5, 4.0)
    return gray, ref, rectify_pair(gray, ref)


def test_rectification_brings_rows_into_line(moto, tilted):
    gray, ref, rect = tilted
    before = check_pair(gray, ref)
    assert needs_rectification(before)
    q = rect.quality
    assert rect.applied and q["method"] == "quasi-euclidean"
    assert q["vertical_offset_before_px"] > 3
    assert q["vertical_offset_after_px"] <= 1.0 and q["vertical_offset_after_p90_px"] <= 2.0
    assert q["inlier_ratio"] > 0.5
    after = check_pair(rect.gray_rect, rect.reference_rect)
    assert after.rectified and after.vertical_offset_px <= 1.0
    # the disparities keep their sign and size (the true range is about -58..-16 px)
    assert after.colour_side == "left"
    assert -66 <= after.disparity_min <= -50 and -24 <= after.disparity_max <= -10
    # the gray hardly moves: near-identity linear part, canvas close to the gray's size
    A = rect.H_gray[:2, :2] / rect.H_gray[2, 2]
    assert np.abs(A - np.eye(2)).max() < 0.02
    w, h = rect.size
    assert 741 <= w <= 760 and 500 <= h <= 530
    assert rect.valid.mean() > 0.9


def test_uncalibrated_fallback_also_lines_rows_up(tilted):
    gray, ref, _ = tilted
    rect = rectify_pair(gray, ref, method="uncalibrated")  # cv2.stereoRectifyUncalibrated from F
    assert rect.quality["method"] == "uncalibrated"
    assert rect.quality["vertical_offset_after_px"] <= 1.0
    assert check_pair(rect.gray_rect, rect.reference_rect).colour_side == "left"
    assert unrectify(rect.gray_rect, rect).shape == gray.shape


def test_homography_for_a_flat_scene():
    rgb = skdata.astronaut().astype(np.float32) / 255
    corners = np.float32([[0, 0], [511, 0], [511, 511], [0, 511]])
    moved = np.float32([[6, -3], [508, 4], [515, 509], [-4, 514]])
    P = cv2.getPerspectiveTransform(corners, moved)
    ref = cv2.warpPerspective(rgb, P, (512, 512), borderMode=cv2.BORDER_REFLECT)
    rect = rectify_pair(luma(rgb), ref, method="homography")
    assert rect.quality["vertical_offset_before_px"] >= 2
    assert rect.quality["vertical_offset_after_px"] <= 0.8
    assert np.allclose(rect.H_gray[:2, :2], np.eye(2), atol=1e-6)  # the gray is only translated
    with pytest.raises(ColorStudioError, match="unknown rectification method 'magic'"):
        rectify_pair(luma(rgb), ref, method="magic")


def test_unrectify_returns_to_the_gray_geometry(moto, tilted):
    gray, _, rect = tilted
    back = unrectify(rect.gray_rect, rect)
    assert back.shape == gray.shape and back.dtype == np.float32
    inner = (slice(8, -8), slice(8, -8))
    assert np.abs(back[inner] - gray[inner]).mean() < 0.015  # two bilinear resamplings
    chroma = np.dstack([rect.gray_rect, 1 - rect.gray_rect])  # a 2-channel plane on the canvas
    back2 = unrectify(chroma, rect, gray.shape)
    assert back2.shape == gray.shape + (2,)
    assert np.abs(back2[..., 1][inner] - (1 - gray[inner])).mean() < 0.015


def test_scaled_and_tilted_reference(moto):
    gray, right = moto
    ref = cv2.resize(turned(right, -2.0, -5.0), (370, 250), interpolation=cv2.INTER_AREA)
    rect = rectify_pair(gray, ref)
    q = rect.quality
    assert q["ref_scale"] == pytest.approx([741 / 370, 2.0], abs=1e-3)
    assert rect.applied and q["vertical_offset_after_px"] <= 1.2
    assert rect.reference_rect.shape[:2] == rect.gray_rect.shape
    # H_ref maps the small reference's own pixels onto the canvas
    direct = cv2.warpPerspective(ref, rect.H_ref, rect.size, flags=cv2.INTER_LINEAR)
    inner = rect.valid.copy()
    inner[:10], inner[-10:], inner[:, :10], inner[:, -10:] = False, False, False, False
    inner &= cv2.erode(rect.valid.astype(np.uint8), np.ones((9, 9), np.uint8)) > 0
    assert np.abs(direct - rect.reference_rect)[inner].mean() < 0.03
    assert unrectify(rect.reference_rect, rect).shape == gray.shape + (3,)


def test_vertical_shift_only(moto):
    gray, right = moto
    rect = rectify_pair(gray, turned(right, 0.0, 6.0))
    assert rect.quality["vertical_offset_before_px"] == pytest.approx(6, abs=0.6)
    assert rect.quality["vertical_offset_after_px"] <= 1.0


def test_rectified_pair_is_left_alone(moto):
    gray, right = moto
    report = check_pair(gray, right)
    assert not needs_rectification(report)
    rect = rectify_pair(gray, right)
    assert not rect.applied and rect.quality["method"] == "none"
    assert np.array_equal(rect.H_gray, np.eye(3)) and np.array_equal(rect.H_ref, np.eye(3))
    assert rect.gray_rect is gray or np.array_equal(rect.gray_rect, gray)
    assert np.array_equal(unrectify(rect.gray_rect, rect), gray)
    forced = rectify_pair(gray, right, force=True)  # even forced, rows do not get worse
    assert forced.quality["vertical_offset_after_px"] <= report.vertical_offset_px + 0.5
    assert check_pair(forced.gray_rect, forced.reference_rect).colour_side == "left"


def test_identical_pair_needs_nothing(moto):
    gray, _ = moto
    rgb = np.repeat(gray[..., None], 3, axis=2)
    assert not needs_rectification(check_pair(gray, rgb))
    assert not rectify_pair(gray, rgb).applied


def test_unmatchable_pair_raises_pair_error():
    flat = np.full((150, 200), 0.5, np.float32)
    noise = np.random.default_rng(1).random((150, 200, 3)).astype(np.float32)
    with pytest.raises(PairError) as err:
        rectify_pair(flat, noise)
    assert "\n" not in str(err.value) and "matching details" in str(err.value)
