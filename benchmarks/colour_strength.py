"""Changing a single-gray result's colour strength against colorizing it again (not a unit test).

For each learned single-gray method and size, in one process: colorize the gray once at the
method's default strength, then time (a) colorizing again at strength 1.5, the way the app
had to before, and (b) ``engine.colorize.with_saturation(result, 1.5)``, what the strength
slider now runs. The gray is the Motorcycle left view's luma, bicubic-upscaled. Fails (exit 1)
when (b) is not the same result as (a) to 1e-5, or is not at least 1.5x faster: both end with
the same full-size upsampling and composition (about 0.25 s at 12 MP on 2 cores), which bounds
the speed-up at large sizes; what (b) saves is the method itself. Also timed: how long until
the new strength is on screen, from the full-size result (its display copy) and from the
preview the app shows first (``preview_with_saturation`` at the display size); fails when the
preview differs from the full size's display copy by more than 1 level on average.

    python benchmarks/colour_strength.py [--sizes 1,12] [--methods ensemble,hsv2stage,cheng] [--json PATH]
"""
from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np

STRENGTH = 1.5
MIN_SPEED_UP = 1.5
MAX_PREVIEW_DIFFERENCE = 1.0     # mean, in 8-bit levels, between the preview and the full size's display copy


def measure(method: str, megapixels: float) -> dict:
    from colorstudio.bench.cases import upscaled_motorcycle
    from colorstudio.core.photo import Photo
    from colorstudio.engine.colorize import colorize, preview_with_saturation, with_saturation
    from colorstudio.gui.display import MAX_DISPLAY_SIDE, display_image

    gray, _ = upscaled_motorcycle(megapixels)
    photo = Photo(pixels=(gray * 255).round().astype(np.uint8))
    first = colorize(photo, method=method)
    t0 = time.perf_counter()
    again = colorize(photo, method=method, options={"saturation": STRENGTH})
    t_again = time.perf_counter() - t0
    t0 = time.perf_counter()
    changed = with_saturation(first, STRENGTH)
    t_change = time.perf_counter() - t0
    shown = display_image(changed.rgb)
    t_shown = time.perf_counter() - t0
    preview = display_image(preview_with_saturation(first, STRENGTH, MAX_DISPLAY_SIDE))
    t_preview = time.perf_counter() - t0 - t_shown
    return {"method": method, "megapixels": round(gray.size / 1e6, 2), "colorize_s": round(t_again, 3),
            "strength_change_s": round(t_change, 3), "speed_up": round(t_again / t_change, 1),
            "max_difference": float(np.abs(changed.rgb - again.rgb).max()),
            "on_screen_full_s": round(t_shown, 3), "on_screen_preview_s": round(t_preview, 3),
            "preview_mean_difference": float(np.abs(preview.astype(int) - shown).mean()),
            "first_colorize_s": round(first.seconds, 3)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1,12", help="megapixels, comma-separated")
    ap.add_argument("--methods", default="ensemble,hsv2stage,cheng")
    ap.add_argument("--json", help="also write the rows here")
    args = ap.parse_args(argv)
    rows = [measure(m, float(s)) for s in args.sizes.split(",") for m in args.methods.split(",")]
    print("| method | MP | colorize again (s) | strength change (s) | speed-up | max difference "
          "| on screen: full size / preview (s) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['method']} | {r['megapixels']} | {r['colorize_s']:.2f} | {r['strength_change_s']:.2f} | "
              f"{r['speed_up']:.1f}× | {r['max_difference']:.1e} | "
              f"{r['on_screen_full_s']:.2f} / {r['on_screen_preview_s']:.2f} |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=2)
    bad = [r for r in rows if r["max_difference"] > 1e-5 or r["speed_up"] < MIN_SPEED_UP
           or r["preview_mean_difference"] > MAX_PREVIEW_DIFFERENCE]
    for r in bad:
        print(f"FAILED: {r['method']} at {r['megapixels']} MP", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
