"""The steps every single-gray method shares around its network (numpy + OpenCV, no torch):
the working-size gray, hue/saturation as colour vectors and as chroma, the joint bilateral
filter of the working chroma, the HSV saturation factor, and the way to full size (guided by
the full-resolution gray), keeping the working chroma so that the strength can change later
(:func:`resaturate`)."""
from __future__ import annotations

import cv2
import numpy as np

from colorstudio.core.color import compose, hsv_to_rgb, luma, rgb_to_hsv, rgb_to_ycbcr
from colorstudio.core.guided import detail_upsample_chroma
from colorstudio.core.joint_bilateral import joint_bilateral
from colorstudio.core.result import ChromaResult, WorkingChroma
from colorstudio.errors import MethodError

MIN_WORKING_SHORT_SIDE = 32
# The joint bilateral filter every method's working chroma gets before the saturation (guide:
# the working gray). Wide in space and narrow in gray level: each region takes the colour most
# of it agrees on. Chosen for Deep Colorization on its tuning split of the training photos
# (models/cheng.json, bilateral_choice): +0.12 dB at colourfulness 0.6 over the paper-like
# radius 5 / sigma 3 / 0.08, on each of four MLP seeds (+0.02 and +0.21 on two fresh splits). The HSV nets' average gains less
# (+0.07 on those photos, +0.02 on the benchmark's; models/hsv2stage.json, notes). The filter is
# linear in the chroma, so the ensemble filters its members' mean once.
CHROMA_BILATERAL = {"radius": 16, "sigma_space": 15.0, "sigma_range": 0.06, "tap_step": 2}


def check_gray(gray: np.ndarray) -> np.ndarray:
    gray = np.asarray(gray)
    if gray.ndim != 2 or gray.size == 0:
        raise MethodError(f"single-gray colorization needs a gray (H, W) image, got shape {gray.shape}")
    gray = gray.astype(np.float32, copy=False)
    if not np.all(np.isfinite(gray)):
        raise MethodError("the gray image contains NaN or infinite values")
    return np.clip(gray, 0.0, 1.0)


MAX_STRIP_ENLARGEMENT = 8      # a thin strip's long side is kept within this many working long sides


def working_gray(gray: np.ndarray, long_side: int) -> np.ndarray:
    """Area-resize so the long side is <= ``long_side``; a photo whose short side would fall
    under 32 px is enlarged to that (the nets need it). A thin strip (a 16 x 5000 scan) is
    not enlarged whole, which would make its long side 10000 px and its working size 12 times
    the budget: its long side stops at ``MAX_STRIP_ENLARGEMENT`` working long sides and only
    its short side is stretched to 32 px (the chroma goes back to the gray's shape anyway)."""
    h, w = gray.shape
    scale = min(1.0, long_side / max(h, w))
    sy = sx = max(scale, MIN_WORKING_SHORT_SIDE / min(h, w))
    if max(h, w) * sx > MAX_STRIP_ENLARGEMENT * long_side:
        long_scale = MAX_STRIP_ENLARGEMENT * long_side / max(h, w)
        sy, sx = (MIN_WORKING_SHORT_SIDE / h, long_scale) if h < w else (long_scale, MIN_WORKING_SHORT_SIDE / w)
    if sx == sy == 1.0:
        return gray
    size = (max(1, round(w * sx)), max(1, round(h * sy)))
    shrink = size[0] * size[1] < w * h
    return cv2.resize(gray, size, interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR)


def hs_to_chroma(hue: np.ndarray, sat: np.ndarray, gray: np.ndarray) -> np.ndarray:
    """Cb/Cr (H, W, 2) in [0,1] of the colour with this hue, HSV saturation and luma ``gray``.

    V is set so that the BT.601 luma of hsv_to_rgb(h, s, V) equals the gray (capped at 1).
    """
    unit = hsv_to_rgb(np.stack([hue, sat, np.ones_like(hue)], axis=-1))
    v = np.clip(gray / np.maximum(luma(unit), 1e-3), 0.0, 1.0)
    return rgb_to_ycbcr(unit * v[..., None])[..., 1:]


def hue_vectors(hs: np.ndarray) -> np.ndarray:
    """(2, H, W) hue/saturation -> (H, W, 2) colour vectors (s cos h, s sin h): a form that can
    be averaged and resized (hue itself is circular: 0.95 and 0.05 are neighbours)."""
    angle = 2 * np.pi * hs[0]
    return np.stack([hs[1] * np.cos(angle), hs[1] * np.sin(angle)], axis=-1).astype(np.float32)


def vectors_to_hue_saturation(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(H, W, 2) colour vectors -> (hue in [0, 1), saturation)."""
    return (np.arctan2(v[..., 1], v[..., 0]) / (2 * np.pi)) % 1.0, np.hypot(v[..., 0], v[..., 1])


def apply_saturation(gray: np.ndarray, chroma: np.ndarray, factor: float) -> np.ndarray:
    """Scale the HSV saturation of compose(gray, chroma) by ``factor``; returns new Cb/Cr.
    Every factor, 1 included, gives in-gamut chroma: returning the raw chroma at exactly 1 made
    the full-size result jump by up to 8/255 between x0.999, x1 and x1.001 (the upsampling
    spreads out-of-gamut chroma differently)."""
    rgb = compose(gray, chroma)
    if factor == 1.0:
        return rgb_to_ycbcr(rgb)[..., 1:]
    hsv = rgb_to_hsv(rgb)
    return hs_to_chroma(hsv[..., 0], np.clip(hsv[..., 1] * factor, 0, 1), gray)


SATURATION_RANGE = (0.0, 4.0)    # the colour strength (HSV saturation factor) a method takes


def check_saturation(saturation) -> float:
    try:
        s = float(saturation)
    except (TypeError, ValueError):
        raise MethodError(f"saturation must be a number, got {saturation!r}") from None
    low, high = SATURATION_RANGE
    if not low <= s <= high:
        raise MethodError(f"saturation must be between {low:g} and {high:g}, got {s:g}")
    return s


def finish(g: np.ndarray, chroma_work: np.ndarray, saturation: float, gray: np.ndarray, info: dict,
           diagnostics: dict | None = None, defer_full_size: bool = False) -> ChromaResult:
    """The last steps, shared by the methods: the saturation factor on the filtered working
    chroma, then the upsampling to the gray's full size (left to the caller with
    ``defer_full_size``: the result then has ``reduced`` instead of ``chroma``, see
    :class:`ChromaResult`). The result keeps the working chroma before the factor, so that its
    strength can change without running the method again (:func:`resaturate`).
    Diagnostics: the hue and saturation maps of the result, and the method's own ``diagnostics``."""
    working = WorkingChroma(g, chroma_work)
    saturated = apply_saturation(g, chroma_work, saturation)
    diagnostics = {**hue_saturation_maps(g, saturated), **(diagnostics or {})}
    info.update(working_size=list(chroma_work.shape[1::-1]), size=[gray.shape[1], gray.shape[0]])
    if defer_full_size and saturated.shape[:2] != gray.shape:
        return ChromaResult(None, diagnostics, info, working, reduced=saturated)
    return ChromaResult(full_size(saturated, gray), diagnostics, info, working)


def full_size(chroma: np.ndarray, gray: np.ndarray) -> np.ndarray:
    """Working-size chroma brought to the size of ``gray``, guided by it (every single-gray
    method's last step)."""
    return detail_upsample_chroma(chroma, gray).astype(np.float32, copy=False)


def saturated_working(working: WorkingChroma, saturation: float) -> np.ndarray:
    """A result's kept working-size chroma at another (checked) saturation factor."""
    return apply_saturation(working.gray, working.chroma, check_saturation(saturation))


def resaturate(working: WorkingChroma, gray: np.ndarray, saturation: float,
               diagnostics: dict) -> tuple[np.ndarray, dict]:
    """A single-gray result at another saturation factor, without running its method again:
    (full-size chroma, diagnostics with the hue/saturation maps, if it has them, redrawn).
    The same numbers as colorizing again with that ``saturation``. gray: the full-size gray."""
    saturated = saturated_working(working, saturation)
    chroma = full_size(saturated, gray)
    if "saturation" in diagnostics:
        diagnostics = {**diagnostics, **hue_saturation_maps(working.gray, saturated)}
    return chroma, diagnostics


def filtered(g: np.ndarray, chroma: np.ndarray, bilateral: bool = True) -> np.ndarray:
    """The joint bilateral filter every method's working chroma gets (CHROMA_BILATERAL, guide:
    the working gray ``g``) unless ``bilateral`` is False; the saturation comes after it."""
    return joint_bilateral(chroma, g, **CHROMA_BILATERAL) if bilateral else chroma


def hue_saturation_maps(g: np.ndarray, chroma: np.ndarray) -> dict:
    hsv = rgb_to_hsv(compose(g, chroma))
    return {"hue": hsv[..., 0], "saturation": hsv[..., 1]}
