"""A colour shot of another field of view (another lens, a zoom) is said to be one, not a
stereo pair's parallax and rows; a stereo pair's depth does not make it one."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from colorstudio.core.pair_mode import OTHER_VIEW
from colorstudio.core.checks import check_pair
from colorstudio.core.color import luma
from colorstudio.core.synth import synthesize_from_photo
from colorstudio.core.pair_mode import choose_mode

skdata = pytest.importorskip("skimage.data")


def zoomed(rgb: np.ndarray, factor: float) -> np.ndarray:
    """``rgb`` seen through a lens ``factor`` times longer (the middle, enlarged to the frame)."""
    h, w = rgb.shape[:2]
    M = cv2.getRotationMatrix2D(((w - 1) / 2, (h - 1) / 2), 0, factor)
    return cv2.warpAffine(rgb, M, (w, h), flags=cv2.INTER_AREA if factor < 1 else cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_REFLECT)


@pytest.fixture(scope="module")
def photo():
    return skdata.astronaut().astype(np.float32) / 255


@pytest.mark.parametrize("zoom, words", [(1.25, "1.25x wider view"), (0.8, "1.25x narrower view"),
                                         (1.1, "1.10x wider view")])
def test_a_colour_shot_of_another_view_is_said_to_be_one(photo, zoom, words):
    gray = luma(zoomed(photo, zoom))          # the gray's lens is longer: the colour shot sees more
    r = check_pair(gray, photo)
    assert 1 / r.view_scale == pytest.approx(zoom, rel=0.02)
    assert r.messages[0].startswith(f"The colour shot covers a {words} than the gray shot (another lens or zoom")
    assert not any("parallax" in m.lower() and "runs both ways" in m for m in r.messages)
    assert not any("not rectified" in m for m in r.messages)
    assert r.suggested_mode == "crosscam" and r.mode_reason == f"the colour shot covers a {words} than the gray shot (another lens or zoom)"
    mode, why = choose_mode(gray.shape, photo.shape, r)
    assert mode == "crosscam" and why == f"cross-camera mode: the colour shot covers a {words} than the gray shot " \
                                         "(another lens or zoom)"


def test_a_narrower_colour_shot_says_the_grays_edges_get_guessed_colours(photo):
    r = check_pair(luma(photo), zoomed(photo, 1.25))
    assert "the gray's edges lie outside it, so their colours are guessed" in r.messages[0]


def test_a_slight_zoom_is_left_to_the_rows_and_parallax(photo):
    r = check_pair(luma(zoomed(photo, 1.03)), photo)
    assert 1 / r.view_scale == pytest.approx(1.03, rel=0.01) and 1.03 < OTHER_VIEW
    assert not any("view" in m for m in r.messages)


def test_stereo_pairs_with_deep_scenes_are_not_taken_for_another_view():
    left, right, _ = skdata.stereo_motorcycle()
    r = check_pair(luma(left.astype(np.float32) / 255), right.astype(np.float32) / 255)
    assert r.view_scale == pytest.approx(1, abs=0.03) and r.suggested_mode == "stereo"
    rng = np.random.default_rng(3)
    photo = skdata.chelsea().astype(np.float32) / 255
    for k in range(6):            # layered disparities up to 48 px, half of them a little turned
        pair = synthesize_from_photo(photo, rng, setup=1, misalign=bool(k % 2))
        r = check_pair(pair.gray, pair.reference)
        assert r.view_scale is not None and max(r.view_scale, 1 / r.view_scale) < OTHER_VIEW
        assert not any("view than the gray" in m for m in r.messages)


def test_a_slanted_wall_stretched_across_by_its_parallax_is_not_another_view(photo):
    """A stereo pair of a slanted facade: the parallax grows across the frame (10 to 90 px over
    512 px), so the scene is 8-14 % wider in the colour shot, and only across: not a lens."""
    h, w = photo.shape[:2]
    xs, ys = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    for k in (0.08, 0.14):
        colour = cv2.remap(photo, xs / (1 + k) - 10, ys - 4, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
        r = check_pair(luma(photo), colour)
        assert r.view_scale is None and r.rectified is False
        assert not any("view than the gray" in m for m in r.messages)
        assert "view than the gray" not in r.mode_reason


@pytest.mark.parametrize("crop, share", [((slice(128, None), slice(None)), 0.75),
                                         ((slice(None), slice(None, 384)), 0.75)])
def test_a_cropped_colour_shot_is_said_to_be_framed_differently_with_the_share_of_the_view_it_shows(
        photo, crop, share):
    r = check_pair(luma(photo), photo[crop])
    assert r.view_covered == pytest.approx(share, abs=0.02)
    said = f"it shows about {100 * r.view_covered:.0f}% of the gray shot's view, the rest gets guessed colours"
    assert r.messages[1].startswith("The colour shot is framed differently") and said in r.messages[1]
    # its rows and parallax, measured against a stretched copy, are not said (they read as a shift)
    assert not any("rectified" in m or "Parallax" in m for m in r.messages), r.messages
    assert r.suggested_mode == "crosscam"


def test_a_colour_shot_wider_than_the_grays_frame_shows_all_of_its_view(photo):
    r = check_pair(luma(photo[64:448]), photo)
    assert r.view_covered == pytest.approx(1.0, abs=0.01)
    assert "it shows all of the gray shot's view" in r.messages[1]


def test_a_same_shot_shows_all_of_the_grays_view(photo):
    assert check_pair(luma(photo), photo).view_covered == pytest.approx(1.0, abs=0.01)
