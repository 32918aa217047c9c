"""Automatic rectification of a gray+colour pair, and the way back to the gray's geometry.

From feature matches (:func:`colorstudio.core.feature_matching.match_features`, inliers of a
RANSAC fundamental matrix) three row-aligning models are tried, first good one wins:

1. quasi-Euclidean (Fusiello & Irsara 2008): small rotations of each camera plus a
   focal length and a reference zoom, fitted by Levenberg-Marquardt on the row
   differences. Homographies stay close to the identity, so the gray hardly moves;
2. Hartley's uncalibrated rectification from F (``cv2.stereoRectifyUncalibrated``);
   rows line up as well, but it distorts more (about 20% on a 1.5-degree tilt);
3. a homography mapping the reference onto the gray (no parallax: flat or far scenes).

Each is followed by a common row-preserving affine that keeps the rectified gray
nearest the gray itself, and a horizontal shift of the reference that restores the
measured median disparity (its sign tells the stereo network which way to search).
A pair that is already rectified, or that rectifying would not improve, is left alone.

Colorize ``gray_rect`` with ``reference_rect``, then :func:`unrectify` the result: the
output is always in the gray photo's own geometry and size.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from colorstudio.core.checks import ROWS_OFF_MAX, PairReport, as_pair
from colorstudio.core.color import luma
from colorstudio.core.feature_matching import MAX_SIDE, MIN_INLIERS, Matches, match_features
from colorstudio.errors import ColorStudioError, PairError

METHODS = ("quasi-euclidean", "uncalibrated", "homography")  # tried in this order
_MAX_CANVAS = 2.0  # the rectified canvas is at most this many times the gray's size per axis


@dataclass
class Rectification:
    """A rectified pair. Homographies map pixel (x, y, 1) columns, float64 3x3.

    gray_rect:       (H', W') float32 [0,1], the gray warped by ``H_gray``.
    reference_rect:  (H', W', 3) float32 [0,1] RGB, the reference warped by ``H_ref``.
    H_gray:          gray px -> rectified px.
    H_ref:           reference px (its own size) -> rectified px.
    size:            (W', H') of the rectified canvas.
    valid:           (H', W') bool, where both warped images have data.
    quality:         JSON-able figures: applied, method, n_matches, n_inliers, inlier_ratio,
                     vertical_offset_before_px, vertical_offset_after_px (median |dy| of the
                     inliers), vertical_offset_after_p90_px, disparity_min/max (rectified px,
                     x_ref - x_gray, 2/98 percentiles), ref_scale.
    """

    gray_rect: np.ndarray
    reference_rect: np.ndarray
    H_gray: np.ndarray
    H_ref: np.ndarray
    size: tuple[int, int]
    gray_shape: tuple[int, int]
    valid: np.ndarray = field(repr=False)
    quality: dict = field(default_factory=dict)

    @property
    def applied(self) -> bool:
        """False when the pair was already rectified (identity homographies)."""
        return bool(self.quality.get("applied", False))


def shift_columns(img: np.ndarray, offset: int) -> np.ndarray:
    """out[:, x] = img[:, x + offset] (edges replicated): a rectified reference pre-shifted along
    its rows by a disparity offset."""
    if offset == 0:
        return img
    w = img.shape[1]
    idx = np.clip(np.arange(w) + offset, 0, w - 1)
    return img[:, idx]


def needs_rectification(report: PairReport) -> bool:
    """True if the checks found rows out of line (and enough matches to fix it)."""
    return report.rectified is False and not report.identical and report.n_inliers >= MIN_INLIERS


# ------------------------------------------------------------------ helpers
def _resize_to(ref: np.ndarray, w: int, h: int) -> tuple[np.ndarray, np.ndarray]:
    """Reference resized to (w, h) and the 3x3 map from its own px to the resized px."""
    rh, rw = ref.shape[:2]
    sx, sy = w / rw, h / rh
    S = np.array([[sx, 0, 0.5 * sx - 0.5], [0, sy, 0.5 * sy - 0.5], [0, 0, 1]], np.float64)
    if (rw, rh) == (w, h):
        return ref, S
    interp = cv2.INTER_AREA if sx * sy < 1 else cv2.INTER_CUBIC
    return np.clip(cv2.resize(ref, (w, h), interpolation=interp), 0, 1), S


def _apply(H: np.ndarray, pts: np.ndarray) -> np.ndarray:
    return cv2.perspectiveTransform(pts.reshape(-1, 1, 2).astype(np.float64), H).reshape(-1, 2)


def _row_offsets(H1: np.ndarray, H2: np.ndarray, m: Matches) -> tuple[np.ndarray, np.ndarray]:
    """(dy, dx) of the inlier matches after warping: ref minus gray."""
    a = _apply(H1, m.gray_pts[m.inliers])
    b = _apply(H2, m.ref_pts[m.inliers])
    return b[:, 1] - a[:, 1], b[:, 0] - a[:, 0]


def _corners(w: int, h: int) -> np.ndarray:
    return np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], np.float64)


def _keeps_orientation(H: np.ndarray, w: int, h: int) -> bool:
    """The homography does not send any part of the image through infinity."""
    c = np.c_[_corners(w, h), np.ones(4)]
    wz = c @ H[2]
    return bool(np.all(wz > 0) or np.all(wz < 0))


def _closest_to_identity(H1: np.ndarray, w: int, h: int) -> np.ndarray:
    """Affine K = [[a, b, c], [0, d, e], [0, 0, 1]] making K @ H1 nearest the identity on
    the gray. The same K applied to both images keeps their rows matched."""
    xs, ys = np.meshgrid(np.linspace(0, w - 1, 9), np.linspace(0, h - 1, 9))
    p = np.c_[xs.ravel(), ys.ravel()]
    q = _apply(H1, p)
    ax = np.linalg.lstsq(np.c_[q, np.ones(len(q))], p[:, 0], rcond=None)[0]
    ay = np.linalg.lstsq(np.c_[q[:, 1], np.ones(len(q))], p[:, 1], rcond=None)[0]
    return np.array([[ax[0], ax[1], ax[2]], [0, ay[0], ay[1]], [0, 0, 1]], np.float64)


def _tidy(H1: np.ndarray, H2: np.ndarray, m: Matches, w: int, h: int) -> tuple[np.ndarray, np.ndarray]:
    """Row-preserving clean-up: a common affine bringing the gray nearest its own
    geometry, then a horizontal shift of the reference restoring the measured median
    disparity (rectification must not change which way, or how far, the colour lies)."""
    K = _closest_to_identity(H1, w, h)
    H1, H2 = K @ H1, K @ H2
    _, dx = _row_offsets(H1, H2, m)
    raw = m.ref_pts[m.inliers, 0] - m.gray_pts[m.inliers, 0]
    shift = np.eye(3)
    shift[0, 2] = float(np.median(raw) - np.median(dx))
    return H1, shift @ H2


def _rotation(axis: int, t: float) -> np.ndarray:
    c, s = np.cos(t), np.sin(t)
    i, j = [(1, 2), (2, 0), (0, 1)][axis]
    R = np.eye(3)
    R[i, i] = R[j, j] = c
    R[i, j], R[j, i] = -s, s
    return R


def _qe_homographies(p: np.ndarray, w: int, h: int) -> tuple[np.ndarray, np.ndarray]:
    """Quasi-Euclidean model (Fusiello & Irsara 2008): each camera turned by small
    rotations, shared focal length f = (w + h) 3**g, the reference zoomed by exp(zoom)."""
    yaw_g, roll_g, pitch_r, yaw_r, roll_r, g, zoom = p
    f = (w + h) * 3.0 ** g
    K = np.array([[f, 0, (w - 1) / 2], [0, f, (h - 1) / 2], [0, 0, 1]])
    K_ref = K.copy()
    K_ref[0, 0] = K_ref[1, 1] = f * np.exp(zoom)
    H1 = K @ _rotation(2, roll_g) @ _rotation(1, yaw_g) @ np.linalg.inv(K)
    H2 = K @ _rotation(2, roll_r) @ _rotation(1, yaw_r) @ _rotation(0, pitch_r) @ np.linalg.inv(K_ref)
    return H1, H2


def _quasi_euclidean(m: Matches, w: int, h: int, iters: int = 40) -> tuple[np.ndarray, np.ndarray]:
    """Levenberg-Marquardt on the row differences of the inliers (weakly pulled to 0)."""
    pg = np.c_[m.gray_pts[m.inliers], np.ones(m.n_inliers)]
    pr = np.c_[m.ref_pts[m.inliers], np.ones(m.n_inliers)]
    reg = np.array([3, 3, 1, 1, 1, 0.3, 1.0]) * 100.0  # px per radian: keep the gray still

    def residuals(p):
        H1, H2 = _qe_homographies(p, w, h)
        a, b = pg @ H1.T, pr @ H2.T
        return np.r_[b[:, 1] / b[:, 2] - a[:, 1] / a[:, 2], reg * p]

    p = np.zeros(7)
    r = residuals(p)
    cost, mu = r @ r, 1e-3
    for _ in range(iters):
        J = np.empty((len(r), 7))
        for k in range(7):
            q = p.copy()
            q[k] += 1e-6
            J[:, k] = (residuals(q) - r) / 1e-6
        A, grad = J.T @ J, J.T @ r
        while mu < 1e8:
            step = np.linalg.solve(A + mu * np.diag(np.diag(A) + 1e-9), -grad)
            r_new = residuals(p + step)
            if r_new @ r_new < cost:
                p, r, cost, mu = p + step, r_new, r_new @ r_new, mu * 0.3
                break
            mu *= 10
        if mu >= 1e8 or np.abs(step).max() < 1e-10:
            break
    return _qe_homographies(p, w, h)


def _uncalibrated(m: Matches, w: int, h: int) -> tuple[np.ndarray, np.ndarray] | None:
    if m.F is None:
        return None
    pg, pr = m.gray_pts[m.inliers], m.ref_pts[m.inliers]
    ok, H1, H2 = cv2.stereoRectifyUncalibrated(pg, pr, m.F, (w, h), threshold=3 * m.tolerance_px)
    if not ok or not np.all(np.isfinite(H1)) or not np.all(np.isfinite(H2)):
        return None
    return H1, H2


def _homography(m: Matches) -> tuple[np.ndarray, np.ndarray] | None:
    """Reference mapped onto the gray (no parallax case); the gray stays as it is."""
    pg, pr = m.gray_pts[m.inliers], m.ref_pts[m.inliers]
    if len(pg) < 4:
        return None
    H, _ = cv2.findHomography(pr, pg, cv2.RANSAC, 2 * m.tolerance_px)
    return None if H is None else (np.eye(3), H)


def _canvas(H1: np.ndarray, w: int, h: int) -> tuple[np.ndarray, tuple[int, int]]:
    """Translation putting the whole warped gray on the canvas, and the canvas size."""
    c = _apply(H1, _corners(w, h))
    x0, y0 = np.floor(c.min(0))
    x1, y1 = np.ceil(c.max(0))
    cw, ch = int(x1 - x0 + 1), int(y1 - y0 + 1)
    if cw > _MAX_CANVAS * w or ch > _MAX_CANVAS * h or cw < w / _MAX_CANVAS or ch < h / _MAX_CANVAS:
        return None, (0, 0)
    return np.array([[1, 0, -x0], [0, 1, -y0], [0, 0, 1]], np.float64), (cw, ch)


def _warp(img: np.ndarray, H: np.ndarray, size: tuple[int, int], inverse: bool = False) -> np.ndarray:
    """warpPerspective for any number of channels (OpenCV takes at most 4 at a time)."""
    flags = cv2.INTER_LINEAR | (cv2.WARP_INVERSE_MAP if inverse else 0)
    img = np.asarray(img)
    if img.ndim == 3 and img.shape[2] > 4:
        return np.dstack([_warp(img[..., i:i + 4], H, size, inverse) for i in range(0, img.shape[2], 4)])
    out = cv2.warpPerspective(img, H, size, flags=flags, borderMode=cv2.BORDER_REPLICATE)
    return out[..., None] if img.ndim == 3 and out.ndim == 2 else out


def _valid(H: np.ndarray, shape: tuple[int, int], size: tuple[int, int]) -> np.ndarray:
    ones = np.ones(shape, np.uint8)
    return cv2.warpPerspective(ones, H, size, flags=cv2.INTER_NEAREST, borderValue=0) > 0


def _figures(H1, H2, m: Matches, before: float, method: str, applied: bool, S: np.ndarray) -> dict:
    dy, dx = _row_offsets(H1, H2, m)
    return {
        "applied": applied, "method": method, "n_matches": int(len(m.gray_pts)),
        "n_inliers": m.n_inliers, "inlier_ratio": round(m.n_inliers / max(1, len(m.gray_pts)), 4),
        "vertical_offset_before_px": round(before, 3),
        "vertical_offset_after_px": round(float(np.median(np.abs(dy))), 3),
        "vertical_offset_after_p90_px": round(float(np.percentile(np.abs(dy), 90)), 3),
        "disparity_min": round(float(np.percentile(dx, 2)), 2),
        "disparity_max": round(float(np.percentile(dx, 98)), 2),
        "ref_scale": [round(float(S[0, 0]), 5), round(float(S[1, 1]), 5)],
    }


# ------------------------------------------------------------------ public
def rectify_pair(gray: np.ndarray, reference: np.ndarray, *, force: bool = False,
                 method: str = "auto", max_side: int = MAX_SIDE) -> Rectification:
    """Rectify gray float32 (H, W) [0,1] with reference float32 (h, w, 3) RGB [0,1].

    The reference is first resized to the gray's size. If the pair is already
    rectified (rows within the checks' tolerance), or rectifying would not reduce the
    row offset, identity homographies are returned (``quality['applied']`` False)
    unless ``force``. ``method``: 'auto' (the first of :data:`METHODS` that lines the
    rows up, else the best) or one of :data:`METHODS`. Raises :class:`~colorstudio.errors.PairError` if the shots have
    too few matches or cannot be brought into line.
    """
    if method != "auto" and method not in METHODS:
        raise ColorStudioError(f"unknown rectification method '{method}' (use auto, {', '.join(METHODS)})")
    gray, reference = as_pair(gray, reference)
    h, w = gray.shape
    ref, S = _resize_to(reference, w, h)
    m = match_features(gray, luma(ref), max_side)
    if m.n_inliers < MIN_INLIERS:
        raise PairError(f"cannot rectify the pair: only {m.n_inliers} matching details were found "
                        f"(at least {MIN_INLIERS} are needed); do the two shots show the same scene?")
    eye = np.eye(3)
    dy0, _ = _row_offsets(eye, eye, m)
    before = float(np.median(np.abs(dy0)))
    tol = m.tolerance_px
    identity = Rectification(gray, ref, eye, S.copy(), (w, h), (h, w), np.ones((h, w), bool),
                             _figures(eye, eye, m, before, "none", False, S))
    if not force and before <= tol and np.mean(np.abs(dy0) > 2 * tol) <= ROWS_OFF_MAX:
        return identity

    best = None
    candidates = zip(METHODS, (lambda: _quasi_euclidean(m, w, h), lambda: _uncalibrated(m, w, h),
                               lambda: _homography(m)))
    for name, fit in candidates:
        if method not in ("auto", name):
            continue
        Hs = fit()
        if Hs is None or not all(_keeps_orientation(H, w, h) for H in Hs):
            continue
        H1, H2 = _tidy(Hs[0], Hs[1], m, w, h)
        T, size = _canvas(H1, w, h)
        if T is None:
            continue
        H1, H2 = T @ H1, T @ H2
        after = float(np.median(np.abs(_row_offsets(H1, H2, m)[0])))
        if best is None or after < best[0] - 0.1:
            best = (after, name, H1, H2, size)
        if after <= tol:
            break
    if best is None:
        raise PairError("cannot rectify the pair: the two cameras look in too different directions "
                        "for their rows to be brought into line")
    after, name, H1, H2, size = best
    if after >= before and not force:
        return identity  # rectifying would not help: never make a pair worse
    gray_rect = _warp(gray, H1, size)
    ref_rect = np.clip(_warp(ref, H2, size), 0, 1)
    valid = _valid(H1, (h, w), size) & _valid(H2, (h, w), size)
    return Rectification(gray_rect, ref_rect, H1, H2 @ S, size, (h, w), valid,
                         _figures(H1, H2, m, before, name, True, S))


def unrectify(image_rect: np.ndarray, rect: Rectification,
              gray_shape: tuple[int, ...] | None = None) -> np.ndarray:
    """Bring an image on the rectified canvas (H', W'[, C]) back to the gray's geometry.

    Returns (H, W[, C]) in the gray photo's own size (``gray_shape`` defaults to the
    one recorded in ``rect``), same dtype (float32/float64/uint8/uint16); borders are
    replicated.
    """
    h, w = (gray_shape or rect.gray_shape)[:2]
    image_rect = np.asarray(image_rect)
    if not rect.applied and np.allclose(rect.H_gray, np.eye(3)) and image_rect.shape[:2] == (h, w):
        return image_rect.copy()
    return _warp(image_rect, rect.H_gray, (w, h), inverse=True)
