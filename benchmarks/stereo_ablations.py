"""Does each part of the Cycle CNN earn its place? Training ablations, Cycle CNN Table VII style.

    python benchmarks/stereo_ablations.py --supervised-steps 1500 --cycle-steps 300 --cosine \
        --workdir /work/runs/ablations [--json benchmarks/results_stereo_ablations.json]

Every variant is trained FROM SCRATCH with the same seed, data order and step budgets by
``colorstudio.training.train_stereo`` (supervised pretraining on synthesized pairs, then the
cycle objective): the full model, and the model without GCA (no structure loss), without the
colour refinement, without the attention re-weighting, without the V_W smoothness loss. Then
each is scored on Motorcycle (both directions x Setup1/2/3: chroma PSNR against the truth, and
cycle PSNR) beside dis+gf, in this one process. Budgets are steps, not minutes, so a variant
that is cheaper per step gets no extra training. A variant whose model file is already in
--workdir is not retrained (a run can be continued) when its card says it was trained as asked
(steps, seed, schedule, ablation); one trained otherwise is refused, never relabelled. Numbers are reported, not asserted:
this is a short schedule on one seed, so differences below ~0.2 dB are noise.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

VARIANTS = ("full", "gca", "refine", "attention", "smoothness")   # "gca" = without GCA, etc.


def _seed_of(card: dict) -> int:
    """A card's training seed; cards from before it was recorded carry it in "reproduce" only."""
    if "seed" in card.get("training", {}):
        return int(card["training"]["seed"])
    words = card.get("reproduce", "").split()
    return int(words[words.index("--seed") + 1]) if "--seed" in words else 0


def trained_otherwise(card: dict, variant: str, a) -> list[str]:
    """How an existing variant's card differs from what this run asks for (empty: as asked)."""
    t = card.get("training", {})
    asked = {"supervised steps": a.supervised_steps, "cycle steps": a.cycle_steps, "seed": a.seed,
             "cosine schedule": a.cosine, "ablation": None if variant == "full" else variant}
    had = {"supervised steps": t.get("supervised", {}).get("steps"), "cycle steps": t.get("cycle", {}).get("steps"),
           "seed": _seed_of(card), "cosine schedule": t.get("lr_schedule", "").startswith("half cosine"),
           "ablation": card.get("ablation")}
    return [f"{k} {had[k]} (asked {asked[k]})" for k in asked if had[k] != asked[k]]


def train_variant(variant: str, workdir: Path, a) -> Path:
    from colorstudio.training import train_stereo

    out = workdir / f"{variant}.safetensors"
    if out.is_file():
        card_path = out.with_suffix(".json")
        card = json.loads(card_path.read_text()) if card_path.is_file() else {}
        differs = trained_otherwise(card, variant, a) if card else ["no model card"]
        if differs:
            sys.exit(f"{out} was not trained as this run asks: {'; '.join(differs)}. Use another --workdir.")
        print(f"[{variant}] already trained as asked: {out}", file=sys.stderr)
        return out
    argv = ["--out", str(out), "--run-dir", str(workdir / f"{variant}.run"),
            "--supervised-steps", str(a.supervised_steps), "--cycle-steps", str(a.cycle_steps),
            "--crop", a.crop, "--threads", str(a.threads), "--seed", str(a.seed),
            "--validation-pairs", str(a.validation_pairs), "--resume"]
    if a.photos_dir:
        argv += ["--photos-dir", a.photos_dir]
    if a.cosine:
        argv += ["--cosine"]
    if variant != "full":
        argv += ["--ablate", variant]
    t0 = time.perf_counter()
    train_stereo.main(argv)
    print(f"[{variant}] trained in {(time.perf_counter() - t0) / 60:.1f} min", file=sys.stderr)
    return out


def evaluate(models: dict[str, Path], a) -> list[dict]:
    from colorstudio.core import metrics
    from colorstudio.bench.cases import motorcycle_cases
    from colorstudio.core.color import rgb_to_ycbcr
    from colorstudio.engine import methods
    from colorstudio.engine.stereo import colorize_stereo

    fns = {"dis+gf": methods.get("dis+gf").load()}
    for variant, path in models.items():
        opts = {"model": path, "working_pixels": a.working_pixels, "use_refine": variant != "refine"}
        fns[variant] = lambda g, r, _o=opts, **o: colorize_stereo(g, r, **_o, **o)
    rows = []
    for case in motorcycle_cases(tuple(int(s) for s in a.setups.split(","))):
        truth = rgb_to_ycbcr(case.truth_rgb)[..., 1:]
        row = {"case": case.name}
        for name, fn in fns.items():
            res = fn(case.gray, case.reference)
            row[name] = round(metrics.chroma_psnr(res.chroma, truth), 2)
            row[name + "_cycle"] = round(metrics.cycle_psnr(fn, case.gray, case.reference, res.chroma), 2)
        rows.append(row)
        print(json.dumps(row), flush=True)
    return rows


def summarize(rows: list[dict], variants) -> dict:
    mean = {k: round(float(np.mean([r[k] for r in rows])), 2) for k in rows[0] if k != "case"}
    return {"mean": mean,
            "delta_vs_full_db": {v: round(mean[v] - mean["full"], 2) for v in variants if v != "full"},
            "cycle_delta_vs_full_db": {v: round(mean[v + "_cycle"] - mean["full_cycle"], 2)
                                       for v in variants if v != "full"}}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--variants", default=",".join(VARIANTS))
    ap.add_argument("--supervised-steps", type=int, default=500)
    ap.add_argument("--cycle-steps", type=int, default=100)
    ap.add_argument("--crop", default="96x224")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--validation-pairs", type=int, default=6)
    ap.add_argument("--photos-dir", default=None)
    ap.add_argument("--cosine", action="store_true",
                    help="each stage's lr falls on a half cosine to 0, so the end of a run is not a random draw")
    ap.add_argument("--setups", default="1,2,3")
    ap.add_argument("--working-pixels", type=int, default=350_000)
    ap.add_argument("--workdir", required=True, help="model files and run folders of the variants")
    ap.add_argument("--json", default=None)
    a = ap.parse_args(argv)
    variants = a.variants.split(",")
    unknown = set(variants) - set(VARIANTS)
    if unknown or "full" not in variants:
        ap.error(f"variants come from {', '.join(VARIANTS)} and must include full")
    workdir = Path(a.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    models = {v: train_variant(v, workdir, a) for v in variants}
    rows = evaluate(models, a)
    result = {"benchmark": "stereo_ablations", "config": vars(a), "rows": rows, **summarize(rows, variants),
              "minutes": round((time.perf_counter() - t0) / 60, 1),
              "cards": {v: {k: card.get(k) for k in ("validation", "training", "ablation")}
                        for v, card in ((v, json.loads(p.with_suffix(".json").read_text()))
                                        for v, p in models.items() if p.with_suffix(".json").is_file())}}
    print(json.dumps({k: result[k] for k in ("mean", "delta_vs_full_db", "cycle_delta_vs_full_db")}, indent=1))
    if a.json:
        Path(a.json).write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
