"""How well CCDC's occlusion maps say which shot does not see what, on Motorcycle's true geometry.

The Motorcycle pair (both directions; the colour view 1x, 4x and 8x smaller; Setup 1 and 3
degradations, as the cross-camera benchmark makes them), colorized by ``ccdc`` in one process.
The truth comes from Middlebury's disparity (:func:`colorstudio.bench.stereo_oracle.unmatched_mask`):
a pixel has no counterpart when it lands outside the other view or behind a nearer surface
there. In the left view, pixels of unknown true disparity are left out of the scores (their truth
is not known); in the right view they cannot be told from the occluded ones (its disparity is the
left view's, moved across) and count as having no counterpart.

- red (over the gray: no match in the colour shot): precision and recall against the gray
  view's truth, beside the same number of pixels picked by the largest |V0| (the visibility
  map's brightness difference, the only such map before session 37);
- green (over the colour shot, stretched to the gray's size: no match in the gray): precision
  and recall against the colour view's truth.

``--forward dis`` (default) scores the engine's own maps. ``--forward net`` scores the choice the
engine did not make: the same check with the net's final flow going forward instead of DIS's.

Exits with 1 when, in any case, the red map is not more precise than the largest |V0|.

    python benchmarks/occlusion_map.py [--forward dis|net] [--json benchmarks/results_occlusion_map.json]
        [--model FILE]
"""
from __future__ import annotations

import argparse
import json
import time

import numpy as np

FACTORS = (1.0, 4.0, 8.0)
V0 = "largest |V0|, as many"


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


def maps_with_the_nets_flow(gray: np.ndarray, reference: np.ndarray, net_flow: np.ndarray) -> tuple:
    """(red, green) bool maps of the check with the net's flow (in gray pixels, at the gray's size)
    going forward and DIS's coming back, on the planes the engine uses."""
    from colorstudio.core.baselines import dis_flow, match_luma
    from colorstudio.core.color import rgb_to_ycbcr
    from colorstudio.core.occlusion import flow_planes, unmatched

    g8, r8 = flow_planes(gray, match_luma(rgb_to_ycbcr(reference)[..., 0].astype(np.float32), gray))
    backward = dis_flow(r8, g8, "medium")
    return unmatched(net_flow, backward), unmatched(backward, net_flow)


def main(argv=None) -> int:
    from colorstudio.bench.crosscam import motorcycle_cases
    from colorstudio.bench.stereo_oracle import unmatched_mask
    from colorstudio.core.image_write import atomic_write_text
    from colorstudio.engine.crosscam import colorize_crosscam

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--forward", choices=("dis", "net"), default="dis",
                    help="the flow checked going forward: DIS's (the engine's maps) or the net's")
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
        d = result.diagnostics
        if d["occlusion"].shape != case.gray.shape:
            raise SystemExit(f"{case.name}: the maps are not at the gray's size (working size {d['occlusion'].shape})")
        red, green = d["occlusion"] < 0, d["occlusion_colour_shot"] > 0
        if args.forward == "net":
            red, green = maps_with_the_nets_flow(case.gray, case.reference, d["flow"])
        truth = unmatched_mask(disparity, gray_is_left)
        v0 = np.where(known, np.abs(d["visibility_0"]), -1.0)
        row = {"case": case.name, "factor": case.info["factor"], "forward": args.forward,
               "truth_share": round(float(truth[known].mean()), 3),
               "red": scores(red, truth, known),
               V0: scores(largest(v0, int(red[known].sum())), truth, known),
               "green": scores(green, unmatched_mask(disparity, not gray_is_left), known_ref)}
        records.append(row)
        print(json.dumps(row), flush=True)
    print(f"\nprecision / recall, mean over the {len(records) // len(FACTORS)} cases of each size ratio:")
    for factor in FACTORS:
        rows = [r for r in records if r["factor"] == factor]
        mean = lambda k, score: np.mean([r[k][score] for r in rows])
        print(f"{factor:g}x: " + "  ".join(f"{k} {mean(k, 'precision'):.2f} / {mean(k, 'recall'):.2f}"
                                            for k in ("red", V0, "green")))
    print(f"({time.perf_counter() - t0:.0f} s)")
    if args.json:
        atomic_write_text(args.json, json.dumps({"forward": args.forward, "cases": records}, indent=1) + "\n")
    worse = [r["case"] for r in records if r["red"]["precision"] <= r[V0]["precision"]]
    if worse:
        print(f"FAILED: the red map is not more precise than the largest |V0| in {', '.join(worse)}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
