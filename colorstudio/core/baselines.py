"""Classic colorizers: the fallback when no model is available, and the benchmark's baselines.

Every function is ``fn(gray, reference, **options) -> ChromaResult`` (see
:mod:`colorstudio.engine.methods`): gray float32 (H, W) in [0, 1]; reference float32
(h, w, 3) RGB in [0, 1], any size (it is resized to the gray's size first). The chroma
comes back at the gray's size; the output luma is the gray itself (the caller composes).

Aligning methods (SGBM, DIS) work at a bounded working size (``max_pixels``, default
1 MP) and bring the chroma back to full size bilinearly, or with the fast guided filter
for the ``*_guided`` variants. Before matching, the reference luma is histogram-matched
to the gray (the two cameras differ in tone and exposure).

Common options: ``max_pixels`` (working size bound), ``gf_radius`` (guided filter window
radius at the working size; default 2 px up to 1000 px, see :func:`guided.default_radius`) and ``gf_eps`` (default 1e-3)
for the guided variants.
"""
from __future__ import annotations

import math

import cv2
import numpy as np

from colorstudio.core.color import rgb_to_ycbcr
from colorstudio.core.guided import DEFAULT_EPS, guided_upsample_chroma
from colorstudio.core.luma_matching import match_luma
from colorstudio.core.result import ChromaResult
from colorstudio.errors import MethodError

DEFAULT_MAX_PIXELS = 1_000_000
_COMMON = {"max_pixels", "gf_radius", "gf_eps"}
# options the CLI/GUI may pass to any method; a method that has no use for one ignores it
# (and says so in info["ignored_options"])
_SHARED = {"side", "max_disparity", "saturation", "mode"}
DIS_PRESETS = {"ultrafast": cv2.DISOPTICAL_FLOW_PRESET_ULTRAFAST,
               "fast": cv2.DISOPTICAL_FLOW_PRESET_FAST,
               "medium": cv2.DISOPTICAL_FLOW_PRESET_MEDIUM}
# OpenCV's DIS 'fast' and 'ultrafast' presets crash the process (a segfault, not an exception)
# on images 20-31 px high (measured with OpenCV 4.x, session 34; 'medium' never): under this
# many pixels a side, 'medium' is used
DIS_FAST_PRESETS_MIN_SIDE = 32


def dis_flow(gray8: np.ndarray, ref8: np.ndarray, preset: str = "medium") -> np.ndarray:
    """OpenCV DIS optical flow (H, W, 2) from ``gray8`` to ``ref8`` (uint8, same shape) with
    ``preset`` (one of :data:`DIS_PRESETS`; 'medium' on an image too small for the others)."""
    if min(gray8.shape[:2]) < DIS_FAST_PRESETS_MIN_SIDE:
        preset = "medium"
    return cv2.DISOpticalFlow_create(DIS_PRESETS[preset]).calc(gray8, ref8, None)


# ------------------------------------------------------------------ shared steps
def _check_options(method: str, options: dict, allowed: set[str]) -> list[str]:
    """Raise on unknown option names; return the shared ones this method ignores."""
    unknown = set(options) - allowed - _COMMON - _SHARED
    if unknown:
        raise MethodError(f"method '{method}' has no option(s) {', '.join(sorted(unknown))}; "
                          f"it accepts {', '.join(sorted(allowed | _COMMON))}")
    return sorted(k for k in set(options) & _SHARED - allowed if options[k] is not None)


def _check_inputs(method: str, gray, reference) -> tuple[np.ndarray, np.ndarray]:
    gray = np.asarray(gray, np.float32)
    if gray.ndim != 2 or gray.size == 0:
        raise MethodError(f"method '{method}' needs a 2-D gray image, got shape {gray.shape}")
    if reference is None:
        raise MethodError(f"method '{method}' needs a colour reference photo")
    reference = np.asarray(reference, np.float32)
    if reference.ndim != 3 or reference.shape[2] != 3 or reference.size == 0:
        raise MethodError(f"method '{method}' needs an RGB reference, got shape {reference.shape}")
    return gray, reference


def _working_size(shape_hw, max_pixels) -> tuple[int, int, float]:
    """(w, h, scale) with w*h <= max_pixels, the gray's aspect ratio; scale = w / gray width."""
    h, w = shape_hw
    scale = min(1.0, math.sqrt(float(max_pixels) / (h * w)))
    if scale >= 1.0:
        return w, h, 1.0
    ws = max(8, int(w * scale))
    return ws, max(8, int(h * scale)), ws / w


def _resize(img: np.ndarray, w: int, h: int) -> np.ndarray:
    if img.shape[1] == w and img.shape[0] == h:
        return img
    shrinking = w * h < img.shape[0] * img.shape[1]
    return cv2.resize(img, (w, h), interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR)


def _prepare(method, gray, reference, options, allowed: set[str]):
    """Check, then working-size gray, reference YCbCr (resized to the gray's geometry), info."""
    ignored = _check_options(method, options, allowed)
    gray, reference = _check_inputs(method, gray, reference)
    w, h, scale = _working_size(gray.shape, options.get("max_pixels", DEFAULT_MAX_PIXELS))
    gray_w = _resize(gray, w, h)
    ref_ycc = rgb_to_ycbcr(_resize(reference, w, h))
    info = {"method": method, "working_size": [w, h], "working_scale": round(scale, 4),
            "reference_size": [int(reference.shape[1]), int(reference.shape[0])]}
    if ignored:
        info["ignored_options"] = ignored
    return gray, gray_w, ref_ycc, info


def _finish(chroma_w: np.ndarray, gray: np.ndarray, guided: bool, options, info) -> np.ndarray:
    """Working-size chroma -> (H, W, 2) at the gray's size, optionally guided-filtered."""
    chroma_w = np.ascontiguousarray(chroma_w, np.float32)
    if guided:
        radius = options.get("gf_radius")
        eps = float(options.get("gf_eps", DEFAULT_EPS))
        info["guided_filter"] = {"radius": radius, "eps": eps}
        return guided_upsample_chroma(chroma_w, gray, radius=radius, eps=eps)
    H, W = gray.shape
    out = _resize(chroma_w, W, H) if chroma_w.shape[:2] != (H, W) else chroma_w
    return np.clip(out, 0.0, 1.0, out=out)


def _to_u8(img: np.ndarray) -> np.ndarray:
    """[0, 1] float -> uint8, rounded and saturated (no full-size float temporaries)."""
    if float(img.min()) < 0.0:
        img = np.maximum(img, 0.0)
    return cv2.convertScaleAbs(img, alpha=255.0)


def _matching_planes(gray_w, ref_y, blur_sigma: float) -> tuple[np.ndarray, np.ndarray]:
    """uint8 gray and luma-matched reference luma for the matchers (lightly denoised)."""
    g, r = gray_w, match_luma(ref_y, gray_w)
    if blur_sigma > 0:
        g = cv2.GaussianBlur(g, (0, 0), blur_sigma)
        r = cv2.GaussianBlur(r, (0, 0), blur_sigma)
    return _to_u8(g), _to_u8(r)


# ------------------------------------------------------------------ copy / neutral / Reinhard
def reference_copy(gray, reference, **options) -> ChromaResult:
    """The reference's Cb/Cr resized to the gray's size, no alignment at all."""
    return _copy("copy", gray, reference, False, options)


def reference_copy_guided(gray, reference, **options) -> ChromaResult:
    return _copy("copy+gf", gray, reference, True, options)


def _copy(name, gray, reference, guided, options):
    gray, _, ref_ycc, info = _prepare(name, gray, reference, options, set())
    return ChromaResult(_finish(ref_ycc[..., 1:], gray, guided, options, info), {}, info)


def neutral(gray, reference=None, **options) -> ChromaResult:
    """No colour: Cb = Cr = 0.5 everywhere (the reference, if any, is ignored)."""
    ignored = _check_options("neutral", options, set())
    gray = np.asarray(gray, np.float32)
    if gray.ndim != 2:
        raise MethodError(f"method 'neutral' needs a 2-D gray image, got shape {gray.shape}")
    return ChromaResult(np.full(gray.shape + (2,), 0.5, np.float32), {},
                        {"method": "neutral", **({"ignored_options": ignored} if ignored else {})})


def reinhard_transfer(gray, reference, **options) -> ChromaResult:
    """Reinhard-style global transfer for a gray target (statistics only, no alignment).

    Reinhard et al. (2001) match per-channel means and deviations; a gray target has no
    chroma deviation, so (as Welsh et al. 2002) the reference luma is first remapped to the
    gray's luma mean/deviation, then each gray level takes the reference's mean Cb/Cr at
    that level (a 256-entry luma -> chroma table, empty levels interpolated).
    Options: ``bins`` (default 64). Diagnostics: "luma_to_chroma", the table (256 x [Cb, Cr]).
    """
    return _reinhard("reinhard", gray, reference, False, options)


def reinhard_transfer_guided(gray, reference, **options) -> ChromaResult:
    return _reinhard("reinhard+gf", gray, reference, True, options)


def _reinhard(name, gray, reference, guided, options):
    gray, gray_w, ref_ycc, info = _prepare(name, gray, reference, options, {"bins"})
    bins = int(options.get("bins", 64))
    ry = ref_ycc[..., 0]
    ry = (ry - ry.mean()) / max(float(ry.std()), 1e-6) * float(gray_w.std()) + float(gray_w.mean())
    idx = np.clip((ry * bins).astype(np.int64), 0, bins - 1).ravel()
    counts = np.bincount(idx, minlength=bins).astype(np.float64)
    centres = (np.arange(bins) + 0.5) / bins
    filled = counts > 0
    table = np.empty((256, 2), np.float32)
    for c in range(2):
        sums = np.bincount(idx, weights=ref_ycc[..., 1 + c].ravel(), minlength=bins)
        means = sums[filled] / counts[filled]
        table[:, c] = np.interp(np.arange(256) / 255.0, centres[filled], means)
    info.update(bins=bins, luma_shift=round(float(gray_w.mean() - ref_ycc[..., 0].mean()), 4))
    if guided:
        chroma = _finish(table[_to_u8(gray_w)], gray, True, options, info)
    else:  # the table applies per pixel: use the full-resolution gray directly
        chroma = table[_to_u8(gray)]
    return ChromaResult(chroma, {"luma_to_chroma": table.tolist()}, info)


# ------------------------------------------------------------------ SGBM
def _sgbm(num_disp: int, block: int):
    return cv2.StereoSGBM_create(
        minDisparity=0, numDisparities=num_disp, blockSize=block,
        P1=8 * block * block, P2=32 * block * block, disp12MaxDiff=1, preFilterCap=31,
        uniquenessRatio=10, speckleWindowSize=100, speckleRange=2, mode=cv2.STEREO_SGBM_MODE_SGBM_3WAY)


def _disparity(gray_u8, ref_u8, side: str, num_disp: int, block: int):
    """Disparity (h, w) float32 in the gray's frame and its validity mask.

    side 'right': the reference is the right view, gray x matches reference x - d.
    side 'left':  the reference is the left view, gray x matches reference x + d
    (computed as the right-view disparity of the mirrored pair).
    An image no wider than ``num_disp`` cannot be matched (OpenCV refuses it): nothing is valid.
    """
    if gray_u8.shape[1] <= num_disp:
        return np.zeros(gray_u8.shape, np.float32), np.zeros(gray_u8.shape, bool)
    matcher = _sgbm(num_disp, block)
    if side == "right":
        raw = matcher.compute(gray_u8, ref_u8)
    else:
        raw = cv2.flip(matcher.compute(cv2.flip(gray_u8, 1), cv2.flip(ref_u8, 1)), 1)
    valid = raw >= 0
    # the leftmost num_disp columns (rightmost when mirrored) cannot be matched
    return raw.astype(np.float32) / 16.0, valid


def fill_invalid_rows(disp: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Fill each invalid pixel with the smaller (farther) of its nearest valid row neighbours.

    Occlusions belong to the background, so the smaller disparity is the better guess.
    Rows without any valid pixel take the median of all valid disparities (0 if none).
    """
    h, w = disp.shape
    cols = np.arange(w)
    left = np.maximum.accumulate(np.where(valid, cols, -1), axis=1)
    right = np.minimum.accumulate(np.where(valid, cols, w)[:, ::-1], axis=1)[:, ::-1]
    lv = np.take_along_axis(disp, np.clip(left, 0, w - 1), axis=1)
    rv = np.take_along_axis(disp, np.clip(right, 0, w - 1), axis=1)
    lv = np.where(left >= 0, lv, np.inf)
    rv = np.where(right < w, rv, np.inf)
    fill = np.minimum(lv, rv)
    fallback = float(np.median(disp[valid])) if valid.any() else 0.0
    fill = np.where(np.isfinite(fill), fill, fallback)
    return np.where(valid, disp, fill).astype(np.float32)


def _warp_horizontal(img: np.ndarray, shift_x: np.ndarray) -> np.ndarray:
    """out(y, x) = img(y, x + shift_x(y, x)), bilinear, borders replicated."""
    h, w = shift_x.shape
    map_x = shift_x + np.arange(w, dtype=np.float32)[None, :]
    map_y = np.repeat(np.arange(h, dtype=np.float32)[:, None], w, axis=1)
    return cv2.remap(img, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def _estimate_side(gray_u8, ref_u8, block: int) -> tuple[str, dict, float]:
    """Which side the reference camera is on, and a disparity range, from a coarse run.

    Both search directions are tried at <= 320 px wide; the one whose filled disparity
    warps the reference luma closest to the gray wins. Returns (side, scores, max
    disparity at the given size, from the 99th percentile).
    """
    h, w = gray_u8.shape
    s = min(1.0, 320.0 / w)
    cw, ch = max(32, round(w * s)), max(16, round(h * s))
    g = cv2.resize(gray_u8, (cw, ch), interpolation=cv2.INTER_AREA)
    r = cv2.resize(ref_u8, (cw, ch), interpolation=cv2.INTER_AREA)
    nd = max(16, int(math.ceil(cw * 0.3 / 16)) * 16)
    scores, peaks = {}, {}
    for side, sign in (("right", -1.0), ("left", 1.0)):   # sign of x_ref - x_gray
        d, valid = _disparity(g, r, side, nd, block)
        warped = _warp_horizontal(r.astype(np.float32), sign * fill_invalid_rows(d, valid))
        scores[side] = float(np.mean(np.abs(warped - g.astype(np.float32))))
        peaks[side] = float(np.percentile(d[valid], 99)) / s if valid.any() else 0.0
    side = min(scores, key=scores.get)
    return side, scores, peaks[side]


def checked_max_disparity(value) -> float | None:
    """A user's largest disparity (pixels), refused in one line unless a positive number; None: estimate it."""
    if value is not None and not float(value) > 0:
        raise MethodError(f"max_disparity must be a positive number of pixels, got {value}")
    return None if value is None else float(value)


def sgbm_disparity(gray_w: np.ndarray, ref_y: np.ndarray, side: str = "auto",
                   max_disparity: float | None = None, block: int = 5, blur: float = 0.8
                   ) -> tuple[np.ndarray, np.ndarray, dict]:
    """Semi-global block matching of a rectified pair at the gray's size.

    gray_w (h, w) and ref_y (h, w) luma in [0, 1] (the reference's tone is matched here).
    side: where the reference camera is ('left' | 'right' | 'auto': estimated from the data);
    max_disparity: in pixels of this size (None: from a coarse matching run).
    Returns (signed disparity x_ref - x_gray (h, w) float32, invalid pixels filled with the
    farther of their row neighbours and median-filtered; valid (h, w) bool, where SGBM
    matched; info: "side", "num_disparities" and, when estimated, "side_scores").
    """
    g8, r8 = _matching_planes(gray_w, ref_y, blur)
    info: dict = {}
    work_disp = max_disparity
    if side == "auto" or max_disparity is None:
        est_side, scores, peak = _estimate_side(g8, r8, block)
        info["side_scores"] = {k: round(v, 3) for k, v in scores.items()}
        side = est_side if side == "auto" else side
        work_disp = peak * 1.25 + 8 if max_disparity is None else max_disparity
    limit = max(16, (g8.shape[1] // 2) // 16 * 16)
    num_disp = min(limit, max(16, int(math.ceil(work_disp / 16)) * 16))
    d, valid = _disparity(g8, r8, side, num_disp, block)
    d = cv2.medianBlur(fill_invalid_rows(d, valid), 5)
    info.update(side=side, num_disparities=num_disp)
    return (d if side == "left" else -d), valid, info


def sgbm_warp(gray, reference, **options) -> ChromaResult:
    """OpenCV semi-global block matching, then the reference's Cb/Cr warped onto the gray.

    Options: ``side`` (where the colour camera is: 'left' | 'right' | 'auto'/None, default
    auto: estimated from the data), ``max_disparity`` (in gray pixels; default from a
    coarse matching run), ``block_size`` (default 5), ``blur`` (pre-matching Gaussian
    sigma at the working size, default 0.8). Invalid/occluded pixels take the farther of
    their nearest valid row neighbours.
    Diagnostics: "disparity" (h, w) signed x_ref - x_gray in gray pixels (as
    :mod:`colorstudio.core.synth`), "confidence" (h, w) 1 where matched, 0 where filled.
    """
    return _sgbm_method("sgbm", gray, reference, False, options)


def sgbm_warp_guided(gray, reference, **options) -> ChromaResult:
    return _sgbm_method("sgbm+gf", gray, reference, True, options)


def _sgbm_method(name, gray, reference, guided, options):
    gray, gray_w, ref_ycc, info = _prepare(name, gray, reference, options,
                                           {"side", "max_disparity", "block_size", "blur"})
    block = int(options.get("block_size", 5))
    if block < 1 or block % 2 == 0:
        raise MethodError(f"SGBM block_size must be odd and positive, got {block}")
    side = options.get("side") or "auto"
    if side not in ("auto", "right", "left"):
        raise MethodError(f"side must be 'left', 'right' or 'auto', got {side!r}")
    scale = info["working_scale"]
    max_disp = checked_max_disparity(options.get("max_disparity"))
    signed, valid, found = sgbm_disparity(gray_w, ref_ycc[..., 0], side,
                                          None if max_disp is None else float(max_disp) * scale,
                                          block, float(options.get("blur", 0.8)))
    chroma_w = _warp_horizontal(np.ascontiguousarray(ref_ycc[..., 1:]), signed)
    info.update(found, max_disparity=round(found["num_disparities"] / scale, 1),
                valid_fraction=round(float(valid.mean()), 4),
                disparity_range=[round(float(np.percentile(signed, 1)) / scale, 2),
                                 round(float(np.percentile(signed, 99)) / scale, 2)])
    diagnostics = {"disparity": signed / np.float32(scale), "confidence": valid.astype(np.float32)}
    return ChromaResult(_finish(chroma_w, gray, guided, options, info), diagnostics, info)


# ------------------------------------------------------------------ DIS optical flow
def flow_targets(flow: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) + flow: where each pixel's match lies, as two float32 (H, W) maps (for cv2.remap)."""
    h, w = flow.shape[:2]
    return (flow[..., 0] + np.arange(w, dtype=np.float32)[None, :],
            flow[..., 1] + np.arange(h, dtype=np.float32)[:, None])


def dis_flow_warp(gray, reference, **options) -> ChromaResult:
    """OpenCV DIS optical flow from the gray to the (luma-matched) reference, chroma remapped.

    Handles any camera side and small vertical misalignment (the flow is 2-D).
    Options: ``preset`` ('medium' default, 'fast', 'ultrafast'), ``blur`` (default 0.8).
    Diagnostics: "flow" (h, w, 2) in gray pixels: reference (x, y) = gray (x, y) + flow.
    """
    return _dis_method("dis", gray, reference, False, options)


def dis_flow_warp_guided(gray, reference, **options) -> ChromaResult:
    return _dis_method("dis+gf", gray, reference, True, options)


def _dis_method(name, gray, reference, guided, options):
    gray, gray_w, ref_ycc, info = _prepare(name, gray, reference, options, {"preset", "blur"})
    preset = str(options.get("preset", "medium")).lower()
    if preset not in DIS_PRESETS:
        raise MethodError(f"DIS preset must be one of {', '.join(DIS_PRESETS)}, got {preset!r}")
    g8, r8 = _matching_planes(gray_w, ref_ycc[..., 0], float(options.get("blur", 0.8)))
    flow = dis_flow(g8, r8, preset)
    map_x, map_y = flow_targets(flow)
    chroma_w = cv2.remap(np.ascontiguousarray(ref_ycc[..., 1:]), map_x, map_y, cv2.INTER_LINEAR,
                         borderMode=cv2.BORDER_REPLICATE)
    scale = info["working_scale"]
    info.update(preset=preset, median_flow_x=round(float(np.median(flow[..., 0])) / scale, 2),
                median_flow_y=round(float(np.median(flow[..., 1])) / scale, 2))
    return ChromaResult(_finish(chroma_w, gray, guided, options, info),
                        {"flow": flow / np.float32(scale)}, info)
