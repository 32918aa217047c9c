"""Train the stereo network (the Cycle CNN). The shipped weights (models/cyclecnn.safetensors)
took two runs of this script, the second from the first's weights: their exact commands are
the ``reproduce`` entry of models/cyclecnn.json (and the README's "Where the weights come from").

Stage 1: supervised pretraining on pairs synthesized from ../shared/data/photos (Dong et al.
2019; Setup1/2/3, random layered disparity with occlusions). Stage 2: the self-supervised
cycle objective (Cycle CNN) on the same kind of pairs, truth unused. Both stages checkpoint
into ``--run-dir`` and resume with ``--resume``. The Motorcycle pair is never used.

A run of both stages, resumable:

    python -m colorstudio.training.train_stereo --out runs/cyclecnn.safetensors \
        --run-dir runs/cyclecnn --supervised-minutes 45 --cycle-minutes 15 --resume
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import torch

from colorstudio.core.training_photos import DEFAULT_PHOTOS, list_photos
from colorstudio.nets.cyclecnn import CycleCNN, CycleCNNConfig
from colorstudio.nets.registry import load_model, save_model
from colorstudio.training.batchnorm import recalibrate_batchnorm
from colorstudio.training.datasets import PairOptions, SynthStereoData, split_photos
from colorstudio.training.stereo_loop import CHECKPOINT, TrainOptions, load_checkpoint, train_steps, validate


ABLATIONS = {   # what each ablation switches off: training options and the model config
    "gca": {"use_gca": False},              # no GCA: no structure loss (chroma never uses T)
    "refine": {"use_refine": False},        # no colour refinement: the WAC chroma is the output
    "smoothness": {"smooth_weight": 0.0},   # no V_W smoothness term
    "attention": {},                        # no attention re-weighting in the WAC volume
}


def _log(run_dir: Path, line: str) -> None:
    with open(run_dir / "log.tsv", "a") as f:
        f.write(line + "\n")


def run_stage(model, data, opts: TrainOptions, run_dir: Path, validation, resume: bool) -> None:
    run_dir.mkdir(parents=True, exist_ok=True)
    for p in train_steps(model, data, opts, run_dir, resume=resume, validation=validation):
        if p.step % 20 == 0 or p.validation or p.events:
            losses = " ".join(f"{k}={v:.4f}" for k, v in p.losses.items())
            val = " ".join(f"{k}={v:.2f}" for k, v in (p.validation or {}).items())
            _log(run_dir, f"{p.step}\t{p.seconds / 60:.1f}min\t{losses}\t{val}\t{' '.join(p.events)}")
            print(f"[{opts.objective}] {p.message} {val}", file=sys.stderr, flush=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="models/cyclecnn.safetensors")
    ap.add_argument("--run-dir", default="runs/cyclecnn")
    ap.add_argument("--photos-dir", default=str(DEFAULT_PHOTOS))
    ap.add_argument("--supervised-minutes", type=float, default=45)
    ap.add_argument("--cycle-minutes", type=float, default=15)
    ap.add_argument("--supervised-steps", type=int, default=None, help="a step budget instead of minutes")
    ap.add_argument("--cycle-steps", type=int, default=None, help="a step budget instead of minutes")
    ap.add_argument("--cycle-warmup", type=int, default=100, help="lr warm-up steps of the cycle stage")
    ap.add_argument("--cycle-freeze-bn", action="store_true",
                    help="keep the BatchNorm statistics of the pretrained model in the cycle stage")
    ap.add_argument("--recalibrate-bn", type=int, default=0,
                    help="before export, recompute BatchNorm statistics over this many training batches")
    ap.add_argument("--crop", default="96x224", help="HxW training crop of the gray view")
    ap.add_argument("--max-disparity", type=int, default=64)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--validation-pairs", type=int, default=12)
    ap.add_argument("--init", default=None,
                    help="start from this model file's weights (e.g. the shipped ones) instead of random ones")
    ap.add_argument("--supervised-lr", type=float, default=1e-3, help="RMSProp learning rate of the supervised stage")
    ap.add_argument("--supervised-warmup", type=int, default=0,
                    help="lr warm-up steps of the supervised stage (use ~100 with --init: a fresh RMSProp state)")
    ap.add_argument("--batchnorm-statistics", choices=("image", "running"), default="image",
                    help="what BatchNorm normalises with at inference and validation: each input's own "
                         "statistics, as batch-1 training does (default), or the running averages")
    ap.add_argument("--cosine", action="store_true",
                    help="each stage's lr follows a half cosine down to 0 over its budget")
    ap.add_argument("--ablate", choices=sorted(ABLATIONS), default=None,
                    help="train without one part (Cycle CNN Table VII style; benchmarks/stereo_ablations.py)")
    args = ap.parse_args(argv)

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    h, w = (int(v) for v in args.crop.lower().split("x"))
    train_files, val_files = split_photos(list_photos(args.photos_dir))
    pair_opts = PairOptions(crop=(h, w), max_disparity=args.max_disparity - 4)
    train = SynthStereoData(train_files, pair_opts, seed=args.seed)
    val = SynthStereoData(val_files, pair_opts, seed=args.seed + 1).fixed_set(args.validation_pairs)
    run_dir = Path(args.run_dir)
    off = ABLATIONS.get(args.ablate, {})
    cfg = CycleCNNConfig(max_disparity=args.max_disparity)
    if args.ablate == "attention":
        cfg.wac.attention = False
    if args.init:
        model = load_model(args.init, "cyclecnn").train()
        cfg = model.cfg
        if args.ablate or cfg.max_disparity != args.max_disparity:
            ap.error("--init keeps the model file's config: no --ablate, the same --max-disparity")
    else:
        model = CycleCNN(cfg)
    model.cfg.batchnorm_statistics = args.batchnorm_statistics
    model.train(False)                  # (re)applies the BatchNorm mode
    t0 = time.time()
    before = validate(model, val, args.max_disparity)

    def budget(steps, minutes):
        return {"steps": steps, "minutes": None} if steps is not None else {"steps": None, "minutes": minutes}

    cyc_dir = run_dir / "cycle"
    after_sup = None
    if args.resume and (cyc_dir / CHECKPOINT).exists():
        print("the cycle stage has begun: the supervised stage is done", file=sys.stderr)
    else:
        sup = TrainOptions(objective="supervised", max_disparity=args.max_disparity, checkpoint_every=50,
                           validate_every=200, lr=args.supervised_lr, warmup_steps=args.supervised_warmup,
                           cosine_decay=args.cosine, **off, **budget(args.supervised_steps, args.supervised_minutes))
        run_stage(model, train, sup, run_dir / "supervised", val, args.resume)
        after_sup = validate(model, val, args.max_disparity, use_refine=off.get("use_refine", True))

    cyc = TrainOptions(objective="cycle", max_disparity=args.max_disparity, checkpoint_every=50,
                       validate_every=200, lr=2e-4, warmup_steps=args.cycle_warmup,
                       freeze_batchnorm=args.cycle_freeze_bn, cosine_decay=args.cosine, **off,
                       **budget(args.cycle_steps, args.cycle_minutes))
    run_stage(model, train, cyc, cyc_dir, val, args.resume)
    if args.recalibrate_bn:
        recalibrate_batchnorm(model, (train.batch(10**7 + i, 1) for i in range(args.recalibrate_bn)),
                              lambda m, b: m(b[0]["gray"], b[0]["ref_ycc"], args.max_disparity, b[1]))
    after = validate(model, val, args.max_disparity, use_refine=off.get("use_refine", True))

    def steps_of(d: Path) -> dict:
        opt = torch.optim.RMSprop(CycleCNN(model.cfg).parameters())
        return load_checkpoint(d, CycleCNN(model.cfg), opt) if (d / CHECKPOINT).exists() else {}

    s1, s2 = steps_of(run_dir / "supervised"), steps_of(cyc_dir)
    card = {
        "name": "cyclecnn",
        "method": "Cycle CNN (WAC + GCA + colour refinement), Dong et al. 2019 attention",
        "data": {"source": "../shared/data/photos (real photographs), synthesized stereo pairs: random "
                           "layered disparity with occlusions, Setup1/2/3 noise and tone, reference "
                           "downscale 1-4x; never the Motorcycle pair",
                 "train_photos": len(train_files), "validation_photos": [p.name for p in val_files],
                 "crop": [h, w], "max_disparity": args.max_disparity},
        "training": {"supervised": {"steps": s1.get("step"), "minutes": round(s1.get("seconds", 0) / 60, 1),
                                    "objective": "1000*MSE(chroma)+1000*MSE(WAC chroma)+SSIM structure+0.1*smooth",
                                    "optimizer": f"RMSProp lr {args.supervised_lr:g}",
                                    "warmup_steps": args.supervised_warmup, "init": args.init},
                     "cycle": {"steps": s2.get("step"), "minutes": round(s2.get("seconds", 0) / 60, 1),
                               "objective": "structure + cycle SSIM + 0.1*smooth", "optimizer": "RMSProp lr 2e-4",
                               "warmup_steps": args.cycle_warmup, "batchnorm_frozen": args.cycle_freeze_bn},
                     "lr_schedule": "half cosine to 0 in each stage" if args.cosine else "constant after the warm-up",
                     "batchnorm_recalibrated_on_batches": args.recalibrate_bn,
                     "device": "cpu (2 cores)", "threads": args.threads, "seed": args.seed},
        "validation": {"untrained": before, "after_supervised": after_sup, "final": after},
        "ablation": args.ablate,
        "reproduce": "python -m colorstudio.training.train_stereo --out " + args.out
                     + f" --run-dir {args.run_dir} --supervised-minutes {args.supervised_minutes:g}"
                     + f" --cycle-minutes {args.cycle_minutes:g} --crop {args.crop} --threads {args.threads} --resume"
                     + (f" --supervised-steps {args.supervised_steps}" if args.supervised_steps else "")
                     + (f" --cycle-steps {args.cycle_steps}" if args.cycle_steps else "")
                     + (f" --seed {args.seed}" if args.seed else "")
                     + f" --validation-pairs {args.validation_pairs}"
                     + (f" --init {args.init}" if args.init else "")
                     + (f" --supervised-lr {args.supervised_lr:g}" if args.supervised_lr != 1e-3 else "")
                     + (f" --supervised-warmup {args.supervised_warmup}" if args.supervised_warmup else "")
                     + (" --cosine" if args.cosine else "")
                     + (f" --batchnorm-statistics {args.batchnorm_statistics}"
                        if args.batchnorm_statistics != "image" else "")
                     + f" --cycle-warmup {args.cycle_warmup}" + (" --cycle-freeze-bn" if args.cycle_freeze_bn else "")
                     + (f" --recalibrate-bn {args.recalibrate_bn}" if args.recalibrate_bn else "")
                     + (f" --ablate {args.ablate}" if args.ablate else "")
                     + (f" --max-disparity {args.max_disparity}" if args.max_disparity != 64 else "")
                     + (f" --photos-dir {args.photos_dir}" if args.photos_dir != str(DEFAULT_PHOTOS) else ""),
        "wall_minutes": round((time.time() - t0) / 60, 1),
    }
    save_model(model.cpu().eval(), args.out, card)
    print(json.dumps(card["validation"]), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
