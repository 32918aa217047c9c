"""How the two shots of a pair compare in shape alone (no pixels): the same size, the same
frame at another scale, or too small to be matched. The pair check, the mode choice and the
cross-camera engine share these rules."""
from __future__ import annotations

MIN_MEASURE_SIDE = 24    # px: a smaller shot is not matched (a 16x16 thumbnail "looked mirrored")
SIZE_TOL = 0.10          # sizes within 10% per axis count as the same size (same_size)


def same_size(gray_shape, reference_shape) -> bool:
    """Whether the two shots count as the same size: within :data:`SIZE_TOL` per axis."""
    (H, W), (h, w) = tuple(gray_shape[:2]), tuple(reference_shape[:2])
    return max(abs(W / w - 1), abs(H / h - 1)) <= SIZE_TOL


def same_aspect(gray_shape, reference_shape) -> bool:
    """Whether the reference is the gray's frame at another scale: its x and y scale factors
    agree within 1% plus one pixel of rounding of the smaller image (an 8x smaller 741x500
    frame is 93x62)."""
    (H, W), (h, w) = tuple(gray_shape[:2]), tuple(reference_shape[:2])
    return abs((W / w) / (H / h) - 1) <= 0.01 + 1.0 / min(H, W, h, w)


def too_small_to_measure(gray_shape, reference_shape) -> bool:
    """Whether either shot is below :data:`MIN_MEASURE_SIDE` px a side: not matched at all."""
    return min(*gray_shape[:2], *reference_shape[:2]) < MIN_MEASURE_SIDE
