"""Single-gray trainers (issue #6): the HSV net's phases and Deep Colorization's MLPs write
loadable models with honest cards, resume and record their choices."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from colorstudio.core.image_write import save_photo
from colorstudio.nets.cheng_mlp import ChengConfig, ChengModel
from colorstudio.nets.hsv2stage import HSV2StageConfig
from colorstudio.nets.weights_file import file_facts, load_weights
from colorstudio.engine import single
from single_gray_fixtures import TINY_HSV, scene, write_photos


@pytest.fixture
def photo_dir(tmp_path):
    d = write_photos(tmp_path / "photos", 4)
    save_photo(d / "motorcycle.png", scene(60, 80, seed=9))  # never used
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
    from colorstudio.training.hsv2stage_phases import phase_progress, start_or_continue_phase

    state = {"step": 100, "minutes": 30.0, "phases": [{"from_step": 0, "to_step": 100, "minutes": 30}]}
    assert start_or_continue_phase(state, {"lr_decay": True, "minutes": 20}, 20) == 0.0
    state.update(step=150, minutes=40.0)                    # interrupted 10 min into the new phase
    assert phase_progress(state) == 0.5
    assert start_or_continue_phase(state, {"lr_decay": True, "minutes": 20}, 20) == 10.0
    assert len(state["phases"]) == 2 and phase_progress(state) == 0.5


def test_lr_decay_goes_from_the_lr_to_its_floor_by_a_cosine():
    from colorstudio.training.train_hsv2stage import LR, LR_FLOOR, decayed_lr

    lrs = [decayed_lr(t) for t in np.linspace(0, 1, 11)]
    assert lrs[0] == pytest.approx(LR) and lrs[-1] == pytest.approx(LR * LR_FLOOR)
    assert lrs[5] == pytest.approx(LR * (1 + LR_FLOOR) / 2)
    assert all(b < a for a, b in zip(lrs, lrs[1:])) and decayed_lr(3.0) == lrs[-1]


def test_augmented_crops_keep_the_colours_and_vary_the_rest():
    from colorstudio.training.single_gray_data import augmented_crops

    img = scene(60, 80)
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
    model.eval()                                 # by hand, dropout off: photo i's pixels by its cluster's net
    with torch.no_grad():
        by_hand = np.mean([((model(torch.from_numpy(val["X"][val["owner"] == i].astype(np.float32)), 0)
                             - torch.from_numpy(val["Y"][val["owner"] == i])) ** 2).mean().item() for i in (0, 1)])
    model.train()
    assert validation_loss(model, val) == pytest.approx(by_hand, rel=1e-6)   # no random units dropped
    assert model.training                                               # and its mode is back


@pytest.mark.parametrize("kind, expected", [("mse", (0.01 + 0.04) / 2), ("l1", (0.1 + 0.2) / 2),
                                            ("huber", (0.05 * (0.1 - 0.025) + 0.05 * (0.2 - 0.025)) / 2)])
def test_cheng_chroma_losses(kind, expected):
    from colorstudio.training.train_cheng import chroma_loss

    pred, target = torch.tensor([[0.1, -0.2]]), torch.zeros(1, 2)    # errors 0.1 and 0.2
    assert chroma_loss(pred, target, kind).item() == pytest.approx(expected)
    with pytest.raises(ValueError, match="unknown loss 'l3'"):
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


def test_a_net_started_from_a_scored_one_does_not_inherit_its_scores_or_strength(tmp_path, photo_dir):
    from colorstudio.engine.learned_methods import card_saturation
    from colorstudio.training.train_hsv2stage import train

    first = tmp_path / "first.safetensors"
    list(train(first, 5, tmp_path / "run", photos=photo_dir, cfg=TINY_HSV, batch=2, crop=32, max_steps=2))
    card = json.loads(first.with_suffix(".json").read_text())
    card["benchmark"] = {"default_saturation": 0.7, "scored_as": "first alone"}     # as --update-cards writes
    first.with_suffix(".json").write_text(json.dumps(card))
    assert card_saturation(first) == 0.7
    out = tmp_path / "mine.safetensors"
    list(train(out, 5, tmp_path / "run2", photos=photo_dir, batch=2, crop=32, init=first, max_steps=3))
    assert "benchmark" not in json.loads(out.with_suffix(".json").read_text())
    assert card_saturation(out) is None
