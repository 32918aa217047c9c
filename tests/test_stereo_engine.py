"""The stereo engine (colorstudio.engine.stereo): any size, chroma only, diagnostics."""
import json

import numpy as np
import pytest
import torch

from colorstudio.core.color import compose, luma
from colorstudio.core.synth import synthesize_from_photo
from colorstudio.engine import stereo
from colorstudio.errors import MethodError, ModelError, PairError
from colorstudio.nets.cyclecnn import CycleCNN, CycleCNNConfig
from colorstudio.nets.gca import GCAConfig
from colorstudio.nets.refine import RefineConfig
from colorstudio.nets.registry import save_model
from colorstudio.nets.wac import WACConfig


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    torch.manual_seed(0)
    cfg = CycleCNNConfig(wac=WACConfig(features=4, res_blocks=1, unet=(4, 4, 4, 4)),
                         gca=GCAConfig(features=4, res_blocks=1), refine=RefineConfig(features=4),
                         max_disparity=16)
    return save_model(CycleCNN(cfg), tmp_path_factory.mktemp("m") / "tiny.safetensors")


@pytest.fixture(scope="module")
def pair():
    rng = np.random.default_rng(0)
    import cv2
    photo = cv2.resize(rng.random((12, 20, 3)).astype(np.float32), (260, 150), interpolation=cv2.INTER_CUBIC)
    p = synthesize_from_photo(np.clip(photo * 0.8 + 0.1, 0, 1), rng, 1, max_disparity=12,
                              crop=(101, 143), side="right")   # odd sizes
    return p


def test_full_resolution_chroma_only(model_file, pair):
    res = stereo.colorize_stereo(pair.gray, pair.reference, model=model_file, working_pixels=4000,
                                 match_side="right", max_disparity=12)
    assert res.chroma.shape == (101, 143, 2) and res.chroma.dtype == np.float32
    assert res.info["working_size"][0] < 143        # ran at a working size, upsampled back
    rgb = compose(pair.gray, res.chroma)
    inside = (rgb > 0.01).all(-1) & (rgb < 0.99).all(-1)
    assert np.abs(luma(rgb) - pair.gray)[inside].max() < 2e-3


def test_diagnostics_content(model_file, pair):
    res = stereo.colorize_stereo(pair.gray, pair.reference, model=model_file, match_side="left",
                                 max_disparity=12, min_disparity=2)
    d = res.diagnostics
    h, w = res.info["working_size"][1], res.info["working_size"][0]
    for key in ("confidence", "disparity", "entropy", "residue"):
        assert d[key].shape == (h, w) and np.isfinite(d[key]).all(), key
    assert ((d["confidence"] >= 0) & (d["confidence"] <= 1)).all()
    assert (d["disparity"] <= 0).all()               # left side: x_ref <= x_gray
    assert d["entropy"].max() <= np.log(res.info["candidates"]) + 1e-4
    curve = json.loads(json.dumps(d["curve"]))
    assert len(curve["x"]) == len(curve["y"]) == 64
    n = len(curve["pairs"])
    assert 0 < n <= 5000 and len(curve["weights"]) == n and len(curve["pairs"][0]) == 2
    json.dumps(res.info)


def test_estimates_side_and_range_itself(model_file, pair):
    res = stereo.colorize_stereo(pair.gray, pair.reference, model=model_file)
    assert res.info["side"] in ("left", "right")
    lo, hi = res.info["disparity_range"]
    assert 0 <= lo <= hi


def test_smaller_reference_is_accepted(model_file, pair):
    import cv2
    small = cv2.resize(pair.reference, (72, 51), interpolation=cv2.INTER_AREA)
    res = stereo.colorize_stereo(pair.gray, small, model=model_file, match_side="right", max_disparity=12)
    assert res.chroma.shape == (101, 143, 2)


def test_model_is_cached_per_path(model_file):
    assert stereo.get_model(model_file) is stereo.get_model(model_file)


def test_bad_inputs(model_file, pair, tmp_path):
    with pytest.raises(PairError):
        stereo.colorize_stereo(pair.gray[..., None], pair.reference, model=model_file)
    with pytest.raises(MethodError):
        stereo.colorize_stereo(pair.gray, None, model=model_file)
    with pytest.raises(MethodError):
        stereo.colorize_stereo(pair.gray, pair.reference, model=model_file, bogus=1)
    with pytest.raises(ModelError):
        stereo.colorize_stereo(pair.gray, pair.reference, model=tmp_path / "none.safetensors")


def test_unrectified_pair_result_is_in_the_gray_geometry(model_file):
    from skimage import data
    import cv2
    left, right, _ = data.stereo_motorcycle()
    left = cv2.resize(left, (240, 162), interpolation=cv2.INTER_AREA).astype(np.float32) / 255
    right = cv2.resize(right, (240, 162), interpolation=cv2.INTER_AREA).astype(np.float32) / 255
    M = cv2.getRotationMatrix2D((120, 81), 2.0, 1.0)
    M[1, 2] += 4
    tilted = cv2.warpAffine(right, M, (240, 162), borderMode=cv2.BORDER_REFLECT)
    res = stereo.colorize_stereo(luma(left), tilted, model=model_file, max_disparity=24)
    assert res.chroma.shape == (162, 240, 2)
    assert "rectification" in res.info and res.info["rectification"]["applied"]
    from colorstudio import paths                            # the shipped model: at this size
    shipped = stereo.colorize_stereo(luma(left), tilted, model=paths.models_dir() / "cyclecnn.safetensors",
                                     max_disparity=24)           # it works at full size (scale 1)
    assert shipped.info["working_size"] != [240, 162]        # the rectified canvas is larger…
    for name in ("disparity", "entropy", "residue", "confidence"):    # …the maps are the gray's
        assert shipped.diagnostics[name].shape == (162, 240), name


@pytest.mark.parametrize("gamma", [0.5, 2.0])
def test_a_mono_camera_with_another_tone_curve_keeps_its_colours(motorcycle_small, gamma, tmp_path):
    """The shipped model on Motorcycle (1/4 size) whose gray has a strong tone curve. Two things
    keep the colours right, each on its own: matching the reference luma to the gray's
    histogram first (the default), and BatchNorm on each photo's own statistics (the shipped
    config). With neither (the running averages, no matching) they fall by 4 dB or more."""
    import shutil

    from colorstudio.core import metrics
    from colorstudio.core.color import rgb_to_ycbcr
    from colorstudio.paths import models_dir
    from colorstudio.training.set_batchnorm_statistics import set_statistics

    left, right = motorcycle_small
    truth = rgb_to_ycbcr(left)[..., 1:]
    score = lambda g, **kw: metrics.chroma_psnr(stereo.colorize_stereo(g, right, **kw).chroma, truth)  # noqa: E731
    plain = score(luma(left))
    gray = luma(left) ** gamma
    assert score(gray) > plain - 1.0                                  # tone matched, own statistics
    assert score(gray, match_tone=False) > plain - 1.0                # own statistics alone
    running = tmp_path / "running.safetensors"
    shutil.copy(models_dir() / "cyclecnn.safetensors", running)
    set_statistics(running, "running")
    assert score(gray, model=running) > plain - 1.5                   # tone matching alone
    assert score(gray, model=running, match_tone=False) < plain - 4.0  # neither


def test_denoise_chroma_removes_reference_noise_and_keeps_an_edge_the_gray_has():
    rng = np.random.default_rng(3)
    gray = np.full((60, 90), 0.3, np.float32)
    gray[:, 45:] = 0.8
    clean = np.where(gray[..., None] > 0.5, 0.65, 0.4).repeat(2, axis=-1).astype(np.float32)
    noisy = np.clip(clean + rng.normal(0, 0.03, clean.shape).astype(np.float32), 0, 1)
    out = stereo.denoise_chroma(noisy, gray)
    assert out.shape == noisy.shape and 0 <= out.min() and out.max() <= 1
    assert np.abs(out - clean).mean() < 0.5 * np.abs(noisy - clean).mean()
    assert abs(out[:, 47].mean() - 0.65) < 0.02 and abs(out[:, 42].mean() - 0.4) < 0.02   # the edge stays
    big_gray = np.kron(gray, np.ones((3, 3), np.float32))      # the guide may be the full-size gray
    np.testing.assert_allclose(stereo.denoise_chroma(noisy, big_gray), out, atol=1e-5)


def test_thread_option_is_reported_and_torch_setting_restored(model_file, pair):
    before = torch.get_num_threads()
    res = stereo.colorize_stereo(pair.gray, pair.reference, model=model_file, match_side="right",
                                 max_disparity=12, threads=1)
    assert res.info["threads"] == 1 and torch.get_num_threads() == before
    auto = stereo.colorize_stereo(pair.gray, pair.reference, model=model_file, match_side="right", max_disparity=12)
    from colorstudio.engine.cpu_threads import outer_threads

    assert 1 <= auto.info["threads"] <= outer_threads()    # the cores other programs leave free
    np.testing.assert_allclose(auto.chroma, res.chroma, atol=1e-4)   # threads change speed, not colour


def test_the_disparity_range_is_measured_on_the_rectified_pair(model_file):
    # rectifying a tilted reference moves every disparity: the range measured on the pair as
    # given would leave part of the rectified scene outside the search
    import cv2

    from colorstudio import paths
    from colorstudio.core.imageio import load_photo
    examples = paths.resources_dir() / "examples"
    gray = load_photo(examples / "motorcycle_mono.png").gray_float()
    colour = load_photo(examples / "motorcycle_color.jpg").rgb_float()
    h, w = gray.shape
    tilted = np.clip(cv2.warpAffine(colour, cv2.getRotationMatrix2D((w / 2, h / 2), 5.0, 1.0), (w, h),
                                    borderMode=cv2.BORDER_REPLICATE), 0, 1)
    res = stereo.colorize_stereo(gray, tilted, model=model_file, working_pixels=20_000)
    q = res.info["rectification"]
    assert q["applied"]
    lo, hi = res.info["disparity_range"]
    assert lo <= q["disparity_min"] and q["disparity_max"] <= hi, (res.info["disparity_range"], q)


def test_a_measured_zero_span_gets_a_margin_not_the_blind_default():
    assert stereo._search_range("right", 0.0, 0.0) == (0.0, 4.0)        # the same photo twice
    assert stereo._search_range("left", 0.0, 0.0) == (-4.0, 0.0)
    assert stereo._search_range("right", None, None) == (0.0, 64 + 0.15 * 64 + 4)
    # with no side measured, zero parallax lies inside the candidates, not on their edge
    assert stereo._search_range("right", 0.0, 0.0, past_zero=4.0) == (-4.0, 4.0)
    assert stereo._search_range("left", 0.0, 0.0, past_zero=4.0) == (-4.0, 4.0)
    assert stereo._search_range("right", 10.0, 30.0, past_zero=4.0) == pytest.approx((3.0, 37.0))


def test_a_pair_with_no_parallax_is_searched_on_both_sides_of_zero_and_a_measured_side_is_not(model_file):
    from colorstudio import paths
    from colorstudio.core.imageio import load_photo
    examples = paths.resources_dir() / "examples"
    colour = load_photo(examples / "motorcycle_color.jpg").rgb_float()
    gray = luma(colour)
    noisy = np.clip(colour + np.random.default_rng(0).normal(0, 0.004, colour.shape), 0, 1).astype(np.float32)
    far = stereo.colorize_stereo(gray, noisy, model=model_file, working_pixels=20_000)
    lo, hi = far.info["disparity_range"]
    assert lo <= -stereo.PAST_ZERO_PX + 0.01 and hi > 0, far.info
    import cv2                                    # and still once a tilted shot is rectified
    h, w = gray.shape
    tilted = np.clip(cv2.warpAffine(noisy, cv2.getRotationMatrix2D((w / 2, h / 2), 1.0, 1.0), (w, h),
                                    borderMode=cv2.BORDER_REPLICATE), 0, 1)
    far = stereo.colorize_stereo(gray, tilted, model=model_file, working_pixels=20_000)
    assert far.info["rectification"]["applied"], far.info
    lo, hi = far.info["disparity_range"]
    assert lo <= -stereo.PAST_ZERO_PX + 0.01 and hi > 0, far.info
    mono = load_photo(examples / "motorcycle_mono.png").gray_float()
    near = stereo.colorize_stereo(mono, colour, model=model_file, working_pixels=20_000)
    assert near.info["match_side"] == "left" and near.info["disparity_range"][1] <= 0, near.info
    assert near.info["side"] == "right"           # the colour camera, as `colorstudio check` says


def test_the_engine_checks_a_cyclecnn_pair_once_and_the_result_is_the_same(pair, monkeypatch):
    """colorize() checks the pair (warnings, the pair mode) and hands its report to the Cycle CNN,
    which would otherwise check the same arrays again; a colour shot of another size is
    checked again at the gray's size, as before."""
    import cv2

    from colorstudio.core import checks
    from colorstudio.core.photo import Photo
    from colorstudio.engine.colorize import colorize

    def photos(ref):
        return (Photo(pixels=np.rint(pair.gray * 255).astype(np.uint8)),
                Photo(pixels=np.rint(ref * 255).astype(np.uint8)))

    calls = []
    real = checks.check_pair
    monkeypatch.setattr(checks, "check_pair", lambda *a, **k: calls.append(a[1].shape) or real(*a, **k))
    gray, ref = photos(pair.reference)
    result = colorize(gray, ref, "cyclecnn")
    assert len(calls) == 1
    alone = stereo.colorize_stereo(gray.gray_float(), ref.rgb_float(), diagnostics=False)   # checks it itself
    assert len(calls) == 2
    assert np.abs(result.chroma - alone.chroma).max() < 1e-4
    assert result.info["disparity_range"] == alone.info["disparity_range"]
    calls.clear()
    small = cv2.resize(pair.reference, (72, 50), interpolation=cv2.INTER_AREA)
    colorize(*photos(small), "cyclecnn", options={"mode": "stereo"})
    assert calls and calls[-1] == pair.gray.shape + (3,)      # the shot at the gray's size, checked by the net's engine


def test_a_disparity_below_1_is_refused_and_one_above_the_width_is_held_to_it(model_file, pair):
    """--max-disparity 0 or -5 was taken (an inverted range); 100000 squeezed the working size
    to 16 x 16 px out of the gray's shape."""
    for bad in (0, -5):
        with pytest.raises(MethodError, match="max_disparity must be a positive number of pixels"):
            stereo.colorize_stereo(pair.gray, pair.reference, model=model_file, max_disparity=bad)
    H, W = pair.gray.shape
    huge = stereo.colorize_stereo(pair.gray, pair.reference, model=model_file, max_disparity=100000)
    width = stereo.colorize_stereo(pair.gray, pair.reference, model=model_file, max_disparity=W)
    assert huge.info["disparity_range"] == width.info["disparity_range"]
    assert np.array_equal(huge.chroma, width.chroma)
    w, h = huge.info["working_size"]
    assert min(w, h) >= 16 and abs(w / h - W / H) < 0.1         # the gray's shape kept
