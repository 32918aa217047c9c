"""Train CCDC on synthesized cross-camera pairs (a generator yielding progress).

A run (the shipped weights took six, each from the last one's weights: their commands are the
``reproduce`` entry of models/ccdc.json and the README's "Where the weights come from"):
    python -m colorstudio.training.train_ccdc --out runs/ccdc.safetensors \
        --minutes N --run-dir runs/ccdc [--resume]
Each step draws a batch of pairs (:mod:`colorstudio.training.ccdc_data`: random homographies,
smooth local flow, occluding objects, a 1x-8x smaller reference, Setup 1/2/3 noise and tone)
from the training photos. Loss: Charbonnier colour + warping loss. Adam, lr 1e-3 (x0.3 for
the last 20% of the run's budget), gradient norm clipped to 1. A checkpoint (model + Adam
state, safetensors) and a log line go to the run dir every few minutes; ``--resume``
continues from it; ``--resume --minutes 0`` only exports the last checkpoint; ``--init FILE``
starts a new run dir from a model file's weights, config, steps and minutes (fresh Adam state,
lr times ``--lr-scale``), for more training when the old run dir is gone. A blow-up
(validation ``SPIKE_DB`` below the best so far, as happened once at lr 1e-3 after ~6500 steps)
rolls back to the best weights and halves the lr for the rest of the run. A wall-time
budget makes runs approximately (not bit-exactly) reproducible: the model card records the
steps and every command that was run. Validation: chroma PSNR on fixed pairs from
held-apart photos, against the DIS-warped reference chroma (no guided filter).
"""
from __future__ import annotations

import argparse
import copy
import json
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from colorstudio.core.atomic_files import atomic_write_text
from colorstudio.nets.ccdc import CCDC, CCDCConfig
from colorstudio.nets.weights_file import file_facts, load_weights, save_weights
from colorstudio.nets.warp import backward_warp
from colorstudio.training import ccdc_data as data
from colorstudio.training.ccdc_losses import CHARBONNIER_EPS, WARP_WEIGHT, ccdc_loss
from colorstudio.training.losses import psnr
from colorstudio.training.checkpoints import has_checkpoint, load_checkpoint, save_checkpoint

CROP = (160, 160)
BATCH = 4
LR = 1e-3
CHECKPOINT_EVERY_S = 180
NAME = "ccdc"
SPIKE_DB = 1.0   # validation this far below the best so far: roll back to the best, halve the lr


@dataclass
class Progress:
    step: int
    minutes: float                # cumulative training minutes (over resumes)
    loss: float                   # running mean of the training loss
    val_psnr: float | None = None  # chroma PSNR (dB) of the net on the validation pairs
    val_gain: float | None = None  # ... minus that of the DIS-warped reference chroma
    message: str = ""


def batch_tensors(batch: dict, device=None) -> dict[str, torch.Tensor]:
    """A batch of :func:`ccdc_data.make_batch` as tensors (on ``device``), its factor left out."""
    return {k: torch.from_numpy(v).to(device) for k, v in batch.items() if k != "factor"}


def _snapshot(model: CCDC, opt, state: dict) -> dict:
    """A copy of the weights, the Adam state and the loop state (the rollback point)."""
    return {"model": copy.deepcopy(model.state_dict()), "opt": copy.deepcopy(opt.state_dict()),
            "state": dict(state)}


@torch.no_grad()
def validate(model: CCDC, batches: list[dict], device=None) -> tuple[float, float]:
    """(mean chroma PSNR of the net, mean gain over the DIS-warped reference chroma)."""
    model.eval()
    ours, base = [], []
    for b in batches:
        t = batch_tensors(b, device)
        out = model(t["gray"], t["ref"], t["init_flow"])
        truth = t["truth"][:, 1:]
        ours.append(float(psnr(out["chroma"].clamp(0, 1), truth)))
        base.append(float(psnr(backward_warp(out["ref_up"], t["init_flow"])[:, 1:], truth)))
    model.train()
    return float(np.mean(ours)), float(np.mean(ours) - np.mean(base))


def train(out: Path, minutes: float, run_dir: Path, resume: bool = False, seed: int = 0,
          photos: Path = data.DEFAULT_PHOTOS, cfg: CCDCConfig | None = None, batch: int = BATCH,
          crop: tuple[int, int] = CROP, max_steps: int | None = None, n_val: int = 12,
          command: str | None = None, init: Path | None = None, lr_scale: float = 1.0,
          kinds: tuple[str, ...] = data.KINDS, cleaner_share: float = 0.0):
    """Generator: trains for ``minutes`` of wall time (or ``max_steps``), yielding Progress;
    then writes ``out`` (safetensors, config in the metadata) and its JSON model card.
    ``init``: a CCDC model file to start from (ignored when resuming a checkpoint).
    ``kinds``: the kinds of synthesized pairs drawn, equally often (:data:`data.ALL_KINDS`).
    ``cleaner_share``: the share of pairs from cameras cleaner than Setup 1-3's
    (:func:`colorstudio.training.ccdc_data.cleaner_cameras`)."""
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    train_files, val_files = data.photo_split(photos)
    yield Progress(0, 0.0, float("nan"), message=f"loading {len(train_files)} train / {len(val_files)} val photos")
    scenes = data.load_scenes(train_files)
    val = data.validation_batches(data.load_scenes(val_files), n=n_val)
    state = {"step": 0, "minutes": 0.0, "lr_scale": lr_scale}
    tensors = None
    if init is not None and not (resume and has_checkpoint(run_dir)):
        tensors, config, meta = load_weights(init, NAME)
        cfg = CCDCConfig.from_dict(config)
        state.update(step=int(meta.get("steps", 0)), minutes=float(meta.get("minutes", 0.0)))
    model = CCDC(cfg or CCDCConfig())
    if tensors is not None:
        model.load_state_dict(tensors)
        yield Progress(state["step"], state["minutes"], float("nan"), message=f"started from {init}")
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    if resume and has_checkpoint(run_dir):
        state = load_checkpoint(run_dir, model, opt, name=NAME)
        yield Progress(state["step"], state["minutes"], float("nan"), message="resumed")
    rng = np.random.default_rng(seed + 7919 * state["step"])
    start, base_minutes, last_ckpt = time.time(), state["minutes"], time.time()
    running, val_psnr, val_gain = None, state.get("val_psnr"), state.get("val_gain")
    best = _snapshot(model, opt, state) if val_psnr is not None else None
    model.train()
    with open(run_dir / "log.tsv", "a") as log:
        while True:
            elapsed = (time.time() - start) / 60
            done = elapsed >= minutes or (max_steps is not None and state["step"] >= max_steps)
            if not done:
                for g in opt.param_groups:
                    g["lr"] = LR * state.get("lr_scale", 1.0) * (1.0 if elapsed < 0.8 * minutes else 0.3)
                t = batch_tensors(data.make_batch(scenes, rng, batch, crop, kinds=kinds,
                                                         cleaner_share=cleaner_share))
                loss, parts = ccdc_loss(model(t["gray"], t["ref"], t["init_flow"]), t["truth"])
                opt.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                opt.step()
                state["step"] += 1
                running = loss.item() if running is None else 0.98 * running + 0.02 * loss.item()
            state["minutes"] = base_minutes + (time.time() - start) / 60
            message = ""
            if done or time.time() - last_ckpt > CHECKPOINT_EVERY_S:
                val_psnr, val_gain = validate(model, val)
                if best is not None and val_psnr < best["state"]["val_psnr"] - SPIKE_DB:
                    message = (f"validation fell to {val_psnr:.2f} dB: rolled back to step "
                               f"{best['state']['step']} ({best['state']['val_psnr']:.2f} dB), lr halved")
                    model.load_state_dict(best["model"])
                    opt.load_state_dict(best["opt"])
                    state.update(val_psnr=best["state"]["val_psnr"], val_gain=best["state"]["val_gain"],
                                 lr_scale=state.get("lr_scale", 1.0) * 0.5)
                    val_psnr, val_gain = state["val_psnr"], state["val_gain"]
                else:
                    state.update(val_psnr=val_psnr, val_gain=val_gain)
                    if best is None or val_psnr >= best["state"]["val_psnr"]:
                        best = _snapshot(model, opt, state)
                save_checkpoint(run_dir, model, opt, state, name=NAME, config=model.cfg.to_dict())
                log.write(f"{state['step']}\t{state['minutes']:.2f}\t{running or float('nan'):.5f}\t"
                          f"{val_psnr:.3f}\t{val_gain:+.3f}\n")
                log.flush()
                last_ckpt = time.time()
            yield Progress(state["step"], state["minutes"], running or float("nan"), val_psnr, val_gain, message)
            if done:
                break
    write_model(Path(out), model, state, train_files, val_files, seed, command,
                continued_from=Path(init) if init is not None else Path(out) if resume else None, kinds=kinds)
    yield Progress(state["step"], state["minutes"], running or float("nan"), val_psnr, val_gain,
                   f"wrote {out}")


def write_model(out: Path, model: CCDC, state: dict, train_files, val_files, seed: int,
                command: str | None = None, continued_from: Path | None = None,
                kinds: tuple[str, ...] = data.KINDS) -> None:
    """The weights (config in the safetensors metadata) and the JSON model card beside them.
    ``reproduce`` lists the commands that made the weights: a run that continued the model
    file ``continued_from`` (--init's file, or ``out`` itself for --resume) adds its own
    command to that file's list, and keeps its card's history (``phases``, ``notes``); a new
    run starts a card of its own, whatever card ``out`` had. Scores of the file it started from
    (``benchmark``, ``issue_targets``) are never carried: the benchmark scores the new file."""
    save_weights(out, model.state_dict(), NAME, model.cfg.to_dict(),
                 {"steps": str(state["step"]), "minutes": f"{state['minutes']:.1f}"})
    card_path = out.with_suffix(".json")
    earlier_card = continued_from.with_suffix(".json") if continued_from is not None else None
    card = json.loads(earlier_card.read_text()) if earlier_card is not None and earlier_card.is_file() else {}
    for scores_of_another_file in ("benchmark", "issue_targets"):
        card.pop(scores_of_another_file, None)
    card.update({
        "model": NAME,
        "summary": "CCDC cross-camera colorization (Zhao et al.): luminance/colour encoders, "
                   "FlowNetS-like flow on top of OpenCV DIS, visibility maps, U-Net fusion decoder",
        "config": model.cfg.to_dict(),
        "parameters": sum(p.numel() for p in model.parameters()),
        "data": {"photos": "ColorStudio training photos (../shared/data/photos, see its MANIFEST.tsv); "
                           "never the Motorcycle pair",
                 "pairs": "synthesized cross-camera pairs (colorstudio/training/ccdc_data.py): random "
                          "homographies, smooth local flow, independently moving occluders, reference "
                          "1x-8x smaller, Setup 1/2/3 noise and tone",
                 "kinds": list(kinds), "split_seed": data.SPLIT_SEED, "n_train": len(train_files),
                 "validation": [p.name for p in val_files]},
        "training": {"steps": state["step"], "minutes": round(state["minutes"], 1), "batch": BATCH,
                     "crop": list(CROP), "optimizer": f"Adam lr {LR} (x0.3 for the last 20% of a run)",
                     "loss": f"Charbonnier (eps {CHARBONNIER_EPS}) on Cb/Cr + {WARP_WEIGHT} x multi-scale "
                             "L2 warping loss", "seed": seed, "threads": torch.get_num_threads()},
        "metrics": {"validation_chroma_psnr_db": _round(state.get("val_psnr")),
                    "validation_gain_over_dis_warp_db": _round(state.get("val_gain")),
                    "validation_pairs": "12 viewpoint/temporal pairs per factor (4x, 8x), 192x192"},
    })
    this_run = command or ("python -m colorstudio.training.train_ccdc --out models/ccdc.safetensors "
                           f"--minutes {math.ceil(state['minutes'])} --run-dir RUN")
    earlier = card.get("reproduce")
    card["reproduce"] = (earlier if isinstance(earlier, list) else [earlier] if earlier else []) + [this_run]
    if command:
        card["commands_run"] = card.get("commands_run", []) + [command]
    card.update(file_facts(out))
    atomic_write_text(card_path, json.dumps(card, indent=2) + "\n")


def _round(v):
    return None if v is None else round(float(v), 3)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--minutes", type=float, required=True, help="wall-time budget of this run")
    ap.add_argument("--run-dir", type=Path, required=True)
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--photos", type=Path, default=data.DEFAULT_PHOTOS)
    ap.add_argument("--max-steps", type=int, default=None)
    ap.add_argument("--init", type=Path, default=None, help="start from this model file's weights")
    ap.add_argument("--lr-scale", type=float, default=1.0, help="lr factor of a new run (default 1)")
    ap.add_argument("--kinds", default=",".join(data.KINDS),
                    help=f"kinds of synthesized pairs, comma-separated, of {','.join(data.ALL_KINDS)} "
                         "(default %(default)s)")
    ap.add_argument("--cleaner-share", type=float, default=0.0,
                    help="share of pairs from cameras cleaner than Setup 1-3's (default 0)")
    args = ap.parse_args(argv)
    kinds = tuple(k.strip() for k in args.kinds.split(",") if k.strip())
    if not kinds or set(kinds) - set(data.ALL_KINDS):
        ap.error(f"--kinds must name some of {', '.join(data.ALL_KINDS)}")
    torch.set_num_threads(args.threads)
    command = "python -m colorstudio.training.train_ccdc " + " ".join(sys.argv[1:] if argv is None else argv)
    for p in train(args.out, args.minutes, args.run_dir, args.resume, photos=args.photos,
                   max_steps=args.max_steps, command=command, init=args.init, lr_scale=args.lr_scale,
                   kinds=kinds, cleaner_share=args.cleaner_share):
        if p.message or p.step % 25 == 0:
            val = f" val {p.val_psnr:.2f} dB ({p.val_gain:+.2f} vs DIS)" if p.val_psnr is not None else ""
            print(f"step {p.step} {p.minutes:.1f} min loss {p.loss:.4f}{val} {p.message}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
