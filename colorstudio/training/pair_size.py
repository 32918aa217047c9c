"""The size a user's pair is fine-tuned at, by each network (no torch here: the fine-tune
wizard's checks page uses it too, so that a pair it calls usable is one training takes).

The Cycle CNN learns from the pair itself, scaled so its parallax fits the model's candidates
(:func:`training_size`); CCDC from the pair's colour shot, at most :data:`CCDC_MAX_SIDE` px on
the long side, which must hold half a :data:`CCDC_CROP` crop (:func:`ccdc_colour_too_small`)."""
from __future__ import annotations

from colorstudio.core.resize import area_reduced_size

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


CCDC_MAX_SIDE = 640            # each shot's long side for CCDC fine-tuning (the finetune benchmark's pairs)
CCDC_CROP = (160, 160)


def ccdc_colour_size(colour_hw: tuple[int, int], max_side: int = CCDC_MAX_SIDE) -> tuple[int, int]:
    """(width, height) of a colour shot at CCDC's training scale (as ``core.resize.area_reduce``)."""
    return area_reduced_size(colour_hw, max(colour_hw[:2]) / max_side)


def ccdc_colour_too_small(colour_hw: tuple[int, int], crop: tuple[int, int] = CCDC_CROP,
                          max_side: int = CCDC_MAX_SIDE) -> str | None:
    """Why a colour shot is too small for CCDC to synthesize pairs from (None: it is not)."""
    w, h = ccdc_colour_size(colour_hw, max_side)
    if min(w, h) >= min(crop) // 2:
        return None
    return (f"the colour shot is too small to learn from ({w}x{h} px at training size, "
            f"at least {min(crop) // 2} px a side)")
