"""The benchmark: every pair method side by side on the same inputs (see benchmarks/README.md).

``main(argv)`` is the `colorstudio bench` command (imported lazily, so ``python -m
colorstudio.bench.speed`` stays clean); the parts are imported from their modules
(``colorstudio.bench.runner``, ``.speed``, ``.table``, ``.targets``, ...).
"""
from __future__ import annotations

_EXPORTS = {"main": "colorstudio.bench.cli"}

__all__ = list(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'colorstudio.bench' has no attribute {name!r}")
