"""The quality benchmark: every pair method of the registry on the same cases, one process.

For each case and method: the forward colorization is timed (``time.perf_counter``) and
its peak memory measured (:class:`colorstudio.bench.memory.PeakMemory`), then scored
against the truth (:mod:`colorstudio.core.metrics`: chroma PSNR, RGB PSNR and RGB SSIM on
the gray's own luma) and colorized back for the cycle PSNR (views' roles swapped). Each
method first runs once on a small crop (not counted) so one-off loading is not timed.
"""
from __future__ import annotations

import math
import platform
import time
from dataclasses import asdict, dataclass, field
from typing import Generator, Iterable

import numpy as np

from colorstudio.bench import cases as bench_cases
from colorstudio.bench.memory import PeakMemory, describe, release_freed_memory_promptly
from colorstudio.core import metrics
from colorstudio.core.color import rgb_to_ycbcr
from colorstudio.engine.methods import PAIR, Method, all_methods, get
from colorstudio.engine.progress import Progress

METRICS = ("chroma_psnr", "rgb_psnr", "ssim", "cycle_psnr", "seconds", "peak_mb")


@dataclass
class BenchConfig:
    methods: list[str] | None = None     # None: every PAIR method of the registry
    setups: tuple[int, ...] = (1, 2, 3)
    photos: int = 4                      # synthesized photo pairs (each in every setup)
    photos_dir: str | None = None        # default: core.training_photos (COLORSTUDIO_PHOTOS, ../shared/...)
    seed: int = 0
    motorcycle_scale: float = 1.0
    photo_max_side: int | None = None
    cycle: bool = True

    @classmethod
    def quick(cls, **overrides) -> "BenchConfig":
        """Small inputs for tests and CI (a few seconds for the classic methods)."""
        base = dict(photos=1, motorcycle_scale=0.5, photo_max_side=256)
        base.update(overrides)
        return cls(**base)


@dataclass
class BenchResult:
    records: list[dict]                  # one per (case, method); see METRICS
    config: dict
    meta: dict = field(default_factory=dict)

    def methods(self) -> list[str]:
        return list(dict.fromkeys(r["method"] for r in self.records))

    def groups(self) -> list[str]:
        return list(dict.fromkeys(r["group"] for r in self.records))

    def mean(self, method: str, metric: str, group_prefix: str = "") -> float:
        """Mean of a metric over the records of a method whose group starts with a prefix
        (NaN if none; errors count as NaN and are skipped)."""
        vals = [r[metric] for r in self.records if r["method"] == method
                and r["group"].startswith(group_prefix) and r.get(metric) is not None
                and math.isfinite(r[metric])]
        return float(np.mean(vals)) if vals else float("nan")

    def scored_cases(self, method: str, metric: str, group_prefix: str = "") -> int:
        """How many cases :meth:`mean` averages for a method (the others failed)."""
        return sum(1 for r in self.records if r["method"] == method and r["group"].startswith(group_prefix)
                   and r.get(metric) is not None and math.isfinite(r[metric]))


def pair_methods(names: Iterable[str] | None = None) -> list[Method]:
    """The registry's pair methods, or the named ones (unknown names raise MethodError)."""
    if names:
        return [get(n) for n in names]
    return [m for m in all_methods() if m.kind == PAIR]


def build_cases(config: BenchConfig) -> list[bench_cases.Case]:
    cases = bench_cases.motorcycle_cases(config.setups, config.seed, config.motorcycle_scale)
    cases += bench_cases.photo_cases(config.photos, config.setups, config.seed,
                                     config.photos_dir, config.photo_max_side)
    return cases


def _warm_up(fn, case: bench_cases.Case) -> None:
    h, w = case.gray.shape
    ch, cw = min(h, 96), min(w, 128)
    fn(np.ascontiguousarray(case.gray[:ch, :cw]), np.ascontiguousarray(case.reference[:ch, :cw]))


def _score(fn, case: bench_cases.Case, with_cycle: bool) -> dict:
    with PeakMemory() as mem:
        t0 = time.perf_counter()
        result = fn(case.gray, case.reference)
        seconds = time.perf_counter() - t0
    chroma = result.chroma
    if chroma.shape != case.gray.shape + (2,):
        raise RuntimeError(f"chroma of shape {chroma.shape}, expected {case.gray.shape + (2,)}")
    truth_chroma = rgb_to_ycbcr(case.truth_rgb)[..., 1:]
    rec = {"chroma_psnr": metrics.chroma_psnr(chroma, truth_chroma),
           "rgb_psnr": metrics.rgb_psnr(case.gray, chroma, case.truth_rgb),
           "ssim": metrics.rgb_ssim(case.gray, chroma, case.truth_rgb),
           "cycle_psnr": (metrics.cycle_psnr(fn, case.gray, case.reference, chroma)
                          if with_cycle else None),
           "seconds": seconds, "peak_mb": mem.extra_mb}
    for key in ("side", "working_size"):
        if key in result.info:
            rec[key] = result.info[key]
    return rec


def benchmark_steps(config: BenchConfig | None = None) -> Generator[Progress, None, BenchResult]:
    """Run the benchmark as a generator: yields Progress, returns a :class:`BenchResult`.

    Stop iterating (or ``close()``) between yields to cancel. A method that raises on a
    case gets a record with ``error`` set and NaN scores; the others go on.
    """
    config = config or BenchConfig()
    release_freed_memory_promptly()
    methods = pair_methods(config.methods)
    yield Progress(0.0, "preparing the cases")
    cases = build_cases(config)
    total = max(1, len(cases) * len(methods))
    loaded = {}
    records = []
    for m in methods:
        fn = loaded[m.name] = m.load()
        _warm_up(fn, cases[0])
    done = 0
    for case in cases:
        for m in methods:
            yield Progress(done / total, f"{case.name}: {m.name}")
            rec = {"case": case.name, "group": case.group, "setup": case.setup, "method": m.name,
                   "learned": m.learned, "seen_in_training": m.name in case.info.get("trained_on_by", ())}
            try:
                rec.update(_score(loaded[m.name], case, config.cycle))
            except Exception as e:  # noqa: BLE001 - a broken method must not stop the table
                rec.update({k: float("nan") for k in METRICS}, error=f"{type(e).__name__}: {e}")
            records.append(rec)
            done += 1
    meta = {"cases": [{"name": c.name, "size": list(c.gray.shape[::-1]),
                       "reference_size": list(c.reference.shape[1::-1]), **c.info} for c in cases],
            "memory": describe(), "python": platform.python_version(),
            "machine": platform.machine(), "time": time.strftime("%Y-%m-%d %H:%M:%S")}
    yield Progress(1.0, "done")
    return BenchResult(records, asdict(config), meta)


def run_benchmark(config: BenchConfig | None = None, progress=None) -> BenchResult:
    """Drive :func:`benchmark_steps` to the end; ``progress(Progress)`` is called per step."""
    gen = benchmark_steps(config)
    while True:
        try:
            p = next(gen)
        except StopIteration as stop:
            return stop.value
        if progress is not None:
            progress(p)
