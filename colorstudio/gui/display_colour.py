"""The compare view's pictures converted for the monitor off the GUI thread.

A :class:`~colorstudio.gui.monitor_profile.MonitorProfile` conversion of a 2048 px display
copy takes about 50 ms on this project's 2-core CPU: too long for the GUI thread, which
would stutter while the colour-strength slider moves. :class:`DisplayColour` does it in a
small thread pool and hands the result back on the GUI thread. Each *slot* (a panel's image,
a full-resolution tile, the split's before side) keeps only its latest request: a picture
superseded while it was converted is dropped. With nothing to convert (an sRGB monitor and
an sRGB photo, the common case) a request is answered at once, in the caller's thread.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Callable

import numpy as np
from PySide6.QtCore import QObject, Signal

from colorstudio.gui.monitor_profile import SRGB, MonitorProfile

Apply = Callable[[np.ndarray | None], None]


class DisplayColour(QObject):
    """Converts pictures from the photo's colour space to the monitor's; see the module."""

    _converted = Signal(str, int, object)       # slot, request number, pixels (from a pool thread)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.monitor: MonitorProfile = SRGB
        self.photo_icc: bytes | None = None          # the photos' RGB profile (None: sRGB)
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="monitor-colour")
        self._latest: dict[str, int] = {}
        self._waiting: dict[str, Apply] = {}
        self._converted.connect(self._deliver)

    @property
    def converts(self) -> bool:
        """Whether pictures are converted now (else they go to the screen as they are)."""
        return not self.monitor.is_identity(self.photo_icc)

    def pending(self) -> bool:
        """Whether a conversion is still on its way (tests wait for this)."""
        return bool(self._waiting)

    def request(self, slot: str, pixels: np.ndarray | None, apply: Apply) -> None:
        """Call ``apply`` with ``pixels`` as the monitor shows them right: at once when there
        is nothing to convert (or nothing to show), else later on the GUI thread, unless
        another request for ``slot`` came in the meantime."""
        number = self._latest[slot] = self._latest.get(slot, 0) + 1
        if pixels is None or not self.converts:
            self._waiting.pop(slot, None)
            apply(pixels)
            return
        self._waiting[slot] = apply
        self._pool.submit(self._convert, slot, number, pixels, self.monitor, self.photo_icc)

    def request_made(self, slot: str, make: Callable[[], np.ndarray], apply: Apply) -> None:
        """As :meth:`request` for pixels that ``make`` has yet to make (a large full-resolution
        tile): made in the pool as well, then converted if need be; always answered later."""
        number = self._latest[slot] = self._latest.get(slot, 0) + 1
        self._waiting[slot] = apply
        self._pool.submit(self._convert, slot, number, make, self.monitor, self.photo_icc, self.converts)

    def _convert(self, slot: str, number: int, pixels, monitor: MonitorProfile,
                 photo_icc: bytes | None, converts: bool = True) -> None:
        if callable(pixels):
            if self._latest.get(slot) != number:    # superseded before it started: not made
                return
            pixels = pixels()
        try:
            out = monitor.convert(pixels, photo_icc) if converts else pixels
        except Exception:            # a profile littleCMS rejects: the numbers as they are
            out = pixels
        try:
            self._converted.emit(slot, number, out)
        except RuntimeError:         # the window closed meanwhile
            pass

    def _deliver(self, slot: str, number: int, pixels: np.ndarray) -> None:
        if self._latest.get(slot) == number and slot in self._waiting:
            self._waiting.pop(slot)(pixels)

    def shutdown(self) -> None:
        self._waiting.clear()
        self._pool.shutdown(wait=False, cancel_futures=True)
