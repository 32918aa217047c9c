"""CCDC cross-camera mode: warping, visibility signs, any scale factor, mode choice, a tiny
forward/backward pass, model files. Tiny nets and images: the whole file runs in seconds."""
from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
import torch

from colorstudio.core.checks import PairReport
from colorstudio.engine.crosscam import colorize_crosscam, load_ccdc
from colorstudio.core.pair_mode import choose_mode
from colorstudio.errors import MethodError, ModelError
from colorstudio.nets.ccdc import CCDC, CCDCConfig
from colorstudio.nets.weights_file import save_weights
from colorstudio.nets.warp import backward_warp, resize_flow
from colorstudio.training.ccdc_losses import ccdc_loss

TINY = CCDCConfig(encoder_widths=(4, 4, 4, 4), flow_widths=(4, 4, 4, 4, 4),
                  decoder_widths=(4, 4, 4, 4), full_width=4, max_working_pixels=20_000)


@pytest.fixture(autouse=True)
def _one_thread():
    old = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(old)


@pytest.fixture
def tiny():
    torch.manual_seed(0)
    return CCDC(TINY).eval()


def _smooth_image(h, w, seed=0):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    img = sum(np.sin(x * rng.uniform(0.05, 0.2) + y * rng.uniform(0.05, 0.2) + rng.uniform(0, 6))
              for _ in range(3))
    return torch.from_numpy(img / 6 + 0.5)[None, None]


# ------------------------------------------------------------------ warping
def test_zero_flow_is_identity():
    img = torch.rand(2, 3, 17, 23)
    out = backward_warp(img, torch.zeros(2, 2, 17, 23))
    assert torch.allclose(out, img, atol=1e-5)


def test_known_translation_is_recovered():
    img = _smooth_image(40, 50)
    dx, dy = 3.0, -2.0
    # the "reference" shows the scene moved by (dx, dy): ref(x, y) = img(x - dx, y - dy)
    ref = torch.roll(img, shifts=(int(dy), int(dx)), dims=(2, 3))
    flow = torch.zeros(1, 2, 40, 50)
    flow[:, 0], flow[:, 1] = dx, dy          # target (x, y) matches reference (x + dx, y + dy)
    warped = backward_warp(ref, flow)
    inner = (slice(None), slice(None), slice(4, -4), slice(5, -5))
    assert torch.allclose(warped[inner], img[inner], atol=1e-5)


def test_subpixel_translation_interpolates():
    ramp = torch.arange(10, dtype=torch.float32).view(1, 1, 1, 10).repeat(1, 1, 4, 1)
    flow = torch.zeros(1, 2, 4, 10)
    flow[:, 0] = 0.5
    assert torch.allclose(backward_warp(ramp, flow)[..., :-1], ramp[..., :-1] + 0.5, atol=1e-5)


def test_resize_flow_scales_vectors():
    flow = torch.ones(1, 2, 16, 32)
    flow[:, 1] = 2.0
    half = resize_flow(flow, (8, 16))
    assert half.shape == (1, 2, 8, 16)
    assert torch.allclose(half[:, 0], torch.full((1, 8, 16), 0.5))
    assert torch.allclose(half[:, 1], torch.full((1, 8, 16), 1.0))


# ------------------------------------------------------------------ visibility signs
def test_visibility_zero_sign_convention(tiny):
    """V0 = warp(I2^Y) - I1: a patch brighter in the reference is positive (green), a patch
    brighter in the gray negative (red). The sign is the brightness difference: a patch shown
    by one view only is strongly coloured either way."""
    gray = torch.full((1, 1, 64, 64), 0.5)
    ref = torch.full((1, 3, 64, 64), 0.5)
    ref[:, 0, 8:24, 8:24] = 0.9           # only in the reference
    gray[:, :, 40:56, 40:56] = 0.9        # only in the target
    gray[:, :, 8:24, 40:56] = 0.1         # a dark object only in the target: the other sign
    with torch.no_grad():
        v0 = tiny(gray, ref, torch.zeros(1, 2, 64, 64))["visibility"][0]
    assert v0.shape == (1, 1, 64, 64)
    assert v0[0, 0, 12:20, 12:20].min() > 0.3
    assert v0[0, 0, 44:52, 44:52].max() < -0.3
    assert v0[0, 0, 12:20, 44:52].min() > 0.3
    assert v0[0, 0, 28:36, 28:36].abs().max() < 1e-4


def test_visibility_maps_at_five_scales_and_diagnostic_colours(tiny):
    from colorstudio.core.diagnostic_maps import signed_to_rgb

    torch.manual_seed(0)
    net = CCDC(dataclasses.replace(TINY, classic_init=False)).eval()   # flow = the (zero) residual only
    gray = np.full((48, 64), 0.5, np.float32)
    ref = np.full((48, 64, 3), 0.5, np.float32)
    gray[4:20, 4:20] = 0.1                     # dark in the gray only -> V0 > 0 there
    ref[28:44, 40:56] = 0.1                    # dark in the reference only -> V0 < 0 there
    res = colorize_crosscam(gray, ref, model=net, guided=False)
    for i, (h, w) in enumerate([(48, 64), (24, 32), (12, 16), (6, 8), (3, 4)]):
        assert res.diagnostics[f"visibility_{i}"].shape == (h, w)
    v0 = res.diagnostics["visibility_0"]
    assert v0[8:16, 8:16].min() > 0.2 and v0[32:40, 44:52].max() < -0.2
    rgb = signed_to_rgb(v0)
    assert rgb[10, 10, 1] > 0.9 and rgb[10, 10, 0] == 0     # positive -> green
    assert rgb[36, 48, 0] > 0.9 and rgb[36, 48, 1] == 0     # negative -> red


# ------------------------------------------------------------------ the engine
@pytest.mark.parametrize("ref_hw", [(15, 21), (30, 40), (37, 53), (120, 160)])
def test_any_scale_factor_gives_full_size_chroma(tiny, ref_hw):
    rng = np.random.default_rng(1)
    gray = rng.random((100, 140), dtype=np.float32)            # 100x140 vs 30x40: 3.3x/3.5x
    ref = rng.random(ref_hw + (3,), dtype=np.float32)
    res = colorize_crosscam(gray, ref, model=tiny, max_pixels=5000)
    assert res.chroma.shape == (100, 140, 2) and res.chroma.dtype == np.float32
    assert np.isfinite(res.chroma).all() and res.chroma.min() >= 0 and res.chroma.max() <= 1
    h, w = res.info["working_size"][::-1]
    assert res.diagnostics["flow"].shape == (h, w, 2)
    assert res.diagnostics["warped_reference"].shape == (h, w, 3)


def test_identical_views_keep_the_reference_colours(tiny):
    """An untrained net starts from the (DIS-)warped reference: same view -> same chroma."""
    from colorstudio.core.color import luma, rgb_to_ycbcr

    rng = np.random.default_rng(2)
    base = np.stack([_smooth_image(64, 96, s)[0, 0].numpy() for s in (3, 4, 5)], -1)
    res = colorize_crosscam(luma(base), base + rng.normal(0, 0.002, base.shape).astype(np.float32),
                            model=tiny, guided=False)
    err = np.abs(res.chroma - rgb_to_ycbcr(base)[..., 1:])[8:-8, 8:-8]
    assert err.mean() < 0.01


def test_bad_inputs_and_options_are_method_errors(tiny):
    gray = np.zeros((20, 20), np.float32)
    with pytest.raises(MethodError):
        colorize_crosscam(gray, None, model=tiny)
    with pytest.raises(MethodError):
        colorize_crosscam(gray, np.zeros((10, 10), np.float32), model=tiny)
    with pytest.raises(MethodError):
        colorize_crosscam(gray, np.zeros((10, 10, 3), np.float32), model=tiny, bogus=1)
    with pytest.raises(MethodError):
        colorize_crosscam(gray, np.zeros((10, 10, 3), np.float32), model=tiny, flip_average="maybe")


def test_flip_average_option(tiny):
    rng = np.random.default_rng(3)
    gray, ref = rng.random((40, 60), dtype=np.float32), rng.random((10, 15, 3), dtype=np.float32)
    on = colorize_crosscam(gray, ref, model=tiny)                       # small: on by default
    off = colorize_crosscam(gray, ref, model=tiny, flip_average="off")
    assert on.info["flip_average"] is True and off.info["flip_average"] is False
    assert on.info["mirrorings"] == 3 and off.info["mirrorings"] == 0
    assert on.chroma.shape == off.chroma.shape == (40, 60, 2)


def test_mirrorings_within_the_net_work_budget():
    from colorstudio.engine.crosscam import MIRRORINGS, mirrorings_within, net_work_budget

    budget = net_work_budget(1_000_000)       # a 1 MP working size at three scales
    assert budget == pytest.approx(1_000_000 * (1 + 0.8 ** 2 + 0.64 ** 2))
    assert mirrorings_within(100_000, budget) == MIRRORINGS           # small: all three
    assert mirrorings_within(budget / 2, budget) == MIRRORINGS[:1]    # twice the work fits: left-right
    assert mirrorings_within(budget / 2 + 1, budget) == ()
    assert mirrorings_within(budget, budget) == ()


def test_auto_mirrorings_never_exceed_what_the_largest_working_size_takes():
    """A working size near the model's largest gets fewer mirrorings ('auto'); 'on' gets all."""
    torch.manual_seed(0)
    net = CCDC(dataclasses.replace(TINY, max_working_pixels=40_000)).eval()   # budget 82k px
    rng = np.random.default_rng(3)
    gray, ref = rng.random((120, 180), dtype=np.float32), rng.random((30, 45, 3), dtype=np.float32)
    auto = colorize_crosscam(gray, ref, model=net, init="flow")      # 21.6k px x 3 scales = 44k
    assert auto.info["scales"] == [1.0, 0.8, 0.64] and auto.info["mirrorings"] == 0
    single = colorize_crosscam(gray, ref, model=net, init="flow", multiscale=False)  # 21.6k x 3 fit
    assert single.info["mirrorings"] == 2
    forced = colorize_crosscam(gray, ref, model=net, init="flow", flip_average="on")
    assert forced.info["mirrorings"] == 3
    # a thin strip: the 0.64 scale (26 rows) is skipped, and not counted either (16k x 1.64 = 26k)
    thin = colorize_crosscam(rng.random((40, 400), dtype=np.float32), rng.random((10, 100, 3), dtype=np.float32),
                             model=net, init="flow")
    assert thin.info["scales"] == [1.0, 0.8] and thin.info["mirrorings"] == 2


def test_each_mirrored_pass_starts_from_the_mirrored_pairs_own_flow(tiny, monkeypatch):
    """The initial flow of a mirrored pass is the plain one mirrored, with the component along
    each mirrored axis negated: a match (-4, -3) px away is (+4, -3) px away once both shots
    are mirrored left-right. (A sign slip here cost the shipped model 1.7 dB on Motorcycle.)"""
    y, x = np.mgrid[0:96, 0:128].astype(np.float32)
    scene = lambda dx, dy: (0.5 + 0.2 * np.sin((x - dx) / 5.0) * np.cos((y - dy) / 7.0)
                            + 0.1 * np.sin((x - dx + 2 * (y - dy)) / 11.0)).astype(np.float32)
    gray = scene(0, 0)
    moved = scene(-4, -3)                    # the gray's point (x, y) is at (x - 4, y - 3) here
    ref = np.repeat(moved[..., None], 3, axis=2)
    starts = []
    real_forward = type(tiny).forward
    monkeypatch.setattr(type(tiny), "forward",
                        lambda self, g, r, init=None: (starts.append(init[0].numpy().copy()),
                                                       real_forward(self, g, r, init))[1])
    colorize_crosscam(gray, ref, model=tiny, init="flow", multiscale=False, flip_average=True, guided=False)
    assert len(starts) == 4                  # plain, left-right, up-down, both
    inner = (slice(None), slice(16, -16), slice(16, -16))
    means = [tuple(float(np.median(s[inner][c])) for c in (0, 1)) for s in starts]
    expected = [(-4, -3), (4, -3), (-4, 3), (4, 3)]
    for (mx, my), (ex, ey) in zip(means, expected):
        assert mx == pytest.approx(ex, abs=0.5) and my == pytest.approx(ey, abs=0.5)


@pytest.mark.parametrize("axis", [0, 1])
def test_flip_average_makes_the_result_mirror_with_the_input(axis):
    """Averaged over all four mirrorings, mirroring the pair mirrors the result (exactly, for a
    net without the classic initial flow, which is itself not mirror-symmetric)."""
    torch.manual_seed(0)
    net = CCDC(dataclasses.replace(TINY, classic_init=False)).eval()
    rng = np.random.default_rng(4)
    gray, ref = rng.random((40, 64), dtype=np.float32), rng.random((20, 32, 3), dtype=np.float32)
    plain = colorize_crosscam(gray, ref, model=net, flip_average=True, guided=False).chroma
    mirrored = colorize_crosscam(np.flip(gray, axis).copy(), np.flip(ref, axis).copy(), model=net,
                                 flip_average=True, guided=False).chroma
    np.testing.assert_allclose(np.flip(mirrored, axis), plain, atol=1e-5)
    single = colorize_crosscam(np.flip(gray, axis).copy(), np.flip(ref, axis).copy(), model=net,
                               flip_average=False, guided=False).chroma
    assert np.abs(np.flip(single, axis) - plain).max() > 1e-3      # one pass alone is not symmetric


# ------------------------------------------------------------------ mode selection
def _report(rectified, n_inliers=200, offset=0.3, identical=False):
    return PairReport(gray_size=(640, 480), reference_size=(640, 480), scale_factor=(1.0, 1.0),
                      size_mismatch=False, aspect_mismatch=False, identical=identical,
                      reference_is_gray=False, detector="orb", n_matches=300, n_inliers=n_inliers,
                      vertical_offset_px=offset, rows_off_fraction=0.0, vertical_shift_px=0.0,
                      rotation_deg=0.0, mirrored=False, rectify_tolerance_px=1.5, rectified=rectified,
                      disparity_min=1.0, disparity_max=30.0, disparity_median=10.0,
                      colour_side="right", colour_camera_position="left", exposure_gain=1.0,
                      exposure_stops=0.0, tone_slope=1.0, tone_offset=0.0, tone_gamma=1.0,
                      mean_luma_diff=0.0, suggested_mode="stereo", mode_reason="", messages=[],
                      seconds=0.1)


def test_choose_mode():
    mode, why = choose_mode((3000, 4000), (750, 1000, 3))
    assert mode == "crosscam" and "4.0x smaller" in why
    assert choose_mode((480, 640), (480, 640, 3))[0] == "stereo"
    assert choose_mode((480, 640), (470, 630, 3))[0] == "stereo"          # within ~10%
    assert choose_mode((480, 640), (400, 560, 3))[0] == "crosscam"        # 12-14% off
    assert choose_mode((480, 640), (480, 480, 3))[0] == "crosscam"        # another shape
    assert "another shape" in choose_mode((480, 640), (120, 120, 3))[1]
    mode, why = choose_mode((500, 741), (62, 93, 3))                      # 8x, sizes rounded
    assert mode == "crosscam" and "8.0x smaller" in why
    assert choose_mode((480, 640), (480, 640, 3), _report(True))[0] == "stereo"
    mode, why = choose_mode((480, 640), (480, 640, 3), _report(False, offset=6.0))
    assert mode == "crosscam" and "6.0 px" in why
    mode, why = choose_mode((480, 640), (480, 640, 3), _report(None, n_inliers=3))
    assert mode == "crosscam" and "could not be measured" in why


# ------------------------------------------------------------------ training pieces
def test_tiny_forward_backward_pass():
    torch.manual_seed(0)
    net = CCDC(TINY).train()
    gray, truth = torch.rand(2, 1, 40, 56), torch.rand(2, 3, 40, 56)
    out = net(gray, torch.rand(2, 3, 13, 17), torch.randn(2, 2, 40, 56))
    assert out["chroma"].shape == (2, 2, 40, 56)
    assert [f.shape[-2:] for f in out["flows"]] == [(40, 56), (20, 28), (10, 14), (5, 7), (3, 4)]
    loss, parts = ccdc_loss(out, truth)
    loss.backward()
    assert set(parts) == {"colour", "warp"} and torch.isfinite(loss)
    grads = {n: p.grad for n, p in net.named_parameters()}
    assert all(g is not None and torch.isfinite(g).all() for g in grads.values())
    assert any(g.abs().sum() > 0 for n, g in grads.items() if n.startswith("flow."))


def test_synthesized_pairs_are_deterministic_and_sized():
    from colorstudio.training import ccdc_data

    rng = np.random.default_rng(0)
    scenes = [(rng.random((120, 160, 3)) * 255).astype(np.uint8) for _ in range(3)]
    a = ccdc_data.synthesize(scenes, np.random.default_rng(5), (64, 96), 3.3, "temporal")
    b = ccdc_data.synthesize(scenes, np.random.default_rng(5), (64, 96), 3.3, "temporal")
    assert a.gray.shape == (64, 96) and a.reference.shape == (19, 29, 3)
    assert np.array_equal(a.gray, b.gray) and np.array_equal(a.reference, b.reference)



def test_the_ccdc_photo_split_is_fixed_disjoint_and_never_motorcycle(tmp_path):
    """On a folder made here (CI has no shared photo folder)."""
    from PIL import Image

    from colorstudio.training import ccdc_data

    names = [f"photo{i:02d}.jpg" for i in range(30)] + ["motorcycle.png", "Motorcycle_left.jpg"]
    for name in names:
        Image.fromarray(np.full((8, 8, 3), 100, np.uint8)).save(tmp_path / name)
    train, val = ccdc_data.photo_split(tmp_path)
    assert train and val and not set(train) & set(val)
    assert {p.name for p in train + val} == {n for n in names if "motorcycle" not in n.lower()}
    assert ccdc_data.photo_split(tmp_path) == (train, val)          # the same split every time


def test_stereo_kind_is_a_horizontal_layered_pair():
    from colorstudio.training import ccdc_data

    rng = np.random.default_rng(0)
    scenes = [(rng.random((120, 200, 3)) * 255).astype(np.uint8) for _ in range(3)]
    p = ccdc_data.synthesize(scenes, np.random.default_rng(2), (64, 96), 2.0, "stereo", setup=1)
    assert p.gray.shape == (64, 96) and p.reference.shape == (32, 48, 3) and p.truth_rgb.shape == (64, 96, 3)
    lo, hi = ccdc_data.STEREO_DISPARITY
    assert p.info["kind"] == "stereo" and round(lo * 96) <= p.info["max_disparity"] <= round(hi * 96)
    # the gray is the truth view's luma (plus Setup 1's small noise), not the reference view's
    truth_luma = p.truth_rgb @ np.array([0.299, 0.587, 0.114], np.float32)
    assert np.abs(p.gray - truth_luma).mean() < 0.03
    batch = ccdc_data.make_batch(scenes, np.random.default_rng(3), 3, (48, 48), 2.0, kinds=ccdc_data.ALL_KINDS)
    assert batch["gray"].shape == (3, 1, 48, 48) and batch["ref"].shape == (3, 3, 24, 24)
    with pytest.raises(ValueError, match="kind must be one of"):
        ccdc_data.synthesize(scenes, rng, (64, 96), 2.0, "sideways")


# ------------------------------------------------------------------ model files
def test_safetensors_round_trip(tiny, tmp_path):
    path = tmp_path / "ccdc.safetensors"
    save_weights(path, tiny.state_dict(), "ccdc", TINY.to_dict())
    net, meta = load_ccdc(path)
    assert net.cfg == TINY and json.loads(meta["config"])["encoder_widths"] == [4, 4, 4, 4]
    assert all(torch.equal(a, b) for a, b in zip(net.state_dict().values(), tiny.state_dict().values()))
    assert load_ccdc(path)[0] is net                     # cached per file
    gray = np.random.default_rng(0).random((32, 40), dtype=np.float32)
    ref = np.random.default_rng(1).random((10, 12, 3), dtype=np.float32)
    a = colorize_crosscam(gray, ref, model=str(path)).chroma
    b = colorize_crosscam(gray, ref, model=tiny).chroma
    assert np.allclose(a, b, atol=1e-5)          # same net (memory layouts may differ)


def test_invalid_model_files_are_model_errors(tmp_path):
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"\x80\x04not a safetensors file at all")
    with pytest.raises(ModelError) as err:
        load_ccdc(bad)
    assert "\n" not in str(err.value)
    with pytest.raises(ModelError):
        load_ccdc(tmp_path / "missing.safetensors")
    other = tmp_path / "other.safetensors"
    save_weights(other, {"w": torch.zeros(2)}, "hsv2stage", {})
    with pytest.raises(ModelError):
        load_ccdc(other)
    wrong = tmp_path / "wrong.safetensors"
    save_weights(wrong, {"w": torch.zeros(2)}, "ccdc", TINY.to_dict())
    with pytest.raises(ModelError):
        load_ccdc(wrong)


def test_multiscale_runs_coarser_sizes_unless_the_flow_starts_from_sgbm(tiny):
    rng = np.random.default_rng(5)
    gray, ref = rng.random((64, 80), dtype=np.float32), rng.random((16, 20, 3), dtype=np.float32)
    auto = colorize_crosscam(gray, ref, model=tiny, init="flow")
    off = colorize_crosscam(gray, ref, model=tiny, init="flow", multiscale="off")
    with_sgbm = colorize_crosscam(gray, ref, model=tiny, init="stereo")
    assert auto.info["scales"] == [1.0, 0.8, 0.64] and off.info["scales"] == [1.0]
    assert with_sgbm.info["scales"] == [1.0]
    assert auto.chroma.shape == off.chroma.shape == (64, 80, 2)
    assert np.abs(auto.chroma - off.chroma).max() > 1e-4            # the coarser passes count
    assert auto.diagnostics["flow"].shape == off.diagnostics["flow"].shape == (64, 80, 2)


def test_coarser_passes_too_small_to_match_are_skipped_and_tiny_grays_refused(tiny):
    rng = np.random.default_rng(6)
    strip = colorize_crosscam(rng.random((40, 300), dtype=np.float32), rng.random((10, 75, 3), dtype=np.float32),
                              model=tiny, init="flow")
    assert strip.info["scales"] == [1.0, 0.8]          # 0.64 x 40 rows is below MIN_COARSE_SIDE
    assert strip.chroma.shape == (40, 300, 2)
    smallest = colorize_crosscam(rng.random((16, 16), dtype=np.float32), rng.random((16, 16, 3), dtype=np.float32),
                                 model=tiny)
    assert smallest.chroma.shape == (16, 16, 2) and smallest.info["scales"] == [1.0]
    with pytest.raises(MethodError, match="at least 16x16"):
        colorize_crosscam(rng.random((12, 40), dtype=np.float32), rng.random((12, 40, 3), dtype=np.float32),
                          model=tiny)


def test_the_flip_average_changes_the_result(tiny):
    # the option's flags alone would pass if the averaging did nothing
    rng = np.random.default_rng(3)
    gray, ref = rng.random((40, 60), dtype=np.float32), rng.random((10, 15, 3), dtype=np.float32)
    on = colorize_crosscam(gray, ref, model=tiny)
    off = colorize_crosscam(gray, ref, model=tiny, flip_average="off")
    assert np.abs(on.chroma - off.chroma).max() > 1e-4
