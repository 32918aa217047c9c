"""Area reduction of an image by a factor: the one downscale the benchmarks and the training
data use to make a smaller camera's shot (OpenCV's INTER_AREA averages the pixels each
output pixel covers, as a sensor with fewer, larger pixels would)."""
from __future__ import annotations

import cv2
import numpy as np


def area_reduce(img: np.ndarray, factor: float, min_side: int = 4) -> np.ndarray:
    """``img`` (H, W[, C]) reduced ``factor`` (>= 1) times per side, each side rounded and at
    least ``min_side`` pixels; a factor of 1 or less returns ``img`` itself."""
    if factor <= 1.0:
        return img
    h, w = img.shape[:2]
    size = (max(min_side, round(w / factor)), max(min_side, round(h / factor)))
    return cv2.resize(img, size, interpolation=cv2.INTER_AREA)
