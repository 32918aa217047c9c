"""Driving the engine's progress generators in tests (no thread)."""
from __future__ import annotations

from typing import Any, Generator


def steps_and_result(gen: Generator) -> tuple[list, Any]:
    """Run ``gen`` to its end: (what it yielded, what it returned)."""
    steps = []
    while True:
        try:
            steps.append(next(gen))
        except StopIteration as stop:
            return steps, stop.value
