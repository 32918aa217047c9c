"""Synthesized cross-camera pairs for CCDC, from single colour photos (numpy + OpenCV).

Both views sample one "scene" (a photo): the target view is a plain crop; the reference
view looks at the scene through a random homography (shift, rotation, zoom, a little
perspective) plus a smooth local flow, so it sees content outside the target crop.
Occluding objects (blobs textured from other photos) move on their own between the two
views, and some are present in one view only, so each view has regions the other cannot
see. The reference is then area-reduced by 1x-8x (any real factor), and the pair is
degraded per Setup 1/2/3 (:func:`colorstudio.core.synth.degrade_pair`: signal-dependent
noise; Setup 3 adds a tone curve and exposure change on the gray side); :func:`cleaner_cameras`
degrades it less (a low-ISO JPEG, a reduced copy), :func:`eight_bit_cameras` not at all.

Kinds: "viewpoint" (larger camera motion, few independent objects), "temporal"
(handheld: smaller camera motion, more moving objects), "narrower" (a colour camera with
another lens: it sees 62-100% of the gray's width and height, so once scaled to the gray's
frame its pixels are stretched and the gray's borders are not in it), "still" (no motion at
all: the same frame, only smaller, noisier and toned differently) and "stereo" (a second camera beside
the first: a layered scene with horizontal disparities up to 3-15% of the width, hence
occlusions at every depth edge; :func:`colorstudio.core.synth.synthesize_from_photo`). The validation photos are held
apart by a seeded split (:data:`SPLIT_SEED`); the Motorcycle pair is never used.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from colorstudio.core.color import luma, rgb_to_ycbcr
from colorstudio.core.resize import area_reduce, area_reduced_size
from colorstudio.core.synth import add_signal_noise, blob_mask, degrade_pair, on_8bit_grid, synthesize_from_photo
from colorstudio.engine.crosscam import network_inputs
from colorstudio.training.single_gray_data import DEFAULT_PHOTOS, list_photos, load_rgb, split

SPLIT_SEED = 5            # issue number; changing it changes the validation photos
N_VALIDATION = 24
SCENE_LONG_SIDE = 448     # photos are cached at this long side (uint8)
KINDS = ("viewpoint", "temporal")            # the benchmark's and the validation's kinds
ALL_KINDS = KINDS + ("narrower", "stereo", "still")
NARROWER_VIEW = (0.62, 1.0)                  # "narrower": share of the gray's width / height seen
STEREO_DISPARITY = (0.03, 0.15)              # largest disparity, as a fraction of the width
CLEANER_NOISE = (0.01, 0.02)                 # cleaner_cameras: largest noise k of the gray, the colour shot
_MOTION = {  # shift (x crop), rotation (deg), zoom, perspective (/crop), local flow (x crop), objects
    "viewpoint": dict(shift=0.12, rot=5.0, zoom=0.10, persp=0.25, local=0.03, objects=(0, 2)),
    "temporal": dict(shift=0.06, rot=2.0, zoom=0.05, persp=0.10, local=0.02, objects=(1, 4)),
    # another lens on a rig or a handheld second shot: small motion, the view narrowed on top
    "narrower": dict(shift=0.05, rot=2.0, zoom=0.0, persp=0.10, local=0.02, objects=(0, 3)),
    # the same frame from one point (a far scene, a camera's own small colour shot): no motion
    "still": dict(shift=0.0, rot=0.0, zoom=0.0, persp=0.0, local=0.0, objects=(0, 0)),
}


@dataclass
class CrossPair:
    """gray (H, W) float32 [0,1] (degraded); reference (h, w, 3) float32 RGB [0,1] (smaller,
    degraded); truth_rgb (H, W, 3) float32, the gray view's true colours."""

    gray: np.ndarray
    reference: np.ndarray
    truth_rgb: np.ndarray
    info: dict = field(default_factory=dict)


def photo_split(folder: Path = DEFAULT_PHOTOS) -> tuple[list[Path], list[Path]]:
    """(train, validation) photo files, fixed by :data:`SPLIT_SEED`; never Motorcycle."""
    return split(list_photos(folder), seed=SPLIT_SEED, n_val=N_VALIDATION)


def load_scenes(files: list[Path], long_side: int = SCENE_LONG_SIDE) -> list[np.ndarray]:
    """Each photo as (H, W, 3) uint8 RGB with the long side at most ``long_side``."""
    return [np.clip(load_rgb(p, long_side) * 255 + 0.5, 0, 255).astype(np.uint8) for p in files]


def _scene(scenes, rng, min_hw) -> np.ndarray:
    """A random scene as float32, randomly zoomed (0.7x-1x) but covering ``min_hw``."""
    img = scenes[int(rng.integers(len(scenes)))].astype(np.float32) / 255.0
    h, w = img.shape[:2]
    s = max(float(rng.uniform(0.7, 1.0)), min_hw[0] / h, min_hw[1] / w)
    if abs(s - 1) > 1e-3:
        img = cv2.resize(img, (max(min_hw[1], round(w * s)), max(min_hw[0], round(h * s))),
                         interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR)
    return np.fliplr(img).copy() if rng.random() < 0.5 else img


def _reference_maps(H, W, x0, y0, rng, m, view=(1.0, 1.0)) -> tuple[np.ndarray, np.ndarray]:
    """Where each reference pixel looks in the scene: homography + smooth local flow.
    ``view``: the share of the gray's (width, height) the reference's frame spans."""
    size = float(min(H, W))
    th = np.deg2rad(rng.uniform(-m["rot"], m["rot"]))
    z = 1.0 + rng.uniform(-m["zoom"], m["zoom"])
    A = z * np.array([[np.cos(th), -np.sin(th)], [np.sin(th), np.cos(th)]]) @ np.diag(view)
    p = rng.uniform(-m["persp"], m["persp"], 2) / size
    t = rng.uniform(-m["shift"], m["shift"], 2) * size
    c = np.array([W / 2, H / 2])
    u, v = np.meshgrid(np.arange(W, dtype=np.float64) - c[0], np.arange(H, dtype=np.float64) - c[1])
    den = 1.0 + p[0] * u + p[1] * v
    xs = (A[0, 0] * u + A[0, 1] * v) / den + c[0] + t[0] + x0
    ys = (A[1, 0] * u + A[1, 1] * v) / den + c[1] + t[1] + y0
    n = int(rng.integers(3, 6))
    amp = rng.uniform(0, m["local"]) * size
    local = cv2.resize(rng.normal(0, amp, (n, n, 2)).astype(np.float32), (W, H), interpolation=cv2.INTER_CUBIC)
    return (xs + local[..., 0]).astype(np.float32), (ys + local[..., 1]).astype(np.float32)


def _blob(H, W, rng) -> np.ndarray:
    """A soft-edged random blob (a few ellipses), float32 (H, W) in [0, 1]."""
    return cv2.GaussianBlur(blob_mask(H, W, rng, (0.08, 0.25), 3, polygon=False), (0, 0), 0.7)


def _add_objects(target, ref_view, scenes, rng, m, shift_scale) -> None:
    """Paste independently moving objects into both views (in place); some in one view only."""
    H, W = target.shape[:2]
    for _ in range(int(rng.integers(m["objects"][0], m["objects"][1] + 1))):
        tex = _scene(scenes, rng, (H, W))
        y, x = int(rng.integers(0, tex.shape[0] - H + 1)), int(rng.integers(0, tex.shape[1] - W + 1))
        tex, mask = tex[y:y + H, x:x + W], _blob(H, W, rng)
        d = rng.uniform(-shift_scale, shift_scale, 2) * min(H, W)
        M = np.float32([[1, 0, d[0]], [0, 1, d[1]]])
        tex_r = cv2.warpAffine(tex, M, (W, H), borderMode=cv2.BORDER_REFLECT)
        mask_r = cv2.warpAffine(mask, M, (W, H))
        where = rng.random()
        if where > 0.15:                               # in the target (both, or target only)
            target[:] = target * (1 - mask[..., None]) + tex * mask[..., None]
        if where < 0.85:                               # in the reference (both, or reference only)
            ref_view[:] = ref_view * (1 - mask_r[..., None]) + tex_r * mask_r[..., None]


def synthesize(scenes: list[np.ndarray], rng: np.random.Generator, size_hw: tuple[int, int],
               factor: float, kind: str = "viewpoint", setup: int | None = None, degrade=None,
               stereo: tuple[int, str] | None = None) -> CrossPair:
    """One cross-camera pair: the gray view is ``size_hw``; the reference is ``factor`` (>= 1,
    any real number) times smaller per side. ``degrade``: ``(gray view RGB, reference view RGB,
    rng) -> (gray, reference)``, a particular camera (a user's, :mod:`colorstudio.training.user_camera`)
    instead of a random Setup 1/2/3. ``stereo``: the "stereo" kind's (largest disparity in px,
    side), instead of random ones."""
    if kind == "stereo":
        return _stereo_pair(scenes, rng, size_hw, factor, setup, degrade, stereo)
    if kind not in _MOTION:
        raise ValueError(f"kind must be one of {ALL_KINDS}, not {kind!r}")
    m = _MOTION[kind]
    H, W = size_hw
    margin = int(0.2 * min(H, W))
    scene = _scene(scenes, rng, (H + 2 * margin, W + 2 * margin))
    y0 = int(rng.integers(margin, scene.shape[0] - H - margin + 1))
    x0 = int(rng.integers(margin, scene.shape[1] - W - margin + 1))
    target = scene[y0:y0 + H, x0:x0 + W].copy()
    view = _narrower_view(rng) if kind == "narrower" else (1.0, 1.0)
    map_x, map_y = _reference_maps(H, W, x0, y0, rng, m, view)
    ref_view = cv2.remap(scene, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    _add_objects(target, ref_view, scenes, rng, m, 2 * m["shift"])
    ref_small = _reduce_view(ref_view, factor, view)
    setup = int(rng.choice([1, 2, 3, 3])) if setup is None else setup
    ref_small = np.clip(ref_small, 0, 1)
    gray, ref = degrade_pair(target, ref_small, setup, rng) if degrade is None else degrade(target, ref_small, rng)
    info = {"kind": kind, "factor": round(float(factor), 3), "setup": setup}
    if kind == "narrower":
        info["view"] = [round(float(v), 3) for v in view]
    return CrossPair(gray, ref, np.clip(target, 0, 1).astype(np.float32), info)


def _narrower_view(rng: np.random.Generator) -> tuple[float, float]:
    """The share of the gray's (width, height) a narrower colour camera sees: both narrower
    (another focal length) or one (another aspect ratio), each as often."""
    lo, hi = NARROWER_VIEW
    vx, vy = (float(v) for v in rng.uniform(lo, hi, 2))
    return [(vx, vy), (vx, 1.0), (1.0, vy)][int(rng.integers(3))]


def _reduce_view(ref_view: np.ndarray, factor: float, view: tuple[float, float]) -> np.ndarray:
    """The reference view ``factor`` x smaller. A narrower view has only the pixels its own
    frame holds (``view`` times the width / height); it is then resized (bicubic) to the usual
    shape, so that the references of a batch stack: the net upsamples it to the gray's frame
    anyway, as the engine does a reference of another aspect."""
    if view == (1.0, 1.0):
        return area_reduce(ref_view, factor)
    H, W = ref_view.shape[:2]
    own = cv2.resize(ref_view, (max(4, round(W * view[0] / factor)), max(4, round(H * view[1] / factor))),
                     interpolation=cv2.INTER_AREA)
    return cv2.resize(own, area_reduced_size(ref_view.shape, factor), interpolation=cv2.INTER_CUBIC)


def _stereo_pair(scenes, rng, size_hw, factor, setup, camera=None, stereo=None) -> CrossPair:
    """A layered stereo pair, the reference view then ``factor`` x smaller; a random camera side
    and disparity range unless ``stereo`` gives them."""
    H, W = size_hw
    max_d, side = stereo if stereo is not None else (max(2, round(rng.uniform(*STEREO_DISPARITY) * W)), "random")
    setup = int(rng.choice([1, 2, 3, 3])) if setup is None else setup

    def degrade(gray_view, ref_view, rng):
        ref_small = np.clip(area_reduce(ref_view, factor), 0, 1)
        return degrade_pair(gray_view, ref_small, setup, rng) if camera is None else camera(gray_view, ref_small, rng)

    scene = _scene(scenes, rng, (H, W + 2 * (max_d + 2)))
    p = synthesize_from_photo(scene, rng, setup, max_disparity=max_d, crop=(H, W), side=side, degrade=degrade)
    return CrossPair(p.gray, p.reference, p.truth_rgb,
                     {"kind": "stereo", "factor": round(float(factor), 3), "setup": setup,
                      "max_disparity": max_d, "side": p.info["side"]})


def random_factor(rng: np.random.Generator) -> float:
    """Reference downscale factor: log-uniform in [1.5, 8], 15% of the time in [1, 1.5]."""
    if rng.random() < 0.15:
        return float(rng.uniform(1.0, 1.5))
    return float(np.exp(rng.uniform(np.log(1.5), np.log(8.0))))


def pair_arrays(pair: CrossPair) -> dict[str, np.ndarray]:
    """Network-ready arrays (channels first): gray (1,H,W), ref (3,h,w) YCbCr luma-matched,
    init_flow (2,H,W) (DIS; SGBM + DIS for the rectified "stereo" kind, as the engine does for
    a rectified pair), truth (3,H,W) YCbCr."""
    ref_ycc, flow = network_inputs(pair.gray, pair.reference, stereo=pair.info.get("kind") == "stereo")
    return {"gray": pair.gray[None], "ref": ref_ycc.transpose(2, 0, 1),
            "init_flow": flow.transpose(2, 0, 1), "truth": rgb_to_ycbcr(pair.truth_rgb).transpose(2, 0, 1)}


def cleaner_cameras(gray_view_rgb: np.ndarray, ref_view_rgb: np.ndarray, rng: np.random.Generator):
    """A pair from cameras cleaner than Setup 1-3's (whose colour noise is k = 0.03 or 0.07):
    signal-dependent noise k in [0, 0.01] on the gray and [0, 0.02] on the colour shot (a
    processed JPEG at a low ISO, a reduced copy), both on the 8-bit grid, no tone difference."""
    gray = add_signal_noise(luma(np.clip(gray_view_rgb, 0, 1)), float(rng.uniform(0, CLEANER_NOISE[0])), rng)
    ref = add_signal_noise(np.clip(ref_view_rgb, 0, 1), float(rng.uniform(0, CLEANER_NOISE[1])), rng)
    return on_8bit_grid(gray), on_8bit_grid(ref)


def eight_bit_cameras(gray_view_rgb: np.ndarray, ref_view_rgb: np.ndarray, rng=None):
    """No noise at all: the gray view's luma and the colour view, each on the 8-bit grid."""
    return on_8bit_grid(luma(gray_view_rgb)), on_8bit_grid(ref_view_rgb)


def make_batch(scenes, rng: np.random.Generator, batch: int, size_hw: tuple[int, int],
               factor: float | None = None, kind: str | None = None,
               kinds: tuple[str, ...] = KINDS, cleaner_share: float = 0.0,
               **synthesize_options) -> dict[str, np.ndarray]:
    """A batch of pairs sharing one reference factor (so the references stack): arrays
    (B, C, ., .) float32 as :func:`pair_arrays`, plus "factor". Each pair is of ``kind``, or
    of one of ``kinds`` drawn at random; ``synthesize_options`` go to :func:`synthesize`.
    ``cleaner_share``: the share of pairs degraded by :func:`cleaner_cameras` instead of a Setup."""
    factor = random_factor(rng) if factor is None else factor

    def options() -> dict:
        if cleaner_share and rng.random() < cleaner_share:
            return {**synthesize_options, "degrade": cleaner_cameras}
        return synthesize_options

    items = [pair_arrays(synthesize(scenes, rng, size_hw, factor, kind or kinds[int(rng.integers(len(kinds)))],
                                    **options())) for _ in range(batch)]
    out = {k: np.stack([it[k] for it in items]).astype(np.float32) for k in items[0]}
    out["factor"] = np.float32(factor)
    return out


def validation_batches(scenes, n: int = 16, size_hw=(192, 192), factors=(4.0, 8.0), seed: int = 2025
                       ) -> list[dict[str, np.ndarray]]:
    """Fixed validation batches (batch 1): ``n`` pairs per factor, both kinds alternating."""
    rng = np.random.default_rng(seed)
    return [make_batch(scenes, rng, 1, size_hw, f, KINDS[i % 2]) for f in factors for i in range(n)]
