"""Checkpoint selection for the single-gray trainers, by the benchmark's own measure.

A few training photos are held apart (never trained on, and not the benchmark's validation
photos). At every checkpoint the model colorizes them at several saturation factors; the
score is the mean RGB PSNR gain over the gray at the colourfulness ratio the issue asks for
(0.6), interpolated between the factors. The trainer keeps the best-scoring weights, so a run
stops early by photos it has not seen instead of by the benchmark's.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from colorstudio.core.color import compose, luma
from colorstudio.core.metrics import colourfulness, rgb_psnr, truth_on_gray

TARGET_RATIO = 0.6
FACTORS = (0.5, 0.75, 1.0, 1.25, 1.5)


def gain_at_ratio(points: list[tuple[float, float]], ratio: float = TARGET_RATIO) -> float:
    """The gain at colourfulness ``ratio``, from (ratio, gain) points (one per saturation
    factor), by linear interpolation; outside their range, the nearest end's gain."""
    pts = sorted(points)
    xs = np.array([p[0] for p in pts], np.float64)
    ys = np.array([p[1] for p in pts], np.float64)
    return float(np.interp(ratio, xs, ys))


def selection_score(colorize: Callable[[np.ndarray, float], np.ndarray], photos: list[np.ndarray],
                    factors: tuple[float, ...] = FACTORS) -> dict:
    """Score ``colorize(gray, saturation) -> chroma`` on RGB photos (float, [0, 1]).

    Returns {"gain_db": the gain at TARGET_RATIO, "by_factor": {factor: (ratio, gain)}}.
    """
    truths, grays = [], []
    for rgb in photos:
        gray = luma(rgb)
        grays.append(gray)
        truths.append(truth_on_gray(gray, rgb))
    neutral = [np.full(g.shape + (2,), 0.5, np.float32) for g in grays]
    base = [rgb_psnr(g, n, t) for g, n, t in zip(grays, neutral, truths)]
    truth_colour = sum(colourfulness(t) for t in truths)
    by_factor = {}
    for f in factors:
        chromas = [colorize(g, f) for g in grays]
        gain = float(np.mean([rgb_psnr(g, c, t) - b for g, c, t, b in zip(grays, chromas, truths, base)]))
        ratio = sum(colourfulness(compose(g, c)) for g, c in zip(grays, chromas)) / max(truth_colour, 1e-9)
        by_factor[f] = (float(ratio), gain)
    return {"gain_db": gain_at_ratio(list(by_factor.values())), "by_factor": by_factor}
