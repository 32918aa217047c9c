"""Reading the EXIF of an opened image: without decoding a PNG's pixels, tolerant of EXIF that
cannot be parsed, and its orientation as a number 1..8."""
from __future__ import annotations

import struct
from pathlib import Path

from PIL import Image

from colorstudio.core.png_chunks import png_chunk

_ORIENTATION_TAG = 0x0112


def exif_without_decoding(im: Image.Image, path: Path) -> Image.Exif:
    """The EXIF of an opened image; for a PNG read from its eXIf chunk, wherever it is, instead
    of Pillow's getexif(), which decodes the whole image to look after the pixel data (78 ms
    and the pixels' memory for a 12 MP PNG, for each file of a batch's discovery)."""
    if im.format != "PNG" or "exif" in im.info:
        return readable_exif(im)
    exif = Image.Exif()
    data = png_chunk(path, b"eXIf")
    if data:
        try:
            exif.load(data)
        except (SyntaxError, ValueError, TypeError, OSError, struct.error):
            return Image.Exif()
    elif any(k in im.info for k in ("XML:com.adobe.xmp", "Raw profile type exif")):
        return readable_exif(im)  # an orientation in XMP or ImageMagick's text chunk (rare)
    return exif


_EXIF_HEADER = b"Exif\x00\x00"


def readable_exif(im: Image.Image) -> Image.Exif:
    """The image's EXIF; an empty one when it cannot be parsed (the pixels are still read).
    A PNG's eXIf chunk written with the JPEG-style "Exif" header, which Pillow adds a second
    time, is read without the extra one."""
    raw = im.info.get("exif")
    if isinstance(raw, bytes) and raw.startswith(_EXIF_HEADER * 2):
        im.info["exif"] = raw[len(_EXIF_HEADER):]
    try:
        return im.getexif()
    except (SyntaxError, ValueError, TypeError, OSError, struct.error):
        return Image.Exif()


def exif_orientation(exif) -> int:
    """The EXIF orientation, 1..8; anything else (text, a NaN rational, 0, 65535) counts as 1."""
    value = exif.get(_ORIENTATION_TAG, 1)
    try:
        value = int(value)
    except (TypeError, ValueError, OverflowError):
        return 1
    return value if 1 <= value <= 8 else 1
