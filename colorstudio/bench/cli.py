"""`colorstudio bench` / `python benchmarks/run.py`: argument parsing and printing only."""
from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import replace
from pathlib import Path

from colorstudio.bench import speed, table, targets
from colorstudio.bench.runner import BenchConfig, pair_methods, run_benchmark
from colorstudio.core.atomic_files import atomic_write_text
from colorstudio.errors import ColorStudioError


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="colorstudio bench",
        description="Run every pair method side by side on the same inputs (Motorcycle in both "
                    "directions x Setup1/2/3, plus synthesized pairs from photos) and print a table.")
    p.add_argument("--quick", action="store_true",
                   help="small inputs (Motorcycle at half size, one small photo): for tests and CI")
    p.add_argument("--speed", action="store_true",
                   help="also time every method at 1 MP and 12 MP (0.25/1 MP with --quick), side by "
                        "side in one process per size, with each method's peak RSS from a process of its own")
    p.add_argument("--speed-only", action="store_true", help="only the speed run")
    p.add_argument("--json", metavar="PATH", help="write all numbers as JSON here")
    p.add_argument("--photos", type=int, metavar="N",
                   help="how many photos to synthesize pairs from (default 4, 1 with --quick; 0: none)")
    p.add_argument("--photos-dir", metavar="DIR", help="folder of colour photos (default: $COLORSTUDIO_PHOTOS, "
                   "else ../shared/data/photos beside the checkout, else /work/shared/data/photos)")
    p.add_argument("--methods", metavar="A,B", help="comma-separated method names (default: all pair methods)")
    p.add_argument("--setups", default="1,2,3", metavar="1,2,3", help="degradation setups to run")
    p.add_argument("--seed", type=int, default=0, help="seed for the degradations and the photo choice")
    p.add_argument("--no-cycle", action="store_true", help="skip the cycle PSNR (halves the time)")
    p.add_argument("--repeats", type=int, default=1, help="timed runs per (method, size) in the speed run")
    return p


def _json_safe(obj):
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {k: _json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_json_safe(v) for v in obj]
    return obj


class _Progress:
    """Progress on stderr: one rewritten line on a terminal, a line per case group otherwise."""

    def __init__(self):
        self.tty = sys.stderr.isatty()
        self.last = None

    def __call__(self, p) -> None:
        if self.tty:
            print(f"\r[{p.fraction * 100:5.1f}%] {p.message[:70]:<70}", end="", file=sys.stderr, flush=True)
            return
        head = p.message.split(":")[0]
        if head != self.last:
            self.last = head
            print(f"[{p.fraction * 100:5.1f}%] {p.message}", file=sys.stderr, flush=True)

    def end(self) -> None:
        if self.tty:
            print(file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code (0 ok, 1 bad input such as an unknown method)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--"]:
        argv = argv[1:]
    args = build_parser().parse_args(argv)
    names = [n.strip() for n in args.methods.split(",") if n.strip()] if args.methods else None
    try:
        setups = tuple(int(s) for s in args.setups.split(",") if s.strip())
        if not setups or any(s not in (1, 2, 3) for s in setups):
            raise ValueError
    except ValueError:
        print(f"error: --setups takes numbers from 1, 2, 3 (got {args.setups!r})", file=sys.stderr)
        return 1
    try:
        methods = [m.name for m in pair_methods(names)]
    except ColorStudioError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    config = BenchConfig.quick() if args.quick else BenchConfig()
    config = replace(config, methods=methods, setups=setups, seed=args.seed, cycle=not args.no_cycle,
                     photos_dir=args.photos_dir,
                     photos=config.photos if args.photos is None else max(0, args.photos))
    out: dict = {}
    if not args.speed_only:
        progress = _Progress()
        result = run_benchmark(config, progress=progress)
        progress.end()
        print(table.report(result))
        out.update(config=result.config, meta=result.meta, records=result.records)
    if args.speed or args.speed_only:
        sizes = speed.QUICK_SIZES if args.quick else speed.DEFAULT_SIZES
        gen = speed.speed_steps(methods, sizes, args.repeats)
        progress = _Progress()
        while True:
            try:
                progress(next(gen))
            except StopIteration as stop:
                records = stop.value
                break
        progress.end()
        print("\n### Speed (the methods of a size in turns in one process; memory in a process each)\n")
        print(table.speed_table(records))
        out["speed"] = records
    if args.json:
        path = Path(args.json)
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, json.dumps(_json_safe(out), indent=1))
        print(f"\nwrote {path}", file=sys.stderr)
    failed = [r for r in out.get("records", []) + out.get("speed", []) if r.get("error")]
    if failed:     # a table with holes is not a result: say so, and fail (CI, scripts)
        print(f"error: {len(failed)} of {len(out.get('records', [])) + len(out.get('speed', []))} runs failed, "
              f"e.g. {failed[0]['method']}: {failed[0]['error']}", file=sys.stderr)
        return 2
    return targets.exit_code(targets.speed_misses(out.get("speed", [])), args.quick)
