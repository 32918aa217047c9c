"""pyqtgraph options shared by every view: arrays are (rows, cols[, 3]) like numpy/OpenCV."""
from __future__ import annotations

import pyqtgraph as pg

_done = False


def configure() -> None:
    """Idempotent: row-major images, no antialiasing, white-on-dark default background."""
    global _done
    if _done:
        return
    pg.setConfigOptions(imageAxisOrder="row-major", antialias=False, background="#202124",
                        foreground="#d0d0d0")
    _done = True
