"""A gray's print resolution (dpi) carried into the output format's own field."""
import numpy as np
import pytest
import tifffile
from PIL import Image

from colorstudio.core.image_write import save_photo
from colorstudio.core.imageio import load_photo

RNG = np.random.default_rng(11)


def _gray_with_dpi(path):
    if path.suffix == ".tif":            # a 16-bit TIFF, as a scanner writes it
        g = RNG.integers(0, 65536, (40, 56), dtype=np.uint16)
        tifffile.imwrite(path, g, resolution=(600, 600), resolutionunit="INCH")
    else:
        Image.fromarray(RNG.integers(0, 256, (40, 56), dtype=np.uint8)).save(path, dpi=(600, 600))
    return path


def _written_dpi(path):
    if path.suffix == ".tif":
        with tifffile.TiffFile(path) as t:
            tags = t.pages[0].tags
            (xn, xd), (yn, yd) = tags["XResolution"].value, tags["YResolution"].value
            assert tags["ResolutionUnit"].value == 2
            return round(xn / xd, 2), round(yn / yd, 2)
    with Image.open(path) as im:
        return tuple(round(float(d), 1) for d in im.info["dpi"])


@pytest.mark.parametrize("source", [".jpg", ".png", ".tif"])
@pytest.mark.parametrize("target", [".jpg", ".png", ".tif", "_8bit.tif"])
def test_the_grays_dpi_is_written_in_the_outputs_own_field(tmp_path, source, target):
    photo = load_photo(_gray_with_dpi(tmp_path / f"gray{source}"))
    assert photo.dpi == (600, 600)
    out = save_photo(tmp_path / f"out{target}", np.dstack([photo.pixels] * 3), like=photo,
                     bit_depth=8 if target == "_8bit.tif" else None)
    assert _written_dpi(out) == (600, 600)


def test_a_png_from_a_tiff_has_a_phys_chunk_and_its_exif_agrees(tmp_path):
    g = RNG.integers(0, 256, (40, 56), dtype=np.uint8)
    Image.fromarray(g).save(tmp_path / "g.tif", dpi=(300, 300))
    photo = load_photo(tmp_path / "g.tif")
    out = save_photo(tmp_path / "out.png", np.dstack([g] * 3), like=photo)
    assert b"pHYs" in out.read_bytes()
    with Image.open(out) as im:
        assert round(im.info["dpi"][0]) == 300
        exif = im.getexif()
        assert exif.get(0x011A) in (None, 300) and exif.get(0x0128) in (None, 2)


def test_a_jpeg_that_states_no_density_gets_none(tmp_path):
    Image.fromarray(RNG.integers(0, 256, (40, 56), dtype=np.uint8)).save(tmp_path / "g.jpg")
    assert load_photo(tmp_path / "g.jpg").dpi is None


def test_a_quarter_turn_swaps_the_two_resolutions(tmp_path):
    im = Image.fromarray(RNG.integers(0, 256, (40, 56), dtype=np.uint8))
    exif = im.getexif()
    exif[0x0112] = 6
    im.save(tmp_path / "g.jpg", dpi=(300, 600), exif=exif)
    assert load_photo(tmp_path / "g.jpg").dpi == (600, 300)


def test_a_tiff_only_tifffile_reads_keeps_its_dpi(tmp_path):
    # 16-bit gray + alpha: Pillow cannot open it; its dpi was read from the wrong page
    la = RNG.integers(0, 65536, (40, 56, 2), dtype=np.uint16)
    tifffile.imwrite(tmp_path / "la.tif", la, photometric="minisblack", extrasamples=[2],
                     resolution=(300, 300), resolutionunit="INCH")
    photo = load_photo(tmp_path / "la.tif")
    assert photo.alpha is not None and photo.dpi == (300, 300)


def test_a_jpegs_exif_resolution_without_a_unit_is_per_inch_not_pillows_72(tmp_path):
    exif = Image.Exif()
    exif[0x011A], exif[0x011B] = 300, 300                  # XResolution, YResolution, no ResolutionUnit
    Image.fromarray(RNG.integers(0, 256, (40, 56), dtype=np.uint8)).save(tmp_path / "g.jpg", exif=exif.tobytes())
    with Image.open(tmp_path / "g.jpg") as im:
        assert im.info.get("jfif_unit") not in (1, 2)       # the case: no JFIF density to go by
    photo = load_photo(tmp_path / "g.jpg")
    assert photo.dpi == (300, 300)
    out = save_photo(tmp_path / "out.jpg", np.dstack([photo.pixels] * 3), like=photo)
    with Image.open(out) as im:
        assert float(im.getexif()[0x011A]) == 300 and round(im.info["dpi"][0]) == 300


@pytest.mark.parametrize("source", [".webp", ".png"])
def test_a_resolution_stated_only_in_exif_is_the_photos_dpi(tmp_path, source):
    # a WebP (no field of its own) and a PNG without pHYs: the PNG result had none, a TIFF 240
    exif = Image.Exif()
    exif[0x011A], exif[0x011B], exif[0x0128] = 240, 240, 2
    Image.fromarray(RNG.integers(0, 256, (40, 56), dtype=np.uint8)).save(
        tmp_path / f"g{source}", exif=exif.tobytes(), **({"lossless": True} if source == ".webp" else {}))
    photo = load_photo(tmp_path / f"g{source}")
    assert photo.dpi == (240, 240)
    out = save_photo(tmp_path / "out.png", np.dstack([photo.pixels] * 3), like=photo)
    assert _written_dpi(out) == (240, 240)
