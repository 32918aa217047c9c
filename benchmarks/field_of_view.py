"""A colour shot with another field of view than the gray: how much the pair methods lose.

The Motorcycle pair (gray = the left view's luma) with the right view as the colour shot,
cropped to the central part of its frame (a narrower lens, another aspect ratio) and made 2x
and 4x smaller. Chroma PSNR against the left view's colour, over the region the colour shot
sees (its crop, less a 60 px margin for the parallax and 10 px top and bottom), for ccdc and
dis+gf, in one process. The whole view is the reference point.

    python benchmarks/field_of_view.py [--json benchmarks/results_field_of_view.json]
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


def main(argv=None) -> int:
    from skimage import data

    from colorstudio.core.color import rgb_to_ycbcr
    from colorstudio.core.imageio import Photo
    from colorstudio.engine.colorize import colorize

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", help="write the records here")
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
                chroma = rgb_to_ycbcr(colorize(Photo(pixels=gray), Photo(pixels=ref), method).rgb)[..., 1:]
                row[method] = round(float(10 * np.log10(1 / np.mean((chroma[seen] - truth[seen]) ** 2))), 2)
            records.append(row)
            print(f"view {keep_x:.2f} x {keep_y:.2f}, {factor}x smaller: "
                  + "  ".join(f"{m} {row[m]:.2f}" for m in METHODS), flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"command": "python benchmarks/field_of_view.py --json " + args.json,
                       "seconds": round(time.perf_counter() - t0, 1), "records": records}, f, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
