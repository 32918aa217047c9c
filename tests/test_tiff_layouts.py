"""TIFF layouts OpenCV's 16-bit reader gets wrong, thumbnails stored first, and layout
descriptions (tifffile's, ImageJ's) kept out of the colour result."""
import numpy as np
import pytest
import tifffile
from PIL import Image

from colorstudio.core.image_write import save_photo
from colorstudio.core.imageio import image_size, load_photo

RNG = np.random.default_rng(7)


def _gray16(h=40, w=56):
    return RNG.integers(0, 65536, (h, w), dtype=np.uint16)


@pytest.mark.parametrize("compression", [None, "lzw"])
def test_a_16bit_tiff_stored_per_channel_is_read_whole(tmp_path, compression):
    rgb = RNG.integers(0, 65536, (3, 40, 56), dtype=np.uint16)
    tifffile.imwrite(tmp_path / "planar.tif", rgb, photometric="rgb", planarconfig="separate",
                     compression=compression)
    photo = load_photo(tmp_path / "planar.tif")
    assert photo.bit_depth == 16
    np.testing.assert_array_equal(photo.pixels, np.moveaxis(rgb, 0, -1))
    g = _gray16()
    tifffile.imwrite(tmp_path / "gray3.tif", np.stack([g] * 3), photometric="rgb", planarconfig="separate")
    np.testing.assert_array_equal(load_photo(tmp_path / "gray3.tif").pixels, g)


def test_a_16bit_gray_alpha_tiff_stored_per_channel_is_read(tmp_path):
    g, a = _gray16(), _gray16()
    tifffile.imwrite(tmp_path / "la.tif", np.stack([g, a]), photometric="minisblack",
                     planarconfig="separate", extrasamples=[2])
    photo = load_photo(tmp_path / "la.tif")
    np.testing.assert_array_equal(photo.pixels, g)
    np.testing.assert_array_equal(photo.alpha, a)


@pytest.mark.parametrize("compression", [None, "lzw"])       # LZW: as scanners write it (imagecodecs)
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
def test_a_min_is_white_tiff_is_no_negative(tmp_path, dtype, compression):
    top = np.iinfo(dtype).max
    g = RNG.integers(0, top + 1, (40, 56)).astype(dtype)
    tifffile.imwrite(tmp_path / "w.tif", top - g, photometric="miniswhite", compression=compression)
    photo = load_photo(tmp_path / "w.tif")
    assert photo.pixels.dtype == dtype
    np.testing.assert_array_equal(photo.pixels, g)


def test_the_full_size_page_is_read_when_a_thumbnail_comes_first(tmp_path):
    g = RNG.integers(0, 256, (60, 90), dtype=np.uint8)
    with tifffile.TiffWriter(tmp_path / "thumb_first.tif") as t:
        t.write(g[::4, ::4], subfiletype=1)
        t.write(g)
    photo = load_photo(tmp_path / "thumb_first.tif")
    np.testing.assert_array_equal(photo.pixels, g)
    assert photo.frames == 1 and image_size(tmp_path / "thumb_first.tif") == (90, 60)


def test_a_16bit_cmyk_tiff_without_profile_keeps_16_bits(tmp_path):
    cmyk = np.zeros((40, 56, 4), np.uint16)
    cmyk[..., 3] = np.linspace(0, 65535, 56, dtype=np.uint16)        # black only: a gray
    tifffile.imwrite(tmp_path / "cmyk.tif", cmyk, photometric="separated")
    photo = load_photo(tmp_path / "cmyk.tif")
    assert photo.bit_depth == 16 and photo.is_gray and photo.depth_note is None
    np.testing.assert_array_equal(photo.pixels, 65535 - cmyk[..., 3])


def _description(path):
    with tifffile.TiffFile(path) as t:
        return t.pages[0].description, t.is_imagej, t.is_shaped


@pytest.mark.parametrize("bits", [8, 16])
@pytest.mark.parametrize("imagej", [False, True])
def test_layout_descriptions_are_not_carried(tmp_path, bits, imagej):
    g = _gray16() if bits == 16 else RNG.integers(0, 256, (40, 56), dtype=np.uint8)
    tifffile.imwrite(tmp_path / "g.tif", g, imagej=imagej)       # {"shape": [40, 56]} or ImageJ=...
    photo = load_photo(tmp_path / "g.tif")
    out = save_photo(tmp_path / "out.tif", np.dstack([photo.pixels] * 3), like=photo)
    description, is_imagej, is_shaped = _description(out)
    assert not is_imagej and not is_shaped and "shape" not in description and "ImageJ" not in description


@pytest.mark.parametrize("bits", [8, 16])
def test_a_users_own_description_is_carried(tmp_path, bits):
    g = _gray16() if bits == 16 else RNG.integers(0, 256, (40, 56), dtype=np.uint8)
    tifffile.imwrite(tmp_path / "g.tif", g, description="Harbour at dawn, {shape of things}",
                     metadata=None)
    photo = load_photo(tmp_path / "g.tif")
    out = save_photo(tmp_path / "out.tif", np.dstack([photo.pixels] * 3), like=photo)
    assert _description(out)[0] == "Harbour at dawn, {shape of things}"
    assert Image.open(out).size == (56, 40)
