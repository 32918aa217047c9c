"""``colorstudio-gui``: start the desktop app.

    colorstudio-gui [FILES...]                     open the files (a gray photo, a pair, folders)
    colorstudio-gui --screenshot OUT.png [FILES]   render the window offscreen with the files
                                                   loaded and colorized, save it, and exit
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from colorstudio import __version__, paths

log = logging.getLogger("colorstudio.gui")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=paths.command_name("colorstudio-gui"), description="ColorStudio desktop app")
    parser.add_argument("files", nargs="*", type=Path, help="gray photo, gray + colour reference, or folders")
    parser.add_argument("--colorize", action="store_true",
                        help="colorize the photos given as soon as they are open (the demo's way in)")
    parser.add_argument("--screenshot", type=Path, metavar="OUT.png",
                        help="render the main window offscreen (files loaded, result computed) and exit")
    parser.add_argument("--size", default="1600x960", help="window size for --screenshot (WxH)")
    parser.add_argument("--method", help="method for --screenshot (default: the best available)")
    parser.add_argument("--split", action="store_true", help="--screenshot in before/after split mode")
    parser.add_argument("--timeout", type=float, default=600, help="--screenshot gives up after this many seconds")
    parser.add_argument("--version", action="version", version=f"ColorStudio {__version__}")
    parser.add_argument("--selftest", action="store_true",
                        help="colorize the bundled example headless, verify it, print one line and exit")
    return parser.parse_args(argv)


def _qt_args() -> list[str]:
    return [sys.argv[0] if sys.argv else "colorstudio-gui"]


def collect_garbage_in_gui_thread(interval: float = 1.0):
    """Python's cycle collector runs in whichever thread happens to pass its allocation
    threshold, often a worker's. A widget caught in a reference cycle is then destroyed in that
    worker thread, which deadlocks or crashes Qt. From now on the collector runs only on a timer
    in the GUI thread (automatic collection off, the same generation thresholds checked every
    ``interval`` seconds; paused while the warm-up loads: :mod:`colorstudio.gui.gui_thread_gc`).
    Keep the returned object alive."""
    from colorstudio.gui.gui_thread_gc import collect_in_gui_thread

    return collect_in_gui_thread(interval)


def colorize_when_first_opened(window) -> None:
    """Colorize the photos the window opens next, once (later ones wait for Colorize)."""
    def colorize(_opened) -> None:
        window.opened.disconnect(colorize)
        window.colorize()
    window.opened.connect(colorize)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.selftest:  # headless: no Qt needed
        from colorstudio.selftest import run_selftest

        return run_selftest()
    if args.screenshot and not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from colorstudio import app_launch

    if not app_launch.can_start_app():                 # Qt would abort (SIGABRT) with advice to reinstall
        print(f"{paths.command_name('colorstudio-gui')}: error: {app_launch.NO_DISPLAY}", file=sys.stderr)
        return 1
    from PySide6.QtCore import QCoreApplication, Qt
    from PySide6.QtWidgets import QApplication

    from colorstudio.gui.error_dialog import install_excepthook, setup_logging

    QCoreApplication.setOrganizationName("ColorStudio")
    QCoreApplication.setApplicationName("ColorStudio")
    app = QApplication.instance()
    if app is None:
        QApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication(_qt_args())
    app.setStyle("Fusion")
    from colorstudio.gui.theme import apply_app_icon, apply_dark_palette

    apply_dark_palette(app)
    apply_app_icon(app)
    setup_logging()
    from colorstudio.gui import qt_compat

    qt_compat.install()
    app.garbage_collector = collect_garbage_in_gui_thread()    # kept alive as long as the app
    log.info("starting the app (%s)", " ".join(sys.argv[1:] if argv is None else argv))
    if args.screenshot:
        from colorstudio.gui.screenshot import take_screenshot

        return take_screenshot(args.screenshot, args.files, size=args.size, method=args.method,
                               split=args.split, timeout=args.timeout)
    install_excepthook()
    from colorstudio.gui.main_window import MainWindow

    window = MainWindow()
    window.show()
    window.warm_up()
    if args.files:
        if args.colorize:
            colorize_when_first_opened(window)
        window.open_paths(args.files)
    code = app.exec()
    from colorstudio.gui.workers import GeneratorWorker

    if not GeneratorWorker.stop_all(0):
        # a step that cannot be interrupted outlived the quit wait: Python's exit would abort
        # on its running QThread (a crash report); the settings are saved, so leave at once
        log.warning("a job was still running at exit; leaving without waiting for it")
        logging.shutdown()
        os._exit(code)
    return code


if __name__ == "__main__":
    sys.exit(main())
