"""GUI responsiveness while a large pair is opened and colorized (not a unit test).

A QTimer probe fires every ``--tick`` ms on the GUI thread; its lateness (actual gap minus
the tick) is the event-loop latency a user feels. The pair is the bundled Motorcycle example
upscaled to ~12 MP (4000×3000 by default), written to a temporary folder.

    python benchmarks/gui_latency.py [--size 4000x3000] [--method dis+gf] [--tick 10]

Runs offscreen unless a display is set (e.g. under xvfb-run). Prints one JSON line.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

if not os.environ.get("DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import cv2


def make_pair(folder: Path, size: tuple[int, int]) -> tuple[Path, Path]:
    from colorstudio import paths

    src = paths.examples_dir()
    gray = cv2.imread(str(src / "motorcycle_mono.png"), cv2.IMREAD_GRAYSCALE)
    colour = cv2.imread(str(src / "motorcycle_color.jpg"), cv2.IMREAD_COLOR)
    gray = cv2.resize(gray, size, interpolation=cv2.INTER_CUBIC)
    colour = cv2.resize(colour, size, interpolation=cv2.INTER_CUBIC)
    mono, ref = folder / "big_mono.png", folder / "big_color.jpg"
    cv2.imwrite(str(mono), gray)
    cv2.imwrite(str(ref), colour, [cv2.IMWRITE_JPEG_QUALITY, 92])
    return mono, ref


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="4000x3000")
    parser.add_argument("--method", default="dis+gf")
    parser.add_argument("--tick", type=int, default=10, help="probe interval in ms")
    args = parser.parse_args(argv)
    w, h = (int(v) for v in args.size.split("x"))

    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from colorstudio.gui import qt_compat

    qt_compat.install()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["COLORSTUDIO_USER_DIR"] = str(Path(tmp) / "user")
        mono, ref = make_pair(Path(tmp), (w, h))
        from colorstudio.gui.main_window import MainWindow

        window = MainWindow()
        window.force_close = True
        window.resize(1600, 960)
        window.show()
        from colorstudio.gui.latency_probe import EventLoopProbe

        probe = EventLoopProbe(args.tick)

        def wait_for(signal, timeout_s=600) -> float:
            loop = QEventLoop()
            signal.connect(loop.quit)
            window.jobFailed.connect(loop.quit)
            QTimer.singleShot(int(timeout_s * 1000), loop.quit)
            t0 = time.perf_counter()
            loop.exec()
            return time.perf_counter() - t0

        def idle(seconds: float) -> None:
            loop = QEventLoop()
            QTimer.singleShot(int(seconds * 1000), loop.quit)
            loop.exec()

        idle(0.5)
        probe.phase = "open"
        window.open_paths([mono, ref])
        t_open = wait_for(window.opened)
        probe.phase = "colorize"
        window.side.select(f"method:{args.method}")
        window.colorize()
        t_colorize = wait_for(window.colorized)
        probe.phase = "after"
        idle(0.5)
        report = {"size": f"{w}x{h}", "megapixels": round(w * h / 1e6, 1), "method": args.method,
                  "platform": app.platformName(), "open_s": round(t_open, 2), "colorize_s": round(t_colorize, 2),
                  "latency": probe.stats()}
        window.close()
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
