"""GUI responsiveness while a large pair is opened and colorized (not a unit test).

A QTimer probe fires every ``--tick`` ms on the GUI thread; its lateness (actual gap minus
the tick) is the event-loop latency a user feels. The pair is the bundled Motorcycle example
upscaled to ~12 MP (4000×3000 by default), written to a temporary folder.

    python benchmarks/gui_latency.py [--size 4000x3000] [--method dis+gf] [--tick 10]
    python benchmarks/gui_latency.py --method ccdc         # a learned pair method
    python benchmarks/gui_latency.py --single [--method ensemble]
    python benchmarks/gui_latency.py --strength-drag [--method ensemble]

``colorize_s`` is the time from Colorize to the full-size result on screen; for a learned
method, ``preview_s`` is the time to its display-size preview (the working-size colours
brought to the display copy's size, before the full size).

``--zoomed`` (with ``--strength-drag``) drags at 100 % zoom, where full-resolution tiles lie over
the display copy, so no preview is shown: it reports how soon the full size comes.

``--single`` colorizes the gray alone (default method: ensemble). The app's warm-up (the
default models loaded in the background after start-up) is waited for first, unless ``--cold``.

``--strength-drag`` opens the gray alone, colorizes it with a single-gray method, then drags
the colour strength slider (20 steps, one every 40 ms, as a hand does) and reports the latency
during the drag, how many display-size previews followed the hand, and how long after the
last step the last preview and the full size were on screen.

``--monitor-profile FILE`` shows the views for that ICC profile (View ▸ Monitor profile), so
each picture is converted for the monitor in the background before it is on screen;
``on_screen_s`` is then the time from Colorize to the converted full-size result on screen.

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


def strength_drag(window, probe, idle) -> dict:
    """Drag the strength slider; seconds from the last step to the preview and to the full size."""
    side, previews = window.side, []
    preview = window.strength.preview
    window.strength.preview = lambda view: (previews.append(time.perf_counter()), preview(view))
    side.strength_default.setChecked(False)
    idle(0.5)
    probe.phase = "strength drag"
    first = time.perf_counter()
    for step in range(20):
        side.strength_slider.setValue(side.strength_slider.value() + 3)
        idle(0.04)
    last = time.perf_counter()
    done = None
    while time.perf_counter() - last < 30 and (window.strength.is_running() or done is None):
        if done is None and window.result.colorization.info["saturation"] == side.saturation():
            done = time.perf_counter()       # the full size at the last step's strength is shown
        idle(0.005)
    probe.phase = "after drag"
    idle(0.3)
    during = [t for t in previews if t <= last]
    return {"strength": side.saturation(), "drag_s": round(last - first, 2),
            "previews_during_drag": len(during),
            "first_move_to_preview_s": round(previews[0] - first, 3) if previews else None,
            "last_move_to_last_preview_s": round(previews[-1] - last, 3) if previews else None,
            "last_move_to_full_s": round(done - last, 3) if done is not None else None}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="4000x3000")
    parser.add_argument("--method", default="dis+gf")
    parser.add_argument("--tick", type=int, default=10, help="probe interval in ms")
    parser.add_argument("--cold", action="store_true",
                        help="colorize before the app's warm-up has loaded the models (the torch import and "
                             "the weights then count in the first Colorize)")
    parser.add_argument("--zoomed", action="store_true", help="with --strength-drag: drag at 100%% zoom")
    parser.add_argument("--single", action="store_true", help="the gray alone (default method: ensemble)")
    parser.add_argument("--strength-drag", action="store_true",
                        help="a single gray and a drag of the colour strength slider (default method: ensemble)")
    parser.add_argument("--monitor-profile", help="an ICC file: the views are converted for it")
    args = parser.parse_args(argv)
    args.single = args.single or args.strength_drag
    if args.single and args.method == "dis+gf":
        args.method = "ensemble"
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
        from colorstudio.gui.settings import Settings

        if args.monitor_profile:
            Settings().monitor_profile = Path(args.monitor_profile).resolve()
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
        if not args.cold:                 # as after the app's start-up: the default models loaded
            probe.phase = "warm-up"
            wait_for(window.warm_up().done)
        probe.phase = "open"
        window.open_paths([mono] if args.single else [mono, ref])
        t_open = wait_for(window.opened)
        probe.phase = "colorize"
        previewed = []
        preview = window._preview_result
        window._preview_result = lambda view: (previewed.append(time.perf_counter()), preview(view))
        window.side.select(f"method:{args.method}")
        started = time.perf_counter()
        window.colorize()
        t_colorize = wait_for(window.colorized)
        while window.compare.colour.pending() and time.perf_counter() - started < t_colorize + 10:
            idle(0.002)
        t_on_screen = time.perf_counter() - started
        probe.phase = "after"
        idle(0.5)
        report = {"size": f"{w}x{h}", "megapixels": round(w * h / 1e6, 1), "method": args.method,
                  "platform": app.platformName(), "open_s": round(t_open, 2), "colorize_s": round(t_colorize, 2),
                  "preview_s": round(previewed[0] - started, 2) if previewed else None,
                  "on_screen_s": round(t_on_screen, 2), "monitor": window.compare.colour.monitor.name}
        if args.strength_drag:
            if args.zoomed:
                window.compare.actual_size()
                idle(1.0)                       # the full-resolution tiles are made
                report["zoomed_in"] = window.compare.shows_detail("result")
            report.update(strength_drag(window, probe, idle))
        report["latency"] = probe.stats()
        window.close()
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
