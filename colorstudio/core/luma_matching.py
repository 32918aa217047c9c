"""Global tone alignment of two lumas: the monotone map that gives one the other's histogram.

The two cameras of a pair differ in tone and exposure; before matching pixels (the classic
matchers, DIS flow, the learned methods' inputs) the colour shot's luma is given the gray's
histogram. :func:`luma_matching` returns the map, :func:`match_luma` applies it and
:func:`unmatch_luma` undoes it (a warped reference shown in its own brightness).
"""
from __future__ import annotations

import numpy as np


def _quantiles(values: np.ndarray, q: np.ndarray) -> np.ndarray:
    """np.quantile(values, q) (its default "linear" rule; equal to float32 precision) with one sort: for
    hundreds of quantiles np.quantile partitions once per quantile, ~6x slower at 250k values."""
    s = np.sort(values.ravel())
    h = (s.size - 1) * q
    lo = np.floor(h).astype(np.int64)
    hi = np.minimum(lo + 1, s.size - 1)
    return s[lo] + (h - lo) * (s[hi].astype(np.float64) - s[lo])


def luma_matching(source: np.ndarray, target: np.ndarray, bins: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """The monotone map that histogram-matches ``source`` to ``target`` (both [0,1]), as
    (source quantiles, target quantiles): ``np.interp(x, *it)`` applies it (:func:`match_luma`),
    :func:`unmatch_luma` undoes it."""
    q = np.linspace(0.0, 1.0, bins)
    step_s = max(1, source.size // 250_000)
    step_t = max(1, target.size // 250_000)
    sq = _quantiles(source.ravel()[::step_s], q)
    tq = _quantiles(target.ravel()[::step_t], q)
    sq = np.maximum.accumulate(sq) + np.linspace(0.0, 1e-6, bins)  # strictly increasing
    return sq, tq


def match_luma(source: np.ndarray, target: np.ndarray, bins: int = 256) -> np.ndarray:
    """Histogram-match ``source`` (any shape, float32 [0,1]) to ``target``'s distribution."""
    return np.interp(source, *luma_matching(source, target, bins)).astype(np.float32)


def unmatch_luma(matched: np.ndarray, matching: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Values on the matched scale back on the source's own (the inverse of :func:`luma_matching`'s
    map; where the target's quantiles repeat, the middle of the source's span)."""
    sq, tq = matching
    up = np.interp(matched, tq, sq)                         # the first of equal target quantiles...
    down = np.interp(-np.asarray(matched), -tq[::-1], sq[::-1])     # ...and the last
    return (0.5 * (up + down)).astype(np.float32)
