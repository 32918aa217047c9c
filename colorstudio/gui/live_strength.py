"""Live colour strength: moving the strength slider re-saturates the shown single-gray result
in the background (a fraction of a second, :func:`colorstudio.gui.jobs.restrength_for_view`)
instead of waiting for the next Colorize to run the method again."""
from __future__ import annotations

from typing import Callable

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from colorstudio.gui import jobs
from colorstudio.gui.workers import GeneratorWorker

SETTLE_MS = 120     # the full size comes once the slider has rested this long (previews before)


class LiveStrength(QObject):
    """Keeps the shown result at the strength the side panel asks for.

    ``current()`` gives the shown :class:`~colorstudio.gui.jobs.ShownResult` (or None),
    ``wanted()`` the strength the user chose (None: the result's method's default),
    ``show(shown)`` puts a re-saturated result on screen; ``preview(view)``, if given, puts
    a large photo's display copy at the new strength on screen.

    One job at a time; the last slider value wins. While the slider moves on a photo larger than
    the view's display copy, the jobs make display-size previews only (about 0.08 s at 12 MP),
    so the picture follows the hand; once the slider has rested ``SETTLE_MS``, one job brings
    the full size. A small photo gets the full size each time (it takes as little). A result
    replaced meanwhile (a new Colorize, another photo) is never overwritten by a job started
    for the old one.
    """

    failed = Signal(object)       # the exception of a job that failed

    def __init__(self, current: Callable[[], "jobs.ShownResult | None"],
                 wanted: Callable[[], float | None], show: Callable[["jobs.ShownResult"], None],
                 preview: Callable[[np.ndarray], None] | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.current, self.wanted, self.show, self.preview = current, wanted, show, preview
        self.worker: GeneratorWorker | None = None
        self.previewed: tuple | None = None      # (result, factor) on screen as a preview
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(SETTLE_MS)
        self.timer.timeout.connect(self._start)

    def request(self) -> None:
        """The slider moved, or a new result is shown: a preview now (large photos), the full
        size once the slider rests."""
        if self.previewed is not None and self.previewed[0] is not self.current():
            self.previewed = None            # another result: let the old one go
        self.timer.start()
        self._start(preview_only=True)

    def is_running(self) -> bool:
        return self.worker is not None

    def _start(self, preview_only: bool = False) -> None:
        if self.worker is not None:          # caught up with in _done
            return
        shown = self.current()
        factor = jobs.strength_change(shown.colorization if shown is not None else None, self.wanted())
        if factor is None:
            return
        if preview_only:
            if self.preview is None or not jobs.needs_preview(shown) or self.previewed == (shown, factor):
                return
            worker = GeneratorWorker(jobs.preview_for_view, shown, factor)
        else:
            worker = GeneratorWorker(jobs.restrength_for_view, shown, factor,
                                     preview=self.previewed != (shown, factor))
        self.worker = worker
        worker.start_with(
            progress=lambda step: self._previewed(shown, factor, step),
            finished=lambda new: self._done(worker, shown, new),
            errored=lambda exc: (self._done(worker, shown, None, again=False), self.failed.emit(exc)),
            cancelled=lambda: self._done(worker, shown, None, again=False))

    def _previewed(self, started_from, factor: float, step) -> None:
        """A large photo's display copy at the new strength, before its full size is ready."""
        if isinstance(step, jobs.ViewPreview) and self.preview is not None and self.current() is started_from:
            self.previewed = (started_from, factor)
            self.preview(step.view)

    def _done(self, worker: GeneratorWorker, started_from, new, again: bool = True) -> None:
        """A job ended. ``again``: catch up with slider moves made meanwhile: another preview
        while the slider still moves, else the full size (not after a failure, which would only
        fail again; the next slider move tries anew)."""
        if self.worker is not worker:
            return
        self.worker = None
        if new is not None and self.current() is started_from:      # a preview-only job returns None
            self.previewed = None
            self.show(new)
        if again:
            self._start(preview_only=self.timer.isActive())

    def stop(self, timeout_ms: int = 10000) -> None:
        self.timer.stop()
        if self.worker is not None:
            self.worker.stop(timeout_ms)
            self.worker = None
