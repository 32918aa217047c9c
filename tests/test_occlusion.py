"""Which shot does not see what (core.occlusion): the forward-backward check on scenes whose
occlusions are known, the engine's two maps, and their pictures and legends."""
from __future__ import annotations

import json
from types import SimpleNamespace

import cv2
import numpy as np
import pytest

from colorstudio.core import diagnostic_maps as maps
from colorstudio.core.occlusion import occlusion_map, unmatched
from colorstudio.engine.diagnostics_io import write_diagnostics


def _texture(h, w, seed, sigma=1.5):
    t = cv2.GaussianBlur(np.random.default_rng(seed).random((h, w)).astype(np.float32), (0, 0), sigma)
    return (t - t.min()) / (t.max() - t.min())


def leaves_frame(flow: np.ndarray) -> np.ndarray:
    """(H, W) bool: where (x, y) + flow lies beyond the frame's outer pixels' edges."""
    h, w = flow.shape[:2]
    x = np.arange(w)[None, :] + flow[..., 0]
    y = np.arange(h)[:, None] + flow[..., 1]
    return (x < -0.5) | (x > w - 0.5) | (y < -0.5) | (y > h - 0.5)


def _flow(h, w, dx, dy=0.0):
    return np.dstack([np.full((h, w), dx, np.float32), np.full((h, w), dy, np.float32)])


def test_flows_that_come_back_agree_and_flows_that_do_not_are_unmatched():
    forward, back = _flow(20, 30, 3.0, -1.0), _flow(20, 30, -3.0, 1.0)
    found = unmatched(forward, back)
    assert found.sum() == leaves_frame(forward).sum() > 0     # only the strips the flow leaves by
    assert not found[2:-2, 1:-4].any() and found[:, -3:].all() and found[0].all()
    assert unmatched(forward, _flow(20, 30, 0.0))[2:-2, 1:-4].all()    # going there, not back
    assert not leaves_frame(_flow(5, 5, 0.4)).any()                      # within the outer pixel


def test_identical_shots_hide_nothing():
    gray = _texture(80, 100, 0)
    o = occlusion_map(gray, gray)
    assert not o.not_seen_by_colour_shot.any() and not o.not_seen_by_gray.any()
    assert o.facts() == {"not_seen_by_colour_shot": 0.0, "not_seen_by_gray": 0.0}


def test_a_shot_moved_sideways_leaves_a_strip_on_each_side():
    wide = _texture(180, 260, 1)      # (DIS errs by the borders of much smaller pictures)
    gray, ref = wide[:, 12:232], np.ascontiguousarray(wide[:, :220])   # the colour shot 12 px to the left
    o = occlusion_map(gray, ref)
    red, green = o.not_seen_by_colour_shot, o.not_seen_by_gray
    assert red[:, -10:].mean() > 0.95 and red[:, :-14].mean() < 1e-3     # the gray's right edge: not in the shot
    assert green[:, :10].mean() > 0.95 and green[:, 14:].mean() < 1e-3   # the shot's left edge: not in the gray


def test_a_smaller_colour_shot_of_the_same_frame_hides_almost_nothing():
    """The flows are only as precise as the small shot's own pixels: the test's margin is taken in
    them. With a margin of the gray's pixels, 10% of this pair was marked."""
    from colorstudio.core.color import luma, rgb_to_ycbcr
    from colorstudio.core.resize import area_reduce
    from colorstudio.paths import examples_dir
    from colorstudio.training.single_gray_data import load_rgb

    rgb = load_rgb(examples_dir() / "motorcycle_color.jpg", 480).astype(np.float32)
    gray = luma(rgb).astype(np.float32)
    shot = rgb_to_ycbcr(np.clip(area_reduce(rgb, 8.0), 0, 1))[..., 0].astype(np.float32)
    o = occlusion_map(gray, shot)
    assert o.not_seen_by_colour_shot.mean() < 0.02 and o.not_seen_by_gray.mean() < 0.02


def test_a_smaller_shot_moved_sideways_still_leaves_its_strips():
    wide = _texture(240, 344, 4, sigma=6.0)     # coarse enough for DIS to match at a quarter size
    gray = wide[:, 24:344]
    small = cv2.resize(np.ascontiguousarray(wide[:, :320]), (80, 60), interpolation=cv2.INTER_AREA)   # 4x smaller
    o = occlusion_map(gray, small)          # the shot 24 px (6 of its own) to the left
    red, green = o.not_seen_by_colour_shot, o.not_seen_by_gray
    assert red[:, -20:].mean() > 0.9 and red[:, :-30].mean() < 0.01
    assert green[:, :20].mean() > 0.9 and green[:, 30:].mean() < 0.01


def test_a_moved_object_hides_the_background_on_opposite_sides_in_each_shot():
    background = _texture(180, 260, 2)
    square = _texture(40, 40, 3) * 0.5 + 0.5
    gray, ref = background.copy(), background.copy()
    gray[40:80, 60:100] = square
    ref[40:80, 72:112] = square                 # 12 px to the right in the colour shot
    o = occlusion_map(gray, ref)
    hidden_in_ref = np.zeros_like(gray, bool)
    hidden_in_ref[40:80, 102:112] = True        # the gray's background under the moved square (2 px from its edge)
    hidden_in_gray = np.zeros_like(gray, bool)
    hidden_in_gray[40:80, 60:70] = True         # the shot's background under the gray's square
    near = np.zeros_like(gray, bool)
    near[32:88, 52:120] = True                  # the square's edges blur the flow a few pixels wide
    red, green = o.not_seen_by_colour_shot, o.not_seen_by_gray
    assert red[hidden_in_ref].mean() > 0.9 and green[hidden_in_gray].mean() > 0.9
    assert not red[~near].any() and not green[~near].any()
    assert red[45:75, 62:70].mean() < 0.1      # not on the other side: the shot sees the gray's square there
    assert green[45:75, 102:110].mean() < 0.1


def test_the_maps_pictures_and_legends_say_which_shot(tmp_path):
    o = np.zeros((16, 24), np.float32)
    o[:, :6] = -1.0
    shot = np.zeros((16, 24), np.float32)
    shot[:8] = 1.0
    red = maps.to_rgb("occlusion", o)
    assert red[0, 0].tolist() == [1.0, 0.0, 0.0] and red[0, 10].tolist() == [0.0, 0.0, 0.0]
    assert maps.to_rgb("occlusion_colour_shot", shot)[0, 0].tolist() == [0.0, 1.0, 0.0]
    result = SimpleNamespace(diagnostics={"occlusion": o, "occlusion_colour_shot": shot}, method="ccdc",
                             seconds=0.1, info={})
    write_diagnostics(result, tmp_path, "orange-blue")
    pictures = json.loads((tmp_path / "info.json").read_text())["pictures"]
    assert pictures["occlusion.png"]["share_not_seen_by_colour_shot"] == pytest.approx(0.25)
    assert "the gray: orange where no match for it was found in the colour shot" in pictures["occlusion.png"]["shows"]
    assert pictures["occlusion_colour_shot.png"]["share_not_seen_by_gray"] == pytest.approx(0.5)
    assert "blue where no match for it was found in the gray" in pictures["occlusion_colour_shot.png"]["shows"]
    png = cv2.imread(str(tmp_path / "occlusion.png"))[..., ::-1]
    assert png[0, 0].tolist() == [255, 128, 0] and png[0, 20].tolist() == [0, 0, 0]


@pytest.fixture(scope="module")
def moved_colour_shot():
    """(gray, colour shot): a colour scene 180 x 220 and the same scene 12 px to the left,
    2x smaller; the gray is the scene's own luma."""
    from colorstudio.core.color import rgb_to_ycbcr

    wide = np.dstack([_texture(180, 260, s) for s in (4, 5, 6)])
    gray = np.ascontiguousarray(rgb_to_ycbcr(wide[:, 12:232])[..., 0], np.float32)
    shot = cv2.resize(np.ascontiguousarray(wide[:, :220]), (110, 90), interpolation=cv2.INTER_AREA)
    return gray, shot


def _assert_both_strips(res, working_size_map: str):
    """The moved colour shot's maps in a result: at the size of ``working_size_map``, the two
    values only, the shares in the info, and the 12 px strip each shot sees alone. Returns
    (occlusion, occlusion_colour_shot)."""
    occ, shot = res.diagnostics["occlusion"], res.diagnostics["occlusion_colour_shot"]
    assert occ.shape == shot.shape == res.diagnostics[working_size_map].shape
    assert set(np.unique(occ)) <= {-1.0, 0.0} and set(np.unique(shot)) <= {0.0, 1.0}
    assert res.info["not_seen_by_colour_shot"] == pytest.approx((occ < 0).mean(), abs=1e-4)
    assert res.info["not_seen_by_gray"] == pytest.approx((shot > 0).mean(), abs=1e-4)
    assert (occ[:, -10:] < 0).mean() > 0.9 and (shot[:, :10] > 0).mean() > 0.9   # the 12 px each sees alone
    assert (occ[:, :-16] < 0).mean() < 0.02 and (shot[:, 16:] > 0).mean() < 0.02
    return occ, shot


def test_ccdc_returns_both_maps_at_its_working_size(moved_colour_shot):
    pytest.importorskip("torch")
    from colorstudio.engine.crosscam import colorize_crosscam

    gray, shot_rgb = moved_colour_shot
    res = colorize_crosscam(gray, shot_rgb, mode="crosscam")
    _assert_both_strips(res, "visibility_0")


@pytest.mark.parametrize("init", ["flow", "stereo"])
def test_the_engine_checks_dis_flow_on_the_tone_matched_shot(moved_colour_shot, monkeypatch, init):
    """The forward flow checked is DIS's on the planes the backward one uses, also when SGBM's
    disparity replaced part of the net's initial flow; the colour shot's luma is the one matched
    to the gray's tone, as the net sees it."""
    pytest.importorskip("torch")
    from colorstudio.core.luma_matching import match_luma
    from colorstudio.core.color import rgb_to_ycbcr
    from colorstudio.engine import crosscam

    gray, shot_rgb = moved_colour_shot
    seen = {}
    real = crosscam.occlusion_map
    monkeypatch.setattr(crosscam, "occlusion_map", lambda g, luma, forward, preset: seen.update(
        gray=g, luma=luma, forward=forward) or real(g, luma, forward, preset))
    crosscam.colorize_crosscam(gray * 0.6, shot_rgb, mode="crosscam", init=init)     # a darker gray
    matched = match_luma(rgb_to_ycbcr(shot_rgb)[..., 0].astype(np.float32), seen["gray"])
    assert np.abs(seen["luma"] - matched).max() < 1e-5
    assert np.array_equal(seen["forward"], crosscam.initial_flow(seen["gray"], seen["luma"]))


def test_cyclecnn_returns_both_maps_in_the_grays_geometry(moved_colour_shot):
    """The Cycle CNN gives the same maps as CCDC (core.occlusion on DIS's flows), at its working
    size in the gray's own geometry, with both shares in the info."""
    pytest.importorskip("torch")
    from colorstudio.engine.stereo import colorize_stereo, occlusion_maps

    gray, shot_rgb = moved_colour_shot
    res = colorize_stereo(gray, shot_rgb)
    occ, shot = _assert_both_strips(res, "disparity")
    direct = occlusion_maps(gray, shot_rgb, occ.shape[::-1]).diagnostics()
    assert np.array_equal(direct["occlusion"], occ) and np.array_equal(direct["occlusion_colour_shot"], shot)


def test_cyclecnn_draws_the_maps_of_an_unrectified_pair_in_the_grays_geometry(moved_colour_shot):
    """A pair the engine rectifies first still gets its maps in the gray's own frame, checked on
    the pair as given (not the rectified one): the strip the colour shot does not see stays the
    gray's right edge."""
    pytest.importorskip("torch")
    from colorstudio.engine.stereo import colorize_stereo, occlusion_maps

    gray, shot_rgb = moved_colour_shot
    h, w = shot_rgb.shape[:2]
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), 3.0, 1.0)
    tilted = cv2.warpAffine(np.ascontiguousarray(shot_rgb), turn, (w, h), borderMode=cv2.BORDER_REFLECT)
    res = colorize_stereo(gray, tilted)
    assert res.info["rectification"]["applied"]
    occ = res.diagnostics["occlusion"]
    assert occ.shape == res.diagnostics["disparity"].shape
    assert (occ[20:-20, -8:] < 0).mean() > 0.8 and (occ[20:-20, :-24] < 0).mean() < 0.05
    assert np.array_equal(occlusion_maps(gray, tilted, occ.shape[::-1]).diagnostics()["occlusion"], occ)


def _motorcycle_photos(motorcycle_small):
    from colorstudio.core.color import luma
    from colorstudio.core.photo import Photo

    left, right = motorcycle_small
    return (Photo(pixels=np.rint(luma(left) * 255).astype(np.uint8)),
            Photo(pixels=np.rint(right * 255).astype(np.uint8)))


@pytest.mark.parametrize("method, left_out", [
    ("ccdc", {"occlusion", "occlusion_colour_shot", "warped_reference"}),
    ("cyclecnn", {"occlusion", "occlusion_colour_shot"})])
def test_the_diagnostics_option_leaves_out_what_only_a_viewer_needs_and_nothing_else(motorcycle_small, method,
                                                                                     left_out):
    """options={"diagnostics": False} (what a batch gives): the same colours and the maps that come
    with the nets' work, without the occlusion maps, their shares and ccdc's warped reference, and
    not reported as an ignored option."""
    pytest.importorskip("torch")
    from colorstudio.engine.colorize import colorize

    gray, ref = _motorcycle_photos(motorcycle_small)
    with_maps = colorize(gray, ref, method)
    without = colorize(gray, ref, method, options={"diagnostics": False})
    assert set(with_maps.diagnostics) - set(without.diagnostics) == left_out
    assert set(without.diagnostics) < set(with_maps.diagnostics)
    assert "not_seen_by_gray" in with_maps.info and "not_seen_by_colour_shot" in with_maps.info
    assert "not_seen_by_gray" not in without.info and "not_seen_by_colour_shot" not in without.info
    assert np.abs(with_maps.chroma - without.chroma).max() < 1e-4
    assert "ignored_options" not in without.info


@pytest.mark.parametrize("method", ["dis+gf", "neutral", "hsv2stage"])
def test_methods_without_optional_diagnostics_never_see_the_option(motorcycle_small, method):
    """A classic or single-gray method is not given the option (it would report it as ignored,
    or refuse it); a value that is not True or False is refused by the engine."""
    from colorstudio.engine.colorize import colorize
    from colorstudio.engine.methods import get
    from colorstudio.errors import MethodError

    if get(method).learned:
        pytest.importorskip("torch")
    gray, ref = _motorcycle_photos(motorcycle_small)
    reference = ref if get(method).kind == "pair" else None
    result = colorize(gray, reference, method, options={"diagnostics": False})
    assert "diagnostics" not in result.info.get("ignored_options", [])
    with pytest.raises(MethodError, match="diagnostics option is True or False"):
        colorize(gray, reference, method, options={"diagnostics": "no"})


def test_a_batch_leaves_out_what_only_a_viewer_needs(small_pair_files, tmp_path):
    """A batch writes and shows no diagnostics: its pairs are colorized without the occlusion maps."""
    pytest.importorskip("torch")
    from colorstudio.engine.batch import BatchItem, run_item
    from colorstudio.core.generator_steps import run_to_end

    gray, colour = small_pair_files
    item = BatchItem(gray=gray, reference=colour, name="moto", output=tmp_path / "out" / "moto.png")
    result = run_to_end(run_item(item, "ccdc"))
    assert item.written.is_file() and "visibility_0" in result.diagnostics
    assert "occlusion" not in result.diagnostics and "not_seen_by_gray" not in result.info
