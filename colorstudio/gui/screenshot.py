"""``colorstudio-gui --screenshot``: open files, colorize, render the window to a PNG, exit."""
from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from colorstudio.gui.main_window import MainWindow
from colorstudio.engine.model_catalog import AUTO_KEY

log = logging.getLogger(__name__)


def _wait(signal_list, timeout: float) -> bool:
    """Spin the event loop until one of the signals fires or ``timeout`` seconds pass."""
    loop = QEventLoop()
    fired = []
    for signal in signal_list:
        signal.connect(lambda *a: (fired.append(a), loop.quit()))
    QTimer.singleShot(int(timeout * 1000), loop.quit)
    loop.exec()
    return bool(fired)


def _settle(ms: int = 300) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def take_screenshot(out: Path, files: list[Path], size: str = "1600x960", method: str | None = None,
                    split: bool = False, timeout: float = 600) -> int:
    """Render the main window (files loaded, result computed, diagnostics visible) to ``out``."""
    from colorstudio.gui.settings import Settings
    import tempfile

    w, h = (int(v) for v in size.lower().split("x"))
    with tempfile.TemporaryDirectory() as tmp:   # never touch the user's own settings
        window = MainWindow(Settings(Path(tmp) / "screenshot.ini"))
        window.resize(w, h)
        window.show()
        window.diagnostics.show()
        failed = []
        window.jobFailed.connect(failed.append)
        if files:
            window.auto_colorize = True
            if method:
                for pair in (True, False):   # whichever the files are
                    window.settings.set_model_choice(pair, f"method:{method}" if method != "auto" else AUTO_KEY)
            window.open_paths(files)
            if not _wait([window.colorized, window.jobFailed], timeout):
                print(f"colorstudio-gui: no result within {timeout:.0f} s", file=sys.stderr)
                return 2
            if failed:
                print(f"colorstudio-gui: {failed[0]}", file=sys.stderr)
                return 1
        if split:
            window.set_mode("split")
        _settle()
        window.compare.fit()
        _settle()
        QApplication.processEvents()
        image = window.grab()
        out.parent.mkdir(parents=True, exist_ok=True)
        part = out.with_name(f".{out.name}.part{out.suffix}")      # whole or not at all
        ok = image.save(str(part))
        if ok:
            os.replace(part, out)
        else:
            part.unlink(missing_ok=True)
        window.force_close = True
        window.close()
    if not ok:
        print(f"colorstudio-gui: could not write {out}", file=sys.stderr)
        return 1
    print(f"wrote {out} ({image.width()}x{image.height()})", file=sys.stderr)
    return 0
