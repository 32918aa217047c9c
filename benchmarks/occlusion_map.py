"""How well CCDC's occlusion map says which shot does not see what, on Motorcycle's true geometry.

The Motorcycle pair (both directions; the colour view 1x, 4x and 8x smaller; Setup 1 and 3
degradations, as the cross-camera benchmark makes them), colorized by ``ccdc`` in one process.
The truth comes from Middlebury's disparity (:func:`colorstudio.bench.stereo_oracle.unmatched_mask`):
a gray pixel has no counterpart when it lands outside the other view or behind a nearer surface
there. In the left view, pixels of unknown true disparity are left out of the scores (their truth
is not known); in the right view they cannot be told from the occluded ones (its disparity is the
left view's, moved across) and count as having no counterpart.

- red (the gray's pixels the colour shot does not see): precision and recall against that truth,
  beside the same number of pixels picked by the largest |V0| (the visibility map's brightness
  difference, the only such map before session 37);
- green's source (the colour shot's pixels the gray does not see, in the colour shot's frame at
  the gray's size, before they are drawn where they lie in the gray's frame): precision and recall
  against the other view's truth.

    python benchmarks/occlusion_map.py [--json benchmarks/results_occlusion_map.json] [--model FILE]
"""
from __future__ import annotations

import argparse
import json
import time

import numpy as np

FACTORS = (1.0, 4.0, 8.0)


def scores(found: np.ndarray, truth: np.ndarray, known: np.ndarray) -> dict:
    """Precision, recall and F1 of the bool map ``found`` against ``truth``, over ``known``."""
    found, truth = found[known], truth[known]
    hit = float((found & truth).sum())
    precision, recall = hit / max(found.sum(), 1), hit / max(truth.sum(), 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-9)
    return {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3),
            "share": round(float(found.mean()), 3)}


def largest(values: np.ndarray, count: int) -> np.ndarray:
    """Bool map of the ``count`` largest entries of ``values``."""
    flat = values.ravel()
    out = np.zeros(flat.size, bool)
    if count > 0:
        out[np.argpartition(flat, flat.size - count)[flat.size - count:]] = True
    return out.reshape(values.shape)


def main(argv=None) -> int:
    from colorstudio.bench.crosscam import motorcycle_cases
    from colorstudio.bench.stereo_oracle import unmatched_mask
    from colorstudio.core.baselines import match_luma
    from colorstudio.core.color import rgb_to_ycbcr
    from colorstudio.core.image_write import atomic_write_text
    from colorstudio.core.occlusion import occlusion_map
    from colorstudio.engine.crosscam import colorize_crosscam

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", help="write the records here")
    ap.add_argument("--model", help="the CCDC model file (default: the shipped one)")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    records = []
    for case in motorcycle_cases(factors=FACTORS, setups=(1, 3)):
        gray_is_left = case.info["direction"] == "L<-R"
        disparity = case.info["disparity_left"]
        known_left = np.isfinite(disparity)
        everywhere = np.ones_like(known_left)
        known, known_ref = (known_left, everywhere) if gray_is_left else (everywhere, known_left)
        result = colorize_crosscam(case.gray, case.reference, model=args.model)
        occlusion = result.diagnostics["occlusion"]
        if occlusion.shape != case.gray.shape:
            raise SystemExit(f"{case.name}: the map is not at the gray's size (working size {occlusion.shape})")
        red = occlusion < 0
        truth = unmatched_mask(disparity, gray_is_left)
        v0 = np.abs(result.diagnostics["visibility_0"])
        ref_luma = match_luma(rgb_to_ycbcr(case.reference)[..., 0].astype(np.float32), case.gray)
        reference_only = occlusion_map(case.gray, ref_luma).reference_only
        row = {"case": case.name, "factor": case.info["factor"],
               "truth_share": round(float(truth[known].mean()), 3),
               "red": scores(red, truth, known),
               "largest |V0|, as many": scores(largest(np.where(known, v0, -1.0), int(red[known].sum())), truth, known),
               "green source": scores(reference_only, unmatched_mask(disparity, not gray_is_left), known_ref)}
        records.append(row)
        print(json.dumps(row), flush=True)
    print(f"\nprecision / recall, mean over the {len(records) // len(FACTORS)} cases of each size ratio:")
    for factor in FACTORS:
        rows = [r for r in records if r["factor"] == factor]
        mean = lambda k, score: np.mean([r[k][score] for r in rows])
        line = "  ".join(f"{k} {mean(k, 'precision'):.2f} / {mean(k, 'recall'):.2f}"
                         for k in ("red", "largest |V0|, as many", "green source"))
        print(f"{factor:g}x: {line}")
    print(f"({time.perf_counter() - t0:.0f} s)")
    if args.json:
        atomic_write_text(args.json, json.dumps({"cases": records}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
