"""TIFF inputs (their first IFD is both EXIF and image structure), float TIFFs with an
orientation, gray+alpha TIFFs, and the limits of the output formats."""
from __future__ import annotations

import numpy as np
import pytest
import tifffile
from PIL import Image

from colorstudio.core.exif_carry import JPEG_EXIF_LIMIT, exif_to_carry
from colorstudio.core.image_write import save_photo
from colorstudio.core.imageio import load_photo
from colorstudio.engine.batch import plan_batch
from colorstudio.engine.batch_outputs import output_extension
from colorstudio.errors import OutputError

MAKE, XMP, PHOTOMETRIC, ICC = 0x010F, 0x02BC, 0x0106, 0x8773
EXIF_IFD, DATE_ORIGINAL = 0x8769, 0x9003


def _gray_tiff(path, exif: Image.Exif | None = None) -> None:
    ramp = np.tile((np.arange(64) * 3).astype(np.uint8), (48, 1))
    Image.fromarray(ramp).save(path, **({"exif": exif} if exif is not None else {}))


def test_a_gray_tiff_colorized_to_tiff_is_a_readable_rgb_tiff_with_its_camera_tags(tmp_path):
    exif = Image.Exif()
    exif[MAKE] = "Cam"
    _gray_tiff(tmp_path / "scan.tif", exif)
    gray = load_photo(tmp_path / "scan.tif")
    colour = gray.rgb_float() * np.array([1.0, 0.8, 0.6], np.float32)
    out = save_photo(tmp_path / "out.tif", colour, like=gray)
    with Image.open(out) as im:
        im.load()
        assert im.mode == "RGB" and im.size == (64, 48)
        assert np.asarray(im)[10, 40, 0] > np.asarray(im)[10, 40, 2]     # the colour is there
        written = im.getexif()
        assert written[MAKE] == "Cam"
    with tifffile.TiffFile(out) as tif:
        page = tif.pages[0]
        assert page.photometric == tifffile.PHOTOMETRIC.RGB and page.samplesperpixel == 3
        assert page.extrasamples == ()


def test_only_the_photographs_tags_are_carried():
    exif = Image.Exif()
    exif[MAKE] = "Cam"
    exif[PHOTOMETRIC] = 1
    exif[XMP] = b"x" * 70_000
    exif[0x0112] = 6
    exif.get_ifd(EXIF_IFD)[DATE_ORIGINAL] = "2026:12:06 10:00:00"
    carried = Image.Exif()
    carried.load(exif_to_carry(exif))
    assert {t: v for t, v in carried.items() if t != EXIF_IFD} == {MAKE: "Cam", 0x0112: 1}
    assert carried.get_ifd(EXIF_IFD) == {DATE_ORIGINAL: "2026:12:06 10:00:00"}
    only_structure = Image.Exif()
    only_structure[PHOTOMETRIC] = 1
    assert exif_to_carry(only_structure) is None


def test_a_tiff_with_a_large_xmp_block_still_writes_a_jpeg(tmp_path):
    exif = Image.Exif()
    exif[MAKE] = "Cam"
    exif[XMP] = b"<x:xmpmeta>" + b" " * 70_000
    _gray_tiff(tmp_path / "edited.tif", exif)
    gray = load_photo(tmp_path / "edited.tif")
    out = save_photo(tmp_path / "out.jpg", gray.rgb_float(), like=gray)
    with Image.open(out) as im:
        assert im.getexif()[MAKE] == "Cam"


def test_an_exif_too_large_for_a_jpeg_is_left_out_not_an_error(tmp_path):
    gray = load_photo(_write_png(tmp_path / "g.png"))
    exif = Image.Exif()
    exif.get_ifd(EXIF_IFD)[0x927C] = b"m" * (JPEG_EXIF_LIMIT + 10)      # a huge MakerNote
    from dataclasses import replace
    big = replace(gray, exif=exif.tobytes())
    out = save_photo(tmp_path / "out.jpg", big.rgb_float(), like=big)
    with Image.open(out) as im:
        assert len(im.getexif()) == 0
    png = save_photo(tmp_path / "out.png", big.rgb_float(), like=big)      # PNG has room for it
    with Image.open(png) as im:
        assert im.getexif().get_ifd(EXIF_IFD)[0x927C] == b"m" * (JPEG_EXIF_LIMIT + 10)


def _write_png(path):
    Image.fromarray(np.full((16, 20), 90, np.uint8)).save(path)
    return path


@pytest.mark.parametrize("orientation, corner", [(3, (23, 31)), (6, (0, 23))])
def test_a_float_tiff_with_an_orientation_is_turned_once(tmp_path, orientation, corner):
    marked = np.zeros((24, 32), np.float32)
    marked[0, 0] = 1.0
    tifffile.imwrite(tmp_path / "f.tif", marked, extratags=[(0x0112, 3, 1, orientation, True)])
    photo = load_photo(tmp_path / "f.tif")
    turned = np.rot90(marked, 2) if orientation == 3 else np.rot90(marked, -1)
    assert photo.pixels.shape == turned.shape
    assert tuple(np.argwhere(photo.pixels == photo.pixels.max())[0]) == corner


def test_a_gray_and_alpha_tiff_keeps_its_transparency(tmp_path):
    ga = np.zeros((24, 32, 2), np.uint8)
    ga[..., 0], ga[..., 1] = 100, 200
    ga[0, 0, 1] = 0
    tifffile.imwrite(tmp_path / "ga.tif", ga, photometric="minisblack", extrasamples=[2])
    photo = load_photo(tmp_path / "ga.tif")
    assert photo.pixels.shape == (24, 32) and int(photo.pixels[5, 5]) == 100
    assert photo.alpha is not None and photo.alpha[0, 0] == 0 and photo.alpha[5, 5] == 200


def test_webp_too_wide_is_a_one_line_output_error(tmp_path):
    with pytest.raises(OutputError, match="16383 px a side.*choose .png or .tif"):
        save_photo(tmp_path / "wide.webp", np.zeros((8, 16_400, 3), np.uint8))
    assert not list(tmp_path.iterdir())


def test_a_result_too_wide_for_its_format_is_refused_before_the_work(tmp_path, monkeypatch):
    # a 16 x 40000 gray took 5 s of colorizing before the WebP writer said no
    from colorstudio.engine import colorize as colorize_module

    Image.fromarray(np.random.default_rng(0).integers(0, 256, (16, 16_400), dtype=np.uint8)).save(tmp_path / "g.png")
    monkeypatch.setattr(colorize_module, "colorize", lambda *a, **k: pytest.fail("colorized first"))
    with pytest.raises(OutputError, match="16383 px a side"):
        colorize_module.colorize_files(tmp_path / "g.png", None, tmp_path / "wide.webp")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.png"]


@pytest.mark.parametrize("asked, written", [("jpg", ".jpg"), (".JPG", ".jpg"), (" TIF ", ".tif")])
def test_batch_output_format_spelled_any_way(tmp_path, asked, written):
    _gray_tiff(tmp_path / "scan.tif")
    plan = plan_batch([tmp_path / "scan.tif"], tmp_path / "out", ext=asked)
    assert plan.items[0].output.suffix == written
    assert output_extension(asked) == written


def test_batch_unknown_output_format_is_refused(tmp_path):
    _gray_tiff(tmp_path / "scan.tif")
    with pytest.raises(OutputError, match="unknown output format '.gif'"):
        plan_batch([tmp_path / "scan.tif"], tmp_path / "out", ext=".gif")


def test_a_16bit_tiff_result_carries_the_cameras_text_tags(tmp_path):
    exif = Image.Exif()
    exif[MAKE], exif[0x0132], exif[0x8298] = "Cam", "2026:12:06 10:00:00", "(c) Me"
    exif[0x0131] = "CamFW 1.0"                                   # Software
    exif.get_ifd(EXIF_IFD)[DATE_ORIGINAL] = "2026:12:06 10:00:00"
    ramp = np.tile((np.arange(64) * 1000).astype(np.uint16), (48, 1))
    Image.fromarray(ramp).save(tmp_path / "g16.png", exif=exif)
    gray = load_photo(tmp_path / "g16.png")
    assert gray.bit_depth == 16
    out = save_photo(tmp_path / "out.tif", gray.rgb_float(), like=gray)
    with tifffile.TiffFile(out) as tif:
        tags = {t.code: t.value for t in tif.pages[0].tags.values()}
    assert tags[MAKE] == "Cam" and tags[0x0132] == "2026:12:06 10:00:00"
    assert tags[0x8298] == "(c) Me"
    assert tags[0x0131] == "CamFW 1.0"                           # not tifffile's own name
    assert load_photo(out).bit_depth == 16


@pytest.mark.parametrize("scale, bright", [(1.0, 1.2), (255.0, 300.0), (65535.0, 70000.0)])
def test_a_float_tiff_keeps_its_scale_whatever_a_few_bright_pixels_say(tmp_path, scale, bright):
    ramp = np.tile(np.linspace(0.1, 0.9, 64, dtype=np.float32), (48, 1)) * scale
    ramp[0, 0] = bright                                   # one HDR highlight
    tifffile.imwrite(tmp_path / "f.tif", ramp)
    photo = load_photo(tmp_path / "f.tif")
    assert photo.bit_depth == 16 and photo.pixels[0, 0] == 65535
    np.testing.assert_allclose(photo.pixels[10].astype(float) / 65535, ramp[10] / scale, atol=1e-4)


def test_a_16bit_gray_and_alpha_tiff_pillow_cannot_open_is_read_by_tifffile(tmp_path):
    from colorstudio.core.imageio import image_size

    ga = np.zeros((24, 32, 2), np.uint16)
    ga[..., 0] = np.arange(32, dtype=np.uint16) * 2000
    ga[..., 1] = 60000
    ga[0, 0, 1] = 0
    tifffile.imwrite(tmp_path / "ga16.tif", ga, photometric="minisblack", extrasamples=[2],
                     extratags=[(0x0112, 3, 1, 6, True)])              # and turned
    photo = load_photo(tmp_path / "ga16.tif")
    assert photo.bit_depth == 16 and photo.pixels.shape == (32, 24)
    np.testing.assert_array_equal(photo.pixels, np.rot90(ga[..., 0], -1))
    assert photo.alpha is not None and photo.alpha[0, 23] == 0 and photo.alpha[5, 5] == 60000
    assert image_size(tmp_path / "ga16.tif") == (24, 32)
    out = save_photo(tmp_path / "out.png", photo.rgb_float(), like=photo)
    assert load_photo(out).alpha is not None                           # the result keeps it


def test_a_file_neither_pillow_nor_tifffile_reads_keeps_its_one_line_error(tmp_path):
    from colorstudio.errors import ColorStudioError

    (tmp_path / "fake.tif").write_bytes(b"II*\x00" + b"\x00" * 64)
    with pytest.raises(ColorStudioError) as info:
        load_photo(tmp_path / "fake.tif")
    assert "fake.tif" in str(info.value) and "\n" not in str(info.value)
