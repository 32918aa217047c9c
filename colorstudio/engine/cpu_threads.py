"""How many torch threads a colorization takes: the cores other programs leave free right now.

On a busy machine (a training in the background, a second batch), more threads than free cores
make the convolutions slower, not faster: the threads wait on each other. So the learned
methods measure what *other* programs use while they prepare (pair checks, resizing, the
initial flow; at least 50 ms) and take the rest.

Why not the load average: it is a minute-long moving average that counts this process too, so
right after one colorization (or any work of the app itself) it says the machine is busy and
the next colorization ran on one thread, about 1.3x slower on two cores (measured on the
12 MP cross-camera run: 8.5 s against 6.8 s). Here the process's own CPU time over the window
is subtracted from the whole machine's (Linux ``/proc/stat``); elsewhere torch's own default is
kept. The pair methods (Cycle CNN, CCDC) measure while they prepare; the single-gray methods
prepare too little first and pay the window, 50 ms (:func:`at_measured_threads`): with two
threads beside other programs keeping 6-7 cores' worth busy, hsv2stage's nets took 14 s on a
12 MP gray against 2.2 s on one. A training in one of the app's own threads (the fine-tune wizard)
is the app's own time, so a colorization beside it takes both cores: measured so (Cycle CNN on
Motorcycle beside a CPU fine-tune, 15 s each), that was faster for the colorization (2.3-2.7 s
against 2.4-2.9 s on one thread) and no slower for the training. torch is imported when a
function here is called, never at import time.
"""
from __future__ import annotations

import os
import threading
import time
from contextlib import contextmanager

PROC_STAT = "/proc/stat"
WINDOW_SECONDS = 0.05          # 5 scheduler ticks per core at 100 Hz: enough to tell 0 from 1 core

_default: int | None = None    # torch's thread count as the process had it before any change
_default_lock = threading.Lock()


def machine_busy_seconds(path: str = PROC_STAT) -> float | None:
    """CPU seconds all cores have spent busy since boot (every state but idle and iowait),
    or None where the kernel does not say (not Linux)."""
    try:
        with open(path, encoding="ascii") as f:
            fields = f.readline().split()
    except OSError:
        return None
    if not fields or fields[0] != "cpu":
        return None
    ticks = [int(v) for v in fields[1:9]]          # user nice system idle iowait irq softirq steal
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


class LoadWindow:
    """Counts from its creation what other programs use: create it when a colorization starts
    and call :meth:`load` just before the nets run, so the window is the engine's own
    preparation (pair checks, resizing, the initial flow) and costs nothing once that takes
    ``window`` seconds. The counters are the machine's busy time and this process's CPU time
    (all its threads, e.g. OpenMP workers still spinning), which is not counted."""

    def __init__(self, busy=machine_busy_seconds, own=time.process_time, clock=time.perf_counter,
                 sleep=time.sleep):
        self._busy, self._own, self._clock, self._sleep = busy, own, clock, sleep
        self._start = busy(), own(), clock()

    def load(self, window: float = WINDOW_SECONDS) -> float | None:
        """Cores other programs kept busy since the window opened (0 = none, 1 = one core's
        worth), waiting first until it is ``window`` seconds long; None if the machine's
        counters cannot be read."""
        b0, o0, t0 = self._start
        if b0 is None:
            return None
        left = window - (self._clock() - t0)
        if left > 0:
            self._sleep(left)
        b1, o1, t1 = self._busy(), self._own(), self._clock()
        if b1 is None or t1 <= t0:
            return None
        return max(0.0, (b1 - b0) - (o1 - o0)) / (t1 - t0)


def other_programs_load(window: float = WINDOW_SECONDS, **counters) -> float | None:
    """Cores other programs keep busy over the next ``window`` seconds (see :class:`LoadWindow`;
    ``counters`` replace its clocks in tests)."""
    return LoadWindow(**counters).load(window)


def threads_for(load: float, cores: int, limit: int) -> int:
    """Threads to use when other programs keep ``load`` of ``cores`` busy: the free cores,
    rounded, at least 1 and at most ``limit``."""
    return max(1, min(limit, int(cores - load + 0.5)))


def inference_threads(requested=None, load=other_programs_load) -> int:
    """Torch threads for one colorization: ``requested`` if given, else :func:`threads_for`
    the load of other programs measured by ``load()`` (e.g. the :meth:`LoadWindow.load` of a
    window opened when the colorization started); :func:`outer_threads` where it cannot be
    measured."""
    if requested:
        return max(1, int(requested))
    limit = outer_threads()
    if limit <= 1:                   # nothing to choose: no window to wait for
        return 1
    measured = load()
    if measured is None:
        return limit
    return threads_for(measured, os.cpu_count() or 1, limit)


def outer_threads() -> int:
    """The most torch threads a colorization takes: torch's count as the process had it
    before anything here changed it (read once; not the calling thread's count now, which an
    earlier job in this thread or the thread that started it may have lowered)."""
    global _default
    with _default_lock:
        if _default is None:
            import torch

            _default = torch.get_num_threads()
        return _default


@contextmanager
def torch_threads(n: int):
    """Run the block with ``n`` torch threads, then set the process default back.

    With OpenMP (this torch), the count is the calling thread's own, and threads started
    later inherit the last one set anywhere: so the block ends by setting the process default
    (:func:`outer_threads`), in its own thread, and the limit other jobs take comes from that
    default, never from a thread's count. (A process-wide restore "when the last block ends"
    left a batch's worker, and every thread started after it, on one thread for the session;
    restoring the thread's own earlier count did the same for threads started meanwhile.)"""
    import torch

    default = outer_threads()             # fixed before the first change
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(default)


def at_measured_threads(fn):
    """``fn`` run with the torch threads the cores other programs leave free, measured over a
    :class:`LoadWindow` opened as it starts (the single-gray methods: they prepare too little
    first, so the window costs them up to WINDOW_SECONDS)."""
    from functools import wraps

    @wraps(fn)
    def run(*args, **kwargs):
        window = LoadWindow()
        with torch_threads(inference_threads(load=window.load)):
            return fn(*args, **kwargs)
    return run
