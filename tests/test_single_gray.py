"""Single-gray colorization (issue #6): the HSV net, Deep Colorization, their engine and trainers."""
from __future__ import annotations

import json
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
from colorstudio.engine import single
from colorstudio.errors import MethodError, ModelError
from colorstudio.nets import colorspace as tcs
from colorstudio.nets.cheng_mlp import ChengConfig, ChengModel
from colorstudio.nets.colorspace import luma as torch_luma
from colorstudio.nets.hsv2stage import HSV2Stage, HSV2StageConfig, MSE_FLOOR, circular_hue_mae, hsv_loss, rgb_log_mse, rgb_mse, rgb_on_gray
from colorstudio.nets.weights_file import file_facts, load_weights, save_weights

TINY_HSV = HSV2StageConfig(lr_width=4, lr_layers=3, lr_dilations=(1, 2, 1), rcn_width=4)


def _scene(h=48, w=64, seed=0):
    """A smooth colourful RGB test image (H, W, 3) float32."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w] / max(h, w)
    rgb = np.stack([0.5 + 0.4 * np.sin(6 * x + rng.random()), 0.5 + 0.4 * np.cos(5 * y),
                    0.5 + 0.3 * np.sin(4 * (x + y))], -1)
    return rgb.astype(np.float32)


def _hsv_file(tmp_path, cfg=TINY_HSV, seed=0):
    torch.manual_seed(seed)
    net = HSV2Stage(cfg)
    path = tmp_path / "hsv2stage.safetensors"
    save_weights(path, net.state_dict(), "hsv2stage", cfg.to_dict(), {"working_long_side": "64"})
    return path, net


def _cheng_file(tmp_path, centroids=None, k=2, context=False):
    torch.manual_seed(0)
    net = ChengModel(ChengConfig(in_dim=cf.feature_dim(context), n_clusters=k, context=context))
    if centroids is not None:
        net.centroids.copy_(torch.as_tensor(centroids))
    path = tmp_path / "cheng.safetensors"
    save_weights(path, net.state_dict(), "cheng", net.cfg.to_dict(), {"working_long_side": "64"})
    return path, net


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
    rgb = _scene()
    hsv = rgb_to_hsv(rgb)
    chroma = single.hs_to_chroma(hsv[..., 0], hsv[..., 1], luma(rgb))
    np.testing.assert_allclose(chroma, rgb_to_ycbcr(rgb)[..., 1:], atol=2e-4)


def test_saturation_control():
    rgb = _scene()
    gray, chroma = luma(rgb), rgb_to_ycbcr(rgb)[..., 1:]
    np.testing.assert_allclose(single.apply_saturation(gray, chroma, 0.0), 0.5, atol=1e-5)
    spread = lambda c: np.abs(c - 0.5).mean()
    assert spread(single.apply_saturation(gray, chroma, 1.5)) > spread(chroma)
    with pytest.raises(MethodError):
        single._check_saturation(-1)


# ---------------------------------------------------------------- Cheng features
def test_daisy_and_patch_feature_shapes():
    g = luma(_scene(37, 51))
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
    g = luma(_scene(40, 60))
    work = single.working_gray(g, 64)
    desc = cf.global_descriptor(work)
    path, _ = _cheng_file(tmp_path, centroids=np.stack([desc + 10, desc]))
    assert single.colorize_cheng(g, model=path).info["cluster"] == 1
    path, _ = _cheng_file(tmp_path, centroids=np.stack([desc, desc + 10]))
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
    real = single.joint_bilateral
    monkeypatch.setattr(single, "joint_bilateral", lambda src, guide, **kw: calls.append(kw) or real(src, guide, **kw))
    cheng, _ = _cheng_file(tmp_path)
    hsv = tmp_path / "hsv.safetensors"
    torch.manual_seed(0)
    net = HSV2Stage(TINY_HSV)
    save_weights(hsv, net.state_dict(), "hsv2stage", TINY_HSV.to_dict(), {"working_long_side": "64"})
    gray = np.random.rand(40, 50).astype(np.float32)
    single.colorize_cheng(gray, model=cheng)
    single.colorize_hsv2stage(gray, model=hsv)
    single.colorize_ensemble(gray, model={"hsv2stage": hsv, "cheng": cheng})
    assert calls == [single.CHROMA_BILATERAL] * 3


def test_joint_bilateral_is_linear_so_the_ensemble_may_filter_its_mean():
    rng = np.random.default_rng(1)
    guide = rng.random((24, 30)).astype(np.float32)
    a, b = rng.random((2, 24, 30, 2)).astype(np.float32)
    np.testing.assert_allclose(joint_bilateral((a + b) / 2, guide, **single.CHROMA_BILATERAL),
                               (joint_bilateral(a, guide, **single.CHROMA_BILATERAL)
                                + joint_bilateral(b, guide, **single.CHROMA_BILATERAL)) / 2, atol=1e-5)


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
    with pytest.raises(ValueError):
        net(torch.rand(1, 1, 30, 48))


def test_rgb_on_gray_is_the_engines_composition_and_rgb_mse_is_zero_on_the_truth():
    rgb = _scene(16, 16)
    hsv = rgb_to_hsv(rgb)
    tanh = torch.from_numpy(hsv[..., :2] * 2 - 1).permute(2, 0, 1)[None]
    gray = luma(rgb)
    out = rgb_on_gray(tanh, torch.from_numpy(gray)[None, None])[0].permute(1, 2, 0).numpy()
    engine = compose(gray, single.hs_to_chroma(hsv[..., 0], hsv[..., 1], gray))
    np.testing.assert_allclose(out, engine, atol=2e-5)
    truth = torch.from_numpy(rgb).permute(2, 0, 1)[None]
    assert rgb_mse(tanh, truth).item() < 1e-9
    assert rgb_mse(tanh.flip(-1), truth).item() > 1e-3
    # saturation gets a gradient from the RGB error
    t = tanh.clone().requires_grad_(True)
    rgb_mse(t, truth.flip(-1)).backward()
    assert t.grad[:, 1].abs().sum() > 0


def test_rgb_log_mse_is_the_negative_psnr_and_punishes_colour_on_a_neutral_photo_most():
    rgb = torch.from_numpy(_scene(16, 16)).permute(2, 0, 1)[None]
    neutral = torch_luma(rgb).repeat(1, 3, 1, 1)
    tanh = torch.from_numpy(rgb_to_hsv(_scene(16, 16))[..., :2] * 2 - 1).permute(2, 0, 1)[None]
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
    path, net = _hsv_file(tmp_path)
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
    gray16 = (luma(_scene(h, w)) * 65535).round().astype(np.uint16)
    src = tmp_path / "gray16.png"
    cv2.imwrite(str(src), gray16)
    photo = load_photo(src)
    assert photo.bit_depth == 16 and photo.is_gray
    model = _hsv_file(tmp_path)[0] if method == "hsv2stage" else \
        _cheng_file(tmp_path, context=method.endswith("context"))[0]
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
    return single.vectors_to_hue_saturation(np.mean([single.hue_vectors(p) for p in predictions], axis=0))


def test_hue_predictions_average_as_colour_vectors():
    hs = lambda h, s: np.array([[[h]], [[s]]], np.float64)
    hue, sat = _vector_mean(hs(0.3, 0.6), hs(0.3, 0.6))
    assert hue == pytest.approx(0.3) and sat == pytest.approx(0.6)
    hue, sat = _vector_mean(hs(0.95, 0.5), hs(0.05, 0.5))     # across the hue seam
    assert min(hue.item(), 1 - hue.item()) < 1e-9 and sat == pytest.approx(0.5 * np.cos(np.pi * 0.1))
    _, sat = _vector_mean(hs(0.1, 0.7), hs(0.6, 0.7))          # opposite hues cancel
    assert sat == pytest.approx(0.0, abs=1e-12)


def test_hsv2stage_treats_a_photo_and_its_mirror_image_alike(tmp_path):
    path, _ = _hsv_file(tmp_path)
    gray = luma(_scene(48, 64))             # sides multiples of 16: no padding
    a = single.colorize_hsv2stage(gray, model=path).chroma
    b = single.colorize_hsv2stage(np.ascontiguousarray(gray[:, ::-1]), model=path).chroma
    np.testing.assert_allclose(b[:, ::-1], a, atol=1e-5)


def test_hsv2stage_averages_its_predictions_at_three_working_sizes(tmp_path, monkeypatch):
    path, _ = _hsv_file(tmp_path)                      # working long side 64
    gray = luma(_scene(100, 150))                      # so 48, 64 and 80 px all fit
    net, meta = single.load_model("hsv2stage", path)

    def at(side):
        return single.working_gray(gray, side)

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
    path, _ = _cheng_file(tmp_path, k=1, context=True)
    gray = luma(_scene(48, 64))
    a = single.colorize_cheng(gray, model=path).chroma
    b = single.colorize_cheng(np.ascontiguousarray(gray[:, ::-1]), model=path).chroma
    np.testing.assert_allclose(b[:, ::-1], a, atol=1e-4)


def test_cheng_averages_its_predictions_at_three_working_sizes(tmp_path, monkeypatch):
    path, _ = _cheng_file(tmp_path, k=1, context=True)     # working long side 64
    gray = luma(_scene(100, 150))
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
    path, _ = _hsv_file(tmp_path)
    with pytest.raises(MethodError):
        single.colorize_hsv2stage(np.zeros((4, 4, 3), np.float32), model=path)
    with pytest.raises(MethodError):
        single.colorize_hsv2stage(np.full((8, 8), np.nan, np.float32), model=path)
    with pytest.raises(MethodError):
        single.colorize_hsv2stage(np.zeros((8, 8), np.float32), model=path, saturation="lots")


# ---------------------------------------------------------------- training generators
def write_photos(folder, n, h=60, w=80):
    """``n`` smooth colourful photos p0.png.. in a new ``folder``; returns it."""
    folder.mkdir()
    for i in range(n):
        save_photo(folder / f"p{i}.png", _scene(h, w, seed=i))
    return folder


@pytest.fixture
def photo_dir(tmp_path):
    d = write_photos(tmp_path / "photos", 4)
    save_photo(d / "motorcycle.png", _scene(60, 80, seed=9))  # never used
    return d


def test_hsv2stage_training_writes_a_loadable_model(tmp_path, photo_dir):
    from colorstudio.training.train_hsv2stage import train

    out = tmp_path / "m" / "hsv2stage.safetensors"
    run = tmp_path / "run"
    steps = [p.step for p in train(out, 5, run, photos=photo_dir, cfg=TINY_HSV, batch=2, crop=32, max_steps=2)]
    assert steps[-1] == 2
    card = json.loads(out.with_suffix(".json").read_text())
    assert card["training"]["steps"] == 2 and "motorcycle.png" not in card["data"]["validation"]
    assert "--run-dir" in card["reproduce"][0] and "--widths 4,4" in card["reproduce"][0]
    res = single.colorize_hsv2stage(np.random.rand(21, 33).astype(np.float32), model=out)
    assert res.chroma.shape == (21, 33, 2)
    # resume continues from the checkpoint (here with the scale augmentation)
    steps = [p.step for p in train(out, 5, run, resume=True, photos=photo_dir, cfg=TINY_HSV,
                                   batch=2, crop=32, max_steps=3, scale_aug=True)]
    assert steps[-1] == 3
    card = json.loads(out.with_suffix(".json").read_text())
    assert len(card["reproduce"]) == 2 and card["reproduce"][1].endswith("--resume --scale-aug")
    # --init: a new run dir starts from the model file, counting on from its steps
    out2 = tmp_path / "m2" / "hsv2stage.safetensors"
    progress = list(train(out2, 5, tmp_path / "run2", photos=photo_dir, batch=2, crop=32, max_steps=5,
                          init=out, rgb_weight=50, strong_aug=True, lr_decay=True, psnr_weight=0.1))
    assert progress[1].step == 3 and progress[-1].step == 5
    card2 = json.loads(out2.with_suffix(".json").read_text())
    assert card2["training"]["steps"] == 5 and len(card2["phases"]) == 3
    assert card2["phases"][2]["init"] == str(out)
    assert card2["reproduce"][2].endswith("--run-dir /work/runs/hsv2stage_phase3 "
                                          "--init models/hsv2stage.safetensors --strong-aug --rgb-weight 50 --psnr-weight 0.1 --lr-decay")
    assert HSV2StageConfig.from_dict(card2["config"]) == TINY_HSV  # the init file's config, not the default


def test_an_interrupted_phase_resumed_with_the_same_command_stays_one_phase(tmp_path, photo_dir, monkeypatch):
    from colorstudio.training import train_hsv2stage as th

    monkeypatch.setattr(th, "CHECKPOINT_EVERY_S", -1)       # a checkpoint after every step
    out, run = tmp_path / "hsv2stage.safetensors", tmp_path / "run"
    options = dict(photos=photo_dir, cfg=TINY_HSV, batch=2, crop=32, seed=3, scale_aug=True)
    run1 = th.train(out, 5, run, max_steps=9, **options)
    for p in run1:
        if p.step == 2:
            break                                           # the session ends mid-phase
    run1.close()
    assert not out.exists()
    progress = list(th.train(out, 5, run, resume=True, max_steps=4, **options))
    assert any(p.message.startswith("continuing the interrupted phase") for p in progress)
    card = json.loads(out.with_suffix(".json").read_text())
    assert [(ph["from_step"], ph["to_step"], ph["minutes"]) for ph in card["phases"]] == [(0, 4, 5)]
    assert {k: card[k] for k in ("sha256", "file_bytes")} == file_facts(out)
    assert len(card["reproduce"]) == 1 and "--resume" not in card["reproduce"][0]
    # resuming a finished phase starts a second one; interrupted and resumed with other
    # options, that one closes where it stopped (its minutes as run) and a third starts
    run3 = th.train(out, 5, run, resume=True, max_steps=9, **options)
    for p in run3:
        if p.step == 5:
            break
    run3.close()
    list(th.train(out, 5, run, resume=True, max_steps=6, **dict(options, scale_aug=False)))
    card = json.loads(out.with_suffix(".json").read_text())
    assert [(ph["from_step"], ph["to_step"]) for ph in card["phases"]] == [(0, 4), (4, 5), (5, 6)]
    assert card["phases"][1]["minutes"] < 5 and card["phases"][1]["scale_aug"] is True
    assert card["phases"][2]["scale_aug"] is False and card["reproduce"][2].count("--resume") == 1


def test_the_rgb_term_can_be_an_absolute_error_and_the_card_says_so(tmp_path, photo_dir):
    from colorstudio.nets.colorspace import luma as torch_luma
    from colorstudio.nets.hsv2stage import rgb_l1, rgb_mse, rgb_on_gray
    from colorstudio.training.train_hsv2stage import train

    truth = torch.rand(1, 3, 16, 16)
    pred = torch.zeros(1, 2, 16, 16)                     # tanh units: hue 0.5, saturation 0.5
    err = rgb_on_gray(pred, torch_luma(truth)) - truth
    assert rgb_l1(pred, truth).item() == pytest.approx(err.abs().mean().item(), rel=1e-6)
    assert rgb_mse(pred, truth).item() == pytest.approx(err.pow(2).mean().item(), rel=1e-6)
    out = tmp_path / "hsv2stage.safetensors"
    list(train(out, 5, tmp_path / "run", photos=photo_dir, cfg=TINY_HSV, batch=2, crop=32, max_steps=2,
               rgb_weight=6, rgb_loss="l1"))
    card = json.loads(out.with_suffix(".json").read_text())
    assert card["phases"][0]["rgb_loss"] == "l1" and card["reproduce"][0].endswith("--rgb-weight 6 --rgb-loss l1")


def test_weight_decay_and_a_step_budget_are_per_phase_and_on_the_card(tmp_path, photo_dir):
    from colorstudio.training.train_hsv2stage import train

    first = tmp_path / "first.safetensors"
    list(train(first, 5, tmp_path / "run", photos=photo_dir, cfg=TINY_HSV, batch=2, crop=32, max_steps=3))
    norms = {}
    for decay in (0.0, 1000.0):           # lr 2e-4 x 1000: each step shrinks the weights by 20 %
        out = tmp_path / f"decay{decay:g}.safetensors"
        progress = list(train(out, 5, tmp_path / f"run{decay:g}", photos=photo_dir, batch=2, crop=32,
                              init=first, seed=1, weight_decay=decay, phase_steps=2))
        assert progress[-1].step == 5                        # 3 steps of the first phase + 2
        tensors, _, _ = load_weights(out, "hsv2stage")
        norms[decay] = sum(float(t.float().pow(2).sum()) for t in tensors.values())
        card = json.loads(out.with_suffix(".json").read_text())
        assert [(ph["from_step"], ph["to_step"]) for ph in card["phases"]] == [(0, 3), (3, 5)]
    assert norms[1000.0] < 0.8 * norms[0.0]
    assert card["phases"][1]["weight_decay"] == 1000.0 and card["phases"][1]["steps"] == 2
    assert card["reproduce"][1].endswith("--seed 1 --weight-decay 1000 --steps 2")
    assert "AdamW weight decay 1000" in card["training"]["optimizer"]


def test_the_phase_progress_counts_the_minutes_before_an_interruption():
    from colorstudio.training.train_hsv2stage import _phase_progress, _start_or_continue_phase

    state = {"step": 100, "minutes": 30.0, "phases": [{"from_step": 0, "to_step": 100, "minutes": 30}]}
    assert _start_or_continue_phase(state, {"lr_decay": True, "minutes": 20}, 20) == 0.0
    state.update(step=150, minutes=40.0)                    # interrupted 10 min into the new phase
    assert _phase_progress(state) == 0.5
    assert _start_or_continue_phase(state, {"lr_decay": True, "minutes": 20}, 20) == 10.0
    assert len(state["phases"]) == 2 and _phase_progress(state) == 0.5


def test_lr_decay_goes_from_the_lr_to_its_floor_by_a_cosine():
    from colorstudio.training.train_hsv2stage import LR, LR_FLOOR, decayed_lr

    lrs = [decayed_lr(t) for t in np.linspace(0, 1, 11)]
    assert lrs[0] == pytest.approx(LR) and lrs[-1] == pytest.approx(LR * LR_FLOOR)
    assert lrs[5] == pytest.approx(LR * (1 + LR_FLOOR) / 2)
    assert all(b < a for a, b in zip(lrs, lrs[1:])) and decayed_lr(3.0) == lrs[-1]


def test_augmented_crops_keep_the_colours_and_vary_the_rest():
    from colorstudio.training.single_gray_data import augmented_crops

    img = _scene(60, 80)
    plain = augmented_crops([img], np.random.default_rng(0), 6, 32, (80, 80), 0.0, (1.0, 1.0))
    assert plain.shape == (6, 32, 32, 3) and plain.dtype == np.float32
    # no turn, gamma 1, own size: each crop is a window of the photo (or its mirror image)
    windows = {img[y:y + 32, x:x + 32].tobytes() for y in range(29) for x in range(49)}
    windows |= {img[y:y + 32, x:x + 32][:, ::-1].tobytes() for y in range(29) for x in range(49)}
    assert all(np.ascontiguousarray(c).tobytes() in windows for c in plain)
    varied = augmented_crops([img], np.random.default_rng(0), 6, 32, (60, 120), 10.0, (0.75, 1.33))
    assert varied.min() >= 0 and varied.max() <= 1 and not np.allclose(varied, plain)
    # gamma keeps the order of the channels, so hues stay put
    gamma = augmented_crops([img], np.random.default_rng(3), 1, 32, (80, 80), 0.0, (1.3, 1.3))[0]
    base = augmented_crops([img], np.random.default_rng(3), 1, 32, (80, 80), 0.0, (1.0, 1.0))[0]
    np.testing.assert_allclose(gamma, base ** 1.3, atol=1e-6)
    assert (np.argsort(gamma, -1) == np.argsort(base, -1)).mean() > 0.99


def test_cheng_training_writes_a_loadable_model(tmp_path, photo_dir):
    from colorstudio.training.train_cheng import train

    out = tmp_path / "cheng.safetensors"
    progress = list(train(out, 5, tmp_path / "run", photos=photo_dir, n_clusters=2,
                          pixels_per_photo=200, max_steps=20, context=True))
    assert progress[-1].step == 20 and progress[-1].val_loss is not None
    card = json.loads(out.with_suffix(".json").read_text())
    assert "scene parser" in card["left_out"]
    res = single.colorize_cheng(np.random.rand(19, 23).astype(np.float32), model=out)
    assert res.chroma.shape == (19, 23, 2)


def test_cheng_validation_loss_is_measured_without_dropout():
    from colorstudio.training.train_cheng import validation_loss

    torch.manual_seed(0)
    model = ChengModel(ChengConfig(in_dim=6, global_dim=3, n_clusters=1, dropout=0.5))
    rng = np.random.default_rng(0)
    val = {"D": rng.random((2, 3)), "owner": np.repeat([0, 1], 50),
           "X": rng.standard_normal((100, 6)).astype(np.float16), "Y": rng.random((100, 2)).astype(np.float32)}
    assert validation_loss(model, val) == validation_loss(model, val)   # no random units dropped
    assert model.training                                               # and its mode is back


@pytest.mark.parametrize("kind, expected", [("mse", (0.01 + 0.04) / 2), ("l1", (0.1 + 0.2) / 2),
                                            ("huber", (0.05 * (0.1 - 0.025) + 0.05 * (0.2 - 0.025)) / 2)])
def test_cheng_chroma_losses(kind, expected):
    from colorstudio.training.train_cheng import chroma_loss

    pred, target = torch.tensor([[0.1, -0.2]]), torch.zeros(1, 2)    # errors 0.1 and 0.2
    assert chroma_loss(pred, target, kind).item() == pytest.approx(expected)
    with pytest.raises(ValueError):
        chroma_loss(pred, target, "l3")


def test_cheng_training_records_its_loss_and_weight_decay(tmp_path, photo_dir):
    from colorstudio.training.train_cheng import main

    out = tmp_path / "cheng.safetensors"
    assert main(["--out", str(out), "--minutes", "1", "--run-dir", str(tmp_path / "run"), "--clusters", "1",
                 "--steps", "3", "--pixels-per-photo", "50", "--loss", "mse", "--weight-decay", "0.1",
                 "--photos", str(photo_dir)]) == 0
    card = json.loads(out.with_suffix(".json").read_text())
    assert card["training"]["loss"].startswith("MSE") and "weight decay 0.1" in card["training"]["optimizer"]
    assert card["reproduce"].endswith("--steps 3 --loss mse --weight-decay 0.1 --pixels-per-photo 50")
    assert {k: card[k] for k in ("sha256", "file_bytes")} == file_facts(out)


def test_cheng_features_cached_for_one_pixel_count_are_not_reused_for_another(tmp_path, photo_dir):
    from colorstudio.training.train_cheng import train

    out, run = tmp_path / "cheng.safetensors", tmp_path / "run"
    for n in (100, 150):
        list(train(out, 5, run, photos=photo_dir, n_clusters=1, pixels_per_photo=n, max_steps=2))
        cached = np.load(run / "features_train.npz")
        photos = len(cached["names"])
        assert int(cached["pixels_per_photo"]) == n and len(cached["X"]) == n * photos
    card = json.loads(out.with_suffix(".json").read_text())
    assert card["data"]["pixels_per_photo"] == 150 and "--pixels-per-photo 150" in card["reproduce"]


def test_a_seeded_hsv2stage_run_starts_elsewhere_and_its_card_names_the_seed(tmp_path, photo_dir):
    from colorstudio.training.train_hsv2stage import train

    nets = {}
    for seed in (0, 5):
        out = tmp_path / f"seed{seed}" / "hsv2stage_other.safetensors"
        list(train(out, 5, tmp_path / f"run{seed}", seed=seed, photos=photo_dir, cfg=TINY_HSV,
                   batch=2, crop=32, max_steps=1))
        nets[seed] = single.load_model("hsv2stage", out)[0]
    card = json.loads(out.with_suffix(".json").read_text())
    assert card["training"]["seed"] == 5 and card["phases"][0]["seed"] == 5
    assert card["reproduce"][0].startswith("python -m colorstudio.training.train_hsv2stage "
                                           "--out models/hsv2stage_other.safetensors")
    assert "--seed 5" in card["reproduce"][0]
    w0, w5 = (next(iter(n.state_dict().values())) for n in (nets[0], nets[5]))
    assert not torch.equal(w0, w5)
