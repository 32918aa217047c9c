"""The quick-start job: colorize the bundled example pair, then show it in the app.

With no display (a server, CI) it only writes the result and says where.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from colorstudio import paths
from colorstudio.core.earlier_results import RESULT_SUFFIX
from colorstudio.core.pair_names import without_gray_tag
from colorstudio.core.pairs import discover
from colorstudio.engine.colorize import colorize_files
from colorstudio.errors import ColorStudioError, OutputError


# Qt's own message on a minimal Linux names xcb-cursor even when another xcb library is missing
LINUX_QT_HINT = ("\nOn Linux Qt needs the system's xcb libraries, which desktops normally have; on Debian/Ubuntu: "
                 "apt-get install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxkbcommon-x11-0")


NO_DISPLAY = "the app needs a display, and none is set (DISPLAY or WAYLAND_DISPLAY): colorize and batch work without one"


def has_display() -> bool:
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def example_pair() -> tuple[Path, Path]:
    found = discover([paths.examples_dir()])
    pairs = [i for i in found.items if i.reference is not None]
    if not pairs:
        raise ColorStudioError(f"the bundled example pair is missing from {paths.examples_dir()}")
    return pairs[0].gray, pairs[0].reference


def app_command() -> list[str]:
    """How to start the app in its own process: ``python -m colorstudio.gui.app``, or in a
    frozen build (PyInstaller: ``sys.executable`` is colorstudio-cli itself) the ColorStudio
    executable beside it."""
    if getattr(sys, "frozen", False):
        here = Path(sys.executable).parent
        name = "ColorStudio.exe" if sys.platform == "win32" else "ColorStudio"
        return [str(here / name)]
    return [sys.executable, "-m", "colorstudio.gui.app"]


def run_demo(out_dir: str | Path = "colorstudio-demo", open_app: bool = True) -> int:
    gray, reference = example_pair()
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"cannot create {out_dir.resolve()} ({e.strerror}): run the demo in a folder "
                          f"you can write to, or give one with -o") from None
    out = out_dir / f"{without_gray_tag(gray.stem)}{RESULT_SUFFIX}.png"
    result = colorize_files(gray, reference, out, diagnostics_dir=out_dir / "diagnostics")
    print(f"colorized {gray.name} with {reference.name} using {result.method} "
          f"in {result.seconds:.2f} s -> {out}", file=sys.stderr)
    if open_app and has_display():
        # The app runs in its own process so this module never imports Qt.
        code = subprocess.call(app_command() + ["--colorize", str(gray), str(reference)])
        if code != 0:              # e.g. a display that cannot be reached: the result is there all the same
            print(f"the app could not start (exit code {code}); the result is written: {out}"
                  + (LINUX_QT_HINT if sys.platform.startswith("linux") else ""), file=sys.stderr)
            return 1
        return 0
    if open_app:
        print("no display found: the result is written, the app is not opened", file=sys.stderr)
    return 0
