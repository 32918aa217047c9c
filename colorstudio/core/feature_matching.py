"""Feature matches between a gray photo and its colour reference, as the pair checks
(:mod:`colorstudio.core.checks`) and the rectification (:mod:`colorstudio.core.rectify`) use
them: ORB (SIFT as a fallback) on the lumas at a bounded analysis size, the inliers of a
geometric fit, and when those are too few or too much in disagreement to be more than chance.
"""
from __future__ import annotations

import math
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
# Another 150 random unrelated pairs (session 41) let 5 through (up to 29 of 47 agreeing, most
# with the colour shot 8x smaller): the check is a warning, and tighter thresholds would
# warn on related pairs instead.
FEW_INLIERS = 30         # below this many inliers ...
MIN_AGREEING = 0.5       # ... fewer than this share of the matches agreeing is chance
SAME_SCENE_MIN_INLIERS = 8   # fewer: nothing in common at all
ASPECT_TOL = 0.05        # a reference's shape this close to the gray's is matched stretched to it


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
    reference px (x, y) (1 for a reference as large as the gray or larger). reference_size:
    the reference's own (w, h), to undo the stretch (:meth:`ref_pts_own`).
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
    reference_size: tuple[int, int] | None = None

    @property
    def n_inliers(self) -> int:
        return int(self.inliers.sum())

    def ref_pts_own(self, gray_shape) -> np.ndarray:
        """``ref_pts`` in the reference's own pixels (angles are only true there when the two
        shots differ in shape: a quarter turn stretched over the gray's frame is not one)."""
        if self.reference_size is None:
            return self.ref_pts
        (gh, gw), (rw, rh) = gray_shape[:2], self.reference_size
        return ((self.ref_pts + 0.5) * np.float32([rw / gw, rh / gh]) - 0.5).astype(np.float32)

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
    """Both lumas at the analysis size (reference resized per axis, as the matches are given)."""
    gh, gw = gray.shape
    ww, wh = max(8, round(gw * s)), max(8, round(gh * s))
    g_work = cv2.resize(gray, (ww, wh), interpolation=cv2.INTER_AREA)
    return g_work, _resized(ref_luma, ww, wh)


def _resized(img: np.ndarray, w: int, h: int) -> np.ndarray:
    return cv2.resize(img, (w, h), interpolation=cv2.INTER_AREA if img.shape[1] >= w else cv2.INTER_LINEAR)


def _own_shape(ref_luma: np.ndarray, r_work: np.ndarray) -> np.ndarray | None:
    """The reference at its own shape and ``r_work``'s area, when its shape is not the gray's
    (None when it is): a shot turned by a quarter or of another field of view, squeezed into
    the gray's shape, bends what the detectors describe (a quarter-turned Motorcycle shot 2x
    smaller kept 29 of 47 matches squeezed, taken for another scene; 515 at its own shape). A
    reference that is the gray's frame stored squeezed matches best stretched, so both are tried,
    this one second and kept only with :data:`FEW_INLIERS` or more: on 150 pairs of unrelated
    photos (session 41) a second try taken whenever it found more let 7 be called related, where
    stretched alone let 5, and this rule 5)."""
    (rh, rw), (wh, ww) = ref_luma.shape, r_work.shape
    if abs((ww / rw) / (wh / rh) - 1) <= ASPECT_TOL:
        return None
    k = math.sqrt(ww * wh / (rw * rh))
    return _resized(ref_luma, max(8, round(rw * k)), max(8, round(rh * k)))


def _in_gray_px(pts: np.ndarray, image_shape, gray_shape) -> np.ndarray:
    """Points (x, y) found on an image of ``image_shape`` -> gray px, that image stretched per
    axis over the gray's frame (pixel centres)."""
    fx, fy = image_shape[1] / gray_shape[1], image_shape[0] / gray_shape[0]
    return np.stack([(pts[:, 0] + 0.5) / fx - 0.5, (pts[:, 1] + 0.5) / fy - 0.5], 1).astype(np.float32)


def match_features(gray: np.ndarray, ref_luma: np.ndarray, max_side: int = MAX_SIDE) -> Matches:
    """Match ``gray`` (H, W) against ``ref_luma`` (h, w), both float32 [0, 1].

    ORB first; SIFT (at most 768 px, slower but steadier on soft or low-texture
    shots) only if ORB finds few geometric inliers; each on the reference stretched over the
    gray's frame and, when its shape differs and that found few, at its own shape
    (:func:`_own_shape`). Returns the best.
    """
    best = None
    for detector, side in (("orb", max_side), ("sift", min(max_side, 768))):
        s = analysis_scale(gray.shape, ref_luma.shape, side)
        g_work, r_work = _work_images(gray, ref_luma, s)
        sx, sy = g_work.shape[1] / gray.shape[1], g_work.shape[0] / gray.shape[0]
        ref_px = (max(1.0, gray.shape[1] / ref_luma.shape[1]), max(1.0, gray.shape[0] / ref_luma.shape[0]))
        for r_detect in (r_work, _own_shape(ref_luma, r_work)):    # stretched over the gray's frame first
            if r_detect is None:
                continue
            pa, pb = _detect_and_match(_to_u8(g_work), _to_u8(r_detect), detector)
            pg, pr = _in_gray_px(pa, g_work.shape, gray.shape), _in_gray_px(pb, r_detect.shape, gray.shape)
            inl, F = _geometric_inliers(pg, pr, tolerance_px(min(sx, sy), max(ref_px)))
            cand = Matches(pg, pr, inl, F, min(sx, sy), detector, g_work, r_work, ref_px,
                           (ref_luma.shape[1], ref_luma.shape[0]))
            own_shape = r_detect is not r_work     # tried as a second chance: it must be a clear
            if own_shape and cand.n_inliers < FEW_INLIERS:   # measurement (or it adds chance matches)
                continue
            if best is None or cand.n_inliers > best.n_inliers:
                best = cand
            if best.n_inliers >= 4 * MIN_INLIERS:
                return best
    return best
