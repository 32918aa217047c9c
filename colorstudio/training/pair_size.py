"""The size a user's pair is fine-tuned at (no torch here: the fine-tune wizard's checks page
uses it too, so that a pair it calls usable is one training takes)."""
from __future__ import annotations

# Crops are multiples of 32 px; at 4x4 blocks a 32 px crop leaves 8 blocks, fewer than the
# cycle SSIM window's 11: a pair needs 64 px a side at the training size.
MIN_TRAINING_SIDE = 64
MAX_TRAINING_SIDE = 640


def training_size(gray_hw: tuple[int, int], disparity: tuple[float | None, float | None],
                  max_disparity: int, max_side: int = MAX_TRAINING_SIDE
                  ) -> tuple[tuple[int, int], float, tuple[float, float]]:
    """((width, height), scale, (lo, hi)) of a pair at its training size: at most ``max_side``
    on the long side, and small enough that its measured parallax span (``disparity``: min,
    max; None unknown) widened by a margin to (lo, hi) fits the model's ``max_disparity``
    candidates."""
    lo = disparity[0] if disparity[0] is not None else 0.0
    hi = disparity[1] if disparity[1] is not None else 0.0
    margin = 0.15 * (hi - lo) + 4
    lo, hi = lo - margin, hi + margin
    scale = min(1.0, max_side / max(gray_hw), (max_disparity - 4) / max(hi - lo, 1.0))
    return (max(32, round(gray_hw[1] * scale)), max(32, round(gray_hw[0] * scale))), scale, (lo, hi)


def too_small(size: tuple[int, int]) -> bool:
    return min(size) < MIN_TRAINING_SIDE
