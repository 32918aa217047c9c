"""A gray that holds only pure black and white cannot take colour: refused in one line."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from colorstudio.core.gray_input import black_and_white_only
from colorstudio.errors import UnsupportedImageError


def test_a_black_and_white_only_gray_is_refused_in_one_line(tmp_path):
    """A 1-bit scan (or line art stored as 8 bit) holds only 0 and white: a result could not
    show any colour, so it is refused rather than written as 'colorized'; a batch goes on."""
    from colorstudio.cli import main

    bw = (np.indices((40, 48)).sum(0) % 7 == 0)
    Image.fromarray(bw).save(tmp_path / "line_art.tif")                 # mode "1"
    Image.fromarray(np.where(bw, 255, 0).astype(np.uint8)).save(tmp_path / "line_art8.png")
    Image.fromarray(np.full((40, 48), 120, np.uint8)).save(tmp_path / "ok.png")
    for name in ("line_art.tif", "line_art8.png"):
        assert main(["colorize", str(tmp_path / name), "-o", str(tmp_path / "out" / f"{name}.png")]) != 0
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []
    from colorstudio.engine.batch import plan_batch, run_batch

    steps = list(run_batch(plan_batch([tmp_path], tmp_path / "batch"), method="neutral"))
    assert sorted(p.name for p in (tmp_path / "batch").iterdir()) == ["ok_colorized.png"]
    failed = [p.message for p in steps if p.status == "failed"]
    assert len(failed) == 2 and all("pure black and white" in m and "\n" not in m for m in failed)


def test_black_and_white_only():
    assert black_and_white_only(np.array([[0, 255], [255, 0]], np.uint8))
    assert black_and_white_only(np.array([[0, 65535]], np.uint16))
    assert not black_and_white_only(np.array([[0, 255, 254]], np.uint8))
    assert not black_and_white_only(np.array([[0, 255]], np.uint16))      # 255 is a dark gray in 16 bit
    assert not black_and_white_only(np.zeros((2, 2, 3), np.uint8))          # colour: not this question


def test_an_all_black_or_all_white_frame_is_called_so():
    from colorstudio.core.photo import Photo
    from colorstudio.engine.colorize import colorize

    for value, word in ((0, "all black"), (255, "all white")):
        with pytest.raises(UnsupportedImageError, match=f"is {word}: colour cannot go on it"):
            colorize(Photo(pixels=np.full((20, 30), value, np.uint8)), None, "neutral")


def test_check_refuses_what_colorize_refuses(tmp_path, capsys):
    """A script using `check` as a gate was told "Treated as a stereo pair" (exit 0) for a line
    drawing that colorize then refused."""
    import numpy as np
    from PIL import Image

    from colorstudio.cli import main

    art = np.zeros((40, 60), np.uint8)
    art[::4] = 255
    Image.fromarray(art).save(tmp_path / "lineart.png")
    Image.fromarray(np.dstack([art, art // 2, 255 - art])).save(tmp_path / "colour.png")
    for json_flag in ([], ["--json"]):
        assert main(["check", str(tmp_path / "lineart.png"), str(tmp_path / "colour.png"), *json_flag]) == 1
        captured = capsys.readouterr()
        assert captured.out == "" and "holds only pure black and white" in captured.err
