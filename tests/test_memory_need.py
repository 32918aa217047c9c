"""Colorizing a photo the machine has no memory for is refused in one line before the work."""
import numpy as np
import pytest

from colorstudio.cli import main
from colorstudio.core import memory_need
from colorstudio.core.imageio import Photo
from colorstudio.engine.colorize import colorize
from colorstudio.errors import ImageTooLargeError


def test_the_estimate_covers_what_was_measured():
    # peak resident memory measured at 24 and 96 MP (single gray and pair, see the module)
    for megapixels, measured_gb in ((24, 1.81), (96, 4.94)):
        assert memory_need.estimated_bytes(megapixels * 10**6, megapixels * 10**6 // 16) > measured_gb * 1e9
        assert memory_need.estimated_bytes(megapixels * 10**6) < 1.25 * measured_gb * 1e9 + 0.5e9


def test_free_memory_is_read_with_the_swap(tmp_path):
    (tmp_path / "meminfo").write_text("MemTotal: 8000000 kB\nMemFree: 100 kB\nMemAvailable: 3000000 kB\n"
                                      "SwapTotal: 2000000 kB\nSwapFree: 1000000 kB\n")
    assert memory_need.available_bytes(tmp_path / "meminfo") == 4_000_000 * 1024
    (tmp_path / "odd").write_text("nothing here\n")
    assert memory_need.available_bytes(tmp_path / "odd") is None
    assert memory_need.available_bytes(tmp_path / "missing") is None


def test_a_photo_too_large_for_the_free_memory_is_refused_before_the_work(monkeypatch, tmp_path, capsys):
    gray = Photo(pixels=np.full((40, 60), 128, np.uint8))
    monkeypatch.setattr(memory_need, "available_bytes", lambda: 500_000_000)
    with pytest.raises(ImageTooLargeError, match=r"60x40 needs about 0\.8 GB of memory to colorize and 0\.5 GB is free"):
        colorize(gray, method="neutral")
    import cv2

    cv2.imwrite(str(tmp_path / "g.png"), gray.pixels)
    assert main(["colorize", str(tmp_path / "g.png"), "-o", str(tmp_path / "o.png"), "--method", "neutral"]) == 1
    assert "close other programs" in capsys.readouterr().err and not (tmp_path / "o.png").exists()
    monkeypatch.setattr(memory_need, "available_bytes", lambda: None)       # cannot tell: not checked
    assert colorize(gray, method="neutral").rgb.shape == (40, 60, 3)
