"""A photo's print resolution (dots per inch), read from the field its format keeps it in and
written into the output format's own: a JPEG's JFIF density, a PNG's pHYs chunk, a TIFF's
XResolution/YResolution with ResolutionUnit (inch). A scan's 600 dpi is how large it prints;
an EXIF copy of it alone is not read by most layout programs. WebP has no such field (Pillow
writes none): there it stays only in the EXIF, when the gray had it there.
"""
from __future__ import annotations

import struct
from pathlib import Path

from PIL import Image

X_RESOLUTION, Y_RESOLUTION, RESOLUTION_UNIT = 282, 283, 296
_INCH, _CENTIMETRE = 2, 3
_METRES_PER_INCH = 0.0254

Dpi = tuple[float, float]


def _tidy(value: float) -> float:
    """599.9988 (a pHYs of 23622 pixels a metre) as 600: what the user set."""
    return float(round(value)) if abs(value - round(value)) < 0.01 else round(value, 2)


def _checked(x, y) -> Dpi | None:
    try:
        x, y = float(x), float(y)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if not (0 < x < 1e6 and 0 < y < 1e6):     # also NaN: an unset or broken field
        return None
    if x == y == 1:                           # what writers put when they know none (tifffile)
        return None
    return _tidy(x), _tidy(y)


def dpi_of(im: Image.Image, orientation: int = 1) -> Dpi | None:
    """(horizontal, vertical) dots per inch of an opened image, as the picture stands once its
    EXIF ``orientation`` is applied (a turn by a quarter swaps them); None when it says none."""
    if im.format in ("JPEG", "MPO") and im.info.get("jfif_unit") not in (1, 2):
        return _exif_dpi(im.getexif(), orientation)     # not Pillow's dpi: a stand-in 72 when the
    dpi = im.info.get("dpi")                            # EXIF gives no unit (inches, by EXIF's rule)
    if not (isinstance(dpi, tuple) and len(dpi) == 2):  # none of the format's own (a WebP, a PNG
        return _exif_dpi(im.getexif(), orientation)     # without pHYs): its EXIF's, as a TIFF's
    checked = _checked(*dpi)
    return checked and _turned(checked, orientation)


def _exif_dpi(exif, orientation: int) -> Dpi | None:
    """From EXIF's XResolution/YResolution: per inch unless ResolutionUnit says centimetre."""
    x, y = exif.get(X_RESOLUTION), exif.get(Y_RESOLUTION)
    try:
        unit = int(exif.get(RESOLUTION_UNIT, _INCH))
    except (TypeError, ValueError):
        return None
    if x is None or y is None or unit not in (_INCH, _CENTIMETRE):
        return None
    scale = 2.54 if unit == _CENTIMETRE else 1.0
    try:
        checked = _checked(float(x) * scale, float(y) * scale)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return checked and _turned(checked, orientation)


def tiff_dpi(path: Path, orientation: int = 1) -> Dpi | None:
    """The dots per inch of a TIFF's full-size page read with tifffile (a file Pillow cannot open)."""
    import tifffile

    from colorstudio.core.tiff_fallback import full_page_index

    try:
        with tifffile.TiffFile(path) as tif:
            tags = tif.pages[full_page_index(tif.pages)].tags
            x, y, unit = (tags.get(t) for t in (X_RESOLUTION, Y_RESOLUTION, RESOLUTION_UNIT))
            unit = int(unit.value) if unit else _INCH
            if x is None or y is None or unit not in (_INCH, _CENTIMETRE):
                return None
            per_unit = [num / den for num, den in (x.value, y.value)]
    except Exception:   # noqa: BLE001 - damaged tags: no print size, the picture still read
        return None
    scale = 2.54 if unit == _CENTIMETRE else 1.0
    checked = _checked(per_unit[0] * scale, per_unit[1] * scale)
    return checked and _turned(checked, orientation)


def _turned(dpi: Dpi, orientation: int) -> Dpi:
    return (dpi[1], dpi[0]) if orientation in (5, 6, 7, 8) else dpi


def png_phys_chunk(dpi: Dpi | None) -> bytes:
    """The body of a PNG pHYs chunk (pixels a metre, unit metre) for ``dpi``; b"" for None."""
    if dpi is None:
        return b""
    x, y = (max(1, min(0x7FFFFFFF, round(d / _METRES_PER_INCH))) for d in dpi)
    return struct.pack(">IIB", x, y, 1)
