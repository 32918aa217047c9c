"""The sizes a photo may have: the decompression-bomb limit checked before decoding
(:func:`max_pixels`, default 200 megapixels, ``COLORSTUDIO_MAX_PIXELS`` overrides), the
smallest photo colorized (:data:`MIN_SIDE`), and how long and thin a pair's gray may be
(:data:`PAIR_LONG_SIDE`, :data:`PAIR_MAX_ASPECT`); each refused with a one-line error.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from colorstudio.core.photo import Photo
from colorstudio.errors import ImageTooLargeError, PairError, UnsupportedImageError

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


def megapixels(pixels: float) -> str:
    """A pixel count in megapixels for a message: '12', '0.37' (never '0')."""
    mp = pixels / 1e6
    return f"{mp:.0f}" if mp >= 10 else np.format_float_positional(mp, precision=2, unique=True,
                                                                    fractional=False, trim="-")


def check_size_before_decoding(path: Path, w: int, h: int) -> None:
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
