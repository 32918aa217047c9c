"""Pair checks: sizes, alignment, parallax, camera side and tone, in numbers and words.

Everything is measured in pixels of the gray photo, with the reference resized to
the gray's size (per axis), as the colorizers see it. Features (ORB, SIFT as a
fallback) are matched on the lumas at a bounded analysis size (long side
:data:`MAX_SIDE`), so a check takes well under a second even at 12 MP.

Disparity is ``x_ref - x_gray``. ``colour_side`` says where, in the reference, a gray
pixel's match lies: 'right' (larger x: the stereo network searches i..i+d-1 directly)
or 'left' (smaller x: run it mirrored). Physically the colour *camera* then sits on the
opposite side (``colour_camera_position``): a camera to the right sees things further
left.
"""
from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass

import cv2
import numpy as np

from colorstudio.core.check_messages import describe
from colorstudio.core.color import luma
from colorstudio.core.feature_matching import MAX_SIDE, MIN_INLIERS, Matches, chance_matches, match_features
from colorstudio.core.pair_mode import TURNED_DEGREES
from colorstudio.core.pair_shapes import MIN_MEASURE_SIDE, same_aspect, too_small_to_measure

ROWS_OFF_MAX = 0.10      # a rectified pair: at most this share of matches more than 2x the row tolerance off
PARALLAX_MIN_SHARE = 0.2  # a side needs at least this share of matches beyond the dead zone
_TONE_WINDOW = 9         # analysis px, box window for matched neighbourhoods


@dataclass
class PairReport:
    """What :func:`check_pair` found. Sizes are (width, height); offsets in gray px.

    Values that could not be measured (too few matches) are None.
    """

    gray_size: tuple[int, int]
    reference_size: tuple[int, int]
    scale_factor: tuple[float, float]          # gray / reference, (x, y)
    size_mismatch: bool
    aspect_mismatch: bool
    identical: bool
    reference_is_gray: bool
    detector: str
    n_matches: int
    n_inliers: int
    vertical_offset_px: float | None           # median |dy| of inlier matches
    rows_off_fraction: float | None            # share of matches more than 2x tolerance off
    vertical_shift_px: float | None            # signed dy at the centre (ref - gray)
    rotation_deg: float | None                 # tilt of the rows between the shots (a turn
                                               # beyond 20 degrees: the angle of the turn)
    mirrored: bool | None                      # the colour shot is the gray's mirror image
    rectify_tolerance_px: float | None         # None: nothing was matched
    rectified: bool | None
    disparity_min: float | None                # 2nd percentile of x_ref - x_gray
    disparity_max: float | None                # 98th percentile
    disparity_median: float | None
    colour_side: str                           # 'right' | 'left' | 'unknown'
    colour_camera_position: str                # physical: 'left' | 'right' | 'unknown'
    exposure_gain: float | None                # reference / gray brightness
    exposure_stops: float | None               # log2 of the gain
    tone_slope: float | None                   # ref ~ slope * gray + offset
    tone_offset: float | None
    tone_gamma: float | None                   # ref ~ k * gray ** gamma
    mean_luma_diff: float | None               # mean(ref - gray) over matched neighbourhoods
    suggested_mode: str                        # 'stereo' | 'crosscam' | 'single'
    mode_reason: str
    messages: list[str]
    seconds: float
    parallax_near_zero_fraction: float | None = None  # share of matches within the tolerance of 0 px
    view_scale: float | None = None    # the scene's size in the colour shot / in the gray (gray frame):
                                       # below 1 the colour shot covers a wider view
    view_covered: float | None = None  # the share of the gray's view the colour shot shows (0-1)

    def to_dict(self) -> dict:
        """Plain JSON-able dict (tuples become lists, NaN becomes None)."""
        def clean(v):
            if isinstance(v, (list, tuple)):
                return [clean(x) for x in v]
            if isinstance(v, (np.floating, float)):
                return None if not math.isfinite(float(v)) else round(float(v), 4)
            if isinstance(v, (np.integer, np.bool_)):
                return v.item()
            return v

        return {k: clean(v) for k, v in asdict(self).items()}


# ------------------------------------------------------------------ measures
def _turn_degrees(pg: np.ndarray, pr: np.ndarray) -> float | None:
    """The angle (degrees, counter-clockwise) by which a similarity carries the gray's matched
    points onto the reference's; None when it cannot be fitted."""
    if len(pg) < 3:
        return None
    M, _ = cv2.estimateAffinePartial2D(pg.astype(np.float32), pr.astype(np.float32), method=cv2.RANSAC)
    return None if M is None else -math.degrees(math.atan2(M[1, 0], M[0, 0]))


def _view_scale(pg: np.ndarray, pr: np.ndarray) -> float | None:
    """The scene's size in the colour shot over its size in the gray, both in the gray's frame
    (below 1: the colour shot covers a wider view, another lens or zoomed out), when the two
    agree across and down (within 3 %); None when they do not: a deep scene's parallax stretches
    only across (a slanted wall: 0.93 across, 1.00 down), a lens both ways."""
    if len(pg) < 3:
        return None
    M, _ = cv2.estimateAffine2D(pg.astype(np.float32), pr.astype(np.float32), method=cv2.RANSAC)
    if M is None:
        return None
    across, down = math.hypot(M[0, 0], M[1, 0]), math.hypot(M[0, 1], M[1, 1])
    if min(across, down) <= 0 or abs(math.log(across / down)) > math.log(1.03):
        return None
    return math.sqrt(across * down)


def _view_covered(pg: np.ndarray, pr_own: np.ndarray, gray_shape, reference_size) -> float | None:
    """The share of the gray's frame that the colour shot shows: its frame carried into the
    gray's by an affine fit of the matches in its own pixels (a cropped colour shot: below 1)."""
    if len(pg) < 3:
        return None
    M, _ = cv2.estimateAffine2D(pg.astype(np.float32), pr_own.astype(np.float32), method=cv2.RANSAC)
    if M is None or abs(np.linalg.det(M[:, :2])) < 1e-6:
        return None
    to_gray = np.linalg.inv(np.vstack([M, [0, 0, 1]]))[:2]
    (gh, gw), (rw, rh) = gray_shape[:2], reference_size

    def frame(w, h):
        return np.float32([[-0.5, -0.5], [w - 0.5, -0.5], [w - 0.5, h - 0.5], [-0.5, h - 0.5]])

    shown = frame(rw, rh) @ to_gray[:, :2].T.astype(np.float32) + to_gray[:, 2].astype(np.float32)
    if np.linalg.det(to_gray[:, :2]) < 0:          # the same turning sense as the gray's frame
        shown = shown[::-1]
    area, _ = cv2.intersectConvexConvex(np.ascontiguousarray(shown), frame(gw, gh))
    return float(min(1.0, max(0.0, area / (gw * gh))))


def _robust_lstsq(A: np.ndarray, y: np.ndarray) -> np.ndarray:
    coef = np.linalg.lstsq(A, y, rcond=None)[0]
    res = np.abs(y - A @ coef)
    keep = res <= max(3 * 1.4826 * np.median(res), 1e-6)
    if keep.sum() >= A.shape[1] + 2:
        coef = np.linalg.lstsq(A[keep], y[keep], rcond=None)[0]
    return coef


def _as_soft_as_reference(m: Matches) -> np.ndarray:
    """The analysis gray, brought down to the reference's resolution and back as the reference
    was: a much smaller reference is blurred at the analysis size, and a blurred neighbourhood
    has less contrast (a same-frame reference 12x smaller read as "gamma 0.62")."""
    per_x, per_y = (px * m.work_scale for px in m.reference_px)   # analysis px per reference px
    if max(per_x, per_y) <= 1.0:
        return m.gray_work
    h, w = m.gray_work.shape
    small = cv2.resize(m.gray_work, (max(1, round(w / max(per_x, 1.0))), max(1, round(h / max(per_y, 1.0)))),
                       interpolation=cv2.INTER_AREA)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


def _tone(m: Matches) -> dict:
    """Exposure and tone of the reference vs the gray over matched neighbourhoods."""
    k = (_TONE_WINDOW, _TONE_WINDOW)
    gb, rb = cv2.blur(_as_soft_as_reference(m), k), cv2.blur(m.ref_work, k)
    h, w = gb.shape
    s = m.work_scale

    def sample(img, pts):
        x = np.clip(np.rint((pts[:, 0] + 0.5) * s - 0.5), 0, w - 1).astype(int)
        y = np.clip(np.rint((pts[:, 1] + 0.5) * s - 0.5), 0, h - 1).astype(int)
        return img[y, x].astype(np.float64)

    g = sample(gb, m.gray_pts[m.inliers])
    r = sample(rb, m.ref_pts[m.inliers])
    ok = (g > 0.02) & (g < 0.98) & (r > 0.02) & (r < 0.98)
    if ok.sum() < MIN_INLIERS:
        return {}
    g, r = g[ok], r[ok]
    gain = float(np.exp(np.median(np.log(r / g))))
    slope, offset = _robust_lstsq(np.stack([g, np.ones_like(g)], 1), r)
    gamma, _ = _robust_lstsq(np.stack([np.log(g), np.ones_like(g)], 1), np.log(r))
    return {"exposure_gain": gain, "exposure_stops": math.log2(gain), "tone_slope": float(slope),
            "tone_offset": float(offset), "tone_gamma": float(gamma),
            "mean_luma_diff": float(np.mean(r - g))}


def _geometry(m: Matches, gray_shape) -> dict:
    """Row alignment and disparity from the inlier matches."""
    pg, pr = m.gray_pts[m.inliers].astype(np.float64), m.ref_pts[m.inliers].astype(np.float64)
    tol = m.tolerance_px
    dy = pr[:, 1] - pg[:, 1]
    d = pr[:, 0] - pg[:, 0]
    h, w = gray_shape
    A = np.stack([np.ones_like(dy), pg[:, 0] - (w - 1) / 2, pg[:, 1] - (h - 1) / 2], 1)
    shift, tilt, _ = _robust_lstsq(A, dy)
    offset = float(np.median(np.abs(dy)))
    rows_off = float(np.mean(np.abs(dy) > 2 * tol))
    # mirrored: the map from the gray's points to the reference's turns the plane over (a
    # negative determinant; a turn, even by 180 degrees, keeps it positive). A left-right
    # mirror keeps every row, so the row test alone passes it as rectified.
    A = np.stack([pg[:, 0], pg[:, 1], np.ones(len(pg))], 1)
    mirrored = bool(len(pg) >= 6 and np.linalg.det(np.stack([_robust_lstsq(A, pr[:, 0])[:2],
                                                                _robust_lstsq(A, pr[:, 1])[:2]])) < 0)
    rotation = math.degrees(math.atan(tilt))           # the tilt of the rows: small angles
    pr_own = m.ref_pts_own(gray_shape)[m.inliers]
    turn = _turn_degrees(pg, pr_own)
    if turn is not None and abs(turn) > TURNED_DEGREES:   # a turned shot: the tilt cannot say by how much
        rotation = turn
    view = _view_scale(pg, pr)
    # the side: three quarters of the matches with a parallax beyond the dead zone (about a
    # match's precision) have one sign, and at least a fifth of all matches have one (a far
    # background at zero parallax does not hide the side of the near objects)
    tol_x = m.tolerance_x_px
    dead = max(0.5, tol_x / 3)
    pos, neg = float(np.mean(d > dead)), float(np.mean(d < -dead))
    measurable = pos + neg >= PARALLAX_MIN_SHARE
    side = ("right" if measurable and pos >= 0.75 * (pos + neg) else
            "left" if measurable and neg >= 0.75 * (pos + neg) else "unknown")
    return {
        "vertical_offset_px": offset, "rows_off_fraction": rows_off,
        "vertical_shift_px": float(shift), "rotation_deg": rotation, "mirrored": mirrored,
        "rectify_tolerance_px": tol, "rectified": bool(offset <= tol and rows_off <= ROWS_OFF_MAX and not mirrored),
        "disparity_min": float(np.percentile(d, 2)), "disparity_max": float(np.percentile(d, 98)),
        "disparity_median": float(np.median(d)), "colour_side": side,
        "parallax_near_zero_fraction": float(np.mean(np.abs(d) <= tol_x)),
        "view_scale": view,
        "view_covered": _view_covered(pg, pr_own, gray_shape, m.reference_size or (w, h)),
        "colour_camera_position": {"right": "left", "left": "right"}.get(side, "unknown"),
    }


def _subsample(img: np.ndarray, target: int = 512) -> np.ndarray:
    step = max(1, math.ceil(max(img.shape[:2]) / target))
    return img[::step, ::step]


def _is_identical(gray: np.ndarray, ref: np.ndarray) -> bool:
    if gray.shape != ref.shape[:2]:
        return False
    diff = np.abs(_subsample(gray) - luma(_subsample(ref)))
    return bool(diff.mean() < 1 / 255 and np.percentile(diff, 99) < 4 / 255)


def _is_gray_rgb(ref: np.ndarray) -> bool:
    sub = _subsample(ref)
    return bool(np.max(sub.max(axis=2) - sub.min(axis=2)) <= 2 / 255 + 1e-6)


# ------------------------------------------------------------------ public
def as_pair(gray: np.ndarray, reference: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """float32 (H, W) gray and (h, w, 3) reference from either being gray or RGB."""
    gray = np.asarray(gray, np.float32)
    reference = np.asarray(reference, np.float32)
    if gray.ndim == 3:
        gray = luma(gray)
    if reference.ndim == 2:
        reference = np.repeat(reference[..., None], 3, axis=2)
    return gray, reference


def _matches_when_flipped(gray: np.ndarray, reference: np.ndarray, max_side: int) -> bool:
    """Whether the reference flipped left-right matches ``gray`` as a real pair does."""
    m = match_features(gray, np.ascontiguousarray(luma(reference)[:, ::-1]), max_side)
    return m.n_inliers >= MIN_INLIERS and not chance_matches(m.n_inliers, len(m.gray_pts))


def check_pair(gray: np.ndarray, reference: np.ndarray, max_side: int = MAX_SIDE) -> PairReport:
    """Check a pair: gray float32 (H, W) [0,1], reference float32 (h, w, 3) RGB [0,1].

    Never raises for a pair that merely does not match: too few matches give None
    measures and a message saying so.
    """
    t0 = time.perf_counter()
    gray, reference = as_pair(gray, reference)
    (gh, gw), (rh, rw) = gray.shape, reference.shape[:2]
    sx, sy = gw / rw, gh / rh
    facts: dict = {
        "gray_size": (gw, gh), "reference_size": (rw, rh), "scale_factor": (sx, sy),
        "size_mismatch": (gw, gh) != (rw, rh),
        "aspect_mismatch": not same_aspect(gray.shape, reference.shape),
        "identical": _is_identical(gray, reference),
        "reference_is_gray": _is_gray_rgb(reference),
    }
    m = None if too_small_to_measure(gray.shape, reference.shape) else match_features(gray, luma(reference), max_side)
    facts.update(detector=m.detector if m else "none", n_matches=len(m.gray_pts) if m else 0,
                 n_inliers=m.n_inliers if m else 0)
    by_chance = m is not None and chance_matches(m.n_inliers, len(m.gray_pts))
    # a mirrored colour shot matches weakly (the detectors' descriptors are not mirror-blind), as
    # another scene does, or with too few matches to measure (8 to 14, half of them agreeing);
    # matched again flipped back, it matches as a real pair
    weak = m is not None and (by_chance or m.n_inliers < MIN_INLIERS)
    mirrored = weak and _matches_when_flipped(gray, reference, max_side)
    by_chance = by_chance and not mirrored
    measures = dict.fromkeys(
        ["vertical_offset_px", "rows_off_fraction", "vertical_shift_px", "rotation_deg", "mirrored", "rectified",
         "disparity_min", "disparity_max", "disparity_median", "parallax_near_zero_fraction", "exposure_gain", "exposure_stops",
         "tone_slope", "tone_offset", "tone_gamma", "mean_luma_diff", "view_scale", "view_covered"])
    measures.update(colour_side="unknown", colour_camera_position="unknown",
                    rectify_tolerance_px=m.tolerance_px if m else None)
    if m is not None and m.n_inliers >= MIN_INLIERS and not by_chance:
        measures.update(_geometry(m, gray.shape))
        measures.update(_tone(m))
    if mirrored:
        measures.update(mirrored=True, rectified=False)
    facts.update(measures)
    mode, reason, messages = describe(facts, MIN_INLIERS, MIN_MEASURE_SIDE)
    return PairReport(**facts, suggested_mode=mode, mode_reason=reason, messages=messages,
                      seconds=time.perf_counter() - t0)
