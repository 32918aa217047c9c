"""Which photo an earlier result was made from, told by its pixels: a result keeps its gray
photo's size and luma (ColorStudio only adds colour), so the photo it was made from resembles it
closest. ``--skip-existing`` asks it where two photos of one name (``b.jpg`` written as
``b_colorized.png``, then ``b.png`` added) would claim the same result file."""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from colorstudio.core.imageio import image_size, load_photo
from colorstudio.errors import ColorStudioError

COMPARED_SIDE = 256     # both are compared this small
MADE_FROM = 0.97        # the least resemblance of a photo's own result (measured: 0.98 as a JPEG at
                        # quality 20; a burst neighbour 3 px and 4 levels off: 0.83-0.93)


def resemblance(result: Path, gray: Path) -> float:
    """How closely ``result`` resembles the gray photo ``gray`` (their small lumas' rank
    correlation, up to 1); -1 for another size or a file that cannot be read."""
    try:
        if image_size(result) != image_size(gray):
            return -1.0
        a, b = _small_luma(result), _small_luma(gray)
    except (ColorStudioError, OSError, ValueError, cv2.error):
        return -1.0
    if a.shape != b.shape:
        b = cv2.resize(b, (a.shape[1], a.shape[0]), interpolation=cv2.INTER_AREA)
    flat = np.ptp(a) < 1 / 255, np.ptp(b) < 1 / 255
    if any(flat):                     # a flat picture resembles only another flat one of its level
        return 1.0 if all(flat) and abs(float(a.mean() - b.mean())) < 0.02 else 0.0
    a, b = _ranks(a), _ranks(b)       # a tone curve between them (a gray profile, a wide gamut) is no difference
    a, b = a - a.mean(), b - b.mean()
    return float((a * b).sum() / np.sqrt((a * a).sum() * (b * b).sum()))


def _ranks(values: np.ndarray) -> np.ndarray:
    """Each value's rank, equal values sharing their mean rank."""
    _, where, counts = np.unique(values.ravel(), return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    return ((ends - counts + ends - 1) / 2.0)[where.ravel()]


def _small_luma(path: Path) -> np.ndarray:
    """The picture's luma, :data:`COMPARED_SIDE` px on its long side (OpenCV's decoding, EXIF
    orientation applied; ColorStudio's own reading for what OpenCV cannot read)."""
    pixels = cv2.imread(str(path), cv2.IMREAD_COLOR | cv2.IMREAD_ANYDEPTH)    # (IMREAD_GRAYSCALE's own
    if pixels is not None and pixels.dtype in (np.uint8, np.uint16, np.float32):   # luma is a level off)
        luma = cv2.cvtColor(pixels, cv2.COLOR_BGR2GRAY).astype(np.float32)
        if pixels.dtype != np.float32:                                        # a float TIFF is 0..1
            luma /= np.float32(np.iinfo(pixels.dtype).max)
    else:                   # what OpenCV cannot read, or reads signed (a signed TIFF: load_photo's range)
        luma = load_photo(path).gray_float()
    h, w = luma.shape
    scale = COMPARED_SIDE / max(h, w)
    if scale < 1:
        luma = cv2.resize(luma, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    return luma
