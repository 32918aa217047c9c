"""The Cycle CNN training loop: generator protocol, checkpoints, resume, NaN rollback, learning."""
import numpy as np
import pytest
import torch

from colorstudio.nets.cyclecnn import CycleCNN, CycleCNNConfig
from colorstudio.nets.gca import GCAConfig
from colorstudio.nets.refine import RefineConfig
from colorstudio.nets.wac import WACConfig
from colorstudio.training.stereo_loop import CHECKPOINT, TrainOptions, compute_losses, train_steps


def tiny_model(seed=0):
    torch.manual_seed(seed)
    cfg = CycleCNNConfig(wac=WACConfig(features=4, res_blocks=1, stride=4, unet=(4, 4, 4, 4)),
                         gca=GCAConfig(features=4, res_blocks=1), refine=RefineConfig(features=4),
                         max_disparity=32)
    return CycleCNN(cfg)


class ShiftedPairs:
    """Deterministic toy pairs: the reference is the gray view's colour shifted by 8 px."""

    def batch(self, step, size):
        rng = np.random.default_rng(step)
        h, w = 32, 64
        base = torch.from_numpy(rng.random((1, 3, h // 8, w // 8)).astype(np.float32))
        truth = torch.nn.functional.interpolate(base, size=(h, w + 8), mode="bilinear", align_corners=False)
        y = truth[:, :1] * 0.6 + 0.2
        cbcr = truth[:, 1:] * 0.4 + 0.3
        ycc = torch.cat([y, cbcr], 1)
        gray = ycc[:, :1, :, :w]
        ref = ycc[:, :, :, 8:]       # x_ref = x_gray - 8 -> the colour camera is on the "left"
        return {"gray": gray, "ref_ycc": ref, "truth_cbcr": ycc[:, 1:, :, :w]}, "left"


def run(gen):
    out = []
    for p in gen:
        out.append(p)
    return out


def test_generator_yields_progress_and_checkpoints(tmp_path):
    opts = TrainOptions(steps=4, checkpoint_every=2, max_disparity=32)
    progress = run(train_steps(tiny_model(), ShiftedPairs(), opts, tmp_path))
    assert [p.step for p in progress] == [1, 2, 3, 4]
    assert progress[1].checkpoint and (tmp_path / CHECKPOINT).exists()
    assert all(np.isfinite(p.losses["total"]) for p in progress)
    assert {"chroma_mse", "wac_mse", "structure", "smooth", "total"} <= set(progress[0].losses)


def test_the_last_steps_checkpoint_is_written_once(tmp_path, monkeypatch):
    """A run ending on a checkpoint step wrote it again at its end (a nearly full disk failed it)."""
    from colorstudio.training import stereo_loop

    saved, real = [], stereo_loop.save_checkpoint
    monkeypatch.setattr(stereo_loop, "save_checkpoint",
                        lambda run_dir, model, opt, state, **kw: (saved.append(state["step"]),
                                                                  real(run_dir, model, opt, state, **kw))[1])
    run(train_steps(tiny_model(), ShiftedPairs(), TrainOptions(steps=4, checkpoint_every=2, max_disparity=32),
                    tmp_path))
    assert saved == [2, 4]
    run(train_steps(tiny_model(), ShiftedPairs(), TrainOptions(steps=5, checkpoint_every=2, max_disparity=32),
                    tmp_path / "odd"))
    assert saved[2:] == [2, 4, 5]                     # a step past the last checkpoint: kept at the end


def test_cancel_then_resume_gives_the_same_weights_as_one_run(tmp_path):
    opts = TrainOptions(steps=6, checkpoint_every=100, max_disparity=32)
    straight = tiny_model()
    run(train_steps(straight, ShiftedPairs(), opts, tmp_path / "a"))

    interrupted = tiny_model()
    gen = train_steps(interrupted, ShiftedPairs(), opts, tmp_path / "b")
    for p in gen:
        if p.step == 3:
            gen.close()   # the user cancels: a checkpoint is written on the way out
            break
    resumed = tiny_model(seed=99)   # a fresh process: other initial weights, restored from disk
    progress = run(train_steps(resumed, ShiftedPairs(), opts, tmp_path / "b"))
    assert [p.step for p in progress] == [4, 5, 6]
    for (k, a), b in zip(straight.state_dict().items(), resumed.state_dict().values()):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6, msg=k)


def test_non_finite_loss_rolls_back_and_lowers_the_lr(tmp_path, monkeypatch):
    import colorstudio.training.stereo_loop as loop

    real = loop.compute_losses
    calls = {"n": 0}

    def sometimes_nan(model, batch, side, opts):
        calls["n"] += 1
        parts = real(model, batch, side, opts)
        if calls["n"] == 3:
            parts["total"] = parts["total"] * float("nan")
        return parts

    monkeypatch.setattr(loop, "compute_losses", sometimes_nan)
    model = tiny_model()
    progress = run(train_steps(model, ShiftedPairs(), TrainOptions(steps=5, checkpoint_every=1, max_disparity=32),
                               tmp_path))
    assert progress[2].events and "rolled back to step 2" in progress[2].events[0]
    assert [p.step for p in progress] == [1, 2, 2, 3, 4, 5]       # the step thrown away is not counted
    assert progress[-1].lr == pytest.approx(0.5e-3)
    assert all(torch.isfinite(p).all() for p in model.parameters())


def test_a_loss_that_stays_non_finite_stops_the_run_after_five_rollbacks(tmp_path, monkeypatch):
    # it halved the rate to 2e-8 over 12 steps and wrote a model "trained 12 steps" that no step changed
    import colorstudio.training.stereo_loop as loop
    from colorstudio.errors import ColorStudioError

    real = loop.compute_losses

    def always_nan(model, batch, side, opts):
        parts = real(model, batch, side, opts)
        parts["total"] = parts["total"] * float("nan")
        return parts

    monkeypatch.setattr(loop, "compute_losses", always_nan)
    steps = []
    with pytest.raises(ColorStudioError, match="the training diverged .* 6 times"):
        for p in train_steps(tiny_model(), ShiftedPairs(), TrainOptions(steps=12, max_disparity=32), tmp_path):
            steps.append(p.step)
    assert steps == [0] * loop.MAX_ROLLBACKS and not (tmp_path / loop.CHECKPOINT).exists()


@pytest.mark.parametrize("objective,split", [("supervised", False), ("cycle", False), ("cycle", True)])
def test_loss_goes_down_on_a_tiny_problem(tmp_path, objective, split):
    torch.manual_seed(0)
    model = tiny_model()
    data = ShiftedPairs()
    opts = TrainOptions(objective=objective, steps=40, checkpoint_every=1000, max_disparity=32, lr=2e-3,
                        split_cycle=split)
    fixed = data.batch(0, 1)
    with torch.no_grad():
        before = float(compute_losses(model, fixed[0], fixed[1], opts)["total"])

    class Same:
        def batch(self, step, size):
            return fixed

    run(train_steps(model, Same(), opts, tmp_path))
    with torch.no_grad():
        after = float(compute_losses(model, fixed[0], fixed[1], opts)["total"])
    assert after < 0.8 * before


def test_neighbour_split_gives_interleaved_half_views_with_independent_noise():
    from colorstudio.training.stereo_loop import neighbour_split

    gray = torch.arange(6 * 9, dtype=torch.float32).view(1, 1, 6, 9)
    ref = torch.rand(1, 3, 6, 9)
    g, a, b = neighbour_split(gray, ref)
    assert g.shape == (1, 1, 3, 4) and a.shape == b.shape == (1, 3, 3, 4)
    assert g[0, 0, 1].tolist() == [18, 20, 22, 24]              # row 2, even columns
    torch.testing.assert_close(a, ref[..., ::2, 0:8:2])
    torch.testing.assert_close(b, ref[..., ::2, 1:8:2])
    # pixel-independent noise on the reference: A's and B's noise do not correlate
    noise = torch.randn(1, 3, 200, 200, generator=torch.Generator().manual_seed(0))
    _, na, nb = neighbour_split(torch.zeros(1, 1, 200, 200), noise)
    assert abs(float((na * nb).mean())) < 0.02


def test_split_cycle_colours_the_other_neighbour_back():
    """The second pass colorizes B's luma, and the cycle loss compares with B's chroma."""
    model = tiny_model()
    seen = []
    real_forward = model.forward

    def spy(gray, ref, *args, **kw):
        seen.append(gray)
        return real_forward(gray, ref, *args, **kw)

    model.forward = spy
    batch, side = ShiftedPairs().batch(0, 1)
    compute_losses(model, batch, side, TrainOptions(objective="cycle", split_cycle=True, max_disparity=32))
    from colorstudio.training.stereo_loop import neighbour_split

    g, _, b = neighbour_split(batch["gray"], batch["ref_ycc"])
    torch.testing.assert_close(seen[0], g)                      # first pass: the half-res gray
    assert any(x.shape == b[:, :1].shape and torch.equal(x, b[:, :1]) for x in seen[1:])  # then B


def test_needs_a_budget(tmp_path):
    with pytest.raises(ValueError, match="give a step count or a time budget"):
        next(train_steps(tiny_model(), ShiftedPairs(), TrainOptions(), tmp_path))


def test_lr_warmup_ramps_then_holds(tmp_path):
    opts = TrainOptions(steps=6, checkpoint_every=100, max_disparity=32, lr=1e-3, warmup_steps=4)
    lrs = [p.lr for p in run(train_steps(tiny_model(), ShiftedPairs(), opts, tmp_path, resume=False))]
    assert lrs == pytest.approx([2.5e-4, 5e-4, 7.5e-4, 1e-3, 1e-3, 1e-3])


def test_cosine_decay_goes_from_the_lr_down_to_zero_over_the_step_budget(tmp_path):
    import math

    opts = TrainOptions(steps=5, checkpoint_every=100, max_disparity=32, lr=1e-3, cosine_decay=True)
    lrs = [p.lr for p in run(train_steps(tiny_model(), ShiftedPairs(), opts, tmp_path, resume=False))]
    assert lrs == pytest.approx([1e-3 * 0.5 * (1 + math.cos(math.pi * k / 5)) for k in range(5)])
    assert lrs[0] == pytest.approx(1e-3) and lrs[-1] < 1e-4


def test_frozen_batchnorm_statistics_stay_while_weights_train(tmp_path):
    from colorstudio.training.batchnorm import batchnorm_layers

    model = tiny_model()
    before = [m.running_mean.clone() for m in batchnorm_layers(model)]
    params = [p.detach().clone() for p in model.parameters()]
    validation = [ShiftedPairs().batch(99, 1)]
    opts = TrainOptions(steps=3, checkpoint_every=100, max_disparity=32, freeze_batchnorm=True, validate_every=1)
    run(train_steps(model, ShiftedPairs(), opts, tmp_path, resume=False, validation=validation))
    assert all(torch.equal(a, m.running_mean) for a, m in zip(before, batchnorm_layers(model)))
    assert any(not torch.equal(a, p) for a, p in zip(params, model.parameters()))  # it did learn
    # and without freezing, the statistics move
    model = tiny_model()
    run(train_steps(model, ShiftedPairs(), TrainOptions(steps=1, checkpoint_every=100, max_disparity=32),
                    tmp_path / "b", resume=False))
    assert any(not torch.equal(a, m.running_mean) for a, m in zip(before, batchnorm_layers(model)))


def test_time_held_at_a_pause_does_not_use_up_a_minutes_budget(tmp_path, monkeypatch):
    """On a clock of its own (a loaded machine's wall clock made this test fail): every reading
    of it moves 0.25 s on, and the consumer holds the generator for 100 s after the first step."""
    import time
    import types

    from colorstudio.training import training_clock

    now = [0.0]

    def perf_counter() -> float:
        now[0] += 0.25
        return now[0]

    fake = types.SimpleNamespace(**{k: getattr(time, k) for k in dir(time) if not k.startswith("_")})
    fake.perf_counter = perf_counter
    monkeypatch.setattr(training_clock, "time", fake)
    opts = TrainOptions(minutes=4 / 60, checkpoint_every=1000, max_disparity=32)
    gen = train_steps(tiny_model(), ShiftedPairs(), opts, tmp_path, resume=False)
    first = next(gen)
    now[0] += 100.0                                    # a Pause far longer than the whole budget
    later = list(gen)
    assert first.seconds < 4 and len(later) >= 2, "training stopped at the first step after the pause"
    assert 3 <= later[-1].seconds < 4                  # the budget used, the pause not in it


def test_the_in_memory_copy_a_rollback_returns_to_is_the_weights_and_optimizer_state_as_they_were():
    from colorstudio.training.checkpoints import in_memory_copy

    model = torch.nn.Sequential(torch.nn.Conv2d(1, 3, 3), torch.nn.BatchNorm2d(3))
    opt = torch.optim.Adam(model.parameters(), 1e-2)

    def step():
        opt.zero_grad()
        model(torch.randn(2, 1, 8, 8)).square().mean().backward()
        opt.step()

    step()
    weights, opt_state = in_memory_copy(model, opt)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    moments = [opt.state[p]["exp_avg"].clone() for p in model.parameters()]
    for _ in range(3):                   # the steps the rollback throws away change every tensor in place
        step()
    assert not torch.equal(model[0].weight, before["0.weight"])
    model.load_state_dict(weights)
    opt.load_state_dict(opt_state)
    for k, v in model.state_dict().items():
        assert torch.equal(v, before[k]), k
    assert all(torch.equal(opt.state[p]["exp_avg"], m) for p, m in zip(model.parameters(), moments))
    assert int(opt.state[model[0].weight]["step"]) == 1
