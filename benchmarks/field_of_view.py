"""A colour shot with another field of view than the gray: how much the pair methods lose.

The Motorcycle pair (gray = the left view's luma) with the right view as the colour shot,
cropped to the central part of its frame (a narrower lens, another aspect ratio) and made 2x
and 4x smaller. Chroma PSNR against the left view's colour, over the region the colour shot
sees (its crop, less a 60 px margin for the parallax and 10 px top and bottom), for ccdc and
dis+gf, in one process. The whole view is the reference point. Then synthesized pairs
from the held-apart photos (:mod:`colorstudio.training.ccdc_data`'s "narrower" kind: a colour
camera seeing 62-100 % of the gray's width and/or height), 4x and 8x smaller, chroma PSNR over
the whole frame.

    python benchmarks/field_of_view.py [--json benchmarks/results_field_of_view.json] [--model FILE]
"""
from __future__ import annotations

import argparse
import json
import time

import cv2
import numpy as np

VIEWS = ((1.0, 1.0), (0.85, 1.0), (0.7, 1.0), (0.8, 0.8), (1.0, 0.8))   # kept share of (width, height)
FACTORS = (2, 4)
METHODS = ("ccdc", "dis+gf")
N_SYNTHETIC = 12          # "narrower" pairs per factor
SYNTHETIC_FACTORS = (4.0, 8.0)


def main(argv=None) -> int:
    from skimage import data

    from colorstudio.core.color import rgb_to_ycbcr
    from colorstudio.core.metrics import chroma_psnr
    from colorstudio.core.photo import Photo
    from colorstudio.engine.colorize import colorize

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", help="write the records here")
    ap.add_argument("--model", help="the CCDC model file (default: the shipped one)")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    left, right = data.stereo_motorcycle()[:2]
    ycc = rgb_to_ycbcr(left.astype(np.float32) / 255)
    truth, gray = ycc[..., 1:], np.rint(ycc[..., 0] * 255).astype(np.uint8)
    H, W = gray.shape
    records = []
    for keep_x, keep_y in VIEWS:
        x0, y0 = int(W * (1 - keep_x) / 2), int(H * (1 - keep_y) / 2)
        seen = (slice(y0 + 10, H - y0 - 10), slice(x0 + 60, W - x0 - 60))
        for factor in FACTORS:
            crop = right[y0:H - y0, x0:W - x0]
            ref = cv2.resize(crop, (crop.shape[1] // factor, crop.shape[0] // factor), interpolation=cv2.INTER_AREA)
            row = {"view": [keep_x, keep_y], "factor": factor, "reference_size": [ref.shape[1], ref.shape[0]]}
            for method in METHODS:
                model = args.model if method == "ccdc" else None
                chroma = rgb_to_ycbcr(colorize(Photo(pixels=gray), Photo(pixels=ref), method, model).rgb)[..., 1:]
                row[method] = round(chroma_psnr(chroma[seen], truth[seen]), 2)
            records.append(row)
            print(f"view {keep_x:.2f} x {keep_y:.2f}, {factor}x smaller: "
                  + "  ".join(f"{m} {row[m]:.2f}" for m in METHODS), flush=True)
    synthetic = synthetic_records(args.model)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"command": "python benchmarks/field_of_view.py --json " + args.json
                       + (f" --model {args.model}" if args.model else ""),
                       "seconds": round(time.perf_counter() - t0, 1), "records": records,
                       "narrower_synthetic": synthetic}, f, indent=1)
    return 0


def synthetic_records(model=None) -> dict:
    """Mean chroma PSNR of each method over :data:`N_SYNTHETIC` "narrower" pairs per factor."""
    from colorstudio.bench.crosscam import _methods
    from colorstudio.core.color import rgb_to_ycbcr
    from colorstudio.core.metrics import chroma_psnr
    from colorstudio.training import ccdc_data

    scenes = ccdc_data.load_scenes(ccdc_data.photo_split()[1], long_side=640)
    methods = {m: fn for m, fn in _methods(model).items() if m in METHODS}
    out = {}
    for factor in SYNTHETIC_FACTORS:
        rng = np.random.default_rng([77, 5, int(factor * 10)])
        scores = {m: [] for m in methods}
        for _ in range(N_SYNTHETIC):
            p = ccdc_data.synthesize(scenes, rng, (360, 480), factor, "narrower")
            truth = rgb_to_ycbcr(p.truth_rgb)[..., 1:]
            for m, fn in methods.items():
                scores[m].append(chroma_psnr(fn(p.gray, p.reference).chroma, truth))
        out[f"{factor:g}x"] = {m: round(float(np.mean(v)), 2) for m, v in scores.items()}
        print(f"narrower (synthesized), {factor:g}x smaller: "
              + "  ".join(f"{m} {v:.2f}" for m, v in out[f"{factor:g}x"].items()), flush=True)
    return out


if __name__ == "__main__":
    raise SystemExit(main())
