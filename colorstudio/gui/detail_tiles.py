"""Full-resolution detail for zoomed-in views (numpy + OpenCV, no Qt).

The compare view shows display copies (at most 2048 px, see :mod:`colorstudio.gui.display`).
Zoomed in beyond a copy's resolution — e.g. at 100% on a 12 MP photo — the view lays a tile
cut from the full-resolution array over the visible region, so what is seen is the real
pixels. The tile covers the visible region plus a margin (for panning) and never has more
pixels than the screen shows there, so its memory stays bounded by the view's size.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial
from typing import Callable

import cv2
import numpy as np

from colorstudio.core.color import luma
from colorstudio.gui.display import to_uint8

MARGIN = 0.25        # extra tile around the visible region, as a fraction of its size (each side)
CUT_LATER_PIXELS = 4_000_000   # a cut from more full-resolution pixels than this is left to a
                               # worker thread (0.1-0.4 s on a 48 MP photo at 30 %: too long for
                               # the GUI thread); smaller cuts take a few ms and are made at once
CUT_LATER_BYTES = 24_000_000   # ... or from more bytes: a float RGB result's pixels cost 12 times a
                               # gray's (a 4 MP cut of one at 70 %: 40-120 ms in the GUI thread)


@dataclass(frozen=True)
class Tile:
    pixels: np.ndarray | None                     # uint8 (h, w) or (h, w, 3); None: not cut yet
    rect: tuple[float, float, float, float]       # (x, y, w, h) it covers, in frame coordinates
    key: tuple                                    # what was cut (same key: same tile)
    scale: float = 1.0                            # tile pixels per full-resolution pixel
    x_max: float | None = None                    # cut at this frame x (the split line)
    cut: Callable[[], np.ndarray] | None = None   # makes ``pixels`` when they are None (a large cut)


def _still_covers(tile: Tile | None, full: np.ndarray, scale: float, x_max: float | None,
                  visible: tuple[float, float, float, float], placed: tuple[float, float, float, float]) -> bool:
    """Whether ``tile`` (cut from ``full`` at ``scale``) still covers the visible part of the
    image (placed at ``placed`` in the frame): a pan within its margin needs no new cut."""
    if tile is None or tile.key[0] != id(full) or tile.x_max != x_max or abs(tile.scale - scale) > 1e-3 * scale:
        return False
    px, py, pw, ph = placed
    x0, y0 = max(visible[0], px), max(visible[1], py)
    x1, y1 = min(visible[2], px + pw), min(visible[3], py + ph)
    if x_max is not None:
        x1 = min(x1, x_max)
    rx, ry, rw, rh = tile.rect
    eps = 1e-6 * max(pw, ph)
    return rx <= x0 + eps and ry <= y0 + eps and rx + rw >= x1 - eps and ry + rh >= y1 - eps


def _to_float(a: np.ndarray) -> np.ndarray:
    if a.dtype == np.uint8:
        return a.astype(np.float32) / 255.0
    if a.dtype == np.uint16:
        return a.astype(np.float32) / 65535.0
    return a.astype(np.float32, copy=False)


def detail_tile(full: np.ndarray | None, shown_shape: tuple[int, ...] | None, frame_wh: tuple[int, int],
                visible: tuple[float, float, float, float], zoom: float, x_max: float | None = None,
                margin: float = MARGIN, current: Tile | None = None,
                placed: tuple[float, float, float, float] | None = None) -> Tile | None:
    """The full-resolution tile to lay over a view, or None when the display copy is enough.

    full: the panel's full-resolution array (H', W'[, 3]), any dtype, scaled over the frame
    or its ``placed`` part (a smaller cross-camera reference has fewer pixels than the frame). shown_shape: the display
    copy's shape (a 2-D copy of a colour array is shown as its luma, and so is the tile).
    frame_wh: the frame (the gray's full-resolution W, H). visible: (x0, y0, x1, y1) in frame
    coordinates. zoom: screen pixels per frame pixel. x_max: cut nothing right of it (the split line).
    current: the tile laid now; returned as it is while it still covers the view (a pan within
    its margin), so that panning cuts a new tile only now and then. placed: the (x, y, w, h) of
    the frame that ``full`` covers (a reference of another aspect ratio, fitted inside the
    frame, see :func:`colorstudio.gui.display.placed_in_frame`); default the whole frame. A cut from more than
    :data:`CUT_LATER_PIXELS` full-resolution pixels or :data:`CUT_LATER_BYTES` bytes comes back uncut (``pixels`` None; ``cut``
    makes them, in a worker thread).
    """
    if full is None or shown_shape is None or zoom <= 0:
        return None
    px, py, pw, ph = placed if placed is not None else (0.0, 0.0, *frame_wh)
    H, W = full.shape[:2]
    h, w = shown_shape[:2]
    if W <= w and H <= h:
        return None                              # the display copy is the full resolution
    if zoom * pw / w <= 1.001:
        return None                              # the display copy is not magnified: it is enough
    sx, sy = W / pw, H / ph                      # full pixels per frame pixel
    x0, y0, x1, y1 = visible[0] - px, visible[1] - py, visible[2] - px, visible[3] - py   # from its corner
    mx, my = (x1 - x0) * margin, (y1 - y0) * margin
    right = x1 + mx if x_max is None else min(x1 + mx, x_max - px)
    c0, c1 = max(0, math.floor((x0 - mx) * sx)), min(W, math.ceil(right * sx))
    r0, r1 = max(0, math.floor((y0 - my) * sy)), min(H, math.ceil((y1 + my) * sy))
    if c1 <= c0 or r1 <= r0:
        return None
    scale = min(1.0, zoom / sx)                  # never more tile pixels than screen pixels
    if _still_covers(current, full, scale, x_max, visible, (px, py, pw, ph)):
        return current
    out_w, out_h = max(1, round((c1 - c0) * scale)), max(1, round((r1 - r0) * scale))
    key = (id(full), c0, c1, r0, r1, out_w, out_h)
    rect = (px + c0 / sx, py + r0 / sy, (c1 - c0) / sx, (r1 - r0) / sy)
    cut = partial(_cut, full, (r0, r1, c0, c1), (out_w, out_h), len(shown_shape) == 2)
    pixels = (r1 - r0) * (c1 - c0)
    channels = min(3, full.shape[2]) if full.ndim == 3 else 1
    if pixels > CUT_LATER_PIXELS or pixels * channels * full.itemsize > CUT_LATER_BYTES:
        return Tile(None, rect, key, scale, x_max, cut)
    return Tile(cut(), rect, key, scale, x_max)


def _rows_apart(crop: np.ndarray) -> np.ndarray:
    """``crop`` as OpenCV takes it without a copy: a view whose pixels lie together in each row
    (a crop of a whole array) is taken as it is; only one whose channels are apart is copied
    (copying a 374 MB crop of a 50 MP result took 55-70 ms of a 0.1 s cut)."""
    pixel = crop.itemsize * (crop.shape[2] if crop.ndim == 3 else 1)
    together = crop.strides[-1] == crop.itemsize and (crop.ndim == 2 or crop.strides[1] == pixel)
    return crop if together else np.ascontiguousarray(crop)


def _cut(full: np.ndarray, rows_cols: tuple[int, int, int, int], out_wh: tuple[int, int],
         as_luma: bool) -> np.ndarray:
    """The uint8 tile: ``full[r0:r1, c0:c1]`` reduced to ``out_wh`` (and to its luma when the
    display copy shows a colour array as gray). Thread-safe: it only reads ``full``."""
    r0, r1, c0, c1 = rows_cols
    out_w, out_h = out_wh
    crop = full[r0:r1, c0:c1]
    if crop.ndim == 3:
        crop = crop[..., :3]
    if (out_w, out_h) != (c1 - c0, r1 - r0):     # reduced first, in the array's own type: cheaper
        if crop.dtype not in (np.uint8, np.uint16, np.float32):
            crop = crop.astype(np.float32)
        crop = cv2.resize(_rows_apart(crop), (out_w, out_h), interpolation=cv2.INTER_AREA)
    if crop.ndim == 3 and as_luma:
        crop = luma(_to_float(crop))             # linear: the luma of the mean is the mean luma
    return np.ascontiguousarray(to_uint8(crop))
