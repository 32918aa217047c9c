"""Writing photographs: encoded with the ICC profile of the pixels written (the result's space;
a gray-only profile is not put into a colour image, see :mod:`colorstudio.core.colour_management`),
the gray input's EXIF (orientation reset to 1; its colour-space tags made to agree with the file's
space, see :func:`~colorstudio.core.exif_colour_space.exif_for_space`; its pixel size the one
written), bit depth and print resolution (:mod:`colorstudio.core.print_resolution`), and written
atomically (:mod:`colorstudio.core.atomic_files`). The output is checked first
(:mod:`colorstudio.core.output_checks`); what each format holds is :mod:`colorstudio.core.output_formats`.
"""
from __future__ import annotations

import io
import os
import struct
import zlib
from pathlib import Path
from typing import BinaryIO

import cv2
import numpy as np
from PIL import Image

from colorstudio.core.atomic_files import Writer, atomic_write
from colorstudio.core.colour_management import is_srgb, profile_colour_space, profile_for_pixels, to_srgb
from colorstudio.core.exif_carry import fits_jpeg, text_tags, with_written_size
from colorstudio.core.exif_colour_space import exif_for_space
from colorstudio.core.output_checks import check_bit_depth, check_format, check_output_size, check_quality
from colorstudio.core.output_formats import EIGHT_BIT_ONLY, FORMAT_NAMES, NO_ALPHA, WRITE_EXTENSIONS
from colorstudio.core.photo import Photo
from colorstudio.core.print_resolution import Dpi, png_phys_chunk
from colorstudio.errors import OutputError

_BAND_VALUES = 1 << 20          # float values converted at a time (4 MB of temporaries)


def to_dtype(img: np.ndarray, bit_depth: int) -> np.ndarray:
    """Float [0,1] -> uint8/uint16 with rounding; integer input passes through. Converted in
    bands of rows: the float temporaries of a whole 96 MP result were 3 x 1.15 GB at once."""
    if img.dtype in (np.uint8, np.uint16):
        return img
    scale = np.float32(65535.0 if bit_depth == 16 else 255.0)
    img = np.asarray(img, np.float32)
    out = np.empty(img.shape, np.uint16 if bit_depth == 16 else np.uint8)
    row_values = max(1, int(np.prod(img.shape[1:], dtype=np.int64)))
    rows = max(1, _BAND_VALUES // row_values)
    for r in range(0, img.shape[0], rows):
        band = img[r:r + rows] * scale
        np.rint(band, out=band)
        np.clip(band, 0, scale, out=band)
        out[r:r + rows] = band
    return out


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


_PNG_IHDR_END = 8 + 8 + 13 + 4          # signature + the IHDR chunk


def _png_writer(png: np.ndarray, icc: bytes | None, exif: bytes | None, dpi: Dpi | None) -> Writer:
    """Writes an encoded PNG (a uint8 array) with pHYs/iCCP/eXIf chunks right after its IHDR,
    from the array itself: no copy of a 48 MP 16-bit PNG made while holding the interpreter."""
    extra = _png_chunk(b"pHYs", png_phys_chunk(dpi)) if dpi else b""
    if icc:
        extra += _png_chunk(b"iCCP", b"ICC Profile\x00\x00" + zlib.compress(icc))
    if exif:
        extra += _png_chunk(b"eXIf", exif[6:] if exif.startswith(b"Exif\x00\x00") else exif)
    view = memoryview(png).cast("B")

    def write(f: BinaryIO) -> None:
        f.write(view[:_PNG_IHDR_END])
        f.write(extra)
        f.write(view[_PNG_IHDR_END:])
    return write


def sixteen_to_eight(a: np.ndarray) -> np.ndarray:
    """uint16 -> uint8, rounded (x / 257 to the nearest level, as :func:`to_dtype` rounds; a shift
    by 8 bits cut up to a whole level off), in bands of rows as :func:`to_dtype` converts."""
    out = np.empty(a.shape, np.uint8)
    rows = max(1, _BAND_VALUES // max(1, int(np.prod(a.shape[1:], dtype=np.int64))))
    for r in range(0, a.shape[0], rows):
        out[r:r + rows] = (a[r:r + rows].astype(np.uint32) + 128) // 257
    return out


def _encode(pixels: np.ndarray, alpha: np.ndarray | None, ext: str, icc: bytes | None,
            exif: bytes | None, jpeg_quality: int, dpi: Dpi | None = None) -> Writer:
    """What writes the image file to an open binary file (:func:`atomic_write`). Large 16-bit
    TIFF and PNG results are written from their arrays, not first copied into bytes: a 48 MP
    16-bit TIFF copied in memory held the interpreter, and so the app's window, for 0.36 s."""
    sixteen = pixels.dtype == np.uint16
    if ext in EIGHT_BIT_ONLY and sixteen:
        pixels = sixteen_to_eight(pixels)
        alpha = None if alpha is None else sixteen_to_eight(alpha)
        sixteen = False
    if ext in NO_ALPHA:
        alpha = None
    if alpha is not None:
        alpha = alpha.astype(pixels.dtype)
    if sixteen and ext in (".tif", ".tiff"):
        import tifffile

        arr = pixels if alpha is None else np.dstack([pixels if pixels.ndim == 3 else pixels[..., None], alpha])
        extratags = [(34675, 7, len(icc), icc, True)] if icc else []
        extratags += [(tag, "s", 0, text, True) for tag, text in text_tags(exif)]   # no Exif sub-IFD here
        photometric = "minisblack" if arr.ndim == 2 else "rgb"
        resolution = {"resolution": dpi, "resolutionunit": "INCH"} if dpi else {}
        return lambda f: tifffile.imwrite(f, np.ascontiguousarray(arr), photometric=photometric,
                                          extratags=extratags, metadata=None, software=False,
                                          extrasamples=[2] if alpha is not None else None, **resolution)
    if ext == ".png":  # OpenCV for 8 and 16 bit (12 MP RGB: 0.7 s vs Pillow's 4.1 s, 4% larger),
        arr = pixels if pixels.ndim == 2 else pixels[..., ::-1]   # metadata chunks added by hand
        if alpha is not None:
            arr = np.dstack([arr if arr.ndim == 3 else np.dstack([arr] * 3), alpha])
        ok, enc = cv2.imencode(".png", np.ascontiguousarray(arr))
        if not ok:
            raise OutputError(f"could not encode the {16 if sixteen else 8}-bit PNG")
        return _png_writer(enc, icc, exif, dpi)
    mode = "L" if pixels.ndim == 2 else "RGB"
    im = Image.fromarray(pixels, mode)
    if alpha is not None:
        im.putalpha(Image.fromarray(alpha, "L"))
    kwargs: dict = {}
    if icc:
        kwargs["icc_profile"] = icc
    if exif and ext in (".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff"):
        kwargs["exif"] = exif
    fmt = FORMAT_NAMES[ext].upper()       # Pillow's format names
    if dpi and fmt in ("JPEG", "TIFF", "BMP"):   # Pillow's WebP writer has no print resolution
        kwargs["dpi"] = dpi
    if fmt in ("JPEG", "WEBP"):
        kwargs["quality"] = int(jpeg_quality)
    if fmt == "JPEG" and mode == "RGB":
        # every colour sample kept (4:4:4): a result is all colour, and Pillow's 4:2:0 default
        # halved its resolution (chroma error at colour edges 5.4 against 1.9 levels, +26 % size)
        kwargs["subsampling"] = 0
    if fmt == "WEBP" and jpeg_quality >= 100:
        kwargs["lossless"] = True  # quality 100 means lossless WebP
    buf = io.BytesIO()
    im.save(buf, fmt, **kwargs)
    data = buf.getvalue()
    return lambda f: f.write(data)


def output_notes(path: str | os.PathLike, like: Photo | None, bit_depth: int | None = None) -> list[str]:
    """What writing ``like``'s result to ``path`` leaves out, in words for the user (the same
    rules as :func:`save_photo`): a 16-bit gray's depth in an 8-bit format, its transparency in
    a format without, EXIF larger than a JPEG holds. Empty when nothing is lost."""
    ext = Path(path).suffix.lower()
    if like is None or ext not in WRITE_EXTENSIONS:
        return []
    name, notes = FORMAT_NAMES[ext], []
    if ext in EIGHT_BIT_ONLY and (bit_depth or like.bit_depth) == 16:     # not when 8 was asked for
        notes.append(f"written with 8 bits a channel, as {name} holds no more (.png or .tif keep the gray's 16)")
    if like.alpha is not None and ext in NO_ALPHA:
        notes.append(f"transparency left out: {name} has none (.png, .tif or .webp keep it)")
    if like.exif is not None and ext in (".jpg", ".jpeg") and not fits_jpeg(like.exif):
        notes.append("EXIF left out: it is larger than the 64 KB a JPEG holds (.png or .tif keep it)")
    return notes


def save_photo(path: str | os.PathLike, rgb: np.ndarray, *, like: Photo | None = None,
               bit_depth: int | None = None, jpeg_quality: int = 95,
               alpha: np.ndarray | None = None, exclusive: bool = False) -> Path:
    """Write an RGB (or gray) image atomically (``exclusive``: see :func:`atomic_write`).

    ``rgb`` is float32 in [0, 1] or uint8/uint16. ``like`` (usually the gray input)
    gives the defaults for bit depth, alpha, ICC profile and EXIF.
    """
    path = Path(path)
    check_format(path)
    ext = path.suffix.lower()
    check_bit_depth(path, bit_depth)
    check_quality(jpeg_quality)
    check_output_size(path, rgb.shape[1], rgb.shape[0])
    if bit_depth is None:        # the gray's, where the format holds it (a 16-bit gray's JPEG: rounded to 8)
        bit_depth = 8 if ext in EIGHT_BIT_ONLY or like is None else like.bit_depth
    pixels = to_dtype(rgb, bit_depth)
    if pixels.dtype == np.uint8 and bit_depth == 16:
        pixels = pixels.astype(np.uint16) * 257
    if alpha is None and like is not None:
        alpha = like.alpha
    if alpha is not None:
        alpha = alpha.astype(np.uint16) * 257 if (pixels.dtype == np.uint16 and alpha.dtype == np.uint8) \
            else sixteen_to_eight(alpha) if (pixels.dtype == np.uint8 and alpha.dtype == np.uint16) else alpha
    icc = profile_for_pixels(like.icc_profile, 1 if pixels.ndim == 2 else 3) if like is not None else None
    if ext == ".bmp" and icc is not None:      # BMP carries no profile: sRGB numbers, read as such
        pixels = to_srgb(pixels if pixels.dtype == np.uint8 else sixteen_to_eight(pixels), icc)
        icc = None
    exif = like.exif if like is not None else None
    if icc is None or profile_colour_space(icc) == "RGB":     # the EXIF's colour claim as the file's
        exif = exif_for_space(exif, srgb=is_srgb(icc))
    dpi = like.dpi if like is not None else None
    exif = with_written_size(exif, pixels.shape[1], pixels.shape[0], dpi)
    if exif is not None and ext in (".jpg", ".jpeg") and not fits_jpeg(exif):
        exif = None                                  # more than a JPEG's one EXIF segment holds
    atomic_write(path, _encode(pixels, alpha, ext, icc, exif, jpeg_quality, dpi), exclusive)
    return path
