"""Benchmark inputs: (gray, reference, truth) cases, all made deterministically from a seed.

- Motorcycle (Middlebury 2014, ``skimage.data.stereo_motorcycle()``, the evaluation pair):
  gray = the degraded luma of one real view, reference = the other real view (degraded),
  truth = the gray view's real colour; both directions x the chosen Setups.
- Synthesized pairs from the photo folder (:func:`colorstudio.core.synth.synthesize_from_photo`):
  a layered scene with occlusions built from one photo, per Setup. The photos are picked from
  those the stereo network was not trained on (its validation split); a case says which
  shipped pair model did train on its photo (``info["trained_on_by"]``: ccdc's split differs).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from colorstudio.core import synth
from colorstudio.core.resize import area_reduce
from colorstudio.core.training_photos import list_photos



@dataclass
class Case:
    """One benchmark input. gray (H, W) float32 [0,1]; reference (h, w, 3) float32 RGB [0,1];
    truth_rgb (H, W, 3) float32, the gray view's real colour."""

    name: str          # e.g. "motorcycle/L<-R/setup2"
    group: str         # rows are averaged per group, e.g. "motorcycle/setup2"
    setup: int
    gray: np.ndarray
    reference: np.ndarray
    truth_rgb: np.ndarray
    info: dict = field(default_factory=dict)


def _downscale(rgb: np.ndarray, scale: float) -> np.ndarray:
    return area_reduce(rgb, 1.0 / scale, min_side=8)


def load_motorcycle(scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """The Motorcycle pair (left, right) as float32 RGB [0, 1], optionally downscaled."""
    from skimage.data import stereo_motorcycle

    left, right, _ = stereo_motorcycle()
    return (_downscale(left.astype(np.float32) / 255.0, scale),
            _downscale(right.astype(np.float32) / 255.0, scale))


def motorcycle_cases(setups=(1, 2, 3), seed: int = 0, scale: float = 1.0) -> list[Case]:
    """Both directions (gray = left luma, reference = right; and the mirror) x setups."""
    left, right = load_motorcycle(scale)
    cases = []
    for setup in setups:
        for d_index, (direction, label) in enumerate((("left", "L<-R"), ("right", "R<-L"))):
            rng = np.random.default_rng([seed, setup, d_index])
            pair = synth.synthesize_from_stereo(left, right, setup, direction, rng)
            cases.append(Case(f"motorcycle/{label}/setup{setup}", f"motorcycle/setup{setup}", setup,
                              pair.gray, pair.reference, pair.truth_rgb,
                              {"direction": label, "scale": scale}))
    return cases


def photo_cases(n: int, setups=(1, 2, 3), seed: int = 0, folder: Path | str | None = None,
                max_side: int | None = None) -> list[Case]:
    """``n`` photos picked with a fixed seed, each synthesized into a pair per setup.

    max_side: downscale the photos first (quick runs). An absent folder gives no cases.
    """
    from colorstudio.core.imageio import load_photo

    files = held_apart_photos(list_photos(folder))
    if n <= 0 or not files:
        return []
    ccdc_train = {p.name for p in ccdc_training_photos(files[0].parent)}
    picked = np.random.default_rng(seed).choice(len(files), size=min(n, len(files)), replace=False)
    cases = []
    for index in sorted(int(i) for i in picked):
        path = files[index]
        rgb = load_photo(path).rgb_float()
        if max_side is not None:
            rgb = _downscale(rgb, max_side / max(rgb.shape[:2]))
        for setup in setups:
            rng = np.random.default_rng([seed, 1000 + index, setup])
            pair = synth.synthesize_from_photo(rgb, rng, setup)
            cases.append(Case(f"photo/{path.stem}/setup{setup}", f"photos/setup{setup}", setup,
                              pair.gray, pair.reference, pair.truth_rgb,
                              {"photo": path.name, "trained_on_by": ["ccdc"] if path.name in ccdc_train else [],
                               **pair.info}))
    return cases


def held_apart_photos(files: list[Path]) -> list[Path]:
    """The photos of ``files`` that the stereo network's training holds apart (the split of
    ``colorstudio.training.datasets``, made on the same folder listing)."""
    from colorstudio.core.training_photos import list_photos as training_listing
    from colorstudio.training.datasets import split_photos

    if not files:
        return []
    held = {p.name for p in split_photos(training_listing(files[0].parent))[1]}
    return [p for p in files if p.name in held]


def ccdc_training_photos(folder: Path) -> list[Path]:
    """The photos of ``folder`` that CCDC's training split trains on."""
    from colorstudio.training.ccdc_data import photo_split

    return photo_split(folder)[0]


def upscaled_motorcycle(megapixels: float) -> tuple[np.ndarray, np.ndarray]:
    """(gray (H, W), reference (H, W, 3)) float32: the Motorcycle pair resized (bicubic) to
    about ``megapixels`` MP; gray = luma of the left view, reference = the right view."""
    from colorstudio.core.color import luma

    left, right = load_motorcycle()
    h, w = left.shape[:2]
    s = float(np.sqrt(megapixels * 1e6 / (h * w)))
    size = (round(w * s), round(h * s))
    interp = cv2.INTER_CUBIC if s > 1 else cv2.INTER_AREA
    left = np.clip(cv2.resize(left, size, interpolation=interp), 0, 1)
    right = np.clip(cv2.resize(right, size, interpolation=interp), 0, 1)
    return luma(left), right
