"""Cycle CNN vs the classic warps on Motorcycle (both directions x Setup1/2/3), one process.

    python benchmarks/stereo_motorcycle.py [--model models/cyclecnn.safetensors]
        [--checkpoint RUN_DIR/supervised] [--methods dis+gf,sgbm+gf] [--json OUT]

--checkpoint evaluates a training checkpoint (weights exported to a temp model file first).
Prints chroma PSNR per cell and the margin over the best classic method of the same cell
("margin_db"; learned methods such as ccdc are scored beside it but are not classic), and
the ceiling of pure alignment: the reference warped with Middlebury's true disparity + the same
guided filter ("oracle+gf", colorstudio/bench/stereo_oracle.py; not a method, not in the margin).
Each method is also scored apart on the gray's pixels that have a counterpart in the reference
("NAME_matched") and on those that have none ("NAME_unmatched": half-occluded, outside the
reference's view, or of unknown true disparity; "unmatched_fraction" of the pixels).
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from colorstudio.bench import targets
from colorstudio.bench.cases import motorcycle_cases
from colorstudio.bench.stereo_oracle import oracle_chroma, unmatched_mask
from colorstudio.core import metrics
from colorstudio.core.color import rgb_to_ycbcr
from colorstudio.engine import methods


def export_checkpoint(run_dir: Path, out: Path, max_disparity: int = 64) -> Path:
    """The checkpoint as a model file, built from the config the checkpoint was trained with.
    Checkpoints from before the config was stored get train_stereo's defaults: BatchNorm on
    each image's own statistics (its running averages were never updated in training)."""
    import torch

    from colorstudio.nets.cyclecnn import CycleCNN, CycleCNNConfig
    from colorstudio.nets.registry import save_model
    from colorstudio.nets.weights_file import read_weights
    from colorstudio.training.checkpoints import FILENAME, load_checkpoint

    meta = read_weights(Path(run_dir) / FILENAME, require_checksum=False)[1]
    cfg = CycleCNNConfig.from_dict(json.loads(meta["config"])) if "config" in meta \
        else CycleCNNConfig(max_disparity=max_disparity, batchnorm_statistics="image")
    model = CycleCNN(cfg)
    load_checkpoint(Path(run_dir), model, torch.optim.RMSprop(model.parameters()))
    return save_model(model.eval(), out, {"note": f"exported from {run_dir}"})


def margin_over_classic(row: dict, names) -> float | None:
    """cyclecnn's margin (dB) over the best classic method of ``names`` in one cell; None when
    none of them is classic (a learned method such as ccdc is a rival, not the baseline)."""
    classic = [row[n] for n in names if n != "cyclecnn" and not methods.get(n).learned]
    return round(row["cyclecnn"] - max(classic), 2) if classic else None


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default=None)
    ap.add_argument("--checkpoint", default=None)
    ap.add_argument("--methods", default="dis+gf,sgbm+gf")
    ap.add_argument("--setups", default="1,2,3")
    ap.add_argument("--working-pixels", type=int, default=None)
    ap.add_argument("--no-cycle", action="store_true")
    ap.add_argument("--json", default=None)
    a = ap.parse_args(argv)
    from colorstudio.engine.stereo import colorize_stereo
    model = a.model
    if a.checkpoint:
        model = export_checkpoint(Path(a.checkpoint), Path(tempfile.mkdtemp()) / "ckpt.safetensors")
    opts = {} if a.working_pixels is None else {"working_pixels": a.working_pixels}
    fns = {"cyclecnn": lambda g, r, **o: colorize_stereo(g, r, model=model, **opts, **o)}
    for name in a.methods.split(","):
        fns[name] = methods.get(name).load()
    from skimage.data import stereo_motorcycle
    disparity_left = stereo_motorcycle()[2]
    rows = []
    for case in motorcycle_cases(tuple(int(s) for s in a.setups.split(","))):
        truth = rgb_to_ycbcr(case.truth_rgb)[..., 1:]
        gray_is_left = case.info["direction"] == "L<-R"
        unmatched = unmatched_mask(disparity_left, gray_is_left)
        row = {"case": case.name, "unmatched_fraction": round(float(unmatched.mean()), 3)}

        def score(name, chroma):
            row[name] = round(metrics.chroma_psnr(chroma, truth), 2)
            for region, mask in (("matched", ~unmatched), ("unmatched", unmatched)):
                row[f"{name}_{region}"] = round(metrics.chroma_psnr(chroma[mask], truth[mask]), 2)

        for name, fn in fns.items():
            t0 = time.perf_counter()
            res = fn(case.gray, case.reference)
            score(name, res.chroma)
            row[name + "_s"] = round(time.perf_counter() - t0, 2)
            if not a.no_cycle:
                cycle, cycle_ssim = metrics.cycle_psnr_ssim(fn, case.gray, case.reference, res.chroma)
                row[name + "_cycle"], row[name + "_cycle_ssim"] = round(cycle, 2), round(cycle_ssim, 4)
        score("oracle+gf", oracle_chroma(case.gray, case.reference, disparity_left, gray_is_left))
        row["margin_db"] = margin_over_classic(row, fns)
        rows.append(row)
        print(json.dumps(row), flush=True)
    scored = list(fns) + ["oracle+gf"]
    keys = [f"{n}{region}" for n in scored for region in ("", "_matched", "_unmatched")]
    if not a.no_cycle:
        keys += [f"{n}{c}" for n in fns for c in ("_cycle", "_cycle_ssim")]
    mean = {k: round(float(np.mean([r[k] for r in rows])), 4 if k.endswith("ssim") else 2)
            for k in keys + (["margin_db"] if rows[0]["margin_db"] is not None else [])}
    print("mean", json.dumps(mean))
    if a.json:
        Path(a.json).write_text(json.dumps({"rows": rows, "mean": mean}, indent=1))
    return targets.exit_code(targets.stereo_misses(rows))


if __name__ == "__main__":
    sys.exit(main())
