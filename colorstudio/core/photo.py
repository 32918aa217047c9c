"""A decoded photograph and what was read with it (:class:`Photo`: its pixels, alpha, ICC
profile, EXIF, print resolution, and notes on what reading it left out), as
:func:`colorstudio.core.imageio.load_photo` gives it and :mod:`colorstudio.core.image_write` writes it.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass
class Photo:
    """A decoded image and the metadata to carry to the output.

    ``pixels`` is (H, W) for gray or (H, W, 3) RGB, dtype uint8 or uint16.
    ``alpha`` is (H, W) of the same dtype or None.
    """

    pixels: np.ndarray
    alpha: np.ndarray | None = None
    icc_profile: bytes | None = None
    exif: bytes | None = None
    path: Path | None = None
    format: str | None = None
    converted_from: str | None = None  # "CMYK" (by the plain formula), "CMYK (by its profile)", "palette"
    tone_note: str | None = None       # a gray profile's tones brought to sRGB's (see load_photo)
    srgb_tones: bool = False           # a gray read through its gray profile: its levels are sRGB's tones
    frames: int = 1                    # pages of a TIFF, frames of a GIF or WebP: only the first is read
    dpi: tuple[float, float] | None = None   # print resolution (x, y) in dots per inch, as oriented
    depth_note: str | None = None      # the file stores more bits a channel than could be read
    range_note: str | None = None      # HDR floats or signed integers brought to 0..1 (see load_photo)

    @property
    def frames_note(self) -> str | None:
        """A note for the user when the file holds more than the picture that was read."""
        if self.frames <= 1:
            return None
        kind = "pages" if self.format == "TIFF" else "frames"
        return f"{self.name} holds {self.frames} {kind}: only the first is used"

    @property
    def conversion_note(self) -> str | None:
        """A note for the user when the file's colours could only be converted approximately."""
        if self.converted_from != "CMYK":
            return None
        return (f"{self.name} is a CMYK file without a usable colour profile: its colours were brought to "
                f"RGB by the plain formula and may be off")

    @property
    def is_gray(self) -> bool:
        return self.pixels.ndim == 2

    @property
    def bit_depth(self) -> int:
        return 16 if self.pixels.dtype == np.uint16 else 8

    @property
    def size(self) -> tuple[int, int]:
        """(width, height)"""
        return self.pixels.shape[1], self.pixels.shape[0]

    @property
    def name(self) -> str:
        return self.path.name if self.path else "<memory>"

    def to_float(self) -> np.ndarray:
        """Pixels as float32 in [0, 1], same shape."""
        scale = 65535.0 if self.pixels.dtype == np.uint16 else 255.0
        return self.pixels.astype(np.float32) / scale

    def gray_float(self) -> np.ndarray:
        """Luma (BT.601) as float32 (H, W) in [0, 1]."""
        from colorstudio.core.color import luma

        f = self.to_float()
        return f if f.ndim == 2 else luma(f)

    def rgb_float(self) -> np.ndarray:
        """RGB float32 (H, W, 3) in [0, 1] (gray is replicated)."""
        f = self.to_float()
        return np.repeat(f[..., None], 3, axis=2) if f.ndim == 2 else f


def reading_notes(*photos: Photo | None) -> list[str]:
    """What reading the photos given left out or could only approximate, for the user: other
    pages or frames (:attr:`Photo.frames_note`), bits a channel (:attr:`Photo.depth_note`), an
    HDR float range (:attr:`Photo.range_note`), a CMYK file's colours without its profile
    (:attr:`Photo.conversion_note`)."""
    return [note for p in photos if p is not None
            for note in (p.frames_note, p.depth_note, p.range_note, p.conversion_note) if note]
