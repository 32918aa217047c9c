"""The app's cycle collector runs in the GUI thread only (a widget in a reference cycle collected
in a worker thread deadlocks Qt)."""
from __future__ import annotations

import gc
import threading
import time


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


def test_no_pass_walks_what_the_warm_up_makes_in_the_gui_thread(qtbot, window, monkeypatch):
    """The warm-up's objects (PyTorch, the models: ~175 000) are frozen unwalked when it ends:
    the first pass after the start used to walk them all in the GUI thread (130 ms frozen)."""
    import colorstudio.engine.warm_up as engine_warm_up
    import colorstudio.gui.main_window as mw
    from colorstudio.gui.app import collect_garbage_in_gui_thread

    kept, events = [], []

    def fake_warm_up():               # like importing PyTorch in the worker: many objects that stay
        for _ in range(6):
            kept.extend([] for _ in range(10_000))
            time.sleep(0.05)
            yield None
        return ["fake"]

    def on_pass(phase, info):
        if phase == "start" and threading.current_thread() is threading.main_thread():
            events.append(("pass", info["generation"]))

    monkeypatch.setattr(engine_warm_up, "warm_up", fake_warm_up)
    monkeypatch.setattr(mw.gc, "freeze", lambda: events.append(("freeze",)))   # not the test process's
    gc.collect()
    earlier = collect_garbage_in_gui_thread(interval=0.01)    # an app's, left running (one per process)
    collector = collect_garbage_in_gui_thread(interval=0.02)
    assert not earlier.timer.isActive()                       # stopped: its passes could not be paused
    gc.callbacks.append(on_pass)
    try:
        worker = window.warm_up()
        qtbot.waitUntil(worker.isFinished, timeout=10000)
        qtbot.waitUntil(lambda: ("freeze",) in events, timeout=5000)
        assert events[0] == ("freeze",), events         # no pass in the GUI thread while it loaded
        kept.extend([] for _ in range(5_000))
        qtbot.waitUntil(lambda: len(events) > 1, timeout=5000)      # then the passes go on
    finally:
        gc.callbacks.remove(on_pass)
        collector.stop()
        gc.collect()
