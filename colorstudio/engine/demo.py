"""The quick-start job: colorize the bundled example pair, then show it in the app.

With no display (a server, CI) it only writes the result and says where.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from colorstudio import app_launch, paths
from colorstudio.core.earlier_results import RESULT_SUFFIX
from colorstudio.core.pair_names import without_gray_tag
from colorstudio.core.pairs import discover
from colorstudio.engine.colorize import colorize_files
from colorstudio.errors import ColorStudioError, OutputError


# Qt's own message on a minimal Linux names xcb-cursor even when another xcb library is missing
LINUX_QT_HINT = ("\nOn Linux Qt needs the system's xcb libraries, which desktops normally have; on Debian/Ubuntu: "
                 "apt-get install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxkbcommon-x11-0")


def example_pair() -> tuple[Path, Path]:
    pairs = discover([paths.examples_dir()]).pairs
    if not pairs:
        raise ColorStudioError(f"the bundled example pair is missing from {paths.examples_dir()}")
    return pairs[0].gray, pairs[0].reference


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
    if open_app and app_launch.has_display():     # (not offscreen: nobody would see it)
        # The app runs in its own process so this module never imports Qt.
        code = subprocess.call(app_launch.app_command() + ["--colorize", str(gray), str(reference)])
        if code != 0:              # e.g. a display that cannot be reached: the result is there all the same
            print(f"the app could not start (exit code {code}); the result is written: {out}"
                  + (LINUX_QT_HINT if sys.platform.startswith("linux") else ""), file=sys.stderr)
            return 1
        return 0
    if open_app:
        print("no display found: the result is written, the app is not opened", file=sys.stderr)
    return 0
