"""How the engines bring a network's working-size chroma to full size: the upsamplers side by side.

    python -m colorstudio.bench.upsampling [--quick] [--json PATH]

A 12 MP photo is colorized at a working size 3.5x (CCDC, ~1 MP) to 6x (Cycle CNN, 0.35 MP)
smaller per side, so the upsampler decides much of what the photographer sees. This
benchmark shows it at the sizes the benchmark pairs have: each case's gray (and reference)
is area-reduced by ``factor`` — exactly what an engine does to reach its working size — the
method colorizes that small pair, and each upsampler brings the one prediction back to the
full-size gray, where it is scored against the truth (chroma PSNR).

Upsamplers: 'guided-filter' (:func:`colorstudio.core.guided.guided_upsample_chroma`, the fast
guided filter the engines used before), 'bicubic', and 'detail'
(:func:`colorstudio.core.guided.detail_upsample_chroma`, what they use now). Row 'truth' is
the true chroma reduced to the working size and brought back: the upsampler's own ceiling.
Cases: Motorcycle both directions and synthesized pairs from photos (Setup1; cyclecnn and
ccdc), and held-apart validation photos (the single-gray ensemble, working at 192 px).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import cv2
import numpy as np

from colorstudio.bench.cases import Case, motorcycle_cases, photo_cases
from colorstudio.core.atomic_files import atomic_write_text
from colorstudio.core.color import rgb_to_ycbcr
from colorstudio.core.guided import detail_upsample_chroma, guided_upsample_chroma
from colorstudio.core.metrics import chroma_psnr
from colorstudio.core.resize import area_reduce

FACTORS = (2.0, 3.5, 6.0)
UPSAMPLERS = {
    "guided-filter": guided_upsample_chroma,
    "bicubic": lambda c, g: np.clip(cv2.resize(c, g.shape[::-1], interpolation=cv2.INTER_CUBIC), 0, 1),
    "detail": detail_upsample_chroma,
}


def default_methods() -> dict:
    """name -> function(gray, reference or None) -> chroma at the gray's size (no upsampling:
    the pair is already at the engine's working size)."""
    from colorstudio.engine.crosscam import colorize_crosscam
    from colorstudio.engine.single import colorize_ensemble
    from colorstudio.engine.stereo import colorize_stereo

    return {"cyclecnn": lambda g, r: colorize_stereo(g, r).chroma,
            "ccdc": lambda g, r: colorize_crosscam(g, r).chroma,
            "ensemble": lambda g, r: colorize_ensemble(g).chroma}


FIXED_LONG_SIDE = {"ensemble": 192}   # methods that always work at this size (the single-gray nets)


def single_cases(n: int) -> list[Case]:
    """``n`` held-apart validation photos of the single-gray models, gray = their luma."""
    from colorstudio.bench.single_gray import truth_and_gray
    from colorstudio.training import single_gray_data as data

    _, val = data.split(data.list_photos())
    out = []
    for path in val[:n]:
        truth, gray = truth_and_gray(path)
        out.append(Case(f"single/{path.stem}", "single", 0, gray, None, truth, {}))
    return out


def evaluate(cases: list[tuple[str, Case]], factors=FACTORS, methods: dict | None = None,
             progress=print) -> list[dict]:
    """cases: (method name, case). One record per (case, method, factor, source, upsampler);
    source = the method's prediction or 'truth' (the true chroma reduced the same way)."""
    methods = default_methods() if methods is None else methods
    rows = []
    for k, (method, case) in enumerate(cases):
        truth = rgb_to_ycbcr(case.truth_rgb)[..., 1:].astype(np.float32)
        fixed = FIXED_LONG_SIDE.get(method)
        for factor in ((max(case.gray.shape) / fixed,) if fixed else factors):
            gray_w = area_reduce(case.gray, factor, min_side=8)
            ref_w = None if case.reference is None else area_reduce(case.reference, factor, min_side=8)
            group = f"{method}/{fixed}px" if fixed else f"{method}/{factor:g}x"
            t0 = time.perf_counter()
            chroma_w = methods[method](gray_w, ref_w)
            seconds = time.perf_counter() - t0
            truth_w = cv2.resize(truth, gray_w.shape[::-1], interpolation=cv2.INTER_AREA)
            for source, small in ((method, chroma_w), ("truth", truth_w)):
                for up_name, up in UPSAMPLERS.items():
                    rows.append({"case": case.name, "method": method, "source": source, "group": group,
                                 "factor": round(case.gray.shape[1] / gray_w.shape[1], 2),
                                 "working_size": [int(gray_w.shape[1]), int(gray_w.shape[0])],
                                 "upsampler": up_name, "seconds_method": round(seconds, 2),
                                 "chroma_psnr": round(chroma_psnr(up(small, case.gray), truth), 3)})
        if progress:
            last = [r for r in rows if r["case"] == case.name and r["method"] == method and r["source"] == method]
            progress(f"[{k + 1}/{len(cases)}] {method} {case.name}: " + ", ".join(
                f"{r['group'].split('/')[1]} {r['upsampler']} {r['chroma_psnr']:.2f}" for r in last))
    return rows


def summarize(rows: list[dict]) -> dict:
    """'method/factor' (single gray: 'ensemble/192px') -> source -> upsampler -> mean chroma
    PSNR; and detail's gain over the guided filter and over bicubic on the method's own
    prediction."""
    out = {}
    for key in dict.fromkeys(r["group"] for r in rows):
        sel = [r for r in rows if r["group"] == key]
        g = {}
        for source in dict.fromkeys(r["source"] for r in sel):
            g[source] = {u: round(float(np.mean([r["chroma_psnr"] for r in sel
                                                 if r["source"] == source and r["upsampler"] == u])), 3)
                         for u in UPSAMPLERS}
        own = g[sel[0]["method"]]
        g["cases"] = len({r["case"] for r in sel})
        g["detail_minus_guided_filter_db"] = round(own["detail"] - own["guided-filter"], 3)
        g["detail_minus_bicubic_db"] = round(own["detail"] - own["bicubic"], 3)
        out[key] = g
    return out


def table(summary: dict) -> str:
    lines = [f"{'method/factor':18s}{'source':>10s}" + "".join(f"{u:>15s}" for u in UPSAMPLERS)
             + "   (chroma PSNR, dB)"]
    for key, g in summary.items():
        for source, vals in g.items():
            if isinstance(vals, dict):
                lines.append(f"{key:18s}{source:>10s}" + "".join(f"{vals[u]:15.2f}" for u in UPSAMPLERS))
    return "\n".join(lines)


def build_cases(quick: bool) -> list[tuple[str, Case]]:
    moto = motorcycle_cases(setups=(1,))
    photos = photo_cases(1 if quick else 4, setups=(1,), seed=3)
    out = [(m, c) for m in ("cyclecnn", "ccdc") for c in (moto[:1] if quick else moto + photos)]
    return out + [("ensemble", c) for c in single_cases(2 if quick else 8)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true",
                    help="one Motorcycle direction per pair method, two single photos, factor 3.5")
    ap.add_argument("--json", type=Path, help="write all records and the summary here")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    rows = evaluate(build_cases(args.quick), factors=(3.5,) if args.quick else FACTORS)
    summary = summarize(rows)
    print(table(summary))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(args.json, json.dumps({"summary": summary, "records": rows, "factors": list(FACTORS),
                                         "seconds": round(time.perf_counter() - t0, 1),
                                         "command": "python -m colorstudio.bench.upsampling "
                                                    + " ".join(sys.argv[1:] if argv is None else argv)},
                                        indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
