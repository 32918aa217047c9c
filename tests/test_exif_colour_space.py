"""A camera's Adobe RGB stated in EXIF (the DCF way, no ICC profile) is honoured, the EXIF
written with a result agrees with the file's space, and a gray in another RGB space than the
sRGB result has its tones brought to sRGB's."""
import numpy as np
import pytest
from PIL import Image

from colorstudio.cli import main
from colorstudio.core.colour_management import convert_rgb, gray_in_result_space, profile_name
from colorstudio.core.exif_colour_space import adobe_rgb_profile, exif_for_space, icc_from_exif
from colorstudio.core.imageio import load_photo
from colorstudio.core.photo import Photo

# Adobe RGB (1998) -> XYZ (D65) and XYZ (D65) -> linear sRGB, as published (Adobe 2005; IEC 61966-2-1)
ADOBE_TO_XYZ = np.array([[0.5767, 0.1856, 0.1882], [0.2974, 0.6273, 0.0753], [0.0270, 0.0707, 0.9911]])
XYZ_TO_SRGB = np.array([[3.2406, -1.5372, -0.4986], [-0.9689, 1.8758, 0.0415], [0.0557, -0.2040, 1.0570]])
COLOUR = (90, 150, 110)                       # inside sRGB's gamut once converted


def _srgb_level(linear):
    linear = np.clip(linear, 0, 1)
    return np.where(linear <= 0.0031308, 12.92 * linear, 1.055 * np.power(linear, 1 / 2.4) - 0.055)


def _adobe_to_srgb(rgb8) -> np.ndarray:
    return _srgb_level(XYZ_TO_SRGB @ ADOBE_TO_XYZ @ ((np.asarray(rgb8, np.float64) / 255) ** (563 / 256)))


def _exif(colour_space: int | None, index: str | None, make: str = "MonoCam") -> bytes:
    exif = Image.Exif()
    exif[0x010F] = make
    if colour_space is not None:
        exif.get_ifd(0x8769)[0xA001] = colour_space
    if index is not None:
        exif.get_ifd(0x8769)[0xA005] = {0x0001: index}
    return exif.tobytes()


def _tags(path):
    exif = Image.open(path).getexif()
    return exif.get_ifd(0x8769).get(0xA001), exif.get_ifd(0xA005).get(0x0001)


def test_the_adobe_rgb_profile_converts_as_the_published_matrices():
    out = convert_rgb(np.array([[COLOUR, (128, 128, 128), (40, 60, 200)]], np.uint8), adobe_rgb_profile(), None)
    for got, colour in zip(out[0], (COLOUR, (128, 128, 128), (40, 60, 200))):
        np.testing.assert_allclose(got / 255, _adobe_to_srgb(colour), atol=2.5 / 255)
    assert profile_name(adobe_rgb_profile()) == "Adobe RGB (1998)"


@pytest.mark.parametrize("colour_space, index, adobe", [
    (0xFFFF, "R03", True),            # the DCF's Adobe RGB
    (2, None, True), (2, "R03", True),  # the value some cameras write for Adobe RGB
    (0xFFFF, None, False),            # uncalibrated, no word of which space: read as sRGB
    (1, "R98", False), (1, "R03", False), (None, None, False)])
def test_only_the_dcf_adobe_rgb_tags_give_a_profile(colour_space, index, adobe):
    exif = Image.Exif()
    exif.load(_exif(colour_space, index))
    assert (icc_from_exif(exif) == adobe_rgb_profile()) if adobe else icc_from_exif(exif) is None


def test_a_jpeg_tagged_adobe_rgb_in_exif_is_read_in_adobe_rgb_and_an_embedded_profile_comes_first(tmp_path):
    pixels = np.full((16, 16, 3), COLOUR, np.uint8)
    Image.fromarray(pixels).save(tmp_path / "adobe.png", exif=_exif(0xFFFF, "R03"))
    assert load_photo(tmp_path / "adobe.png").icc_profile == adobe_rgb_profile()
    srgb_icc = Image.open(tmp_path / "adobe.png").info.get("icc_profile")
    assert srgb_icc is None
    from PIL import ImageCms
    embedded = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    Image.fromarray(pixels).save(tmp_path / "both.png", exif=_exif(0xFFFF, "R03"), icc_profile=embedded)
    assert load_photo(tmp_path / "both.png").icc_profile == embedded


def test_a_pair_with_an_adobe_rgb_colour_shot_is_written_in_adobe_rgb(tmp_path):
    h, w = 48, 64
    Image.fromarray(np.full((h, w), 120, np.uint8), "L").save(tmp_path / "g.png")
    Image.fromarray(np.full((h, w, 3), COLOUR, np.uint8)).save(tmp_path / "r.jpg", exif=_exif(0xFFFF, "R03"),
                                                                  quality=98)
    out = tmp_path / "out.png"
    assert main(["colorize", str(tmp_path / "g.png"), str(tmp_path / "r.jpg"), "-o", str(out),
                 "--method", "copy"]) == 0
    result = load_photo(out)
    assert result.icc_profile == adobe_rgb_profile()
    srgb_out = tmp_path / "out_srgb.png"
    assert main(["colorize", str(tmp_path / "g.png"), str(tmp_path / "r.jpg"), "-o", str(srgb_out),
                 "--method", "copy", "--colour-space", "srgb"]) == 0
    assert load_photo(srgb_out).icc_profile is None


def test_the_written_exif_agrees_with_the_files_space():
    adobe = _exif(0xFFFF, "R03")
    in_srgb = Image.Exif()
    in_srgb.load(exif_for_space(adobe, srgb=True))
    assert in_srgb.get_ifd(0x8769)[0xA001] == 1 and in_srgb.get_ifd(0xA005)[0x0001] == "R98"
    assert in_srgb[0x010F] == "MonoCam"
    assert exif_for_space(adobe, srgb=False) == adobe                    # Adobe RGB stays said
    srgb = _exif(1, "R98")
    assert exif_for_space(srgb, srgb=True) == srgb
    other = Image.Exif()
    other.load(exif_for_space(srgb, srgb=False))
    assert other.get_ifd(0x8769)[0xA001] == 0xFFFF
    assert other.get_ifd(0xA005).get(0x0001) != "R98"               # DCF's sRGB mark goes with it
    assert other[0x010F] == "MonoCam"
    assert exif_for_space(None, srgb=True) is None and exif_for_space(b"junk", srgb=True) == b"junk"
    nonstandard = Image.Exif()
    nonstandard.load(exif_for_space(_exif(2, None), srgb=True))       # a camera's ColorSpace 2
    assert nonstandard.get_ifd(0x8769)[0xA001] == 1


@pytest.mark.parametrize("dtype, top", [(np.uint8, 255), (np.uint16, 65535)])
def test_a_gray_tagged_adobe_rgb_has_its_tones_brought_to_srgb_for_an_srgb_result(dtype, top):
    levels = (np.arange(0, 256, 5) * (top // 255)).astype(dtype).reshape(4, 13)
    gray = Photo(pixels=levels, icc_profile=adobe_rgb_profile())
    out = gray_in_result_space(gray)                                     # a single gray: an sRGB result
    want = _srgb_level((levels / top) ** (563 / 256)) * top
    assert out.pixels.dtype == dtype and np.abs(out.pixels - want).max() <= 1.0 * top / 255
    assert out.icc_profile is None and "Adobe RGB (1998) tones were brought to sRGB's" in out.tone_note
    assert int(levels[0, 4]) - int(out.pixels[0, 4]) > 5 * top / 255      # level 20: shadows darker by 8
    reference = Photo(pixels=np.zeros((4, 13, 3), np.uint8))
    assert gray_in_result_space(gray, reference) is gray                 # a pair: the result is in Adobe RGB
    assert gray_in_result_space(gray, reference, "srgb").icc_profile is None
    assert gray_in_result_space(Photo(pixels=levels)).pixels is levels   # untagged: sRGB already


def test_a_single_mono_jpeg_tagged_adobe_rgb_colorizes_with_its_tones_and_says_so(tmp_path, capsys):
    h, w = 48, 64
    gray = np.tile(np.linspace(10, 240, w).astype(np.uint8), (h, 1))
    Image.fromarray(gray, "L").save(tmp_path / "mono.png", exif=_exif(0xFFFF, "R03"))
    out = tmp_path / "out.jpg"
    assert main(["colorize", str(tmp_path / "mono.png"), "-o", str(out), "--method", "neutral"]) == 0
    assert "Adobe RGB (1998) tones were brought to sRGB's" in capsys.readouterr().err
    result = load_photo(out)
    assert result.icc_profile is None and _tags(out) == (1, "R98")       # an sRGB file, and its EXIF says so
    want = _srgb_level((gray / 255.0) ** (563 / 256))
    assert np.abs(result.gray_float() - want).max() < 0.012          # the gray as it looks


@pytest.mark.parametrize("dtype, top", [(np.uint8, 255), (np.uint16, 65535)])
def test_a_gray_read_through_its_gray_profile_gets_the_tones_of_the_references_space(tmp_path, dtype, top):
    # its levels are sRGB's tones; the result is in the reference's Adobe RGB (gamma 2.2), so
    # kept as they are its shadows would read lighter than the gray's
    from icc_profiles import gray_profile

    levels = (np.arange(0, 256, 5) * (top // 255)).astype(dtype).reshape(4, 13)
    Image.fromarray(levels).save(tmp_path / "g.png", icc_profile=gray_profile())
    gray = load_photo(tmp_path / "g.png")
    assert gray.srgb_tones
    reference = Photo(pixels=np.zeros((4, 13, 3), np.uint8), icc_profile=adobe_rgb_profile())
    out = gray_in_result_space(gray, reference)
    # the same tone: an sRGB level v and the Adobe RGB level a with a ** (563/256) == linear(v)
    linear = np.where(gray.pixels / top <= 0.04045, gray.pixels / top / 12.92,
                      ((gray.pixels / top + 0.055) / 1.055) ** 2.4)
    want = linear ** (256 / 563) * top
    # 16 bits: from Adobe RGB's own curve (a table of 256 whole levels was 1.5 levels off in the shadows)
    assert out.pixels.dtype == dtype and np.abs(out.pixels - want).max() <= (1.5 if dtype == np.uint8 else 0.1) * top / 255
    assert "Adobe RGB (1998)'s, the result's space" in out.tone_note and not out.srgb_tones
    assert gray_in_result_space(gray, reference, "srgb") is gray          # an sRGB result: as read
    assert gray_in_result_space(out, reference) is out                    # never twice


@pytest.mark.parametrize("dtype, top", [(np.uint8, 255), (np.uint16, 65535)])
def test_an_untagged_gray_is_srgb_and_gets_the_tones_of_the_references_space(dtype, top):
    # no profile means sRGB: beside an Adobe RGB reference (the result's space) its numbers kept
    # as they are would read lighter in the shadows than the gray looks
    levels = (np.arange(0, 256, 5) * (top // 255)).astype(dtype).reshape(4, 13)
    reference = Photo(pixels=np.zeros((4, 13, 3), np.uint8), icc_profile=adobe_rgb_profile())
    out = gray_in_result_space(Photo(pixels=levels), reference)
    linear = np.where(levels / top <= 0.04045, levels / top / 12.92, ((levels / top + 0.055) / 1.055) ** 2.4)
    assert out.pixels.dtype == dtype and np.abs(out.pixels - linear ** (256 / 563) * top).max() <= 1.5 * top / 255
    assert "Adobe RGB (1998)'s, the result's space" in out.tone_note
    assert gray_in_result_space(out, reference) is out                    # never twice
    assert gray_in_result_space(Photo(pixels=levels), reference, "srgb").pixels is levels   # an sRGB result
    assert gray_in_result_space(Photo(pixels=levels), Photo(pixels=reference.pixels)).pixels is levels


@pytest.mark.parametrize("dtype, top", [(np.uint8, 255), (np.uint16, 65535)])
def test_a_toned_scan_tagged_adobe_rgb_is_brought_to_srgb_for_an_srgb_result(dtype, top):
    ramp = np.arange(0, 256, 5, dtype=np.float64).reshape(4, 13)
    sepia = (np.stack([ramp, ramp * 0.92, ramp * 0.8], -1) * (top // 255)).astype(dtype)   # three channels
    out = gray_in_result_space(Photo(pixels=sepia, icc_profile=adobe_rgb_profile()))       # a single gray
    assert out.icc_profile is None and out.pixels.dtype == dtype and out.pixels.shape == sepia.shape
    assert "brought to sRGB's" in out.tone_note
    assert int(sepia[0, 4, 0]) - int(out.pixels[0, 4, 0]) > 5 * top / 255                  # darker shadows
    if dtype == np.uint8:
        np.testing.assert_array_equal(out.pixels, convert_rgb(sepia, adobe_rgb_profile(), None))


def test_the_batch_says_what_colorize_says_about_a_grays_tones(tmp_path, capsys):
    # colorize printed "the gray's Adobe RGB (1998) tones were brought to sRGB's"; the batch line did not
    gray = np.repeat(np.linspace(20, 230, 48 * 64).reshape(48, 64, 1), 3, axis=2).astype(np.uint8)
    (tmp_path / "in").mkdir()
    Image.fromarray(gray).save(tmp_path / "in" / "scan.png", icc_profile=adobe_rgb_profile())
    assert main(["batch", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--method", "neutral"]) == 0
    assert "Adobe RGB (1998) tones were brought to sRGB" in capsys.readouterr().err
