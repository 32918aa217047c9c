"""Fine-tuning CCDC on a user's pairs: the camera measured from them, a tiny real run from the
CLI, the wizard's adapter, resuming, and what is refused (which weights a run writes:
test_finetune_ccdc_weights_kept.py)."""
import json

import numpy as np
import pytest
import torch
from PIL import Image

from ccdc_finetune_fixtures import TINY, camera, tiny_ccdc, user_pairs  # noqa: F401 (fixtures)
from colorstudio.cli import main
from colorstudio.core import synth
from colorstudio.core.generator_steps import run_to_end
from colorstudio.nets.ccdc import CCDC
from colorstudio.training import finetune_ccdc
from colorstudio.training.user_camera import fit_camera, noise_k


def test_noise_is_measured_within_a_fifth_of_the_truth():
    rng = np.random.default_rng(0)
    smooth = np.tile(np.linspace(0.1, 0.9, 256, dtype=np.float32), (256, 1))
    for k in (0.01, 0.03, 0.07):
        assert noise_k(synth.add_signal_noise(smooth, k, rng)) == pytest.approx(k, rel=0.2)
    assert noise_k(np.full((8, 8), 0.5, np.float32)) is None        # too few pixels to say


def test_the_camera_is_measured_on_its_own_pairs(motorcycle_small):
    left, _ = motorcycle_small
    cam = camera()
    shots, sides = [], []
    for i in range(3):
        p = synth.synthesize_from_photo(left, np.random.default_rng(i), 1, max_disparity=12, side="right",
                                        degrade=cam.degrade)
        shots.append((p.gray, p.reference))
        sides.append("right")
    fitted = fit_camera(shots, sides + ["unknown"], [10.0, 12.0, 14.0], [1.0])
    x = np.array([0.2, 0.4, 0.6, 0.8], np.float32)
    assert np.abs(fitted.mono_response(x) - cam.mono_response(x)).max() < 0.04      # the tone curve
    assert fitted.colour_noise == pytest.approx(0.05, rel=0.3)
    assert fitted.match_side == "right" and fitted.max_disparity == 12.0
    gray, ref = fitted.degrade(left, left, np.random.default_rng(0))
    assert gray.shape == left.shape[:2] and ref.shape == left.shape
    assert np.allclose(gray * 255, np.rint(gray * 255), atol=1e-3)                    # 8-bit, as files are


def test_cli_finetunes_ccdc_by_default_and_colorize_uses_the_model(tmp_path, tiny_ccdc, user_pairs, capsys):
    out = tmp_path / "mine.safetensors"
    code = main(["finetune", str(user_pairs), "-o", str(out), "--steps", "2", "--base", str(tiny_ccdc),
                 "--crop", "64x64", "--device", "cpu"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "fine-tuning ccdc on the 3 pair(s) found" in err and "chroma PSNR on pairs made of the held-apart colour shots" in err
    assert "Compare it with the default pair method (ccdc, not fine-tuned)" in err      # what the benchmark found
    card = json.loads(out.with_suffix(".json").read_text())
    assert card["method"] == "ccdc" and card["finetune"]["steps"] == 2 and card["data"]["train_pairs"] == 2
    assert card["data"]["synthesized_as"].startswith("stereo")
    assert card["camera"]["match_side"] == "right" and 0.02 < card["camera"]["colour_noise"] < 0.09
    assert {"chroma_psnr"} == set(card["finetune"]["validation_before"])
    assert main(["colorize", str(user_pairs / "p0_mono.png"), str(user_pairs / "p0_color.png"),
                 "-o", str(tmp_path / "c.png"), "--method", "ccdc", "--model", str(out)]) == 0


def test_a_stopped_run_resumes_and_another_runs_checkpoint_is_refused(tmp_path, tiny_ccdc, user_pairs, capsys):
    out = tmp_path / "m.safetensors"
    args = ["finetune", str(user_pairs), "-o", str(out), "--base", str(tiny_ccdc), "--crop", "64x64"]
    assert main(args + ["--steps", "2"]) == 0
    assert "resumed" not in json.loads(out.with_suffix(".json").read_text())    # a new run
    capsys.readouterr()
    assert main(args + ["--steps", "3", "--resume", str(tmp_path / "m.run"), "--force"]) == 0
    assert "resuming the run stopped at step 2 (" in capsys.readouterr().err
    card = json.loads(out.with_suffix(".json").read_text())
    assert card["finetune"]["steps"] == 3
    assert card["resumed"]["from_step"] == 2 and card["resumed"]["wall_minutes"] == "this invocation only"
    pairs = [(user_pairs / f"p{i}_mono.png", user_pairs / f"p{i}_color.png") for i in range(3)]
    run = tmp_path / "m.run"      # its budget spent or not, the same run goes on; another one does not
    assert finetune_ccdc.resumable(run, tiny_ccdc, pairs, (64, 64))
    assert not finetune_ccdc.resumable(run, tiny_ccdc, pairs, (96, 96)) and not finetune_ccdc.resumable(
        run, tiny_ccdc, pairs, (64, 64), lr=1e-5)
    capsys.readouterr()
    assert main(args + ["--steps", "4", "--lr", "1e-5", "--resume", str(tmp_path / "m.run"), "--force"]) == 1
    assert "is of another run" in capsys.readouterr().err
    assert main(args + ["--steps", "4", "--cycle-pool", "2", "--force"]) == 1
    assert "--cycle-pool is for --method cyclecnn" in capsys.readouterr().err


def test_a_cyclecnn_file_is_not_a_ccdc_base(tmp_path, user_pairs, capsys):
    from colorstudio.nets.cyclecnn import CycleCNN, CycleCNNConfig
    from colorstudio.nets.gca import GCAConfig
    from colorstudio.nets.refine import RefineConfig
    from colorstudio.nets.registry import save_model
    from colorstudio.nets.wac import WACConfig

    cfg = CycleCNNConfig(wac=WACConfig(features=4, res_blocks=1, unet=(4, 4, 4, 4)),
                         gca=GCAConfig(features=4, res_blocks=1), refine=RefineConfig(features=4), max_disparity=32)
    other = save_model(CycleCNN(cfg), tmp_path / "stereo.safetensors", {"data": "test"})
    assert main(["finetune", str(user_pairs), "-o", str(tmp_path / "x.safetensors"), "--steps", "1",
                 "--base", str(other)]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) <= 4 and "Traceback" not in err and "stereo.safetensors" in err


def test_the_wizard_adapter_runs_the_ccdc_fine_tuner(tmp_path, tiny_ccdc, user_pairs):
    from colorstudio.core.pairs import PairItem
    from colorstudio.gui import training_adapter as ta    # no Qt in it

    items = [PairItem(user_pairs / f"p{i}_mono.png", user_pairs / f"p{i}_color.png", name=f"p{i}") for i in range(3)]
    plan = ta.FineTunePlan(train_pairs=items[:2], held_out=items[2:], base_model=tiny_ccdc, run_dir=tmp_path / "run",
                           minutes=None, steps=2, device="cpu", crop=None, method="ccdc")
    gen, updates = ta.training_steps(plan), []
    while True:
        try:
            updates.append(next(gen))
        except StopIteration as stop:
            outcome = stop.value
            break
    assert outcome.finished and outcome.steps == 2 and outcome.weights == plan.weights_out
    assert json.loads(plan.weights_out.with_suffix(".json").read_text())["data"]["validation_pairs"] == 1
    # the validation preview: the held-apart pair p2 as it is coloured at the first step and by the model written
    shown = [(u.step, u.preview) for u in updates if u.preview is not None]
    assert [step for step, _ in shown] == [1, 2]
    gray = np.asarray(Image.open(user_pairs / "p2_mono.png"), np.float32) / 255
    for _, picture in shown:
        assert picture.shape == gray.shape + (3,)
        assert np.abs(picture @ np.float32([0.299, 0.587, 0.114]) - gray).max() < 0.02     # its luma: the gray
    assert np.abs(shown[0][1] - shown[1][1]).max() > 0       # the written model colours it otherwise


def test_a_pause_before_a_stop_does_not_use_up_the_budget(tmp_path, tiny_ccdc, user_pairs, monkeypatch):
    import time
    from types import SimpleNamespace

    from colorstudio.training import training_clock
    from colorstudio.training.checkpoints import checkpoint_state

    late = [0.0]          # the clock jumps while paused: a loaded CPU's slow work cannot hide a miscount
    jumping = SimpleNamespace(perf_counter=lambda: time.perf_counter() + late[0], time=time.time)
    monkeypatch.setattr(finetune_ccdc, "time", jumping)
    monkeypatch.setattr(training_clock, "time", jumping)
    pairs = [(user_pairs / f"p{i}_mono.png", user_pairs / f"p{i}_color.png") for i in range(3)]
    gen = finetune_ccdc.finetune(pairs, base_model_path=tiny_ccdc, out=tmp_path / "m.safetensors",
                                 run_dir=tmp_path / "run", minutes=60, crop=(64, 64), device="cpu")
    while (progress := next(gen)).step < 1:
        pass
    late[0] += 1000.0                                 # the wizard's Pause…
    gen.close()                                       # …then Stop
    assert checkpoint_state(tmp_path / "run")["seconds"] < progress.seconds + 100


def test_the_previews_time_does_not_use_up_the_budget(tmp_path, tiny_ccdc, user_pairs, monkeypatch):
    import time
    from types import SimpleNamespace

    from colorstudio.training import previews, training_clock

    made, late = [], [0.0]

    def slow_preview(self, model):
        made.append(1)
        late[0] += 1000.0                             # a preview made on a very slow machine: the clock
        return np.zeros((4, 4, 3))                    # jumps, so a loaded CPU's slow steps cannot hide it

    jumping = SimpleNamespace(perf_counter=lambda: time.perf_counter() + late[0], time=time.time)
    monkeypatch.setattr(finetune_ccdc, "time", jumping)
    monkeypatch.setattr(training_clock, "time", jumping)
    monkeypatch.setattr(previews.CCDCPreview, "__call__", slow_preview)
    pairs = [(user_pairs / f"p{i}_mono.png", user_pairs / f"p{i}_color.png") for i in range(3)]
    progress = list(finetune_ccdc.finetune(pairs, base_model_path=tiny_ccdc, out=tmp_path / "m.safetensors",
                                           run_dir=tmp_path / "run", max_steps=3, crop=(64, 64), device="cpu"))
    trained = [p for p in progress if p.step >= 1]
    assert [p.step for p in trained if p.preview is not None] == [1, 3] and len(made) == 2   # first step, end
    last_step = [p for p in trained if not p.finishing][-1]
    # training time only: two tiny steps, not the 1000 s preview at step 1
    assert last_step.step == 3 and last_step.seconds < trained[0].seconds + 100


def test_gray_colour_shots_a_wrong_base_and_a_cycle_cnn_checkpoint_are_said_plainly(tmp_path, tiny_ccdc, user_pairs,
                                                                                    capsys):
    gray_ref = np.asarray(Image.open(user_pairs / "p0_color.png").convert("L").convert("RGB"))
    Image.fromarray(gray_ref).save(user_pairs / "p0_color.png")
    pairs = [(user_pairs / f"p{i}_mono.png", user_pairs / f"p{i}_color.png") for i in range(3)]
    card = run_to_end(finetune_ccdc.finetune(pairs, base_model_path=tiny_ccdc, out=tmp_path / "m.safetensors",
                                       run_dir=tmp_path / "run", max_steps=1, crop=(64, 64), device="cpu"))
    assert card["data"]["train_pairs"] == 1 and card["data"]["validation_pairs"] == 1      # p2 held apart
    assert "p0_mono.png: the colour shot has no colour" in card["data"]["skipped"][0]
    out = str(tmp_path / "x.safetensors")
    assert main(["finetune", str(user_pairs), "-o", out, "--steps", "1", "--base", str(tmp_path / "typo.safetensors")]) == 1
    assert "typo.safetensors does not exist" in capsys.readouterr().err
    cycle_run = tmp_path / "cycle.run"
    cycle_run.mkdir()
    from colorstudio.training.checkpoints import save_checkpoint
    net = CCDC(TINY)
    save_checkpoint(cycle_run, net, torch.optim.Adam(net.parameters()), {"step": 1, "options": {"run_key": "x"}})
    assert main(["finetune", str(user_pairs), "-o", out, "--steps", "2", "--resume", str(cycle_run)]) == 1
    assert "is of a Cycle CNN run: resume it with --method cyclecnn" in capsys.readouterr().err
    ccdc_run = tmp_path / "x.run"      # and the other way round
    save_checkpoint(ccdc_run, net, torch.optim.Adam(net.parameters()), {"step": 1, "run_key": finetune_ccdc.run_key(
        None, [(user_pairs / "p0_mono.png", None)], 1e-4, (64, 64))})
    assert main(["finetune", "--method", "cyclecnn", str(user_pairs), "-o", out, "--steps", "2", "--resume",
                 str(ccdc_run)]) == 1
    assert "is of a CCDC run: resume it with --method ccdc" in capsys.readouterr().err


def test_a_tie_between_sides_is_settled_the_same_way_every_time():
    shots = [(np.full((64, 64), 0.5, np.float32), np.full((64, 64, 3), 0.5, np.float32))] * 2
    assert fit_camera(shots, ["left", "right"], [], [1.0]).match_side == "right"
    assert fit_camera(shots, ["left", "left", "right"], [], [1.0]).match_side == "left"


def test_asking_whether_fine_tuning_is_installed_does_not_import_torch():
    import subprocess
    import sys

    code = ("import sys; from colorstudio.gui import training_adapter as ta; "
            "print(ta.training_available('ccdc'), ta.training_available('cyclecnn'), 'torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "(True, '') (True, '') False"


def test_a_run_folder_says_whether_its_stopped_run_is_resumed_or_replaced(tmp_path, tiny_ccdc, user_pairs):
    pairs = [(user_pairs / f"p{i}_mono.png", user_pairs / f"p{i}_color.png") for i in range(3)]
    run = dict(base_model_path=tiny_ccdc, out=tmp_path / "m.safetensors", run_dir=tmp_path / "m.run",
               crop=(64, 64), device="cpu")
    list(finetune_ccdc.finetune(pairs[:2], validation=pairs[2:], max_steps=2, **run))

    def first_update(train, held, resume):     # the note comes once the pairs are checked, before training
        gen = finetune_ccdc.finetune(train, validation=held, max_steps=5, resume=resume, **run)
        note = next(p.run_note for p in gen if p.run_note or p.step)
        gen.close()
        return note

    assert first_update(pairs[:2], pairs[2:], True).startswith("resuming the run stopped at step 2")
    assert finetune_ccdc.resumable(run["run_dir"], tiny_ccdc, pairs[:2], (64, 64), validation=pairs[2:])
    # its scores before the stop were on the held-apart pair p2: other held-apart pairs are another run
    assert not finetune_ccdc.resumable(run["run_dir"], tiny_ccdc, pairs[:2], (64, 64), validation=pairs[1:2])
    with pytest.raises(finetune_ccdc.ColorStudioError, match="is of another run, with other held-apart pairs"):
        first_update(pairs[:2], pairs[1:2], True)
    note = first_update(pairs[1:], (), False)          # p1 and p2, split: p1 trains, p2 held apart
    assert note.startswith(f"starting afresh: the run in {run['run_dir']} (step 2,") and \
        note.endswith("is replaced, as it had other training pairs (1 gone)")


def test_ctrl_c_before_the_first_step_promises_no_checkpoint(tmp_path, tiny_ccdc, user_pairs, capsys, monkeypatch):
    def interrupted_while_getting_ready(pairs, run_dir, **kwargs):
        run_dir.mkdir(parents=True, exist_ok=True)     # as the fine-tuner makes it, before any checkpoint
        yield finetune_ccdc.TrainProgress(0, None, {}, 0.0, 0.0, None, message="measuring pair 1 of 3")
        raise KeyboardInterrupt

    monkeypatch.setattr(finetune_ccdc, "finetune", interrupted_while_getting_ready)
    out = tmp_path / "m.safetensors"
    assert main(["finetune", str(user_pairs), "-o", str(out), "--steps", "2"]) == 130
    err = capsys.readouterr().err
    assert "interrupted before training began: nothing to resume" in err and "--resume" not in err
    assert not (tmp_path / "m.run").exists()       # no empty run folder left behind


def test_ctrl_c_while_a_resumed_run_checks_its_pairs_does_not_promise_it_goes_on_with_these(
        tmp_path, tiny_ccdc, user_pairs, capsys, monkeypatch):
    from colorstudio.training.checkpoints import has_checkpoint

    # its pairs may have changed: only once measured is it known whether the run can go on with them
    out, run_dir = tmp_path / "m.safetensors", tmp_path / "m.run"
    assert main(["finetune", str(user_pairs), "-o", str(out), "--steps", "2", "--base", str(tiny_ccdc),
                 "--crop", "64x64", "--device", "cpu"]) == 0
    assert has_checkpoint(run_dir)

    def interrupted_while_measuring(pairs, run_dir, **kwargs):
        yield finetune_ccdc.TrainProgress(0, None, {}, 0.0, 0.0, None, message="measuring pair 1 of 3")
        raise KeyboardInterrupt

    monkeypatch.setattr(finetune_ccdc, "finetune", interrupted_while_measuring)
    capsys.readouterr()
    assert main(["finetune", str(user_pairs), "-o", str(tmp_path / "n.safetensors"), "--resume", str(run_dir)]) == 130
    err = capsys.readouterr().err
    assert "interrupted before the run went on; it is kept as it was" in err
    assert f"--resume {run_dir} continues it with the same pairs and settings" in err
    assert "checkpoint kept; continue with" not in err


def test_a_folder_or_the_base_model_as_output_is_refused_before_any_work(tmp_path, tiny_ccdc, user_pairs, capsys):
    (tmp_path / "x.safetensors").mkdir()
    assert main(["finetune", str(user_pairs), "-o", str(tmp_path / "x.safetensors"), "--steps", "1", "--force"]) == 1
    assert "is a folder" in capsys.readouterr().err
    assert main(["finetune", str(user_pairs), "-o", str(tiny_ccdc), "--base", str(tiny_ccdc), "--steps", "1",
                 "--force"]) == 1
    assert "is the base model" in capsys.readouterr().err


def test_the_gui_reads_a_checkpoints_key_without_torch_as_the_engine_made_it(tmp_path, tiny_ccdc, user_pairs):
    from colorstudio.training import finetune, run_identity
    from colorstudio.training.checkpoints import checkpoint_state

    pairs = [(user_pairs / f"p{i}_mono.png", user_pairs / f"p{i}_color.png") for i in range(3)]
    run_dir = tmp_path / "m.run"
    list(finetune_ccdc.finetune(pairs[:2], validation=pairs[2:], base_model_path=tiny_ccdc, out=tmp_path / "m.safetensors",
                                run_dir=run_dir, max_steps=1, crop=(64, 64), device="cpu"))
    state = run_identity.stored_state(run_dir)
    assert state == checkpoint_state(run_dir) and state["step"] == 1
    assert state["run_key"] == run_identity.network_key("ccdc", tiny_ccdc, pairs[:2], None, (64, 64), pairs[2:])
    assert run_identity.network_key("ccdc", None, pairs, None, None) == finetune_ccdc.run_key(None, pairs, 5e-4, (160, 160))
    assert run_identity.stored_state(tmp_path / "none") == {}
    six = [(f"/p/{i}_mono.png", f"/p/{i}_color.png") for i in range(6)]      # the Cycle CNN's own split
    assert run_identity.network_key("cyclecnn", None, six, None, (64, 96)) == \
        finetune.run_key(None, six[:4] + six[5:], 1e-4, (64, 96))        # the 5th held apart


def test_running_a_finished_run_again_adds_no_training_time(tmp_path, tiny_ccdc, user_pairs):
    # the last scoring counted as training, and again at each rerun of a spent budget:
    # "0:22 trained" -> "0:40" -> "0:56" with no step trained
    pairs = [(user_pairs / f"p{i}_mono.png", user_pairs / f"p{i}_color.png") for i in range(3)]
    run = dict(base_model_path=tiny_ccdc, out=tmp_path / "m.safetensors", run_dir=tmp_path / "run", max_steps=2,
               crop=(64, 64), device="cpu")
    from colorstudio.training.checkpoints import checkpoint_state

    list(finetune_ccdc.finetune(pairs, **run))
    first = checkpoint_state(tmp_path / "run")["seconds"]
    again = list(finetune_ccdc.finetune(pairs, **run, resume=True))
    assert max(p.step for p in again) == 2
    assert checkpoint_state(tmp_path / "run")["seconds"] == pytest.approx(first, abs=0.05)


def test_a_new_run_stopped_before_its_first_step_leaves_the_earlier_run_in_its_folder(tmp_path, tiny_ccdc, user_pairs,
                                                                                     monkeypatch):
    from colorstudio.training.checkpoints import checkpoint_state

    pairs = [(user_pairs / f"p{i}_mono.png", user_pairs / f"p{i}_color.png") for i in range(3)]
    run = dict(base_model_path=tiny_ccdc, out=tmp_path / "m.safetensors", run_dir=tmp_path / "run",
               crop=(64, 64), device="cpu")
    run_to_end(finetune_ccdc.finetune(pairs, max_steps=2, **run))
    assert checkpoint_state(run["run_dir"])["step"] == 2

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(finetune_ccdc, "ccdc_loss", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_to_end(finetune_ccdc.finetune(pairs, max_steps=4, resume=False, lr=1e-5, **run))
    assert checkpoint_state(run["run_dir"])["step"] == 2


def test_a_learning_rate_that_throws_the_weights_out_ends_in_one_line_not_a_crash(tmp_path, tiny_ccdc, user_pairs):
    """Weights thrown far off by a huge step reached the warp with non-finite flows (a segfault);
    the step is now taken back, at half the rate, and a run that keeps diverging stops saying so."""
    pairs = [(user_pairs / f"p{i}_mono.png", user_pairs / f"p{i}_color.png") for i in range(3)]
    with pytest.raises(finetune_ccdc.ColorStudioError, match="the training diverged"):
        run_to_end(finetune_ccdc.finetune(pairs, base_model_path=tiny_ccdc, out=tmp_path / "m.safetensors",
                                          run_dir=tmp_path / "run", max_steps=4, crop=(64, 64), lr=1e9,
                                          device="cpu"))
    assert not (tmp_path / "m.safetensors").exists()


def test_resuming_a_damaged_checkpoint_is_refused_not_a_new_run_over_it(tmp_path, tiny_ccdc, user_pairs, capsys):
    pairs = [(user_pairs / f"p{i}_mono.png", user_pairs / f"p{i}_color.png") for i in range(3)]
    run = dict(base_model_path=tiny_ccdc, out=tmp_path / "m.safetensors", run_dir=tmp_path / "run",
               crop=(64, 64), device="cpu")
    run_to_end(finetune_ccdc.finetune(pairs, max_steps=2, **run))
    ckpt = tmp_path / "run" / "checkpoint.safetensors"
    ckpt.write_bytes(ckpt.read_bytes()[: ckpt.stat().st_size // 2])
    with pytest.raises(finetune_ccdc.ColorStudioError, match="cannot be read .damaged or cut short."):
        run_to_end(finetune_ccdc.finetune(pairs, max_steps=4, resume=True, **{**run, "out": tmp_path / "n.safetensors"}))
    assert ckpt.stat().st_size > 0 and not (tmp_path / "n.safetensors").exists()
    # not resuming (the wizard's choice when the checkpoint cannot be read): a new run, said
    notes = {p.run_note for p in finetune_ccdc.finetune(pairs, max_steps=2, resume=False, **run)}
    assert any("starting afresh: the checkpoint in" in n and "cannot be read" in n for n in notes)


def test_a_stop_is_heard_between_the_colour_shots_being_cleaned(tmp_path, tiny_ccdc, user_pairs, monkeypatch):
    # every shot was cleaned in one go, with no yield: a Stop with 40 pairs waited 11 s
    cleaned = []
    real = finetune_ccdc.clean_shot
    monkeypatch.setattr(finetune_ccdc, "clean_shot", lambda *a: cleaned.append(1) or real(*a))
    pairs = [(user_pairs / f"p{i}_mono.png", user_pairs / f"p{i}_color.png") for i in range(3)]
    steps = finetune_ccdc.finetune(pairs, base_model_path=tiny_ccdc, out=tmp_path / "m.safetensors",
                                   run_dir=tmp_path / "run", max_steps=1, crop=(64, 64), device="cpu")
    said = []
    for p in steps:
        said.append(p.message)
        if p.message.startswith("cleaning colour shot 2 of 3"):
            steps.close()                                            # the worker's Stop
            break
    assert [m for m in said if m.startswith("cleaning")] == ["cleaning colour shot 1 of 3 of its noise",
                                                             "cleaning colour shot 2 of 3 of its noise"]
    assert len(cleaned) == 1 and not (tmp_path / "m.safetensors").exists()


def test_the_held_apart_pairs_are_every_fifth_usable_one_and_an_older_split_is_not_resumed(tmp_path, tiny_ccdc,
                                                                                          user_pairs, capsys):
    # the CLI split the pairs as given, the app the ones its checks passed; and a run split the
    # old way (none held apart of 3) went on with p2 held apart though it had trained on it
    gray_ref = np.asarray(Image.open(user_pairs / "p2_color.png").convert("L").convert("RGB"))
    Image.fromarray(gray_ref).save(user_pairs / "p2_color.png")           # p2 refused: p0 and p1 usable
    pairs = [(user_pairs / f"p{i}_mono.png", user_pairs / f"p{i}_color.png") for i in range(3)]
    run = dict(base_model_path=tiny_ccdc, out=tmp_path / "m.safetensors", run_dir=tmp_path / "m.run",
               crop=(64, 64), device="cpu")
    card = run_to_end(finetune_ccdc.finetune(pairs, max_steps=1, **run))
    assert card["data"]["pairs"] == ["p0_mono"] and card["data"]["held_apart"] == ["p1_mono"]   # old: none
    # keyed by the split of the usable pairs, as the wizard keys them (its checks pass p0 and p1)
    assert finetune_ccdc.resumable(run["run_dir"], tiny_ccdc, pairs[:1], (64, 64), validation=pairs[1:2])
    said = []
    with pytest.raises(finetune_ccdc.ColorStudioError, match="is of another run, with another learning rate"):
        for p in finetune_ccdc.finetune(pairs, max_steps=2, lr=1e-5, resume=True, **run):
            said.append(p.message)
    assert said == []                          # refused before a pair is measured (40 pairs: many seconds)
    from colorstudio.training import run_identity

    old_key = run_identity.run_key(tiny_ccdc, pairs, finetune_ccdc.DEFAULT_LR, (64, 64), (), 0, method="ccdc")
    new_key = run_identity.network_key("ccdc", tiny_ccdc, pairs[1:], None, (64, 64))
    assert "held-apart pairs it did not record (its own split, or an older version's run)" in \
        run_identity.differences(old_key, new_key)
