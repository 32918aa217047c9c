"""Fine-tune CCDC, the default pair method, on a photographer's own mono+colour pairs.

CCDC learns from pairs with a known truth, which a user's pairs lack (the mono view's colours
are what is wanted). So the camera is measured on its pairs (:mod:`colorstudio.training.user_camera`:
the mono camera's tone response to the colour camera's luma, both cameras' noise, where the
matches lie and how far) and training pairs are synthesized from the user's own colour
shots, cleaned of their noise, as that camera would take them: the truth is the clean shot.
Held-apart pairs are made the same way from held-apart shots and scored (chroma PSNR against
their truth) before training and every minute. The model written is the start and the trained
weights (the best-scoring checkpoint, else the last) averaged (:data:`WEIGHT_AVERAGE`), unless
that average scores more than :data:`GUARD_DB` below the start (then the start). On the finetune
benchmark's simulated cameras that score rose by 0.6-1.0 dB while the truth moved by -0.9 to
+0.2 dB for the best checkpoint alone, and fell where the average's truth rose (README,
fine-tuning): six shots are too few to choose weights by, and the average keeps most of what
the start knew.

Yields :class:`colorstudio.training.stereo_loop.TrainProgress` like the Cycle CNN's fine-tuner
(:func:`colorstudio.training.finetune.finetune`), with the same arguments (``crop`` None: 160x160),
so the CLI and the wizard run either; closing the generator keeps a checkpoint in ``run_dir``
that the same call with ``resume`` continues.
"""
from __future__ import annotations

import copy
import time
from pathlib import Path
from typing import Generator

import numpy as np
import torch

from colorstudio.engine.cpu_threads import outer_threads
from colorstudio.engine.device import torch_device
from colorstudio.errors import ColorStudioError, ModelError
from colorstudio.nets.ccdc import CCDC, CCDCConfig
from colorstudio.nets.weights_file import load_weights, require_model_file, save_weights
from colorstudio.training import ccdc_data
from colorstudio.training.ccdc_finetune_result import (GUARD_DB, WEIGHT_AVERAGE, average_weights,
                                                         finetuned_card, write_model)
from colorstudio.training.ccdc_losses import ccdc_loss
from colorstudio.training.training_clock import TrainingClock
from colorstudio.training.checkpoints import (checkpoint_state, has_checkpoint, in_memory_copy, load_checkpoint,
                                              save_checkpoint)
from colorstudio.training.pair_preparation import UserShot, ccdc_shot, held_apart_split, load_user_pair
from colorstudio.training.pair_size import CCDC_CROP, CCDC_MAX_SIDE
from colorstudio.training.previews import CCDCPreview, safely, with_previews
from colorstudio.training import run_identity
from colorstudio.core.pair_mode import rows_aligned_rig
from colorstudio.training.stereo_loop import TrainProgress
from colorstudio.training.train_ccdc import batch_tensors, validate
from colorstudio.training.user_camera import UserCamera, clean_shot, fit_camera

NAME = "ccdc"
DEFAULT_LR = run_identity.DEFAULT_LR[NAME]
MAX_SIDE = CCDC_MAX_SIDE   # each shot's long side for training (the finetune benchmark's pairs)
CROP = CCDC_CROP
BATCH = 4
VALIDATION_PAIRS = 12      # synthesized from the held-apart shots, fixed by the seed
CHECKPOINT_EVERY_S = 60.0
BEST_FILE = "best.safetensors"   # in the run dir: the best-scoring weights so far


def load_shot(gray_path, ref_path, max_side: int = MAX_SIDE, crop: tuple[int, int] = CROP) -> UserShot:
    """A user's pair at training scale (each shot's long side at most ``max_side``), checked
    (:func:`colorstudio.training.pair_preparation.ccdc_shot`; raises ``PairRefused``)."""
    return ccdc_shot(Path(gray_path).name, *load_user_pair(gray_path, ref_path), max_side, crop)


class CameraPairs:
    """Pairs synthesized from clean colour shots as ``camera`` takes them: the "stereo" kind with
    its side and disparity when its pairs are rectified and of one size, else moving views
    ("viewpoint", "temporal") with its colour shots' size factor."""

    def __init__(self, scenes: list[np.ndarray], camera: UserCamera, stereo: bool):
        self.scenes, self.camera, self.stereo = scenes, camera, stereo

    def _options(self) -> dict:
        if not self.stereo:
            return {"kinds": ccdc_data.KINDS, "degrade": self.camera.degrade}
        max_d = max(2, round(self.camera.max_disparity))   # the scenes are at the training scale too
        return {"kind": "stereo", "degrade": self.camera.degrade, "stereo": (max_d, self.camera.match_side)}

    def batch(self, rng: np.random.Generator, size: int, crop=CROP) -> dict[str, np.ndarray]:
        return ccdc_data.make_batch(self.scenes, rng, size, crop, self.camera.size_factor, **self._options())

    def fixed(self, n: int, seed: int, crop=CROP) -> list[dict[str, np.ndarray]]:
        rng = np.random.default_rng(seed)
        return [self.batch(rng, 1, crop) for _ in range(n)]


def held_apart_psnr(model: CCDC, batches: list[dict], device) -> float:
    """Mean chroma PSNR (dB) of the net on ``batches`` against their truth."""
    return validate(model, batches, device)[0]


def starting_model(path=None) -> tuple[CCDC, Path]:
    """The model to start from (a given CCDC file, else the shipped one) and its file."""
    from colorstudio.engine.learned_methods import weight_file

    if path is not None:
        path = require_model_file(path, NAME)
    else:
        path = weight_file(NAME)
        if path is None or not path.is_file():
            raise ModelError("the shipped ccdc weights are missing: nothing to fine-tune from")
    tensors, config, _ = load_weights(path, NAME)
    model = CCDC(CCDCConfig.from_dict(config))
    model.load_state_dict(tensors)
    return model, path


def run_key(base_model_path, pairs, lr, crop, validation=(), seed=0) -> str:
    """What makes a run the same run (a checkpoint is resumed only with the same): see
    :mod:`run_identity`."""
    return run_identity.network_key(NAME, base_model_path, pairs, lr, crop, validation, seed)


def resumable(run_dir, base_model_path, pairs, crop=None, lr=DEFAULT_LR, validation=(), seed=0) -> bool:
    """Whether ``run_dir`` holds a run with these settings, to go on with (one whose budget is
    spent then writes its model at once; the wizard's choice)."""
    return (has_checkpoint(run_dir) and checkpoint_state(run_dir).get("run_key")
            == run_key(base_model_path, pairs, lr, crop, validation, seed))


def _check_same_run(run_dir: Path, state: dict, key: str, pairs_known: bool = True) -> None:
    """A checkpoint is continued only by the run that made it (else the card would describe
    another). ``pairs_known`` False: before the pairs are checked, all but the pairs (a run of
    other settings is refused at once, not after every pair is measured)."""
    if "options" in state and "run_key" not in state:       # stereo_loop's layout: a Cycle CNN run
        raise ColorStudioError(f"the checkpoint in {run_dir} is of a Cycle CNN run: resume it with --method cyclecnn")
    run_identity.check_same_run(run_dir, state.get("run_key"), key, pairs_known)


def _prepare(pairs, validation, crop, getting_ready):
    """(training shots, held-apart shots, reasons pairs were left out, the run's training pairs,
    its held-apart pairs); yields progress. Without ``validation`` the usable pairs are split
    (:func:`held_apart_split`: as the app's wizard splits the pairs its checks passed)."""
    shots, held, skipped = [], [], []
    todo = [(p, False) for p in pairs] + [(p, True) for p in validation]
    for i, ((g, r), is_held) in enumerate(todo):
        yield getting_ready(f"measuring pair {i + 1} of {len(todo)} ({Path(g).name})")
        try:
            (held if is_held else shots).append(((g, r), load_shot(g, r, crop=crop)))
        except ColorStudioError as e:
            skipped.append(str(e))
    if not validation:
        shots, held = held_apart_split(shots, [])
    if not shots:
        raise ColorStudioError("no usable pairs to fine-tune on: " + "; ".join(skipped[:3]))
    return [s for _, s in shots], [s for _, s in held], skipped, [p for p, _ in shots], [p for p, _ in held]


class BestWeights:
    """The held-apart score before training and the best-scoring weights so far (the start's until
    a checkpoint beats it). The best are also kept in the run dir (:data:`BEST_FILE`), so a resumed
    run goes on from them; its ``state`` (the checkpoint's) records the scores."""

    def __init__(self, model: CCDC, val_set: list[dict], dev, state: dict, run_dir: Path, start_weights: dict,
                 held: bool):
        self.model, self.val_set, self.dev, self.held = model, val_set, dev, held
        self.file = run_dir / BEST_FILE
        self.before = state.get("before") or held_apart_psnr(model, val_set, dev)
        state["before"] = self.before
        self.weights = start_weights               # until something beats the start (a resumed run too)
        if state.get("best_step") is not None:
            try:
                self.weights = load_weights(self.file, NAME)[0]
            except ColorStudioError:               # removed meanwhile, or cut short by a power cut or a
                self.file.unlink(missing_ok=True)  # full disk: look for the best over again, the run's
                state.update(best=self.before, best_step=None)    # checkpoint is still good
        self.best = state.get("best", self.before)

    def check(self, state: dict) -> list[str]:
        """Score the model as it is now; keep its weights when they are the best so far."""
        score = held_apart_psnr(self.model, self.val_set, self.dev)
        state["last_score"] = score
        if score > self.best:
            self.best, self.weights = score, copy.deepcopy(self.model.state_dict())
            state.update(best=self.best, best_step=state["step"])
            save_weights(self.file, {k: v.detach().cpu() for k, v in self.weights.items()}, NAME,
                         self.model.cfg.to_dict())
        return [f"{'held-apart' if self.held else 'validation'} chroma PSNR {score:.2f} dB (before {self.before:.2f})"]


MAX_ROLLBACKS = 5     # non-finite losses in a run before it stops as diverged


def _train_steps(model: CCDC, opt, train_pairs: CameraPairs, state: dict, scores: BestWeights, run_dir: Path, *,
                 crop, lr, minutes, max_steps, dev, seed, checkpoint_every_s) -> Generator[TrainProgress, None, list]:
    """Train until the budget is spent, yielding progress after every step; score on the held-apart
    pairs and keep a checkpoint every ``checkpoint_every_s`` seconds and at the end, and a checkpoint
    however it ends (closed, failed). The time the consumer holds it at a yield (a pause, a preview)
    does not use up the budget. Returns the last scoring's events."""
    rng = np.random.default_rng([seed, state["step"]])
    clock, last_check = TrainingClock(state["seconds"], max_steps, minutes), time.perf_counter()

    saved_at = [state["step"]]         # the step of the checkpoint on disk

    def check() -> list[str]:
        state["seconds"] = clock.elapsed()
        events = scores.check(state)
        save_checkpoint(run_dir, model, opt, state, name=NAME, config=model.cfg.to_dict())
        saved_at[0] = state["step"]
        return events

    running, steps_at_start = None, state["step"]
    good, rollbacks = in_memory_copy(model, opt), 0
    try:
        while not clock.finished(state["step"]):
            t = batch_tensors(train_pairs.batch(rng, BATCH, crop), dev)
            loss, parts = ccdc_loss(model(t["gray"], t["ref"], t["init_flow"]), t["truth"])
            norm = None
            if torch.isfinite(loss):
                opt.zero_grad(set_to_none=True)
                loss.backward()
                norm = torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            if norm is None or not torch.isfinite(norm):
                # weights gone wrong (a learning rate far too large): back to the last good ones, at
                # half the rate; going on would reach the warp with non-finite flows (a crash)
                rollbacks += 1
                if rollbacks > MAX_ROLLBACKS:
                    raise ColorStudioError(f"the training diverged (its loss stopped being a number {rollbacks} "
                                           "times): give a smaller --lr")
                model.load_state_dict(good[0])
                opt.load_state_dict(good[1])
                for g in opt.param_groups:
                    g["lr"] *= 0.5
                continue
            opt.step()
            good = in_memory_copy(model, opt)
            state["step"] += 1
            running = loss.item() if running is None else 0.95 * running + 0.05 * loss.item()
            events = []
            if time.perf_counter() - last_check > checkpoint_every_s:
                events, last_check = check(), time.perf_counter()
            progress = TrainProgress(step=state["step"], total_steps=max_steps, losses={"total": running, **parts},
                                     lr=lr, seconds=clock.elapsed(), eta=clock.seconds_left(state["step"]),
                                     events=events, message=f"step {state['step']}: loss {running:.4f}")
            with clock.set_aside():      # a pause, then perhaps a close (Stop), uses up no budget
                yield progress
        if state["step"] == steps_at_start:      # the budget was spent before: nothing new to score
            return []
        with clock.set_aside():          # the last scoring, after training, is not training
            return check()
    finally:    # finished, cancelled (GeneratorExit) or failed: keep the work done so far; with no
        # step taken, the run folder is left as it was (an earlier run there, stopped before this
        # one began); a checkpoint of this very step is not written twice (on a nearly full disk
        # the second write failed a run that had finished)
        if state["step"] > steps_at_start and saved_at[0] != state["step"]:
            state["seconds"] = clock.elapsed()
            save_checkpoint(run_dir, model, opt, state, name=NAME, config=model.cfg.to_dict())


def finetune(pairs, validation=(), base_model_path=None, out=None, run_dir=None, minutes=None,
             max_steps=None, device="auto", crop=None, resume=True, lr=DEFAULT_LR, seed=0,
             checkpoint_every_s=CHECKPOINT_EVERY_S) -> Generator[TrainProgress, None, dict]:
    """Fine-tune CCDC on ``pairs`` [(gray_path, ref_path)]; yields progress, writes ``out`` (the
    start and the trained weights averaged, or the start when that average scores more than
    :data:`GUARD_DB` below it) with its card, returns the card. ``validation``: held-apart pairs
    (if empty, every fifth is, at least one of two or more: :func:`held_apart_split`; with one
    pair, the training shots are scored, and the card says so)."""
    if out is None or run_dir is None:
        raise ValueError("out and run_dir are needed")
    if minutes is None and max_steps is None:
        raise ValueError("give a time budget (minutes) or a step count")
    out, run_dir, crop = Path(out), Path(run_dir), tuple(crop or CROP)
    dev = torch_device(device)
    if dev.type == "cpu":
        torch.set_num_threads(max(1, min(4, outer_threads())))
    t0 = time.time()
    pairs, validation = list(pairs), list(validation)
    model, base_path = starting_model(base_model_path)   # a wrong base or another run's checkpoint: said first
    start_weights = copy.deepcopy(model.state_dict())
    run_dir.mkdir(parents=True, exist_ok=True)
    model.to(dev).train()
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    found = checkpoint_state(run_dir) if has_checkpoint(run_dir) else {}
    damaged = has_checkpoint(run_dir) and not found
    if resume and damaged:      # not quietly a new run over it
        raise ColorStudioError(f"{run_identity.damaged_checkpoint(run_dir)}: start a new run, without resuming")
    if resume and found:          # another network's or other settings' run: said before the pairs are measured
        _check_same_run(run_dir, found, run_key(base_model_path, pairs, lr, crop, validation, seed), pairs_known=False)
    run_note = ""

    def getting_ready(message: str) -> TrainProgress:
        return TrainProgress(step=0, total_steps=max_steps, losses={}, lr=0.0, seconds=0.0, eta=None, message=message,
                             run_note=run_note)

    shots, held, skipped, trained_pairs, held_pairs = yield from _prepare(pairs, validation, crop, getting_ready)
    # the run's pairs: as given with held-apart ones (resumable() sees them so), else the split
    # of the usable ones (a run of an older version, which split before checking, is not resumed)
    key = (run_key(base_model_path, pairs, lr, crop, validation, seed) if validation else
           run_identity.run_key(base_model_path, trained_pairs, lr, crop, held_pairs, seed, method=NAME))
    state = {"step": 0, "seconds": 0.0, "run_key": key}
    resuming = resume and bool(found)
    if resuming:
        _check_same_run(run_dir, found, key)
        state = load_checkpoint(run_dir, model, opt, name=NAME)
    run_note = run_identity.earlier_run_note(found, found.get("run_key"), key, resuming, run_dir,
                                             run_identity.budget_spent(found, minutes, max_steps), damaged)
    if run_note:
        yield getting_ready(run_note)
    stereo = all(rows_aligned_rig(s.mono.shape, s.colour.shape, s.rectified) for s in shots)   # as the engine
    camera = fit_camera([(s.mono, s.colour) for s in shots], [s.side for s in shots],
                        [s.disparity for s in shots if s.disparity is not None], [s.size_factor for s in shots],
                        [s.colour_noise for s in shots])

    cleaned: list[np.ndarray] = []

    def clean(group: list[UserShot]) -> Generator[TrainProgress, None, list[np.ndarray]]:
        """One shot at a time, a Stop heard between them (a review's 40 pairs: 16 s of cleaning, and
        a Stop there waited 11 s)."""
        for s in group:
            yield getting_ready(f"cleaning colour shot {len(cleaned) + 1} of {len(shots) + len(held)} of its noise")
            cleaned.append(clean_shot(s.colour, camera.colour_noise if s.colour_noise is None else s.colour_noise))
        return cleaned[-len(group):] if group else []

    train_pairs = CameraPairs((yield from clean(shots)), camera, stereo)
    val_pairs = CameraPairs((yield from clean(held)) if held else train_pairs.scenes, camera, stereo)
    yield getting_ready("making the pairs the model is scored on")
    val_set = val_pairs.fixed(VALIDATION_PAIRS, seed + 1, crop)
    shown = safely(lambda: CCDCPreview((held or shots)[0]))       # the user's own pair, coloured as it trains
    preview = (lambda: shown(model)) if shown is not None else (lambda: None)   # noqa: E731

    yield getting_ready("scoring the model before training on pairs made of the "
                        + ("held-apart shots" if held else "training shots (none held apart)"))
    scores = BestWeights(model, val_set, dev, state, run_dir, start_weights, bool(held))
    events = yield from with_previews(
        _train_steps(model, opt, train_pairs, state, scores, run_dir, crop=crop, lr=lr, minutes=minutes,
                     max_steps=max_steps, dev=dev, seed=seed, checkpoint_every_s=checkpoint_every_s), preview)
    yield TrainProgress(step=state["step"], total_steps=max_steps, losses={}, lr=lr, seconds=state["seconds"],
                        eta=0.0, events=events, message="scoring the trained model", finishing=True)
    before, best = scores.before, scores.best
    improved = best > before
    trained = scores.weights if improved else copy.deepcopy(model.state_dict())    # the best, else the last
    model.load_state_dict(average_weights(start_weights, trained, WEIGHT_AVERAGE))
    average = held_apart_psnr(model, val_set, dev)
    went_wrong = average < before - GUARD_DB
    if went_wrong:
        model.load_state_dict(start_weights)
    after = before if went_wrong else average
    card = finetuned_card(out, camera, stereo, shots, held, skipped, state, before, best, after, lr, crop, dev,
                          base_path, time.time() - t0, went_wrong, average, BATCH,
                          resumed_from=found if resuming else {})
    # the last yield comes before the write: once the model is written the generator only returns,
    # so a Stop can no longer throw a written model away
    yield TrainProgress(step=state["step"], total_steps=max_steps, losses={}, lr=lr, seconds=state["seconds"],
                        eta=0.0, events=events, preview=safely(preview), message="writing the model", finishing=True)
    write_model(out, model, card)
    return card
