"""Progress on the terminal for the CLI's long jobs (a batch's planning, one colorization): a
job done within SILENT_S says nothing; a longer one says how far it got every EVERY_S, so a
command working for minutes does not look hung."""
from __future__ import annotations

import time
from typing import Callable, Generator, TypeVar

SILENT_S = 2.0
EVERY_S = 5.0

T = TypeVar("T")


def run_saying(steps: Generator[object, None, T], say: Callable[[str], None],
               line: Callable[[object], str] = lambda step: step.message) -> T:
    """Run a progress generator to its end, saying ``line(step)`` past SILENT_S every EVERY_S;
    its return value."""
    every_s = EVERY_S
    said = time.monotonic() + SILENT_S - every_s
    while True:
        try:
            step = next(steps)
        except StopIteration as stop:
            return stop.value
        if (now := time.monotonic()) - said >= every_s:
            say(line(step))
            said = now
