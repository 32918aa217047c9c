"""SIGTERM and SIGHUP (a kill, a closed terminal or SSH session) end a CLI command as Ctrl-C
does: the file being written is removed (:func:`colorstudio.core.atomic_files.atomic_write`
cleans up on any exception) instead of staying behind as a hidden '.part', and a batch says
how far it got. Without this, Python dies on them at once and runs no cleanup."""
from __future__ import annotations

import signal
import threading


class Stopped(KeyboardInterrupt):
    """A stop signal arrived while a command ran."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum
        self.name = signal.Signals(signum).name


def stop_as_ctrl_c_on(names=("SIGTERM", "SIGHUP")) -> dict:
    """Raise :class:`Stopped` on these signals from now on (in the main thread only, where
    Python runs handlers); returns the handlers they had, for :func:`put_back`."""
    if threading.current_thread() is not threading.main_thread():
        return {}

    def stop(signum, _frame):
        raise Stopped(signum)

    before = {}
    for name in names:
        sig = getattr(signal, name, None)        # Windows has no SIGHUP
        if sig is not None:
            before[sig] = signal.signal(sig, stop)
    return before


def put_back(before: dict) -> None:
    for sig, handler in before.items():
        signal.signal(sig, handler)
