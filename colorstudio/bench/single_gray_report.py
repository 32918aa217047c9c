"""The single-gray benchmark's reports (:mod:`colorstudio.bench.single_gray`): the markdown
table, the contact sheet, and the numbers written into the model cards."""
from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np

from colorstudio.core.atomic_files import atomic_write_text

ALONE = " alone"      # with several HSV nets, each is also scored on its own as "<name> alone"
TILE_H = 128          # contact sheet tile height (px)


def markdown(results: dict) -> str:
    lines = [f"Validation photos: {len(results['validation_photos'])} (split seed {results['split_seed']}); "
             f"RGB PSNR on the input gray's own luma; colourfulness ratio = sum M(pred) / sum M(truth).", "",
             "| method | saturation | RGB PSNR (dB) | gain vs gray (dB) | colourfulness ratio | s/photo |",
             "|---|---:|---:|---:|---:|---:|"]
    g = results["gray_psnr"]
    for name, rows in results["table"].items():
        for s, r in rows.items():
            star = " **(default)**" if name in results["chosen_saturation"] and \
                str(results["chosen_saturation"][name]) == s else ""
            lines.append(f"| {name} | {s}{star} | {r['psnr']:.2f} | {r['psnr'] - g:+.2f} | "
                         f"{r['colourfulness_ratio']:.2f} | {r['seconds_per_photo']:.2f} |")
    lines.append("")
    for name, r in results["at_chosen"].items():
        lines.append(f"{name} at its default: {r['psnr_gain_db']:+.2f} ± {r['psnr_gain_se_db']:.2f} dB "
                     f"(standard error over the photos; worst photo {min(r['per_photo_gain_db']):+.2f} dB).")
        if cross := r.get("factor_fitted_without_the_photo"):
            lines.append(f"{name}, each photo at the factor fitted on the other photos: "
                         f"{cross['psnr_gain_db']:+.2f} dB, "
                         f"colourfulness ratio {cross['colourfulness_ratio']:.2f} (the default is fitted on all of "
                         "them, which flatters it).")
    for pair, d in results.get("paired_at_default", {}).items():
        lines.append(f"Paired, {pair} at their defaults: {d['mean_db']:+.2f} ± {d['se_db']:.2f} dB, "
                     f"better on {d['better_on']} of {d['photos']} photos.")
    for name, f in results.get("training_fit", {}).items():
        lines.append("")
        lines.append(f"{name} on {f['photos']} of its own training photos (saturation {f['saturation']:g}): "
                     f"{f['psnr_gain_db']:+.2f} dB vs gray, colourfulness ratio {f['colourfulness_ratio']:.2f}.")
    return "\n".join(lines) + "\n"


def contact_sheet(rows: list[list[np.ndarray]], labels: list[str]) -> np.ndarray:
    """Rows of RGB float images in [0,1] -> one (H, W, 3) uint8 sheet; tiles TILE_H high."""
    def tile(img):
        h, w = img.shape[:2]
        small = cv2.resize(np.asarray(img, np.float32), (round(w * TILE_H / h), TILE_H),
                           interpolation=cv2.INTER_AREA)
        return (np.clip(small, 0, 1) * 255 + 0.5).astype(np.uint8)
    tiles = [[tile(im) for im in row] for row in rows]
    col_w = [max(r[c].shape[1] for r in tiles) for c in range(len(labels))]
    header = np.full((28, sum(col_w) + 4 * len(col_w), 3), 255, np.uint8)
    x = 0
    for c, label in enumerate(labels):
        cv2.putText(header, label, (x + 4, 20), cv2.FONT_HERSHEY_SIMPLEX, 0.55, (0, 0, 0), 1, cv2.LINE_AA)
        x += col_w[c] + 4
    body = []
    for r in tiles:
        line = np.full((TILE_H + 4, header.shape[1], 3), 255, np.uint8)
        x = 0
        for c, t in enumerate(r):
            line[:TILE_H, x:x + t.shape[1]] = t
            x += col_w[c] + 4
        body.append(line)
    return np.concatenate([header] + body)


def _at_default(results: dict, name: str) -> dict:
    return {k: (round(v, 3) if isinstance(v, float) else v) for k, v in results["at_chosen"][name].items()}


def update_cards(results: dict, models: dict[str, str | None]) -> None:
    """Write each model's numbers into its card (an HSV net's own, scored alone, and those of the
    methods it is part of: the hsv2stage average and the ensemble)."""
    from colorstudio.engine.single import is_hsv_net_name

    hsv = [n for n in models if is_hsv_net_name(n)]
    for name, path in models.items():
        card_path = Path(path).with_suffix(".json")
        card = json.loads(card_path.read_text()) if card_path.exists() else {}
        key = name + ALONE if name + ALONE in results["at_chosen"] else name
        card["benchmark"] = {
            "command": "python -m colorstudio.bench.single_gray --out-dir benchmarks/single_gray --update-cards",
            "validation_photos": len(results["validation_photos"]),
            "gray_baseline_psnr": round(results["gray_psnr"], 3),
            "mean_chroma_baseline_psnr": round(results["table"]["mean chroma"]["-"]["psnr"], 3),
            "scored_as": key,
            "default_saturation": results["chosen_saturation"][key],
            "at_default": _at_default(results, key),
            "by_saturation": {s: {"psnr": round(r["psnr"], 3), "colourfulness_ratio": round(r["colourfulness_ratio"], 3)}
                              for s, r in results["table"][key].items()},
            "on_training_photos": {k: (round(v, 3) if isinstance(v, float) else v)
                                   for k, v in results.get("training_fit", {}).get(key, {}).items()},
            "paired_at_default": {pair: {k: (round(v, 3) if isinstance(v, float) else v) for k, v in d.items()}
                                  for pair, d in results.get("paired_at_default", {}).items()
                                  if key in pair.split(" - ")},
        }
        if key != "hsv2stage" and name in hsv:
            card["benchmark"]["hsv2stage_average"] = {"nets": hsv,
                                                      "default_saturation": results["chosen_saturation"]["hsv2stage"],
                                                      "at_default": _at_default(results, "hsv2stage")}
        if "ensemble" in results["at_chosen"]:
            card["benchmark"]["ensemble"] = {"members": list(models),
                                             "default_saturation": results["chosen_saturation"]["ensemble"],
                                             "at_default": _at_default(results, "ensemble")}
        atomic_write_text(card_path, json.dumps(card, indent=2) + "\n")
