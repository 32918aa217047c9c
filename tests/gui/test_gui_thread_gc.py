"""The app's cycle collector runs in the GUI thread only (a widget in a reference cycle collected
in a worker thread deadlocks Qt)."""
from __future__ import annotations

import gc
import threading


class _Node:
    finalized_in: list[threading.Thread] = []

    def __del__(self):
        _Node.finalized_in.append(threading.current_thread())


def _make_cycles(n: int) -> None:
    for _ in range(n):          # garbage cycles: only the cycle collector frees them
        x: list = []
        x.append(x)


def test_cycles_are_freed_in_the_gui_thread_not_in_a_worker(qtbot):
    from colorstudio.gui.app import collect_garbage_in_gui_thread

    gc.collect()
    _Node.finalized_in.clear()
    collector = collect_garbage_in_gui_thread(interval=0.05)
    try:
        node = _Node()
        node.me = node                       # a cycle, like a widget held by its own lambda
        del node
        worker = threading.Thread(target=_make_cycles, args=(50_000,))   # far past the thresholds
        worker.start()
        worker.join()
        assert _Node.finalized_in == []      # the worker's allocations did not collect it
        qtbot.waitUntil(lambda: bool(_Node.finalized_in), timeout=5000)
        assert _Node.finalized_in == [threading.main_thread()]
    finally:
        collector.timer.stop()
        gc.enable()
        gc.collect()


def test_without_it_a_worker_would_collect_the_cycle():
    """The test above can fail: with automatic collection on, the worker frees the cycle."""
    gc.collect()
    _Node.finalized_in.clear()
    node = _Node()
    node.me = node
    del node
    worker = threading.Thread(target=_make_cycles, args=(50_000,))
    worker.start()
    worker.join()
    assert _Node.finalized_in and _Node.finalized_in[0] is worker
