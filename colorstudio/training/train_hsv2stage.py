"""Train the two-stage HSV colorizer on colour photos (a generator yielding progress).

Reproduce the shipped weights: run the ``reproduce`` commands of models/hsv2stage.json one
after the other (each phase writes models/hsv2stage.safetensors; a phase with ``--init``
starts from the previous phase's output in a fresh run dir).
Checkpoints (model + Adam state, safetensors) and a log go to the run dir every few
minutes; ``--resume`` continues from the last one (the same command with ``--resume``
finishes an interrupted phase within its ``--minutes``; other options start a new phase),
``--init FILE`` starts a new run from a model file. Loss: S_MAE + circular H_MAE on both
stages (coarse at 1/4 size per side, fine at the crop size), plus ``--rgb-weight`` x the RGB
MSE (``--rgb-loss l1``: mean absolute error) of each stage recomposed on the true luma and
``--psnr-weight`` x its negative PSNR per crop. Augmentation: random crops and mirror images; ``--scale-aug`` adds random scales,
``--strong-aug`` wider scales, turns, exposure and input noise. Adam, lr 2e-4
(``--weight-decay W``: AdamW with decoupled weight decay W). ``--steps N`` ends a phase after
N steps even if its minutes are not spent, so runs sharing a busy CPU stay comparable.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from colorstudio.core.atomic_files import atomic_write_text
from colorstudio.nets.colorspace import luma, rgb_to_hsv
from colorstudio.nets.hsv2stage import (MULTIPLE, HSV2Stage, HSV2StageConfig, hsv_loss, rgb_l1, rgb_log_mse,
                                          rgb_mse)
from colorstudio.nets.weights_file import file_facts, load_weights, save_weights
from colorstudio.training.checkpoints import has_checkpoint, load_checkpoint, save_checkpoint
from colorstudio.training.hsv2stage_phases import phase_progress, reproduce_commands, start_or_continue_phase
from colorstudio.training import single_gray_data as data
from colorstudio.training.selection import selection_score

LONG_SIDE = 192      # training photos are resized to this long side (= the engine's working size)
CROP = 128
BATCH = 12
LR = 2e-4
LR_FLOOR = 0.05      # --lr-decay ends at this fraction of LR
CHECKPOINT_EVERY_S = 180
SCALE_AUG_CACHE = 320           # with --scale-aug: photos cached at this long side...
SCALE_AUG_LONG_SIDES = (144, 288)  # ...and area-resized to a random long side in this range
# --strong-aug: a wider scale range, turns, exposure (gamma) and noise on the gray input
STRONG_AUG_CACHE = 400
STRONG_AUG_LONG_SIDES = (120, 384)
STRONG_AUG_DEGREES = 10.0
STRONG_AUG_GAMMA = (0.75, 1.33)
STRONG_AUG_NOISE = 0.02            # the gray input's noise sigma, uniform in [0, this] per crop
SELECTION_SEED = 61                # --select: which training photos are held apart
BEST_FILE = "best.safetensors"     # --select: the best-scoring weights, in the run dir
SELECTION_CRITERION = "mean RGB PSNR gain over the gray at colourfulness ratio 0.6 (interpolated)"


@dataclass
class Progress:
    step: int
    minutes: float          # cumulative training minutes (over resumes)
    loss: float             # running mean of the training loss
    val_loss: float | None  # on the validation photos, at checkpoints
    message: str = ""


RGB_LOSSES = {"mse": rgb_mse, "l1": rgb_l1}


def batch_loss(model: HSV2Stage, rgb: torch.Tensor, rgb_weight: float = 0.0,
               input_noise: torch.Tensor | None = None, psnr_weight: float = 0.0,
               rgb_loss: str = "mse") -> torch.Tensor:
    """Loss of both stages for (B,3,H,W) RGB crops (sides multiples of 16).

    S_MAE + circular H_MAE per stage, plus ``rgb_weight`` x the RGB MSE of each stage's
    prediction recomposed on the true luma (0 = Wei et al.'s loss alone). The MSE term makes
    the predicted saturation fall where the hue is uncertain, which the HSV loss never asks.
    ``psnr_weight`` x the negative per-crop PSNR of each stage (:func:`rgb_log_mse`) teaches
    the net to leave nearly neutral photos neutral.
    ``input_noise``: (B,) sigmas of Gaussian noise added to the gray the net sees (not the targets).
    ``rgb_loss``: "mse" or "l1" (:func:`colorstudio.nets.hsv2stage.rgb_l1`) for that RGB term.
    """
    rgb_coarse = F.avg_pool2d(rgb, 4)
    gray = luma(rgb)
    if input_noise is not None:
        gray = (gray + input_noise.view(-1, 1, 1, 1) * torch.randn_like(gray)).clamp(0, 1)
    coarse, fine = model(gray)
    wsat = model.cfg.hue_weight_by_saturation
    loss = hsv_loss(coarse, rgb_to_hsv(rgb_coarse)[:, :2], wsat) + hsv_loss(fine, rgb_to_hsv(rgb)[:, :2], wsat)
    if rgb_weight:
        rgb_error = RGB_LOSSES[rgb_loss]
        loss = loss + rgb_weight * (rgb_error(coarse, rgb_coarse) + rgb_error(fine, rgb))
    if psnr_weight:
        loss = loss + psnr_weight * (rgb_log_mse(coarse, rgb_coarse) + rgb_log_mse(fine, rgb))
    return loss


def _val_tensors(images: list[np.ndarray]) -> list[torch.Tensor]:
    out = []
    for img in images:
        h, w = (s // MULTIPLE * MULTIPLE for s in img.shape[:2])
        out.append(torch.from_numpy(np.ascontiguousarray(img[:h, :w])).permute(2, 0, 1)[None])
    return out


@torch.no_grad()
def validation_loss(model: HSV2Stage, val: list[torch.Tensor], rgb_weight: float = 0.0,
                    psnr_weight: float = 0.0, rgb_loss: str = "mse") -> float:
    model.eval()
    loss = float(np.mean([batch_loss(model, v, rgb_weight, psnr_weight=psnr_weight, rgb_loss=rgb_loss).item()
                          for v in val]))
    model.train()
    return loss


def train(out: Path, minutes: float, run_dir: Path, resume: bool = False, seed: int = 0,
          photos: Path = data.DEFAULT_PHOTOS, cfg: HSV2StageConfig | None = None,
          batch: int = BATCH, crop: int = CROP, max_steps: int | None = None,
          scale_aug: bool = False, init: Path | None = None, rgb_weight: float = 0.0,
          strong_aug: bool = False, lr_decay: bool = False, psnr_weight: float = 0.0,
          select: int = 0, rgb_loss: str = "mse", weight_decay: float = 0.0,
          phase_steps: int | None = None):
    """Generator: trains for ``minutes`` of wall time (or ``max_steps``), yielding Progress.

    Writes ``out`` (safetensors, config in metadata) and ``out.with_suffix('.json')`` (model card).
    ``select``: hold this many training photos apart, score every checkpoint on them
    (:mod:`colorstudio.training.selection`) and write the best-scoring weights (early stopping).
    ``init``: a new run starts from this model file's weights (and config) instead of He
    initialisation, for more training when the old run dir is gone.
    ``weight_decay``: AdamW's decoupled weight decay (0: Adam). ``phase_steps``: this phase
    ends after that many steps (or its minutes, whichever comes first).
    """
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    train_files, val_files = data.split(data.list_photos(photos))
    train_files, sel_files = data.split(train_files, SELECTION_SEED, select) if select else (train_files, [])
    yield Progress(0, 0.0, float("nan"), None, f"loading {len(train_files)} train / {len(val_files)} val"
                   + (f" / {len(sel_files)} selection" if sel_files else "") + " photos")
    cache = STRONG_AUG_CACHE if strong_aug else SCALE_AUG_CACHE if scale_aug else LONG_SIDE
    train_imgs = data.load_set(train_files, cache)
    val = _val_tensors(data.load_set(val_files, LONG_SIDE))
    sel = data.load_set(sel_files, LONG_SIDE)
    state = {"step": 0, "minutes": 0.0, "phases": []}
    resuming = resume and has_checkpoint(run_dir)
    if init is not None and not resuming:
        tensors, config, _ = load_weights(init, "hsv2stage")
        model = HSV2Stage(HSV2StageConfig.from_dict(config))
        model.load_state_dict(tensors)
        card = _card_of(init)
        state.update(step=int(card.get("training", {}).get("steps", 0)),
                     minutes=float(card.get("training", {}).get("minutes", 0.0)),
                     phases=list(card.get("phases", [])))
        yield Progress(state["step"], state["minutes"], float("nan"), None, f"initialised from {init}")
    else:
        model = HSV2Stage(cfg)
    opt = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=weight_decay) if weight_decay \
        else torch.optim.Adam(model.parameters(), lr=LR)
    if resuming:
        state = load_checkpoint(run_dir, model, opt, name="hsv2stage")
        yield Progress(state["step"], state["minutes"], float("nan"), None, "resumed")
    settings = {"scale_aug": scale_aug, "strong_aug": strong_aug, "minutes": minutes,
                "rgb_weight": rgb_weight, "lr_decay": lr_decay}
    if psnr_weight:
        settings["psnr_weight"] = psnr_weight
    if rgb_loss != "mse":
        settings["rgb_loss"] = rgb_loss
    if weight_decay:
        settings["weight_decay"] = weight_decay
    if phase_steps is not None:
        settings["steps"] = phase_steps
    if seed:
        settings["seed"] = seed
    default = HSV2StageConfig()
    if cfg is not None and init is None and not resuming and \
            (cfg.lr_width, cfg.rcn_width) != (default.lr_width, default.rcn_width):
        settings["widths"] = f"{cfg.lr_width},{cfg.rcn_width}"     # for the reproduce command
    if init is not None and not resuming:
        settings["init"] = str(init)
    continued = start_or_continue_phase(state, settings, minutes)
    if continued:
        yield Progress(state["step"], state["minutes"], float("nan"), None,
                       f"continuing the interrupted phase: {continued:.1f} of its {minutes:g} min done")
    minutes = max(minutes - continued, 0.0)
    if phase_steps is not None:
        phase_end = state["phases"][-1]["from_step"] + phase_steps
        max_steps = phase_end if max_steps is None else min(max_steps, phase_end)
    rng = np.random.default_rng(seed + state["step"])
    start, base_minutes, last_ckpt = time.time(), state["minutes"], time.time()
    running, val_loss = None, None
    log = open(run_dir / "log.tsv", "a")
    while True:
        elapsed = (time.time() - start) / 60
        done = elapsed >= minutes or (max_steps is not None and state["step"] >= max_steps)
        noise = None
        if strong_aug:
            crops = data.augmented_crops(train_imgs, rng, batch, crop, STRONG_AUG_LONG_SIDES,
                                         STRONG_AUG_DEGREES, STRONG_AUG_GAMMA)
            noise = torch.from_numpy(rng.uniform(0, STRONG_AUG_NOISE, batch).astype(np.float32))
        elif scale_aug:
            crops = data.random_scaled_crops(train_imgs, rng, batch, crop, SCALE_AUG_LONG_SIDES)
        else:
            crops = data.random_crops(train_imgs, rng, batch, crop)
        rgb = torch.from_numpy(crops).permute(0, 3, 1, 2)
        if lr_decay:
            for group in opt.param_groups:
                group["lr"] = decayed_lr(phase_progress(state))
        if not done:
            loss = batch_loss(model, rgb, rgb_weight, noise, psnr_weight, rgb_loss)
            opt.zero_grad()
            loss.backward()
            opt.step()
            state["step"] += 1
            running = loss.item() if running is None else 0.98 * running + 0.02 * loss.item()
        state["minutes"] = base_minutes + (time.time() - start) / 60
        if done:
            state["phases"][-1]["to_step"] = state["step"]    # a checkpoint of a finished phase
        if done or time.time() - last_ckpt > CHECKPOINT_EVERY_S:
            val_loss = validation_loss(model, val, rgb_weight, psnr_weight, rgb_loss)
            state["val_loss"] = val_loss
            score = _keep_if_best(model, sel, state, run_dir) if sel else float("nan")
            save_checkpoint(run_dir, model, opt, state, name="hsv2stage", config=model.cfg.to_dict())
            log.write(f"{state['step']}\t{state['minutes']:.2f}\t{running:.4f}\t{val_loss:.4f}\t{score:.3f}\n")
            log.flush()
            last_ckpt = time.time()
        yield Progress(state["step"], state["minutes"], running, val_loss)
        if done:
            break
    log.close()
    if sel:
        best = state["selection"]
        tensors, _, _ = load_weights(run_dir / BEST_FILE, "hsv2stage")
        model.load_state_dict(tensors)
        state["phases"][-1].update(select=len(sel_files), best_step=best["step"])
        state["selection"] = dict(best, photos=[p.name for p in sel_files])
        yield Progress(best["step"], state["minutes"], running, val_loss,
                       f"best on the selection photos: step {best['step']}, {best['gain_db']:+.2f} dB")
    _write_model(Path(out), model, state, train_files, val_files, seed, base_card=init)
    yield Progress(state["step"], state["minutes"], running, val_loss, f"wrote {out}")


def _keep_if_best(model: HSV2Stage, photos: list[np.ndarray], state: dict, run_dir: Path) -> float:
    """Score the model on the selection photos; if it beats the best so far, save it as the
    run dir's BEST_FILE and note it in ``state["selection"]``. Returns the score (dB)."""
    from colorstudio.engine.single import colorize_hsv2stage

    score = selection_score(lambda g, s: colorize_hsv2stage(g, model=model, saturation=s).chroma,
                            photos)["gain_db"]
    model.train()
    best = state.get("selection")
    if best is None or score > best["gain_db"]:
        save_weights(run_dir / BEST_FILE, model.state_dict(), "hsv2stage", model.cfg.to_dict(),
                     {"working_long_side": str(LONG_SIDE)})
        state["selection"] = {"step": state["step"], "minutes": round(state["minutes"], 1),
                              "gain_db": score, "criterion": SELECTION_CRITERION}
    return score


def decayed_lr(progress: float) -> float:
    """--lr-decay: cosine from LR down to LR_FLOOR x LR over the run's wall time (progress 0..1);
    the last weights then sit near a minimum instead of wherever the constant lr's noise left them."""
    progress = min(max(progress, 0.0), 1.0)
    return LR * (LR_FLOOR + (1 - LR_FLOOR) * 0.5 * (1 + math.cos(math.pi * progress)))


def _card_of(model_file: Path) -> dict:
    """The JSON model card beside a weight file ({} when there is none)."""
    card = Path(model_file).with_suffix(".json")
    return json.loads(card.read_text()) if card.is_file() else {}


def _write_model(out: Path, model: HSV2Stage, state: dict, train_files, val_files, seed: int,
                 base_card: Path | None = None) -> None:
    """The weights and their card; a new card starts from ``base_card``'s (an --init file's)
    so its notes (deviations from the paper, the last benchmark) carry over."""
    save_weights(out, model.state_dict(), "hsv2stage", model.cfg.to_dict(),
                 {"working_long_side": str(LONG_SIDE)})
    card_path = out.with_suffix(".json")
    card = _card_of(out) or (_card_of(base_card) if base_card is not None else {})
    card.pop("benchmark", None)    # scores (and the default strength) of other weights: new ones are unscored
    card.update({
        "model": "hsv2stage",
        "summary": "Two-stage pyramidal HSV colorizer (after Wei et al.): LR-CMGN + RCN",
        "config": model.cfg.to_dict(),
        "parameters": sum(p.numel() for p in model.parameters()),
        "working_long_side": LONG_SIDE,
        "data": {"photos": "ColorStudio training photos (../shared/data/photos, 174 real colour "
                           "photos from Debian packages; see its MANIFEST.tsv); never the Motorcycle pair",
                 "split_seed": data.SPLIT_SEED, "n_train": len(train_files),
                 "validation": [p.name for p in val_files]},
        "training": {"steps": state["step"], "minutes": round(state["minutes"], 1),
                     "batch": BATCH, "crop": CROP, "optimizer": _optimizer_text(state.get("phases", [])), "seed": seed,
                     "final_val_loss": state.get("val_loss"), "threads": torch.get_num_threads(),
                     "loss": "S_MAE + circular H_MAE (hue weighted by true S), both stages"
                             + (" + rgb_weight x RGB MSE on the true luma (rgb_weight per phase)"
                                if any(ph.get("rgb_weight") for ph in state.get("phases", [])) else "")
                             + (" + psnr_weight x the negative per-crop PSNR (psnr_weight per phase)"
                                if any(ph.get("psnr_weight") for ph in state.get("phases", [])) else "")},
        "phases": state.get("phases", []),
        "reproduce": reproduce_commands(state.get("phases", []), out.stem),
    })
    card.pop("selection", None)     # an --init file's card speaks of that file's selection
    if state.get("selection"):
        card["selection"] = state["selection"]
    card.update(file_facts(out))
    atomic_write_text(card_path, json.dumps(card, indent=2) + "\n")


def _optimizer_text(phases: list[dict]) -> str:
    decays = sorted({ph.get("weight_decay", 0.0) for ph in phases} - {0.0})
    if not decays:
        return f"Adam lr {LR}"
    return f"Adam lr {LR}; AdamW weight decay {', '.join(f'{d:g}' for d in decays)} in the phases that name it"


def _widths(text: str) -> tuple[int, int]:
    """``--widths 16,16`` -> (16, 16); anything else is argparse's one-line usage error."""
    try:
        lr_width, rcn_width = (int(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected two channel counts like 16,16, got {text!r}") from None
    if min(lr_width, rcn_width) < 1:
        raise argparse.ArgumentTypeError(f"channel counts must be positive, got {text!r}")
    return lr_width, rcn_width


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--minutes", type=float, required=True, help="wall-time budget of this run")
    ap.add_argument("--run-dir", type=Path, required=True)
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0,
                    help="seeds the initial weights and the order of the crops (default 0)")
    ap.add_argument("--scale-aug", action="store_true",
                    help=f"random-scale augmentation (long side {SCALE_AUG_LONG_SIDES[0]}-{SCALE_AUG_LONG_SIDES[1]})")
    ap.add_argument("--strong-aug", action="store_true",
                    help=f"long side {STRONG_AUG_LONG_SIDES[0]}-{STRONG_AUG_LONG_SIDES[1]}, turns of up to "
                         f"{STRONG_AUG_DEGREES:g} degrees, gamma {STRONG_AUG_GAMMA[0]}-{STRONG_AUG_GAMMA[1]}, "
                         f"input noise up to {STRONG_AUG_NOISE}")
    ap.add_argument("--lr-decay", action="store_true",
                    help=f"cosine lr decay to {LR_FLOOR:g} x {LR:g} over the run's minutes")
    ap.add_argument("--photos", type=Path, default=data.DEFAULT_PHOTOS)
    ap.add_argument("--init", type=Path, default=None,
                    help="a new run starts from this model file (ignored when resuming a checkpoint)")
    ap.add_argument("--rgb-weight", type=float, default=0.0,
                    help="weight of the RGB MSE added to the HSV loss (default 0: the paper's loss)")
    ap.add_argument("--rgb-loss", choices=tuple(RGB_LOSSES), default="mse",
                    help="the RGB term's error: squared (default) or absolute (its minimum is the median colour)")
    ap.add_argument("--psnr-weight", type=float, default=0.0,
                    help="weight of the negative per-crop PSNR (dB) added to the loss (default 0)")
    ap.add_argument("--weight-decay", type=float, default=0.0,
                    help="AdamW's decoupled weight decay (default 0: Adam)")
    ap.add_argument("--steps", type=int, default=None,
                    help="end this phase after this many steps, even within its --minutes")
    ap.add_argument("--select", type=int, default=0, metavar="N",
                    help="hold N training photos apart and keep the weights that score best on them")
    ap.add_argument("--widths", metavar="LR,RCN", type=_widths, default=None,
                    help="channel widths of the LR-CMGN and the RCN of a new model "
                         f"(default {HSV2StageConfig.lr_width},{HSV2StageConfig.rcn_width})")
    args = ap.parse_args(argv)
    cfg = None if args.widths is None else HSV2StageConfig(lr_width=args.widths[0], rcn_width=args.widths[1])
    torch.set_num_threads(args.threads)
    for p in train(args.out, args.minutes, args.run_dir, args.resume, seed=args.seed, photos=args.photos, cfg=cfg,
                   scale_aug=args.scale_aug, init=args.init, rgb_weight=args.rgb_weight,
                   strong_aug=args.strong_aug, lr_decay=args.lr_decay, psnr_weight=args.psnr_weight,
                   select=args.select, rgb_loss=args.rgb_loss, weight_decay=args.weight_decay,
                   phase_steps=args.steps):
        if p.message or p.step % 50 == 0:
            val = f" val {p.val_loss:.4f}" if p.val_loss is not None else ""
            print(f"step {p.step} {p.minutes:.1f} min loss {p.loss:.4f}{val} {p.message}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
