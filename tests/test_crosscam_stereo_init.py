"""CCDC's initial flow for rectified stereo pairs: SGBM's disparity where it matched, DIS
elsewhere; chosen by the pair mode ('auto'), or forced by the ``init`` option."""
from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch

from colorstudio.core.baselines import sgbm_disparity
from colorstudio.core.color import luma
from colorstudio.engine.crosscam import colorize_crosscam, stereo_init_wanted, stereo_initial_flow
from colorstudio.errors import MethodError
from colorstudio.nets.ccdc import CCDC, CCDCConfig

SHIFT = 7


def _shifted_pair(reference_side: str, h: int = 96, w: int = 160):
    """(gray, reference RGB): the reference camera sits to the given side, SHIFT px away."""
    rng = np.random.default_rng(0)
    tex = cv2.GaussianBlur(rng.random((h, w + 2 * SHIFT)).astype(np.float32), (0, 0), 1.2)
    tex = (tex - tex.min()) / (tex.max() - tex.min())
    colour = cv2.GaussianBlur(rng.random((h, w + 2 * SHIFT, 3)).astype(np.float32), (0, 0), 6)
    scene = np.clip(0.15 + 0.45 * tex[..., None] + 0.4 * colour, 0, 1).astype(np.float32)
    gray_view = scene[:, SHIFT:SHIFT + w]
    ref_view = scene[:, 2 * SHIFT:] if reference_side == "right" else scene[:, :w]
    return luma(gray_view), np.ascontiguousarray(ref_view)


@pytest.mark.parametrize("side", ["right", "left"])
def test_sgbm_disparity_is_signed_towards_the_reference(side):
    gray, ref = _shifted_pair(side)
    disparity, valid, info = sgbm_disparity(gray, luma(ref))
    expected = SHIFT if side == "left" else -SHIFT          # x_ref - x_gray
    assert info["side"] == side and valid.mean() > 0.6
    assert abs(np.median(disparity[valid]) - expected) < 0.5


@pytest.mark.parametrize("side", ["right", "left"])
def test_stereo_initial_flow_takes_sgbm_where_it_matched(side):
    gray, ref = _shifted_pair(side)
    flow = stereo_initial_flow(gray, luma(ref))
    disparity, valid, _ = sgbm_disparity(gray, luma(ref))
    assert flow.shape == gray.shape + (2,) and flow.dtype == np.float32
    np.testing.assert_array_equal(flow[..., 0][valid], disparity[valid])
    assert abs(np.median(flow[..., 0]) - (SHIFT if side == "left" else -SHIFT)) < 0.5
    assert np.abs(np.median(flow[..., 1])) < 0.5


def test_auto_init_follows_the_pair_mode():
    gray, ref = _shifted_pair("right")
    assert stereo_init_wanted(gray, ref, {})[0]                       # same size, rows aligned
    assert stereo_init_wanted(gray, ref, {"mode": "stereo"}) == (True, "stereo mode")
    assert stereo_init_wanted(gray, ref, {"mode": "crosscam"}) == (False, "crosscam mode")
    small = cv2.resize(ref, (40, 24), interpolation=cv2.INTER_AREA)
    assert stereo_init_wanted(gray, small, {})[0]                     # smaller, rows still aligned
    assert stereo_init_wanted(gray, small, {"init": "stereo"}) == (True, "init=stereo")
    assert stereo_init_wanted(gray, ref, {"init": "flow"}) == (False, "init=flow")
    with pytest.raises(MethodError):
        stereo_init_wanted(gray, ref, {"init": "sgbm"})


def test_auto_init_takes_sgbm_for_a_smaller_reference_with_aligned_rows():
    gray, ref = _shifted_pair("right", h=240, w=400)
    small = cv2.resize(ref, (200, 120), interpolation=cv2.INTER_AREA)       # a 2x smaller colour camera
    wanted, why = stereo_init_wanted(gray, small, {"mode": "crosscam"})
    assert wanted and "rows aligned" in why
    tilted = cv2.warpAffine(small, cv2.getRotationMatrix2D((100, 60), 4.0, 1.0), (200, 120),
                            borderMode=cv2.BORDER_REFLECT)                  # rows no longer aligned
    assert stereo_init_wanted(gray, tilted, {"mode": "crosscam"}) == (False, "crosscam mode")
    gray_244, ref_244 = _shifted_pair("right", h=244, w=400)
    eighth = cv2.resize(ref_244, (50, 31), interpolation=cv2.INTER_AREA)      # 8x: 30.5 rows, rounded up
    assert stereo_init_wanted(gray_244, eighth, {"mode": "crosscam"})[0]
    other_shape = cv2.resize(ref, (200, 100), interpolation=cv2.INTER_AREA)
    assert stereo_init_wanted(gray, other_shape, {"mode": "crosscam"}) == (False, "crosscam mode")


def test_the_result_says_which_initial_flow_it_used():
    torch.manual_seed(0)
    tiny = CCDC(CCDCConfig(encoder_widths=(4, 4, 4, 4), flow_widths=(4, 4, 4, 4, 4),
                           decoder_widths=(4, 4, 4, 4), full_width=4)).eval()
    gray, ref = _shifted_pair("left")
    stereo = colorize_crosscam(gray, ref, model=tiny, mode="stereo")
    cross = colorize_crosscam(gray, ref, model=tiny, mode="crosscam")
    assert stereo.info["initial_flow"] == "SGBM + DIS" and cross.info["initial_flow"] == "DIS"
    assert "ignored_options" not in stereo.info          # the mode is used, not ignored
    # the net starts from the initial flow: on this pure shift SGBM's is the exact one
    assert abs(np.median(stereo.diagnostics["flow"][..., 0]) - SHIFT) < 1.0


def test_a_colour_shot_larger_than_the_working_size_still_gets_sgbm_when_its_rows_align():
    # a 2x smaller colour camera, but larger than the working size: reduced to that size it
    # has the gray's working size and must not be taken for a same-size pair
    torch.manual_seed(0)
    tiny = CCDC(CCDCConfig(encoder_widths=(4, 4, 4, 4), flow_widths=(4, 4, 4, 4, 4),
                           decoder_widths=(4, 4, 4, 4), full_width=4)).eval()
    gray, ref = _shifted_pair("right", h=240, w=400)
    small = cv2.resize(ref, (200, 120), interpolation=cv2.INTER_AREA)
    res = colorize_crosscam(gray, small, model=tiny, mode="crosscam", max_pixels=200 * 120)
    assert res.info["initial_flow"] == "SGBM + DIS", res.info["initial_flow_reason"]


def test_the_ccdc_fine_tuner_synthesizes_pairs_with_the_start_the_engine_will_take():
    # it asked for the same size (within 2%): a rectified rig with a 2x smaller colour camera
    # was fine-tuned on moving views from DIS's start, and colorized from SGBM's
    from colorstudio.core.pair_mode import rows_aligned_rig

    assert rows_aligned_rig((400, 600), (200, 300), True)        # smaller, same aspect, rows aligned
    assert rows_aligned_rig((400, 600), (400, 600), True)
    assert not rows_aligned_rig((400, 600), (200, 300), None)    # not measured
    assert not rows_aligned_rig((400, 600), (200, 300), False)
    assert not rows_aligned_rig((400, 600), (300, 300), True)    # another shape
