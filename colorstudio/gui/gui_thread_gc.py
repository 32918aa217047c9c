"""Python's cycle collector in the GUI thread only, paused while the start-up warm-up loads.

Left to itself the collector runs in whichever thread passes its allocation threshold, often a
worker's: a widget caught in a reference cycle is then destroyed in that worker thread, which
deadlocks or crashes Qt. So the app turns automatic collection off and collects on a timer in
the GUI thread (:class:`GuiThreadCollector`, installed by ``colorstudio.gui.app``; it replaces
pyqtgraph's ``GarbageCollector``, which the app used to start the same way: pyqtgraph itself
never starts one).

On a timer, a pass walks everything allocated since the last one, by every thread. The warm-up
(:meth:`colorstudio.gui.main_window.MainWindow.warm_up`) imports PyTorch and loads the models
in a worker: about 175 000 new objects in 1-2 s, and the first pass after the start walked them
all in the GUI thread, 130 ms frozen (generation 0: 72 ms, generation 1: 58 ms) — during the
first colorization when it started at once. So the window :func:`pause`\\ s the passes while the
warm-up runs, and when it ends ``gc.freeze()`` takes what start-up made out of every later pass
without walking it (it only relinks the collector's lists). What became cyclic garbage during
the warm-up is frozen with it, so a pause never lasts more than :data:`MAX_PAUSE_S`.
"""
from __future__ import annotations

import gc
from typing import Callable

from PySide6.QtCore import QTimer

MAX_PAUSE_S = 30.0      # a warm-up slower than this (a network drive): the passes resume anyway

_installed: "GuiThreadCollector | None" = None


class GuiThreadCollector:
    """Automatic collection off; every ``interval`` seconds, in the GUI thread, the pass the
    interpreter would have made by now (the oldest generation past its threshold, as CPython
    chooses), unless paused. Keep it alive (the app holds it)."""

    def __init__(self, interval: float = 1.0):
        self.threshold = gc.get_threshold()
        self.pauses = 0
        gc.disable()
        self.timer = QTimer()
        self.timer.timeout.connect(self.check)
        self.timer.start(int(interval * 1000))

    def check(self) -> None:
        if self.pauses:
            return
        counts = gc.get_count()
        if counts[0] <= self.threshold[0]:
            return
        # collect(n) walks generations 0..n once: only the oldest one due, not each in turn
        # (pyqtgraph's collect(0) then collect(1) walked the young objects twice)
        gc.collect(max(g for g in range(3) if g == 0 or counts[g] > self.threshold[g]))

    def stop(self) -> None:
        """Back to the interpreter's automatic collection (tests)."""
        global _installed
        self.timer.stop()
        gc.enable()
        if _installed is self:
            _installed = None


def collect_in_gui_thread(interval: float = 1.0) -> GuiThreadCollector:
    """Install the collector (see the module docstring) and return it: keep it alive. One runs
    at a time: one installed before is stopped (its passes could not be paused)."""
    global _installed
    if _installed is not None:
        _installed.stop()
    _installed = GuiThreadCollector(interval)
    return _installed


def pause() -> Callable[[], None]:
    """Hold the installed collector's passes (none installed: nothing to hold) until the
    returned function is called (more calls do nothing), or :data:`MAX_PAUSE_S` passed."""
    collector = _installed
    if collector is None:
        return lambda: None
    collector.pauses += 1
    done = []

    def resume() -> None:
        if not done:
            done.append(True)
            collector.pauses -= 1

    QTimer.singleShot(int(MAX_PAUSE_S * 1000), resume)
    return resume
