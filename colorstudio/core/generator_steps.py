"""Long jobs are generators yielding progress (the app shows it and can stop them); a caller
that does not listen runs one to its end with :func:`run_to_end`."""
from __future__ import annotations

from typing import Generator, TypeVar

T = TypeVar("T")


def run_to_end(gen: Generator[object, None, T]) -> T:
    """Drive a progress generator to its end and return its return value."""
    while True:
        try:
            next(gen)
        except StopIteration as stop:
            return stop.value
