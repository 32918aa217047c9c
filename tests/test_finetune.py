"""`colorstudio finetune`: a tiny real run on user-style pairs, then colorize with the result."""
import json

import numpy as np
import pytest
import torch
from PIL import Image

from colorstudio.cli import main
from colorstudio.core.generator_steps import run_to_end
from colorstudio.errors import ColorStudioError
from colorstudio.core.color import luma
from colorstudio.nets.cyclecnn import CycleCNN, CycleCNNConfig
from colorstudio.nets.gca import GCAConfig
from colorstudio.nets.refine import RefineConfig
from colorstudio.nets.registry import load_model, save_model
from colorstudio.nets.wac import WACConfig


@pytest.fixture
def tiny_base(tmp_path):
    torch.manual_seed(0)
    cfg = CycleCNNConfig(wac=WACConfig(features=4, res_blocks=1, unet=(4, 4, 4, 4)),
                         gca=GCAConfig(features=4, res_blocks=1), refine=RefineConfig(features=4), max_disparity=32)
    return save_model(CycleCNN(cfg), tmp_path / "base.safetensors", {"data": "test"})


@pytest.fixture
def user_pairs(tmp_path, motorcycle_small):
    """Three pairs 'from the user's camera': crops of the Motorcycle pair (a test stand-in)."""
    left, right = motorcycle_small
    folder = tmp_path / "mine"
    folder.mkdir()
    for i, x in enumerate((0, 20, 40)):
        crop = (slice(0, 96), slice(x, x + 140))
        Image.fromarray(np.rint(luma(left[crop]) * 255).astype(np.uint8)).save(folder / f"p{i}_mono.png")
        Image.fromarray(np.rint(right[crop] * 255).astype(np.uint8)).save(folder / f"p{i}_color.png")
    return folder


def test_finetune_writes_a_model_that_colorize_uses(tmp_path, tiny_base, user_pairs, capsys):
    out = tmp_path / "mine.safetensors"
    code = main(["finetune", "--method", "cyclecnn", str(user_pairs), "-o", str(out), "--steps", "3", "--base", str(tiny_base),
                 "--crop", "64x96", "--device", "cpu"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "held-apart cycle PSNR" in err and "1 held apart: p2_mono" in err     # 3 pairs: the last held apart
    assert "Compare it with the default pair method (ccdc, not fine-tuned)" in err      # what the benchmark found
    assert "The gains measured for this network took 400 steps" in err      # 3 steps: told, as the wizard tells
    card = json.loads(out.with_suffix(".json").read_text())
    assert card["data"]["validation_pairs"] == 1 and card["data"]["validation_on"] == "held-apart pairs"
    assert card["data"]["held_apart"] == ["p2_mono"] and "p2_mono" not in card["data"]["pairs"]     # the CLI named none
    assert card["finetune"]["steps"] == 3 and card["data"]["train_pairs"] == 2
    assert set(card["finetune"]["validation_before"]) == {"cycle_psnr", "cycle_ssim", "cycle_psnr_blocks"}
    assert card["finetune"]["cycle_pool"] == 4      # the default objective: 4x4 block means
    load_model(out)  # a loadable safetensors model
    gray, color = user_pairs / "p0_mono.png", user_pairs / "p0_color.png"
    assert main(["colorize", str(gray), str(color), "-o", str(tmp_path / "c.png"),
                 "--method", "cyclecnn", "--model", str(out)]) == 0


def test_resume_continues_the_same_run(tmp_path, tiny_base, user_pairs):
    out = tmp_path / "m.safetensors"
    run_dir = tmp_path / "m.run"
    assert main(["finetune", "--method", "cyclecnn", str(user_pairs), "-o", str(out), "--steps", "2", "--base", str(tiny_base),
                 "--crop", "64x96"]) == 0
    longer = ["finetune", "--method", "cyclecnn", str(user_pairs), "-o", str(out), "--steps", "4", "--base",
              str(tiny_base), "--crop", "64x96", "--resume", str(run_dir)]
    assert main(longer) == 1                    # the model it wrote is there: replaced only when asked
    assert "resumed" not in json.loads(out.with_suffix(".json").read_text())    # a new run
    assert main(longer + ["--force"]) == 0
    card = json.loads(out.with_suffix(".json").read_text())
    assert card["finetune"]["steps"] == 4
    assert card["resumed"]["from_step"] == 2 and card["resumed"]["wall_minutes"] == "this invocation only"


def test_too_few_pairs_is_a_one_line_error(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["finetune", "--method", "cyclecnn", str(tmp_path / "empty"), "-o", str(tmp_path / "x.safetensors"), "--steps", "1"]) == 1
    assert "no pairs found" in capsys.readouterr().err


def test_one_pair_is_fine_tuned_on_and_scored_on_itself_as_in_the_wizard(tmp_path, user_pairs, tiny_base, capsys):
    import shutil

    one = tmp_path / "one"
    one.mkdir()
    gray = sorted(user_pairs.glob("*_mono.png"))[0]
    shutil.copy(gray, one / gray.name)
    shutil.copy(gray.with_name(gray.name.replace("_mono", "_color")), one / gray.name.replace("_mono", "_color"))
    out = tmp_path / "one.safetensors"
    assert main(["finetune", "--method", "cyclecnn", str(one), "-o", str(out), "--steps", "1", "--base", str(tiny_base),
                 "--crop", "64x96"]) == 0
    err = capsys.readouterr().err
    assert "scored on the pair it trained on" in err and "trained on 1 pair(s), none held apart" in err


@pytest.mark.parametrize("bad", [["--crop", "big"], ["--crop", "16x16"], ["--cycle-pool", "0"]])
def test_bad_finetune_options_are_one_line_errors(tmp_path, user_pairs, capsys, bad):
    out = tmp_path / "x.safetensors"
    assert main(["finetune", "--method", "cyclecnn", str(user_pairs), "-o", str(out), "--steps", "1", *bad]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and bad[0] in err and "Traceback" not in err
    assert not out.exists()


def test_the_run_shows_a_held_apart_pair_coloured_as_it_trains(tmp_path, tiny_base, user_pairs):
    from colorstudio.training import finetune as ft

    pairs = [(user_pairs / f"p{i}_mono.png", user_pairs / f"p{i}_color.png") for i in range(3)]
    gen = ft.finetune(pairs[:2], validation=pairs[2:], base_model_path=tiny_base, out=tmp_path / "m.safetensors",
                      run_dir=tmp_path / "run", max_steps=3, device="cpu", crop=(64, 96))
    progress = []
    while True:
        try:
            progress.append(next(gen))
        except StopIteration:
            break
    with_preview = [p for p in progress if p.preview is not None]
    # the first step and the end (30 s apart at the most here: no preview in between)
    assert [p.step for p in with_preview] == [1, 3] and with_preview[-1].message == "writing the model"
    assert not with_preview[-1].losses and (tmp_path / "m.safetensors").is_file()   # written after it, then returned
    assert [p.message for p in progress if p.finishing] == ["scoring the trained model", "writing the model"]
    picture = with_preview[0].preview
    held = ft.UserPairs([ft.prepare_pair(*pairs[2], 32)], (64, 96), 0).whole()[0][0]   # as validation sees it
    gray = held["gray"][0, 0].numpy()
    assert picture.shape == gray.shape + (3,) and 0 <= picture.min() and picture.max() <= 1
    assert np.median(np.abs(luma(picture) - gray)) < 0.01                       # the gray's luma
    assert np.abs(picture - luma(picture)[..., None]).max() > 0.01              # and colour


def test_previews_are_spaced_in_training_time_and_closing_stops_the_training():
    from colorstudio.training.previews import with_previews
    from colorstudio.training.stereo_loop import TrainProgress

    closed = []

    def steps():
        try:
            for i in range(1, 8):
                yield TrainProgress(step=i, total_steps=7, losses={"total": 1.0}, lr=1e-4, seconds=10.0 * i, eta=None)
            return "state"
        finally:
            closed.append(True)

    made = []
    gen = with_previews(steps(), lambda: made.append(1) or len(made), every_s=25)
    seen = [(p.step, p.preview) for p in gen]
    assert [s for s, pic in seen if pic is not None] == [1, 4, 7] and [pic for _, pic in seen if pic] == [1, 2, 3]
    gen = with_previews(steps(), lambda: None, every_s=25)
    next(gen)
    gen.close()
    assert closed == [True, True]

    def failing():
        raise RuntimeError("CUDA out of memory")

    seen = [(p.step, p.preview) for p in with_previews(steps(), failing, every_s=25)]
    assert [s for s, _ in seen] == list(range(1, 8)) and all(pic is None for _, pic in seen)   # trains on


def test_without_resume_a_new_run_starts_and_a_checkpoint_of_another_model_is_a_clear_error(
        tmp_path, tiny_base, user_pairs, capsys):
    out = tmp_path / "m.safetensors"
    args = ["finetune", "--method", "cyclecnn", str(user_pairs), "-o", str(out), "--steps", "2", "--base", str(tiny_base), "--crop", "64x96"]
    assert main(args) == 0
    capsys.readouterr()
    assert main(args) == 1                          # the model is there: not replaced unasked
    assert "exists; choose another name, or --force" in capsys.readouterr().err
    assert main(args + ["--force"]) == 0            # again, not asked to resume: two new steps
    assert json.loads(out.with_suffix(".json").read_text())["finetune"]["steps"] == 2
    capsys.readouterr()
    assert main(["finetune", "--method", "cyclecnn", str(user_pairs), "-o", str(tmp_path / "other.safetensors"), "--steps", "1",
                 "--crop", "64x96", "--resume", str(tmp_path / "m.run")]) == 1    # the shipped model
    assert "is of another run, with another base model" in capsys.readouterr().err
    assert main(["finetune", "--method", "cyclecnn", str(user_pairs), "-o", str(tmp_path / "lr.safetensors"), "--steps", "3",
                 "--base", str(tiny_base), "--crop", "64x96", "--lr", "5e-4", "--resume", str(tmp_path / "m.run")]) == 1
    assert "is of another run" in capsys.readouterr().err      # the card would have said lr 5e-4
    assert main(["finetune", "--method", "cyclecnn", str(user_pairs), "-o", str(tmp_path / "pool.safetensors"),
                 "--steps", "3", "--base", str(tiny_base), "--crop", "64x96", "--cycle-pool", "1",
                 "--resume", str(tmp_path / "m.run")]) == 1
    assert "another cycle pool (default, now 1)" in capsys.readouterr().err   # steps 1-2 used 4


@pytest.mark.parametrize("args, message", [(["--resume", "typo.run"], "no checkpoint there"),
                                           (["--minutes", "0"], "above 0"), (["--steps", "-1"], "above 0")])
def test_a_resume_without_checkpoint_or_an_empty_budget_is_refused_before_work(tmp_path, user_pairs, capsys,
                                                                               args, message):
    out = tmp_path / "x.safetensors"
    assert main(["finetune", "--method", "cyclecnn", str(user_pairs), "-o", str(out), *args]) == 1
    assert message in capsys.readouterr().err and not out.exists()


def test_the_wizard_resumes_only_a_run_of_the_same_pairs_and_settings(tmp_path, tiny_base, user_pairs):
    from colorstudio.training.finetune import finetune, resumable

    pairs = [(user_pairs / f"p{i}_mono.png", user_pairs / f"p{i}_color.png") for i in range(3)]
    run_dir = tmp_path / "run"
    gen = finetune(pairs, base_model_path=tiny_base, out=tmp_path / "a.safetensors", run_dir=run_dir,
                   max_steps=2, crop=(64, 96), resume=False)
    for _ in gen:
        pass
    assert resumable(run_dir, tiny_base, pairs, (64, 96))          # finished or not: it goes on (or writes at once)
    assert not resumable(run_dir, tiny_base, pairs[:2], (64, 96))  # other pairs
    assert not resumable(run_dir, tiny_base, pairs, (64, 128))     # another crop
    assert not resumable(tmp_path / "none", tiny_base, pairs, (64, 96))


def test_a_held_apart_pair_that_fails_its_checks_is_left_out_not_fatal(tmp_path, tiny_base, user_pairs):
    from colorstudio.training.finetune import finetune

    pairs = sorted(user_pairs.glob("*_mono.png"))
    train = [(g, g.with_name(g.name.replace("_mono", "_color"))) for g in pairs]
    gen = finetune(train, validation=[(pairs[0], tmp_path / "missing_color.png")], base_model_path=tiny_base,
                   out=tmp_path / "m.safetensors", run_dir=tmp_path / "run", max_steps=1, crop=(64, 96))
    while True:
        try:
            next(gen)
        except StopIteration as stop:
            card = stop.value
            break
    assert card["data"]["validation_pairs"] == 0 and any("missing_color" in s for s in card["data"]["skipped"])


def test_a_pair_too_small_to_train_on_is_left_out_with_its_reason(tmp_path):
    from colorstudio.errors import ColorStudioError
    from colorstudio.training.finetune import prepare_pair

    Image.fromarray(np.full((48, 70), 100, np.uint8)).save(tmp_path / "s_mono.png")
    Image.fromarray(np.full((48, 70, 3), (140, 100, 60), np.uint8)).save(tmp_path / "s_color.png")   # has colour
    with pytest.raises(ColorStudioError, match="too small to fine-tune on"):
        prepare_pair(tmp_path / "s_mono.png", tmp_path / "s_color.png", 64)


def test_a_cyclecnn_run_folder_says_whether_its_stopped_run_is_resumed_or_replaced(tmp_path, tiny_base, user_pairs):
    from colorstudio.training.finetune import finetune, resumable

    pairs = [(user_pairs / f"p{i}_mono.png", user_pairs / f"p{i}_color.png") for i in range(3)]
    run = dict(base_model_path=tiny_base, out=tmp_path / "a.safetensors", run_dir=tmp_path / "run", crop=(64, 96))
    list(finetune(pairs[:2], validation=pairs[2:], max_steps=2, resume=False, **run))

    def first_note(train, held, resume):      # once the pairs are checked, before training
        gen = finetune(train, validation=held, max_steps=4, resume=resume, **run)
        note = next(p.run_note for p in gen if p.run_note or p.step)
        gen.close()
        return note

    assert first_note(pairs[:2], pairs[2:], True).startswith("resuming the run stopped at step 2")
    assert resumable(run["run_dir"], tiny_base, pairs[:2], (64, 96), validation=pairs[2:])
    assert resumable(run["run_dir"], tiny_base, pairs[:2], (64, 96), validation=pairs[:1])   # scored anew: not keyed
    assert first_note(pairs[:2], pairs[2:], False).endswith(
        "as it was not asked to resume (colorstudio finetune --resume " + str(run["run_dir"]) + " goes on with it)")
    assert "as it had other training pairs (1 added, 1 gone)" in first_note(pairs[1:], pairs[:1], False)
    ckpt = run["run_dir"] / "checkpoint.safetensors"               # cut short by a power cut
    ckpt.write_bytes(ckpt.read_bytes()[: ckpt.stat().st_size // 2])
    assert not resumable(run["run_dir"], tiny_base, pairs[:2], (64, 96), validation=pairs[2:])
    assert first_note(pairs[:2], pairs[2:], False).endswith("cannot be read (damaged or cut short), so it is replaced")
    with pytest.raises(ColorStudioError, match="cannot be read .damaged or cut short.: start a new run"):
        first_note(pairs[:2], pairs[2:], True)


def test_the_length_advice_says_what_a_budget_buys_and_warns_below_half_the_measured_steps():
    from colorstudio.training.finetune_advice import length_advice

    assert length_advice("cyclecnn", 1, None).startswith("About 45 steps on a 2-core CPU")
    assert "hardly change" in length_advice("cyclecnn", 1, None)
    assert "hardly change" not in length_advice("cyclecnn", 15, None)            # 675 steps
    assert length_advice("ccdc", None, 600) == ""                                 # over half of 1030, by steps
    assert "took 1030 steps" in length_advice("ccdc", None, 400)
    assert length_advice("cyclecnn", 1, None, on_cpu=False) == ""               # a GPU's pace is not known
    assert "took 400 steps" in length_advice("cyclecnn", None, 10, on_cpu=False)  # steps are steps anywhere


def test_a_new_run_stopped_before_its_first_step_leaves_the_earlier_run_in_its_folder(tmp_path, tiny_base, user_pairs,
                                                                                     monkeypatch):
    """Ctrl-C during the first step of a run not asked to resume saved a step-0 checkpoint over
    the stopped run there, which the message then promised was still there to resume."""
    from colorstudio.training import stereo_loop
    from colorstudio.training.checkpoints import checkpoint_state
    from colorstudio.training.finetune import finetune

    pairs = [(user_pairs / f"p{i}_mono.png", user_pairs / f"p{i}_color.png") for i in range(3)]
    run = dict(base_model_path=tiny_base, out=tmp_path / "a.safetensors", run_dir=tmp_path / "run", crop=(64, 96))
    list(finetune(pairs[:2], validation=pairs[2:], max_steps=2, resume=False, **run))
    assert checkpoint_state(run["run_dir"])["step"] == 2

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(stereo_loop, "compute_losses", interrupted)
    with pytest.raises(KeyboardInterrupt):
        list(finetune(pairs[:2], validation=pairs[2:], max_steps=4, resume=False, lr=1e-5, **run))
    assert checkpoint_state(run["run_dir"])["step"] == 2


@pytest.mark.parametrize("bad, said", [
    (["--crop", "33x33"], "too small for the cycle objective's blocks of 4 px"),
    (["--crop", "64x64", "--cycle-pool", "8"], "at least 88 px a side"),
    (["--lr", "5"], "--lr 5: give a learning rate above 0 and at most 0.1"),
])
def test_crops_too_small_for_the_cycle_and_absurd_learning_rates_are_refused_before_work(tmp_path, user_pairs, capsys,
                                                                                        bad, said):
    """A crop side under 11 blocks of the cycle pool crashed the cycle's SSIM (an internal error)."""
    out = tmp_path / "x.safetensors"
    assert main(["finetune", "--method", "cyclecnn", str(user_pairs), "-o", str(out), "--steps", "1", *bad]) == 1
    err = capsys.readouterr().err
    assert said in err and "Traceback" not in err and "fine-tuning cyclecnn" not in err
    assert not out.exists() and not (tmp_path / "x.run").exists()


def test_outputs_that_would_replace_a_shipped_model_a_card_or_a_run_folder_are_refused(tmp_path, user_pairs, capsys,
                                                                                      monkeypatch):
    from colorstudio import paths

    monkeypatch.setattr(paths, "models_dir", lambda: tmp_path / "models")
    (tmp_path / "models").mkdir()
    runs = [(tmp_path / "models" / "ccdc.safetensors", "holds the shipped models"),   # the default base
            (tmp_path / "keep.safetensors", "keep.json exists (the model card goes there)"),
            (tmp_path / "f.safetensors", "f.run is a file")]
    (tmp_path / "keep.json").write_text('{"mine": 1}')
    (tmp_path / "f.run").write_text("")
    for out, said in runs:
        args = ["finetune", str(user_pairs), "-o", str(out), "--steps", "1", "--crop", "64x64"]
        assert main(args + ["--force"] * (out.stem == "ccdc")) == 1, out
        err = capsys.readouterr().err
        assert said in err and "Traceback" not in err, err
    assert (tmp_path / "keep.json").read_text() == '{"mine": 1}' and not any((tmp_path / "models").iterdir())


@pytest.mark.parametrize("flag, value", [("--minutes", "nan"), ("--minutes", "inf"), ("--minutes", "1e308"),
                                         ("--minutes", "0"), ("--steps", "99999999999999999999999"),
                                         ("--steps", "-3")])
def test_a_budget_that_is_no_number_or_past_reason_is_one_line(tmp_path, user_pairs, capsys, flag, value):
    # nan, inf and 1e308 minutes were internal errors (OverflowError, ValueError), exit 3
    code = main(["finetune", str(user_pairs), "-o", str(tmp_path / "m.safetensors"), flag, value])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and len(err) == 1 and f"{flag} " in err[0] and "give a" in err[0], err


def test_the_cycle_cnn_holds_apart_a_usable_pair_and_refuses_other_settings_before_checking(tmp_path, tiny_base,
                                                                                            user_pairs):
    from colorstudio.training.finetune import finetune

    gray_ref = np.asarray(Image.open(user_pairs / "p2_color.png").convert("L").convert("RGB"))
    Image.fromarray(gray_ref).save(user_pairs / "p2_color.png")           # p2 refused: p0 and p1 usable
    pairs = [(user_pairs / f"p{i}_mono.png", user_pairs / f"p{i}_color.png") for i in range(3)]
    run = dict(base_model_path=tiny_base, out=tmp_path / "a.safetensors", run_dir=tmp_path / "run", crop=(64, 96))
    card = run_to_end(finetune(pairs, max_steps=1, **run))
    # split before the checks: p0 and p1 trained, none held apart ("the training pair p0_mono")
    assert card["data"]["pairs"] == ["p0_mono"] and card["data"]["held_apart"] == ["p1_mono"]
    said = []
    with pytest.raises(ColorStudioError, match="is of another run, with another learning rate"):
        for p in finetune(pairs, max_steps=2, lr=1e-6, resume=True, **{**run, "out": tmp_path / "b.safetensors"}):
            said.append(p.message)
    assert not any(m.startswith("checking pair") for m in said)
    for gray, colour in pairs:                                  # no usable pair: said so, not "another run"
        Image.fromarray(gray_ref).save(colour)
    with pytest.raises(ColorStudioError, match="no usable pairs to fine-tune on"):
        run_to_end(finetune(pairs, max_steps=2, resume=True, **{**run, "out": tmp_path / "c.safetensors"}))
