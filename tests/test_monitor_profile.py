"""The views' conversion for the monitor (no Qt): right numbers, nothing done when nothing
is to be done, grays kept gray, bad profile files refused in one line."""
import sys
from pathlib import Path

import numpy as np
import pytest

from colorstudio.gui.monitor_profile import SRGB, MonitorProfile, read_profile_file, system_profile, x11_root_profile

sys.path.insert(0, str(Path(__file__).resolve().parent))
from icc_profiles import DISPLAY_P3, SRGB as SRGB_COLORANTS, gray_profile, rgb_profile  # noqa: E402

P3 = rgb_profile("Test Display P3")          # gamma 2.2 tone curve


def _srgb_decode(v):
    v = np.asarray(v, np.float64) / 255.0
    return np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4)


def _expected_on_p3(rgb8) -> np.ndarray:
    """sRGB numbers as the test P3 monitor must receive them: through XYZ (D50) with the
    profiles' own colorants, then the monitor's gamma 2.2."""
    to_xyz = lambda colorants: np.array(colorants).T          # columns: R, G, B
    linear = np.linalg.solve(to_xyz(DISPLAY_P3), to_xyz(SRGB_COLORANTS) @ _srgb_decode(rgb8))
    return 255.0 * np.clip(linear, 0, 1) ** (1 / 2.2)


def test_srgb_photos_on_an_srgb_monitor_are_not_touched():
    pixels = np.random.default_rng(0).integers(0, 256, (8, 9, 3), dtype=np.uint8)
    assert SRGB.is_identity() and SRGB.convert(pixels) is pixels
    p3 = MonitorProfile(P3)
    assert p3.is_identity(P3) and p3.convert(pixels, P3) is pixels     # photo and monitor share a space


@pytest.mark.parametrize("rgb", [(255, 0, 0), (0, 255, 0), (0, 0, 255), (200, 120, 40), (30, 160, 220)])
def test_srgb_colours_reach_a_p3_monitor_as_their_p3_numbers(rgb):
    pixels = np.array([[rgb]], np.uint8)
    out = MonitorProfile(P3).convert(pixels)
    assert np.abs(out[0, 0].astype(float) - _expected_on_p3(rgb)).max() <= 2.5
    assert pixels[0, 0].tolist() == list(rgb)                            # the input is not modified


def test_a_saturated_srgb_red_is_sent_less_saturated_to_a_wide_gamut_monitor():
    out = MonitorProfile(P3).convert(np.array([[[255, 0, 0]]], np.uint8))[0, 0].astype(int)
    assert out[0] < 240 and out[1] > 30 and out[2] > 20


def test_a_p3_photo_on_an_srgb_monitor_is_converted_too():
    out = SRGB.convert(np.array([[[180, 60, 60]]], np.uint8), photo_icc=P3)[0, 0].astype(int)
    assert out[0] > 190 and out[1] < 60       # P3 numbers mean a redder red than sRGB's


def test_a_gray_stays_one_channel_and_keeps_its_order():
    gray = np.arange(256, dtype=np.uint8).reshape(16, 16)
    out = MonitorProfile(P3).convert(gray)
    assert out.shape == gray.shape and out.dtype == np.uint8
    assert np.all(np.diff(out.ravel().astype(int)) >= 0) and out[0, 0] == 0 and out[-1, -1] == 255
    assert not np.array_equal(out, gray)        # sRGB's tone curve is not gamma 2.2


def test_profile_files_are_read_or_refused_in_one_line(tmp_path):
    good = tmp_path / "p3.icc"
    good.write_bytes(P3)
    assert read_profile_file(good).name == "Test Display P3" and read_profile_file(good).source == "p3.icc"
    cmyk = bytearray(rgb_profile("A press"))
    cmyk[16:20] = b"CMYK"                       # a printing profile chosen by mistake
    cases = {"notes.icc": b"this is not a profile" * 10, "gray.icc": gray_profile(), "press.icc": bytes(cmyk)}
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
    with pytest.raises(ValueError, match="notes.icc is not an ICC profile"):
        read_profile_file(tmp_path / "notes.icc")
    with pytest.raises(ValueError, match="not an RGB display profile"):
        read_profile_file(tmp_path / "gray.icc")
    with pytest.raises(ValueError, match="A press is not an RGB display profile"):
        read_profile_file(tmp_path / "press.icc")
    with pytest.raises(ValueError, match="missing.icc: cannot be read"):
        read_profile_file(tmp_path / "missing.icc")


def test_without_a_display_the_system_gives_no_profile(monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    if sys.platform == "linux":
        assert system_profile() is None
    assert x11_root_profile(":999") is None               # no such X display: no profile, no error


@pytest.mark.skipif(sys.platform == "darwin", reason="tags a real window on macOS")
def test_the_macos_window_tag_does_nothing_elsewhere():
    from colorstudio.gui.macos_colour import tag_window_srgb

    assert tag_window_srgb(12345) is False and tag_window_srgb(0) is False


def test_a_pipe_or_an_endless_device_is_refused_as_a_profile_not_read(tmp_path):
    """A FIFO in the settings held the app's start for ever; /dev/zero filled the memory."""
    import os

    fifo = tmp_path / "monitor.icc"
    os.mkfifo(fifo)
    for path in (fifo, Path("/dev/zero")):
        with pytest.raises(ValueError, match="not a profile file"):
            read_profile_file(path)
