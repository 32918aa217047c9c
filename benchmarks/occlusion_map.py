"""How well the occlusion maps say which shot does not see what, on Motorcycle's true geometry.

The Motorcycle pair (both directions; the colour view 1x, 4x and 8x smaller; Setup 1 and 3
degradations, as the cross-camera benchmark makes them), colorized by ``ccdc`` (or
``--method cyclecnn``) in one process.
The truth comes from Middlebury's disparity (:func:`colorstudio.bench.stereo_oracle.unmatched_mask`):
a pixel has no counterpart when it lands outside the other view or behind a nearer surface
there. In the left view, pixels of unknown true disparity are left out of the scores (their truth
is not known); in the right view they cannot be told from the occluded ones (its disparity is the
left view's, moved across) and count as having no counterpart.

- red (over the gray: no match in the colour shot): precision and recall against the gray
  view's truth, beside the same number of pixels picked by the largest |V0| (the visibility
  map's brightness difference, the only such map before session 37); with ``--method cyclecnn``
  beside the same number picked by the largest entropy of the Cycle CNN's weight volume (its own
  uncertainty map), the maps brought from its working size to the gray's (nearest pixel);
- green (over the colour shot, stretched to the gray's size: no match in the gray): precision
  and recall against the colour view's truth.

Then pairs where neither shot hides anything: the colour shot is the gray's very frame, only
4x and 8x smaller (``training.ccdc_data``'s "still" kind, from its held-apart validation
photos): clean (a camera's own small colour shot, or a small colour copy of a scanned print)
and degraded per Setup 1-3. Every pixel marked there is a false alarm; the share of the gray
marked red is reported per group.

``--forward dis`` (default) scores the engine's own maps. ``--forward net`` scores the choice the
engine did not make: the same check with the net's final flow going forward instead of DIS's.
``--margin gray`` scores the check with its margin in the gray's pixels (session 37's) instead
of the colour shot's, DIS both ways.

Exits with 1 when, in any Motorcycle case, the red map is not more precise than the largest |V0|
(or entropy),
or when it marks on average a tenth or more of the same-frame pairs of a group (a map that
says so much of an unhidden pair is unseen misleads).

    python benchmarks/occlusion_map.py [--method ccdc|cyclecnn] [--forward dis|net] [--margin colour|gray]
        [--json benchmarks/results_occlusion_map.json] [--model FILE]
"""
from __future__ import annotations

import argparse
import json
import time

import cv2
import numpy as np

FACTORS = (1.0, 4.0, 8.0)
V0 = "largest |V0|, as many"
ENTROPY = "largest entropy, as many"
RIVAL = {"ccdc": (V0, "visibility_0"), "cyclecnn": (ENTROPY, "entropy")}   # the map red is compared with
SAME_FRAME_FACTORS = (4.0, 8.0)
SAME_FRAME_PAIRS = 8           # per group (clean or degraded, and size ratio)
SAME_FRAME_SIZE = (360, 480)   # the cross-camera benchmark's synthesized pairs' size
FALSE_ALARM_LIMIT = 0.10       # mean share of a same-frame group marked red that fails the run


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


def recomputed_maps(gray: np.ndarray, reference: np.ndarray, net_flow: np.ndarray | None = None,
                    beta: float | None = None) -> tuple:
    """(red, green) bool maps of the engine's check on the planes it uses, but with the net's flow
    (in gray pixels, at the gray's size) going forward if ``net_flow`` is given, and the margin
    ``beta`` in the gray's pixels if given (:func:`colorstudio.core.occlusion.shot_occlusion_map`)."""
    from colorstudio.core.occlusion import shot_occlusion_map

    o = shot_occlusion_map(gray, reference, forward=net_flow, beta=beta)
    return o.not_seen_by_colour_shot, o.not_seen_by_gray


def at_gray_size(diagnostics: dict, shape: tuple[int, int]) -> dict:
    """The maps brought from the working size to the gray's (nearest pixel), the others as they are."""
    h, w = shape
    return {k: cv2.resize(v, (w, h), interpolation=cv2.INTER_NEAREST)
            if isinstance(v, np.ndarray) and v.ndim == 2 and v.shape != shape else v
            for k, v in diagnostics.items()}


def engine_maps(gray: np.ndarray, reference: np.ndarray, args) -> tuple:
    """(the result's diagnostics at the gray's size, red, green): the engine's maps (``args.method``'s),
    or recomputed as ``args`` ask (``--forward net``, ``--margin gray``)."""
    from colorstudio.core.occlusion import BETA
    from colorstudio.engine.crosscam import colorize_crosscam
    from colorstudio.engine.stereo import colorize_stereo

    colorize = colorize_stereo if args.method == "cyclecnn" else colorize_crosscam
    d = at_gray_size(colorize(gray, reference, model=args.model).diagnostics, gray.shape)
    if args.forward == "dis" and args.margin == "colour":
        return d, d["occlusion"] < 0, d["occlusion_colour_shot"] > 0
    return (d, *recomputed_maps(gray, reference, d["flow"] if args.forward == "net" else None,
                                BETA if args.margin == "gray" else None))


def same_frame_records(args) -> list[dict]:
    """Per same-frame pair: the share of the gray marked red and of the colour shot marked green."""
    from colorstudio.bench.crosscam import same_frame_cases

    records = []
    for clean in (True, False):
        for case in same_frame_cases(SAME_FRAME_FACTORS, SAME_FRAME_PAIRS, clean, SAME_FRAME_SIZE):
            _, red, green = engine_maps(case.gray, case.reference, args)
            row = {"case": case.name, "group": case.group.removeprefix("same frame ").replace("/", " "),
                   "red_share": round(float(red.mean()), 4), "green_share": round(float(green.mean()), 4)}
            records.append(row)
            print(json.dumps(row), flush=True)
    return records


def main(argv=None) -> int:
    from colorstudio.bench.crosscam import motorcycle_cases
    from colorstudio.bench.stereo_oracle import unmatched_mask
    from colorstudio.core.atomic_files import atomic_write_text

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--method", choices=tuple(RIVAL), default="ccdc", help="whose maps (default %(default)s)")
    ap.add_argument("--forward", choices=("dis", "net"), default="dis",
                    help="the flow checked going forward: DIS's (the engine's maps) or the net's")
    ap.add_argument("--margin", choices=("colour", "gray"), default="colour",
                    help="the check's margin in the colour shot's pixels (the engine's) or the gray's")
    ap.add_argument("--json", help="write the records here")
    ap.add_argument("--model", help="the method's model file (default: the shipped one)")
    args = ap.parse_args(argv)
    if args.method == "cyclecnn" and args.forward == "net":
        ap.error("--forward net needs CCDC's flow; the Cycle CNN has a disparity, one way")
    rival, rival_map = RIVAL[args.method]
    t0 = time.perf_counter()
    records = []
    for case in motorcycle_cases(factors=FACTORS, setups=(1, 3)):
        gray_is_left = case.info["direction"] == "L<-R"
        disparity = case.info["disparity_left"]
        known_left = np.isfinite(disparity)
        everywhere = np.ones_like(known_left)
        known, known_ref = (known_left, everywhere) if gray_is_left else (everywhere, known_left)
        d, red, green = engine_maps(case.gray, case.reference, args)
        truth = unmatched_mask(disparity, gray_is_left)
        strongest = np.where(known, np.abs(d[rival_map]), -1.0)
        row = {"case": case.name, "factor": case.info["factor"], "method": args.method, "forward": args.forward,
               "margin": args.margin, "truth_share": round(float(truth[known].mean()), 3),
               "red": scores(red, truth, known),
               rival: scores(largest(strongest, int(red[known].sum())), truth, known),
               "green": scores(green, unmatched_mask(disparity, not gray_is_left), known_ref)}
        records.append(row)
        print(json.dumps(row), flush=True)
    print(f"\nprecision / recall, mean over the {len(records) // len(FACTORS)} cases of each size ratio:")
    for factor in FACTORS:
        rows = [r for r in records if r["factor"] == factor]
        mean = lambda k, score: np.mean([r[k][score] for r in rows])
        print(f"{factor:g}x: " + "  ".join(f"{k} {mean(k, 'precision'):.2f} / {mean(k, 'recall'):.2f}"
                                            for k in ("red", rival, "green")))
    same = same_frame_records(args)
    print("\nsame frame, nothing hidden: share of the gray marked red / of the colour shot marked green, mean (largest):")
    alarms = {}
    for group in dict.fromkeys(r["group"] for r in same):
        rows = [r for r in same if r["group"] == group]
        alarms[group] = float(np.mean([r["red_share"] for r in rows]))
        print(f"{group}: {alarms[group]:.3f} ({max(r['red_share'] for r in rows):.3f}) / "
              f"{np.mean([r['green_share'] for r in rows]):.3f} ({max(r['green_share'] for r in rows):.3f})")
    print(f"({time.perf_counter() - t0:.0f} s)")
    if args.json:
        atomic_write_text(args.json, json.dumps({"method": args.method, "forward": args.forward,
                                                 "margin": args.margin, "cases": records,
                                                 "same_frame": same}, indent=1) + "\n")
    worse = [r["case"] for r in records if r["red"]["precision"] <= r[rival]["precision"]]
    if worse:
        print(f"FAILED: the red map is not more precise than the {rival.removesuffix(', as many')} in {', '.join(worse)}")
    false_alarms = [g for g, share in alarms.items() if share >= FALSE_ALARM_LIMIT]
    if false_alarms:
        print(f"FAILED: the red map marks {FALSE_ALARM_LIMIT:.0%} or more of same-frame pairs ({', '.join(false_alarms)})")
    return 1 if worse or false_alarms else 0


if __name__ == "__main__":
    raise SystemExit(main())
