"""Tone tables at full 16-bit precision: a gray profile's levels, or an RGB matrix/TRC
profile's neutral axis, against sRGB's curve, one entry per 16-bit level.

An RGB transform in Pillow runs on 8-bit pixels only, so a neutral axis taken from one is a
table of 256 whole levels; spread over a 16-bit gray it was up to 1.5 levels off in the deep
shadows, where a gamma-2.2 curve and sRGB's straight toe part most. A matrix/TRC profile (Adobe
RGB, Display P3, ProPhoto) with one tone curve for its three channels has that curve as its
neutral axis (R = G = B = v lands on the white's chromaticity at luminance TRC(v)), so a gray
profile with the same curve gives the table at 16 bits.
"""
from __future__ import annotations

import functools
import io
import struct

import numpy as np


def gray_ramp_table(source: bytes, target: bytes, sixteen: bool) -> np.ndarray:
    """Every level of the gray profile ``source`` -> the level with the same tone in the gray
    profile ``target``: 65536 uint16 entries (``sixteen``) or 256 uint8. Unoptimised: littleCMS's
    sampled shortcut put a linear (gamma 1.0) gray's shadows up to 10 levels too dark where
    sRGB's curve is steep; only a ramp goes through it."""
    from PIL import Image, ImageCms

    mode, dtype, top = ("I;16", np.uint16, 65535) if sixteen else ("L", np.uint8, 255)
    transform = ImageCms.buildTransform(ImageCms.ImageCmsProfile(io.BytesIO(source)),
                                        ImageCms.ImageCmsProfile(io.BytesIO(target)), mode, mode,
                                        renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
                                        flags=ImageCms.Flags.NOOPTIMIZE)
    ramp = np.arange(top + 1, dtype=dtype)[None]
    return np.asarray(ImageCms.applyTransform(Image.fromarray(ramp), transform)).reshape(-1).astype(dtype)


def srgb_tones_profile() -> bytes:
    """A gray profile with sRGB's tone curve."""
    from colorstudio.core.icc_writer import SRGB_CURVE, gray_profile, para_curve

    return gray_profile("sRGB tones", para_curve(3, SRGB_CURVE))


def shared_trc(icc: bytes) -> bytes | None:
    """The tone curve tag an RGB profile gives all three channels (None: a table-based profile,
    three different curves, or unreadable)."""
    curves = [_tag(icc, sig) for sig in (b"rTRC", b"gTRC", b"bTRC")]
    return curves[0] if curves[0] and curves[0] == curves[1] == curves[2] else None


@functools.lru_cache(maxsize=8)
def neutral_table_16(icc: bytes, into: bool = False) -> np.ndarray | None:
    """An RGB profile's neutral levels -> sRGB's tones at 16 bits (``into``: the other way), or
    None when its neutral axis is not one shared tone curve."""
    from colorstudio.core.icc_writer import gray_profile

    curve = shared_trc(icc)
    if curve is None:
        return None
    own = gray_profile("neutral axis", curve)
    source, target = (srgb_tones_profile(), own) if into else (own, srgb_tones_profile())
    return gray_ramp_table(source, target, sixteen=True)


def _tag(icc: bytes, sig: bytes) -> bytes | None:
    """The bytes of an ICC profile's tag ``sig`` (None when absent or the table is damaged)."""
    try:
        (count,) = struct.unpack_from(">I", icc, 128)
        for i in range(min(count, 100)):
            name, offset, size = struct.unpack_from(">4sII", icc, 132 + 12 * i)
            if name == sig:
                return icc[offset:offset + size] if offset + size <= len(icc) else None
    except struct.error:
        return None
    return None
