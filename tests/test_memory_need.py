"""Colorizing a photo the machine has no memory for is refused in one line before the work."""
import numpy as np
import pytest

from colorstudio.cli import main
from colorstudio.core import memory_need
from colorstudio.core.photo import Photo
from colorstudio.engine.colorize import colorize
from colorstudio.errors import ImageTooLargeError


def test_the_estimate_covers_what_was_measured_without_asking_much_more():
    # peak resident memory measured at 24 and 96 MP (see the module): (gray MP, reference MP, learned, GB)
    for megapixels, reference, learned, measured_gb in ((24, 1.5, True, 1.39), (96, 6, True, 3.28),
                                                         (24, 0, True, 1.21), (96, 0, True, 3.36),
                                                         (24, 0, False, 0.72), (96, 0, False, 2.99),
                                                         (0.37, 0, True, 0.56), (0.02, 0, False, 0.06),
                                                         (12, 12, True, 1.55), (24, 24, True, 1.89)):
        estimate = memory_need.estimated_bytes(int(megapixels * 1e6), int(reference * 1e6), learned)
        assert measured_gb * 1e9 < estimate < 1.2 * measured_gb * 1e9 + 0.3e9


def test_free_memory_is_read_with_the_swap_and_a_containers_limit(tmp_path):
    (tmp_path / "meminfo").write_text("MemTotal: 8000000 kB\nMemFree: 100 kB\nMemAvailable: 3000000 kB\n"
                                      "SwapTotal: 2000000 kB\nSwapFree: 1000000 kB\n")
    no_cgroup = tmp_path / "none"
    assert memory_need.available_bytes(tmp_path / "meminfo", no_cgroup) == 4_000_000 * 1024
    (tmp_path / "cg").mkdir()
    (tmp_path / "cg" / "memory.max").write_text("2000000000\n")
    (tmp_path / "cg" / "memory.current").write_text("500000000\n")
    assert memory_need.available_bytes(tmp_path / "meminfo", tmp_path / "cg") == 1_500_000_000
    (tmp_path / "cg" / "memory.max").write_text("max\n")                 # no limit
    assert memory_need.available_bytes(tmp_path / "meminfo", tmp_path / "cg") == 4_000_000 * 1024
    (tmp_path / "odd").write_text("nothing here\n")
    assert memory_need.available_bytes(tmp_path / "odd", no_cgroup) is None
    assert memory_need.available_bytes(tmp_path / "missing", no_cgroup) is None
    assert memory_need.resident_bytes() > 10_000_000                    # this test process


def test_a_photo_too_large_for_the_free_memory_is_refused_before_the_work(monkeypatch, tmp_path, capsys):
    gray = Photo(pixels=np.full((40, 60), 128, np.uint8))
    monkeypatch.setattr(memory_need, "resident_bytes", lambda: 0)
    monkeypatch.setattr(memory_need, "available_bytes", lambda: 200_000_000)       # a classic method fits
    assert colorize(gray, method="neutral").rgb.shape == (40, 60, 3)
    monkeypatch.setattr(memory_need, "available_bytes", lambda: 100_000_000)
    with pytest.raises(ImageTooLargeError, match=r"60x40 needs about 0\.2 GB more memory to colorize and 0\.1 GB is free"):
        colorize(gray, method="neutral")
    import cv2

    cv2.imwrite(str(tmp_path / "g.png"), gray.pixels)
    assert main(["colorize", str(tmp_path / "g.png"), "-o", str(tmp_path / "o.png"), "--method", "neutral"]) == 1
    assert "close other programs" in capsys.readouterr().err and not (tmp_path / "o.png").exists()
    monkeypatch.setattr(memory_need, "available_bytes", lambda: None)       # cannot tell: not checked
    assert colorize(gray, method="neutral").rgb.shape == (40, 60, 3)


def test_what_the_process_holds_already_counts_and_close_numbers_get_two_decimals():
    big = (12000, 8000)                                               # 96 MP: 3.77 GB in all
    memory_need.check_memory("g.png", big, available=lambda: 3.3e9, resident=lambda: 0.5e9)   # 3.27 GB more
    with pytest.raises(ImageTooLargeError, match=r"needs about 3\.27 GB more memory to colorize and 3\.26 GB is free"):
        memory_need.check_memory("g.png", big, available=lambda: 3.26e9, resident=lambda: 0.5e9)


def test_a_process_holding_much_already_still_needs_room_for_the_photos_own_part():
    """A batch holds 0.8-1.27 GB between 12 MP pairs and each grows it by 0.5-0.9 GB: what it
    holds does not make the photo's own part free."""
    pair = (4000, 3000)
    own = memory_need.estimated_bytes(12_000_000, 12_000_000) - memory_need.BASE_BYTES[True]
    assert own > 0.85e9
    memory_need.check_memory("g.png", pair, pair, available=lambda: own + 1, resident=lambda: 5e9)
    with pytest.raises(ImageTooLargeError, match="more memory to colorize"):
        memory_need.check_memory("g.png", pair, pair, available=lambda: 0.6e9, resident=lambda: 5e9)
