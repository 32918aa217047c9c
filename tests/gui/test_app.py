"""The entry point: --screenshot renders the loaded, colorized window to a PNG; About works."""
from __future__ import annotations

import numpy as np
from PIL import Image

from colorstudio.gui.app import main


def test_screenshot_mode_renders_the_colorized_window(tmp_path, pair_files, capsys):
    out = tmp_path / "shot.png"
    assert main(["--screenshot", str(out), "--size", "1000x640", "--method", "dis+gf",
                 str(pair_files[0]), str(pair_files[1])]) == 0
    img = np.asarray(Image.open(out).convert("RGB"))
    assert img.shape == (640, 1000, 3)
    assert img.std() > 10                                  # not a blank window
    assert "wrote" in capsys.readouterr().err


def test_screenshot_mode_reports_a_bad_input(tmp_path, capsys):
    bad = tmp_path / "broken_mono.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    assert main(["--screenshot", str(tmp_path / "x.png"), "--timeout", "30", str(bad)]) == 1
    assert "colorstudio-gui:" in capsys.readouterr().err


def test_about_dialog_lists_versions_and_finds_the_device(qtbot):
    from colorstudio.gui.about_dialog import AboutDialog

    dialog = AboutDialog("auto")
    qtbot.addWidget(dialog)
    assert "PySide6" in dialog.text.text() and "ColorStudio" in dialog.text.text()
    qtbot.waitUntil(lambda: "detecting" not in dialog.device.text(), timeout=60000)
    assert "CPU" in dialog.device.text() or "GPU" in dialog.device.text()
    dialog.done(0)


def test_colorize_given_to_the_app_colorizes_the_photos_it_opens_first_only(qtbot, window, pair_files):
    from colorstudio.gui.app import colorize_when_first_opened, parse_args

    assert parse_args(["--colorize", "a.png"]).colorize
    colorize_when_first_opened(window)
    window.side.select("method:dis+gf")
    with qtbot.waitSignal(window.colorized, timeout=60000):
        window.open_paths(list(pair_files))
    ran = []
    window.colorized.connect(ran.append)
    with qtbot.waitSignal(window.opened, timeout=20000):
        window.open_paths(list(pair_files))                 # opened again: waits for Colorize
    qtbot.wait(300)
    assert ran == [] and window.worker is None
