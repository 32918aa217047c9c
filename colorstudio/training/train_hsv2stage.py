"""Train the two-stage HSV colorizer on colour photos (a generator yielding progress).

Reproduce the shipped weights (two phases; the model card lists the exact commands):
    python -m colorstudio.training.train_hsv2stage --out models/hsv2stage.safetensors \
        --minutes 35 --run-dir /work/runs/hsv2stage
    python -m colorstudio.training.train_hsv2stage --out models/hsv2stage.safetensors \
        --minutes 33 --run-dir /work/runs/hsv2stage --resume --scale-aug
Checkpoints (model + Adam state, safetensors) and a log go to the run dir every few
minutes; ``--resume`` continues from the last one. Loss: S_MAE + circular H_MAE on both
stages (coarse at 1/4 size per side, fine at the crop size). Adam, lr 2e-4.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from colorstudio.nets.colorspace import rgb_to_hsv
from colorstudio.nets.hsv2stage import MULTIPLE, HSV2Stage, HSV2StageConfig, hsv_loss
from colorstudio.nets.weights_file import save_weights
from colorstudio.training.checkpoints import has_checkpoint, load_checkpoint, save_checkpoint
from colorstudio.training import single_gray_data as data

LONG_SIDE = 192      # training photos are resized to this long side (= the engine's working size)
CROP = 128
BATCH = 12
LR = 2e-4
CHECKPOINT_EVERY_S = 180
SCALE_AUG_CACHE = 320           # with --scale-aug: photos cached at this long side...
SCALE_AUG_LONG_SIDES = (144, 288)  # ...and area-resized to a random long side in this range


@dataclass
class Progress:
    step: int
    minutes: float          # cumulative training minutes (over resumes)
    loss: float             # running mean of the training loss
    val_loss: float | None  # on the validation photos, at checkpoints
    message: str = ""


def _luma(rgb: torch.Tensor) -> torch.Tensor:
    """(B,3,H,W) -> (B,1,H,W) BT.601 luma."""
    w = torch.tensor([0.299, 0.587, 0.114], dtype=rgb.dtype).view(1, 3, 1, 1)
    return (rgb * w).sum(1, keepdim=True)


def batch_loss(model: HSV2Stage, rgb: torch.Tensor) -> torch.Tensor:
    """Loss of both stages for (B,3,H,W) RGB crops (sides multiples of 16)."""
    hs_fine = rgb_to_hsv(rgb)[:, :2]
    hs_coarse = rgb_to_hsv(F.avg_pool2d(rgb, 4))[:, :2]
    coarse, fine = model(_luma(rgb))
    wsat = model.cfg.hue_weight_by_saturation
    return hsv_loss(coarse, hs_coarse, wsat) + hsv_loss(fine, hs_fine, wsat)


def _val_tensors(images: list[np.ndarray]) -> list[torch.Tensor]:
    out = []
    for img in images:
        h, w = (s // MULTIPLE * MULTIPLE for s in img.shape[:2])
        out.append(torch.from_numpy(np.ascontiguousarray(img[:h, :w])).permute(2, 0, 1)[None])
    return out


@torch.no_grad()
def validation_loss(model: HSV2Stage, val: list[torch.Tensor]) -> float:
    model.eval()
    loss = float(np.mean([batch_loss(model, v).item() for v in val]))
    model.train()
    return loss


def train(out: Path, minutes: float, run_dir: Path, resume: bool = False, seed: int = 0,
          photos: Path = data.DEFAULT_PHOTOS, cfg: HSV2StageConfig | None = None,
          batch: int = BATCH, crop: int = CROP, max_steps: int | None = None,
          scale_aug: bool = False):
    """Generator: trains for ``minutes`` of wall time (or ``max_steps``), yielding Progress.

    Writes ``out`` (safetensors, config in metadata) and ``out.with_suffix('.json')`` (model card).
    """
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    train_files, val_files = data.split(data.list_photos(photos))
    yield Progress(0, 0.0, float("nan"), None, f"loading {len(train_files)} train / {len(val_files)} val photos")
    train_imgs = data.load_set(train_files, SCALE_AUG_CACHE if scale_aug else LONG_SIDE)
    val = _val_tensors(data.load_set(val_files, LONG_SIDE))
    model = HSV2Stage(cfg)
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    state = {"step": 0, "minutes": 0.0, "phases": []}
    if resume and has_checkpoint(run_dir):
        state = load_checkpoint(run_dir, model, opt, name="hsv2stage")
        yield Progress(state["step"], state["minutes"], float("nan"), None, "resumed")
    state.setdefault("phases", []).append({"from_step": state["step"], "scale_aug": scale_aug,
                                           "minutes": minutes})
    rng = np.random.default_rng(seed + state["step"])
    start, base_minutes, last_ckpt = time.time(), state["minutes"], time.time()
    running, val_loss = None, None
    log = open(run_dir / "log.tsv", "a")
    while True:
        elapsed = (time.time() - start) / 60
        done = elapsed >= minutes or (max_steps is not None and state["step"] >= max_steps)
        crops = data.random_scaled_crops(train_imgs, rng, batch, crop, SCALE_AUG_LONG_SIDES) if scale_aug \
            else data.random_crops(train_imgs, rng, batch, crop)
        rgb = torch.from_numpy(crops).permute(0, 3, 1, 2)
        if not done:
            loss = batch_loss(model, rgb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            state["step"] += 1
            running = loss.item() if running is None else 0.98 * running + 0.02 * loss.item()
        state["minutes"] = base_minutes + (time.time() - start) / 60
        if done or time.time() - last_ckpt > CHECKPOINT_EVERY_S:
            val_loss = validation_loss(model, val)
            state["val_loss"] = val_loss
            save_checkpoint(run_dir, model, opt, state, name="hsv2stage", config=model.cfg.to_dict())
            log.write(f"{state['step']}\t{state['minutes']:.2f}\t{running:.4f}\t{val_loss:.4f}\n")
            log.flush()
            last_ckpt = time.time()
        yield Progress(state["step"], state["minutes"], running, val_loss)
        if done:
            break
    log.close()
    state["phases"][-1]["to_step"] = state["step"]
    _write_model(Path(out), model, state, train_files, val_files, seed)
    yield Progress(state["step"], state["minutes"], running, val_loss, f"wrote {out}")


def _write_model(out: Path, model: HSV2Stage, state: dict, train_files, val_files, seed: int) -> None:
    save_weights(out, model.state_dict(), "hsv2stage", model.cfg.to_dict(),
                 {"working_long_side": str(LONG_SIDE)})
    card_path = out.with_suffix(".json")
    card = json.loads(card_path.read_text()) if card_path.exists() else {}
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
                     "batch": BATCH, "crop": CROP, "optimizer": f"Adam lr {LR}", "seed": seed,
                     "final_val_loss": state.get("val_loss"), "threads": torch.get_num_threads(),
                     "loss": "S_MAE + circular H_MAE (hue weighted by true S), both stages"},
        "phases": state.get("phases", []),
        "reproduce": _commands(state.get("phases", [])),
    })
    card_path.write_text(json.dumps(card, indent=2) + "\n")


def _commands(phases: list[dict]) -> list[str]:
    """The command line of each training phase (the first fresh, the others --resume)."""
    out = []
    for i, ph in enumerate(phases):
        out.append("python -m colorstudio.training.train_hsv2stage --out models/hsv2stage.safetensors "
                   f"--minutes {ph.get('minutes', '?')} --run-dir /work/runs/hsv2stage"
                   + (" --resume" if i else "") + (" --scale-aug" if ph.get("scale_aug") else ""))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--minutes", type=float, required=True, help="wall-time budget of this run")
    ap.add_argument("--run-dir", type=Path, required=True)
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--scale-aug", action="store_true",
                    help=f"random-scale augmentation (long side {SCALE_AUG_LONG_SIDES[0]}-{SCALE_AUG_LONG_SIDES[1]})")
    ap.add_argument("--photos", type=Path, default=data.DEFAULT_PHOTOS)
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    for p in train(args.out, args.minutes, args.run_dir, args.resume, photos=args.photos,
                   scale_aug=args.scale_aug):
        if p.message or p.step % 50 == 0:
            val = f" val {p.val_loss:.4f}" if p.val_loss is not None else ""
            print(f"step {p.step} {p.minutes:.1f} min loss {p.loss:.4f}{val} {p.message}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
