"""CCDC with colour shots cleaner than the benchmark's Setups (not a unit test).

The cross-camera benchmark degrades every pair per Setup 1-3, whose colour noise (k = 0.03 or
0.07 of sigma = k sqrt(v)) is that of a small sensor at a high ISO. A processed JPEG at a low ISO,
or a reduced copy of a photo, is much cleaner. This scores CCDC on such pairs, in one process,
beside DIS flow + guided filter on the bicubic-upsampled shot:

- the Motorcycle pair (both directions, the other view 4x and 8x smaller, two draws of the
  cleaner cameras each): the one real scene;
- the cross-camera benchmark's synthesized viewpoint and temporal pairs (same scenes and motion,
  12 per group, 4x and 8x smaller), degraded by cameras cleaner than the Setups instead
  (``training.ccdc_data.cleaner_cameras``: k up to 0.01 on the gray, 0.02 on the colour shot);
- pairs whose colour shot is the gray's very frame, noiseless (8 per factor), where also the
  shot's own chroma brought up by the gray's detail (``copy+detail``: no alignment, nothing to
  align) is scored: what a method could reach there.

``--models A,B`` scores several CCDC files side by side (default: the shipped one). Exits with 1
when the first model is not above dis+gf on average in a group of moving pairs.

    python benchmarks/ccdc_cleaner_shots.py [--models FILE,FILE] [--pairs 12] [--json PATH]
"""
from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from pathlib import Path

import cv2
import numpy as np

BASELINE, COPY = "dis+gf", "copy+detail"


def _label(model: str | None) -> str:
    return f"ccdc ({Path(model).name})" if model else "ccdc"


def score_case(case, models: list[str | None]) -> dict:
    """Chroma PSNR of each CCDC model, dis+gf and (same-frame pairs) copy+detail on one case."""
    from colorstudio.core import baselines
    from colorstudio.core.color import rgb_to_ycbcr
    from colorstudio.core.guided import detail_upsample_chroma
    from colorstudio.core.metrics import chroma_psnr
    from colorstudio.engine.crosscam import colorize_crosscam

    truth = rgb_to_ycbcr(case.truth_rgb)[..., 1:]
    row = {"case": case.name, "group": case.group}
    for model in models:
        row[_label(model)] = round(chroma_psnr(colorize_crosscam(case.gray, case.reference, model=model).chroma, truth), 3)
    up = np.clip(cv2.resize(case.reference, case.gray.shape[::-1], interpolation=cv2.INTER_CUBIC), 0, 1)
    row[BASELINE] = round(chroma_psnr(baselines.dis_flow_warp_guided(case.gray, up).chroma, truth), 3)
    if case.group.startswith("same frame"):
        shot_chroma = rgb_to_ycbcr(case.reference)[..., 1:].astype(np.float32)
        row[COPY] = round(chroma_psnr(detail_upsample_chroma(shot_chroma, case.gray), truth), 3)
    return row


def group_means(rows: list[dict]) -> dict[str, dict[str, float]]:
    """{group: {method: mean chroma PSNR}} over the rows of each group."""
    groups: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        groups[r["group"]].append(r)
    return {g: {k: round(float(np.mean([r[k] for r in rs])), 3) for k in rs[0] if k not in ("case", "group")}
            for g, rs in groups.items()}


def main(argv=None) -> int:
    from colorstudio.bench.crosscam import motorcycle_cases, same_frame_cases, synthetic_cases
    from colorstudio.core.atomic_files import atomic_write_text

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default=None, help="CCDC model files, comma-separated (default: the shipped one)")
    ap.add_argument("--pairs", type=int, default=12, help="moving pairs per group (default %(default)s)")
    ap.add_argument("--same-frame-pairs", type=int, default=8)
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)
    models = [m.strip() for m in args.models.split(",")] if args.models else [None]
    t0 = time.perf_counter()
    cases = (motorcycle_cases(cleaner=True) + synthetic_cases(n=args.pairs, cleaner=True)
             + same_frame_cases(n=args.same_frame_pairs, clean=True))
    rows = []
    for case in cases:
        rows.append(score_case(case, models))
        print(json.dumps(rows[-1]), flush=True)
    means = group_means(rows)
    first = _label(models[0])
    print(f"\nchroma PSNR (dB), mean per group ({time.perf_counter() - t0:.0f} s):")
    for group, m in means.items():
        print(f"{group:<26} " + "  ".join(f"{k} {v:6.2f}" for k, v in m.items())
              + f"   {first} - {BASELINE}: {m[first] - m[BASELINE]:+.2f}")
    if args.json:
        atomic_write_text(args.json, json.dumps({"models": [m or "shipped" for m in models],
                                                 "means": means, "cases": rows}, indent=1) + "\n")
    behind = [g for g, m in means.items() if not g.startswith("same frame") and m[first] <= m[BASELINE]]
    if behind:
        print(f"FAILED: {first} is not above {BASELINE} in {', '.join(behind)}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
