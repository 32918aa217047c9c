"""Reading photographs the way a photographer expects (writing: :mod:`colorstudio.core.image_write`).

- Reads JPEG, PNG, TIFF (8/16 bit; a TIFF's full-size page, not a thumbnail stored first),
  WebP, BMP and GIF (the first page or frame; ``frames`` says how many there are), and the
  phones' HEIC/HEIF (through pillow-heif, which applies the file's own rotation; 10 and 12
  bits as 16) and AVIF (Pillow's own, where built in); a JPEG missing only its end marker and
  a PNG with a damaged metadata chunk, as libjpeg and libpng read them;
  applies the EXIF orientation; converts palette, CMYK and gray+alpha; carries alpha along,
  and the print resolution (``dpi``).
- Reads camera RAW files (DNG and the makers' formats) through LibRaw, developed plainly to
  16-bit sRGB, or 16-bit gray from a monochrome sensor (:mod:`colorstudio.core.raw_photos`).
- An RGB file whose three channels are equal is treated as gray.
- Guards against decompression bombs *before* decoding: images above
  :func:`~colorstudio.core.size_limits.max_pixels` (default 200 megapixels,
  ``COLORSTUDIO_MAX_PIXELS`` overrides) are refused.

What is read is a :class:`~colorstudio.core.photo.Photo`.
"""
from __future__ import annotations

import io
import os
import struct
import warnings
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, UnidentifiedImageError, features

from colorstudio.core.colour_management import gray_in_srgb_tones, profile_colour_space
from colorstudio.core.exif_read import exif_orientation, exif_without_decoding
from colorstudio.core.file_kinds import format_by_signature, full_picture_page, picture_count, stored_bits
from colorstudio.core.file_names import name_too_long
from colorstudio.core.native_stderr import native_messages_to_log
from colorstudio.core.opened_image import counts_turned, decode_opened
from colorstudio.core.photo import Photo
from colorstudio.core.pixel_arrays import range_notes
from colorstudio.core.print_resolution import tiff_dpi
from colorstudio.core.raw_photos import RAW_EXTENSIONS, develop_raw, is_raw, raw_exif, raw_size, raw_supported
from colorstudio.core.size_limits import check_size_before_decoding, max_pixels
from colorstudio.core.tiff_fallback import is_tiff, read_tiff, tiff_size
from colorstudio.core.whole_pixel_files import mended_file
from colorstudio.errors import (
    FileMissingError,
    ImageTooLargeError,
    InputFileError,
    TruncatedImageError,
    UnreadableImageError,
    UnsupportedImageError,
)


def _optional_formats() -> tuple[str, ...]:
    """HEIC/HEIF when pillow-heif is installed (a dependency; it may be missing from a
    hand-made environment), AVIF when this Pillow was built with it."""
    extra: tuple[str, ...] = ()
    try:
        import pillow_heif

        pillow_heif.register_heif_opener()
        extra += (".heic", ".heif")
    except ImportError:
        pass
    if features.check("avif"):
        extra += (".avif",)
    if raw_supported():
        extra += RAW_EXTENSIONS
    return extra


READ_EXTENSIONS = (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp", ".bmp", ".gif") + _optional_formats()
FILE_DIALOG_FILTER = "Images (" + " ".join("*" + e for e in READ_EXTENSIONS) + ")"
_GRAY_TOLERANCE = 2 / 255  # an RGB file within this of equal channels is gray

cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)  # our errors, not libtiff's

# We do the bomb check ourselves (with a clear message); Pillow's own limit
# would raise before we can.
Image.MAX_IMAGE_PIXELS = None


# ------------------------------------------------------------------ reading
def _check_path(path: Path) -> None:
    if (too_long := name_too_long(path)) is not None:     # no such file can exist
        raise FileMissingError(f"file not found: {too_long}")
    if not path.exists():
        raise FileMissingError(f"{path.name}: file not found" + ("" if str(path) == path.name else f" ({path})"))
    if path.is_dir():
        raise UnreadableImageError(f"{path.name}: is a folder, not an image")
    if not path.is_file():
        raise UnreadableImageError(f"{path.name}: is a device or a pipe, not an image file")
    if path.stat().st_size == 0:
        raise UnreadableImageError(f"{path.name}: the file is empty (0 bytes)")


class _NotIdentified(UnsupportedImageError):
    """Pillow did not recognise the file as any image format."""


def _damaged_or(error: UnsupportedImageError, path: Path) -> InputFileError:
    """For a file Pillow (and tifffile) could not open: a damaged-file error when Pillow did not
    recognise it but its first bytes announce an image format, else ``error`` as it is."""
    kind = format_by_signature(path) if isinstance(error, _NotIdentified) else None
    return _damaged(path, kind) if kind else error


def _damaged(path: Path, kind: str) -> UnreadableImageError:
    """The error for a file whose first bytes announce ``kind`` (PNG, JPEG, ...) but which cannot be read."""
    return UnreadableImageError(f"{path.name}: a damaged {kind} file (it starts as one, but cannot be read)")


def _open(path: Path, mended: bytes | None = None) -> Image.Image:
    """The file opened by Pillow (from ``mended``, its bytes mended, when given); a PNG whose
    metadata chunk alone is damaged is opened without that chunk (:func:`mended_file`)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            im = Image.open(path if mended is None else io.BytesIO(mended))
    except UnidentifiedImageError:
        if mended is None and (mended := mended_file(path)) is not None:
            return _open(path, mended)
        known = path.suffix.lower() in READ_EXTENSIONS     # a .jpg that holds text: its name is not the trouble
        raise _NotIdentified(
            f"{path.name}: not an image ColorStudio can read" + (
                f" (its contents are not an image, whatever its {path.suffix} name says)" if known else
                f" (supported: {', '.join(e.lstrip('.') for e in READ_EXTENSIONS)})")) from None
    except (OSError, SyntaxError, EOFError, struct.error) as e:
        # its header cut short or garbled ("Truncated File Read"): damaged, when it starts as an image
        if kind := format_by_signature(path):
            raise _damaged(path, kind) from None
        raise UnreadableImageError(f"{path.name}: cannot be read ({e})") from None
    except ValueError as e:     # e.g. a PNG whose text or profile chunk unpacks to more than Pillow allows
        raise UnreadableImageError(f"{path.name}: cannot be read ({e})") from None
    try:
        check_size_before_decoding(path, *im.size)
    except (ImageTooLargeError, UnsupportedImageError):
        im.close()
        raise
    return im



def _tiff_only_tifffile_reads(path: Path) -> Photo | None:
    """A TIFF Pillow cannot open (a 16-bit gray+alpha one), read by tifffile; None if not that."""
    size = tiff_size(path) if is_tiff(path) else None
    if size is None:
        return None
    check_size_before_decoding(path, size[0], size[1])
    decoded = read_tiff(path)
    if decoded is None:
        return None
    pixels, alpha, icc, orientation = decoded
    pixels, alpha = counts_turned(pixels, alpha, orientation)
    return replace(_photo(pixels, alpha, icc, None, path, "TIFF", None), dpi=tiff_dpi(path, orientation))


def load_photo(path: str | os.PathLike) -> Photo:
    """Read an image file into a :class:`Photo` (orientation applied).

    Raises a :class:`~colorstudio.errors.InputFileError` subclass with a one-line
    message for anything a user can get wrong. Float pixels above 2.0 that are not whole
    numbers (HDR) are read with their brightest 0.1% white, signed integers with their lowest
    black, and :attr:`Photo.range_note` says so.
    """
    with range_notes() as notes, native_messages_to_log(f"reading {Path(path).name}"):   # libtiff's, libpng's
        photo = _load_photo(Path(path))
    if notes:
        photo = replace(photo, range_note=f"{photo.name} {notes[0]}")
    return photo


def _load_photo(path: Path) -> Photo:
    _check_path(path)
    if is_raw(path) and raw_supported():
        pixels = develop_raw(path, max_pixels())
        if pixels.ndim == 3 and channels_equal(pixels):
            pixels = np.ascontiguousarray(pixels[..., 1])
        return Photo(pixels=pixels, exif=raw_exif(path), path=path, format="RAW")
    try:
        im = _open(path)
    except UnsupportedImageError as e:
        photo = _tiff_only_tifffile_reads(path)
        if photo is None:
            raise _damaged_or(e, path) from None
        return photo
    try:
        return _read_opened(im, path)
    except _DECODING_ERRORS as e:
        msg = str(e).lower()
        if any(w in msg for w in ("truncat", "broken", "premature", "buffer", "eof", "end of file")):
            if (mended := mended_file(path)) is not None:    # a JPEG missing only its end marker
                try:
                    return _read_opened(_open(path, mended), path)
                except _DECODING_ERRORS:
                    pass
            raise TruncatedImageError(f"{path.name}: the file is truncated or damaged") from None
        if msg.startswith("decoder error"):     # Pillow's "decoder error -2": the pixel data is damaged
            raise UnreadableImageError(f"{path.name}: the file is damaged (its pixels cannot be decoded)") from None
        raise UnreadableImageError(f"{path.name}: cannot be decoded ({e})") from None


_DECODING_ERRORS = (OSError, ValueError, SyntaxError, EOFError, struct.error)


def _read_opened(im: Image.Image, path: Path) -> Photo:
    """The :class:`Photo` of an opened image file (closed after)."""
    try:
        pixels, alpha, icc, exif_bytes, fmt, converted, dpi = decode_opened(im, path)
        bits = stored_bits(im, path)           # of the page read: picture_count seeks others
        frames = picture_count(im)
    finally:
        im.close()
    photo = replace(_photo(pixels, alpha, icc, exif_bytes, path, fmt, converted), frames=frames, dpi=dpi)
    if bits > 8 and photo.bit_depth == 8:
        photo = replace(photo, depth_note=f"{photo.name} stores {bits} bits a channel, but could be read "
                                          "with 8 only: its finer tones are not in the result")
    return photo


def _photo(pixels, alpha, icc, exif_bytes, path, fmt, converted) -> Photo:
    if alpha is not None and alpha.size and int(alpha.min()) == np.iinfo(alpha.dtype).max:
        alpha = None          # opaque everywhere (an animated WebP, an unused palette key): no alpha
    if pixels.ndim == 3 and channels_equal(pixels):
        pixels = np.ascontiguousarray(pixels[..., 1])
    toned, tone_note = gray_in_srgb_tones(pixels, icc)     # as the app reads every gray: sRGB's curve
    srgb_tones = pixels.ndim == 2 and profile_colour_space(icc) == "GRAY" and (
        toned is not pixels or tone_note is None)          # converted, or its curve is sRGB's already
    if toned is not pixels:
        pixels, icc = toned, None                          # the profile no longer describes them
    return Photo(pixels=pixels, alpha=alpha, icc_profile=icc, exif=exif_bytes, path=path, format=fmt,
                 converted_from=converted, tone_note=tone_note, srgb_tones=srgb_tones)


def channels_equal(rgb: np.ndarray) -> bool:
    """Whether every pixel's three channels agree (a gray saved as RGB). Every row is looked at,
    a band at a time: a sample of rows passed a gray scan with a thin red line as gray."""
    limit = _GRAY_TOLERANCE * (65535.0 if rgb.dtype == np.uint16 else 255.0)
    for top in range(0, rgb.shape[0], 256):
        band = rgb[top:top + 256].astype(np.int32)
        d = np.maximum(np.abs(band[..., 0] - band[..., 1]), np.abs(band[..., 1] - band[..., 2]))
        if d.size and d.max() > limit:
            return False
    return True


def image_size(path: str | os.PathLike) -> tuple[int, int]:
    """(width, height) without decoding the pixels (EXIF orientation applied)."""
    path = Path(path)
    _check_path(path)
    if is_raw(path) and raw_supported():
        return raw_size(path, max_pixels())
    try:
        im = _open(path)
    except UnsupportedImageError as e:
        size = tiff_size(path) if is_tiff(path) else None
        if size is None:
            raise _damaged_or(e, path) from None
        w, h, orientation = size
        return (h, w) if orientation in (5, 6, 7, 8) else (w, h)
    try:
        if im.format == "TIFF":  # the stored size: Pillow may report TIFF sizes already turned
            full_picture_page(im)                 # the picture's page, not a thumbnail stored first
            w, h = int(im.tag_v2.get(256, im.size[0])), int(im.tag_v2.get(257, im.size[1]))
        else:
            w, h = im.size
        if exif_orientation(exif_without_decoding(im, path)) in (5, 6, 7, 8):
            w, h = h, w
        return w, h
    except _DECODING_ERRORS as e:
        raise UnreadableImageError(f"{path.name}: cannot be read ({e})") from None
    finally:
        im.close()
