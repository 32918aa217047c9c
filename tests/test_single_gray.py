"""Single-gray colorization (issue #6): the HSV net, Deep Colorization, their engine and trainers."""
from __future__ import annotations

import math

import cv2
import numpy as np
import pytest
import torch

from colorstudio.core import cheng_features as cf
from colorstudio.core.color import compose, hsv_to_rgb, luma, rgb_to_hsv, rgb_to_ycbcr
from colorstudio.core.image_write import save_photo
from colorstudio.core.imageio import load_photo
from colorstudio.core.joint_bilateral import joint_bilateral
from colorstudio.core import single_chroma
from colorstudio.engine import single
from colorstudio.errors import MethodError, ModelError
from colorstudio.nets import colorspace as tcs
from colorstudio.nets.cheng_mlp import ChengConfig, ChengModel
from colorstudio.nets.colorspace import luma as torch_luma
from colorstudio.nets.hsv2stage import HSV2Stage, HSV2StageConfig, MSE_FLOOR, circular_hue_mae, hsv_loss, rgb_log_mse, rgb_mse, rgb_on_gray
from colorstudio.nets.weights_file import load_weights, save_weights
from single_gray_fixtures import TINY_HSV, cheng_file, hsv_file, scene


# ---------------------------------------------------------------- circular hue loss
@pytest.mark.parametrize("pred, target, expected", [
    (0.9, -0.9, 0.2),     # across the seam: short way round
    (-1.0, 1.0, 0.0),     # -1 and 1 are the same hue
    (0.5, -0.5, 1.0),     # opposite hues: the largest distance
    (0.2, 0.1, 0.1),      # no wrap
    (-0.95, 0.95, 0.1),
])
def test_circular_hue_mae_wraps_around(pred, target, expected):
    loss = circular_hue_mae(torch.tensor([pred]), torch.tensor([target]))
    assert loss.item() == pytest.approx(expected, abs=1e-6)
    # symmetric
    assert circular_hue_mae(torch.tensor([target]), torch.tensor([pred])).item() == pytest.approx(expected, abs=1e-6)


def test_circular_hue_gradient_points_the_short_way():
    p = torch.tensor([0.9], requires_grad=True)
    circular_hue_mae(p, torch.tensor([-0.9])).backward()
    assert p.grad.item() < 0  # increasing p towards 1 (== -1) brings it closer to -0.9


def test_hsv_loss_weights_hue_by_true_saturation():
    pred = torch.zeros(1, 2, 2, 2)
    target = torch.zeros(1, 2, 2, 2)
    target[:, 0] = 0.25      # hue 0.25 -> tanh units -0.5, |d| = 0.5
    target[:, 1] = 0.5       # saturation 0.5 -> tanh 0: no saturation error
    assert hsv_loss(pred, target).item() == pytest.approx(0.5)
    target[:, 1, 0, 0] = 0.0  # a gray pixel: its hue is ignored, the saturation error is 1
    weighted = hsv_loss(pred, target, hue_weight_by_saturation=True).item()
    assert weighted == pytest.approx(0.25 + 0.5)


# ---------------------------------------------------------------- HSV torch vs numpy
def test_hsv_round_trip_torch_matches_numpy():
    rng = np.random.default_rng(1)
    rgb = rng.random((3, 17, 9)).astype(np.float32)
    rgb[:, 0, 0] = 0.4          # a gray pixel
    rgb[:, 0, 1] = [1, 0, 0]    # pure red (hue 0)
    rgb[:, 0, 2] = [1, 0, 1e-3]  # just below the hue seam
    t = torch.from_numpy(rgb)[None]
    hsv_t = tcs.rgb_to_hsv(t)[0].numpy()
    hsv_n = rgb_to_hsv(np.moveaxis(rgb, 0, -1))
    dh = np.abs(np.moveaxis(hsv_t, 0, -1)[..., 0] - hsv_n[..., 0])
    assert np.all(np.minimum(dh, 1 - dh) < 1e-5)
    np.testing.assert_allclose(np.moveaxis(hsv_t, 0, -1)[..., 1:], hsv_n[..., 1:], atol=1e-5)
    np.testing.assert_allclose(tcs.hsv_to_rgb(tcs.rgb_to_hsv(t))[0].numpy(), rgb, atol=1e-5)
    np.testing.assert_allclose(hsv_to_rgb(hsv_n), np.moveaxis(rgb, 0, -1), atol=1e-5)
    np.testing.assert_allclose(tcs.hsv_to_rgb(torch.from_numpy(np.moveaxis(hsv_n, -1, 0)))[None][0].numpy(),
                               rgb, atol=1e-5)


def test_hs_to_chroma_inverts_for_in_gamut_colours():
    rgb = scene()
    hsv = rgb_to_hsv(rgb)
    chroma = single_chroma.hs_to_chroma(hsv[..., 0], hsv[..., 1], luma(rgb))
    np.testing.assert_allclose(chroma, rgb_to_ycbcr(rgb)[..., 1:], atol=2e-4)


def test_saturation_control():
    rgb = scene()
    gray, chroma = luma(rgb), rgb_to_ycbcr(rgb)[..., 1:]
    np.testing.assert_allclose(single_chroma.apply_saturation(gray, chroma, 0.0), 0.5, atol=1e-5)
    spread = lambda c: np.abs(c - 0.5).mean()
    assert spread(single_chroma.apply_saturation(gray, chroma, 1.5)) > spread(chroma)
    with pytest.raises(MethodError):
        single_chroma.check_saturation(-1)


# ---------------------------------------------------------------- Cheng features
def test_daisy_and_patch_feature_shapes():
    g = luma(scene(37, 51))
    f = cf.pixel_features(g)
    assert f.shape == (37, 51, cf.PIXEL_DIM) and f.dtype == np.float32
    assert cf.PIXEL_DIM == 49 + 104
    np.testing.assert_array_equal(f[10, 20, :49].reshape(7, 7), g[7:14, 17:24])
    assert cf.daisy_features(g).shape == (37, 51, cf.DAISY_DIM)
    assert np.all(np.isfinite(f))
    d = cf.global_descriptor(g)
    assert d.shape == (cf.GLOBAL_DIM,) and np.all(np.isfinite(d))
    assert np.all(np.isfinite(cf.global_descriptor(np.full((20, 30), 0.5, np.float32))))
    fc = cf.pixel_features(g, context=True)
    assert fc.shape == (37, 51, cf.feature_dim(True)) and cf.feature_dim(True) == 153 + 26
    np.testing.assert_array_equal(fc[..., :153], f)
    assert fc[0, 5, -1] == 0 and fc[-1, 5, -1] == 1  # row position
    assert cf.context_features(np.ones((3, 5), np.float32)).shape == (3, 5, cf.CONTEXT_DIM)


def test_kmeans_and_nearest_cluster():
    rng = np.random.default_rng(0)
    a, b = rng.normal(0, 0.1, (15, 4)), rng.normal(5, 0.1, (10, 4))
    cent, labels = cf.kmeans(np.concatenate([a, b]), 2, seed=3)
    assert len(set(labels[:15])) == 1 and len(set(labels[15:])) == 1 and labels[0] != labels[-1]
    assert cf.nearest_cluster(np.full(4, 5.0), cent) == labels[-1]
    assert list(cf.nearest_cluster(np.stack([a[0], b[0]]), cent)) == [labels[0], labels[-1]]


def test_cheng_uses_the_net_of_the_nearest_cluster(tmp_path):
    g = luma(scene(40, 60))
    work = single_chroma.working_gray(g, 64)
    desc = cf.global_descriptor(work)
    path, _ = cheng_file(tmp_path, centroids=np.stack([desc + 10, desc]))
    assert single.colorize_cheng(g, model=path).info["cluster"] == 1
    path, _ = cheng_file(tmp_path, centroids=np.stack([desc, desc + 10]))
    assert single.colorize_cheng(g, model=path).info["cluster"] == 0


def test_joint_bilateral_keeps_constants_and_edges():
    guide = np.zeros((20, 20), np.float32)
    guide[:, 10:] = 1.0
    np.testing.assert_allclose(joint_bilateral(np.full((20, 20, 2), 0.3, np.float32), guide), 0.3, atol=1e-6)
    src = np.where(guide > 0.5, 0.8, 0.2).astype(np.float32)
    out = joint_bilateral(src, guide, radius=4, sigma_range=0.05)
    np.testing.assert_allclose(out, src, atol=1e-3)  # the edge of the guide is not blurred


def test_joint_bilateral_taps_every_nth_offset_of_a_wide_window():
    rng = np.random.default_rng(0)
    guide = np.zeros((30, 40), np.float32)
    guide[:, 20:] = 1.0
    src = (np.where(guide > 0.5, 0.8, 0.2) + 0.1 * rng.standard_normal(guide.shape)).astype(np.float32)
    full = joint_bilateral(src, guide, radius=12, sigma_space=11, sigma_range=0.06)
    sparse = joint_bilateral(src, guide, radius=12, sigma_space=11, sigma_range=0.06, tap_step=2)
    assert not np.allclose(sparse, full)                         # other taps...
    np.testing.assert_allclose(sparse, full, atol=0.05)          # ...nearly the same wide average
    side = guide > 0.5
    assert abs(sparse[side].mean() - 0.8) < 0.01 and abs(sparse[~side].mean() - 0.2) < 0.01  # edge kept
    assert sparse[~side].std() < 0.5 * src[~side].std()          # noise smoothed
    np.testing.assert_array_equal(joint_bilateral(src, guide, tap_step=1), joint_bilateral(src, guide))


def test_every_method_filters_its_working_chroma_once_with_the_chosen_bilateral_settings(monkeypatch, tmp_path):
    calls = []
    real = single_chroma.joint_bilateral
    monkeypatch.setattr(single_chroma, "joint_bilateral", lambda src, guide, **kw: calls.append(kw) or real(src, guide, **kw))
    cheng, _ = cheng_file(tmp_path)
    hsv = tmp_path / "hsv.safetensors"
    torch.manual_seed(0)
    net = HSV2Stage(TINY_HSV)
    save_weights(hsv, net.state_dict(), "hsv2stage", TINY_HSV.to_dict(), {"working_long_side": "64"})
    gray = np.random.rand(40, 50).astype(np.float32)
    single.colorize_cheng(gray, model=cheng)
    single.colorize_hsv2stage(gray, model=hsv)
    single.colorize_ensemble(gray, model={"hsv2stage": hsv, "cheng": cheng})
    assert calls == [single_chroma.CHROMA_BILATERAL] * 3


def test_joint_bilateral_is_linear_so_the_ensemble_may_filter_its_mean():
    rng = np.random.default_rng(1)
    guide = rng.random((24, 30)).astype(np.float32)
    a, b = rng.random((2, 24, 30, 2)).astype(np.float32)
    np.testing.assert_allclose(joint_bilateral((a + b) / 2, guide, **single_chroma.CHROMA_BILATERAL),
                               (joint_bilateral(a, guide, **single_chroma.CHROMA_BILATERAL)
                                + joint_bilateral(b, guide, **single_chroma.CHROMA_BILATERAL)) / 2, atol=1e-5)


# ---------------------------------------------------------------- nets
def test_hsv2stage_forward_backward():
    net = HSV2Stage(TINY_HSV)
    rgb = torch.rand(2, 3, 32, 48)
    coarse, fine = net(tcs.luma(rgb) if hasattr(tcs, "luma") else rgb.mean(1, keepdim=True))
    assert coarse.shape == (2, 2, 8, 12) and fine.shape == (2, 2, 32, 48)
    assert fine.abs().max() <= 1
    loss = hsv_loss(fine, tcs.rgb_to_hsv(rgb)[:, :2]) + hsv_loss(coarse, torch.rand(2, 2, 8, 12))
    loss.backward()
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in net.parameters())
    with pytest.raises(ValueError, match="input sides must be multiples of"):
        net(torch.rand(1, 1, 30, 48))


def test_rgb_on_gray_is_the_engines_composition_and_rgb_mse_is_zero_on_the_truth():
    rgb = scene(16, 16)
    hsv = rgb_to_hsv(rgb)
    tanh = torch.from_numpy(hsv[..., :2] * 2 - 1).permute(2, 0, 1)[None]
    gray = luma(rgb)
    out = rgb_on_gray(tanh, torch.from_numpy(gray)[None, None])[0].permute(1, 2, 0).numpy()
    engine = compose(gray, single_chroma.hs_to_chroma(hsv[..., 0], hsv[..., 1], gray))
    np.testing.assert_allclose(out, engine, atol=2e-5)
    truth = torch.from_numpy(rgb).permute(2, 0, 1)[None]
    assert rgb_mse(tanh, truth).item() < 1e-9
    assert rgb_mse(tanh.flip(-1), truth).item() > 1e-3
    # saturation gets a gradient from the RGB error
    t = tanh.clone().requires_grad_(True)
    rgb_mse(t, truth.flip(-1)).backward()
    assert t.grad[:, 1].abs().sum() > 0


def test_rgb_log_mse_is_the_negative_psnr_and_punishes_colour_on_a_neutral_photo_most():
    rgb = torch.from_numpy(scene(16, 16)).permute(2, 0, 1)[None]
    neutral = torch_luma(rgb).repeat(1, 3, 1, 1)
    tanh = torch.from_numpy(rgb_to_hsv(scene(16, 16))[..., :2] * 2 - 1).permute(2, 0, 1)[None]
    assert rgb_log_mse(tanh, rgb).item() == pytest.approx(10 * math.log10(MSE_FLOOR), abs=1e-3)
    # the same prediction: its PSNR on each photo, averaged (what the benchmark reports)
    both = torch.cat([rgb, neutral])
    per_photo = [10 * math.log10(rgb_mse(tanh, x).item() + MSE_FLOOR) for x in (rgb, neutral)]
    assert rgb_log_mse(tanh.repeat(2, 1, 1, 1), both).item() == pytest.approx(np.mean(per_photo), abs=1e-3)
    # the same small colour cast costs far more on the neutral photo than on the colourful one
    cast = tanh.clone()
    cast[:, 1] = torch.maximum(cast[:, 1], torch.tensor(-0.8))
    gray_pred = torch.full_like(tanh, -1.0)
    cast_on_neutral = rgb_log_mse(cast, neutral) - rgb_log_mse(gray_pred, neutral)
    cast_on_colour = rgb_log_mse(cast, rgb) - rgb_log_mse(tanh, rgb)
    assert cast_on_neutral.item() > 10 and cast_on_neutral.item() > cast_on_colour.item()
    t = cast.clone().requires_grad_(True)
    rgb_log_mse(t, neutral).backward()
    assert t.grad[:, 1].sum() > 0  # less saturation lowers the loss


def test_cheng_mlp_forward_backward():
    cfg = ChengConfig(in_dim=10, global_dim=4, n_clusters=2)
    net = ChengModel(cfg)
    assert cfg.hidden == 5 and sum(isinstance(m, torch.nn.Linear) for m in net.nets[0].modules()) == 4
    out = net(torch.rand(7, 10), 1)
    assert out.shape == (7, 2)
    out.sum().backward()
    assert net.nets[1].body[0].weight.grad is not None and net.nets[0].body[0].weight.grad is None


def test_safetensors_round_trip(tmp_path):
    path, net = hsv_file(tmp_path)
    tensors, config, meta = load_weights(path, "hsv2stage")
    assert HSV2StageConfig.from_dict(config) == TINY_HSV and meta["working_long_side"] == "64"
    loaded, _ = single.load_model("hsv2stage", path)
    x = torch.rand(1, 1, 32, 32)
    torch.testing.assert_close(loaded(x)[1], net.eval()(x)[1])
    assert single.load_model("hsv2stage", path)[0] is loaded  # cached per file
    with pytest.raises(ModelError):
        load_weights(path, "cheng")  # another net's file
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"\x80\x04not a safetensors file")
    with pytest.raises(ModelError):
        single.load_model("hsv2stage", bad)
    with pytest.raises(ModelError):
        single.load_model("hsv2stage", tmp_path / "missing.safetensors")


# ---------------------------------------------------------------- engine at full resolution
@pytest.mark.parametrize("method", ["hsv2stage", "cheng", "cheng+context"])
def test_full_resolution_output_on_odd_sized_16bit_image(tmp_path, method):
    h, w = 67, 101
    gray16 = (luma(scene(h, w)) * 65535).round().astype(np.uint16)
    src = tmp_path / "gray16.png"
    cv2.imwrite(str(src), gray16)
    photo = load_photo(src)
    assert photo.bit_depth == 16 and photo.is_gray
    model = hsv_file(tmp_path)[0] if method == "hsv2stage" else \
        cheng_file(tmp_path, context=method.endswith("context"))[0]
    fn = single.colorize_hsv2stage if method == "hsv2stage" else single.colorize_cheng
    res = fn(photo.gray_float(), model=model)
    assert res.chroma.shape == (h, w, 2) and res.chroma.dtype == np.float32
    assert res.chroma.min() >= 0 and res.chroma.max() <= 1
    assert max(res.info["working_size"]) <= 64
    out = save_photo(tmp_path / "out.png", compose(photo.gray_float(), res.chroma), like=photo)
    back = load_photo(out)
    assert back.bit_depth == 16 and back.pixels.shape == (h, w, 3)
    # the luma of the output is the input's (up to gamut clipping and 16-bit rounding)
    assert np.median(np.abs(luma(back.to_float()) - photo.gray_float())) < 2e-3


def _vector_mean(*predictions):
    """The engine's averaging of hue/saturation predictions: as colour vectors."""
    return single_chroma.vectors_to_hue_saturation(np.mean([single_chroma.hue_vectors(p) for p in predictions], axis=0))


def test_hue_predictions_average_as_colour_vectors():
    hs = lambda h, s: np.array([[[h]], [[s]]], np.float64)
    hue, sat = _vector_mean(hs(0.3, 0.6), hs(0.3, 0.6))
    assert hue == pytest.approx(0.3) and sat == pytest.approx(0.6)
    hue, sat = _vector_mean(hs(0.95, 0.5), hs(0.05, 0.5))     # across the hue seam
    assert min(hue.item(), 1 - hue.item()) < 1e-9 and sat == pytest.approx(0.5 * np.cos(np.pi * 0.1))
    _, sat = _vector_mean(hs(0.1, 0.7), hs(0.6, 0.7))          # opposite hues cancel
    assert sat == pytest.approx(0.0, abs=1e-12)


def test_hsv2stage_treats_a_photo_and_its_mirror_image_alike(tmp_path):
    path, _ = hsv_file(tmp_path)
    gray = luma(scene(48, 64))             # sides multiples of 16: no padding
    a = single.colorize_hsv2stage(gray, model=path).chroma
    b = single.colorize_hsv2stage(np.ascontiguousarray(gray[:, ::-1]), model=path).chroma
    np.testing.assert_allclose(b[:, ::-1], a, atol=1e-5)


def test_hsv2stage_averages_its_predictions_at_three_working_sizes(tmp_path, monkeypatch):
    path, _ = hsv_file(tmp_path)                      # working long side 64
    gray = luma(scene(100, 150))                      # so 48, 64 and 80 px all fit
    net, meta = single.load_model("hsv2stage", path)

    def at(side):
        return single_chroma.working_gray(gray, side)

    both = single._hsv_net_vectors(net, meta, at, None, torch.device("cpu"))
    assert both.shape == (43, 64, 2)                               # at the working size
    each = []
    for factor in single.TTA_SCALES:
        monkeypatch.setattr(single, "TTA_SCALES", (factor,))
        each.append(single._hsv_net_vectors(net, meta, at, None, torch.device("cpu")))
        assert each[-1].shape == both.shape                       # always at the working size
    np.testing.assert_allclose(np.mean(each, axis=0), both, atol=1e-6)
    assert not np.allclose(each[0], each[1], atol=1e-3)           # the sizes do see different things


def test_cheng_treats_a_photo_and_its_mirror_image_alike(tmp_path):
    path, _ = cheng_file(tmp_path, k=1, context=True)
    gray = luma(scene(48, 64))
    a = single.colorize_cheng(gray, model=path).chroma
    b = single.colorize_cheng(np.ascontiguousarray(gray[:, ::-1]), model=path).chroma
    np.testing.assert_allclose(b[:, ::-1], a, atol=1e-4)


def test_cheng_averages_its_predictions_at_three_working_sizes(tmp_path, monkeypatch):
    path, _ = cheng_file(tmp_path, k=1, context=True)     # working long side 64
    gray = luma(scene(100, 150))
    cpu = torch.device("cpu")
    _, both, _ = single._cheng_working(gray, path, cpu)
    assert both.shape == (43, 64, 2)
    each = []
    for factor in single.TTA_SCALES:
        monkeypatch.setattr(single, "TTA_SCALES", (factor,))
        each.append(single._cheng_working(gray, path, cpu)[1])
        assert each[-1].shape == both.shape
    np.testing.assert_allclose(np.mean(each, axis=0), both, atol=1e-6)
    assert not np.allclose(each[0], each[1], atol=1e-3)
    _, one, _ = single._cheng_working(gray, path, cpu, tta=False)   # the photo alone, once
    assert not np.allclose(one, both, atol=1e-3)


def test_engine_rejects_bad_input(tmp_path):
    path, _ = hsv_file(tmp_path)
    with pytest.raises(MethodError):
        single.colorize_hsv2stage(np.zeros((4, 4, 3), np.float32), model=path)
    with pytest.raises(MethodError):
        single.colorize_hsv2stage(np.full((8, 8), np.nan, np.float32), model=path)
    with pytest.raises(MethodError):
        single.colorize_hsv2stage(np.zeros((8, 8), np.float32), model=path, saturation="lots")


@pytest.mark.parametrize("shape", [(16, 5000), (5000, 16), (1, 5000)])
def test_a_thin_strip_is_not_enlarged_whole(shape):
    # enlarging a 16 x 5000 scan to a 32 px short side made it 32 x 10000 (and a 1 x 5000 one
    # 32 x 160000: 6 GB): only its short side is stretched, its long side stays bounded
    from colorstudio.core.single_chroma import MAX_STRIP_ENLARGEMENT, MIN_WORKING_SHORT_SIDE, working_gray

    w = working_gray(np.zeros(shape, np.float32), 192)
    assert min(w.shape) == MIN_WORKING_SHORT_SIDE and max(w.shape) == MAX_STRIP_ENLARGEMENT * 192
    assert (w.shape[0] < w.shape[1]) == (shape[0] < shape[1])
    assert working_gray(np.zeros((40, 300), np.float32), 192).shape == (32, 240)   # mild: enlarged whole


def test_a_thin_strips_other_views_are_sized_from_the_working_size_asked_for(tmp_path, monkeypatch):
    # cheng's 0.75x / 1.25x views were sized from the strip's stretched working gray (32 x 1536
    # for 192 asked), which the strip rule stretched again: 32 x 9216 and 32 x 15360, ten times
    # the pixels of its working gray (a 20000 x 16 scan took 33 s with the ensemble)
    path, _ = cheng_file(tmp_path)
    seen = []
    real = single._cheng_view
    monkeypatch.setattr(single, "_cheng_view", lambda net, g, c, d: seen.append(g.shape) or real(net, g, c, d))
    g, raw, _ = single._cheng_working(np.random.default_rng(0).random((16, 5000), np.float32), path, torch.device("cpu"))
    asked = max(g.shape) // single_chroma.MAX_STRIP_ENLARGEMENT
    assert sorted({max(s) for s in seen}) == [round(asked * f) * single_chroma.MAX_STRIP_ENLARGEMENT
                                               for f in single.TTA_SCALES]
    assert raw.shape[:2] == g.shape
    seen.clear()                                   # a photo: the views at 0.75x, 1x and 1.25x its working size
    g, _, _ = single._cheng_working(np.random.default_rng(0).random((300, 400), np.float32), path, torch.device("cpu"))
    assert sorted({max(s) for s in seen}) == [round(max(g.shape) * f) for f in single.TTA_SCALES]
