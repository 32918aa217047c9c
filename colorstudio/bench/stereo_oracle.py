"""The ground-truth-disparity oracle for Motorcycle: how far can alignment alone go?

Middlebury ships the left view's true disparity. Warping the reference with it (and the right
view's disparity, forward-splatted from the left one) is what a perfect stereo matcher would
do; the chroma it gives, smoothed by the same guided filter as the classic methods, is the
ceiling of every method that only moves the reference's colours. Occluded / unknown pixels
take the nearest known disparity of the same row (what a matcher would guess).

:func:`unmatched_mask` marks the gray's pixels that have no known counterpart in the
reference (half-occluded, outside its view, or of unknown disparity): the benchmark scores
them apart from the matched ones, since no alignment can get their colour right.
"""
from __future__ import annotations

import cv2
import numpy as np

from colorstudio.core.color import rgb_to_ycbcr
from colorstudio.core.guided import guided_upsample_chroma


def right_disparity(disparity_left: np.ndarray) -> np.ndarray:
    """Forward-splat the left view's disparity (x_left - x_right, > 0) onto the right view;
    the nearest surface (largest disparity) wins; unseen pixels are NaN."""
    h, w = disparity_left.shape
    out = np.full((h, w), -np.inf, np.float32)
    ys, xs = np.nonzero(np.isfinite(disparity_left))
    d = disparity_left[ys, xs].astype(np.float32)
    xr = np.rint(xs - d).astype(int)
    keep = (xr >= 0) & (xr < w)
    np.maximum.at(out, (ys[keep], xr[keep]), d[keep])
    out[~np.isfinite(out)] = np.nan
    return out


def fill_rows(disparity: np.ndarray) -> np.ndarray:
    """NaN/inf pixels take the nearest finite value of their row (0 for an empty row)."""
    out = disparity.astype(np.float32).copy()
    cols = np.arange(out.shape[1])
    for row in out:
        ok = np.isfinite(row)
        if not ok.any():
            row[:] = 0.0
        elif not ok.all():
            nearest = np.searchsorted(cols[ok], cols).clip(0, ok.sum() - 1)
            left = (nearest - 1).clip(0)
            known = cols[ok]
            pick = np.where(np.abs(known[left] - cols) < np.abs(known[nearest] - cols), left, nearest)
            row[:] = row[ok][pick]
    return out


def unmatched_mask(disparity_left: np.ndarray, gray_is_left: bool) -> np.ndarray:
    """(H, W) bool: the gray view's pixels with no known counterpart in the other view.

    A pixel is matched when its disparity is known, it lands inside the other view, and no
    nearer surface (a larger disparity, by more than one pixel) lands on the same spot there.
    For the right view the disparity is the splatted one, so pixels nothing lands on are
    unmatched too.
    """
    if gray_is_left:
        disp = disparity_left.astype(np.float32)
        other = right_disparity(disp)
    else:  # the mirror: the right view seen as a left view of the mirrored pair
        disp = right_disparity(disparity_left)
        other = right_disparity(disp[:, ::-1])[:, ::-1]
    h, w = disp.shape
    known = np.isfinite(disp)
    d = np.where(known, disp, 0.0)
    cols = np.arange(w)[None, :]
    x_other = np.rint(cols - d if gray_is_left else cols + d).astype(int)
    inside = (x_other >= 0) & (x_other < w)
    landing = np.take_along_axis(other, x_other.clip(0, w - 1), axis=1)
    nearer = np.nan_to_num(landing, nan=np.inf) > d + 1.0
    return ~known | ~inside | nearer


def oracle_chroma(gray: np.ndarray, reference: np.ndarray, disparity_left: np.ndarray,
                  gray_is_left: bool, smooth: bool = True) -> np.ndarray:
    """Chroma (H, W, 2) of ``reference`` warped to ``gray`` with the true disparity.

    gray (H, W) float32 [0,1]; reference (H, W, 3) RGB; disparity_left (H, W), x_left - x_right.
    """
    disp = disparity_left if gray_is_left else right_disparity(disparity_left)
    disp = fill_rows(np.where(np.isfinite(disp), disp, np.nan))
    h, w = gray.shape
    sign = -1.0 if gray_is_left else 1.0  # x_ref = x_gray - d (gray left) or x_gray + d
    map_x = (np.arange(w, dtype=np.float32)[None, :] + sign * disp).astype(np.float32)
    map_y = np.repeat(np.arange(h, dtype=np.float32)[:, None], w, 1)
    warped = cv2.remap(np.ascontiguousarray(reference, np.float32), map_x, map_y, cv2.INTER_LINEAR,
                       borderMode=cv2.BORDER_REPLICATE)
    chroma = rgb_to_ycbcr(np.clip(warped, 0, 1))[..., 1:]
    return guided_upsample_chroma(chroma, gray) if smooth else chroma
