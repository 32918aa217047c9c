"""What a photographer's dual camera does, measured on their own pairs (numpy + OpenCV; no
ground truth needed): the mono camera's tone response to the colour camera's luma, each
camera's noise, where a mono pixel's match lies in the colour shot and how far.

The CCDC fine-tuner (:mod:`colorstudio.training.finetune_ccdc`) synthesizes training pairs
with it from the user's own colour shots, cleaned of their noise (:func:`clean_shot`): the
mono view is the camera's tone response plus its noise, the reference the shot plus the
colour camera's noise, and the truth the clean shot.

Noise is signal-dependent, sigma = k * sqrt(value) (as :func:`colorstudio.core.synth.add_signal_noise`),
measured by the median absolute response of a 3x3 high-pass whose output has the noise's own
sigma (Immerkaer 1996) within bands of brightness; the median keeps most texture out of it.
On the finetune benchmark's simulated cameras it reads the colour noise within 0.003 of the
truth (k 0.03 / 0.05 / 0.07) and the mono noise 0.005 high (k 0.01-0.015), where texture
weighs more.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import cv2
import numpy as np

from colorstudio.core.color import luma
from colorstudio.core.synth import add_signal_noise, on_8bit_grid

_HIGH_PASS = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], np.float32) / 6.0   # unit gain on white noise
_BANDS = np.arange(0.05, 0.95, 0.1)      # brightness bands (lower edges, 0.1 wide) for the noise
_MIN_BAND_PIXELS = 2000
TONE_NODES = 33


@dataclass
class UserCamera:
    tone_in: list[float]          # colour-shot luma at TONE_NODES quantiles (increasing)
    tone_out: list[float]         # the mono shots' values at the same quantiles
    mono_noise: float             # k of sigma = k sqrt(v)
    colour_noise: float
    match_side: str               # "left" | "right": where, in the colour shot, a mono pixel's match
                                  # lies (check_pair's colour_side; synthesize_from_photo's side)
    max_disparity: float          # the pairs' median of their largest |disparity|, px of the mono shots
                                  # at the fine-tuner's training scale (0: a same-frame pair)
    size_factor: float = 1.0      # how many times smaller the colour shots are (per side)

    def mono_response(self, y: np.ndarray) -> np.ndarray:
        return np.interp(y, self.tone_in, self.tone_out).astype(np.float32)

    def degrade(self, gray_view_rgb: np.ndarray, ref_view_rgb: np.ndarray, rng: np.random.Generator):
        """(gray view RGB (H,W,3), reference view RGB (h,w,3)) -> (mono shot (H,W), colour
        shot (h,w,3)) as this camera takes them: float32 on the 8-bit grid."""
        gray = add_signal_noise(self.mono_response(luma(np.clip(gray_view_rgb, 0, 1))), self.mono_noise, rng)
        ref = add_signal_noise(np.clip(ref_view_rgb, 0, 1), self.colour_noise, rng)
        return on_8bit_grid(gray), on_8bit_grid(ref)

    def to_dict(self) -> dict:
        return {k: (round(v, 5) if isinstance(v, float) else [round(x, 5) for x in v] if isinstance(v, list) else v)
                for k, v in asdict(self).items()}


def noise_k(channel: np.ndarray) -> float | None:
    """k of the signal-dependent noise sigma = k sqrt(v) of one float [0,1] channel; None when
    no brightness band has enough pixels."""
    channel = np.ascontiguousarray(channel, np.float32)
    high = np.abs(cv2.filter2D(channel, -1, _HIGH_PASS, borderType=cv2.BORDER_REFLECT))
    level = cv2.blur(channel, (5, 5))
    ks = []
    for lo in _BANDS:
        band = (level >= lo) & (level < lo + 0.1)
        if band.sum() >= _MIN_BAND_PIXELS:
            ks.append(1.4826 * float(np.median(high[band])) / np.sqrt(lo + 0.05))
    return float(np.median(ks)) if ks else None


def colour_noise_k(rgb: np.ndarray) -> float | None:
    ks = [k for c in range(3) if (k := noise_k(rgb[..., c])) is not None]
    return float(np.median(ks)) if ks else None


def tone_quantiles(colour_luma: np.ndarray, mono: np.ndarray, n: int = TONE_NODES) -> tuple[np.ndarray, np.ndarray]:
    """(colour luma, mono) at the same n quantiles of each shot: the mono camera's response to
    the colour camera's luma, for two views of one scene (their histograms nearly agree)."""
    q = np.linspace(0.0, 1.0, n)
    x = np.quantile(cv2.GaussianBlur(colour_luma.astype(np.float32), (0, 0), 1.0), q)
    y = np.quantile(cv2.GaussianBlur(mono.astype(np.float32), (0, 0), 1.0), q)
    return np.maximum.accumulate(x), np.maximum.accumulate(y)


def clean_shot(rgb: np.ndarray, colour_noise: float) -> np.ndarray:
    """The colour shot (float [0,1]) with its noise taken out (non-local means, strength after
    the measured noise at mid-gray), as uint8 RGB: the training pairs' truth."""
    u8 = np.clip(np.rint(rgb * 255), 0, 255).astype(np.uint8)
    h = float(np.clip(colour_noise * np.sqrt(0.5) * 255, 1.0, 30.0))
    return cv2.fastNlMeansDenoisingColored(u8, None, h, h, 7, 21)


def fit_camera(shots: list[tuple[np.ndarray, np.ndarray]], sides: list[str], disparities: list[float],
               size_factors: list[float], colour_noises: list[float | None] | None = None) -> UserCamera:
    """The camera from its pairs: ``shots`` (mono (H,W), colour RGB (h,w,3), float [0,1]);
    per pair where a mono pixel's match lies in the colour shot ('left'/'right'/'unknown') and
    its largest |disparity| in px of the mono shot (check_pair), and how many times smaller the
    colour shot is. ``colour_noises``: each colour shot's :func:`colour_noise_k`, if measured
    already."""
    if not shots:
        raise ValueError("no pairs to measure the camera on")
    xs, ys, km = [], [], []
    for mono, colour in shots:
        y_colour = luma(colour)
        if y_colour.shape != mono.shape:
            y_colour = cv2.resize(y_colour, (mono.shape[1], mono.shape[0]), interpolation=cv2.INTER_LINEAR)
        x, y = tone_quantiles(y_colour, mono)
        xs.append(x)
        ys.append(y)
        km.append(noise_k(mono))
    kc = colour_noises if colour_noises is not None else [colour_noise_k(colour) for _, colour in shots]
    tone_in = np.maximum.accumulate(np.median(xs, axis=0))
    tone_out = np.maximum.accumulate(np.median(ys, axis=0))
    tone_in = tone_in + np.linspace(0.0, 1e-5, len(tone_in))          # strictly increasing for interp
    side = max(("right", "left"), key=sides.count)       # the more common; "right" on a tie or none
    return UserCamera(tone_in=tone_in.tolist(), tone_out=tone_out.tolist(),
                      mono_noise=_median_or(km, 0.01), colour_noise=_median_or(kc, 0.03),
                      match_side=side,
                      max_disparity=float(np.median(disparities)) if disparities else 0.0,
                      size_factor=float(np.median(size_factors)) if size_factors else 1.0)


def _median_or(values, default: float) -> float:
    values = [v for v in values if v is not None and np.isfinite(v)]
    return float(np.median(values)) if values else default
