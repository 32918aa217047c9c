"""Classic colorizers and the guided filter: shapes, neutrality, known shifts, options."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from colorstudio.core import baselines as B
from colorstudio.core.color import luma, rgb_to_ycbcr
from colorstudio.core.guided import guided_filter, guided_upsample_chroma
from colorstudio.core.metrics import chroma_psnr
from colorstudio.errors import MethodError

PAIR_FUNCS = [B.reference_copy, B.reference_copy_guided, B.reinhard_transfer, B.reinhard_transfer_guided,
              B.sgbm_warp, B.sgbm_warp_guided, B.dis_flow_warp, B.dis_flow_warp_guided]
SHIFT = 7


def _scene(h=96, w=160, seed=0) -> np.ndarray:
    """A textured colour scene: fine luma texture (matchable) on smooth colour regions."""
    rng = np.random.default_rng(seed)
    tex = cv2.GaussianBlur(rng.random((h, w)).astype(np.float32), (0, 0), 1.2)
    tex = (tex - tex.min()) / (tex.max() - tex.min())
    colour = cv2.GaussianBlur(rng.random((h, w, 3)).astype(np.float32), (0, 0), 6)
    colour = (colour - colour.min((0, 1))) / (colour.max((0, 1)) - colour.min((0, 1)))
    return np.clip(0.15 + 0.45 * tex[..., None] + 0.4 * colour, 0, 1).astype(np.float32)


def _shifted_pair(reference_side: str, k: int = SHIFT):
    """(gray, reference RGB, truth RGB): the reference sees the gray view shifted by k px."""
    scene = _scene(w=160 + 2 * k)
    gray_view = scene[:, k:k + 160]
    ref_view = scene[:, 2 * k:] if reference_side == "right" else scene[:, :160]
    return luma(gray_view), np.ascontiguousarray(ref_view), gray_view


@pytest.mark.parametrize("fn", PAIR_FUNCS, ids=lambda f: f.__name__)
def test_shapes_dtypes_and_range_with_a_smaller_reference(fn):
    gray, _, truth = _shifted_pair("right")
    small_ref = cv2.resize(truth, (80, 48), interpolation=cv2.INTER_AREA)
    res = fn(gray, small_ref)
    assert res.chroma.shape == gray.shape + (2,) and res.chroma.dtype == np.float32
    assert np.all(np.isfinite(res.chroma)) and res.chroma.min() >= 0 and res.chroma.max() <= 1
    assert res.info["reference_size"] == [80, 48]


@pytest.mark.parametrize("fn", PAIR_FUNCS, ids=lambda f: f.__name__)
def test_gray_reference_gives_neutral_chroma(fn):
    gray, ref, _ = _shifted_pair("left")
    gray_ref = np.repeat(luma(ref)[..., None], 3, axis=2)
    assert np.abs(fn(gray, gray_ref).chroma - 0.5).max() < 2e-3


def test_neutral_is_half_everywhere_and_ignores_the_reference():
    res = B.neutral(np.zeros((5, 7), np.float32), None)
    assert res.chroma.shape == (5, 7, 2) and np.all(res.chroma == 0.5)


@pytest.mark.parametrize("side", ["right", "left"])
@pytest.mark.parametrize("fn", [B.sgbm_warp, B.sgbm_warp_guided, B.dis_flow_warp, B.dis_flow_warp_guided],
                         ids=lambda f: f.__name__)
def test_aligning_methods_recover_a_known_shift(fn, side):
    gray, ref, truth = _shifted_pair(side)
    truth_chroma = rgb_to_ycbcr(truth)[..., 1:]
    inner = np.s_[:, 12:-12]  # away from the borders the reference cannot see
    got = chroma_psnr(fn(gray, ref).chroma[inner], truth_chroma[inner])
    copy = chroma_psnr(B.reference_copy(gray, ref).chroma[inner], truth_chroma[inner])
    assert got > 38 and got > copy + 10, (got, copy)


@pytest.mark.parametrize("side", ["right", "left"])
def test_sgbm_finds_the_camera_side_and_the_signed_disparity(side):
    gray, ref, _ = _shifted_pair(side)
    res = B.sgbm_warp(gray, ref)
    expected = SHIFT if side == "left" else -SHIFT    # x_ref - x_gray
    assert res.info["side"] == side
    assert abs(np.median(res.diagnostics["disparity"]) - expected) < 0.5
    assert res.diagnostics["confidence"].shape == gray.shape


@pytest.mark.parametrize("side", ["right", "left"])
def test_dis_flow_points_to_the_reference(side):
    gray, ref, _ = _shifted_pair(side)
    flow = B.dis_flow_warp(gray, ref).diagnostics["flow"]
    expected = SHIFT if side == "left" else -SHIFT
    assert flow.shape == gray.shape + (2,)
    assert abs(np.median(flow[..., 0]) - expected) < 0.5 and abs(np.median(flow[..., 1])) < 0.5


def test_sgbm_accepts_a_given_side_and_range_and_a_small_working_size():
    gray, ref, truth = _shifted_pair("right")
    res = B.sgbm_warp_guided(gray, ref, side="right", max_disparity=20, max_pixels=4000)
    assert res.chroma.shape == gray.shape + (2,)
    assert res.info["working_size"][0] * res.info["working_size"][1] <= 4000
    assert "side_scores" not in res.info


def test_bad_options_and_inputs_raise_method_errors():
    gray, ref, _ = _shifted_pair("right")
    with pytest.raises(MethodError, match="no option"):
        B.dis_flow_warp(gray, ref, nonsense=1)
    with pytest.raises(MethodError, match="reference"):
        B.sgbm_warp(gray, None)
    with pytest.raises(MethodError, match="side"):
        B.sgbm_warp(gray, ref, side="up")
    with pytest.raises(MethodError, match="preset"):
        B.dis_flow_warp(gray, ref, preset="slowest")


def test_shared_cli_options_are_ignored_where_they_do_not_apply():
    gray, ref, _ = _shifted_pair("right")
    res = B.reference_copy(gray, ref, side="left", max_disparity=30)
    assert res.info["ignored_options"] == ["max_disparity", "side"]


def test_guided_filter_keeps_a_constant_image():
    guide = np.random.default_rng(1).random((40, 50)).astype(np.float32)
    src = np.full((40, 50, 2), 0.3, np.float32)
    np.testing.assert_allclose(guided_filter(guide, src, 4), 0.3, atol=1e-5)
    np.testing.assert_allclose(guided_filter(guide, src, 4, subsample=2), 0.3, atol=1e-5)


def test_guided_filter_keeps_an_edge_that_the_guide_has():
    guide = np.zeros((40, 60), np.float32)
    guide[:, 30:] = 1.0
    src = np.where(guide > 0.5, 0.8, 0.2).astype(np.float32)
    out = guided_filter(guide, src, 5, eps=1e-4)
    assert np.abs(out - src).max() < 0.01
    blurred = cv2.blur(src, (11, 11))       # an unguided filter smears it
    assert np.abs(blurred - src).max() > 0.2


def test_guided_upsample_chroma_follows_the_full_resolution_gray():
    gray = np.zeros((120, 160), np.float32)
    gray[:, 81:] = 1.0                       # an edge that falls between low-res pixels
    truth = np.stack([np.where(gray > 0.5, 0.7, 0.3)] * 2, axis=-1).astype(np.float32)
    low = cv2.resize(truth, (40, 30), interpolation=cv2.INTER_AREA)
    up = guided_upsample_chroma(low, gray)
    plain = cv2.resize(low, (160, 120), interpolation=cv2.INTER_LINEAR)
    assert up.shape == (120, 160, 2) and up.dtype == np.float32
    assert np.abs(up - truth).mean() < 0.5 * np.abs(plain - truth).mean()


def test_the_fast_dis_presets_do_not_crash_on_a_low_image():
    """OpenCV's DIS 'fast' / 'ultrafast' segfault on images 20-31 px high: run in a child
    process, so that a crash fails this test instead of ending the test run."""
    import subprocess
    import sys

    code = ("import numpy as np\n"
            "from colorstudio.core.baselines import dis_flow_warp\n"
            "from colorstudio.engine.crosscam import initial_flow\n"
            "rng = np.random.default_rng(0)\n"
            "for preset in ('fast', 'ultrafast'):\n"
            "    for h in (20, 24, 31):\n"
            "        g, r = rng.random((h, 400), np.float32), rng.random((h, 400, 3), np.float32)\n"
            "        assert dis_flow_warp(g, r, preset=preset).chroma.shape == (h, 400, 2)\n"
            "        assert initial_flow(g, r[..., 0], preset).shape == (h, 400, 2)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
