"""Area reduction of an image by a factor: the one downscale the benchmarks and the training
data use to make a smaller camera's shot (OpenCV's INTER_AREA averages the pixels each
output pixel covers, as a sensor with fewer, larger pixels would)."""
from __future__ import annotations

import cv2
import numpy as np


def area_reduced_size(hw: tuple[int, ...], factor: float, min_side: int = 4) -> tuple[int, int]:
    """(width, height) of an (H, W[, C]) image after :func:`area_reduce` by ``factor``."""
    h, w = hw[:2]
    if factor <= 1.0:
        return w, h
    return max(min_side, round(w / factor)), max(min_side, round(h / factor))


def area_reduce(img: np.ndarray, factor: float, min_side: int = 4) -> np.ndarray:
    """``img`` (H, W[, C]) reduced ``factor`` (>= 1) times per side, each side rounded and at
    least ``min_side`` pixels; a factor of 1 or less returns ``img`` itself."""
    if factor <= 1.0:
        return img
    return cv2.resize(img, area_reduced_size(img.shape, factor, min_side), interpolation=cv2.INTER_AREA)
