"""TIFFs read with tifffile instead of OpenCV or Pillow.

- Those Pillow cannot open: a 16-bit gray+alpha TIFF (as GIMP or Photoshop export a 16-bit gray
  layer with transparency) is the common one. OpenCV would read it, but as 8-bit gray without
  its alpha.
- Those OpenCV's 16-bit reader gets wrong (:func:`opencv_misreads`): channels stored one
  after another (PlanarConfiguration 2, Photoshop's "per channel"), read as garbage; a
  MinIsWhite gray, read as its negative; a CMYK one, refused (read here at 16 bits by the
  plain formula when it has no profile of its own).
- A picture that is not the file's first page (the first is a thumbnail): OpenCV reads only
  the first.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from colorstudio.core.file_kinds import BITS_PER_SAMPLE, MAX_PAGES_LOOKED_AT, REDUCED_IMAGE

TIFF_MAGIC = (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")
ORIENTATION, ICC = 274, 34675
PHOTOMETRIC, PLANAR_CONFIGURATION = 262, 284
MIN_IS_WHITE, CMYK, PLANAR_SEPARATE = 0, 5, 2


def is_tiff(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(4) in TIFF_MAGIC


def full_page_index(pages) -> int:
    """The index of the first of tifffile's ``pages`` that is not a reduced-size copy (0 when
    all are); :func:`colorstudio.core.file_kinds.full_picture_page` is Pillow's."""
    for i in range(min(len(pages), MAX_PAGES_LOOKED_AT)):
        if not int(pages[i].subfiletype) & REDUCED_IMAGE:
            return i
    return 0


def opencv_misreads(tags) -> bool:
    """Whether OpenCV's TIFF reader gets a page with these tags (Pillow's ``tag_v2``) wrong:
    a 16-bit page stored per channel, MinIsWhite, or CMYK."""
    bits = tags.get(BITS_PER_SAMPLE, (8,))
    if max(bits if isinstance(bits, tuple) else (bits,)) <= 8:
        return False
    planar = int(tags.get(PLANAR_CONFIGURATION, 1)) == PLANAR_SEPARATE
    return planar or int(tags.get(PHOTOMETRIC, 1)) in (MIN_IS_WHITE, CMYK)


def tiff_size(path: Path) -> tuple[int, int, int] | None:
    """(width, height, EXIF orientation) of the full-size picture, or None when tifffile cannot tell."""
    import tifffile

    try:
        with tifffile.TiffFile(path) as tif:
            page = tif.pages[full_page_index(tif.pages)]
            orientation = page.tags.get(ORIENTATION)
            return int(page.imagewidth), int(page.imagelength), int(orientation.value) if orientation else 1
    except Exception:      # noqa: BLE001 - any failure means: not a TIFF tifffile can read either
        return None


def read_tiff(path: Path) -> tuple[np.ndarray, np.ndarray | None, bytes | None, int] | None:
    """(pixels (H, W) or (H, W, 3), alpha or None, ICC profile or None, EXIF orientation) of the
    full-size picture (the first page that is not a thumbnail), 8 or 16 bit or floating point
    (float16/32/64 as float32, for the caller to scale), not yet turned; MinIsWhite brought to
    black-is-zero, CMYK without a profile to RGB. None when tifffile cannot read it as such (a
    compression it needs imagecodecs for, a CMYK page with its own profile, an exotic layout)."""
    import tifffile

    try:
        with tifffile.TiffFile(path) as tif:
            page = tif.pages[full_page_index(tif.pages)]
            arr = page.asarray()
            axes = page.axes
            photometric = int(page.photometric)
            icc = page.tags.get(ICC)
            orientation = page.tags.get(ORIENTATION)
            icc = bytes(icc.value) if icc else None
            orientation = int(orientation.value) if orientation else 1
    except Exception:      # noqa: BLE001 - damaged or exotic: the caller's error stands
        return None
    if arr.ndim == 3 and axes.endswith("SYX"):      # stored per channel: samples first
        arr = np.moveaxis(arr, 0, -1)
    if arr.dtype.kind == "f":
        arr = arr.astype(np.float32, copy=False)
    elif arr.dtype not in (np.uint8, np.uint16):
        return None
    if arr.ndim not in (2, 3) or (arr.ndim == 3 and arr.shape[2] not in (2, 3, 4)):
        return None
    if photometric == CMYK:
        if icc is not None or arr.ndim != 3 or arr.shape[2] != 4 or arr.dtype.kind == "f":
            return None                      # through its profile: Pillow's (8-bit) way
        return _cmyk_to_rgb(arr), None, None, orientation
    if photometric == MIN_IS_WHITE and arr.dtype.kind != "f":
        arr = arr.copy()
        colour = arr if arr.ndim == 2 else arr[..., 0]
        np.subtract(np.iinfo(arr.dtype).max, colour, out=colour)
    if arr.ndim == 2 or arr.shape[2] == 3:
        return np.ascontiguousarray(arr), None, icc, orientation
    colour = arr[..., 0] if arr.shape[2] == 2 else arr[..., :3]
    return np.ascontiguousarray(colour), np.ascontiguousarray(arr[..., -1]), icc, orientation


def _cmyk_to_rgb(cmyk: np.ndarray) -> np.ndarray:
    """CMYK counts to RGB by the plain formula Pillow uses, (1 - C)(1 - K), at the same depth."""
    top = float(np.iinfo(cmyk.dtype).max)
    keep = 1.0 - cmyk[..., 3:4].astype(np.float32) / top
    rgb = (top - cmyk[..., :3].astype(np.float32)) * keep
    return np.clip(np.rint(rgb), 0, top).astype(cmyk.dtype)
