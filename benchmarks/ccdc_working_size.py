"""CCDC's working-size bound on pairs larger than the cross-camera benchmark's (not a unit test).

The cross-camera benchmark's synthesized pairs are 480x360, below every bound, so it cannot
say which bound suits larger photos. This makes pairs at ``--size`` from CCDC's held-apart
validation photos (``training.ccdc_data``: "viewpoint" and "temporal" motion, and "same":
the photo itself with its colour shot only reduced, a camera's own small colour shot), with
the colour shot ``--factors`` times smaller, and runs ``ccdc`` at each working-size bound of
``--bounds`` beside DIS flow + guided filter, in one process, on the same pixels. Prints the
chroma PSNR per group (mean over the pairs) and the time per run; ``--json`` keeps every
pair's numbers. Photos above about 1 MP are upscaled, so large sizes are softer than a camera's.

    python benchmarks/ccdc_working_size.py [--size 768,1024] [--factors 4,8] [--pairs 4]
        [--bounds 1000000,400000] [--kinds viewpoint,temporal,same] [--model FILE] [--json PATH]

Session 27 ran it at 768,1024 (4 pairs), 1200,1600 and 2048,2730 (3 pairs); see the README's
cross-camera section.
"""
from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from pathlib import Path

import cv2
import numpy as np


def _psnr(chroma: np.ndarray, truth_rgb: np.ndarray) -> float:
    from colorstudio.core.color import rgb_to_ycbcr
    from colorstudio.core.metrics import chroma_psnr

    return chroma_psnr(chroma, rgb_to_ycbcr(truth_rgb)[..., 1:])


def _pairs(kind: str, factor: float, n: int, size_hw: tuple[int, int], scenes: list, seed: int):
    """(gray, reference, truth RGB) pairs of one group, drawn with a fixed seed."""
    from colorstudio.core.color import luma
    from colorstudio.core.resize import area_reduce
    from colorstudio.training import ccdc_data

    H, W = size_hw
    rng = np.random.default_rng([seed, len(kind), int(factor * 10)])
    for i in range(n):
        if kind == "same":
            truth = cv2.resize(scenes[(i * 5 + int(factor)) % len(scenes)].astype(np.float32) / 255,
                               (W, H), interpolation=cv2.INTER_AREA)
            gray = (np.round(luma(truth) * 255) / 255).astype(np.float32)
            ref = (np.round(np.clip(area_reduce(truth, factor), 0, 1) * 255) / 255).astype(np.float32)
            yield gray, ref, truth
        else:
            p = ccdc_data.synthesize(scenes, rng, size_hw, factor, kind)
            yield p.gray, p.reference, p.truth_rgb


def main(argv=None) -> int:
    from colorstudio.core import baselines
    from colorstudio.engine.crosscam import colorize_crosscam
    from colorstudio.training import ccdc_data

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="768,1024", help="gray height,width (default %(default)s)")
    ap.add_argument("--factors", default="4,8")
    ap.add_argument("--pairs", type=int, default=4, help="pairs per kind and factor")
    ap.add_argument("--bounds", default="1000000,400000", help="working-size bounds (pixels) to compare")
    ap.add_argument("--kinds", default="viewpoint,temporal,same")
    ap.add_argument("--model", default=None, help="a CCDC model file (default: the shipped one)")
    ap.add_argument("--seed", type=int, default=77)
    ap.add_argument("--photos-dir", default=None, help="default: ../shared/data/photos")
    ap.add_argument("--json", default=None)
    a = ap.parse_args(argv)
    H, W = (int(v) for v in a.size.split(","))
    bounds = [int(b) for b in a.bounds.split(",")]
    _, val = ccdc_data.photo_split(*([Path(a.photos_dir)] if a.photos_dir else []))
    scenes = ccdc_data.load_scenes(val, long_side=int(1.6 * max(H, W)))
    records, groups = [], defaultdict(list)
    for kind in a.kinds.split(","):
        for factor in (float(f) for f in a.factors.split(",")):
            for gray, ref, truth in _pairs(kind, factor, a.pairs, (H, W), scenes, a.seed):
                up = np.clip(cv2.resize(ref, (W, H), interpolation=cv2.INTER_CUBIC), 0, 1)
                rec = {"kind": kind, "factor": factor, "dis+gf": _psnr(baselines.dis_flow_warp_guided(gray, up).chroma, truth)}
                for b in bounds:
                    t = time.perf_counter()
                    r = colorize_crosscam(gray, ref, model=a.model, mode="crosscam", max_pixels=b)
                    rec[f"ccdc@{b}"] = _psnr(r.chroma, truth)
                    rec[f"seconds@{b}"] = round(time.perf_counter() - t, 2)
                records.append(rec)
                groups[(kind, factor)].append(rec)
                print(json.dumps(rec), flush=True)
    print(f"\nchroma PSNR (dB), gray {W}x{H}, mean over the pairs of each group:")
    for (kind, factor), recs in groups.items():
        cols = ["dis+gf"] + [f"ccdc@{b}" for b in bounds]
        line = "  ".join(f"{c} {np.mean([r[c] for r in recs]):6.2f}" for c in cols)
        secs = "  ".join(f"{np.mean([r[f'seconds@{b}'] for r in recs]):.1f}s" for b in bounds)
        print(f"{kind:<9} {factor:g}x ({len(recs)}): {line}  | {secs}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"size": [H, W], "bounds": bounds, "records": records}, f, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
