"""Does fine-tuning on a user's own camera help? The proof benchmark of issue #4.

    python benchmarks/finetune_simulated_camera.py [--method cyclecnn|ccdc]
        [--cameras bright_gamma,dark_scurve,warm_flat[,cool_contrast]]
        [--minutes 15 | --steps N] [--pairs 30] [--eval-pairs 12] [--threads 2] [--seed 0]
        [--base models/cyclecnn.safetensors] [--json benchmarks/results_finetune.json]
        [--workdir DIR] [--quick]

Per simulated camera (a FIXED mono tone curve/exposure, its own noise levels and colour cast):
1. --pairs training photos become layered stereo pairs (core.synth) shot by the camera, written as
   a user has them (x_mono.png + x_color.png, 8-bit, no truth); `finetune()` runs on them the way
   `colorstudio finetune DIR` does (pairs.discover; every 5th kept for its validation), from --base
   (the Cycle CNN; --method ccdc starts from the shipped ccdc).
2. The base model ("before"), the fine-tuned one ("after"), dis+gf (classic reference) and ccdc
   (the default pair method, not fine-tuned) are scored
   on --eval-pairs held-apart photos (disjoint from training; among the base model's own validation
   photos when its card lists enough) and on Motorcycle, both directions, shot by the same camera:
   chroma PSNR vs the truth (the gray view as the colour camera renders it) and cycle PSNR.
   With --method ccdc the fine-tuner is `training.finetune_ccdc` (`colorstudio finetune --method ccdc`),
   "before" is the shipped ccdc (so no second ccdc column) and "after" the fine-tuned one; results go to
   results_finetune_ccdc_unseen_photos.json unless --json says otherwise (each recorded run's
   command in the READMEs names its file). A ccdc run's held-apart photos come from CCDC's own
   validation split (held_apart_by), a cyclecnn run's from the Cycle CNN's card.
Numbers are reported, not asserted. --quick: tiny sizes, 2 steps, no JSON unless --json (tests).
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, replace
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from colorstudio.bench.cases import Case, list_photos, load_motorcycle
from colorstudio.bench.simulated_cameras import CAMERAS, DEVELOPED_ON, SimulatedCamera, to_8bit
from colorstudio.core import metrics, synth
from colorstudio.core.color import rgb_to_ycbcr
from colorstudio.core.imageio import load_photo

DEFAULT_JSON = {"cyclecnn": Path(__file__).resolve().parent / "results_finetune.json",
                "ccdc": Path(__file__).resolve().parent / "results_finetune_ccdc_unseen_photos.json"}
DEFAULT_CROP = {"cyclecnn": "128x256", "ccdc": "160x160"}
METHODS = ("dis+gf", "ccdc", "before", "after")   # ccdc: the app's default pair method, not fine-tuned


def methods_of(tuned: str) -> tuple[str, ...]:
    """The columns of a run: with --method ccdc "before" is the shipped ccdc, so it has no second column."""
    return tuple(m for m in METHODS if not (tuned == "ccdc" and m == "ccdc"))
METRICS = ("chroma_psnr", "cycle_psnr", "cycle_psnr_blocks")   # the last: 16x16 block means
GROUPS = ("held_apart", "motorcycle")
FULL = {"pairs": 30, "eval_pairs": 12, "minutes": 15.0, "max_side": 640,
        "motorcycle_scale": 1.0, "threads": 2}
QUICK = {"pairs": 2, "eval_pairs": 1, "steps": 2, "max_side": 192, "crop": "64x96",
         "motorcycle_scale": 0.25, "threads": 1}


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# ------------------------------------------------------------------ data
def held_apart_by(method: str, base_card: dict) -> set[str]:
    """The photos the network being fine-tuned never trained on: the Cycle CNN card's
    validation photos, or CCDC's own validation split (the two share one photo, so a ccdc
    run's evaluation is drawn from CCDC's, a cyclecnn run's from the Cycle CNN's)."""
    if method == "ccdc":
        from colorstudio.training.ccdc_data import photo_split

        return {p.name for p in photo_split()[1]}
    return set(base_card.get("data", {}).get("validation_photos", []))


def trained_on_by(evals: list[Path], cyclecnn_card: dict) -> dict[str, int]:
    """How many of the evaluation photos each shipped pair network trained on (a column of a
    network that saw them is flattered)."""
    from colorstudio.training.ccdc_data import photo_split

    cyclecnn_held = set(cyclecnn_card.get("data", {}).get("validation_photos", []))
    ccdc_trained = {p.name for p in photo_split()[0]}
    return {"cyclecnn": sum(f.name not in cyclecnn_held for f in evals) if cyclecnn_held else None,
            "ccdc": sum(f.name in ccdc_trained for f in evals)}


def split_photos(files: list[Path], held: set[str], n_train: int, n_eval: int, seed: int):
    """(train, eval, eval_unseen_by_base): disjoint lists picked with the seed. Eval photos come
    from ``held`` (:func:`held_apart_by`) when it holds at least ``n_eval`` of ``files``."""
    pool = [f for f in files if f.name in held]
    unseen = len(pool) >= n_eval
    pool = pool if unseen else files
    rng = np.random.default_rng(seed)
    evals = sorted(pool[i] for i in rng.choice(len(pool), min(n_eval, len(pool)), replace=False))
    rest = [f for f in files if f not in evals]
    train = sorted(rest[i] for i in rng.choice(len(rest), min(n_train, len(rest)), replace=False))
    return train, evals, unseen


def _cyclecnn_card() -> dict:
    from colorstudio.engine.learned_methods import weight_file

    card = weight_file("cyclecnn").with_suffix(".json")
    return json.loads(card.read_text()) if card.is_file() else {}


def camera_pair(cam: SimulatedCamera, photo: Path, max_side: int, rng) -> synth.SynthPair:
    """A layered stereo scene from one photo (long side <= max_side) shot by ``cam``; its
    truth_rgb is the gray view as the colour camera renders it."""
    rgb = load_photo(photo).rgb_float()
    s = max_side / max(rgb.shape[:2])
    if s < 1:
        rgb = cv2.resize(rgb, (round(rgb.shape[1] * s), round(rgb.shape[0] * s)), interpolation=cv2.INTER_AREA)
    p = synth.synthesize_from_photo(np.clip(rgb, 0, 1), rng, 1, max_disparity=cam.max_disparity, side=cam.side,
                                    degrade=cam.degrade)
    p.truth_rgb = cam.colour_rendition(p.truth_rgb)
    return p


def write_training_pairs(folder: Path, cam: SimulatedCamera, cam_id: int, photos, a) -> None:
    """The user's folder: x_mono.png + x_color.png per photo, nothing else (no truth). A
    folder left by an earlier run is emptied first: its pairs may be this run's evaluation photos."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    for p in photos:
        pair = camera_pair(cam, p, a.max_side, np.random.default_rng([a.seed, cam_id, 0, a.index[p]]))
        Image.fromarray(to_8bit(pair.gray)).save(folder / f"{p.stem}_mono.png")
        Image.fromarray(to_8bit(pair.reference)).save(folder / f"{p.stem}_color.png")


def eval_cases(cam: SimulatedCamera, cam_id: int, photos, a) -> list[Case]:
    """Held-apart synthesized pairs, then the Motorcycle pair both ways, all shot by ``cam``."""
    cases = []
    for p in photos:
        pair = camera_pair(cam, p, a.max_side, np.random.default_rng([a.seed, cam_id, 1, a.index[p]]))
        cases.append(Case(f"held/{p.stem}", "held_apart", 0, pair.gray, pair.reference, pair.truth_rgb))
    left, right = load_motorcycle(a.motorcycle_scale)
    for d, (direction, label) in enumerate((("left", "L<-R"), ("right", "R<-L"))):
        pair = synth.synthesize_from_stereo(left, right, 1, direction, np.random.default_rng([a.seed, cam_id, 2, d]),
                                            degrade=cam.degrade)
        cases.append(Case(f"motorcycle/{label}", "motorcycle", 0, pair.gray, pair.reference,
                          cam.colour_rendition(pair.truth_rgb)))
    return cases


# ------------------------------------------------------------------ fine-tune and score
def run_finetune(folder: Path, out: Path, base: Path, a) -> dict:
    """Fine-tune exactly as `colorstudio finetune FOLDER` does; returns the model card."""
    from colorstudio.core.pairs import discover
    from colorstudio.training.cli_finetune import parse_crop
    from colorstudio.training.finetune import finetune

    found = discover([folder])
    pairs = [(i.gray, i.reference) for i in found.items if i.reference is not None]
    h, w = parse_crop(a.crop)
    if a.method == "ccdc":
        from colorstudio.training import finetune_ccdc

        gen = finetune_ccdc.finetune(pairs, out=out, run_dir=out.with_suffix(".run"),
                                     minutes=None if a.steps else a.minutes, max_steps=a.steps, crop=(h, w),
                                     resume=False)
    else:
        gen = finetune(pairs, base_model_path=base, out=out, run_dir=out.with_suffix(".run"),
                       minutes=None if a.steps else a.minutes, max_steps=a.steps, crop=(h, w), resume=False,
                       split_cycle=a.split_cycle,
                       **({} if a.cycle_pool is None else {"cycle_pool": a.cycle_pool}))
    last = time.monotonic()
    while True:
        try:
            p = next(gen)
        except StopIteration as stop:
            return stop.value
        if (time.monotonic() - last > 30 or p.events) and "total" in p.losses:
            last = time.monotonic()
            log(f"  step {p.step}: loss {p.losses['total']:.4f}, {p.seconds / 60:.1f} min {' '.join(p.events)}")


def score(fn, cases: list[Case]) -> list[dict]:
    """Chroma PSNR vs the truth and cycle PSNR (no truth; per pixel and on 16x16 block means)
    of one method on every case."""
    out = []
    for c in cases:
        chroma = fn(c.gray, c.reference).chroma
        cycle, cycle_blocks = metrics.cycle_psnrs(fn, c.gray, c.reference, chroma)
        out.append({"chroma_psnr": metrics.chroma_psnr(chroma, rgb_to_ycbcr(c.truth_rgb)[..., 1:]),
                    "cycle_psnr": cycle, "cycle_psnr_blocks": cycle_blocks})
    return out


def summarize(records: list[dict]) -> dict:
    """Per group: the number of cases and, per metric, the mean of each method and after - before."""
    methods = tuple(records[0][METRICS[0]]) if records else METHODS
    summary = {}
    for group in GROUPS:
        rows = [r for r in records if r["group"] == group]
        summary[group] = {"cases": len(rows)}
        for metric in METRICS:
            means = summary[group][metric] = {m: float(np.mean([r[metric][m] for r in rows])) for m in methods}
            means["delta"] = means["after"] - means["before"]
    return summary


def run_camera(cam: SimulatedCamera, train, evals, base: Path, work: Path, dis, a) -> dict:
    from colorstudio.engine.crosscam import colorize_crosscam
    from colorstudio.engine.stereo import colorize_stereo

    cam_id = list(CAMERAS).index(cam.name)
    folder, out = work / cam.name / "pairs", work / cam.name / f"{cam.name}.safetensors"
    if a.reuse_models and out.is_file() and out.with_suffix(".json").is_file():
        log(f"[{cam.name}] reusing the fine-tuned {out} (--reuse-models)")
        card = json.loads(out.with_suffix(".json").read_text())
    else:
        log(f"[{cam.name}] writing {len(train)} training pairs to {folder}")
        write_training_pairs(folder, cam, cam_id, train, a)
        log(f"[{cam.name}] fine-tuning ({f'{a.steps} steps' if a.steps else f'{a.minutes} min'})")
        card = run_finetune(folder, out, base, a)
    cases = eval_cases(cam, cam_id, evals, a)
    tuned = colorize_crosscam if a.method == "ccdc" else colorize_stereo   # ccdc starts from its shipped weights
    fns = {"dis+gf": dis,
           "ccdc": lambda g, r, **o: colorize_crosscam(g, r, **o),
           "before": lambda g, r, **o: tuned(g, r, model=None if a.method == "ccdc" else base, **o),
           "after": lambda g, r, **o: tuned(g, r, model=out, **o)}
    methods = methods_of(a.method)
    log(f"[{cam.name}] evaluating {len(cases)} pairs")
    scores = {name: score(fns[name], cases) for name in methods}   # one model at a time (engine cache)
    records = [{"case": c.name, "group": c.group,
                **{k: {m: scores[m][i][k] for m in methods} for k in METRICS}}
               for i, c in enumerate(cases)]
    ft = {k: card["finetune"].get(k) for k in ("steps", "minutes", "lr", "crop", "cycle_pool",
                                               "validation_before", "validation_after", "kept")}
    ft.update({k: card["data"][k] for k in ("train_pairs", "validation_pairs", "skipped")},
              wall_minutes=card["wall_minutes"])  # validation_*: the fine-tune's own cycle PSNR/SSIM
    return {"camera": asdict(cam), "finetune": ft, "summary": summarize(records), "cases": records}


# ------------------------------------------------------------------ report
def table(name: str, res: dict) -> str:
    ft = res["finetune"]
    methods = tuple(m for m in METHODS if m in next(iter(res["summary"].values()))[METRICS[0]])
    before, after = ft["validation_before"], ft["validation_after"]
    blocks = (f" (16px blocks {before['cycle_psnr_blocks']:.2f} -> {after['cycle_psnr_blocks']:.2f})"
              if "cycle_psnr_blocks" in before else "")      # absent from cards of older runs (--reuse-models)
    own = (f"cycle_pool {ft['cycle_pool']}; its validation cycle PSNR "
           f"{before['cycle_psnr']:.2f} -> {after['cycle_psnr']:.2f} dB{blocks}" if "cycle_psnr" in before else
           f"its validation chroma PSNR {before['chroma_psnr']:.2f} -> {after['chroma_psnr']:.2f} dB ({ft['kept']})")
    lines = [f"camera {name}: {ft['steps']} steps, {ft['minutes']} min training on {ft['train_pairs']} pairs "
             f"(+{ft['validation_pairs']} validation), {own}",
             f"{'':14}{'chroma PSNR (dB)':^45}{'cycle PSNR (dB)':^45}{'cycle PSNR, 16px blocks':^45}",
             f"{'group':11}{'n':>3}" + ("{:>9}" * (len(methods) + 1)).format(*methods, "delta") * 3]
    for group, s in res["summary"].items():
        cells = "".join("".join(f"{s[m][k]:9.2f}" for k in methods) + f"{s[m]['delta']:+9.2f}" for m in METRICS)
        lines.append(f"{group:11}{s['cases']:3d}{cells}")
    return "\n".join(lines)


def selected_cameras(a) -> list[SimulatedCamera]:
    """The cameras named by --cameras, with the --side / --colour-noise overrides applied."""
    overrides = {k: v for k, v in (("side", a.side), ("colour_noise", a.colour_noise)) if v is not None}
    return [replace(CAMERAS[name], **overrides) for name in a.cameras.split(",")]


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--method", choices=tuple(DEFAULT_JSON), default="cyclecnn",
                    help="the network fine-tuned (default cyclecnn)")
    ap.add_argument("--cameras", default=",".join(DEVELOPED_ON),
                    help=f"comma list of {', '.join(CAMERAS)} (default: all but cool_contrast)")
    budget = ap.add_mutually_exclusive_group()
    budget.add_argument("--minutes", type=float, help="training time budget per camera (default 15)")
    budget.add_argument("--steps", type=int, help="training steps per camera instead of minutes")
    ap.add_argument("--pairs", type=int, help="training pairs per camera (default 30; 1 in 5 validates)")
    ap.add_argument("--eval-pairs", type=int, help="held-apart evaluation pairs (default 12)")
    ap.add_argument("--threads", type=int, help="torch/OpenCV threads (default 2)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--base", help="model to start from (default: the shipped cyclecnn)")
    ap.add_argument("--photos-dir", help="photo folder (default ../shared/data/photos)")
    ap.add_argument("--max-side", type=int, help="photos downscaled to this long side first (default 640)")
    ap.add_argument("--crop", help="fine-tune crop HxW (default as the CLI: 128x256 for cyclecnn, 160x160 for ccdc)")
    ap.add_argument("--motorcycle-scale", type=float, help="Motorcycle size factor (default 1)")
    ap.add_argument("--workdir", help="keep the pair folders and models here (default: a temp dir)")
    ap.add_argument("--json", help="write the results here (default benchmarks/results_finetune.json, with "
                                   "--method ccdc results_finetune_ccdc_unseen_photos.json; --quick writes none "
                                   "unless given)")
    ap.add_argument("--split-cycle", action="store_true",
                    help="fine-tune with the neighbour-split cycle (noise-independent target)")
    ap.add_argument("--cycle-pool", type=int, metavar="K",
                    help="fine-tune with the cycle SSIM on KxK block means (default: finetune()'s, 4)")
    ap.add_argument("--reuse-models", action="store_true",
                    help="score the models already fine-tuned in --workdir instead of training again")
    ap.add_argument("--side", choices=("left", "right"),
                    help="override every camera's colour-camera side (to tell a camera's quirks from its side)")
    ap.add_argument("--colour-noise", type=float, metavar="K",
                    help="override every camera's colour-shot noise k (to tell noise from tone)")
    ap.add_argument("--quick", action="store_true", help="tiny sizes and 2 steps (tests)")
    a = ap.parse_args(argv)
    budget_given = a.minutes is not None or a.steps is not None
    for key, value in (QUICK if a.quick else FULL).items():
        if getattr(a, key, None) is None and not (budget_given and key in ("minutes", "steps")):
            setattr(a, key, value)
    if a.method == "ccdc" and a.base:
        ap.error("--base is for --method cyclecnn (ccdc is fine-tuned from its shipped weights here)")
    if a.crop is None:
        a.crop = DEFAULT_CROP[a.method]
    if a.json is None and not a.quick:
        a.json = str(DEFAULT_JSON[a.method])
    unknown = set(a.cameras.split(",")) - set(CAMERAS)
    if unknown:
        ap.error(f"unknown camera(s) {', '.join(sorted(unknown))}; choose from {', '.join(CAMERAS)}")
    if a.pairs < 2 or a.eval_pairs < 1:
        ap.error("--pairs must be >= 2 (fine-tuning needs 2) and --eval-pairs >= 1")
    return a


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    a = parse_args(argv)
    import torch

    from colorstudio.engine import methods

    torch.set_num_threads(a.threads)
    cv2.setNumThreads(a.threads)
    # resolved first: once engine.learned_methods has registered itself, all_methods() omits the classic ones
    dis = methods.get("dis+gf").load()
    from colorstudio.engine.learned_methods import weight_file

    base = Path(a.base) if a.base else weight_file("cyclecnn")
    card_path = base.with_suffix(".json")
    base_card = json.loads(card_path.read_text()) if card_path.is_file() else {}
    files = list_photos(a.photos_dir)
    if len(files) < a.pairs + a.eval_pairs:
        raise SystemExit(f"need {a.pairs + a.eval_pairs} photos in {a.photos_dir or 'the default photo folder'}")
    a.index = {f: i for i, f in enumerate(files)}
    train, evals, unseen = split_photos(files, held_apart_by(a.method, base_card), a.pairs, a.eval_pairs, a.seed)
    assert not set(train) & set(evals)
    t0 = time.time()
    with tempfile.TemporaryDirectory(prefix="finetune_bench_") as tmp:
        work = Path(a.workdir) if a.workdir else Path(tmp)
        results = {cam.name: run_camera(cam, train, evals, base, work, dis, a) for cam in selected_cameras(a)}
    report = {"benchmark": "finetune_simulated_camera",
              "command": " ".join(["python benchmarks/finetune_simulated_camera.py", *argv]),
              "config": {k: v for k, v in vars(a).items() if k not in ("index", "json")}
                        | {"base": str(base) if a.method == "cyclecnn" else "the shipped ccdc"},
              "split": {"train_photos": [f.name for f in train], "eval_photos": [f.name for f in evals],
                        "eval_unseen_by_base": unseen,
                        "eval_photos_trained_on_by": trained_on_by(evals, base_card if a.method == "cyclecnn" else
                                                                   _cyclecnn_card())},
              "torch": torch.__version__, "total_minutes": round((time.time() - t0) / 60, 2),
              "cameras": results}
    for name, res in results.items():
        print(table(name, res), end="\n\n")
    if a.json:
        Path(a.json).write_text(json.dumps(report, indent=1))
    print(f"{report['total_minutes']} min" + (f"; wrote {a.json}" if a.json else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
