"""CCDC training: a blow-up of the validation score rolls back to the best weights."""
import json

import numpy as np
import torch
from PIL import Image

from colorstudio.nets.ccdc import CCDC, CCDCConfig
from colorstudio.training import ccdc_data, train_ccdc
from colorstudio.training.checkpoints import load_checkpoint

TINY = CCDCConfig(encoder_widths=(4, 4, 4, 4), flow_widths=(4, 4, 4, 4, 4),
                  decoder_widths=(4, 4, 4, 4), full_width=4, max_working_pixels=20_000)


def _photos(folder, n):
    rng = np.random.default_rng(0)
    folder.mkdir()
    for i in range(n):
        small = rng.integers(0, 256, (6, 8, 3), dtype=np.uint8)
        Image.fromarray(small).resize((160, 120), Image.BICUBIC).save(folder / f"p{i:02d}.jpg")
    return folder


def test_a_validation_blow_up_rolls_back_to_the_best_weights_and_halves_the_lr(tmp_path, monkeypatch):
    torch.set_num_threads(1)
    photos = _photos(tmp_path / "photos", ccdc_data.N_VALIDATION + 3)
    scores = iter([(30.0, 1.0), (31.0, 1.5), (29.5, -1.0), (30.8, 1.3), (30.9, 1.4)])
    validated, stepped = [], []

    def fake_validate(model, batches):        # scripted scores; remembers the weights it saw
        validated.append({k: v.clone() for k, v in model.state_dict().items()})
        return next(scores)

    real_step = torch.optim.Adam.step

    def spy_step(self, *a, **kw):             # the lr and the weights each update starts from
        stepped.append((self.param_groups[0]["lr"], [p.detach().clone() for p in self.param_groups[0]["params"]]))
        return real_step(self, *a, **kw)

    monkeypatch.setattr(train_ccdc, "validate", fake_validate)
    monkeypatch.setattr(train_ccdc, "CHECKPOINT_EVERY_S", -1)      # validate after every step
    monkeypatch.setattr(torch.optim.Adam, "step", spy_step)
    progress = list(train_ccdc.train(tmp_path / "m.safetensors", 60, tmp_path / "run", photos=photos,
                                     cfg=TINY, batch=1, crop=(64, 64), max_steps=4, n_val=1))

    rolled = [p for p in progress if "rolled back" in p.message]
    assert len(rolled) == 1 and "to step 2" in rolled[0].message and rolled[0].val_psnr == 31.0
    assert [lr for lr, _ in stepped] == [train_ccdc.LR] * 3 + [train_ccdc.LR / 2]
    # the 4th update starts from the weights validated after step 2, not from the blown-up ones
    model = CCDC(TINY)
    names = [n for n, _ in model.named_parameters()]
    start_of_4th = dict(zip(names, stepped[3][1]))
    assert all(torch.equal(start_of_4th[n], validated[1][n]) for n in names)
    assert not all(torch.equal(start_of_4th[n], validated[2][n]) for n in names)
    state = load_checkpoint(tmp_path / "run", model, torch.optim.Adam(model.parameters()), name=train_ccdc.NAME)
    assert state["lr_scale"] == 0.5 and state["step"] == 4      # a resumed run keeps the lower lr


def test_init_starts_a_new_run_from_a_model_file(tmp_path):
    torch.set_num_threads(1)
    photos = _photos(tmp_path / "photos", ccdc_data.N_VALIDATION + 3)
    first = tmp_path / "first.safetensors"
    kw = dict(photos=photos, cfg=TINY, batch=1, crop=(64, 64), n_val=1)
    list(train_ccdc.train(first, 60, tmp_path / "run1", max_steps=2, **kw))
    seen = {}
    real_forward = CCDC.forward

    def spy_forward(self, *a, **k):           # the weights the continued run starts from
        seen.setdefault("start", {n: v.clone() for n, v in self.state_dict().items()})
        return real_forward(self, *a, **k)

    CCDC.forward = spy_forward
    try:
        progress = list(train_ccdc.train(tmp_path / "second.safetensors", 60, tmp_path / "run2",
                                         max_steps=3, init=first, lr_scale=0.5, **kw))
    finally:
        CCDC.forward = real_forward
    from colorstudio.nets.weights_file import load_weights
    tensors, _, meta = load_weights(first, train_ccdc.NAME)
    assert all(torch.equal(seen["start"][n], tensors[n]) for n in tensors)
    assert any("started from" in p.message for p in progress)
    assert progress[-1].step == 3                 # steps continue from the file's 2
    _, _, meta2 = load_weights(tmp_path / "second.safetensors", train_ccdc.NAME)
    assert meta["steps"] == "2" and meta2["steps"] == "3"


def test_a_card_keeps_the_history_of_the_file_it_continued_never_another_files_scores(tmp_path):
    # a new run over the shipped card kept its benchmark, targets and six phases beside its own step count
    import json

    torch.set_num_threads(1)
    photos = _photos(tmp_path / "photos", ccdc_data.N_VALIDATION + 3)
    kw = dict(photos=photos, cfg=TINY, batch=1, crop=(64, 64), n_val=1)
    out = tmp_path / "m.safetensors"
    out.with_suffix(".json").write_text(json.dumps({"benchmark": {"motorcycle": 34.2}, "phases": [1, 2],
                                                    "reproduce": ["an older file's command"]}))
    list(train_ccdc.train(out, 60, tmp_path / "run", max_steps=1, **kw))
    card = json.loads(out.with_suffix(".json").read_text())
    assert "benchmark" not in card and "phases" not in card and len(card["reproduce"]) == 1   # a new run
    assert card["data"]["kinds"] == list(ccdc_data.KINDS)
    card.update(benchmark={"motorcycle": 34.2}, phases=[1], notes=["kept"])
    out.with_suffix(".json").write_text(json.dumps(card))
    second = tmp_path / "second.safetensors"
    list(train_ccdc.train(second, 60, tmp_path / "run2", max_steps=2, init=out, **kw))
    card2 = json.loads(second.with_suffix(".json").read_text())
    assert card2["phases"] == [1] and card2["notes"] == ["kept"] and "benchmark" not in card2
    assert len(card2["reproduce"]) == 2 and card2["training"]["steps"] == 2


def test_kinds_choose_the_synthesized_pairs_drawn(tmp_path, monkeypatch):
    torch.set_num_threads(1)
    photos = _photos(tmp_path / "photos", ccdc_data.N_VALIDATION + 3)
    drawn = []
    real = ccdc_data.synthesize

    def spy(scenes, rng, size_hw, factor, kind="viewpoint", setup=None):
        drawn.append(kind)
        return real(scenes, rng, size_hw, factor, kind, setup)

    monkeypatch.setattr(ccdc_data, "synthesize", spy)
    list(train_ccdc.train(tmp_path / "m.safetensors", 60, tmp_path / "run", photos=photos, cfg=TINY,
                          batch=2, crop=(64, 64), max_steps=3, n_val=1, kinds=("stereo",)))
    n_val = 2                                   # validation pairs: 1 per factor, viewpoint/temporal
    assert drawn[n_val:] == ["stereo"] * 6 and set(drawn[:n_val]) <= set(ccdc_data.KINDS)


def test_the_card_lists_every_command_that_made_the_weights(tmp_path):
    torch.set_num_threads(1)
    photos = _photos(tmp_path / "photos", ccdc_data.N_VALIDATION + 3)
    out = tmp_path / "m.safetensors"
    kw = dict(photos=photos, cfg=TINY, batch=1, crop=(64, 64), n_val=1)
    list(train_ccdc.train(out, 60, tmp_path / "run", max_steps=1, command="python first", **kw))
    list(train_ccdc.train(out, 60, tmp_path / "run", max_steps=2, resume=True, command="python more", **kw))
    card = json.loads(out.with_suffix(".json").read_text())
    assert card["reproduce"] == ["python first", "python more"]           # a continued run adds its own
    list(train_ccdc.train(out, 60, tmp_path / "run2", max_steps=1, command="python anew", **kw))
    assert json.loads(out.with_suffix(".json").read_text())["reproduce"] == ["python anew"]   # a new run
    later = tmp_path / "later.safetensors"                                 # --init: that file's history
    list(train_ccdc.train(later, 60, tmp_path / "run3", max_steps=1, init=out, command="python init", **kw))
    assert json.loads(later.with_suffix(".json").read_text())["reproduce"] == ["python anew", "python init"]


def test_a_still_pair_is_the_same_frame_only_reduced():
    import numpy as np

    from colorstudio.core.resize import area_reduce
    from colorstudio.training import ccdc_data

    rng = np.random.default_rng(0)
    scene = (np.clip(rng.random((300, 300, 3)), 0, 1) * 255).astype(np.uint8)
    p = ccdc_data.synthesize([scene], rng, (96, 128), 4.0, "still", setup=1)
    assert p.reference.shape == (24, 32, 3) and p.info["kind"] == "still"
    still = np.abs(p.reference - area_reduce(p.truth_rgb, 4.0)).mean()    # only reduced (and noisy)
    moved = ccdc_data.synthesize([scene], np.random.default_rng(0), (96, 128), 4.0, "viewpoint", setup=1)
    assert still < 0.02 and still < 0.3 * np.abs(moved.reference - area_reduce(moved.truth_rgb, 4.0)).mean()


def test_a_narrower_pair_sees_a_narrower_part_of_the_scene(monkeypatch):
    from colorstudio.training import ccdc_data

    monkeypatch.setitem(ccdc_data._MOTION, "narrower", dict(ccdc_data._MOTION["narrower"], objects=(0, 0)))
    h, w = 300, 400                                   # a ramp: red tells x, green tells y
    x, y = np.meshgrid(np.linspace(0, 1, w), np.linspace(0, 1, h))
    scene = (np.stack([x, y, 0.5 * np.ones_like(x)], -1) * 255).astype(np.uint8)

    def span(img, channel, axis):                     # how much of the ramp a frame spans
        profile = np.median(img[..., channel], axis=axis)
        return np.percentile(profile, 95) - np.percentile(profile, 5)

    rng = np.random.default_rng(4)
    for _ in range(6):
        p = ccdc_data.synthesize([scene], rng, (120, 160), 2.0, "narrower", setup=1)
        assert p.reference.shape == (60, 80, 3) and p.info["kind"] == "narrower"   # stacks with the others
        vx, vy = p.info["view"]
        lo, hi = ccdc_data.NARROWER_VIEW
        assert lo <= vx <= hi and lo <= vy <= hi and min(vx, vy) < hi
        for channel, axis, v in ((0, 0, vx), (1, 1, vy)):
            ratio = span(p.reference, channel, axis) / span(p.truth_rgb, channel, axis)
            assert abs(ratio - v) < 0.12, (ratio, v)


def test_cleaner_cameras_are_quieter_than_every_setup_and_on_the_8_bit_grid():
    from colorstudio.core.color import luma
    from colorstudio.core.synth import degrade_pair

    flat = np.full((64, 64, 3), 0.5, np.float32)
    rng = np.random.default_rng(0)
    for _ in range(5):
        gray, ref = ccdc_data.cleaner_cameras(flat, flat, rng)
        assert np.array_equal(gray, np.round(gray * 255) / 255) and np.array_equal(ref, np.round(ref * 255) / 255)
        assert ref.std() <= ccdc_data.CLEANER_NOISE[1] * np.sqrt(0.5) * 1.2 + 1 / 255
        assert abs(gray.mean() - luma(flat).mean()) < 2 / 255                  # no tone change
    setup_ref = degrade_pair(flat, flat, 1, np.random.default_rng(1))[1]
    assert setup_ref.std() > 2 * ccdc_data.CLEANER_NOISE[1] * np.sqrt(0.5) * 0.5


def test_cleaner_share_picks_the_pairs_degraded_by_cleaner_cameras(monkeypatch):
    rng = np.random.default_rng(0)
    scene = (rng.random((200, 200, 3)) * 255).astype(np.uint8)
    used = []
    real = ccdc_data.synthesize

    def spy(*args, **kwargs):
        used.append(kwargs.get("degrade") is ccdc_data.cleaner_cameras)
        return real(*args, **kwargs)

    monkeypatch.setattr(ccdc_data, "synthesize", spy)
    for share, expected in ((0.0, [False] * 4), (1.0, [True] * 4)):
        used.clear()
        ccdc_data.make_batch([scene], np.random.default_rng(1), 4, (48, 48), 4.0, cleaner_share=share)
        assert used == expected
    used.clear()
    for seed in range(10):
        ccdc_data.make_batch([scene], np.random.default_rng(seed), 4, (48, 48), 4.0, cleaner_share=0.33)
    assert 0.15 < np.mean(used) < 0.5
