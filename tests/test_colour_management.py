"""Colour management: the result's space (the gray's RGB profile, else the reference's, else
sRGB), the reference's colour brought into it, and a profile only written into the kind of
image it describes."""
import numpy as np
import pytest
from PIL import Image, ImageCms

from colorstudio.cli import main
from colorstudio.core.colour_management import (output_profile, profile_colour_space, profile_for_pixels,
                                                reference_in_output_space)
from colorstudio.core.imageio import load_photo
from icc_profiles import DISPLAY_P3, SRGB, gray_profile, rgb_profile

P3 = rgb_profile("Test Display P3")
COLOUR = (200, 80, 80)


_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()   # once: its header holds
                                                                               # the second it was made


def _srgb_bytes() -> bytes:
    return _SRGB


def _p3_to_srgb(rgb8) -> np.ndarray:
    """The conversion worked out by hand: P3 numbers (gamma 2.2 here) -> XYZ (D50) -> sRGB."""
    lin = (np.asarray(rgb8, np.float64) / 255) ** 2.2
    xyz = np.array(DISPLAY_P3).T @ lin
    s = np.clip(np.linalg.solve(np.array(SRGB).T, xyz), 0, 1)
    return np.where(s <= 0.0031308, 12.92 * s, 1.055 * s ** (1 / 2.4) - 0.055)


def test_profile_colour_space_reads_the_header():
    assert profile_colour_space(P3) == "RGB"
    assert profile_colour_space(gray_profile()) == "GRAY"
    assert profile_colour_space(_srgb_bytes()) == "RGB"
    assert profile_colour_space(None) is None and profile_colour_space(b"not a profile" * 20) is None
    assert profile_for_pixels(gray_profile(), 3) is None        # never a gray profile in a colour image
    assert profile_for_pixels(gray_profile(), 1) == gray_profile()
    assert profile_for_pixels(P3, 3) == P3 and profile_for_pixels(P3, 1) is None


def test_a_display_p3_reference_is_converted_into_an_srgb_grays_space():
    ref = np.full((8, 10, 3), COLOUR, np.uint8)
    out, note = reference_in_output_space(ref, P3, _srgb_bytes())    # the gray is an sRGB-tagged RGB file
    expected = _p3_to_srgb(COLOUR)
    np.testing.assert_allclose(out[0, 0], expected, atol=2.5 / 255)
    assert out[0, 0, 0] > COLOUR[0] / 255 and out[0, 0, 1] < COLOUR[1] / 255   # a redder red in sRGB numbers
    assert note.startswith("reference converted from Test Display P3 to sRGB")
    ref16 = ref.astype(np.uint16) * 257                          # 16-bit: the same colour
    out16, _ = reference_in_output_space(ref16, P3, _srgb_bytes())
    np.testing.assert_allclose(out16, out, atol=1 / 255)


def test_a_gray_without_a_colour_space_takes_the_references_and_keeps_its_colours_whole():
    ref = np.full((8, 10, 3), COLOUR, np.uint8)
    for gray_icc in (None, gray_profile()):                      # untagged, or a gray-only profile
        assert output_profile(gray_icc, P3) == P3
        out, note = reference_in_output_space(ref, P3, gray_icc)
        assert np.array_equal(out, ref.astype(np.float32) / 255)          # P3 numbers, not clipped to sRGB
        assert "the result is in Test Display P3, the reference's colour space" in note
    assert output_profile(P3, None) == P3 and output_profile(None, None) is None
    assert output_profile(None, _srgb_bytes()) is None           # sRGB: written without a profile, as before
    assert output_profile(_srgb_bytes(), P3) == _srgb_bytes()    # the gray's own RGB space comes first
    assert output_profile(None, P3[:128] + b"\xff" * 64) is None  # a damaged profile is not lent


def test_into_the_grays_own_rgb_space_and_no_conversion_when_spaces_agree():
    srgb_ref = np.full((4, 4, 3), COLOUR, np.uint8)
    out, note = reference_in_output_space(srgb_ref, None, P3)    # untagged = sRGB, gray tagged P3
    assert out[0, 0, 0] < COLOUR[0] / 255 and "to Test Display P3" in note
    for ref_icc, gray_icc in ((P3, P3), (None, None), (_srgb_bytes(), None), (None, gray_profile())):
        same, note = reference_in_output_space(srgb_ref, ref_icc, gray_icc)
        assert note is None and np.array_equal(same, srgb_ref.astype(np.float32) / 255)


def test_a_damaged_profile_keeps_the_pixels_and_says_so():
    broken = P3[:128] + b"\xff" * 64                             # a valid header, a garbage tag table
    ref = np.full((4, 4, 3), COLOUR, np.uint8)
    out, note = reference_in_output_space(ref, broken, _srgb_bytes())
    assert np.array_equal(out, ref.astype(np.float32) / 255) and "could not be used" in note


@pytest.mark.parametrize("ext", [".png", ".jpg"])
def test_cli_gray_profile_not_written_into_the_colour_result_which_keeps_the_p3_reference_colour(tmp_path, ext):
    h, w = 48, 64
    gray = np.full((h, w), 120, np.uint8)          # mid-gray: the colour fits without clipping
    Image.fromarray(gray, "L").save(tmp_path / f"g{ext}", icc_profile=gray_profile())
    Image.fromarray(np.full((h, w, 3), COLOUR, np.uint8)).save(tmp_path / "r.png", icc_profile=P3)
    out = tmp_path / f"out{ext}"
    assert main(["colorize", str(tmp_path / f"g{ext}"), str(tmp_path / "r.png"), "-o", str(out),
                 "--method", "copy"]) == 0
    result = load_photo(out)
    assert result.icc_profile == P3                            # the reference's space, not the gray profile
    # 'copy' gives the reference's chroma: the P3 numbers' own, as the file is read in P3
    from colorstudio.core.color import rgb_to_ycbcr

    got = rgb_to_ycbcr(result.to_float())[..., 1:].reshape(-1, 2).mean(0)
    raw = rgb_to_ycbcr(np.float32(COLOUR)[None, None] / 255)[0, 0, 1:]
    assert np.abs(got - raw).max() < 0.02
    assert np.abs(result.to_float()[..., :3] @ np.float32([0.299, 0.587, 0.114]) - 120 / 255).max() < 0.01


def test_cli_an_srgb_tagged_gray_gets_the_p3_reference_converted(tmp_path):
    h, w = 48, 64
    rgb_gray = np.full((h, w, 3), 120, np.uint8)
    Image.fromarray(rgb_gray).save(tmp_path / "g.png", icc_profile=_srgb_bytes())
    Image.fromarray(np.full((h, w, 3), COLOUR, np.uint8)).save(tmp_path / "r.png", icc_profile=P3)
    out = tmp_path / "out.png"
    assert main(["colorize", str(tmp_path / "g.png"), str(tmp_path / "r.png"), "-o", str(out),
                 "--method", "copy"]) == 0
    result = load_photo(out)
    assert result.icc_profile == _srgb_bytes()
    from colorstudio.core.color import rgb_to_ycbcr

    got = rgb_to_ycbcr(result.to_float())[..., 1:].reshape(-1, 2).mean(0)
    want = rgb_to_ycbcr(_p3_to_srgb(COLOUR).astype(np.float32)[None, None])[0, 0, 1:]
    raw = rgb_to_ycbcr(np.float32(COLOUR)[None, None] / 255)[0, 0, 1:]
    assert np.abs(got - want).max() < np.abs(got - raw).max() and np.abs(got - want).max() < 0.02


def test_a_bmp_result_which_cannot_carry_the_p3_profile_is_written_in_srgb(tmp_path):
    h, w = 48, 64
    Image.fromarray(np.full((h, w), 120, np.uint8), "L").save(tmp_path / "g.png")
    Image.fromarray(np.full((h, w, 3), COLOUR, np.uint8)).save(tmp_path / "r.png", icc_profile=P3)
    assert main(["colorize", str(tmp_path / "g.png"), str(tmp_path / "r.png"), "-o", str(tmp_path / "out.bmp"),
                 "--method", "copy"]) == 0
    assert main(["colorize", str(tmp_path / "g.png"), str(tmp_path / "r.png"), "-o", str(tmp_path / "out.png"),
                 "--method", "copy"]) == 0
    in_p3 = load_photo(tmp_path / "out.png")
    bmp = load_photo(tmp_path / "out.bmp")
    assert in_p3.icc_profile == P3 and bmp.icc_profile is None
    np.testing.assert_allclose(bmp.pixels[0, 0] / 255, _p3_to_srgb(in_p3.pixels[0, 0]), atol=2.5 / 255)


def test_a_p3_result_does_not_keep_the_mono_cameras_exif_claim_of_srgb(tmp_path):
    exif = Image.Exif()
    exif[0x010F] = "MonoCam"
    exif.get_ifd(0x8769)[0xA001] = 1                            # ColorSpace: sRGB
    h, w = 48, 64
    Image.fromarray(np.full((h, w), 120, np.uint8), "L").save(tmp_path / "g.jpg", exif=exif.tobytes())
    Image.fromarray(np.full((h, w, 3), COLOUR, np.uint8)).save(tmp_path / "p3.png", icc_profile=P3)
    Image.fromarray(np.full((h, w, 3), COLOUR, np.uint8)).save(tmp_path / "srgb.png")
    for ref, want in (("p3", 0xFFFF), ("srgb", 1)):
        out = tmp_path / f"out_{ref}.jpg"
        assert main(["colorize", str(tmp_path / "g.jpg"), str(tmp_path / f"{ref}.png"), "-o", str(out),
                     "--method", "copy"]) == 0
        tags = Image.open(out).getexif()
        assert tags.get_ifd(0x8769).get(0xA001) == want and tags.get(0x010F) == "MonoCam"


def test_the_srgb_colour_space_converts_a_p3_reference_whatever_the_gray_has(tmp_path):
    ref = np.full((8, 10, 3), COLOUR, np.uint8)
    for gray_icc in (None, gray_profile(), P3):
        assert output_profile(gray_icc, P3, "srgb") is None
        out, note = reference_in_output_space(ref, P3, gray_icc, "srgb")
        np.testing.assert_allclose(out[0, 0], _p3_to_srgb(COLOUR), atol=2.5 / 255)
        assert note == "reference converted from Test Display P3 to sRGB"
    with pytest.raises(ValueError, match="unknown colour space 'adobe'"):
        output_profile(None, P3, "adobe")
    h, w = 48, 64
    Image.fromarray(np.full((h, w), 120, np.uint8), "L").save(tmp_path / "g.png")
    Image.fromarray(np.full((h, w, 3), COLOUR, np.uint8)).save(tmp_path / "r.png", icc_profile=P3)
    out_path = tmp_path / "out.png"
    assert main(["colorize", str(tmp_path / "g.png"), str(tmp_path / "r.png"), "-o", str(out_path),
                 "--method", "copy", "--colour-space", "srgb"]) == 0
    assert load_photo(out_path).icc_profile is None


def test_an_unknown_colour_space_option_is_a_one_line_error():
    from colorstudio.core.photo import Photo
    from colorstudio.engine.colorize import colorize
    from colorstudio.errors import MethodError

    gray = Photo(pixels=np.full((40, 40), 100, np.uint8))
    with pytest.raises(MethodError, match="unknown colour space 'p3'"):
        colorize(gray, None, options={"colour_space": "p3"})


def test_a_single_gray_tagged_display_p3_gets_an_srgb_result_and_so_does_srgb_for_a_pair(tmp_path):
    h, w = 48, 64
    Image.fromarray(np.full((h, w, 3), 120, np.uint8)).save(tmp_path / "g.png", icc_profile=P3)  # a phone's mono shot
    Image.fromarray(np.full((h, w, 3), COLOUR, np.uint8)).save(tmp_path / "r.png")
    runs = {"single.png": ["--method", "cheng"], "pair_srgb.png": [str(tmp_path / "r.png"), "--method", "copy",
                                                                   "--colour-space", "srgb"],
            "pair_auto.png": [str(tmp_path / "r.png"), "--method", "copy"]}
    for name, extra in runs.items():
        out = tmp_path / name
        assert main(["colorize", str(tmp_path / "g.png"), *extra, "-o", str(out)]) == 0
        result = load_photo(out)
        assert result.icc_profile == (P3 if name == "pair_auto.png" else None), name
        luma = result.to_float()[..., :3] @ np.float32([0.299, 0.587, 0.114])
        assert np.abs(luma - 120 / 255).max() < 0.01                  # the gray itself, in every case


def _srgb_level(linear):
    v = np.where(linear <= 0.0031308, 12.92 * linear, 1.055 * np.power(linear, 1 / 2.4) - 0.055)
    return np.clip(v, 0, 1)


@pytest.mark.parametrize("dtype, top", [(np.uint8, 255), (np.uint16, 65535)])
def test_a_gray_profiles_tones_are_brought_to_srgbs_curve(dtype, top):
    from colorstudio.core.colour_management import gray_in_srgb_tones

    levels = (np.arange(0, 256, 5) * (top // 255)).astype(dtype).reshape(4, 13)
    print_like = gray_profile("Print gamma 2.6", gamma=2.6)            # darker midtones than sRGB
    out, note = gray_in_srgb_tones(levels, print_like)
    want = _srgb_level((levels / top) ** 2.6) * top
    assert out.dtype == dtype and np.abs(out - want).max() <= 1.0 * top / 255
    assert out[2, 0] < levels[2, 0] and "Print gamma 2.6 tones were brought to sRGB's" in note
    same, none = gray_in_srgb_tones(levels, None)
    assert same is levels and none is None
    rgb = np.zeros((4, 4, 3), dtype)
    assert gray_in_srgb_tones(rgb, print_like)[0] is rgb                 # only gray pixels


@pytest.mark.parametrize("dtype, top", [(np.uint8, 255), (np.uint16, 65535)])
@pytest.mark.parametrize("gamma", [1.0, 1.8])
def test_a_linear_grays_shadows_keep_their_tones(dtype, top, gamma):
    # littleCMS's optimised transform put a gamma-1.0 gray's level 1 at 6 (12.7 on sRGB's curve)
    from colorstudio.core.colour_management import gray_in_srgb_tones

    levels = np.linspace(0, top, 4096).round().astype(dtype).reshape(64, 64)
    out, _ = gray_in_srgb_tones(levels, gray_profile(f"Gray gamma {gamma}", gamma=gamma))
    want = _srgb_level((levels / top) ** gamma) * top
    assert np.abs(out - want).max() <= (0.6 if dtype == np.uint8 else 0.05 * 257)


def test_a_dot_gain_scan_is_read_with_its_tones_and_the_result_keeps_them(tmp_path):
    h, w = 48, 64
    scan = np.tile(np.linspace(20, 235, w).astype(np.uint8), (h, 1))
    Image.fromarray(scan, "L").save(tmp_path / "scan.png", icc_profile=gray_profile("Print gamma 2.6", 2.6))
    photo = load_photo(tmp_path / "scan.png")
    want = _srgb_level((scan / 255.0) ** 2.6)
    assert photo.icc_profile is None and np.abs(photo.pixels / 255.0 - want).max() <= 1 / 255
    assert "tones were brought to sRGB's" in photo.tone_note
    before = (tmp_path / "scan.png").read_bytes()
    out = tmp_path / "out.png"
    assert main(["colorize", str(tmp_path / "scan.png"), "-o", str(out), "--method", "cheng"]) == 0
    assert (tmp_path / "scan.png").read_bytes() == before                 # the scan itself is untouched
    luma = load_photo(out).to_float() @ np.float32([0.299, 0.587, 0.114])
    assert np.abs(luma - want).max() < 0.01                               # the scan as it looks


def test_a_gray_profile_the_result_cannot_be_in_is_passed_over_for_the_references():
    # a damaged RGB profile with a valid header (the tag table points past its end): the result
    # was written with those 200 bytes and the reference was left unconverted
    damaged = P3[:200]
    assert profile_colour_space(damaged) == "RGB"
    assert output_profile(damaged, P3) == P3
    assert output_profile(damaged, None) is None                       # sRGB
    pixels, note = reference_in_output_space(np.full((2, 2, 3), COLOUR, np.uint8), P3, damaged)
    assert "the result is in Test Display P3" in note


def test_a_matrix_profiles_shared_tone_curve_is_found_and_others_are_not():
    from colorstudio.core.exif_colour_space import adobe_rgb_profile
    from colorstudio.core.icc_tone_tables import neutral_table_16, shared_trc

    adobe = adobe_rgb_profile()
    assert shared_trc(adobe) is not None
    table = neutral_table_16(adobe)                    # Adobe RGB's gamma 563/256 -> sRGB's curve, 16 bits
    level = np.arange(65536) / 65535
    np.testing.assert_allclose(table / 65535, _srgb_level(level ** (563 / 256)), atol=1e-4)   # 0.03 8-bit levels
    assert shared_trc(b"\0" * 100) is None and shared_trc(gray_profile("g", gamma=2.2)) is None
