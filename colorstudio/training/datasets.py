"""Synthesized stereo training pairs from real photos (../shared/data/photos).

Every batch is a pure function of (seed, step): resuming a run replays the same data.
The Motorcycle evaluation pair is never used (it is not in the photo folder, and any file
whose name mentions it is refused). Validation photos are a fixed, held-apart subset.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch

from colorstudio.core.color import rgb_to_ycbcr
from colorstudio.core.synth import synthesize_from_photo



def split_photos(files: list[Path], val_every: int = 10) -> tuple[list[Path], list[Path]]:
    """Fixed split by sorted name: every ``val_every``-th photo is validation."""
    val = files[::val_every]
    train = [p for p in files if p not in set(val)]
    return train, val


def load_rgb_uint8(path: Path) -> np.ndarray:
    bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if bgr is None:
        raise OSError(f"cannot read {path}")
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


@dataclass
class PairOptions:
    crop: tuple = (96, 224)          # (H, W) of the gray view
    max_disparity: int = 60          # |disparity| upper bound (model candidates)
    setups: tuple = (1, 2, 3)
    ref_scales: tuple = (1, 1, 1, 2, 4)   # downscale factors of the reference (upsampled back)
    min_disparity_max: int = 8       # the scene's nearest-far disparity floor is drawn in [0, this]
    misalign_prob: float = 0.2
    photo_scale: tuple = (0.35, 1.0)  # random downscale of the photo before cropping


def pair_tensors(gray, reference, truth_rgb=None, disparity=None) -> dict:
    """numpy pair -> dict of (1,C,H,W) tensors: gray, ref_ycc (reference resized to the gray),
    and when given truth_cbcr, disparity (signed)."""
    H, W = gray.shape
    if reference.shape[:2] != (H, W):
        reference = cv2.resize(reference, (W, H), interpolation=cv2.INTER_CUBIC)
    out = {"gray": torch.from_numpy(np.ascontiguousarray(gray, np.float32))[None, None],
           "ref_ycc": torch.from_numpy(rgb_to_ycbcr(np.clip(reference, 0, 1))).permute(2, 0, 1)[None]}
    if truth_rgb is not None:
        out["truth_cbcr"] = torch.from_numpy(rgb_to_ycbcr(truth_rgb)[..., 1:]).permute(2, 0, 1)[None]
    if disparity is not None:
        out["disparity"] = torch.from_numpy(np.asarray(disparity, np.float32))[None, None]
    return out


class SynthStereoData:
    """Batches of synthesized pairs. ``batch(step, size)`` -> (dict of (B,C,H,W) tensors, side)."""

    def __init__(self, files: list[Path], options: PairOptions = PairOptions(), seed: int = 0):
        if not files:
            raise ValueError("no training photos")
        self.files = list(files)
        self.opts = options
        self.seed = seed
        self._cache: dict[int, np.ndarray] = {}

    def photo(self, i: int) -> np.ndarray:
        if i not in self._cache:
            self._cache[i] = load_rgb_uint8(self.files[i])
        return self._cache[i]

    def sample(self, rng: np.random.Generator, side: str, setup: int | None = None) -> dict:
        o = self.opts
        img = self.photo(int(rng.integers(len(self.files))))
        h, w = o.crop
        margin = o.max_disparity + 2
        s = rng.uniform(*o.photo_scale)
        need = max(h / img.shape[0], (w + 2 * margin) / img.shape[1])
        s = max(s, need)
        if s < 0.999:
            img = cv2.resize(img, (round(img.shape[1] * s), round(img.shape[0] * s)),
                             interpolation=cv2.INTER_AREA)
        # cut a window slightly larger than needed before converting to float (speed)
        wy, wx = min(img.shape[0], h * 2), min(img.shape[1], (w + 2 * margin) * 2)
        y0 = int(rng.integers(0, img.shape[0] - wy + 1))
        x0 = int(rng.integers(0, img.shape[1] - wx + 1))
        rgb = img[y0:y0 + wy, x0:x0 + wx].astype(np.float32) / 255.0
        if rng.random() < 0.5:
            rgb = rgb[:, ::-1]
        setup = int(setup or rng.choice(o.setups))
        pair = synthesize_from_photo(
            rgb, rng, setup, max_disparity=o.max_disparity, crop=(h, w),
            ref_scale=int(rng.choice(o.ref_scales)), side=side,
            min_disparity=int(rng.integers(0, o.min_disparity_max + 1)),
            misalign=bool(rng.random() < o.misalign_prob))
        return pair_tensors(pair.gray, pair.reference, pair.truth_rgb, pair.disparity)

    def batch(self, step: int, size: int) -> tuple[dict, str]:
        rng = np.random.default_rng([self.seed, step])
        side = "right" if rng.random() < 0.5 else "left"
        items = [self.sample(rng, side) for _ in range(size)]
        return {k: torch.cat([it[k] for it in items]) for k in items[0]}, side

    def fixed_set(self, n: int, seed: int = 12345) -> list[tuple[dict, str]]:
        """n deterministic single pairs (validation), each with its side; Setups cycled 1,2,3."""
        out = []
        for i in range(n):
            rng = np.random.default_rng([seed, i])
            side = "right" if i % 2 == 0 else "left"
            out.append((self.sample(rng, side, setup=1 + i % 3), side))
        return out
