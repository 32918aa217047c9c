"""Reading photographs the way a photographer expects (writing: :mod:`colorstudio.core.image_write`).

- Reads JPEG, PNG, TIFF (8/16 bit), WebP and BMP, and the phones' HEIC/HEIF (through
  pillow-heif, which applies the file's own rotation) and AVIF (Pillow's own, where built in);
  applies the EXIF orientation; converts palette, CMYK and gray+alpha; carries alpha along.
- Reads camera RAW files (DNG and the makers' formats) through LibRaw, developed plainly to
  16-bit sRGB, or 16-bit gray from a monochrome sensor (:mod:`colorstudio.core.raw_photos`).
- An RGB file whose three channels are equal is treated as gray.
- Guards against decompression bombs *before* decoding: images above
  :data:`MAX_PIXELS` (default 200 megapixels, ``COLORSTUDIO_MAX_PIXELS`` overrides)
  are refused.
"""
from __future__ import annotations

import os
import struct
import warnings
from dataclasses import dataclass, replace
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, UnidentifiedImageError, features

from colorstudio.core.colour_management import cmyk_image_to_srgb, gray_in_srgb_tones, profile_colour_space
from colorstudio.core.exif_carry import exif_to_carry
from colorstudio.core.exif_colour_space import icc_from_exif
from colorstudio.core.png_chunks import png_chunk
from colorstudio.core.nclx_profile import avif_nclx, icc_from_nclx, png_cicp
from colorstudio.core.raw_photos import RAW_EXTENSIONS, develop_raw, is_raw, raw_exif, raw_size, raw_supported
from colorstudio.core.tiff_fallback import is_tiff, read_tiff, tiff_size
from colorstudio.errors import (
    FileMissingError,
    ImageTooLargeError,
    TruncatedImageError,
    UnreadableImageError,
    UnsupportedImageError,
)

MAX_PIXELS = int(os.environ.get("COLORSTUDIO_MAX_PIXELS", 200_000_000))


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


READ_EXTENSIONS = (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp", ".bmp") + _optional_formats()
FILE_DIALOG_FILTER = "Images (" + " ".join("*" + e for e in READ_EXTENSIONS) + ")"
_ORIENTATION_TAG = 0x0112
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
    converted_from: str | None = None  # e.g. "CMYK", "P" (palette)
    tone_note: str | None = None       # a gray profile's tones brought to sRGB's (see load_photo)
    srgb_tones: bool = False           # a gray read through its gray profile: its levels are sRGB's tones

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
    if not path.exists():
        raise FileMissingError(f"{path.name}: file not found ({path})")
    if path.is_dir():
        raise UnreadableImageError(f"{path.name}: is a folder, not an image")
    if not path.is_file():
        raise UnreadableImageError(f"{path.name}: is a device or a pipe, not an image file")
    if path.stat().st_size == 0:
        raise UnreadableImageError(f"{path.name}: the file is empty (0 bytes)")


def _open(path: Path) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            im = Image.open(path)
    except UnidentifiedImageError:
        raise UnsupportedImageError(
            f"{path.name}: not an image ColorStudio can read "
            f"(supported: {', '.join(e.lstrip('.') for e in READ_EXTENSIONS)})") from None
    except (OSError, ValueError, SyntaxError, EOFError, struct.error) as e:
        # e.g. a PNG whose text or profile chunk unpacks to more than Pillow allows (ValueError)
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
    if w * h > MAX_PIXELS:
        raise ImageTooLargeError(
            f"{path.name}: {w}x{h} is {megapixels(w * h)} megapixels, above the limit of "
            f"{megapixels(MAX_PIXELS)} MP (set COLORSTUDIO_MAX_PIXELS to raise it)")
    if w < 2 or h < 2:
        raise UnsupportedImageError(f"{path.name}: {w}x{h} is too small to colorize")


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
    if pixels.dtype.kind == "f":         # float16/32/64 (an HDR or a scientific export)
        pixels = _float_to_16bit(pixels)
        alpha = None if alpha is None else _float_to_16bit(alpha)
    pixels = _orient(pixels, orientation)
    alpha = None if alpha is None else _orient(alpha, orientation)
    return _photo(pixels, alpha, icc, None, path, "TIFF", None)


def _orient(arr: np.ndarray, orientation: int) -> np.ndarray:
    """Apply an EXIF orientation (1..8) to an (H, W[, C]) array."""
    ops = {
        2: lambda a: a[:, ::-1],
        3: lambda a: a[::-1, ::-1],
        4: lambda a: a[::-1],
        5: lambda a: np.swapaxes(a, 0, 1),
        6: lambda a: np.swapaxes(a, 0, 1)[:, ::-1],
        7: lambda a: np.swapaxes(a, 0, 1)[::-1, ::-1],
        8: lambda a: np.swapaxes(a, 0, 1)[::-1],
    }
    return np.ascontiguousarray(ops[orientation](arr)) if orientation in ops else arr


def _decode_with_opencv(path: Path, orientation: int, only_16bit_colour: bool
                        ) -> tuple[np.ndarray, np.ndarray | None] | None:
    """Pixels decoded by OpenCV, then turned by ``orientation``.

    Used for 16-bit colour PNG (Pillow reduces it to 8 bit) and for every TIFF (Pillow's
    handling of the TIFF orientation tag is not consistent across modes; libtiff applies it).
    """
    data = np.fromfile(str(path), dtype=np.uint8)
    try:
        arr = cv2.imdecode(data, cv2.IMREAD_UNCHANGED)
    except cv2.error:       # a layout OpenCV refuses (very wide strips, a cut float TIFF): Pillow's turn
        return None
    if arr is None or arr.dtype not in (np.uint8, np.uint16):
        return None
    if only_16bit_colour and (arr.dtype != np.uint16 or arr.ndim != 3):
        return None
    alpha = None
    if arr.ndim == 3 and arr.shape[2] == 4:
        alpha = _orient(np.ascontiguousarray(arr[..., 3]), orientation)
        arr = arr[..., :3]
    if arr.ndim == 3 and arr.shape[2] == 3:
        arr = arr[..., ::-1]
    elif arr.ndim == 3:
        return None
    return _orient(np.ascontiguousarray(arr), orientation), alpha


def _float_scale(arr: np.ndarray) -> float:
    """Float pixels to 16-bit counts. Float TIFFs hold 0..1 (an HDR or edited file a little
    more: highlights, clipped); a few hold 0..255 or 0..65535. Judged by the 99.9th percentile,
    so a few bright pixels do not change the scale of the whole photo."""
    sample = np.nan_to_num(arr[:: max(1, arr.shape[0] // 256), :: max(1, arr.shape[1] // 256)],
                           nan=0.0, posinf=0.0, neginf=0.0)
    high = float(np.percentile(sample, 99.9)) if sample.size else 0.0
    return 65535.0 if high <= 2.0 else 65535.0 / 255.0 if high <= 255.0 else 1.0


def _float_to_16bit(arr: np.ndarray) -> np.ndarray:
    """Float pixels as 16-bit counts (:func:`_float_scale`); NaN is black, +inf white."""
    scale = _float_scale(arr)
    out = np.nan_to_num(np.asarray(arr, np.float32), nan=0.0, posinf=65535.0 / scale, neginf=0.0) * scale
    return np.clip(np.rint(out), 0, 65535).astype(np.uint16)


def _pillow_to_arrays(im: Image.Image) -> tuple[np.ndarray, np.ndarray | None, str | None]:
    mode = im.mode
    converted = None
    alpha = None
    if mode in ("I;16", "I;16B", "I;16L", "I;16N"):
        return np.asarray(im, dtype=np.uint16).copy(), None, None
    if mode in ("I", "F"):
        arr = np.asarray(im)
        if arr.dtype.kind == "f":
            return _float_to_16bit(arr), None, mode
        if arr.size and (high := int(arr.max())) > 65535:     # 32-bit integer counts: brightest = white
            arr = arr.astype(np.float64) * (65535.0 / high)
        return np.clip(arr, 0, 65535).astype(np.uint16), None, mode
    if mode == "P":
        converted = "palette"
        im = im.convert("RGBA" if "transparency" in im.info else "RGB")
    elif mode == "CMYK":
        converted = "CMYK"
        im = im.convert("RGB")
    elif mode in ("1",):
        converted = "1-bit"
        im = im.convert("L")
    elif mode == "LA":
        alpha = np.asarray(im.getchannel("A")).copy()
        im = im.convert("L")
    elif mode not in ("L", "RGB", "RGBA"):
        converted = mode
        im = im.convert("RGB")
    if im.mode == "RGBA":
        alpha = np.asarray(im.getchannel("A")).copy()
        im = im.convert("RGB")
    return np.asarray(im).copy(), alpha, converted


def _exif_without_decoding(im: Image.Image, path: Path) -> Image.Exif:
    """The EXIF of an opened image; for a PNG read from its eXIf chunk, wherever it is, instead
    of Pillow's getexif(), which decodes the whole image to look after the pixel data (78 ms
    and the pixels' memory for a 12 MP PNG, for each file of a batch's discovery)."""
    if im.format != "PNG" or "exif" in im.info:
        return im.getexif()
    exif = Image.Exif()
    data = png_chunk(path, b"eXIf")
    if data:
        exif.load(data)
    elif any(k in im.info for k in ("XML:com.adobe.xmp", "Raw profile type exif")):
        return im.getexif()        # an orientation in XMP or ImageMagick's text chunk (rare)
    return exif


def exif_orientation(exif) -> int:
    """The EXIF orientation, 1..8; anything else (text, a NaN rational, 0, 65535) counts as 1."""
    value = exif.get(_ORIENTATION_TAG, 1)
    try:
        value = int(value)
    except (TypeError, ValueError, OverflowError):
        return 1
    return value if 1 <= value <= 8 else 1


def _decode(im: Image.Image, path: Path):
    """Pixels, alpha and metadata of an opened image (orientation applied)."""
    fmt = im.format
    exif = im.getexif()
    icc = (im.info.get("icc_profile") or icc_from_nclx(im.info.get("nclx_profile"))   # HEIF: either
           or (icc_from_nclx(avif_nclx(path), "AVIF") if fmt == "AVIF" else None)     # AVIF: either
           or (icc_from_nclx(png_cicp(path), "PNG") if fmt == "PNG" else None)        # PNG: a cICP chunk
           or icc_from_exif(exif))                                                  # a camera's Adobe RGB
    orientation = exif_orientation(exif)
    try:
        exif_bytes = exif_to_carry(exif) if len(exif) else None
    except (ValueError, TypeError, struct.error, OverflowError):   # tags Pillow cannot write back
        exif_bytes = None
    turn = 1 if fmt == "TIFF" else orientation   # libtiff (OpenCV's and Pillow's) has turned a TIFF
    if fmt == "TIFF" or (fmt == "PNG" and im.mode in ("RGB", "RGBA")):
        decoded = _decode_with_opencv(path, turn, only_16bit_colour=fmt == "PNG")
        drops_alpha = decoded is not None and decoded[1] is None and im.mode in ("LA", "RGBA")
        if decoded is not None and not drops_alpha:   # OpenCV reads a gray+alpha TIFF as gray
            return decoded[0], decoded[1], icc, exif_bytes, fmt, None
    im.load()
    if im.mode == "CMYK" and (managed := cmyk_image_to_srgb(im, icc)) is not None:
        return _orient(np.asarray(managed).copy(), turn), None, None, exif_bytes, fmt, "CMYK (by its profile)"
    pixels, alpha, converted = _pillow_to_arrays(im)
    pixels = _orient(pixels, turn)
    alpha = None if alpha is None else _orient(alpha, turn)
    return pixels, alpha, icc, exif_bytes, fmt, converted


def load_photo(path: str | os.PathLike) -> Photo:
    """Read an image file into a :class:`Photo` (orientation applied).

    Raises a :class:`~colorstudio.errors.InputFileError` subclass with a one-line
    message for anything a user can get wrong.
    """
    path = Path(path)
    _check_path(path)
    if is_raw(path) and raw_supported():
        pixels = develop_raw(path, MAX_PIXELS)
        if pixels.ndim == 3 and channels_equal(pixels):
            pixels = np.ascontiguousarray(pixels[..., 1])
        return Photo(pixels=pixels, exif=raw_exif(path), path=path, format="RAW")
    try:
        im = _open(path)
    except UnsupportedImageError:
        photo = _tiff_only_tifffile_reads(path)
        if photo is None:
            raise
        return photo
    try:
        pixels, alpha, icc, exif_bytes, fmt, converted = _decode(im, path)
    except (OSError, ValueError, SyntaxError, EOFError, struct.error) as e:
        msg = str(e).lower()
        if any(w in msg for w in ("truncat", "broken", "premature", "buffer", "eof", "end of file")):
            raise TruncatedImageError(f"{path.name}: the file is truncated or damaged") from None
        raise UnreadableImageError(f"{path.name}: cannot be decoded ({e})") from None
    finally:
        im.close()
    return _photo(pixels, alpha, icc, exif_bytes, path, fmt, converted)


def _photo(pixels, alpha, icc, exif_bytes, path, fmt, converted) -> Photo:
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
    scale = 65535.0 if rgb.dtype == np.uint16 else 255.0
    step = max(1, rgb.shape[0] // 512)  # subsample rows: cheap on 12 MP
    sub = rgb[::step].astype(np.int32)
    d = np.maximum(np.abs(sub[..., 0] - sub[..., 1]), np.abs(sub[..., 1] - sub[..., 2]))
    return bool(d.max() <= _GRAY_TOLERANCE * scale)


def image_size(path: str | os.PathLike) -> tuple[int, int]:
    """(width, height) without decoding the pixels (EXIF orientation applied)."""
    path = Path(path)
    _check_path(path)
    if is_raw(path) and raw_supported():
        return raw_size(path, MAX_PIXELS)
    try:
        im = _open(path)
    except UnsupportedImageError:
        size = tiff_size(path) if is_tiff(path) else None
        if size is None:
            raise
        w, h, orientation = size
        return (h, w) if orientation in (5, 6, 7, 8) else (w, h)
    try:
        w, h = im.size
        if im.format == "TIFF":  # the stored size: Pillow may report TIFF sizes already turned
            w, h = int(im.tag_v2.get(256, w)), int(im.tag_v2.get(257, h))
        if exif_orientation(_exif_without_decoding(im, path)) in (5, 6, 7, 8):
            w, h = h, w
        return w, h
    except (OSError, ValueError, SyntaxError, EOFError, struct.error) as e:
        raise UnreadableImageError(f"{path.name}: cannot be read ({e})") from None
    finally:
        im.close()


def with_pixels(photo: Photo, pixels: np.ndarray) -> Photo:
    return replace(photo, pixels=pixels)
