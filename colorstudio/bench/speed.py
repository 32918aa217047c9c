"""The speed run: seconds and peak RSS per method at 1 MP and 12 MP.

Times: for each size, one child interpreter (``python -m colorstudio.bench.speed --times MP
REPEATS METHOD...``) builds the input (the Motorcycle pair, bicubic-upscaled; gray = luma of
the left view, reference = the right view), runs each method once on a small crop (warm-up:
imports, weight loading), then times the methods side by side, in turns (A B C, A B C, ...),
``repeats`` rounds with the allocator as the app has it: a ratio to dis+gf compares runs of one
process and the same minutes of a shared CPU. Each method's best time is kept.
Memory: every (method, size) in its own child (``--memory METHOD MP``), so one method's memory
cannot hide or inflate another's: one warm-up, then one run with glibc set to return freed
blocks at once (which slows torch's many allocations up to 2x, hence not timed), heap trimmed,
peak-RSS counter reset. It reports the RSS before that run (interpreter + libraries + inputs),
its peak RSS (VmHWM) and the difference ("extra": the method's own working memory).
JSON on the child's stdout carries the numbers back.
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


def _warmed_up(method_names: list[str], megapixels: float):
    """(the loaded methods by name, their errors by name, gray, reference): each method loaded
    and run once on a small crop; one that fails is left out with its error, not the others."""
    import numpy as np

    from colorstudio.bench.cases import upscaled_motorcycle
    from colorstudio.engine.methods import get

    gray, reference = upscaled_motorcycle(megapixels)
    fns, errors = {}, {}
    for name in method_names:
        try:
            fn = get(name).load()
            fn(np.ascontiguousarray(gray[:96, :128]), np.ascontiguousarray(reference[:96, :128]))
            fns[name] = fn
        except Exception as e:          # a missing weight file, a method that fails: its own error
            errors[name] = f"{type(e).__name__}: {e}".splitlines()[0]
    return fns, errors, gray, reference


def time_in_turns(runs: dict, rounds: int, errors: dict | None = None) -> dict[str, list[float]]:
    """Seconds of each ``runs`` callable, taken in turns (A B C, A B C, ...) for ``rounds``
    rounds, so that all share the same minutes of a shared CPU. With ``errors`` (a dict), a
    callable that raises gets its one-line error there and is left out of the later rounds."""
    runs = dict(runs)
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(max(1, rounds)):       # with the allocator as the app has it
        for name, run in list(runs.items()):
            t0 = time.perf_counter()
            try:
                result = run()
            except Exception as e:        # e.g. out of memory at 12 MP
                if errors is None:
                    raise
                errors[name] = f"{type(e).__name__}: {e}".splitlines()[0]
                del runs[name]
                continue
            times[name].append(time.perf_counter() - t0)
            del result
    return times


def _times_child(method_names: list[str], megapixels: float, repeats: int) -> list[dict]:
    """Inside the timing child: every method's runs in turns, the best of each (a method that
    fails carries its error; the others are timed all the same)."""
    fns, errors, gray, reference = _warmed_up(method_names, megapixels)
    times = time_in_turns({name: (lambda fn=fn: fn(gray, reference)) for name, fn in fns.items()}, repeats, errors)
    size = {"megapixels": round(gray.size / 1e6, 2), "size": [int(gray.shape[1]), int(gray.shape[0])]}
    return [{"method": name, "megapixels": megapixels, "error": errors[name]} if name in errors else
            {"method": name, **size, "seconds": min(times[name]), "all_seconds": [round(x, 3) for x in times[name]]}
            for name in method_names]


def _memory_child(method_name: str, megapixels: float) -> dict:
    """Inside a memory child: one run with freed blocks returned at once, so the peak is its own."""
    from colorstudio.bench.memory import peak_rss_mb, start_memory_run

    fns, errors, gray, reference = _warmed_up([method_name], megapixels)
    if errors:
        raise SystemExit(errors[method_name])
    reset_ok, before = start_memory_run()
    fns[method_name](gray, reference)
    peak = peak_rss_mb()
    return {"rss_before_mb": before, "peak_rss_mb": peak,
            "extra_mb": (peak - before) if (reset_ok and peak is not None and before is not None) else None,
            "peak_reset": reset_ok}


def child_json(args: list[str], timeout: float, module: str = "colorstudio.bench.speed"):
    """Run ``python -m MODULE ARGS`` in a fresh interpreter (so its peak RSS is its own): its last
    stdout line as JSON, or {"error": ...} (a timeout, or the last line of its stderr)."""
    cmd = [sys.executable, "-m", module, *args]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip().splitlines() or ["no output"])[-1]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def measure_times(method_names: list[str], megapixels: float, repeats: int = 1, timeout: float = 1800) -> list[dict]:
    """The methods' times at one size, side by side in one child process (one record each)."""
    got = child_json(["--times", str(megapixels), str(repeats), *method_names], timeout)
    if isinstance(got, dict):          # the child failed: every method carries its error
        return [{"method": name, "megapixels": megapixels, **got} for name in method_names]
    return got


def measure_memory(method_name: str, megapixels: float, timeout: float = 900) -> dict:
    """One method's peak RSS at one size, in a child process of its own."""
    return child_json(["--memory", method_name, str(megapixels)], timeout)


def speed_steps(method_names: list[str], sizes=DEFAULT_SIZES, repeats: int = 1
                ) -> Generator[Progress, None, list[dict]]:
    """Measure every method at every size; yields Progress, returns the records with
    ``seconds_ratio`` and ``extra_ratio`` relative to 'dis+gf' at the same size."""
    records = []
    total = max(1, len(sizes) * (1 + len(method_names)))
    done = 0
    for mp in sizes:
        yield Progress(done / total, f"speed at {mp:g} MP: {', '.join(method_names)} side by side")
        timed = measure_times(method_names, mp, repeats)
        done += 1
        for rec in timed:
            rec["target_megapixels"] = mp
            if "error" not in rec:
                yield Progress(done / total, f"memory at {mp:g} MP: {rec['method']}")
                memory = measure_memory(rec["method"], mp)
                rec.update(memory if "error" not in memory else {"memory_error": memory["error"]})
            done += 1
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


if __name__ == "__main__" and len(sys.argv) >= 5 and sys.argv[1] == "--times":
    print(json.dumps(_times_child(sys.argv[4:], float(sys.argv[2]), int(sys.argv[3]))))
elif __name__ == "__main__" and len(sys.argv) == 4 and sys.argv[1] == "--memory":
    print(json.dumps(_memory_child(sys.argv[2], float(sys.argv[3]))))
elif __name__ == "__main__":      # the speed run's own child process, not a command of its own
    sys.exit("colorstudio.bench.speed is the child process of `colorstudio bench --speed` "
             "(--times MP REPEATS METHOD... | --memory METHOD MP); run that instead")
