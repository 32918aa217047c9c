"""Errors shown to the user: one line in a dialog, the details (traceback) on demand, all logged.

A :class:`~colorstudio.errors.ColorStudioError` is something the user can fix (its message
says what), and so is running out of memory; anything else is a bug and is shown as
"unexpected error" with the traceback.
Everything goes to the log file (``paths.log_file()``).
"""
from __future__ import annotations

import logging
import re
import sys
import traceback

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from colorstudio import paths
from colorstudio.errors import NOT_ENOUGH_MEMORY, ColorStudioError, out_of_memory
from colorstudio.log_handlers import QuietRotatingFileHandler

log = logging.getLogger("colorstudio.gui")
_LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def setup_logging() -> logging.Handler | None:
    """Log the ``colorstudio`` loggers to the user's log file (idempotent); returns the handler."""
    root = logging.getLogger("colorstudio")
    target = str(paths.log_file())
    for h in root.handlers:
        if isinstance(h, logging.FileHandler) and h.baseFilename == target:
            return h
    try:
        handler = QuietRotatingFileHandler(target, maxBytes=2_000_000, backupCount=2, encoding="utf-8",
                                             errors="backslashreplace")
    except OSError:
        return None
    handler.setFormatter(logging.Formatter(_LOG_FORMAT))
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return handler


def user_message(exc: BaseException) -> str | None:
    """The one line for an error the user can act on (a ColorStudioError, or a photo too large
    for the memory), None for a bug. In the CLI's words ("cannot read …"), to go after a colon;
    :func:`as_sentence` makes a line of its own of it."""
    if isinstance(exc, ColorStudioError):
        return str(exc)
    if out_of_memory(exc):
        return NOT_ENOUGH_MEMORY
    return None


# the words the engine's messages begin with (a message beginning with a file's name, "scan 3.png
# is all black", keeps the name's own case)
_FIRST_WORDS = frozenset("a an another cannot could device diagnostics file init its method model no not "
                         "nothing only option saturation side the there this too unknown".split())


def as_sentence(line: str) -> str:
    """A message standing alone (a dialog, a status line): a capital (on the words the engine's
    messages begin with), a full stop. A file's or a method's name keeps its own case."""
    line = line.strip()
    first = re.match(r"[a-z]+(?=[ ,;:])", line)
    if first and first.group() in _FIRST_WORDS:
        line = line[0].upper() + line[1:]
    return line if not line or line.endswith((".", "!", "?", "…")) else line + "."


def describe(exc: BaseException) -> tuple[str, str]:
    """(one-line message, details) for any exception."""
    details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    if (line := user_message(exc)) is not None:
        return as_sentence(line), details
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    line = f"Unexpected error ({type(exc).__name__}{': ' + first if first else ''})."
    return line + " Details are in the log file.", details


def make_error_box(parent: QWidget | None, exc: BaseException, title: str = "ColorStudio") -> QMessageBox:
    """A non-modal-ready message box: icon, one line, 'Show Details...' with the traceback."""
    line, details = describe(exc)
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning if user_message(exc) is not None else QMessageBox.Icon.Critical)
    box.setWindowTitle(title)
    box.setTextFormat(Qt.TextFormat.PlainText)        # a file or model named "<u>x" is not markup
    box.setText(line)
    box.setInformativeText(f"Log file: {paths.log_file()}")
    box.setDetailedText(details)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    return box


def show_error(parent: QWidget | None, exc: BaseException, title: str = "ColorStudio",
               context: str = "") -> QMessageBox:
    """Log ``exc`` and show it (window-modal, returns at once). Returns the box (for tests)."""
    line, _ = describe(exc)
    if user_message(exc) is not None:
        log.warning("%s%s", f"{context}: " if context else "", line)
    else:
        log.error("%s%s", f"{context}: " if context else "", line, exc_info=exc)
    box = make_error_box(parent, exc, title)
    box.open()
    return box


def install_excepthook() -> None:
    """Uncaught exceptions in Qt slots are logged and shown instead of lost on stderr."""
    previous = sys.excepthook

    def hook(etype, value, tb):
        if issubclass(etype, KeyboardInterrupt):
            previous(etype, value, tb)
            return
        value = value if value is not None else etype()
        value.__traceback__ = tb
        log.error("uncaught exception", exc_info=(etype, value, tb))
        try:
            show_error(None, value)
        except Exception:  # noqa: BLE001 - never raise from the hook
            previous(etype, value, tb)

    sys.excepthook = hook
