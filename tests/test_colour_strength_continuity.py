"""The single-gray colour strength is continuous: x1 gives what x0.999 and x1.001 give."""
from __future__ import annotations

import cv2
import numpy as np

from colorstudio.core.color import compose
from colorstudio.core.single_chroma import apply_saturation, full_size


def test_strength_one_is_between_its_neighbours_at_full_size():
    rng = np.random.default_rng(3)
    small_gray = cv2.GaussianBlur(rng.uniform(0, 1, (48, 64)).astype(np.float32), (0, 0), 2)
    chroma = np.clip(0.5 + rng.normal(0, 0.25, (48, 64, 2)), 0, 1).astype(np.float32)  # partly out of gamut
    gray = cv2.resize(small_gray, (256, 192), interpolation=cv2.INTER_CUBIC).clip(0, 1)
    out = {k: compose(gray, full_size(apply_saturation(small_gray, chroma, k), gray)) for k in (0.999, 1.0, 1.001)}
    neighbours = np.abs(out[0.999] - out[1.001]).max()
    assert neighbours < 1 / 255
    assert np.abs(out[1.0] - out[1.001]).max() <= neighbours + 1e-6
    assert np.abs(out[1.0] - out[0.999]).max() <= neighbours + 1e-6
