"""Run an engine or training generator in a background thread (superqt GeneratorWorker style).

The generator yields progress objects and finally *returns* its result. The worker:

- emits ``progress(obj)`` for yielded objects (optionally throttled, see ``min_interval``),
- emits ``finished(result)`` with the generator's return value,
- emits ``errored(exc)`` if it raised (the exception object, traceback in ``exc.__traceback__``),
- emits ``cancelled()`` if :meth:`abort` was called (the generator is closed between yields,
  so its ``finally`` blocks run in the worker thread) or it raised ``Cancelled``,
- emits ``done()`` last in every case.

The GUI thread never waits on the generator. Tests can call :meth:`work` directly
(synchronously, no thread) and use ``qtbot.waitSignal`` for the threaded path.
"""
from __future__ import annotations

import logging
import threading
import time
import warnings
from typing import Any, Callable, Generator

from PySide6.QtCore import QThread, QTimer, Signal

from colorstudio.errors import Cancelled

log = logging.getLogger(__name__)

# Workers still running are kept alive here (a QThread collected while running crashes Qt).
_RUNNING: set["GeneratorWorker"] = set()


_NOTHING = object()


def _disconnect_all(signal) -> None:
    with warnings.catch_warnings():            # PySide6 warns when nothing is connected
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            signal.disconnect()
        except (RuntimeError, TypeError):
            pass


class WorkCancelled(Exception):
    """Raised by :meth:`GeneratorWorker.work` when the job was aborted."""


class GeneratorWorker(QThread):
    progress = Signal(object)
    finished_with = Signal(object)   # named so it does not shadow QThread.finished
    errored = Signal(object)
    cancelled = Signal()
    done = Signal()

    def __init__(self, func: Callable[..., Generator], *args,
                 min_interval: float = 0.0,
                 always_emit: Callable[[Any], bool] | None = None, **kwargs):
        """``func(*args, **kwargs)`` must return a generator.

        ``min_interval`` (seconds) drops progress objects that come faster than that,
        except those for which ``always_emit(obj)`` is true (e.g. an item's final status)
        and the last one before the generator returns.
        """
        super().__init__()
        self._func, self._args, self._kwargs = func, args, kwargs
        self.min_interval = float(min_interval)
        self.always_emit = always_emit
        self._abort = threading.Event()
        self._resume = threading.Event()
        self._resume.set()
        self._last_emit = 0.0
        self._held: Any = _NOTHING
        self.result: Any = None
        self.error: BaseException | None = None
        self.was_cancelled = False

    # -- control (any thread)
    def abort(self) -> None:
        """Ask the job to stop at its next yield (also releases a pause)."""
        self._abort.set()
        self._resume.set()

    def pause(self) -> None:
        self._resume.clear()

    def resume(self) -> None:
        self._resume.set()

    def toggle_pause(self) -> bool:
        """Pause a running job (at its next yield) or resume a paused one; True if now paused."""
        if self.is_paused:
            self.resume()
        else:
            self.pause()
        return self.is_paused

    @property
    def is_paused(self) -> bool:
        return not self._resume.is_set()

    @property
    def abort_requested(self) -> bool:
        return self._abort.is_set()

    # -- the job
    def _emit_progress(self, value: Any) -> None:
        now = time.monotonic()
        forced = self.always_emit is not None and self.always_emit(value)
        if forced or self.min_interval <= 0 or now - self._last_emit >= self.min_interval:
            self._last_emit = now
            self._held = _NOTHING
            self.progress.emit(value)
        else:
            self._held = value          # emitted at the end if nothing newer gets through

    def work(self) -> Any:
        """Run the generator to the end in the calling thread; return its return value.

        Raises :class:`WorkCancelled` when aborted, or whatever the generator raised.
        """
        gen = self._func(*self._args, **self._kwargs)
        try:
            while True:
                self._resume.wait()
                if self._abort.is_set():
                    raise WorkCancelled()
                try:
                    value = next(gen)
                except StopIteration as stop:
                    if self._held is not _NOTHING:   # the last state is never throttled away
                        self.progress.emit(self._held)
                        self._held = _NOTHING
                    return stop.value
                self._emit_progress(value)
        finally:
            gen.close()   # runs the generator's finally blocks (e.g. checkpoint on cancel)

    def run(self) -> None:  # QThread entry point, worker thread
        try:
            self.result = self.work()
        except (WorkCancelled, Cancelled):
            self.was_cancelled = True
            self.cancelled.emit()
        except BaseException as exc:  # noqa: BLE001 - reported to the GUI, never lost
            self.error = exc
            log.debug("worker %s failed", getattr(self._func, "__name__", self._func), exc_info=exc)
            self.errored.emit(exc)
        else:
            self.finished_with.emit(self.result)
        finally:
            self.done.emit()

    def start_with(self, *, progress: Callable | None = None, finished: Callable | None = None,
                   errored: Callable | None = None, cancelled: Callable | None = None) -> "GeneratorWorker":
        """Connect the slots given (to ``progress``, ``finished_with``, ``errored``,
        ``cancelled``) and start; returns the worker:
        ``self.worker = GeneratorWorker(job, ...).start_with(finished=..., errored=...)``."""
        for signal, slot in ((self.progress, progress), (self.finished_with, finished),
                             (self.errored, errored), (self.cancelled, cancelled)):
            if slot is not None:
                signal.connect(slot)
        self.start()
        return self

    def start(self, *args) -> None:  # noqa: D401 - QThread API
        _RUNNING.add(self)
        self.finished.connect(self._forget)
        super().start(*args)

    def _forget(self) -> None:
        """The thread has ended (its last signals were delivered before this one): let go of what
        was connected to it and of its inputs. A slot naming the worker (``lambda: self._job_done(worker)``)
        made a cycle through Qt that Python's collector cannot see, so every finished job kept
        its photos and its full-size result for the app's life (14 MB a 0.1 MP photo in a day's
        session; at 12 MP, a gigabyte a photo). It stays in :data:`_RUNNING` while Qt still says
        the thread runs (Qt 6 says it has finished by then; a guard, as a QThread collected while
        running aborts the app)."""
        for signal in (self.progress, self.finished_with, self.errored, self.cancelled, self.done):
            _disconnect_all(signal)
        self._func, self._args, self._kwargs, self.always_emit = None, (), {}, None
        if self.isFinished():
            _RUNNING.discard(self)
        else:
            QTimer.singleShot(10, self._forget)

    @staticmethod
    def stop_all(timeout_ms: int = 10000) -> bool:
        """Abort every running worker at once, then wait for them within one shared deadline;
        True if all ended. A QThread still running when Python exits aborts the process, so the
        window calls it on quitting (and the app leaves at once if one outlives the wait)."""
        workers = list(_RUNNING)
        for worker in workers:
            worker.abort()
        deadline = time.monotonic() + timeout_ms / 1000
        return all([worker.stop(max(0, round((deadline - time.monotonic()) * 1000))) for worker in workers])

    def stop(self, timeout_ms: int = 5000) -> bool:
        """Abort and wait (bounded) for the thread to end; True if it ended."""
        self.abort()
        if not self.isRunning():
            return True
        return self.wait(timeout_ms)
