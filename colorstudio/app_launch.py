"""Starting the desktop app from the command line (no Qt here): whether a display is there to
show it on, and the command that starts it in its own process."""
from __future__ import annotations

import os
import sys
from pathlib import Path

NO_DISPLAY = "the app needs a display, and none is set (DISPLAY or WAYLAND_DISPLAY): colorize and batch work without one"


def has_display() -> bool:
    """A desktop to show windows on (Windows and macOS always have one)."""
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def can_start_app() -> bool:
    """A display to show the app on, or a Qt platform that needs none (offscreen, vnc, …): Qt
    aborts (SIGABRT) without either."""
    return has_display() or bool(os.environ.get("QT_QPA_PLATFORM"))


def app_command() -> list[str]:
    """How to start the app in its own process: ``python -m colorstudio.gui.app``, or in a
    frozen build (PyInstaller: ``sys.executable`` is colorstudio-cli itself) the ColorStudio
    executable beside it."""
    if getattr(sys, "frozen", False):
        here = Path(sys.executable).parent
        name = "ColorStudio.exe" if sys.platform == "win32" else "ColorStudio"
        return [str(here / name)]
    return [sys.executable, "-m", "colorstudio.gui.app"]
