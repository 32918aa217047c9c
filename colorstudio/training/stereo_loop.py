"""Training the Cycle CNN: a generator that yields progress and can be cancelled between steps.

Two objectives share one loop:
- ``supervised`` (Dong et al. 2019 pretraining on synthesized pairs with truth): chroma MSE of
  the refined and of the WAC output, plus the GCA structure loss and the V_W smoothness;
- ``cycle`` (self-supervised, Cycle CNN): structure 1·(1 − SSIM(T(I_C^Y), I_G)) + cycle
  1·(1 − ½ SSIM(R'^Cb,R^Cb) − ½ SSIM(R'^Cr,R^Cr)) + 0.1·smoothness, no truth needed.

Data come from a *batch source*: ``source.batch(step, size) -> (tensors, side)``, a pure
function of the step, so a resumed run sees exactly the batches an uninterrupted one would.
Checkpoints (weights + RMSProp state + the loop state) are safetensors files in ``run_dir``.
"""
from __future__ import annotations

import math
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Generator, Protocol

import torch

from colorstudio.engine.device import torch_device
from colorstudio.training import losses
from colorstudio.training.batchnorm import freeze_batchnorm
from colorstudio.training.training_clock import TrainingClock
from colorstudio.training.checkpoints import FILENAME as CHECKPOINT
from colorstudio.training.checkpoints import in_memory_copy, load_checkpoint, save_checkpoint
from colorstudio.errors import ColorStudioError

MAX_ROLLBACKS = 5     # non-finite losses in one run before it stops as diverged (as CCDC's fine-tuning)


class BatchSource(Protocol):
    def batch(self, step: int, size: int) -> tuple[dict, str]: ...


@dataclass
class TrainOptions:
    objective: str = "supervised"       # "supervised" or "cycle"
    lr: float = 1e-3                    # RMSProp learning rate (the paper's)
    batch_size: int = 1
    max_disparity: int = 64
    steps: int | None = None            # stop after this many steps (total, across resumes)
    minutes: float | None = None        # ... or after this much training time
    checkpoint_every: int = 100
    smooth_weight: float = 0.1
    mse_weight: float = 1000.0          # supervised chroma MSE (0..1 scale) weight
    use_gca: bool = True
    use_refine: bool = True
    validate_every: int = 0             # 0: never during training
    grad_clip: float = 5.0
    warmup_steps: int = 0               # lr ramps up linearly over the first steps of the run:
                                        # RMSProp's squared-gradient average starts at 0, so its
                                        # first steps are ~10x too large without it
    freeze_batchnorm: bool = False      # keep BatchNorm statistics fixed (fine-tuning)
    cosine_decay: bool = False          # lr follows a half cosine to 0 over the budget (steps or minutes)
    split_cycle: bool = False           # cycle target with noise independent of the input
                                        # (neighbour_split); its loss is then cycle_mse_weight*MSE
    cycle_mse_weight: float = 1000.0
    cycle_pool: int = 1                 # the cycle SSIM on pool x pool block means (noisy colour shots)
    run_key: str = ""                   # what a run was started with (fine-tuning: base, pairs, lr, crop)


@dataclass
class TrainProgress:
    step: int
    total_steps: int | None
    losses: dict[str, float]
    lr: float
    seconds: float                      # training time so far (this run + resumed runs)
    eta: float | None                   # seconds left, when a budget is known
    message: str = ""
    validation: dict[str, float] | None = None
    checkpoint: str | None = None
    events: list[str] = field(default_factory=list)
    preview: object = None              # (h, w, 3) float RGB: a held-apart pair coloured now (fine-tuning)
    run_note: str = ""                  # fine-tuning: a stopped run resumed, or replaced and why (run_identity)
    finishing: bool = False             # fine-tuning: the steps are done; the run scores and writes its model


# ------------------------------------------------------------------ losses per objective
def neighbour_split(gray: torch.Tensor, ref: torch.Tensor):
    """Half-resolution views whose reference noise is independent (after Neighbor2Neighbor,
    Huang et al. 2021): gray and reference A from the even columns, reference B from the odd
    ones, every other row. A colours the gray, the cycle returns B's chroma: the noise of the
    target is not in the input, so the net cannot learn to carry it across (a half-pixel
    shift between A and B is only a little more disparity). (B,1,H,W), (B,3,H,W) ->
    gray (B,1,H/2,W/2), ref_a, ref_b (B,3,H/2,W/2)."""
    w = gray.shape[-1] // 2 * 2
    return gray[..., ::2, 0:w:2], ref[..., ::2, 0:w:2], ref[..., ::2, 1:w:2]



def compute_losses(model, batch: dict, side: str, opts: TrainOptions) -> dict[str, torch.Tensor]:
    gray, ref = batch["gray"], batch["ref_ycc"]
    if opts.objective == "supervised":
        out = model(gray, ref, opts.max_disparity, side, opts.use_gca, opts.use_refine)
        truth = batch["truth_cbcr"]
        parts = {"chroma_mse": losses.chroma_mse(out["chroma"], truth) * opts.mse_weight,
                 "wac_mse": losses.chroma_mse(out["wac_ycc"][:, 1:], truth) * opts.mse_weight,
                 "smooth": losses.smoothness_loss(out["weights"]) * opts.smooth_weight}
        if opts.use_gca:
            parts["structure"] = losses.structure_loss(out["aligned"], gray)
    elif opts.objective == "cycle" and opts.split_cycle:
        gray, ref_a, ref_b = neighbour_split(gray, ref)
        first, second = model.cycle(gray, ref_a, opts.max_disparity, side, opts.use_gca, opts.use_refine,
                                    back_luma=ref_b[:, :1])
        parts = {"cycle": losses.chroma_mse(second["chroma"], ref_b[:, 1:]) * opts.cycle_mse_weight,
                 "smooth": (losses.smoothness_loss(first["weights"])
                            + losses.smoothness_loss(second["weights"])) * opts.smooth_weight}
        if opts.use_gca:
            parts["structure"] = losses.structure_loss(first["aligned"], gray)
    elif opts.objective == "cycle":
        first, second = model.cycle(gray, ref, opts.max_disparity, side, opts.use_gca, opts.use_refine)
        parts = {"cycle": losses.cycle_loss(second["chroma"], ref[:, 1:], opts.cycle_pool),
                 "smooth": (losses.smoothness_loss(first["weights"])
                            + losses.smoothness_loss(second["weights"])) * opts.smooth_weight}
        if opts.use_gca:
            parts["structure"] = losses.structure_loss(first["aligned"], gray)
    else:
        raise ValueError(f"unknown objective {opts.objective!r}")
    parts["total"] = sum(parts.values())
    return parts


@contextmanager
def evaluation_mode(model: torch.nn.Module):
    """``model`` in eval mode inside the block, each module's mode restored after it (so a
    BatchNorm frozen during training stays frozen)."""
    modes = [(m, m.training) for m in model.modules()]
    model.eval()
    try:
        yield model
    finally:
        for m, mode in modes:
            m.training = mode


@torch.no_grad()
def validate(model, pairs: list[tuple[dict, str]], max_disparity: int, use_refine: bool = True
             ) -> dict[str, float]:
    """Chroma PSNR against the truth and cycle PSNR (second-time colorization vs the reference)."""
    chroma, cyc = [], []
    with evaluation_mode(model):
        for batch, side in pairs:
            first, second = model.cycle(batch["gray"], batch["ref_ycc"], max_disparity, side, use_refine=use_refine)
            if "truth_cbcr" in batch:
                chroma.append(float(losses.psnr(first["chroma"].clamp(0, 1), batch["truth_cbcr"])))
            cyc.append(float(losses.psnr(second["chroma"].clamp(0, 1), batch["ref_ycc"][:, 1:])))
    out = {"cycle_psnr": sum(cyc) / len(cyc)}
    if chroma:
        out["chroma_psnr"] = sum(chroma) / len(chroma)
    return out


# ------------------------------------------------------------------ the loop
def train_steps(model, source: BatchSource, opts: TrainOptions, run_dir: str | Path,
                resume: bool = True, validation: list | None = None, device: str = "auto"
                ) -> Generator[TrainProgress, None, dict]:
    """Train ``model`` in place; yields :class:`TrainProgress` after every step.

    Stop iterating (``close()``) to cancel: a checkpoint is written on the way out. Returns the
    final loop state. A non-finite loss or gradient rolls back to the last good weights (the
    last checkpoint's, and its step count: steps thrown away are not counted as trained) and
    halves the learning rate; one more after :data:`MAX_ROLLBACKS` of them stops the run (a
    ColorStudioError), as CCDC's fine-tuning does.
    """
    if opts.steps is None and opts.minutes is None:
        raise ValueError("give a step count or a time budget")
    run_dir = Path(run_dir)
    dev = torch_device(device)
    model.to(dev).train()
    if opts.freeze_batchnorm:
        freeze_batchnorm(model)
    optimizer = torch.optim.RMSprop(model.parameters(), lr=opts.lr)
    state = {"step": 0, "seconds": 0.0, "lr": opts.lr, "rollbacks": 0, "options": asdict(opts)}
    if resume and (run_dir / CHECKPOINT).exists():
        state = load_checkpoint(run_dir, model, optimizer)
    for g in optimizer.param_groups:
        g["lr"] = state["lr"]
    good = (*in_memory_copy(model, optimizer), state["step"])
    saved_at = state["step"]                 # the step of the checkpoint on disk
    rollbacks = 0
    clock = TrainingClock(state["seconds"], opts.steps, opts.minutes)

    def set_lr() -> float:
        ramp = min(1.0, (state["step"] + 1) / opts.warmup_steps) if opts.warmup_steps else 1.0
        if opts.cosine_decay:
            ramp *= 0.5 * (1.0 + math.cos(math.pi * clock.fraction_done(state["step"])))
        for g in optimizer.param_groups:
            g["lr"] = state["lr"] * ramp
        return state["lr"] * ramp

    steps_at_start = state["step"]
    try:
        while not clock.finished(state["step"]):
            lr_now = set_lr()
            batch, side = source.batch(state["step"], opts.batch_size)
            batch = {k: v.to(dev) for k, v in batch.items()}
            parts = compute_losses(model, batch, side, opts)
            optimizer.zero_grad(set_to_none=True)
            parts["total"].backward()
            norm = torch.nn.utils.clip_grad_norm_(model.parameters(), opts.grad_clip)
            events = []
            applied = bool(torch.isfinite(parts["total"]) and torch.isfinite(norm))
            if not applied:
                model.load_state_dict(good[0])
                optimizer.load_state_dict(good[1])
                bad_step, state["step"], saved_at = state["step"] + 1, good[2], None   # (its lr: not saved)
                state["lr"] *= 0.5
                state["rollbacks"] += 1
                rollbacks += 1
                for g in optimizer.param_groups:
                    g["lr"] = state["lr"]
                if rollbacks > MAX_ROLLBACKS:
                    raise ColorStudioError(f"the training diverged (its loss stopped being a number {rollbacks} "
                                           "times): give a smaller --lr")
                events.append(f"non-finite loss at step {bad_step}: rolled back to step {good[2]}, "
                              f"lr -> {state['lr']:.2e}")
            else:
                optimizer.step()
                state["step"] += 1
            state["seconds"] = clock.elapsed()
            ckpt = None
            if applied and state["step"] % opts.checkpoint_every == 0:
                ckpt = str(save_checkpoint(run_dir, model, optimizer, state, config=model.cfg.to_dict()))
                good, saved_at = (*in_memory_copy(model, optimizer), state["step"]), state["step"]
            val = None
            if applied and validation and opts.validate_every and state["step"] % opts.validate_every == 0:
                val = validate(model, [({k: v.to(dev) for k, v in b.items()}, s) for b, s in validation],
                               opts.max_disparity, opts.use_refine)
            progress = TrainProgress(step=state["step"], total_steps=opts.steps,
                                     losses={k: float(v.detach()) for k, v in parts.items()}, lr=lr_now,
                                     seconds=state["seconds"], eta=clock.seconds_left(state["step"]), validation=val,
                                     checkpoint=ckpt, events=events,
                                     message=f"step {state['step']}: loss {float(parts['total'].detach()):.4f}")
            with clock.set_aside():      # a pause, then perhaps a close (Stop), uses up no budget
                yield progress
    finally:  # finished, cancelled (GeneratorExit) or failed: keep the work done so far; with no
        # step taken, the run folder is left as it was (an earlier run there, stopped before this
        # one began); the checkpoint of this very step is not written twice (a nearly full disk)
        if state["step"] > steps_at_start and saved_at != state["step"]:
            state["seconds"] = clock.elapsed()
            save_checkpoint(run_dir, model, optimizer, state, config=model.cfg.to_dict())
    return state
