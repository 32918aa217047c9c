"""The generator worker: results, progress, errors, cancel, pause — threaded and direct."""
from __future__ import annotations

import threading
import time

import pytest

from colorstudio.errors import Cancelled, PairError
from colorstudio.gui.workers import GeneratorWorker, WorkCancelled


def counting(n, delay=0.0, log=None):
    try:
        for i in range(n):
            if delay:
                time.sleep(delay)
            yield i
        return f"counted {n}"
    finally:
        if log is not None:
            log.append("closed")


def failing(exc):
    yield 1
    raise exc


def test_work_runs_directly_and_returns_the_generator_value():
    seen = []
    worker = GeneratorWorker(counting, 3)
    worker.progress.connect(seen.append)
    assert worker.work() == "counted 3"
    assert seen == [0, 1, 2]


def test_threaded_run_emits_progress_then_finished(qtbot):
    seen = []
    worker = GeneratorWorker(counting, 4)
    worker.progress.connect(seen.append)
    with qtbot.waitSignal(worker.done, timeout=5000):
        with qtbot.waitSignal(worker.finished_with, timeout=5000) as blocker:
            worker.start()
    assert blocker.args == ["counted 4"]
    assert seen == [0, 1, 2, 3]
    assert worker.wait(2000)


def test_errors_become_a_signal_with_the_exception(qtbot):
    worker = GeneratorWorker(failing, PairError("the two photos show different scenes"))
    with qtbot.waitSignal(worker.errored, timeout=5000) as blocker:
        worker.start()
    exc = blocker.args[0]
    assert isinstance(exc, PairError) and "different scenes" in str(exc)
    assert exc.__traceback__ is not None
    worker.wait(2000)


def test_a_bug_is_reported_too_not_lost(qtbot):
    worker = GeneratorWorker(failing, ZeroDivisionError("division by zero"))
    with qtbot.waitSignal(worker.errored, timeout=5000) as blocker:
        worker.start()
    assert isinstance(blocker.args[0], ZeroDivisionError)
    worker.wait(2000)


def test_abort_stops_between_yields_and_closes_the_generator(qtbot):
    log = []
    worker = GeneratorWorker(counting, 10_000, 0.005, log)
    got_some = []
    worker.progress.connect(got_some.append)
    with qtbot.waitSignal(worker.cancelled, timeout=5000):
        worker.start()
        qtbot.waitUntil(lambda: len(got_some) >= 3, timeout=5000)
        worker.abort()
    assert worker.wait(2000)
    assert log == ["closed"]             # the generator's finally ran
    assert worker.was_cancelled and worker.result is None
    assert len(got_some) < 10_000


def test_abort_before_work_raises_work_cancelled_directly():
    worker = GeneratorWorker(counting, 5)
    worker.abort()
    with pytest.raises(WorkCancelled):
        worker.work()


def test_generator_raising_cancelled_counts_as_cancelled(qtbot):
    worker = GeneratorWorker(failing, Cancelled("stopped by the user"))
    with qtbot.waitSignal(worker.cancelled, timeout=5000):
        worker.start()
    worker.wait(2000)


def test_pause_holds_the_generator_until_resume(qtbot):
    seen, results = [], []
    worker = GeneratorWorker(counting, 300, 0.002).start_with(progress=seen.append, finished=results.append)
    qtbot.waitUntil(lambda: len(seen) >= 2, timeout=5000)
    assert worker.toggle_pause() is True and worker.is_paused
    time.sleep(0.1)
    qtbot.wait(50)
    frozen = len(seen)
    time.sleep(0.15)
    qtbot.wait(50)
    assert len(seen) <= frozen + 1 and not results       # at most the step in flight
    with qtbot.waitSignal(worker.finished_with, timeout=10000):
        assert worker.toggle_pause() is False
    assert len(seen) == 300 and results == [worker.result]
    worker.wait(2000)


def test_throttling_keeps_forced_items():
    def burst():
        for i in range(200):
            yield i
        return None

    worker = GeneratorWorker(burst, min_interval=10.0, always_emit=lambda v: v % 50 == 0)
    seen = []
    worker.progress.connect(seen.append)
    worker.work()
    assert seen == [0, 50, 100, 150, 199]           # forced ones, and the last state


def test_the_gui_thread_is_not_the_worker_thread(qtbot):
    threads = []

    def where():
        threads.append(threading.get_ident())
        yield
        return None

    worker = GeneratorWorker(where)
    with qtbot.waitSignal(worker.done, timeout=5000):
        worker.start()
    assert threads and threads[0] != threading.get_ident()
    worker.wait(2000)


def test_a_finished_job_whose_slots_name_it_is_let_go_with_its_inputs_and_result(qtbot):
    """A slot naming the worker (lambda: self._job_done(worker)) made a cycle through Qt that the
    collector could not see: every finished job of a day's session kept its photos and its result."""
    import gc
    import weakref

    import numpy as np
    from PySide6.QtCore import QObject

    from colorstudio.gui import workers

    class Photo:                                  # an input the job was given
        pixels = np.zeros((500, 500))

    def job(photo):
        yield 0.5
        return np.ones((500, 500))                # a result

    class Window(QObject):                        # as the main window runs its jobs
        worker = None

        def run(self, photo):
            worker = self.worker = GeneratorWorker(job, photo)
            return worker.start_with(finished=lambda result: self.job_done(worker),
                                     errored=lambda exc: self.job_done(worker))

        def job_done(self, worker):
            if self.worker is worker:
                self.worker = None

    window, photo = Window(), Photo()
    worker = window.run(photo)
    qtbot.waitUntil(lambda: window.worker is None and worker not in workers._RUNNING, timeout=5000)
    gone, given = weakref.ref(worker), weakref.ref(photo)
    del worker, photo
    gc.collect()
    assert gone() is None and given() is None


def test_a_job_is_kept_until_its_thread_is_over(qtbot, monkeypatch):
    """A worker Qt still says is running is not let go (a QThread collected while running aborts
    the app); Qt 6 says it has finished by the time QThread.finished is heard: a guard."""
    from colorstudio.gui import workers

    worker = GeneratorWorker(counting, 1)
    monkeypatch.setattr(worker, "isFinished", lambda: False)
    with qtbot.waitSignal(worker.finished, timeout=5000):
        worker.start()
    qtbot.wait(50)
    assert worker in workers._RUNNING                # looked at again later, not let go
    monkeypatch.setattr(worker, "isFinished", lambda: True)
    qtbot.waitUntil(lambda: worker not in workers._RUNNING, timeout=2000)
