"""The speed run: seconds and peak RSS per method at 1 MP and 12 MP, each in a fresh process.

Every (method, size) runs in its own child interpreter (``python -m colorstudio.bench.speed
--child METHOD MP``) so one method's memory cannot hide or inflate another's. The child
builds the input (the Motorcycle pair, bicubic-upscaled; gray = luma of the left view,
reference = the right view), runs the method once on a small crop (warm-up: imports,
weight loading), then ``repeats`` timed runs on the full input with the allocator as the app
has it, then one more run for memory: glibc set to return freed blocks at once (which slows
torch's many allocations up to 2x, hence not timed), heap trimmed, peak-RSS counter reset.
It reports the best wall time, the RSS before the memory run (interpreter + libraries +
inputs), its peak RSS (VmHWM) and the difference ("extra": the method's own working
memory). JSON on the child's stdout carries the numbers back.
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
from typing import Generator

from colorstudio.engine.progress import Progress

DEFAULT_SIZES = (1.0, 12.0)
QUICK_SIZES = (0.25, 1.0)
BASELINE = "dis+gf"


def _child(method_name: str, megapixels: float, repeats: int) -> dict:
    """Runs inside the child process; returns the measurement dict."""
    import numpy as np

    from colorstudio.bench.cases import upscaled_motorcycle
    from colorstudio.bench.memory import peak_rss_mb, start_memory_run
    from colorstudio.engine.methods import get

    fn = get(method_name).load()
    gray, reference = upscaled_motorcycle(megapixels)
    fn(np.ascontiguousarray(gray[:96, :128]), np.ascontiguousarray(reference[:96, :128]))
    times = []
    for _ in range(max(1, repeats)):     # timed with the allocator as the app has it
        t0 = time.perf_counter()
        result = fn(gray, reference)
        times.append(time.perf_counter() - t0)
        del result
    # memory in one more run, with freed blocks returned at once so that the peak is its own
    # (that allocator setting costs torch methods up to 2x in time, so it is not timed)
    reset_ok, before = start_memory_run()
    fn(gray, reference)
    peak = peak_rss_mb()
    return {"method": method_name, "megapixels": round(gray.size / 1e6, 2),
            "size": [int(gray.shape[1]), int(gray.shape[0])], "seconds": min(times),
            "rss_before_mb": before, "peak_rss_mb": peak,
            "extra_mb": (peak - before) if (reset_ok and peak is not None and before is not None) else None,
            "peak_reset": reset_ok}


def measure(method_name: str, megapixels: float, repeats: int = 1, timeout: float = 900) -> dict:
    """Run one (method, size) in a child process and return its measurement dict."""
    cmd = [sys.executable, "-m", "colorstudio.bench.speed", "--child", method_name,
           str(megapixels), str(repeats)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"method": method_name, "megapixels": megapixels, "error": f"timed out after {timeout:.0f} s"}
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return {"method": method_name, "megapixels": megapixels, "error": last}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def speed_steps(method_names: list[str], sizes=DEFAULT_SIZES, repeats: int = 1
                ) -> Generator[Progress, None, list[dict]]:
    """Measure every method at every size; yields Progress, returns the records with
    ``seconds_ratio`` and ``extra_ratio`` relative to 'dis+gf' at the same size."""
    records = []
    total = max(1, len(method_names) * len(sizes))
    for i, mp in enumerate(sizes):
        for j, name in enumerate(method_names):
            yield Progress((i * len(method_names) + j) / total, f"speed at {mp:g} MP: {name}")
            rec = measure(name, mp, repeats)
            rec["target_megapixels"] = mp
            records.append(rec)
    for mp in sizes:
        base = next((r for r in records if r["method"] == BASELINE and r["target_megapixels"] == mp
                     and "error" not in r), None)
        for r in records:
            if r["target_megapixels"] != mp or "error" in r or base is None:
                continue
            r["seconds_ratio"] = r["seconds"] / base["seconds"] if base["seconds"] else None
            if r.get("extra_mb") is not None and base.get("extra_mb"):
                r["extra_ratio"] = r["extra_mb"] / base["extra_mb"]
    yield Progress(1.0, "speed: done")
    return records


if __name__ == "__main__" and len(sys.argv) == 5 and sys.argv[1] == "--child":
    print(json.dumps(_child(sys.argv[2], float(sys.argv[3]), int(sys.argv[4]))))
