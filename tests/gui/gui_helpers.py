"""Test data for the GUI tests: small synthetic mono+colour pairs written as files."""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np


def _texture(h: int, w: int, seed: int) -> np.ndarray:
    """A smooth colourful scene with edges: RGB uint8 (h, w, 3)."""
    rng = np.random.default_rng(seed)
    img = cv2.resize(rng.uniform(0, 255, (h // 8, w // 8, 3)).astype(np.float32), (w, h),
                     interpolation=cv2.INTER_CUBIC)
    for _ in range(6):
        c = tuple(int(v) for v in rng.integers(0, 255, 3))
        x, y = int(rng.integers(0, w)), int(rng.integers(0, h))
        cv2.circle(img, (x, y), int(rng.integers(6, h // 4)), c, -1)
    return np.clip(img, 0, 255).astype(np.uint8)


def write_pair(folder: Path, name: str = "scene", h: int = 96, w: int = 128, shift: int = 6,
               seed: int = 0, rows_apart: int = 0, colour_smaller: int = 1) -> tuple[Path, Path]:
    """x_mono.png (gray, the colour view shifted by ``shift`` px, and down by ``rows_apart`` rows:
    not rectified) + x_color.png (``colour_smaller`` times smaller a side)."""
    folder.mkdir(parents=True, exist_ok=True)
    colour = _texture(h + rows_apart, w + shift, seed)
    gray_view = colour[rows_apart:, shift:]
    ref_view = colour[:h, :w]
    if colour_smaller != 1:
        ref_view = cv2.resize(ref_view, (w // colour_smaller, h // colour_smaller), interpolation=cv2.INTER_AREA)
    gray = cv2.cvtColor(gray_view, cv2.COLOR_RGB2GRAY)
    mono, ref = folder / f"{name}_mono.png", folder / f"{name}_color.png"
    cv2.imwrite(str(mono), gray)
    cv2.imwrite(str(ref), ref_view[..., ::-1])
    return mono, ref


def stand_in_weights() -> bytes:
    """A model file that names no net (no real weights: the picker reads only the header and
    goes by the card's method, or takes it for a Cycle CNN; loading it would fail)."""
    from safetensors.numpy import save

    return save({"w": np.zeros(1, np.float32)})


STAND_IN_WEIGHTS = stand_in_weights()
