"""Tiny DNG files written for the tests (tifffile + the DNG tags LibRaw needs): a Bayer
(colour) sensor and a monochrome one, so RAW reading is tested without camera files."""
from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import tifffile

_IDENTITY_MATRIX = (1, 1, 0, 1, 0, 1, 0, 1, 1, 1, 0, 1, 0, 1, 0, 1, 1, 1)   # 3x3 rationals


def _dng_tags(orientation: int) -> list:
    return [(50706, "B", 4, (1, 4, 0, 0), True),            # DNGVersion
            (50707, "B", 4, (1, 1, 0, 0), True),            # DNGBackwardVersion
            (50708, "s", 0, "ColorStudio Test Camera", True),
            (50717, "H", 1, 4095, True),                    # WhiteLevel (12-bit sensor)
            (50714, "H", 1, 0, True),                       # BlackLevel
            (274, "H", 1, orientation, True),
            (271, "s", 0, "ColorStudio", True), (272, "s", 0, "Test Camera", True),   # Make, Model
            (306, "s", 0, "2026:12:03 10:00:00", True)]                               # DateTime


def bayer_dng(path: Path, rgb_levels: np.ndarray, orientation: int = 1) -> Path:
    """A colour (RGGB Bayer) DNG whose sensor saw ``rgb_levels`` (H, W, 3) in 0..4095."""
    h, w = rgb_levels.shape[:2]
    mosaic = np.empty((h, w), np.uint16)
    mosaic[0::2, 0::2] = rgb_levels[0::2, 0::2, 0]
    mosaic[0::2, 1::2] = rgb_levels[0::2, 1::2, 1]
    mosaic[1::2, 0::2] = rgb_levels[1::2, 0::2, 1]
    mosaic[1::2, 1::2] = rgb_levels[1::2, 1::2, 2]
    tags = _dng_tags(orientation) + [
        (33421, "H", 2, (2, 2), True), (33422, "B", 4, (0, 1, 1, 2), True),   # CFA: RGGB
        (50721, "2i", 9, _IDENTITY_MATRIX, True), (50778, "H", 1, 21, True),  # ColorMatrix1, D65
        (50728, "2I", 3, (1, 1, 1, 1, 1, 1), True)]                           # AsShotNeutral
    tifffile.imwrite(path, mosaic, photometric=32803, extratags=tags, subfiletype=0)
    return path


def mono_dng(path: Path, levels: np.ndarray, orientation: int = 1) -> Path:
    """A monochrome-sensor DNG (LinearRaw, one sample) with ``levels`` (H, W) in 0..4095."""
    tifffile.imwrite(path, levels.astype(np.uint16), photometric="minisblack",
                     extratags=_dng_tags(orientation), subfiletype=0)
    with tifffile.TiffFile(path) as tif:                    # tifffile wants 3 samples for LinearRaw
        offset, order = tif.pages[0].tags[262].valueoffset, tif.byteorder
    data = bytearray(path.read_bytes())
    data[offset:offset + 2] = struct.pack(order + "H", 34892)
    path.write_bytes(bytes(data))
    return path
