"""Fine-tune the Cycle CNN on a photographer's own mono+colour pairs — no ground truth.

The self-supervised cycle objective (:mod:`colorstudio.training.stereo_loop`) runs on random
crops of the user's pairs at the engine's working scale, each crop's reference pre-shifted by
the pair's measured disparity range exactly as the engine does at inference. The result is a
model file (safetensors + JSON card with the validation cycle PSNR/SSIM before and after).
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Generator, Sequence

import numpy as np
import torch
import torch.nn.functional as F

from colorstudio.core.color import compose
from colorstudio.core.metrics import NOISE_FREE_BLOCK
from colorstudio.engine.cpu_threads import outer_threads
from colorstudio.engine.device import torch_device
from colorstudio.errors import ColorStudioError, ModelError
from colorstudio.nets.cyclecnn import CycleCNN, CycleCNNConfig
from colorstudio.nets.registry import load_model, save_model
from colorstudio.training import losses, run_identity
from colorstudio.training.checkpoints import checkpoint_state, has_checkpoint
from colorstudio.training.pair_preparation import PreparedPair, held_apart_split, load_user_pair, stereo_pair
from colorstudio.training.previews import safely, with_previews
from colorstudio.training.stereo_loop import TrainOptions, TrainProgress, evaluation_mode, train_steps


# The cycle SSIM compares 4x4 block means by default: per pixel it rewards reproducing the colour
# shot's noise, and a noisy camera then lost chroma PSNR by fine-tuning (README, fine-tuning).
DEFAULT_CYCLE_POOL = 4


def prepare_pair(gray_path, ref_path, max_disparity: int, max_side: int = 640) -> PreparedPair:
    """Load, check and scale a pair so its disparity span fits the model's candidates
    (:func:`colorstudio.training.pair_preparation.stereo_pair`; raises ``PairRefused``)."""
    return stereo_pair(Path(gray_path).name, *load_user_pair(gray_path, ref_path), max_disparity, max_side)


class UserPairs:
    """Random crops of prepared pairs; ``batch(step, size)`` is a pure function of the step."""

    def __init__(self, pairs: Sequence[PreparedPair], crop=(128, 256), seed: int = 0):
        if not pairs:
            raise ColorStudioError("no usable pairs to fine-tune on")
        self.pairs, self.crop, self.seed = list(pairs), crop, seed

    def _crop(self, pair: PreparedPair, rng) -> dict:
        h, w = pair.gray.shape
        ch, cw = min(self.crop[0], h // 32 * 32), min(self.crop[1], w // 32 * 32)
        y = int(rng.integers(0, h - ch + 1))
        x = int(rng.integers(0, w - cw + 1))
        g = pair.gray[y:y + ch, x:x + cw]
        r = pair.ref_ycc[y:y + ch, x:x + cw]
        return {"gray": torch.from_numpy(np.ascontiguousarray(g))[None, None],
                "ref_ycc": torch.from_numpy(np.ascontiguousarray(r)).permute(2, 0, 1)[None]}

    def batch(self, step: int, size: int):
        rng = np.random.default_rng([self.seed, step])
        pair = self.pairs[int(rng.integers(len(self.pairs)))]
        items = [self._crop(pair, rng) for _ in range(size)]
        return {k: torch.cat([it[k] for it in items]) for k in items[0]}, pair.side

    def whole(self) -> list[tuple[dict, str]]:
        """Every pair once, centre-cropped to a multiple of 32 (validation)."""
        out = []
        for p in self.pairs:
            h, w = p.gray.shape
            ch, cw = h // 32 * 32, w // 32 * 32
            y, x = (h - ch) // 2, (w - cw) // 2
            out.append(({"gray": torch.from_numpy(np.ascontiguousarray(p.gray[y:y + ch, x:x + cw]))[None, None],
                         "ref_ycc": torch.from_numpy(np.ascontiguousarray(
                             p.ref_ycc[y:y + ch, x:x + cw])).permute(2, 0, 1)[None]}, p.side))
        return out


@torch.no_grad()
def cycle_scores(model, pairs: list[tuple[dict, str]], max_disparity: int) -> dict[str, float]:
    """Cycle PSNR and SSIM: the reference's chroma recovered by second-time colorization;
    ``cycle_psnr_blocks`` compares 16x16 block means (core.metrics.block_psnr), which the colour
    shot's pixel noise does not dominate — the per-pixel scores fall when a fine-tune stops
    reproducing that noise, the block one does not."""
    model.eval()
    psnr, ssim, blocks = [], [], []
    for batch, side in pairs:
        _, second = model.cycle(batch["gray"], batch["ref_ycc"], max_disparity, side)
        pred, ref = second["chroma"].clamp(0, 1), batch["ref_ycc"][:, 1:]
        psnr.append(float(losses.psnr(pred, ref)))
        ssim.append(float(losses.ssim(pred, ref)))
        k = NOISE_FREE_BLOCK
        blocks.append(float(losses.psnr(F.avg_pool2d(pred, k), F.avg_pool2d(ref, k))))
    return {"cycle_psnr": float(np.mean(psnr)), "cycle_ssim": float(np.mean(ssim)),
            "cycle_psnr_blocks": float(np.mean(blocks))}


@torch.no_grad()
def validation_preview(model: CycleCNN, pair: tuple[dict, str], max_disparity: int) -> np.ndarray:
    """``pair`` (one of :meth:`UserPairs.whole`) coloured by ``model`` as it is now: (h, w, 3)
    float RGB, the gray as luma."""
    batch, side = pair
    dev = next(model.parameters()).device
    with evaluation_mode(model):
        out = model(batch["gray"].to(dev), batch["ref_ycc"].to(dev), max_disparity, side, keep_weights=False)
    chroma = out["chroma"][0].clamp(0, 1).permute(1, 2, 0).cpu().numpy()
    return compose(batch["gray"][0, 0].numpy(), chroma)


def starting_model(path=None) -> CycleCNN:
    """The model to start from: a given file, else the shipped weights, else a fresh net."""
    if path is None:
        from colorstudio.engine.learned_methods import weight_file

        shipped = weight_file("cyclecnn")
        if shipped is None or not shipped.is_file():
            return CycleCNN(CycleCNNConfig())
        path = shipped
    return load_model(path, kind="cyclecnn")


DEFAULT_LR = run_identity.DEFAULT_LR["cyclecnn"]


def check_crop(crop: tuple[int, int], cycle_pool: int) -> None:
    """A one-line error when a training crop is too small for the cycle objective: its SSIM
    compares windows of :data:`losses.SSIM_WINDOW` block means of ``cycle_pool`` px."""
    if min(crop) < losses.SSIM_WINDOW * cycle_pool:
        raise ColorStudioError(f"a crop of {crop[0]}x{crop[1]} is too small for the cycle objective's blocks of "
                               f"{cycle_pool} px (--crop, --cycle-pool): give a crop of at least "
                               f"{losses.SSIM_WINDOW * cycle_pool} px a side, or a smaller cycle pool")


def run_key(base_model_path, pairs, lr, crop, seed=0, cycle_pool=DEFAULT_CYCLE_POOL, split_cycle=False) -> str:
    """What makes a run the same run: its base model, training pairs (``pairs``: those left after
    the held-apart split), learning rate and crop (and seed, cycle pool and split cycle, when not
    their defaults). A checkpoint is resumed only with the same (else the card would describe
    another run); the held-apart pairs are not in it, as their scores are made anew at every
    start. See :mod:`run_identity`."""
    objective = {k: v for k, v, default in (("cycle_pool", cycle_pool, DEFAULT_CYCLE_POOL),
                                            ("split_cycle", split_cycle, False)) if v != default}
    return run_identity.run_key(base_model_path, pairs, lr, crop, (), seed, objective=objective)


def resumable(run_dir, base_model_path, pairs, crop, lr=DEFAULT_LR, validation=(), seed=0) -> bool:
    """Whether ``run_dir`` holds a run with these settings, to go on with (one whose budget is
    spent then writes its model at once; the wizard's choice; another run's starts afresh)."""
    return has_checkpoint(run_dir) and run_identity.stored_key(checkpoint_state(run_dir)) == \
        run_identity.network_key("cyclecnn", base_model_path, pairs, lr, crop, validation, seed)


def finetune(pairs, validation=(), base_model_path=None, out=None, run_dir=None, minutes=None,
             max_steps=None, device="auto", crop=(128, 256), resume=True, lr=DEFAULT_LR, seed=0,
             checkpoint_every=25, warmup_steps=50, freeze_batchnorm=True, split_cycle=False,
             cycle_pool=DEFAULT_CYCLE_POOL) -> Generator[TrainProgress, None, dict]:
    """Fine-tune on ``pairs`` [(gray_path, ref_path)]; yields progress, writes ``out`` at the end.

    ``validation`` pairs are held apart (if empty, every fifth is, at least one of two or more:
    :func:`held_apart_split`). Closing the
    generator stops training and keeps the checkpoint in ``run_dir`` (the same ``run_dir``
    resumes; another run's checkpoint there is refused). Returns the model card. ``warmup_steps``: the lr ramps up first (RMSProp's first
    steps are too large otherwise and knock the base model back); ``freeze_batchnorm``: a few
    user pairs do not overwrite the base model's BatchNorm statistics (moot for a model that
    normalises each input with its own, ``cfg.batchnorm_statistics == "image"``); ``split_cycle``: the
    cycle returns to a neighbouring sub-image of the colour shot (noise-independent target, see
    stereo_loop.neighbour_split) with an MSE loss; ``cycle_pool``: the cycle SSIM compares
    pool x pool block means (see losses.cycle_loss and DEFAULT_CYCLE_POOL).
    """
    if out is None or run_dir is None:
        raise ValueError("out and run_dir are needed")
    if minutes is None and max_steps is None:
        raise ValueError("give a time budget (minutes) or a step count")
    out, run_dir = Path(out), Path(run_dir)
    check_crop(crop, cycle_pool)
    if device == "cpu" or torch_device(device).type == "cpu":
        # the process's count, not this thread's (a colorization's worker may have lowered it)
        torch.set_num_threads(max(1, min(4, outer_threads())))
    model = starting_model(base_model_path)
    max_d = model.cfg.max_disparity
    if model.cfg.batchnorm_statistics == "image":   # each crop normalises itself, in training as at
        freeze_batchnorm = False                     # inference: no statistics to keep or to lose
    t0 = time.time()
    pairs, validation = list(pairs), list(validation)
    found = checkpoint_state(run_dir) if has_checkpoint(run_dir) else {}
    damaged = has_checkpoint(run_dir) and not found
    if resume and damaged:      # not quietly a new run over it
        raise ColorStudioError(f"{run_identity.damaged_checkpoint(run_dir)}: start a new run, without resuming")
    if resume and found and run_identity.key_method(run_identity.stored_key(found)) == "ccdc":
        raise ColorStudioError(f"the checkpoint in {run_dir} is of a CCDC run: resume it with --method ccdc")
    if resume and found and run_identity.stored_key(found) is not None:      # other settings: said before the pairs
        run_identity.check_same_run(run_dir, run_identity.stored_key(found),  # are checked
                                    run_key(base_model_path, pairs, lr, crop, seed, cycle_pool, split_cycle), False)
    run_note = ""

    def getting_ready(message: str) -> TrainProgress:     # before the first step: what is going on
        return TrainProgress(step=0, total_steps=max_steps, losses={}, lr=0.0, seconds=0.0, eta=None,
                             message=message, run_note=run_note)

    prepared, skipped, val_prepared = [], [], []
    for i, (g, r) in enumerate(pairs + validation):      # a pair that fails its checks is left out,
        yield getting_ready(f"checking pair {i + 1} of {len(pairs) + len(validation)} ({Path(g).name})")
        try:                                             # a held-apart one too
            (val_prepared if i >= len(pairs) else prepared).append(((g, r), prepare_pair(g, r, max_d)))
        except ColorStudioError as e:
            skipped.append(str(e))
    if not prepared:
        raise ColorStudioError("no usable pairs to fine-tune on: " + "; ".join(skipped[:3])
                               + (f" (and {len(skipped) - 3} more)" if len(skipped) > 3 else ""))
    if not validation:      # the usable pairs split, as the app's wizard splits those its checks passed
        prepared, val_prepared = held_apart_split(prepared, [])
    # the run's training pairs: as given beside held-apart ones (resumable() sees them so), else
    # those left by the split (a run of an older version, which split before checking, is not resumed)
    key = run_key(base_model_path, [p for p, _ in prepared] if not validation else pairs, lr, crop, seed,
                  cycle_pool, split_cycle)
    if resume and found and run_identity.stored_key(found) is not None:
        run_identity.check_same_run(run_dir, run_identity.stored_key(found), key)
    run_note = run_identity.earlier_run_note(found, run_identity.stored_key(found), key, resume and bool(found),
                                             run_dir, run_identity.budget_spent(found, minutes, max_steps), damaged)
    if run_note:
        yield getting_ready(run_note)
    prepared, val_prepared = [p for _, p in prepared], [p for _, p in val_prepared]
    train_data = UserPairs(prepared, crop, seed)
    val_set = UserPairs(val_prepared or prepared[:1], crop, seed).whole()   # none held apart: a training pair
    yield getting_ready("scoring the model on the held-apart pairs before training" if val_prepared else
                        "scoring the model on a training pair before training (none held apart)")
    before = cycle_scores(model, val_set, max_d)
    opts = TrainOptions(objective="cycle", lr=lr, steps=max_steps, minutes=minutes, max_disparity=max_d,
                        checkpoint_every=checkpoint_every, warmup_steps=warmup_steps,
                        freeze_batchnorm=freeze_batchnorm, split_cycle=split_cycle,
                        cycle_pool=cycle_pool, run_key=key)
    preview = lambda: validation_preview(model, val_set[0], max_d)    # noqa: E731
    state = yield from with_previews(train_steps(model, train_data, opts, run_dir, resume=resume, device=device),
                                     preview)
    yield TrainProgress(step=state["step"], total_steps=max_steps, losses={}, lr=state["lr"],
                        seconds=state["seconds"], eta=0.0, message="scoring the trained model", finishing=True)
    model.cpu()
    after = cycle_scores(model, val_set, max_d)
    card = {"name": out.stem, "kind": "cyclecnn", "base_model": str(base_model_path or "shipped cyclecnn"),
            "data": {"train_pairs": len(prepared), "validation_pairs": len(val_prepared),
                     "validation_on": "held-apart pairs" if val_prepared else
                     f"the training pair {prepared[0].name} (no usable pair held apart)",
                     "skipped": skipped, "pairs": [p.name for p in prepared],
                     "held_apart": [p.name for p in val_prepared]},
            "finetune": {"steps": state["step"], "minutes": round(state["seconds"] / 60, 2),
                         "objective": "cycle (structure + cycle SSIM + 0.1 smoothness), no ground truth",
                         "lr": lr, "warmup_steps": warmup_steps, "batchnorm_frozen": freeze_batchnorm,
                         "split_cycle": split_cycle, "cycle_pool": cycle_pool,
                         "crop": list(crop), "device": str(torch_device(device)),
                         "validation_before": before, "validation_after": after},
            "wall_minutes": round((time.time() - t0) / 60, 2),
            **run_identity.resume_record(found if resume else {})}
    # the last yield comes before the write: once the model is written the generator only returns,
    # so a Stop can no longer throw a written model away
    yield TrainProgress(step=state["step"], total_steps=max_steps, losses={}, lr=state["lr"],
                        seconds=state["seconds"], eta=0.0, preview=safely(preview), message="writing the model",
                        finishing=True)
    try:
        save_model(model.eval(), out, card)
    except OSError as e:
        raise ModelError(f"cannot write the model {out} ({e})") from None
    return card
