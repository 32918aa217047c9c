"""Image I/O: round trips, metadata, conversions, atomic writes and every error path."""
import struct
import zlib

import cv2
import numpy as np
import pytest
from PIL import Image, ImageCms

from colorstudio.core import atomic_files, imageio
from colorstudio.core.atomic_files import free_path
from colorstudio.core.image_write import save_photo
from colorstudio.core.imageio import load_photo
from colorstudio.core.photo import reading_notes
from colorstudio.errors import (FileMissingError, ImageTooLargeError, OutputError, TruncatedImageError,
                                UnreadableImageError, UnsupportedImageError)

RNG = np.random.default_rng(1)


def srgb_icc() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


# ------------------------------------------------------------ round trips
@pytest.mark.parametrize("ext", [".png", ".tif"])
@pytest.mark.parametrize("shape", [(31, 17), (31, 17, 3)])
def test_16bit_round_trip_is_exact(tmp_path, ext, shape):
    a = RNG.integers(0, 65536, shape, dtype=np.uint16)
    p = save_photo(tmp_path / f"a{ext}", a)
    photo = load_photo(p)
    assert photo.bit_depth == 16
    np.testing.assert_array_equal(photo.pixels, a)


@pytest.mark.parametrize("ext", [".png", ".tif", ".bmp", ".webp"])
def test_8bit_lossless_round_trip(tmp_path, ext):
    a = RNG.integers(0, 256, (20, 24, 3), dtype=np.uint8)
    kwargs = {"jpeg_quality": 100} if ext == ".webp" else {}
    photo = load_photo(save_photo(tmp_path / f"a{ext}", a, **kwargs))
    np.testing.assert_array_equal(photo.pixels, a)  # WebP at quality 100 is lossless


def test_jpeg_quality_is_a_setting(tmp_path):
    a = RNG.integers(0, 256, (64, 64, 3), dtype=np.uint8)
    lo = save_photo(tmp_path / "lo.jpg", a, jpeg_quality=30).stat().st_size
    hi = save_photo(tmp_path / "hi.jpg", a, jpeg_quality=98).stat().st_size
    assert hi > 1.5 * lo


def test_float_input_is_rounded_to_the_bit_depth(tmp_path):
    f = np.linspace(0, 1, 60, dtype=np.float32).reshape(6, 10)
    p8 = load_photo(save_photo(tmp_path / "f8.png", f, bit_depth=8)).pixels
    p16 = load_photo(save_photo(tmp_path / "f16.png", f, bit_depth=16)).pixels
    np.testing.assert_array_equal(p8, np.rint(f * 255).astype(np.uint8))
    np.testing.assert_array_equal(p16, np.rint(f * 65535).astype(np.uint16))


# ------------------------------------------------------------ conversions
def test_exif_orientation_applied_and_reset(tmp_path):
    a = RNG.integers(0, 256, (10, 30, 3), dtype=np.uint8)
    im = Image.fromarray(a)
    exif = im.getexif()
    exif[0x0112] = 6  # rotate 90 CW to display
    im.save(tmp_path / "rot.png", exif=exif)
    photo = load_photo(tmp_path / "rot.png")
    assert photo.pixels.shape == (30, 10, 3)
    np.testing.assert_array_equal(photo.pixels, np.rot90(a, k=-1))
    assert imageio.image_size(tmp_path / "rot.png") == (10, 30)
    out = save_photo(tmp_path / "out.png", photo.pixels, like=photo)
    assert Image.open(out).getexif()[0x0112] == 1  # not rotated twice by a viewer


@pytest.mark.parametrize("ext,bits", [(".png", 8), (".jpg", 8), (".tif", 8), (".png", 16), (".tif", 16)])
def test_icc_profile_carried_from_the_gray(tmp_path, ext, bits):
    icc = srgb_icc()
    g = Image.fromarray(RNG.integers(0, 256, (12, 12), dtype=np.uint8))
    g.save(tmp_path / "g.png", icc_profile=icc)
    gray = load_photo(tmp_path / "g.png")
    assert gray.icc_profile == icc
    out = save_photo(tmp_path / f"o{ext}", gray.rgb_float(), like=gray, bit_depth=bits)
    assert load_photo(out).icc_profile == icc


def test_16bit_gray_gives_16bit_output(tmp_path):
    g = RNG.integers(0, 65536, (9, 11), dtype=np.uint16)
    Image.fromarray(g).save(tmp_path / "g16.png")
    gray = load_photo(tmp_path / "g16.png")
    assert gray.bit_depth == 16 and gray.is_gray
    out = load_photo(save_photo(tmp_path / "o.png", gray.rgb_float(), like=gray))
    assert out.bit_depth == 16


def test_alpha_is_carried_to_the_output(tmp_path):
    rgba = RNG.integers(0, 256, (8, 9, 4), dtype=np.uint8)
    rgba[..., 1] = rgba[..., 0]
    rgba[..., 2] = rgba[..., 0]
    Image.fromarray(rgba, "RGBA").save(tmp_path / "a.png")
    gray = load_photo(tmp_path / "a.png")
    assert gray.is_gray and gray.alpha is not None
    out = Image.open(save_photo(tmp_path / "o.png", gray.rgb_float(), like=gray))
    assert out.mode == "RGBA"
    np.testing.assert_array_equal(np.asarray(out)[..., 3], rgba[..., 3])


def test_palette_cmyk_and_equal_channels(tmp_path):
    rgb = RNG.integers(0, 256, (10, 10, 3), dtype=np.uint8)
    Image.fromarray(rgb).convert("P").save(tmp_path / "p.png")
    Image.fromarray(rgb).convert("CMYK").save(tmp_path / "c.jpg", quality=100)
    g = np.repeat(RNG.integers(0, 256, (10, 10, 1), dtype=np.uint8), 3, axis=2)
    Image.fromarray(g).save(tmp_path / "g.png")
    p, c, e = (load_photo(tmp_path / n) for n in ("p.png", "c.jpg", "g.png"))
    assert p.pixels.shape == (10, 10, 3) and p.converted_from == "palette"
    palette_colours = np.asarray(Image.open(tmp_path / "p.png").convert("RGB"))   # what the palette holds
    np.testing.assert_array_equal(p.pixels, palette_colours)
    assert c.pixels.shape == (10, 10, 3) and c.converted_from == "CMYK"
    # RGB -> CMYK (no black) -> JPEG at quality 100 -> read: the colours come back, not their negatives
    assert np.abs(c.pixels.astype(int) - rgb).max() <= 4
    assert e.is_gray and e.pixels.shape == (10, 10)
    np.testing.assert_array_equal(e.pixels, g[..., 0])


# ------------------------------------------------------------ errors
def _png_header_only(path, w, h):
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)
    chunk = struct.pack(">I", 13) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    iend = struct.pack(">I", 0) + b"IEND" + struct.pack(">I", zlib.crc32(b"IEND"))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk + iend)


def _bad_files(tmp_path):
    good = tmp_path / "good.jpg"
    Image.fromarray(RNG.integers(0, 256, (64, 64, 3), dtype=np.uint8)).save(good)
    goodpng = tmp_path / "good.png"
    Image.fromarray(RNG.integers(0, 256, (64, 64, 3), dtype=np.uint8)).save(goodpng)
    (tmp_path / "empty.jpg").write_bytes(b"")
    (tmp_path / "trunc.jpg").write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    (tmp_path / "trunc.png").write_bytes(goodpng.read_bytes()[: len(goodpng.read_bytes()) // 2])
    (tmp_path / "text.jpg").write_text("this is not an image\n")
    _png_header_only(tmp_path / "bomb.png", 30000, 30000)
    Image.new("L", (1, 1)).save(tmp_path / "tiny.png")
    return {
        "missing.png": FileMissingError,
        "empty.jpg": UnreadableImageError,
        "trunc.jpg": TruncatedImageError,
        "trunc.png": (TruncatedImageError, UnreadableImageError),
        "text.jpg": UnsupportedImageError,
        "bomb.png": ImageTooLargeError,
        "tiny.png": UnsupportedImageError,
    }


def test_every_bad_file_gives_a_one_line_error(tmp_path):
    for name, expected in _bad_files(tmp_path).items():
        with pytest.raises(expected) as info:
            load_photo(tmp_path / name)
        msg = str(info.value)
        assert "\n" not in msg and name in msg, msg


def test_wrong_extension_still_reads_by_content(tmp_path):
    a = RNG.integers(0, 256, (8, 8, 3), dtype=np.uint8)
    Image.fromarray(a).save(tmp_path / "really_a_png.jpg", format="PNG")
    np.testing.assert_array_equal(load_photo(tmp_path / "really_a_png.jpg").pixels, a)


def test_bomb_guard_runs_before_decoding(tmp_path, monkeypatch):
    _png_header_only(tmp_path / "bomb.png", 30000, 30000)
    monkeypatch.setattr(Image.Image, "load", lambda self: pytest.fail("decoded a bomb"))
    with pytest.raises(ImageTooLargeError, match="megapixels"):
        load_photo(tmp_path / "bomb.png")


# ------------------------------------------------------------ writing
def test_atomic_write_leaves_no_temp_and_keeps_old_file_on_failure(tmp_path, monkeypatch):
    target = tmp_path / "out.png"
    target.write_bytes(b"old")
    monkeypatch.setattr(atomic_files.os, "replace", lambda *a: (_ for _ in ()).throw(OSError(28, "No space left")))
    with pytest.raises(OutputError, match="No space left"):
        save_photo(target, np.zeros((4, 4, 3), np.float32))
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.png"]


def test_unwritable_folder_and_unknown_format(tmp_path):
    with pytest.raises(OutputError, match="does not exist"):
        save_photo(tmp_path / "nope" / "o.png", np.zeros((4, 4, 3), np.float32))
    with pytest.raises(OutputError, match="unknown output format"):
        save_photo(tmp_path / "o.xyz", np.zeros((4, 4, 3), np.float32))


def test_free_path_never_returns_an_existing_file(tmp_path):
    (tmp_path / "a.png").write_bytes(b"x")
    (tmp_path / "a-2.png").write_bytes(b"x")
    assert free_path(tmp_path / "a.png") == tmp_path / "a-3.png"
    assert free_path(tmp_path / "b.png") == tmp_path / "b.png"


def test_written_files_get_ordinary_permissions(tmp_path):
    import os
    import stat

    p = save_photo(tmp_path / "o.png", np.zeros((4, 4, 3), np.float32))
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(p.stat().st_mode) == 0o666 & ~umask


def test_phone_heic_is_read_with_its_rotation_profile_and_exif(tmp_path):
    """iPhones save HEIC (Display P3); pillow-heif applies the file's own rotation."""
    pytest.importorskip("pillow_heif")
    from colorstudio.core.imageio import READ_EXTENSIONS

    assert ".heic" in READ_EXTENSIONS
    rgb = np.zeros((40, 64, 3), np.uint8)
    rgb[:, :32] = (200, 60, 40)                     # left half red, right half dark
    exif = Image.Exif()
    exif[0x0112] = 6                                # "turn 90 degrees clockwise to view"
    exif[0x010F] = "PhoneMaker"
    icc = srgb_icc()
    Image.fromarray(rgb).save(tmp_path / "IMG_0001.heic", exif=exif.tobytes(), icc_profile=icc, quality=95)
    photo = load_photo(tmp_path / "IMG_0001.heic")
    assert photo.pixels.shape == (64, 40, 3)        # turned once, not twice
    assert photo.pixels[:8].mean(axis=(0, 1))[0] > 150      # the red half is now on top
    assert photo.icc_profile == icc
    out = Image.Exif()
    out.load(photo.exif)
    assert out.get(0x010F) == "PhoneMaker" and out.get(0x0112, 1) == 1


def test_heic_batch_output_defaults_to_jpeg(tmp_path):
    from colorstudio.engine.batch_outputs import written_suffix

    assert written_suffix(".HEIC", None) == ".jpg"
    assert written_suffix(".avif", None) == ".jpg"
    assert written_suffix(".tif", None) == ".tif"     # kept where writable
    assert written_suffix(".DNG", None) == ".png"     # RAW: 16-bit PNG


def test_an_interrupted_write_leaves_no_temp_file_and_a_long_legal_name_is_written(tmp_path, monkeypatch):
    def interrupted(fd):
        raise KeyboardInterrupt
    monkeypatch.setattr(atomic_files.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):                      # Ctrl-C mid-write: passed on…
        atomic_files.atomic_write_bytes(tmp_path / "out.png", b"data")
    assert list(tmp_path.iterdir()) == []                       # …with no .part file left
    monkeypatch.undo()
    long_name = "x" * 246 + ".png"                              # legal (250 bytes); temp name was not
    atomic_files.atomic_write_bytes(tmp_path / long_name, b"data")
    assert [p.name for p in tmp_path.iterdir()] == [long_name]


def test_a_gray_saved_as_rgb_with_a_thin_coloured_line_is_a_colour_photo(tmp_path):
    # only every 4th row was looked at in a 2048-row file: a 3-row red line read as gray, its
    # green channel (30) taken for a luma of 87
    rgb = np.repeat(np.random.default_rng(0).integers(0, 256, (2048, 32, 1), dtype=np.uint8), 3, axis=2)
    path = tmp_path / "gray_as_rgb.png"
    Image.fromarray(rgb).save(path)
    assert load_photo(path).is_gray
    rgb[1001:1004, :] = (220, 30, 30)
    Image.fromarray(rgb).save(path)
    assert not load_photo(path).is_gray


def test_a_32_bit_unsigned_gray_tiff_keeps_its_brighter_half(tmp_path):
    # Pillow reads 32-bit samples as signed: every level from 128 up came out black
    tifffile = pytest.importorskip("tifffile")
    levels = np.arange(256, dtype=np.uint32).reshape(16, 16)
    tifffile.imwrite(tmp_path / "u32.tif", levels * 16843009)          # 255 -> 2**32 - 1
    photo = load_photo(tmp_path / "u32.tif")
    np.testing.assert_array_equal(photo.pixels, (levels * 257).astype(np.uint16))


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32])
def test_a_signed_gray_tiff_is_raised_so_its_lowest_value_is_black_and_says_so(tmp_path, dtype):
    # values below 0 were all clipped to black without a word: half of this ramp was one flat black
    low = -100 if dtype == np.int8 else -1000           # int8: Pillow read -1 as 255
    ramp = np.linspace(low, -low, 64 * 48).round().reshape(48, 64).astype(dtype)
    cv2.imwrite(str(tmp_path / "signed.tif"), ramp)               # SampleFormat 2
    photo = load_photo(tmp_path / "signed.tif")
    np.testing.assert_array_equal(photo.pixels, ramp.astype(np.int64) - low)
    assert reading_notes(photo) == [f"signed.tif holds signed values down to {low}: raised so that {low} is black"]
    cv2.imwrite(str(tmp_path / "positive.tif"), np.abs(ramp))     # signed, none below 0: as it is
    photo = load_photo(tmp_path / "positive.tif")
    np.testing.assert_array_equal(photo.pixels, np.abs(ramp))
    assert reading_notes(photo) == []
