"""Synthesized stereo mono+colour pairs with ground truth (numpy + OpenCV only).

Conventions: RGB float32 in [0, 1]; gray float32 (H, W) in [0, 1] (BT.601 luma);
``disparity`` is signed, ``x_ref - x_gray`` in pixels of the gray view.

- :func:`degrade_pair` turns two clean colour views into (gray, reference) per Setup:
  Setup1: noise k=0.01 on mono, 0.03 on colour; Setup2: 0.01 / 0.07; Setup3: Setup1
  noise plus a different tone curve and exposure on the mono side. Noise is Gaussian with
  sigma = k * sqrt(value) (signal dependent, Dong et al. 2019).
- :func:`synthesize_from_photo` makes a stereo pair from ONE photo: a layered scene (a
  slanted background plane plus foreground blobs with larger disparity, hence real
  occlusions) rendered into both views; the background texture extends beyond the crop,
  so disoccluded regions are filled with plausible (real) content.
- :func:`synthesize_from_stereo` degrades a real rectified stereo pair.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from colorstudio.core.color import luma

NOISE_K = {1: (0.01, 0.03), 2: (0.01, 0.07), 3: (0.01, 0.03)}   # (mono, colour)


@dataclass
class SynthPair:
    """gray (H,W) float32 [0,1] (degraded mono shot); reference (h,w,3) float32 RGB [0,1]
    (degraded colour shot, maybe smaller); truth_rgb (H,W,3) the gray view's true colour;
    disparity (H,W) float32 signed x_ref - x_gray in gray pixels (NaN where unknown)."""

    gray: np.ndarray
    reference: np.ndarray
    truth_rgb: np.ndarray
    disparity: np.ndarray
    info: dict = field(default_factory=dict)


def on_8bit_grid(img: np.ndarray) -> np.ndarray:
    """float32 [0, 1] values rounded to the 256 levels an 8-bit file holds."""
    return (np.rint(np.clip(img, 0, 1) * 255) / 255).astype(np.float32)


def add_signal_noise(img: np.ndarray, k: float, rng: np.random.Generator) -> np.ndarray:
    """Gaussian noise with sigma = k * sqrt(value), clipped to [0, 1]."""
    img = np.asarray(img, np.float32)
    sigma = k * np.sqrt(np.clip(img, 0.0, 1.0))
    noisy = img + sigma * rng.standard_normal(img.shape).astype(np.float32)
    return np.clip(noisy, 0.0, 1.0).astype(np.float32)


def random_tone_curve(rng: np.random.Generator):
    """A monotone camera response: gain * S(v ** gamma), gamma in [0.7,1.4], gain in
    [0.7,1.3], a mild S-curve. Returns (function, params dict)."""
    gamma = float(rng.uniform(0.7, 1.4))
    gain = float(rng.uniform(0.7, 1.3))
    alpha = float(rng.uniform(0.0, 0.3))

    def curve(v: np.ndarray) -> np.ndarray:
        v = np.clip(v, 0.0, 1.0) ** gamma
        v = v - alpha * np.sin(2 * np.pi * v) / (2 * np.pi)
        return np.clip(gain * v, 0.0, 1.0).astype(np.float32)

    return curve, {"gamma": gamma, "gain": gain, "s_curve": alpha}


def degrade_pair(gray_view_rgb: np.ndarray, ref_view_rgb: np.ndarray, setup: int,
                 rng: np.random.Generator, wb_range: float = 0.0):
    """(gray view RGB (H,W,3), reference view RGB (h,w,3)) -> (gray (H,W), reference (h,w,3)).

    gray = BT.601 luma of the gray view (+ Setup3 tone curve/exposure), then noise;
    reference gets its own noise and, if ``wb_range`` > 0, white-balance gains in
    [1 - wb_range, 1 + wb_range] per channel. Deterministic given ``rng``.
    """
    if setup not in NOISE_K:
        raise ValueError(f"setup must be 1, 2 or 3, not {setup!r}")
    k_mono, k_col = NOISE_K[setup]
    gray = luma(gray_view_rgb).astype(np.float32)
    ref = np.asarray(ref_view_rgb, np.float32)
    if setup == 3:
        curve, _ = random_tone_curve(rng)
        gray = curve(gray)
    if wb_range > 0:
        gains = rng.uniform(1 - wb_range, 1 + wb_range, size=3).astype(np.float32)
        ref = np.clip(ref * gains, 0.0, 1.0)
    gray = add_signal_noise(gray, k_mono, rng)
    ref = add_signal_noise(ref, k_col, rng)
    return gray, ref


# ------------------------------------------------------------------ layered scene
def blob_mask(h: int, w: int, rng: np.random.Generator, size_frac=(0.1, 0.35), size_pad: float = 4,
              polygon: bool = True) -> np.ndarray:
    """A random blob: a union of 1-3 ellipses (and, maybe, a polygon), float32 {0, 1}.

    Its size is ``uniform(*size_frac) * min(h, w) + size_pad`` pixels.
    """
    mask = np.zeros((h, w), np.uint8)
    cx, cy = rng.uniform(0.1, 0.9) * w, rng.uniform(0.1, 0.9) * h
    size = rng.uniform(*size_frac) * min(h, w) + size_pad
    for _ in range(int(rng.integers(1, 4))):
        c = (int(cx + rng.normal(0, size / 2)), int(cy + rng.normal(0, size / 2)))
        axes = (max(2, int(size * rng.uniform(0.4, 1.2))), max(2, int(size * rng.uniform(0.4, 1.2))))
        cv2.ellipse(mask, c, axes, float(rng.uniform(0, 180)), 0, 360, 1, -1)
    if polygon and rng.random() < 0.5:
        n = int(rng.integers(3, 7))
        ang = np.sort(rng.uniform(0, 2 * np.pi, n))
        rad = size * rng.uniform(0.6, 1.5, n)
        pts = np.stack([cx + rad * np.cos(ang), cy + rad * np.sin(ang)], 1).astype(np.int32)
        cv2.fillPoly(mask, [pts], 1)
    return mask.astype(np.float32)


def _render_layer(tex: np.ndarray, mask: np.ndarray, a: float, b: float, c: float,
                  sign: int, out_w: int, margin: int):
    """Render a planar layer (disparity d = a + b*x + c*y in gray coords) into the reference
    view by exact inverse mapping. tex/mask cover gray x in [-margin, W+margin)."""
    h = tex.shape[0]
    xr = np.arange(out_w, dtype=np.float32)[None, :]
    yr = np.arange(h, dtype=np.float32)[:, None]
    # x_ref = x + sign*(a + b x + c y)  ->  x = (x_ref - sign*(a + c y)) / (1 + sign*b)
    xg = (xr - sign * (a + c * yr)) / (1.0 + sign * b)
    map_x = (xg + margin).astype(np.float32) * np.ones((h, 1), np.float32)
    map_y = np.repeat(yr, out_w, axis=1).astype(np.float32)
    t = cv2.remap(tex, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    m = cv2.remap(mask, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    return t, m


def _fit_photo(rgb: np.ndarray, h: int, w: int) -> np.ndarray:
    """Upscale a photo if needed so that it covers (h, w)."""
    s = max(h / rgb.shape[0], w / rgb.shape[1], 1.0)
    if s > 1.0:
        rgb = cv2.resize(rgb, (int(np.ceil(rgb.shape[1] * s)), int(np.ceil(rgb.shape[0] * s))),
                         interpolation=cv2.INTER_CUBIC)
    return np.clip(rgb, 0.0, 1.0).astype(np.float32)


def _random_window(rgb, h, w, rng, flip=False):
    y = int(rng.integers(0, rgb.shape[0] - h + 1))
    x = int(rng.integers(0, rgb.shape[1] - w + 1))
    win = rgb[y:y + h, x:x + w]
    return win[:, ::-1].copy() if flip else win.copy()


def synthesize_from_photo(rgb: np.ndarray, rng: np.random.Generator, setup: int,
                          max_disparity: int = 48, crop: tuple[int, int] | None = None,
                          ref_scale: int = 1, side: str = "random", n_layers: tuple = (1, 4),
                          min_disparity: int = 0, misalign: bool = False,
                          wb_range: float = 0.0, degrade=None) -> SynthPair:
    """A synthetic stereo pair from one RGB photo (float32 (H,W,3) in [0,1]).

    crop: (h, w) of the gray view (default: the photo minus a margin). side: which camera
    the gray view is: "right" (reference at larger x, disparity >= 0), "left" (disparity
    <= 0) or "random". Disparity magnitudes lie in [min_disparity, max_disparity]: the
    background plane takes the lower part, foreground blobs (nearer) the upper part.
    ref_scale: downscale factor of the reference (1..8). misalign: small rotation
    (<= 0.5 deg) and vertical shift (<= 1.5 px) of the reference. degrade: a function
    ``(gray_view_rgb, ref_view_rgb, rng) -> (gray, reference)`` used instead of
    :func:`degrade_pair` (e.g. a simulated camera; ``setup``/``wb_range`` are then unused).
    """
    rgb = _unit_float(rgb)
    if side == "random":
        side = "right" if rng.random() < 0.5 else "left"
    if side not in ("left", "right"):
        raise ValueError(f"side must be 'left', 'right' or 'random', not {side!r}")
    sign = 1 if side == "right" else -1
    margin = int(max_disparity) + 2
    if crop is None:
        crop = (rgb.shape[0], max(8, rgb.shape[1] - 2 * margin))
    h, w = crop
    wide = w + 2 * margin
    rgb = _fit_photo(rgb, h, wide)

    lo, hi = float(min_disparity), float(max_disparity)
    span = hi - lo
    # background plane: disparity in the lower 0..60% of the range, with a small slant
    bg_d = lo + rng.uniform(0.0, 0.6) * span
    bg_b = rng.uniform(-0.04, 0.04) * (span / max(w, 1)) * 4
    bg_c = rng.uniform(-0.03, 0.03) * (span / max(h, 1)) * 4
    x0 = np.arange(-margin, w + margin, dtype=np.float32)[None, :]
    y0 = np.arange(h, dtype=np.float32)[:, None]
    bg_disp = bg_d + bg_b * (x0 - w / 2) + bg_c * (y0 - h / 2)
    # keep the plane inside [lo, hi]
    shift = min(0.0, hi - bg_disp.max()) + max(0.0, lo - bg_disp.min())
    layers = [(_random_window(rgb, h, wide, rng), np.ones((h, wide), np.float32),
               bg_d + shift - bg_b * w / 2 - bg_c * h / 2, bg_b, bg_c)]
    front = bg_disp.max() + shift
    for _ in range(int(rng.integers(n_layers[0], n_layers[1] + 1))):
        d = float(rng.uniform(min(front + 1, hi), hi)) if front + 1 < hi else hi
        tex = _random_window(rgb, h, wide, rng, flip=bool(rng.random() < 0.5))
        mask = blob_mask(h, wide, rng)
        layers.append((tex, mask, d, 0.0, 0.0))
        front = max(front, d) if rng.random() < 0.5 else front
    # sort far -> near (larger disparity = nearer), composite both views
    layers.sort(key=lambda L: L[2] + L[3] * wide / 2)
    gray_view = np.zeros((h, w, 3), np.float32)
    ref_view = np.zeros((h, w, 3), np.float32)
    disparity = np.zeros((h, w), np.float32)
    for tex, mask, a, b, c in layers:
        m_g = mask[:, margin:margin + w]
        gray_view = gray_view * (1 - m_g[..., None]) + tex[:, margin:margin + w] * m_g[..., None]
        layer_d = a + b * np.arange(w, dtype=np.float32)[None, :] + c * y0
        disparity = np.where(m_g > 0.5, layer_d, disparity)
        # render into reference coordinates; shift x by margin of the texture
        t_r, m_r = _render_layer(tex, mask, a, b, c, sign, w, margin)
        ref_view = ref_view * (1 - m_r[..., None]) + t_r * m_r[..., None]
    disparity = (sign * disparity).astype(np.float32)

    info = {"side": side, "setup": setup, "ref_scale": ref_scale}
    if misalign:
        angle = float(rng.uniform(-0.5, 0.5))
        dy = float(rng.uniform(-1.5, 1.5))
        M = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        M[1, 2] += dy
        ref_view = cv2.warpAffine(ref_view, M, (w, h), flags=cv2.INTER_LINEAR,
                                  borderMode=cv2.BORDER_REFLECT)
        info.update(rotation_deg=angle, vertical_shift=dy)
    if ref_scale > 1:
        ref_view = cv2.resize(ref_view, (max(1, round(w / ref_scale)), max(1, round(h / ref_scale))),
                              interpolation=cv2.INTER_AREA)
    gray_view = np.clip(gray_view, 0, 1).astype(np.float32)
    if degrade is None:
        gray, reference = degrade_pair(gray_view, np.clip(ref_view, 0, 1), setup, rng, wb_range=wb_range)
    else:
        gray, reference = degrade(gray_view, np.clip(ref_view, 0, 1).astype(np.float32), rng)
    return SynthPair(gray, reference, gray_view, disparity, info)


def synthesize_from_stereo(left: np.ndarray, right: np.ndarray, setup: int, direction: str,
                           rng: np.random.Generator, disparity_left: np.ndarray | None = None,
                           wb_range: float = 0.0, degrade=None) -> SynthPair:
    """Degrade a real rectified colour pair. direction: which view becomes the gray one,
    "left" or "right" (the other one is the reference). ``disparity_left`` (positive,
    x_left - x_right, of the left view) gives the signed truth when the gray view is left;
    otherwise the disparity is NaN (unknown). degrade: as in :func:`synthesize_from_photo`."""
    left, right = _unit_float(left), _unit_float(right)
    if direction not in ("left", "right"):
        raise ValueError(f"direction must be 'left' or 'right', not {direction!r}")
    g_view, r_view = (left, right) if direction == "left" else (right, left)
    if degrade is None:
        gray, ref = degrade_pair(g_view, r_view, setup, rng, wb_range=wb_range)
    else:
        gray, ref = degrade(g_view, r_view, rng)
    disp = np.full(gray.shape, np.nan, np.float32)
    if direction == "left" and disparity_left is not None:
        disp = -np.asarray(disparity_left, np.float32)
    return SynthPair(gray, ref, g_view.copy(), disp, {"direction": direction, "setup": setup})


def _unit_float(img) -> np.ndarray:
    """An image as float32 in [0, 1]: uint8 / 255, uint16 / 65535, floats as they are (a float
    image above 1.5 is taken as 0..255, as older callers passed it)."""
    img = np.asarray(img)
    if img.dtype == np.uint16:
        return img.astype(np.float32) / 65535.0
    out = img.astype(np.float32)
    return out / 255.0 if img.dtype == np.uint8 or out.max() > 1.5 else out
