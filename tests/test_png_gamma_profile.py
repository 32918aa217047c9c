"""A PNG's gAMA / cHRM chunks are its colour profile when it has no other (PNG's precedence:
cICP, iCCP, sRGB, then gAMA/cHRM); a cICP chunk wins over an iCCP profile."""
from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image, ImageCms

from colorstudio.core.colour_management import profile_name
from colorstudio.core.imageio import load_photo
from colorstudio.core.png_gamma_profile import icc_from_png_gamma


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png(pixels: np.ndarray, *chunks: bytes, **save) -> bytes:
    """The PNG of ``pixels`` with ``chunks`` right after its IHDR (8-byte signature + 25-byte IHDR)."""
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "PNG", **save)
    png = buffer.getvalue()
    return png[:33] + b"".join(chunks) + png[33:]


def _gama(file_gamma: float) -> bytes:
    return _chunk(b"gAMA", struct.pack(">I", round(file_gamma * 100000)))


def _srgb_level(linear):
    return np.where(linear <= 0.0031308, 12.92 * linear, 1.055 * np.power(linear, 1 / 2.4) - 0.055)


def test_a_linear_gray_png_stated_by_gama_is_read_with_its_tones(tmp_path):
    # a 16-bit linear export with gAMA 1.0 was read as sRGB numbers: 62 levels too dark at the median
    linear = np.linspace(0, 1, 64 * 64).reshape(64, 64)
    (tmp_path / "linear.png").write_bytes(_png(np.rint(linear * 65535).astype(np.uint16), _gama(1.0)))
    photo = load_photo(tmp_path / "linear.png")
    assert photo.pixels.dtype == np.uint16 and "tones were brought to sRGB's" in (photo.tone_note or "")
    assert np.abs(photo.pixels / 65535 - _srgb_level(linear)).max() < 1 / 255


def test_an_srgb_compatible_gama_or_an_srgb_chunk_is_srgb():
    assert icc_from_png_gamma({"gamma": 0.45455}, gray=True) is None
    assert icc_from_png_gamma({"gamma": 0.45455}, gray=False) is None
    srgb_chrm = (0.3127, 0.329, 0.64, 0.33, 0.3, 0.6, 0.15, 0.06)
    assert icc_from_png_gamma({"gamma": 0.45455, "chromaticity": srgb_chrm}, gray=False) is None
    assert icc_from_png_gamma({"gamma": 1.0, "srgb": 0}, gray=True) is None            # sRGB chunk first
    assert icc_from_png_gamma({}, gray=True) is None and icc_from_png_gamma({"gamma": 0}, gray=False) is None


def test_gama_with_wider_chrm_primaries_is_a_colour_profile(tmp_path):
    adobe_chrm = (0.3127, 0.329, 0.64, 0.33, 0.21, 0.71, 0.15, 0.06)
    chrm = _chunk(b"cHRM", struct.pack(">8I", *(round(v * 100000) for v in adobe_chrm)))
    rgb = np.full((8, 8, 3), (40, 180, 60), np.uint8)
    (tmp_path / "adobe.png").write_bytes(_png(rgb, _gama(0.45455), chrm))
    photo = load_photo(tmp_path / "adobe.png")
    assert photo.icc_profile is not None and "PNG gAMA and cHRM" in profile_name(photo.icc_profile)
    lab = ImageCms.ImageCmsProfile(io.BytesIO(photo.icc_profile))
    assert lab.profile.xcolor_space.strip() == "RGB"


def test_a_cicp_chunk_wins_over_an_iccp_profile(tmp_path):
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    cicp = _chunk(b"cICP", bytes([12, 13, 0, 1]))                     # Display P3
    rgb = np.full((8, 8, 3), (200, 60, 40), np.uint8)
    (tmp_path / "both.png").write_bytes(_png(rgb, cicp, icc_profile=srgb))
    assert profile_name(load_photo(tmp_path / "both.png").icc_profile) == "Display P3 (PNG colour tag)"
    (tmp_path / "srgb_tag.png").write_bytes(_png(rgb, _chunk(b"cICP", bytes([1, 13, 0, 1])), _gama(1.0)))
    assert load_photo(tmp_path / "srgb_tag.png").icc_profile is None            # cICP says sRGB: sRGB


@pytest.mark.parametrize("mode", ["L", "RGB"])
def test_a_png_without_gama_is_untouched(tmp_path, mode):
    pixels = np.full((8, 8) if mode == "L" else (8, 8, 3), 100, np.uint8)
    (tmp_path / "plain.png").write_bytes(_png(pixels))
    photo = load_photo(tmp_path / "plain.png")
    assert photo.icc_profile is None and photo.tone_note is None
