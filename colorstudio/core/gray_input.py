"""What colour the "gray" input holds: none, one tint (a toned print), or real colour.

The engine colorizes the gray photo's luminance only, so any colour in it is dropped. That is
right for a gray stored as RGB (most scans and exports) and for a toned print (sepia,
selenium, cyanotype: one tint over the whole picture), but worth saying; and a colourful
"gray" usually means the user gave the colour shot first. :func:`classify_gray_input` sorts
the three cases apart on a reduced copy of the photo (a few milliseconds at 12 MP).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from colorstudio.core.color import rgb_to_hsv, rgb_to_ycbcr, ycbcr_to_rgb

SAMPLE_LONG_SIDE = 256       # statistics on about this many pixels per side
NEUTRAL_CHROMA = 6 / 255     # 99% of the pixels within this of neutral: no visible colour
                             # (a gray stored as RGB, or a scanner's faint cast)
TINTED = 3 / 255             # a pixel further than this from neutral carries a tint
TINT_SPREAD = 4 / 255        # 95% of the pixels within this of one hue line: one tint
BACKWARDS_SHARE = 0.05       # at most this share of clearly-tinted pixels may point the other way
TINT_COVERAGE = 0.6          # and at least this share of all pixels must carry the tint


@dataclass(frozen=True)
class GrayInputColour:
    kind: str                # "gray" (one channel), "neutral" (RGB, no visible colour), "toned" or "colour"
    tint: str | None = None  # for "toned": "warm", "cool", "green" or "magenta"
    strength: float = 0.0    # the 99th percentile of the chroma magnitude, 0..~0.5

    def message(self, pair: bool) -> str | None:
        """One line for the user, or None when there is nothing to say."""
        if self.kind == "toned":
            return (f"the gray photo has one {self.tint} tint all over (a toned print?): only its "
                    "luminance is colorized and the tint is not kept")
        if self.kind == "colour":
            if pair:
                return ("the gray photo holds colour: only its luminance is used "
                        "(the gray photo comes first, the colour reference second)")
            return "the photo is in colour: its colours are dropped and re-invented from its luminance"
        return None

    def sentence(self, pair: bool) -> str | None:
        """:meth:`message` as a sentence (capital, full stop), as lists of checks show it."""
        text = self.message(pair)
        return text[0].upper() + text[1:] + "." if text else None


def _sample(rgb: np.ndarray) -> np.ndarray:
    step = max(1, int(np.ceil(max(rgb.shape[:2]) / SAMPLE_LONG_SIDE)))
    return rgb[::step, ::step]


def _tint_name(chroma_mean: np.ndarray) -> str:
    """Name the hue of a tint given as a mean (Cb, Cr) offset from neutral."""
    ycc = np.array([[[0.5, 0.5 + chroma_mean[0], 0.5 + chroma_mean[1]]]], np.float32)
    hue = float(rgb_to_hsv(ycbcr_to_rgb(ycc))[0, 0, 0]) * 360
    if hue < 75 or hue >= 330:
        return "warm"
    if hue < 165:
        return "green"
    if hue < 270:
        return "cool"
    return "magenta"


def classify_gray_input(pixels: np.ndarray) -> GrayInputColour:
    """Sort a gray input's pixels (H, W) or (H, W, 3), any dtype, into gray / neutral / toned /
    colour. Toned = most pixels carry a tint, and the chroma of (nearly) every pixel lies on one
    line through neutral, on one side of it, whatever its strength (a print's tint fades in the
    highlights and shadows). A colour photo of a one-hue scene (a blue dusk) also counts as toned:
    for the engine it is the same, since only the luminance is used either way."""
    if pixels.ndim == 2:
        return GrayInputColour("gray")
    scale = 65535.0 if pixels.dtype == np.uint16 else (255.0 if pixels.dtype == np.uint8 else 1.0)
    rgb = _sample(pixels[..., :3]).astype(np.float32) / scale
    chroma = rgb_to_ycbcr(rgb)[..., 1:].reshape(-1, 2) - 0.5
    magnitude = np.hypot(chroma[:, 0], chroma[:, 1])
    strength = float(np.percentile(magnitude, 99))
    if strength <= NEUTRAL_CHROMA:
        return GrayInputColour("neutral", strength=strength)
    mean = chroma.mean(axis=0)
    direction = mean / max(float(np.hypot(*mean)), 1e-9)
    along = chroma @ direction
    across = np.abs(chroma[:, 0] * direction[1] - chroma[:, 1] * direction[0])
    tinted = magnitude > TINTED
    backwards = float(np.mean(along[tinted] < -TINTED)) if tinted.any() else 0.0
    if np.percentile(across, 95) <= TINT_SPREAD and backwards <= BACKWARDS_SHARE \
            and float(np.mean(tinted)) >= TINT_COVERAGE:
        return GrayInputColour("toned", tint=_tint_name(mean), strength=strength)
    return GrayInputColour("colour", strength=strength)


def black_and_white_only(pixels: np.ndarray) -> bool:
    """Whether a gray photo holds pure black and pure white only (a 1-bit scan, line art):
    colour cannot go on either without changing the gray, which the result keeps as its luma."""
    if pixels.ndim != 2 or pixels.dtype.kind not in "ui" or not pixels.size:
        return False
    white = np.iinfo(pixels.dtype).max
    return bool(((pixels == 0) | (pixels == white)).all())
