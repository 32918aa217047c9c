"""What a C library prints straight to the process's standard error, sent to the log instead.

Pillow and OpenCV decode TIFF and PNG with libtiff and libpng (OpenCV with its own copies), which
print their complaints about a damaged file ("TIFFFillStrip: Read error on strip 0", "libpng
error: PNG input buffer is incomplete") on file descriptor 2 themselves; neither library's
settings reach them.
A bad file's error would then not be one line. :func:`native_messages_to_log` points
descriptor 2 at a temporary file while such a call runs and logs what it caught.
"""
from __future__ import annotations

import logging
import os
import sys
import tempfile
import threading
from contextlib import contextmanager

log = logging.getLogger(__name__)
STDERR_FD = 2
_LOCK = threading.RLock()     # descriptor 2 is the process's: one thread redirects it at a time
                              # (re-entrant: a read within a read redirects into the same place)


@contextmanager
def native_messages_to_log(what: str):
    """Within the block, output to descriptor 2 goes to the log (INFO, prefixed with ``what``).
    Where there is no descriptor 2 (a windowed app on Windows) the block just runs."""
    with _LOCK:
        try:
            saved = os.dup(STDERR_FD)
        except OSError:
            yield
            return
        try:
            with tempfile.TemporaryFile() as sink:
                _flush_python_stderr()
                os.dup2(sink.fileno(), STDERR_FD)
                try:
                    yield
                finally:
                    os.dup2(saved, STDERR_FD)
                    sink.seek(0)
                    caught = sink.read(4000).decode("utf-8", "replace").strip()
                    if caught:
                        log.info("%s: %s", what, " | ".join(caught.splitlines()))
        finally:
            os.close(saved)


def _flush_python_stderr() -> None:
    """What Python has buffered for stderr is written before the redirection, not into it."""
    try:
        sys.stderr.flush()
    except (AttributeError, OSError, ValueError):
        pass
