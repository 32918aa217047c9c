"""The benchmark: every pair method side by side on the same inputs (see benchmarks/README.md).

Public API (imported lazily, so ``python -m colorstudio.bench.speed`` stays clean):
``main(argv)`` (the `colorstudio bench` command), ``run_benchmark(config, progress)``,
``benchmark_steps(config)`` (generator), ``BenchConfig``, ``BenchResult``,
``speed_steps(methods, sizes)``, ``report(result)``, ``speed_table(records)``.
"""
from __future__ import annotations

_EXPORTS = {
    "main": "colorstudio.bench.cli",
    "run_benchmark": "colorstudio.bench.runner",
    "benchmark_steps": "colorstudio.bench.runner",
    "BenchConfig": "colorstudio.bench.runner",
    "BenchResult": "colorstudio.bench.runner",
    "speed_steps": "colorstudio.bench.speed",
    "report": "colorstudio.bench.table",
    "speed_table": "colorstudio.bench.table",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'colorstudio.bench' has no attribute {name!r}")
