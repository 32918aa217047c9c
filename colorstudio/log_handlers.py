"""The user's log file, as the CLI and the app write it: a line that cannot be written (a full
disk, a folder gone) is lost quietly. Python's logging printed "--- Logging error ---" and a
traceback on the terminal, beside the one-line message the user was to read."""
from __future__ import annotations

import logging
import logging.handlers


class QuietFileHandler(logging.FileHandler):
    def handleError(self, record) -> None:  # noqa: N802 - logging API
        pass


class QuietRotatingFileHandler(logging.handlers.RotatingFileHandler):
    def handleError(self, record) -> None:  # noqa: N802 - logging API
        pass
