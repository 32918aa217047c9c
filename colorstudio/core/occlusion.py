"""Which shot does not see what: the forward-backward check of two optical flows (numpy + OpenCV).

CCDC's visibility map V0 is a brightness difference, so by itself it cannot say which of the two
shots hides a region. This map can. The flow from the gray to the colour shot (forward) and the
flow back (backward) agree where both shots see the same surface: going there and back returns
to the start. Where they do not agree, or the forward flow leaves the colour shot's frame, the
gray's pixel has no counterpart in the colour shot (the consistency test of Sundaram, Brox and
Keutzer, "Dense point trajectories by GPU-accelerated large displacement optical flow", 2010,
with its constants). The same test from the colour shot's side finds what only the colour shot
sees, in the colour shot's own frame: drawn in the gray's, it would have to be put where the
backward flow sends it, and that flow is a guess exactly there (no match exists).

:func:`occlusion_map` gives both: issue #5's reading, red = invisible in the reference (over the
gray), green = invisible in the target (over the colour shot).
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from colorstudio.core.baselines import dis_flow, flow_targets
from colorstudio.core.luma_matching import match_luma
from colorstudio.core.color import rgb_to_ycbcr

# Sundaram et al. 2010: inconsistent when |F + B(x + F)|^2 > ALPHA (|F|^2 + |B(x + F)|^2) + BETA,
# in pixels of the coarser of the two frames (see :func:`occlusion_map`)
ALPHA, BETA = 0.01, 0.5
NOT_SEEN_BY_COLOUR_SHOT, NOT_SEEN_BY_GRAY = -1.0, 1.0   # the maps' values: red, green


def _to8(a: np.ndarray) -> np.ndarray:
    return np.clip(a * 255.0 + 0.5, 0, 255).astype(np.uint8)


def flow_planes(gray_w: np.ndarray, ref_luma: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(gray, reference luma) as 8-bit planes at the gray's size (H, W) for optical flow: the
    reference (any size, tone-matched to the gray) bicubic-upsampled to (H, W), the gray blurred
    to a similar sharpness (sigma grows with the size ratio), so the matcher compares like with
    like."""
    H, W = gray_w.shape
    factor = size_ratio(gray_w.shape, ref_luma.shape)
    ref_up = ref_luma if ref_luma.shape == (H, W) else cv2.resize(ref_luma, (W, H), interpolation=cv2.INTER_CUBIC)
    g = cv2.GaussianBlur(np.asarray(gray_w, np.float32), (0, 0), max(0.8, 0.4 * factor))
    r = cv2.GaussianBlur(np.asarray(ref_up, np.float32), (0, 0), 0.8)
    return _to8(g), _to8(r)


def size_ratio(gray_hw: tuple[int, int], ref_hw: tuple[int, int]) -> float:
    """How many of the gray's pixels one of the reference's spans (at least 1)."""
    return max(gray_hw[1] / ref_hw[1], gray_hw[0] / ref_hw[0], 1.0)


def _outside(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Positions beyond the frame's outer pixels' edges (the frame is ``x``'s shape)."""
    h, w = x.shape
    return (x < -0.5) | (x > w - 0.5) | (y < -0.5) | (y > h - 0.5)


def unmatched(forward: np.ndarray, backward: np.ndarray, alpha: float = ALPHA, beta: float = BETA) -> np.ndarray:
    """(H, W) bool in ``forward``'s frame: the pixels whose match is not confirmed by the flow
    back, or lies outside the frame. Both flows (H, W, 2) in pixels of the same frame size: the
    match of (x, y) is at (x, y) + forward, and of that point's, at that point + backward."""
    forward = np.asarray(forward, np.float32)
    x, y = flow_targets(forward)
    back = cv2.remap(np.ascontiguousarray(backward, np.float32), x, y, cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_REPLICATE)       # the flow back, read where the match lies
    fx, fy, bx, by = forward[..., 0], forward[..., 1], back[..., 0], back[..., 1]
    loop = (fx + bx) ** 2 + (fy + by) ** 2                  # how far from the start going there and back ends
    return (loop > alpha * (fx * fx + fy * fy + bx * bx + by * by) + beta) | _outside(x, y)


@dataclass
class OcclusionMap:
    """Two (H, W) bool maps: ``not_seen_by_colour_shot`` in the gray's frame (the gray's pixels for
    which no match was confirmed in the colour shot: mostly what it does not see), and
    ``not_seen_by_gray`` in the colour shot's frame stretched to the gray's size and shape (the
    same from the colour shot's side)."""

    not_seen_by_colour_shot: np.ndarray
    not_seen_by_gray: np.ndarray

    def diagnostics(self) -> dict[str, np.ndarray]:
        """The engine's two signed maps (float32): "occlusion" over the gray, -1 (red) where the
        colour shot does not see it; "occlusion_colour_shot" over the colour shot, +1 (green) where
        the gray does not see it; 0 elsewhere."""
        red = np.where(self.not_seen_by_colour_shot, NOT_SEEN_BY_COLOUR_SHOT, 0.0).astype(np.float32)
        return {"occlusion": red,
                "occlusion_colour_shot": np.where(self.not_seen_by_gray, NOT_SEEN_BY_GRAY, 0.0).astype(np.float32)}

    def facts(self) -> dict:
        """The two shares: of the gray's pixels, and of the colour shot's."""
        return {"not_seen_by_colour_shot": round(float(self.not_seen_by_colour_shot.mean()), 4),
                "not_seen_by_gray": round(float(self.not_seen_by_gray.mean()), 4)}


def occlusion_map(gray_w: np.ndarray, ref_luma: np.ndarray, forward: np.ndarray | None = None,
                  preset: str = "medium", beta: float | None = None) -> OcclusionMap:
    """The maps for a gray (H, W) float [0, 1] and the reference's luma (any size, tone-matched
    to the gray). ``forward``: the flow from the gray to the reference (H, W, 2) in gray pixels
    if already computed with :func:`flow_planes` and DIS (None: computed here); the backward
    flow is DIS on the same planes, from the reference to the gray. Both maps are fringed where
    an object moves against its background: DIS's flow is smooth across the edge. On Motorcycle
    (both directions, the colour view 1x / 4x / 8x smaller) the gray's map finds about half of
    the pixels that have no counterpart (recall 0.34-0.58), and 0.60 / 0.57 / 0.41 of it are
    such pixels, two to three times as many as of the same number of pixels with the largest
    |V0|: ``python benchmarks/occlusion_map.py``.

    A smaller colour shot is upsampled to the gray's size, so both flows are only as precise as
    its own pixels: the test's constant margin :data:`BETA` is taken in those pixels (times the
    size ratio squared in the gray's), the scale-free ``ALPHA`` as it is. With the margin in the
    gray's pixels, colour shots of the gray's very frame 8x smaller had 12% of the gray marked
    red (19% when degraded per Setup 1-3), with it in their own 0.8% (2.9%); red on Motorcycle
    went from 0.51 / 0.32 to 0.57 / 0.41 precise at 4x / 8x. ``beta``: a margin in the gray's
    pixels instead (``BETA``: session 37's, for comparisons)."""
    g8, r8 = flow_planes(np.asarray(gray_w, np.float32), np.asarray(ref_luma, np.float32))
    if forward is None:
        forward = dis_flow(g8, r8, preset)
    backward = dis_flow(r8, g8, preset)
    if beta is None:
        beta = BETA * size_ratio(np.shape(gray_w), np.shape(ref_luma)) ** 2
    return OcclusionMap(unmatched(forward, backward, beta=beta), unmatched(backward, forward, beta=beta))


def shot_occlusion_map(gray_w: np.ndarray, shot_rgb: np.ndarray, forward: np.ndarray | None = None,
                       preset: str = "medium", beta: float | None = None) -> OcclusionMap:
    """:func:`occlusion_map` for a gray (H, W) and a colour shot (RGB, any size) as they are: the
    shot's luma matched to the gray's tone first, as the pair networks see it."""
    gray_w = np.asarray(gray_w, np.float32)
    shot_luma = rgb_to_ycbcr(np.clip(shot_rgb, 0, 1))[..., 0].astype(np.float32)
    return occlusion_map(gray_w, match_luma(shot_luma, gray_w), forward, preset, beta)
