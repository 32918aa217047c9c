"""Feature matches between a gray photo and its colour reference, as the pair checks
(:mod:`colorstudio.core.checks`) and the rectification (:mod:`colorstudio.core.rectify`) use
them: ORB (SIFT as a fallback) on the lumas at a bounded analysis size, the inliers of a
geometric fit, and when those are too few or too much in disagreement to be more than chance.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

MAX_SIDE = 1024          # analysis long side (px)
MIN_INLIERS = 15         # fewer geometric inliers -> "could not measure"
RECT_TOL = 1.5           # rows within this many analysis px count as rectified
# Matches that agree by chance are not a measurement either. Measured in session 34 on 150
# pairs of unrelated photos (the shared photo folder, colour shot 1-8x smaller) against 116
# related pairs (Motorcycle, synthesized stereo, viewpoint and temporal pairs, 1-8x): unrelated
# pairs had up to 25 inliers, but with at most 0.47 of their matches agreeing (one had 19 of
# 28); related pairs had at least 19 inliers, and 0.41 agreeing only with 35 of them.
FEW_INLIERS = 30         # below this many inliers ...
MIN_AGREEING = 0.5       # ... fewer than this share of the matches agreeing is chance
SAME_SCENE_MIN_INLIERS = 8   # fewer: nothing in common at all


def chance_matches(n_inliers: int, n_matches: int) -> bool:
    """Whether matches this few, or this much in disagreement, say the shots share nothing:
    another scene, or a shot too featureless to match (see the constants above)."""
    return n_inliers < SAME_SCENE_MIN_INLIERS or (n_inliers < FEW_INLIERS and n_inliers < MIN_AGREEING * n_matches)


@dataclass
class Matches:
    """Feature matches between a gray photo and its reference.

    gray_pts, ref_pts: (N, 2) float32 (x, y) in gray pixels (the reference as if
    resized to the gray's size). inliers: (N,) bool, consistent with ``F`` (3x3,
    ``[x_r, y_r, 1] F [x_g, y_g, 1]^T = 0``) or, when no F could be fitted, with the
    median vertical offset. work_scale: analysis px per gray px. reference_px: gray px per
    reference px (x, y) (1 for a reference as large as the gray or larger).
    """

    gray_pts: np.ndarray
    ref_pts: np.ndarray
    inliers: np.ndarray
    F: np.ndarray | None
    work_scale: float
    detector: str
    gray_work: np.ndarray = field(repr=False)  # (h, w) float32 [0,1] analysis-size gray
    ref_work: np.ndarray = field(repr=False)   # (h, w) float32 [0,1] analysis-size reference luma
    reference_px: tuple[float, float] = (1.0, 1.0)

    @property
    def n_inliers(self) -> int:
        return int(self.inliers.sum())

    @property
    def tolerance_px(self) -> float:
        """How far (gray px) a right match may be off its row: :data:`RECT_TOL` analysis px,
        or :data:`RECT_TOL` half-pixels of the reference (down) when those are larger (a
        reference 16x smaller places its features no closer than half of its 16 px pixels)."""
        return tolerance_px(self.work_scale, self.reference_px[1])

    @property
    def tolerance_x_px(self) -> float:
        """The same across (for the parallax): the reference's pixel width."""
        return tolerance_px(self.work_scale, self.reference_px[0])


def tolerance_px(work_scale: float, reference_px: float) -> float:
    """See :attr:`Matches.tolerance_px`."""
    return RECT_TOL * max(1.0 / work_scale, 0.5 * reference_px)


# ------------------------------------------------------------------ matching
def _to_u8(img: np.ndarray) -> np.ndarray:
    """Percentile contrast stretch to uint8 (makes detection exposure-independent)."""
    lo, hi = np.percentile(img[::4, ::4], (0.5, 99.5))
    scale = 255.0 / max(float(hi - lo), 1e-3)
    return np.clip((img - lo) * scale, 0, 255).astype(np.uint8)


def _detect_and_match(a: np.ndarray, b: np.ndarray, detector: str):
    if detector == "orb":
        det, norm, ratio = cv2.ORB_create(nfeatures=2000, fastThreshold=12), cv2.NORM_HAMMING, 0.8
    else:
        det, norm, ratio = cv2.SIFT_create(nfeatures=2500), cv2.NORM_L2, 0.75
    ka, da = det.detectAndCompute(a, None)
    kb, db = det.detectAndCompute(b, None)
    if da is None or db is None or len(ka) < 2 or len(kb) < 2:
        return np.zeros((0, 2), np.float32), np.zeros((0, 2), np.float32)
    pairs = cv2.BFMatcher(norm).knnMatch(da, db, k=2)
    good = [m[0] for m in pairs if len(m) == 2 and m[0].distance < ratio * m[1].distance]
    pa = np.float32([ka[m.queryIdx].pt for m in good]).reshape(-1, 2)
    pb = np.float32([kb[m.trainIdx].pt for m in good]).reshape(-1, 2)
    return pa, pb


def _geometric_inliers(pg: np.ndarray, pr: np.ndarray, thr: float):
    """Inliers of a RANSAC fundamental matrix, or of the median row offset if F fails."""
    F = None
    if len(pg) >= 8:
        F, mask = cv2.findFundamentalMat(pg, pr, cv2.FM_RANSAC, thr, 0.999, 2000)
        if F is not None and F.shape == (3, 3) and mask is not None and mask.sum() >= MIN_INLIERS:
            return mask.ravel().astype(bool), F
        F = None
    if len(pg) == 0:
        return np.zeros(0, bool), None
    dy = pr[:, 1] - pg[:, 1]  # degenerate motion (e.g. the same view): rows must agree
    return np.abs(dy - np.median(dy)) <= thr, None


def analysis_scale(gray_shape: tuple[int, int], ref_shape: tuple[int, int], max_side: int = MAX_SIDE) -> float:
    """Analysis px per gray px: long side at most ``max_side``, and not far above the
    reference's own resolution (upsampling a small reference only adds blur)."""
    g_long, r_long = max(gray_shape[:2]), max(ref_shape[:2])
    return min(1.0, max_side / g_long, max(1.5 * r_long, 512) / g_long)


def _work_images(gray: np.ndarray, ref_luma: np.ndarray, s: float):
    """Both lumas at the analysis size (reference resized per axis), and the x/y scales."""
    gh, gw = gray.shape
    ww, wh = max(8, round(gw * s)), max(8, round(gh * s))
    g_work = cv2.resize(gray, (ww, wh), interpolation=cv2.INTER_AREA)
    interp = cv2.INTER_AREA if ref_luma.shape[1] >= ww else cv2.INTER_LINEAR
    r_work = cv2.resize(ref_luma, (ww, wh), interpolation=interp)
    return g_work, r_work, ww / gw, wh / gh


def match_features(gray: np.ndarray, ref_luma: np.ndarray, max_side: int = MAX_SIDE) -> Matches:
    """Match ``gray`` (H, W) against ``ref_luma`` (h, w), both float32 [0, 1].

    ORB first; SIFT (at most 768 px, slower but steadier on soft or low-texture
    shots) only if ORB finds few geometric inliers. Returns the better of the two.
    """
    best = None
    for detector, side in (("orb", max_side), ("sift", min(max_side, 768))):
        s = analysis_scale(gray.shape, ref_luma.shape, side)
        g_work, r_work, sx, sy = _work_images(gray, ref_luma, s)
        pa, pb = _detect_and_match(_to_u8(g_work), _to_u8(r_work), detector)
        # analysis px -> gray px (pixel centres)
        pg = np.stack([(pa[:, 0] + 0.5) / sx - 0.5, (pa[:, 1] + 0.5) / sy - 0.5], 1).astype(np.float32)
        pr = np.stack([(pb[:, 0] + 0.5) / sx - 0.5, (pb[:, 1] + 0.5) / sy - 0.5], 1).astype(np.float32)
        ref_px = (max(1.0, gray.shape[1] / ref_luma.shape[1]), max(1.0, gray.shape[0] / ref_luma.shape[0]))
        inl, F = _geometric_inliers(pg, pr, tolerance_px(min(sx, sy), max(ref_px)))
        cand = Matches(pg, pr, inl, F, min(sx, sy), detector, g_work, r_work, ref_px)
        if best is None or cand.n_inliers > best.n_inliers:
            best = cand
        if cand.n_inliers >= 4 * MIN_INLIERS:
            break
    return best
