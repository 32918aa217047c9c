"""Camera RAW files: a monochrome body's DNG is a 16-bit gray photo, a Bayer DNG a colour one."""
import numpy as np
import pytest

from colorstudio.cli import main
from colorstudio.core.imageio import READ_EXTENSIONS, image_size, load_photo

pytest.importorskip("rawpy")
from raw_files import bayer_dng, mono_dng  # noqa: E402

H, W = 48, 64


def _ramp() -> np.ndarray:
    return np.tile(np.linspace(200, 3800, W), (H, 1))


def test_a_monochrome_dng_is_a_16_bit_gray_photo_with_the_sensors_tones(tmp_path):
    assert ".dng" in READ_EXTENSIONS and ".nef" in READ_EXTENSIONS
    photo = load_photo(mono_dng(tmp_path / "L1000001.DNG", _ramp()))
    assert photo.is_gray and photo.pixels.dtype == np.uint16 and photo.pixels.shape == (H, W)
    row = photo.pixels[H // 2].astype(int)
    assert (np.diff(row) >= 0).all() and row[-1] > 3 * row[0]   # brighter light, brighter pixel
    assert photo.icc_profile is None                              # developed to sRGB


def test_a_bayer_dng_is_demosaiced_to_colour_and_its_rotation_applied(tmp_path):
    levels = np.zeros((H, W, 3))
    levels[:, : W // 2] = (3000, 900, 300)                        # a warm left half ...
    levels[:, W // 2:] = (300, 900, 3000)                         # ... a cool right half
    photo = load_photo(bayer_dng(tmp_path / "IMG_0001.dng", levels))
    assert photo.pixels.shape == (H, W, 3) and photo.bit_depth == 16
    left, right = photo.pixels[:, 8:24].mean((0, 1)), photo.pixels[:, -24:-8].mean((0, 1))
    assert left[0] > left[2] and right[2] > right[0]
    turned = bayer_dng(tmp_path / "IMG_0002.dng", levels, orientation=6)   # camera held upright
    assert image_size(turned) == (H, W)
    assert load_photo(turned).pixels.shape == (W, H, 3)


def test_cli_colorizes_a_raw_pair_and_a_damaged_raw_is_one_line(tmp_path, capsys):
    gray = mono_dng(tmp_path / "mono.dng", _ramp())
    levels = np.stack([_ramp() * 0.9, _ramp() * 0.5, _ramp() * 0.3], -1)
    colour = bayer_dng(tmp_path / "colour.dng", levels)
    out = tmp_path / "out.png"
    assert main(["colorize", str(gray), str(colour), "-o", str(out), "--method", "dis+gf"]) == 0
    result = load_photo(out)
    assert result.bit_depth == 16 and result.pixels.shape == (H, W, 3)     # 16-bit kept
    from PIL import Image

    exif = Image.Exif()
    exif.load(result.exif)                                       # the mono body's capture metadata
    assert (exif.get(0x010F), exif.get(0x0110), exif.get(0x0132)) == ("ColorStudio", "Test Camera",
                                                                     "2026:12:03 10:00:00")
    assert 0x0111 not in exif and exif.get(0x0112, 1) == 1       # no RAW layout tags, no rotation left
    data = colour.read_bytes()
    (tmp_path / "broken.dng").write_bytes(data[: len(data) // 3])
    capsys.readouterr()
    assert main(["colorize", str(gray), str(tmp_path / "broken.dng"), "-o", str(tmp_path / "x.png")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "broken.dng" in err[0] and "Traceback" not in err[0]


def test_raw_exif_keeps_capture_data_and_drops_layout_and_maker_notes(tmp_path):
    from PIL import Image

    from colorstudio.core.raw_photos import raw_exif

    src = Image.Exif()
    src[0x010F], src[0x0110], src[0x8298] = "Leica Camera AG", "M Monochrom", "A. Photographer"
    src.get_ifd(0x8769).update({0x829A: 0.004, 0x9003: "2026:12:03 10:00:00", 0x927C: b"\x01" * 64})
    src.get_ifd(0x8825).update({0x0001: "N"})
    path = tmp_path / "L1000002.DNG"                 # a TIFF-structured file, as DNG, NEF, CR2 are
    Image.new("L", (16, 12)).save(path, "TIFF", exif=src.tobytes())
    got = Image.Exif()
    got.load(raw_exif(path))
    assert (got[0x010F], got[0x0110], got[0x8298]) == ("Leica Camera AG", "M Monochrom", "A. Photographer")
    exif_ifd = got.get_ifd(0x8769)
    assert exif_ifd[0x9003] == "2026:12:03 10:00:00" and abs(float(exif_ifd[0x829A]) - 0.004) < 1e-6
    assert 0x927C not in exif_ifd and got.get_ifd(0x8825)[0x0001] == "N"
    assert 0x0111 not in got and 0x0100 not in got   # strip offsets, width: the RAW's own layout
    (tmp_path / "x.cr3").write_bytes(b"\0\0\0\x18ftypcrx " + b"\0" * 64)     # not TIFF-based
    assert raw_exif(tmp_path / "x.cr3") is None


def test_libraws_words_make_the_reason_and_other_caught_lines_are_passed_on(tmp_path, capsys):
    from colorstudio.core import raw_photos

    path = tmp_path / "b.dng"
    said = ["a log line of another thread", f"{path}: Unexpected end of file"]
    assert raw_photos._why(RuntimeError(b"Input/output error"), said, path) == "Unexpected end of file"
    assert "a log line of another thread" in capsys.readouterr().err
    assert raw_photos._why(RuntimeError(b"Input/output error"), [], path) == "Input/output error"
