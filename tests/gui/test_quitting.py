"""Quitting while a job runs: the window goes at once, every job gets one shared wait, and a
step that cannot be interrupted does not turn the exit into a crash."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from colorstudio.engine.progress import Progress
from colorstudio.gui.workers import GeneratorWorker


def _stuck(seconds):
    time.sleep(seconds)                 # a step that cannot be interrupted, from the start
    yield Progress(0.9, "after the step")


def test_stop_all_waits_once_for_all_workers_not_once_each(qtbot):
    workers = [GeneratorWorker(_stuck, 1.5) for _ in range(3)]
    for w in workers:
        w.start()
    qtbot.waitUntil(lambda: all(w.isRunning() for w in workers))
    time.sleep(0.1)
    t0 = time.monotonic()
    assert not GeneratorWorker.stop_all(300)
    assert time.monotonic() - t0 < 0.8                 # not 3 x 300 ms
    assert GeneratorWorker.stop_all(5000)              # they end after their step
    assert not any(w.isRunning() for w in workers)


def test_the_window_is_gone_before_the_jobs_have_ended(qtbot, window, pair_files, monkeypatch):
    from colorstudio.gui import jobs, main_window

    monkeypatch.setattr(jobs, "colorize_for_view", lambda *a, **k: _stuck(1.0))
    monkeypatch.setattr(main_window, "QUIT_WAIT_MS", 5000)
    with qtbot.waitSignal(window.opened, timeout=10000):
        window.open_paths(list(pair_files))
    window.colorize()
    qtbot.waitUntil(lambda: window.worker is not None and window.worker.isRunning())
    hidden_while_running = []
    worker = window.worker              # not `window` in the lambda: a cycle through a window would
    window.hideEvent = lambda e: hidden_while_running.append(worker.isRunning())   # be freed by the
    try:                                # garbage collector in whatever thread runs it (a worker)
        window.close()
    finally:
        del window.hideEvent
    assert hidden_while_running == [True]
    assert not window.isVisible()


SCRIPT = """
import os, sys, time
from PySide6.QtCore import QTimer
from colorstudio.engine.progress import Progress
from colorstudio.gui import app, jobs, main_window
from colorstudio.gui.main_window import MainWindow

def stuck(*a, **k):
    time.sleep(30)
    yield Progress(0.9, "x")

jobs.colorize_for_view = stuck
main_window.QUIT_WAIT_MS = 300
shown = MainWindow.show
def show(w):
    shown(w)
    w.force_close = True
    w.opened.connect(lambda _: QTimer.singleShot(10, w.colorize))
    QTimer.singleShot(1500, w.close)
MainWindow.show = show
t0 = time.monotonic()
code = app.main([sys.argv[1], sys.argv[2]])
print("returned", code)
"""


def test_quitting_during_a_step_that_outlives_the_wait_exits_cleanly_and_soon(tmp_path, pair_files):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "COLORSTUDIO_USER_DIR": str(tmp_path / "user")}
    script = tmp_path / "quit.py"
    script.write_text(textwrap.dedent(SCRIPT))
    t0 = time.monotonic()
    done = subprocess.run([sys.executable, str(script), *map(str, pair_files)], env=env, capture_output=True,
                          text=True, timeout=60, cwd=Path(__file__).parent)
    assert done.returncode == 0, done.stderr[-2000:]       # not SIGABRT (-6): no running QThread at exit
    assert time.monotonic() - t0 < 20                       # not the 30 s step
    assert "Destroyed while thread" not in done.stderr


def test_quitting_during_a_batch_says_it_is_the_batch_and_how_much_is_left(qtbot, window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from colorstudio.gui import batch_panel as panel_module
    from gui_helpers import write_pair
    from test_batch_panel import slow_run_batch

    monkeypatch.setattr(panel_module, "run_batch", slow_run_batch)
    for i in range(3):
        write_pair(tmp_path / "s", f"p{i}", seed=i)
    with qtbot.waitSignal(window.batch.planned, timeout=20000):
        window.batch.add_inputs([tmp_path / "s"])
    window.batch.start()
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: (asked.append(a[2]), QMessageBox.StandardButton.No)[1])
    window.force_close = False
    window.close()
    assert len(asked) == 1 and asked[0].startswith("The batch is running (") and "to go). Stop it and quit?" in asked[0]
    window.force_close = True
