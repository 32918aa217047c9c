"""The scripts of benchmarks/ imported as modules for their tests."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def loaded_script(stem: str):
    """Yield ``benchmarks/<stem>.py`` as a module (registered while in use: dataclasses look
    their module up), then forget it: for a module-scoped fixture."""
    spec = importlib.util.spec_from_file_location(stem, BENCHMARKS / f"{stem}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)
