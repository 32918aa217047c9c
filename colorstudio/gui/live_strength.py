"""Live colour strength: moving the strength slider re-saturates the shown single-gray result
in the background (a fraction of a second, :func:`colorstudio.gui.jobs.restrength_for_view`)
instead of waiting for the next Colorize to run the method again."""
from __future__ import annotations

from typing import Callable

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from colorstudio.gui import jobs
from colorstudio.gui.workers import GeneratorWorker

SETTLE_MS = 120     # wait this long after the last slider move before starting a job


class LiveStrength(QObject):
    """Keeps the shown result at the strength the side panel asks for.

    ``current()`` gives the shown :class:`~colorstudio.gui.jobs.ShownResult` (or None),
    ``wanted()`` the strength the user chose (None: the result's method's default),
    ``show(shown)`` puts a re-saturated result on screen; ``preview(view)``, if given, puts
    a large photo's display copy at the new strength on screen first. One job at a time: slider moves
    during a job are caught up with when it ends. A result replaced meanwhile (a new
    Colorize, another photo) is never overwritten by a job started for the old one.
    """

    failed = Signal(object)       # the exception of a job that failed

    def __init__(self, current: Callable[[], "jobs.ShownResult | None"],
                 wanted: Callable[[], float | None], show: Callable[["jobs.ShownResult"], None],
                 preview: Callable[[np.ndarray], None] | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.current, self.wanted, self.show, self.preview = current, wanted, show, preview
        self.worker: GeneratorWorker | None = None
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(SETTLE_MS)
        self.timer.timeout.connect(self._start)

    def request(self) -> None:
        """The slider moved, or a new result is shown: catch up soon."""
        self.timer.start()

    def is_running(self) -> bool:
        return self.worker is not None

    def _target(self, shown) -> float | None:
        """The factor to apply to ``shown``, or None when it is already at the wanted one
        (or has no strength to change: pairs, classic methods)."""
        return jobs.strength_change(shown.colorization if shown is not None else None, self.wanted())

    def _start(self) -> None:
        if self.worker is not None:          # caught up with in _done
            return
        shown = self.current()
        factor = self._target(shown)
        if factor is None:
            return
        worker = GeneratorWorker(jobs.restrength_for_view, shown, factor)
        self.worker = worker
        worker.start_with(
            progress=lambda step: self._preview(shown, step),
            finished=lambda new: self._done(worker, shown, new),
            errored=lambda exc: (self._done(worker, shown, None, again=False), self.failed.emit(exc)),
            cancelled=lambda: self._done(worker, shown, None, again=False))

    def _preview(self, started_from, step) -> None:
        """A large photo's display copy at the new strength, before its full size is ready."""
        if isinstance(step, jobs.StrengthPreview) and self.preview is not None and self.current() is started_from:
            self.preview(step.view)

    def _done(self, worker: GeneratorWorker, started_from, new, again: bool = True) -> None:
        """A job ended. ``again``: catch up with slider moves made meanwhile (not after a
        failure, which would only fail again; the next slider move tries anew)."""
        if self.worker is not worker:
            return
        self.worker = None
        if new is not None and self.current() is started_from:
            self.show(new)
        if again:
            self._start()

    def stop(self, timeout_ms: int = 10000) -> None:
        self.timer.stop()
        if self.worker is not None:
            self.worker.stop(timeout_ms)
            self.worker = None
