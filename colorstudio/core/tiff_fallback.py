"""TIFFs Pillow cannot open, read with tifffile: a 16-bit gray+alpha TIFF (as GIMP or
Photoshop export a 16-bit gray layer with transparency) is the common one. OpenCV would read
it, but as 8-bit gray without its alpha.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

TIFF_MAGIC = (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")
ORIENTATION, ICC = 274, 34675


def is_tiff(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(4) in TIFF_MAGIC


def tiff_size(path: Path) -> tuple[int, int, int] | None:
    """(width, height, EXIF orientation) of the first page, or None when tifffile cannot tell."""
    import tifffile

    try:
        with tifffile.TiffFile(path) as tif:
            page = tif.pages[0]
            orientation = page.tags.get(ORIENTATION)
            return int(page.imagewidth), int(page.imagelength), int(orientation.value) if orientation else 1
    except Exception:      # noqa: BLE001 - any failure means: not a TIFF tifffile can read either
        return None


def read_tiff(path: Path) -> tuple[np.ndarray, np.ndarray | None, bytes | None, int] | None:
    """(pixels (H, W) or (H, W, 3), alpha or None, ICC profile or None, EXIF orientation) of the
    first page, 8 or 16 bit or floating point (float16/32/64 as float32, for the caller to
    scale), not yet turned; None when tifffile cannot read it as such."""
    import tifffile

    try:
        with tifffile.TiffFile(path) as tif:
            page = tif.pages[0]
            arr = page.asarray()
            icc = page.tags.get(ICC)
            orientation = page.tags.get(ORIENTATION)
            icc = bytes(icc.value) if icc else None
            orientation = int(orientation.value) if orientation else 1
    except Exception:      # noqa: BLE001 - damaged or exotic: the caller's error stands
        return None
    if arr.dtype.kind == "f":
        arr = arr.astype(np.float32, copy=False)
    elif arr.dtype not in (np.uint8, np.uint16):
        return None
    if arr.ndim not in (2, 3):
        return None
    if arr.ndim == 3 and arr.shape[2] not in (2, 3, 4):
        return None
    if arr.ndim == 2 or arr.shape[2] == 3:
        return np.ascontiguousarray(arr), None, icc, orientation
    colour = arr[..., 0] if arr.shape[2] == 2 else arr[..., :3]
    return np.ascontiguousarray(colour), np.ascontiguousarray(arr[..., -1]), icc, orientation
