"""16 bits in, 16 bits out, wherever the pixels can be had at 16 bits; else a one-line note."""
import struct
import zlib

import numpy as np
import pytest
import tifffile
from PIL import Image

from colorstudio.cli import main
from colorstudio.core.imageio import load_photo
from colorstudio.core.photo import reading_notes
from test_cmyk_reference import PRESS_CMYK_ICC  # a made-up press profile

RNG = np.random.default_rng(13)


def _cmyk16(path, icc=None):
    cmyk = np.zeros((40, 56, 4), np.uint16)
    cmyk[..., 3] = np.linspace(0, 65535, 56, dtype=np.uint16)[None, :]
    tifffile.imwrite(path, cmyk, photometric="separated",
                     extratags=[(34675, 7, len(icc), icc, True)] if icc else [])
    return path


def _reference(path):
    y, x = np.mgrid[0:40, 0:56]
    Image.fromarray(np.dstack([x * 4, y * 6, 255 - x * 4]).astype(np.uint8)).save(path)
    return path


def test_a_16bit_cmyk_tiff_gives_a_16bit_result(tmp_path):
    out = tmp_path / "out.tif"
    assert main(["colorize", str(_cmyk16(tmp_path / "g.tif")), str(_reference(tmp_path / "r.png")),
                 "-o", str(out), "--method", "copy"]) == 0
    assert tifffile.imread(out).dtype == np.uint16


def test_a_16bit_cmyk_tiff_read_at_8_bits_says_so(tmp_path, capsys):
    photo = load_photo(_cmyk16(tmp_path / "g.tif", PRESS_CMYK_ICC))     # through its profile: 8 bits
    assert photo.bit_depth == 8
    assert reading_notes(photo) == [photo.depth_note] and "16 bits" in photo.depth_note
    assert main(["colorize", str(tmp_path / "g.tif"), str(_reference(tmp_path / "r.png")),
                 "-o", str(tmp_path / "out.png"), "--method", "copy"]) == 0
    err = capsys.readouterr().err
    assert sum("g.tif stores 16 bits a channel" in line for line in err.splitlines()) == 1


def test_a_10bit_heic_is_read_with_16_bits(tmp_path):
    pillow_heif = pytest.importorskip("pillow_heif")
    ramp = np.repeat(np.linspace(0, 65535, 64).astype(np.uint16)[None, :, None], 48, 0).repeat(3, 2)
    pillow_heif.from_bytes("RGB;16", (64, 48), ramp.tobytes()).save(tmp_path / "g10.heic", quality=-1)
    if pillow_heif.open_heif(tmp_path / "g10.heic").info.get("bit_depth") != 10:
        pytest.skip("this libheif wrote no 10-bit HEIC")
    photo = load_photo(tmp_path / "g10.heic")
    assert photo.bit_depth == 16 and photo.depth_note is None
    assert photo.pixels.max() > 65000 and np.abs(photo.pixels.astype(int) - ramp[..., 0]).max() < 2000


def _png_gray_alpha16(path, gray, alpha):
    """A 16-bit gray+alpha PNG (colour type 4), which Pillow reads as 8-bit LA and cannot write."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    h, w = gray.shape
    rows = np.dstack([gray, alpha]).astype(">u2").reshape(h, -1)
    raw = b"".join(b"\x00" + row.tobytes() for row in rows)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, 4, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    return path


def test_a_16bit_gray_alpha_png_keeps_16_bits(tmp_path):
    g = RNG.integers(0, 65536, (30, 40), dtype=np.uint16)
    a = RNG.integers(0, 65536, (30, 40), dtype=np.uint16)
    photo = load_photo(_png_gray_alpha16(tmp_path / "la.png", g, a))
    assert photo.bit_depth == 16 and photo.depth_note is None
    np.testing.assert_array_equal(photo.pixels, g)
    np.testing.assert_array_equal(photo.alpha, a)


@pytest.mark.parametrize("ext", [".webp", ".bmp", ".png"])
def test_a_16bit_gray_in_an_8bit_format_is_rounded_to_the_nearest_level_not_cut(tmp_path, ext):
    """The gray's levels x / 257 rounded, as a PNG asked for 8 bits gets them; cutting the low
    byte made the result up to a whole level darker than the gray."""
    from colorstudio.core.image_write import sixteen_to_eight

    levels = np.arange(65536, dtype=np.uint16)
    assert np.array_equal(sixteen_to_eight(levels), np.rint(levels / 257.0).astype(np.uint8))
    gray = np.tile(np.linspace(0, 65535, 96).astype(np.uint16), (40, 1))
    Image.fromarray(gray).save(tmp_path / "g16.png")
    args = ["colorize", str(tmp_path / "g16.png"), "-o", str(tmp_path / f"out{ext}"), "--method", "neutral"]
    assert main(args + (["--jpeg-quality", "100"] if ext == ".webp" else ["--bit-depth", "8"] if ext == ".png" else [])) == 0
    written = np.asarray(Image.open(tmp_path / f"out{ext}").convert("L"), np.float64)
    assert np.abs(written - gray / 257.0).max() <= 0.5 + 1e-6
