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
  :func:`max_pixels` (default 200 megapixels, ``COLORSTUDIO_MAX_PIXELS`` overrides)
  are refused.
"""
from __future__ import annotations

import io
import os
import struct
import warnings
from dataclasses import dataclass, replace
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
from colorstudio.core.pixel_arrays import range_notes
from colorstudio.core.print_resolution import tiff_dpi
from colorstudio.core.raw_photos import RAW_EXTENSIONS, develop_raw, is_raw, raw_exif, raw_size, raw_supported
from colorstudio.core.tiff_fallback import is_tiff, read_tiff, tiff_size
from colorstudio.core.whole_pixel_files import mended_file
from colorstudio.errors import (
    FileMissingError,
    ImageTooLargeError,
    InputFileError,
    PairError,
    TruncatedImageError,
    UnreadableImageError,
    UnsupportedImageError,
)

MIN_SIDE = 16   # px per side to colorize: the flow and stereo matchers (and the nets) need this much
# A pair's gray may be long and thin only so far (a single gray may be any shape): the pair
# methods match at a working size of at most 1 MP, same aspect, and OpenCV (5.1) fails on long
# strips there. Measured: DIS flow (ccdc, dis) from a long side of ~65500 px at any height
# (100000x16, 200000x16 crashed), remap and SGBM (dis+gf, sgbm+gf) from 32767 px (32768x16,
# 50000x32 crashed; SGBM asked for 16 GB at 65536x16); 16384x16, 22360x45, 40000x80 worked with
# every pair method. A gray whose long side is at most PAIR_LONG_SIDE is taken, a longer one at
# most PAIR_MAX_ASPECT:1 (its working size then stays under 22400 px: 1.5x under 32767).
# Only the gray counts: a long colour shot is reduced to the gray's size first (worked at 100000x16).
PAIR_LONG_SIDE = 16384
PAIR_MAX_ASPECT = 500
DEFAULT_MAX_PIXELS = 200_000_000
MAX_PIXELS: int | None = None       # set to override the environment (tests, an embedding program)


def max_pixels() -> int:
    """The decompression-bomb limit: :data:`MAX_PIXELS`, else ``COLORSTUDIO_MAX_PIXELS`` (a
    pixel count: ``300000000``, ``3e8``), else :data:`DEFAULT_MAX_PIXELS`. A value that is not a
    positive number is a one-line error, not a crash of every command."""
    if MAX_PIXELS is not None:
        return MAX_PIXELS
    text = os.environ.get("COLORSTUDIO_MAX_PIXELS", "").strip()
    if not text:
        return DEFAULT_MAX_PIXELS
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not (1 <= value < 1e15):
        raise ImageTooLargeError(f"COLORSTUDIO_MAX_PIXELS={text!r} is not a pixel count; "
                                 "give a positive number such as 300000000, or unset it")
    return int(value)


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


@dataclass
class Photo:
    """A decoded image and the metadata to carry to the output.

    ``pixels`` is (H, W) for gray or (H, W, 3) RGB, dtype uint8 or uint16.
    ``alpha`` is (H, W) of the same dtype or None.
    """

    pixels: np.ndarray
    alpha: np.ndarray | None = None
    icc_profile: bytes | None = None
    exif: bytes | None = None
    path: Path | None = None
    format: str | None = None
    converted_from: str | None = None  # e.g. "CMYK", "palette", "1-bit"
    tone_note: str | None = None       # a gray profile's tones brought to sRGB's (see load_photo)
    srgb_tones: bool = False           # a gray read through its gray profile: its levels are sRGB's tones
    frames: int = 1                    # pages of a TIFF, frames of a GIF or WebP: only the first is read
    dpi: tuple[float, float] | None = None   # print resolution (x, y) in dots per inch, as oriented
    depth_note: str | None = None      # the file stores more bits a channel than could be read
    range_note: str | None = None      # HDR floats or signed integers brought to 0..1 (see load_photo)

    @property
    def frames_note(self) -> str | None:
        """A note for the user when the file holds more than the picture that was read."""
        if self.frames <= 1:
            return None
        kind = "pages" if self.format == "TIFF" else "frames"
        return f"{self.name} holds {self.frames} {kind}: only the first is used"

    @property
    def is_gray(self) -> bool:
        return self.pixels.ndim == 2

    @property
    def bit_depth(self) -> int:
        return 16 if self.pixels.dtype == np.uint16 else 8

    @property
    def size(self) -> tuple[int, int]:
        """(width, height)"""
        return self.pixels.shape[1], self.pixels.shape[0]

    @property
    def name(self) -> str:
        return self.path.name if self.path else "<memory>"

    def to_float(self) -> np.ndarray:
        """Pixels as float32 in [0, 1], same shape."""
        scale = 65535.0 if self.pixels.dtype == np.uint16 else 255.0
        return self.pixels.astype(np.float32) / scale

    def gray_float(self) -> np.ndarray:
        """Luma (BT.601) as float32 (H, W) in [0, 1]."""
        from colorstudio.core.color import luma

        f = self.to_float()
        return f if f.ndim == 2 else luma(f)

    def rgb_float(self) -> np.ndarray:
        """RGB float32 (H, W, 3) in [0, 1] (gray is replicated)."""
        f = self.to_float()
        return np.repeat(f[..., None], 3, axis=2) if f.ndim == 2 else f


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
        _check_size(path, *im.size)
    except (ImageTooLargeError, UnsupportedImageError):
        im.close()
        raise
    return im


def megapixels(pixels: float) -> str:
    """A pixel count in megapixels for a message: '12', '0.37' (never '0')."""
    mp = pixels / 1e6
    return f"{mp:.0f}" if mp >= 10 else np.format_float_positional(mp, precision=2, unique=True,
                                                                    fractional=False, trim="-")


def _check_size(path: Path, w: int, h: int) -> None:
    """Refuse sizes before decoding: a decompression bomb, or nothing to colorize."""
    limit = max_pixels()
    if w * h > limit:
        raise ImageTooLargeError(
            f"{path.name}: {w}x{h} is {megapixels(w * h)} megapixels, above the limit of "
            f"{megapixels(limit)} MP (set COLORSTUDIO_MAX_PIXELS to raise it)")
    if w < 2 or h < 2:
        raise _too_small(path.name, w, h)


def check_size(photo: Photo) -> None:
    """A one-line error for a photo too small to colorize (below :data:`MIN_SIDE` per side)."""
    w, h = photo.size
    if min(h, w) < MIN_SIDE:
        raise _too_small(photo.name, w, h)


def check_pair_size(gray: Photo, reference: Photo | None) -> None:
    """A one-line error for a gray too long and thin to colorize with a colour shot
    (:data:`PAIR_LONG_SIDE`, :data:`PAIR_MAX_ASPECT`); alone it is colorized."""
    w, h = gray.size
    if reference is not None and max(w, h) > PAIR_LONG_SIDE and max(w, h) > PAIR_MAX_ASPECT * min(w, h):
        raise PairError(f"{gray.name}: {w}x{h} is too long and thin for a pair (above {PAIR_LONG_SIDE} px "
                        f"long, at most {PAIR_MAX_ASPECT}:1): cut it into shorter pieces, or colorize it "
                        "without the colour shot")


def _too_small(name: str, w: int, h: int) -> UnsupportedImageError:
    return UnsupportedImageError(f"{name}: {w}x{h} is too small to colorize (at least {MIN_SIDE}x{MIN_SIDE} pixels)")


def reading_notes(*photos: Photo | None) -> list[str]:
    """What reading the photos given left out, for the user: other pages or frames
    (:attr:`Photo.frames_note`), bits a channel (:attr:`Photo.depth_note`), an HDR float
    range (:attr:`Photo.range_note`)."""
    return [note for p in photos if p is not None for note in (p.frames_note, p.depth_note, p.range_note) if note]


def _tiff_only_tifffile_reads(path: Path) -> Photo | None:
    """A TIFF Pillow cannot open (a 16-bit gray+alpha one), read by tifffile; None if not that."""
    size = tiff_size(path) if is_tiff(path) else None
    if size is None:
        return None
    _check_size(path, size[0], size[1])
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
    except (OSError, ValueError, SyntaxError, EOFError, struct.error) as e:
        raise UnreadableImageError(f"{path.name}: cannot be read ({e})") from None
    finally:
        im.close()


def with_pixels(photo: Photo, pixels: np.ndarray) -> Photo:
    return replace(photo, pixels=pixels)
