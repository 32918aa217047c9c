"""Display copies of images (numpy + OpenCV, no Qt): what the views show, never what is saved.

Large photos are shown downsampled to at most ``MAX_DISPLAY_SIDE`` pixels on their long side;
the full-resolution arrays stay in the Photo / Colorization objects and are what gets saved.
These functions run in worker threads so the GUI thread only uploads small uint8 arrays.
"""
from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from colorstudio.core.color import luma

MAX_DISPLAY_SIDE = 2048     # long side of the images in the compare view
MAX_DIAGNOSTIC_SIDE = 1024  # long side of the diagnostic maps in the dock


def to_uint8(img: np.ndarray) -> np.ndarray:
    """uint8/uint16/float [0,1] image -> uint8, same shape."""
    if img.dtype == np.uint8:
        return img
    if img.dtype == np.uint16:            # rounded, as the readout and the CLI's 8-bit files are
        return ((img.astype(np.uint32) * 255 + 32767) // 65535).astype(np.uint8)
    return np.clip(np.rint(np.asarray(img, np.float32) * 255.0), 0, 255).astype(np.uint8)


def downsample(img: np.ndarray, max_side: int = MAX_DISPLAY_SIDE) -> np.ndarray:
    """Shrink (area averaging) so that max(H, W) <= max_side; small images pass through.

    Works for (H, W), (H, W, C) of any dtype OpenCV resizes (uint8, uint16, float32).
    NaNs in float maps are kept as NaN where a whole block was NaN.
    """
    h, w = img.shape[:2]
    scale = max_side / max(h, w)
    if scale >= 1.0:
        return img
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    if img.dtype.kind == "f" and not np.isfinite(img).all():
        finite = np.isfinite(img)
        filled = np.where(finite, img, 0).astype(np.float32)
        num = cv2.resize(filled, size, interpolation=cv2.INTER_AREA)
        den = cv2.resize(finite.astype(np.float32), size, interpolation=cv2.INTER_AREA)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(den > 0, num / np.maximum(den, 1e-12), np.nan).astype(np.float32)
    if img.dtype == np.float64:
        img = img.astype(np.float32)
    if img.dtype == bool:
        img = img.astype(np.float32)
    return cv2.resize(np.ascontiguousarray(img), size, interpolation=cv2.INTER_AREA)


def display_image(img: np.ndarray, max_side: int = MAX_DISPLAY_SIDE) -> np.ndarray:
    """A uint8 (h, w) or (h, w, 3) copy to show, downsampled from any photo array."""
    return to_uint8(downsample(img, max_side))


def picture_key(name: str) -> str:
    """Key under which :func:`display_diagnostics` stores the RGB picture of a flow map."""
    return f"{name}:picture"


def underlay_key(name: str) -> str:
    """Key under which :func:`display_diagnostics` stores the photo a map is drawn over (its luma
    at the map's size)."""
    return f"{name}:underlay"


def is_picture_key(name: str) -> bool:
    """Whether a key of :func:`display_diagnostics` holds a picture or an underlay made for a
    map, not a map of the method's."""
    return name.endswith((":picture", ":underlay"))


def is_mask(a: np.ndarray) -> bool:
    """Whether a map holds only 0 and 1 (a classic method's matched / filled-in mask)."""
    return bool(np.isin(a, (0.0, 1.0)).all())


def display_diagnostics(diagnostics: dict[str, Any], max_side: int = MAX_DIAGNOSTIC_SIDE,
                        underlays: dict[str, np.ndarray] | None = None) -> dict[str, Any]:
    """Arrays downsampled to ``max_side`` (float32), everything else passed through.

    Flow maps (h, w, 2) also get their colour-wheel picture under :func:`picture_key` so the
    GUI thread does not compute it. ``underlays``: map name -> the photo (any size, gray or RGB,
    any dtype) in whose frame the map lies, stretched to it; its luma at the map's display size
    is stored under :func:`underlay_key`, for the map to be drawn over.
    """
    from colorstudio.core.diagnostic_maps import flow_to_rgb

    out: dict[str, Any] = {}
    for name, value in diagnostics.items():
        if isinstance(value, np.ndarray) and value.ndim in (2, 3) and value.shape[0] > 1 and value.shape[1] > 1:
            arr = value.astype(np.float32) if value.dtype != np.float32 else value
            if name.startswith("occlusion") and arr.ndim == 2:   # -1 / 0 / +1: a thin fringe stays at full colour
                out[name] = np.sign(downsample(arr, max_side)).astype(np.float32)
            elif name.startswith("confidence") and arr.ndim == 2 and is_mask(arr):   # stays 0/1 when shrunk
                scale = min(1.0, max_side / max(arr.shape))
                size = (max(1, round(arr.shape[1] * scale)), max(1, round(arr.shape[0] * scale)))
                out[name] = cv2.resize(arr, size, interpolation=cv2.INTER_NEAREST) if scale < 1 else arr
            else:
                out[name] = downsample(arr, max_side)
            if name.startswith("flow") and arr.ndim == 3 and arr.shape[2] == 2:
                out[picture_key(name)] = flow_to_rgb(out[name])
        else:
            out[name] = value
    for name, photo in (underlays or {}).items():
        shown = out.get(name)
        if isinstance(shown, np.ndarray) and shown.ndim == 2 and isinstance(photo, np.ndarray):
            out[underlay_key(name)] = _luma_at(photo, shown.shape)
    return out


def _luma_at(photo: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """A photo's luma (float32 [0, 1]) resized to ``shape`` (h, w), whatever its aspect."""
    small = cv2.resize(downsample(photo, 2 * max(shape)), (shape[1], shape[0]), interpolation=cv2.INTER_AREA)
    small = to_uint8(small).astype(np.float32) / 255.0
    return np.ascontiguousarray(luma(small[..., :3]) if small.ndim == 3 else small, np.float32)


def placed_in_frame(shape: tuple[int, ...], frame_wh: tuple[int, int]) -> tuple[float, float, float, float]:
    """Where an image of ``shape`` (H, W[, C]) lies in the views' shared frame (the gray's W, H):
    (x, y, w, h), as large as fits at the image's own aspect ratio, centred. The gray and its
    results fill the frame; a reference of another shape is never stretched to it."""
    fw, fh = frame_wh
    h, w = shape[:2]
    if w <= 0 or h <= 0 or w * fh == h * fw:
        return 0.0, 0.0, float(fw), float(fh)
    scale = min(fw / w, fh / h)
    pw, ph = w * scale, h * scale
    return (fw - pw) / 2, (fh - ph) / 2, pw, ph
