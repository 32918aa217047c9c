"""Benchmark of the single-gray colorizers (issue #6) on the held-apart validation photos.

For each validation photo: gray = BT.601 luma of the truth; each method predicts chroma,
recomposed on that gray. Reported per method (and per saturation factor of the learned
ones): mean RGB PSNR vs the truth, and the colourfulness ratio (Hasler & Suesstrunk's M, colorstudio.core.metrics,
sum over photos of the prediction's / sum of the truth's). Baselines: the gray itself and
the training set's mean chroma. Writes results.json, results.md and a contact sheet
(truth | gray | each method at its chosen saturation).

    python -m colorstudio.bench.single_gray --out-dir DIR [--sheet PATH] [--update-cards]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import cv2
import numpy as np

from colorstudio.core.color import compose, luma, rgb_to_ycbcr
from colorstudio.core.imageio import save_photo
from colorstudio.core.metrics import colourfulness, rgb_psnr, truth_on_gray
from colorstudio.training import single_gray_data as data

SATURATIONS = (0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0)
TARGET_GAIN_DB = 1.0
TARGET_RATIO = 0.6
SHEET_ROWS = 8
TRAINING_FIT_PHOTOS = 24     # training photos scored too (see training_fit)
TILE_H = 128


def training_mean_chroma(files: list[Path]) -> np.ndarray:
    """(2,) mean Cb/Cr over the training photos (at the 192 px working size)."""
    return np.mean([rgb_to_ycbcr(data.load_rgb(p, 192))[..., 1:].reshape(-1, 2).mean(0) for p in files],
                   axis=0).astype(np.float32)


def _methods(models: dict[str, str | None]):
    """name -> (function(gray, saturation) -> chroma, saturations to try)."""
    from colorstudio.engine import single

    out = {}
    if "hsv2stage" in models:
        out["hsv2stage"] = (lambda g, s: single.colorize_hsv2stage(g, model=models["hsv2stage"], saturation=s).chroma,
                            SATURATIONS)
    if "cheng" in models:
        out["cheng"] = (lambda g, s: single.colorize_cheng(g, model=models["cheng"], saturation=s).chroma,
                        SATURATIONS)
    return out


def choose_saturation(rows: dict[float, dict], gray_psnr: float) -> float:
    """The default saturation factor of a method, from its benchmark rows (factor -> metrics).

    1. Among factors meeting both targets (PSNR gain and colourfulness ratio): the best PSNR.
    2. Else the most colourful factor whose PSNR is not below the gray's (colour that does
       no harm on average).
    3. Else the best PSNR.
    """
    both = [s for s, r in rows.items() if r["psnr"] - gray_psnr >= TARGET_GAIN_DB
            and r["colourfulness_ratio"] >= TARGET_RATIO]
    if both:
        return max(both, key=lambda s: rows[s]["psnr"])
    harmless = [s for s, r in rows.items() if r["psnr"] >= gray_psnr]
    if harmless:
        return max(harmless, key=lambda s: rows[s]["colourfulness_ratio"])
    return max(rows, key=lambda s: rows[s]["psnr"])


def truth_and_gray(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """A photo at full size as (truth, gray): gray = its BT.601 luma, truth = its chroma on
    that luma (clipped), which is what a perfect colorization of the gray would give."""
    rgb = data.load_rgb(path)
    gray = luma(rgb)
    return truth_on_gray(gray, rgb), gray


def training_fit(methods: dict, chosen: dict[str, float], files: list[Path]) -> dict[str, dict]:
    """Each method at its chosen saturation on some of its own training photos: how far it fits
    what it saw. Far above the held-apart numbers = memorising (more data would help most)."""
    gains: dict[str, list] = {n: [] for n in methods}
    cols: dict[str, list] = {n: [] for n in methods}
    truth_cols = []
    for path in files:
        truth, gray = truth_and_gray(path)
        truth_cols.append(colourfulness(truth))
        base = rgb_psnr(gray, np.full(gray.shape + (2,), 0.5, np.float32), truth)
        for name, (fn, _) in methods.items():
            chroma = fn(gray, chosen[name])
            gains[name].append(rgb_psnr(gray, chroma, truth) - base)
            cols[name].append(colourfulness(compose(gray, chroma)))
    return {n: {"photos": len(files), "saturation": chosen[n], "psnr_gain_db": float(np.mean(gains[n])),
                "colourfulness_ratio": float(np.sum(cols[n]) / np.sum(truth_cols))} for n in methods}


def run(out_dir: Path, models: dict[str, str | None], sheet: Path, photos: Path = data.DEFAULT_PHOTOS):
    """Generator yielding progress strings; the last item is the results dict."""
    train_files, val_files = data.split(data.list_photos(photos))
    yield f"mean chroma of {len(train_files)} training photos"
    mean_chroma = training_mean_chroma(train_files)
    methods = _methods(models)
    psnrs: dict[tuple, list] = {}
    cols: dict[tuple, list] = {}
    secs: dict[tuple, list] = {}
    truth_cols, outputs = [], []
    for i, path in enumerate(val_files):
        truth, gray = truth_and_gray(path)
        truth_cols.append(colourfulness(truth))
        preds = {("gray", None): np.full(gray.shape + (2,), 0.5, np.float32),
                 ("mean chroma", None): np.broadcast_to(mean_chroma, gray.shape + (2,))}
        for name, (fn, sats) in methods.items():
            for s in sats:
                t = time.perf_counter()
                preds[(name, s)] = fn(gray, s)
                secs.setdefault((name, s), []).append(time.perf_counter() - t)
        rgbs = {}
        for key, chroma in preds.items():
            rgb = compose(gray, chroma)
            rgbs[key] = rgb
            psnrs.setdefault(key, []).append(rgb_psnr(gray, chroma, truth))
            cols.setdefault(key, []).append(colourfulness(rgb))
        outputs.append((truth, gray, rgbs))
        yield f"{i + 1}/{len(val_files)} {path.name}"
        if i >= SHEET_ROWS:
            outputs[-1] = None  # keep only the contact sheet's rows in memory
    total_truth = float(np.sum(truth_cols))
    table = {}
    for key in psnrs:
        name, s = key
        table.setdefault(name, {})[s] = {
            "psnr": float(np.mean(psnrs[key])),
            "colourfulness_ratio": float(np.sum(cols[key]) / total_truth),
            "seconds_per_photo": float(np.mean(secs[key])) if key in secs else 0.0}
    gray_psnr = table["gray"][None]["psnr"]
    chosen = {name: choose_saturation(table[name], gray_psnr) for name in methods}
    fit_files = train_files[::max(1, len(train_files) // TRAINING_FIT_PHOTOS)][:TRAINING_FIT_PHOTOS]
    yield f"the same on {len(fit_files)} training photos"
    fit = training_fit(methods, chosen, fit_files)
    results = {
        "validation_photos": [p.name for p in val_files], "split_seed": data.SPLIT_SEED,
        "mean_chroma": mean_chroma.tolist(), "gray_psnr": gray_psnr,
        "targets": {"psnr_gain_db": TARGET_GAIN_DB, "colourfulness_ratio": TARGET_RATIO},
        "table": {n: {("-" if s is None else str(s)): r for s, r in rows.items()} for n, rows in table.items()},
        "chosen_saturation": chosen,
        "at_chosen": {n: dict(table[n][s], saturation=s,
                              psnr_gain_db=table[n][s]["psnr"] - gray_psnr,
                              meets_targets=bool(table[n][s]["psnr"] - gray_psnr >= TARGET_GAIN_DB
                                                 and table[n][s]["colourfulness_ratio"] >= TARGET_RATIO))
                      for n, s in chosen.items()},
        "training_fit": fit,
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    (out_dir / "results.md").write_text(markdown(results))
    labels = ["truth", "gray"] + [f"{n} x{chosen[n]:g}" for n in methods]
    rows = [[o[0], np.repeat(o[1][..., None], 3, -1)] + [o[2][(n, chosen[n])] for n in methods]
            for o in outputs if o is not None]
    save_photo(sheet, contact_sheet(rows, labels))
    yield f"wrote {out_dir / 'results.json'}, {out_dir / 'results.md'}, {sheet}"
    yield results


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


def update_cards(results: dict, models: dict[str, str | None]) -> None:
    for name, path in models.items():
        card_path = Path(path).with_suffix(".json")
        card = json.loads(card_path.read_text()) if card_path.exists() else {}
        card["benchmark"] = {
            "command": "python -m colorstudio.bench.single_gray --out-dir benchmarks/single_gray --update-cards",
            "validation_photos": len(results["validation_photos"]),
            "gray_baseline_psnr": round(results["gray_psnr"], 3),
            "mean_chroma_baseline_psnr": round(results["table"]["mean chroma"]["-"]["psnr"], 3),
            "default_saturation": results["chosen_saturation"][name],
            "at_default": {k: (round(v, 3) if isinstance(v, float) else v)
                           for k, v in results["at_chosen"][name].items()},
            "by_saturation": {s: {"psnr": round(r["psnr"], 3), "colourfulness_ratio": round(r["colourfulness_ratio"], 3)}
                              for s, r in results["table"][name].items()},
            "on_training_photos": {k: (round(v, 3) if isinstance(v, float) else v)
                                   for k, v in results.get("training_fit", {}).get(name, {}).items()},
        }
        card_path.write_text(json.dumps(card, indent=2) + "\n")


def main(argv: list[str] | None = None) -> int:
    from colorstudio.engine.learned_methods import weight_file

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out-dir", type=Path, required=True)
    ap.add_argument("--sheet", type=Path, help="contact sheet PNG (default OUT_DIR/contact_sheet.png)")
    ap.add_argument("--hsv2stage", help="weight file (default models/hsv2stage.safetensors)")
    ap.add_argument("--cheng", help="weight file (default models/cheng.safetensors)")
    ap.add_argument("--update-cards", action="store_true", help="write the numbers into the model cards")
    ap.add_argument("--photos", type=Path, default=data.DEFAULT_PHOTOS)
    args = ap.parse_args(argv)
    models = {}
    for name in ("hsv2stage", "cheng"):
        path = getattr(args, name) or weight_file(name)
        if Path(path).is_file():
            models[name] = str(path)
        else:
            print(f"skipping {name}: {path} not found", file=sys.stderr)
    import torch
    torch.set_num_threads(1)
    results = None
    for item in run(args.out_dir, models, args.sheet or args.out_dir / "contact_sheet.png", args.photos):
        if isinstance(item, dict):
            results = item
        else:
            print(item, flush=True)
    print(markdown(results))
    if args.update_cards:
        update_cards(results, models)
    return 0


if __name__ == "__main__":
    sys.exit(main())
