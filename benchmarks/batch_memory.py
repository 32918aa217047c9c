"""Does a long batch run in bounded memory? (not a unit test)

Writes ``--count`` small pairs (crops of the bundled Motorcycle example, each a different window,
``x_mono.png`` + ``x_color.jpg``) to a temporary folder, runs :func:`run_batch` on them in a child
process as `colorstudio batch` runs it (no thumbnails kept: the app's queue keeps a 20 KB picture
of each result on purpose, 2 MB per 100 items), and samples the child's VmRSS (/proc/self/status,
Linux) after every item.

    python benchmarks/batch_memory.py [--count 400] [--size 320x240] [--method dis+gf]

Prints one JSON line: first / last / max RSS in MB, the growth from the first quarter's end to
the last item, the least-squares slope in MB per 100 items over that range, and the same slope of
the floor (the lowest RSS of each block of 20 items) over the later half of those blocks:
"grows" if the floor still rises there by more than 1 MB/100 items. The first quarter is left
out and the floor judged late because the allocator settles in steps over the first few hundred
items (dis+gf's floor rose 78 -> 82 MB by item 350 of 600, then stayed; ccdc's 312 -> 320 MB by
item 240 of 400, then stayed to the last item): a leak keeps rising.
The floor, because a method's working buffers come and go with each item (ccdc: 320-352 MB from
one item to the next) and their swing alone gave slopes of ±2 MB/100 with no growth at all; a
leak raises the floor.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def rss_mb(field: str = "VmRSS") -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def make_pairs(folder: Path, count: int, size: tuple[int, int]) -> None:
    import cv2

    from colorstudio import paths

    src = paths.examples_dir()
    gray = cv2.imread(str(src / "motorcycle_mono.png"), cv2.IMREAD_GRAYSCALE)
    colour = cv2.imread(str(src / "motorcycle_color.jpg"), cv2.IMREAD_COLOR)
    w, h = size
    rng = np.random.default_rng(0)
    for i in range(count):
        y = int(rng.integers(0, gray.shape[0] - h))
        x = int(rng.integers(0, gray.shape[1] - w))
        cv2.imwrite(str(folder / f"p{i:04d}_mono.png"), gray[y:y + h, x:x + w])
        cv2.imwrite(str(folder / f"p{i:04d}_color.jpg"), colour[y:y + h, x:x + w], [cv2.IMWRITE_JPEG_QUALITY, 92])


def child(src: Path, out: Path, method: str) -> None:
    """Run the batch, print one JSON line of per-item RSS samples."""
    from colorstudio.engine.batch import DONE, FAILED, plan_batch, run_batch

    start = rss_mb()
    plan = plan_batch([src], out)
    samples, failed = [], 0
    t0 = time.perf_counter()
    for p in run_batch(plan, method=method, thumbnails=False):     # as the CLI
        if p.status in (DONE, FAILED):
            failed += p.status == FAILED
            samples.append(round(rss_mb(), 1))
    print(json.dumps({"start_mb": round(start, 1), "samples": samples, "failed": failed,
                      "peak_mb": round(rss_mb("VmHWM"), 1), "seconds": round(time.perf_counter() - t0, 1)}))


FLOOR_BLOCK = 20     # items: the floor is the lowest RSS of each block


def _slope_per_100(values: np.ndarray, items_apart: float = 1.0) -> float:
    """Least-squares slope of ``values`` (one every ``items_apart`` items), in MB per 100 items."""
    return float(np.polyfit(np.arange(len(values)) * items_apart, values, 1)[0] * 100) if len(values) > 2 else 0.0


def summarize(raw: dict, count: int, size: str, method: str) -> dict:
    s = np.asarray(raw["samples"], np.float64)
    tail = s[min(max(20, len(s) // 4), len(s) - 1):]
    slope = _slope_per_100(tail)
    floors = np.array([tail[i:i + FLOOR_BLOCK].min() for i in range(0, len(tail) - FLOOR_BLOCK + 1, FLOOR_BLOCK)])
    floor_slope = _slope_per_100(floors[len(floors) // 2:], FLOOR_BLOCK)     # after steps of settling
    return {"items": len(s), "failed": raw["failed"], "size": size, "method": method,
            "rss_before_mb": raw["start_mb"], "rss_first_item_mb": float(s[0]),
            "rss_last_item_mb": float(s[-1]), "rss_max_mb": float(s.max()), "vmhwm_mb": raw["peak_mb"],
            "growth_after_first_quarter_mb": round(float(tail[-1] - tail[0]), 1),
            "slope_mb_per_100_items": round(slope, 2), "floor_mb": [round(float(f), 1) for f in floors],
            "floor_slope_mb_per_100_items": round(floor_slope, 2), "grows": bool(floor_slope > 1.0),
            "seconds": raw["seconds"], "count_requested": count}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=400)
    ap.add_argument("--size", default="320x240", help="WxH of each pair")
    ap.add_argument("--method", default="dis+gf")
    ap.add_argument("--child", nargs=2, metavar=("SRC", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(Path(args.child[0]), Path(args.child[1]), args.method)
        return 0
    w, h = (int(v) for v in args.size.lower().split("x"))
    with tempfile.TemporaryDirectory(prefix="cs-batch-mem-") as tmp:
        src, out = Path(tmp) / "in", Path(tmp) / "out"
        src.mkdir()
        make_pairs(src, args.count, (w, h))
        p = subprocess.run([sys.executable, __file__, "--method", args.method, "--child", str(src), str(out)],
                           capture_output=True, text=True)
        if p.returncode != 0:
            print(p.stderr, file=sys.stderr)
            return 1
        raw = json.loads(p.stdout.strip().splitlines()[-1])
        written = len(list(out.iterdir()))
    result = summarize(raw, args.count, args.size, args.method)
    result["files_written"] = written
    print(json.dumps(result))
    ok = not result["grows"] and not result["failed"] and written == args.count
    if not ok:        # memory that grows per item, a failed item or a missing file fails the run
        print(f"error: grows={result['grows']}, failed={result['failed']}, written {written} of {args.count}",
              file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
