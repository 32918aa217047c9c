"""Work around a reference-count bug of PySide6 6.12.0 on Python < 3.12.

In PySide6 6.12.0 every ``SignalInstance.emit()`` called from Python returns ``True``
without taking a reference to it. On Python 3.11 ``True`` is an ordinary object, so each
emit lowers its reference count by one; after a few thousand emits (pyqtgraph emits on
every repaint) the count reaches zero and the interpreter aborts with
"Fatal Python error: bool_dealloc". Python 3.12+ makes ``True`` immortal (harmless there)
and PySide6 6.11.x does not have the bug.

:func:`install` probes for the bug and, only if it is present, gives the lost references
back: a timer raises the reference counts of ``True``/``False`` (static objects, never
freed) whenever they run low. Nothing is allocated for it.
"""
from __future__ import annotations

import ctypes
import logging
import sys

from PySide6.QtCore import QObject, QTimer, Signal

log = logging.getLogger(__name__)

LOW_WATER = 1_000_000        # refill when a bool's count falls below this
REFILL = 10_000_000          # references given back at a time (counts are Py_ssize_t)
_timer: QTimer | None = None
_leaks: bool | None = None


class _Probe(QObject):
    fired = Signal()


def emit_leaks_true() -> bool:
    """True if ``Signal.emit()`` loses a reference to ``True`` (PySide6 6.12.0, Python < 3.12)."""
    global _leaks
    if _leaks is None:
        if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
            _leaks = False
        else:
            probe = _Probe()
            before = sys.getrefcount(True)
            for _ in range(16):
                probe.fired.emit()
            _leaks = sys.getrefcount(True) < before - 8
    return _leaks


def top_up() -> None:
    """Give references back to True/False when their count runs low (GIL held: no race)."""
    for value in (True, False):
        if sys.getrefcount(value) < LOW_WATER:
            ctypes.c_ssize_t.from_address(id(value)).value += REFILL   # ob_refcnt, CPython < 3.12


def install(interval_ms: int = 250) -> bool:
    """Activate the workaround if needed (idempotent; call once a Q(Core)Application exists).
    Returns whether it is active."""
    global _timer
    if not emit_leaks_true():
        return False
    top_up()
    if _timer is None:
        import PySide6

        log.warning("PySide6 %s loses a reference to True on every signal emit; working around it "
                    "(PySide6 6.11 does not need this)", PySide6.__version__)
        _timer = QTimer()
        _timer.setInterval(interval_ms)
        _timer.timeout.connect(top_up)
        _timer.start()
    return True
