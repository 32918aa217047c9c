"""Which photo an earlier result was made from, told by its pixels: a result keeps its gray
photo's size and luma exactly (ColorStudio only adds colour), so another photo's result does
not pass. ``--skip-existing`` asks it where two photos of one name (``b.jpg`` written as
``b_colorized.png``, then ``b.png`` added) would claim the same result file."""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from colorstudio.core.imageio import image_size, load_photo
from colorstudio.errors import ColorStudioError

COMPARED_SIDE = 256          # both are compared at this size: a few ms a photo
MAX_MEAN_LEVEL_DIFFERENCE = 2.0   # in 8-bit levels; another photo of the scene differs by tens


def made_from(result: Path, gray: Path) -> bool:
    """Whether ``result`` is a colorization of the gray photo ``gray`` (its size, and its luma
    within rounding and an 8-bit or lossy format's error). Unreadable files: False."""
    try:
        if image_size(result) != image_size(gray):
            return False
        return _mean_level_difference(_small_luma(result), _small_luma(gray)) <= MAX_MEAN_LEVEL_DIFFERENCE
    except (ColorStudioError, OSError, ValueError):
        return False


def _small_luma(path: Path) -> np.ndarray:
    luma = load_photo(path).gray_float()
    h, w = luma.shape
    scale = COMPARED_SIDE / max(h, w)
    if scale < 1:
        luma = cv2.resize(luma, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    return luma


def _mean_level_difference(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a - b).mean() * 255.0)
