"""HEIF and AVIF photos tagged with an nclx colour box (no ICC profile) are colour-managed
through a profile written for the tag."""
import struct

import numpy as np
import pytest
from PIL import Image

from colorstudio.core.colour_management import convert_rgb, profile_name
from colorstudio.core.icc_writer import colorants_d50
from colorstudio.core.imageio import load_photo
from colorstudio.core.nclx_profile import icc_from_nclx
from icc_profiles import DISPLAY_P3, SRGB

P3_XY = {"color_primary_red_x": 0.68, "color_primary_red_y": 0.32, "color_primary_green_x": 0.265,
         "color_primary_green_y": 0.69, "color_primary_blue_x": 0.15, "color_primary_blue_y": 0.06,
         "color_primary_white_x": 0.3127, "color_primary_white_y": 0.329}
P3_NCLX = {"color_primaries": 12, "transfer_characteristics": 13, "matrix_coefficients": 6, "full_range_flag": 1,
           **P3_XY}


def _srgb_curve(v):
    return np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4)


def _srgb_encode(v):
    v = np.clip(v, 0, 1)
    return np.where(v <= 0.0031308, 12.92 * v, 1.055 * v ** (1 / 2.4) - 0.055)


def test_the_primaries_give_the_published_d50_colorants():
    p3 = colorants_d50([(0.68, 0.32), (0.265, 0.69), (0.15, 0.06)], (0.3127, 0.329))
    srgb = colorants_d50([(0.64, 0.33), (0.30, 0.60), (0.15, 0.06)], (0.3127, 0.329))
    np.testing.assert_allclose(p3, DISPLAY_P3, atol=3e-4)
    np.testing.assert_allclose(srgb, SRGB, atol=3e-4)


@pytest.mark.parametrize("rgb", [(200, 80, 80), (40, 160, 90), (30, 60, 200), (128, 128, 128)])
def test_a_display_p3_tag_converts_as_display_p3(rgb):
    icc = icc_from_nclx(P3_NCLX)
    assert profile_name(icc) == "Display P3 (HEIF colour tag)"
    got = convert_rgb(np.array([[rgb]], np.uint8), icc, None)[0, 0]
    linear = np.linalg.solve(np.array(SRGB).T, np.array(DISPLAY_P3).T @ _srgb_curve(np.array(rgb) / 255))
    assert np.abs(got - 255 * _srgb_encode(linear)).max() <= 2.5


def test_tags_that_need_no_profile_or_cannot_have_one_give_none():
    assert icc_from_nclx(None) is None and icc_from_nclx({}) is None
    assert icc_from_nclx({**P3_NCLX, "color_primaries": 1}) is None          # sRGB itself
    assert icc_from_nclx({**P3_NCLX, "transfer_characteristics": 16}) is None  # PQ (HDR)
    assert icc_from_nclx({**P3_NCLX, "color_primaries": 2}) is None          # unspecified
    assert icc_from_nclx({"color_primaries": 12, "transfer_characteristics": 13}) is None   # no chromaticities
    assert "BT.2020, BT.709 curve" in profile_name(icc_from_nclx(
        {**P3_NCLX, "color_primaries": 9, "transfer_characteristics": 14}))


def test_an_nclx_tagged_heic_reference_lends_its_space_to_the_result(tmp_path):
    pytest.importorskip("pillow_heif")
    from colorstudio.cli import main

    colour = (200, 80, 80)
    Image.fromarray(np.full((48, 64, 3), colour, np.uint8)).save(
        tmp_path / "r.heic", quality=100, nclx_profile={k: v for k, v in P3_NCLX.items() if "_x" not in k
                                                         and "_y" not in k})
    reference = load_photo(tmp_path / "r.heic")
    assert profile_name(reference.icc_profile).startswith("Display P3")
    Image.fromarray(np.full((48, 64), 120, np.uint8)).save(tmp_path / "g.png")
    assert main(["colorize", str(tmp_path / "g.png"), str(tmp_path / "r.heic"), "-o", str(tmp_path / "out.png"),
                 "--method", "copy"]) == 0
    result = load_photo(tmp_path / "out.png")
    assert result.icc_profile == reference.icc_profile            # written in the reference's Display P3


def _avif_with_primaries(path, primaries: int, transfer: int = 13) -> None:
    """An AVIF written by Pillow (whose colour tag says sRGB) with the tag's codes changed:
    the decoded numbers stay the same, only what they mean changes."""
    from PIL import features

    if not features.check("avif"):
        pytest.skip("this Pillow has no AVIF")
    Image.fromarray(np.full((32, 48, 3), (200, 80, 80), np.uint8)).save(path, quality=100)
    data = bytearray(path.read_bytes())
    at = data.find(b"colrnclx")
    assert at > 0
    data[at + 8:at + 12] = struct.pack(">HH", primaries, transfer)
    path.write_bytes(bytes(data))


def test_an_avif_colour_tag_is_read_from_the_file(tmp_path):
    from colorstudio.core.nclx_profile import avif_nclx

    _avif_with_primaries(tmp_path / "p3.avif", 12)
    nclx = avif_nclx(tmp_path / "p3.avif")
    assert nclx == {**{k: v for k, v in P3_NCLX.items() if k in P3_XY}, "color_primaries": 12,
                    "transfer_characteristics": 13}
    photo = load_photo(tmp_path / "p3.avif")
    assert profile_name(photo.icc_profile) == "Display P3 (AVIF colour tag)"
    _avif_with_primaries(tmp_path / "srgb.avif", 1)
    assert avif_nclx(tmp_path / "srgb.avif")["color_primaries"] == 1
    assert load_photo(tmp_path / "srgb.avif").icc_profile is None               # sRGB needs no profile
    _avif_with_primaries(tmp_path / "odd.avif", 22)                             # primaries not in the table
    assert avif_nclx(tmp_path / "odd.avif") is None
    (tmp_path / "junk.avif").write_bytes(b"\0\0\0\x10ftypavif" + b"\xff" * 40)
    assert avif_nclx(tmp_path / "junk.avif") is None and avif_nclx(tmp_path / "missing.avif") is None
    (tmp_path / "cut.avif").write_bytes(b"\0\0\0\x01ftyp\0\0")                 # a 64-bit size cut short
    assert avif_nclx(tmp_path / "cut.avif") is None


def _with_cicp(png: bytes, primaries: int, transfer: int) -> bytes:
    """The PNG with a cICP chunk right after its IHDR (8-byte signature + 25-byte IHDR chunk)."""
    import zlib

    data = bytes([primaries, transfer, 0, 1])
    chunk = struct.pack(">I", 4) + b"cICP" + data + struct.pack(">I", zlib.crc32(b"cICP" + data))
    return png[:33] + chunk + png[33:]


def test_a_png_cicp_colour_tag_is_read_from_the_file(tmp_path):
    import io

    buffer = io.BytesIO()
    Image.fromarray(np.full((8, 8, 3), (200, 60, 40), np.uint8)).save(buffer, "PNG")
    (tmp_path / "p3.png").write_bytes(_with_cicp(buffer.getvalue(), 12, 13))     # Display P3
    photo = load_photo(tmp_path / "p3.png")
    assert photo.icc_profile is not None and profile_name(photo.icc_profile) == "Display P3 (PNG colour tag)"
    (tmp_path / "srgb.png").write_bytes(_with_cicp(buffer.getvalue(), 1, 13))    # sRGB: no profile needed
    assert load_photo(tmp_path / "srgb.png").icc_profile is None
    (tmp_path / "plain.png").write_bytes(buffer.getvalue())
    assert load_photo(tmp_path / "plain.png").icc_profile is None
