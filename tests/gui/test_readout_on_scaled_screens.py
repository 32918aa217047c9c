"""The pixel readout names the pixel drawn under the real pointer on scaled screens: run under
Xvfb with the real pointer and a real screen grab (tests/gui/readout_probe.py). The code before
session 44 was right in 6, 9 and 26 of 40 places in these three cases. Skipped where there is no
xvfb-run (.ci/run installs it) or Qt cannot open a window on it (no X11 platform libraries)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROBE = Path(__file__).with_name("readout_probe.py")

pytestmark = pytest.mark.skipif(shutil.which("xvfb-run") is None or not sys.platform.startswith("linux"),
                                reason="needs xvfb-run (a real X server to grab the screen of)")


@pytest.mark.parametrize("scale, zoom, shift", [("1.5", "1", "0"), ("2", "1", "0.5"), ("1.25", "2.5", "0")])
def test_the_readout_names_the_pixel_drawn_under_the_real_pointer(scale, zoom, shift):
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    env.update(QT_SCALE_FACTOR=scale, ZOOM=zoom, SHIFT=shift)
    run = subprocess.run(["xvfb-run", "-a", "-s", "-screen 0 1600x1200x24", sys.executable, str(PROBE)],
                         env=env, capture_output=True, text=True, timeout=120)
    if "window shown" not in run.stdout:
        pytest.skip(f"Qt could not open a window under Xvfb here: {run.stderr.strip()[-300:]}")
    assert "right 40 of 40" in run.stdout, (run.stdout, run.stderr[-2000:])
