"""How late the GUI thread's event loop runs: a QTimer on it records each tick's lateness.

Used by the responsiveness tests and ``benchmarks/gui_latency.py``. A job that blocks the GUI
thread shows up as one tick as late as the job is long.
"""
from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QTimer


class EventLoopProbe:
    """Ticks every ``tick_ms`` on the GUI thread and records lateness (ms) per ``phase``."""

    def __init__(self, tick_ms: int = 10):
        self.tick = tick_ms / 1000
        self.phase = "idle"
        self.late: dict[str, list[float]] = {}
        self.last = time.perf_counter()
        self.timer = QTimer()
        self.timer.setInterval(tick_ms)
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.late.setdefault(self.phase, []).append(max(0.0, now - self.last - self.tick) * 1000)
        self.last = now

    def stop(self) -> None:
        self.timer.stop()

    def stats(self) -> dict[str, dict]:
        """Per phase: ticks, median, p99 and max lateness in ms."""
        out = {}
        for phase, values in self.late.items():
            v = np.asarray(values)
            out[phase] = {"ticks": int(v.size), "median_ms": round(float(np.median(v)), 1),
                          "p99_ms": round(float(np.percentile(v, 99)), 1), "max_ms": round(float(v.max()), 1)}
        return out
