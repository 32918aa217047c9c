"""Which weights a CCDC fine-tuning run writes: the start averaged with its best checkpoint, or
with its last weights when none beat the start, or the start alone when the average scores far
below it (the held-apart score only guards against a run gone wrong), also when resumed."""
import json
from pathlib import Path

import pytest
import torch

from ccdc_finetune_fixtures import checkpoint_model, tiny_ccdc, user_pairs  # noqa: F401 (fixtures)
from colorstudio.core.generator_steps import run_to_end
from colorstudio.nets.weights_file import load_weights
from colorstudio.training import finetune_ccdc


def test_the_best_scoring_weights_are_kept_the_start_included(tmp_path, tiny_ccdc, user_pairs):
    pairs = [(user_pairs / f"p{i}_mono.png", user_pairs / f"p{i}_color.png") for i in range(3)]
    out = tmp_path / "m.safetensors"
    gen = finetune_ccdc.finetune(pairs[:2], validation=pairs[2:], base_model_path=tiny_ccdc, out=out,
                                 run_dir=tmp_path / "run", max_steps=2, crop=(64, 64), lr=10.0, device="cpu")
    progress = []                             # a learning rate that wrecks the net: nothing beats the start
    for p in gen:
        progress.append(p)
        if p.message == "writing the model":  # the last yield: the model is written after it, then returned
            assert not out.exists()
    assert progress[-1].message == "writing the model" and any("held-apart chroma PSNR" in e for p in progress for e in p.events)
    assert [p.finishing for p in progress[-2:]] == [True, True] and not any(p.finishing for p in progress[:-2])
    assert out.is_file()
    card = json.loads(out.with_suffix(".json").read_text())
    assert card["finetune"]["kept"].startswith("the starting weights")
    assert card["finetune"]["validation_after"] == card["finetune"]["validation_before"]
    kept, _, _ = load_weights(out, "ccdc")
    start, _, _ = load_weights(tiny_ccdc, "ccdc")
    assert all(torch.equal(kept[k], start[k]) for k in start)


def test_a_resumed_run_averages_with_the_model_it_started_from_not_its_checkpoint(tmp_path, tiny_ccdc, user_pairs,
                                                                                  monkeypatch):
    calls = []
    monkeypatch.setattr(finetune_ccdc, "held_apart_psnr", lambda *a: calls.append(1) or (30.0 if len(calls) == 1 else 29.9))
    pairs = [(user_pairs / f"p{i}_mono.png", user_pairs / f"p{i}_color.png") for i in range(3)]
    options = dict(validation=pairs[2:], base_model_path=tiny_ccdc, out=tmp_path / "m.safetensors",
                   run_dir=tmp_path / "run", crop=(64, 64), device="cpu", checkpoint_every_s=0)
    run_to_end(finetune_ccdc.finetune(pairs[:2], max_steps=2, **options))
    card = run_to_end(finetune_ccdc.finetune(pairs[:2], max_steps=4, resume=True, **options))
    assert card["finetune"]["steps"] == 4 and "averaged with the last ones (step 4) (0.5 of each)" in card["finetune"]["kept"]
    assert card["finetune"]["validation_before"] == {"chroma_psnr": 30.0}     # the start's score, kept from run 1
    written, start = load_weights(tmp_path / "m.safetensors", "ccdc")[0], load_weights(tiny_ccdc, "ccdc")[0]
    last = checkpoint_model(tmp_path / "run")
    assert all(torch.allclose(written[k], (start[k] + last[k]) / 2) for k in start if start[k].is_floating_point())


def test_a_run_that_beats_its_start_writes_the_start_and_its_best_checkpoint_averaged(tmp_path, tiny_ccdc, user_pairs,
                                                                                      monkeypatch):
    scores = iter([30.0, 31.0, 33.0, 32.0, 32.0, 40.0])  # before, steps 1, 2 (best), 3, the end's check, the average
    monkeypatch.setattr(finetune_ccdc, "held_apart_psnr", lambda *a: next(scores))
    pairs = [(user_pairs / f"p{i}_mono.png", user_pairs / f"p{i}_color.png") for i in range(3)]
    out = tmp_path / "m.safetensors"
    card = run_to_end(finetune_ccdc.finetune(pairs, base_model_path=tiny_ccdc, out=out, run_dir=tmp_path / "run",
                                       max_steps=3, crop=(64, 64), device="cpu", checkpoint_every_s=0))
    ft = card["finetune"]
    assert ft["validation_best_checkpoint"] == {"chroma_psnr": 33.0, "step": 2}
    assert ft["kept"] == "the starting weights averaged with those of step 2 (0.5 of each)"
    start, best = load_weights(tiny_ccdc, "ccdc")[0], load_weights(tmp_path / "run" / "best.safetensors", "ccdc")[0]
    written = load_weights(out, "ccdc")[0]
    assert any(not torch.equal(start[k], best[k]) for k in start if start[k].is_floating_point())
    assert all(torch.allclose(written[k], (start[k] + best[k]) / 2) for k in start if start[k].is_floating_point())


def _two_steps_scored(tmp_path, tiny_ccdc, user_pairs, monkeypatch, scores) -> tuple[dict, Path]:
    """A 2-step run whose held-apart scores are ``scores`` (before, steps 1, 2, the end's check,
    the average); (its card, the model written)."""
    scores = iter(scores)
    monkeypatch.setattr(finetune_ccdc, "held_apart_psnr", lambda *a: next(scores))
    pairs = [(user_pairs / f"p{i}_mono.png", user_pairs / f"p{i}_color.png") for i in range(3)]
    out = tmp_path / "m.safetensors"
    card = run_to_end(finetune_ccdc.finetune(pairs, base_model_path=tiny_ccdc, out=out, run_dir=tmp_path / "run",
                                       max_steps=2, crop=(64, 64), device="cpu", checkpoint_every_s=0))
    return card, out


def test_a_run_that_never_beat_its_start_writes_the_start_and_its_last_weights_averaged(tmp_path, tiny_ccdc,
                                                                                        user_pairs, monkeypatch):
    """The held-apart score fell while the average's truth rose on a simulated camera (README):
    it does not decide whether to train, only guards against a run gone wrong."""
    card, out = _two_steps_scored(tmp_path, tiny_ccdc, user_pairs, monkeypatch, [30.0, 29.8, 29.9, 29.7, 29.6])
    assert card["finetune"]["kept"].startswith("the starting weights averaged with the last ones (step 2) (0.5 of "
                                               "each), though it scored lower on the held-apart pairs")
    assert card["finetune"]["validation_after"] == card["finetune"]["validation_average"] == {"chroma_psnr": 29.6}
    start, written = load_weights(tiny_ccdc, "ccdc")[0], load_weights(out, "ccdc")[0]
    last = checkpoint_model(tmp_path / "run")
    assert not (tmp_path / "run" / "best.safetensors").exists()
    assert all(torch.allclose(written[k], (start[k] + last[k]) / 2) for k in start if start[k].is_floating_point())


def test_an_average_scoring_far_below_the_start_is_not_written(tmp_path, tiny_ccdc, user_pairs, monkeypatch):
    card, out = _two_steps_scored(tmp_path, tiny_ccdc, user_pairs, monkeypatch,
                                  [30.0, 29.0, 28.0, 27.0, 29.4])      # the average: 0.6 dB below the start
    assert card["finetune"]["kept"].startswith("the starting weights: the average with the last ones (step 2) "
                                               "scored more than 0.5 dB below them")
    assert card["finetune"]["validation_after"] == card["finetune"]["validation_before"]
    assert card["finetune"]["validation_average"] == {"chroma_psnr": 29.4}      # what was not written, said
    start, written = load_weights(tiny_ccdc, "ccdc")[0], load_weights(out, "ccdc")[0]
    assert all(torch.equal(written[k], start[k]) for k in start)


@pytest.mark.parametrize("damage", ["removed", "cut short"])
def test_a_best_checkpoint_removed_or_cut_short_is_looked_for_again(tmp_path, tiny_ccdc, user_pairs, monkeypatch,
                                                                     damage):
    """Removed before resuming, it is not claimed; cut short by a power cut or a full disk, every
    --resume (and the wizard's every retry) failed with "not a complete safetensors file",
    although the run's checkpoint was good."""
    calls = []
    monkeypatch.setattr(finetune_ccdc, "held_apart_psnr",
                        lambda *a: calls.append(1) or {1: 30.0, 2: 31.0}.get(len(calls), 29.9))
    pairs = [(user_pairs / f"p{i}_mono.png", user_pairs / f"p{i}_color.png") for i in range(3)]
    options = dict(base_model_path=tiny_ccdc, out=tmp_path / "m.safetensors", run_dir=tmp_path / "run",
                   max_steps=3, crop=(64, 64), device="cpu", checkpoint_every_s=0)
    gen = finetune_ccdc.finetune(pairs, **options)
    while next(gen).step < 1:          # step 1 scores 31.0: the best so far, written to best.safetensors
        pass
    gen.close()
    best = tmp_path / "run" / "best.safetensors"
    if damage == "removed":
        best.unlink()
    else:
        best.write_bytes(best.read_bytes()[: best.stat().st_size // 2])
    card = run_to_end(finetune_ccdc.finetune(pairs, resume=True, **options))
    assert card["finetune"]["steps"] == 3 and (tmp_path / "m.safetensors").is_file()
    assert card["finetune"]["kept"].startswith("the starting weights averaged with the last ones (step 3)")
    assert card["finetune"]["validation_best_checkpoint"] == {"chroma_psnr": 30.0, "step": None}


def test_a_finished_run_writes_its_last_checkpoint_once(tmp_path, tiny_ccdc, user_pairs, monkeypatch):
    """The end's scoring saved the checkpoint and the end saved it again: on a nearly full disk the
    second write failed a run that had finished, and no model was written."""
    saved = []
    real = finetune_ccdc.save_checkpoint
    monkeypatch.setattr(finetune_ccdc, "save_checkpoint", lambda run_dir, model, opt, state, **kw: (
        saved.append(state["step"]), real(run_dir, model, opt, state, **kw))[1])
    pairs = [(user_pairs / f"p{i}_mono.png", user_pairs / f"p{i}_color.png") for i in range(3)]
    run_to_end(finetune_ccdc.finetune(pairs, base_model_path=tiny_ccdc, out=tmp_path / "m.safetensors",
                                      run_dir=tmp_path / "run", max_steps=2, crop=(64, 64), device="cpu"))
    assert saved == [2]


@pytest.mark.parametrize("writer", ["ccdc", "registry"])
def test_a_stop_between_the_weights_and_their_card_leaves_no_older_card_describing_them(tmp_path, monkeypatch,
                                                                                       writer):
    """Under --force, a kill after the new weights and before their card left the older run's card
    (its steps, scores and checksum) beside them, and the app and colorize showed it as theirs."""
    from ccdc_finetune_fixtures import TINY
    from colorstudio.nets import registry
    from colorstudio.nets.ccdc import CCDC
    from colorstudio.training import ccdc_finetune_result

    out = tmp_path / "m.safetensors"
    out.with_suffix(".json").write_text(json.dumps({"name": "the older run", "finetune": {"steps": 4}}))

    def killed(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(ccdc_finetune_result if writer == "ccdc" else registry, "atomic_write_bytes", killed)
    with pytest.raises(KeyboardInterrupt):
        if writer == "ccdc":
            ccdc_finetune_result.write_model(out, CCDC(TINY), {"finetune": {"steps": 10}})
        else:
            registry.save_model(_tiny_cycle_cnn(), out, {"data": "new"})
    assert out.is_file() and not out.with_suffix(".json").exists()


@pytest.mark.parametrize("writer", ["ccdc", "registry"])
def test_a_failed_write_of_new_weights_keeps_the_older_model_with_its_card(tmp_path, monkeypatch, writer):
    from ccdc_finetune_fixtures import TINY
    from colorstudio.errors import DiskFullError
    from colorstudio.nets import registry
    from colorstudio.nets.ccdc import CCDC
    from colorstudio.training import ccdc_finetune_result

    out = tmp_path / "m.safetensors"
    out.write_bytes(b"the older weights")
    out.with_suffix(".json").write_text('{"name": "the older run"}')

    def disk_full(*args, **kwargs):
        raise DiskFullError("m.safetensors: cannot be written (No space left on device)")

    if writer == "ccdc":
        monkeypatch.setattr(ccdc_finetune_result, "save_weights", disk_full)
        with pytest.raises(DiskFullError):
            ccdc_finetune_result.write_model(out, CCDC(TINY), {"finetune": {"steps": 10}})
    else:
        monkeypatch.setattr(registry, "write_weights", disk_full)
        with pytest.raises(DiskFullError):
            registry.save_model(_tiny_cycle_cnn(), out, {"data": "new"})
    assert out.read_bytes() == b"the older weights"
    assert json.loads(out.with_suffix(".json").read_text()) == {"name": "the older run"}


def _tiny_cycle_cnn():
    from colorstudio.nets.cyclecnn import CycleCNN, CycleCNNConfig
    from colorstudio.nets.gca import GCAConfig
    from colorstudio.nets.refine import RefineConfig
    from colorstudio.nets.wac import WACConfig

    return CycleCNN(CycleCNNConfig(wac=WACConfig(features=4, res_blocks=1, unet=(4, 4, 4, 4)),
                                   gca=GCAConfig(features=4, res_blocks=1), refine=RefineConfig(features=4)))
