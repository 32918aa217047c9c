"""The end-to-end run: read a 12 MP pair from disk, colorize it, write the JPEG — per method,
each run in a fresh process, side by side with dis+gf (the methods in turns, round after round).

Two numbers per run, both from the same kind of child process:
- ``command_seconds``: the user's command, ``python -m colorstudio colorize GRAY REF -o OUT
  --method M``, timed from outside (interpreter start, imports, weights, read, colorize,
  write) with its peak RSS (``getrusage(RUSAGE_CHILDREN)`` of a helper process that has
  only that child);
- ``read_colorize_write_seconds``: the same work inside one process after the imports and the
  weights (the app and a batch pay those once): ``colorize_files`` on the same files.
The inputs are the Motorcycle pair bicubic-upscaled to 12 MP: gray = the left view's luma as
an 8-bit PNG, reference = the right view as a JPEG (quality 92), written once to a temporary
folder. Run it on an idle machine: ``python -m colorstudio.bench.end_to_end``.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASELINE = "dis+gf"
MEGAPIXELS = 12.0
# issue #3's targets for a 12 MP pair, read + colorize + write: the run fails above them
MAX_SECONDS, MAX_RSS_MB = 6.0, 3072


def write_inputs(folder: Path, megapixels: float = MEGAPIXELS) -> tuple[Path, Path]:
    """gray.png (8-bit) and reference.jpg in ``folder``, built from the Motorcycle pair."""
    from colorstudio.bench.cases import upscaled_motorcycle
    from colorstudio.core.image_write import save_photo

    gray, reference = upscaled_motorcycle(megapixels)
    gray_path, ref_path = folder / "gray.png", folder / "reference.jpg"
    save_photo(gray_path, gray, bit_depth=8)
    save_photo(ref_path, reference, bit_depth=8, jpeg_quality=92)
    return gray_path, ref_path


def _wait_timed(cmd: list[str], timeout: float) -> tuple[float, float, int, str]:
    """(wall seconds, peak RSS MB, exit code, stdout) of one child process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise
    seconds = time.perf_counter() - t0
    # RUSAGE_CHILDREN is the maximum over all reaped children: the helper process that calls
    # this has exactly one (see :func:`_isolated`), so it is that child's own peak
    import resource

    peak_kb = float(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return seconds, peak_kb / 1024.0, proc.returncode, out if proc.returncode == 0 else err


def _isolated(kind: str, method: str, gray: Path, ref: Path, out: Path, timeout: float) -> dict:
    """Run one measurement in a helper process, so that RUSAGE_CHILDREN covers one child only."""
    cmd = [sys.executable, "-m", "colorstudio.bench.end_to_end", "--measure", kind, method,
           str(gray), str(ref), str(out), str(timeout)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout + 60)
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip().splitlines() or ["no output"])[-1]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _measure(kind: str, method: str, gray: str, ref: str, out: str, timeout: float) -> dict:
    """Inside the helper: start the child, wait for it, report its wall time and peak RSS."""
    if kind == "command":
        cmd = [sys.executable, "-m", "colorstudio", "colorize", gray, ref, "-o", out, "--method", method]
    else:
        cmd = [sys.executable, "-m", "colorstudio.bench.end_to_end", "--in-process", method, gray, ref, out]
    seconds, peak_mb, code, text = _wait_timed(cmd, timeout)
    if code != 0:
        return {"error": (text.strip().splitlines() or ["no output"])[-1]}
    rec = {"wall_seconds": round(seconds, 2), "peak_rss_mb": round(peak_mb)}
    if kind == "in-process":
        rec.update(json.loads(text.strip().splitlines()[-1]))
    return rec


def _in_process(method: str, gray: str, ref: str, out: str) -> dict:
    """Inside the child: imports and weights first (timed apart), then read, colorize, write."""
    t0 = time.perf_counter()
    from colorstudio.core.generator_steps import run_to_end
    from colorstudio.engine.colorize import colorize_files
    from colorstudio.engine.methods import get
    from colorstudio.engine.warm_up import LOADERS, warm_up

    get(method).load()
    if method in LOADERS:
        run_to_end(warm_up([method]))
    setup = time.perf_counter() - t0
    t0 = time.perf_counter()
    colorize_files(gray, ref, out, method=method)
    return {"imports_and_weights_seconds": round(setup, 2),
            "read_colorize_write_seconds": round(time.perf_counter() - t0, 2)}


def run(methods: list[str], repeats: int = 3, timeout: float = 300, progress=print,
        megapixels: float = MEGAPIXELS) -> list[dict]:
    """One record per method: best and all times of both kinds, peak RSS, ratios to dis+gf.
    The methods run in turns (A B C, A B C, ...), so a ratio compares runs of the same minutes."""
    kinds = {"command": "wall_seconds", "in-process": "read_colorize_write_seconds"}
    runs: dict[tuple[str, str], list[dict]] = {(m, k): [] for m in methods for k in kinds}
    with tempfile.TemporaryDirectory(prefix="colorstudio-e2e-") as tmp:
        gray, ref = write_inputs(Path(tmp), megapixels)
        for _ in range(max(1, repeats)):
            for method in methods:
                for kind in kinds:
                    if not any("error" in r for r in runs[method, "command"] + runs[method, "in-process"]):
                        runs[method, kind].append(_isolated(kind, method, gray, ref,
                                                            Path(tmp) / f"out-{method}.jpg", timeout))
    records = []
    for method in methods:
        rec: dict = {"method": method}
        errors = [r["error"] for kind in kinds for r in runs[method, kind] if "error" in r]
        if errors:
            rec["error"] = errors[0]
        else:
            for kind, key in kinds.items():
                name = "command" if kind == "command" else "read_colorize_write"
                times = [r[key] for r in runs[method, kind]]
                rec[f"{name}_seconds"] = min(times)
                rec[f"{name}_all_seconds"] = times
                rec[f"{name}_peak_rss_mb"] = max(r["peak_rss_mb"] for r in runs[method, kind])
            rec["imports_and_weights_seconds"] = min(r["imports_and_weights_seconds"]
                                                     for r in runs[method, "in-process"])
        records.append(rec)
        if progress:
            progress(json.dumps(rec))
    base = next((r for r in records if r["method"] == BASELINE and "error" not in r), None)
    for r in records:
        if base is not None and "error" not in r:
            r["command_ratio"] = round(r["command_seconds"] / base["command_seconds"], 2)
            r["read_colorize_write_ratio"] = round(r["read_colorize_write_seconds"]
                                                   / base["read_colorize_write_seconds"], 2)
    return records


def failures(records: list[dict], max_seconds: float = MAX_SECONDS, max_rss_mb: float = MAX_RSS_MB) -> list[str]:
    """What makes the run fail, one line each: a method that did not run, or one above the
    targets (its in-process read + colorize + write time, its command's peak memory)."""
    out = []
    for r in records:
        if "error" in r:
            out.append(f"{r['method']}: {r['error']}")
            continue
        if r["read_colorize_write_seconds"] > max_seconds:
            out.append(f"{r['method']}: read + colorize + write {r['read_colorize_write_seconds']:.2f} s, "
                       f"above {max_seconds:g} s")
        if r["command_peak_rss_mb"] > max_rss_mb:
            out.append(f"{r['method']}: peak RSS {r['command_peak_rss_mb']} MB, above {max_rss_mb:g} MB")
    return out


def table(records: list[dict]) -> str:
    lines = ["| method | command s (best; all) | read+colorize+write s | ratio to dis+gf | peak RSS MB |",
             "|---|---:|---:|---:|---:|"]
    for r in records:
        if "error" in r:
            lines.append(f"| {r['method']} | error: {r['error']} | | | |")
            continue
        lines.append(f"| {r['method']} | {r['command_seconds']:.2f}; {', '.join(f'{t:.2f}' for t in r['command_all_seconds'])}"
                     f" | {r['read_colorize_write_seconds']:.2f} | {r.get('command_ratio', '-')} / "
                     f"{r.get('read_colorize_write_ratio', '-')} | {r['command_peak_rss_mb']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--measure"]:
        print(json.dumps(_measure(argv[1], argv[2], argv[3], argv[4], argv[5], float(argv[6]))))
        return 0
    if argv[:1] == ["--in-process"]:
        print(json.dumps(_in_process(*argv[1:5])))
        return 0
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--methods", default="cyclecnn,ccdc,dis+gf", help="comma-separated (default %(default)s)")
    ap.add_argument("--repeats", type=int, default=3, help="runs per method and kind (best is reported)")
    ap.add_argument("--json", type=Path, help="write the records here")
    ap.add_argument("--max-seconds", type=float, default=MAX_SECONDS,
                    help="fail above this read + colorize + write time (default %(default)s)")
    ap.add_argument("--max-rss-mb", type=float, default=MAX_RSS_MB,
                    help="fail above this peak memory of the command (default %(default)s)")
    args = ap.parse_args(argv)
    records = run([m.strip() for m in args.methods.split(",") if m.strip()], args.repeats)
    print(table(records))
    failed = failures(records, args.max_seconds, args.max_rss_mb)
    if args.json:
        from colorstudio.core.atomic_files import atomic_write_text

        args.json.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(args.json, json.dumps({"megapixels": MEGAPIXELS, "repeats": args.repeats, "records": records,
                                         "cpu_count": os.cpu_count(),
                                         "command": "python -m colorstudio.bench.end_to_end " + " ".join(argv),
                                         "failures": failed}, indent=2) + "\n")
    for line in failed:
        print(f"FAILED {line}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
