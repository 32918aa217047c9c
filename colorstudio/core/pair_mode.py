"""Which pair mode fits a gray + colour pair, and why, in one rule for everything that asks:
'stereo' (a rectified same-size dual-camera pair, which the Cycle CNN takes too) or 'crosscam'
(a smaller colour shot, one of another shape or view, or from another viewpoint or moment).
CCDC, the default, colorizes both. `check`'s suggestion (:func:`pair_mode`) and colorize's
automatic choice (:func:`choose_mode`) are the same decision; the reason comes in plain words.
"""
from __future__ import annotations

from colorstudio.core.feature_matching import MIN_INLIERS
from colorstudio.core.pair_shapes import MIN_MEASURE_SIDE, same_aspect, same_size, too_small_to_measure

# a rotation beyond this is a turned shot (90 or 180 degrees), not a tilt to rectify
TURNED_DEGREES = 20
# the scene this much larger or smaller in the colour shot: another lens or zoom (a stereo pair's
# depth moves the fitted scale by a few percent: the Motorcycle pair's is 0.98)
OTHER_VIEW = 1.07
MODE_NAMES = {"stereo": "stereo mode", "crosscam": "cross-camera mode"}


def turned_upright(f: dict) -> float | None:
    """The degrees a colour shot is turned by (beyond TURNED_DEGREES: not a tilt to rectify, and
    colorize warns of it), or None if it is not."""
    turn = abs(f.get("rotation_deg") or 0)
    return turn if turn > TURNED_DEGREES else None


def other_view(f: dict) -> float | None:
    """The colour shot's view over the gray's (above 1: wider) when a lens or zoom makes them
    differ, else None (the same view; or a mirrored, turned or reshaped shot, said as such; or a
    rectified pair: a zoom moves the rows, and a deep scene's parallax moves the fitted scale)."""
    s = f.get("view_scale")
    if (not s or f.get("rectified") is not False or f.get("mirrored") or f.get("aspect_mismatch")
            or turned_upright(f) is not None):
        return None
    return 1 / s if max(s, 1 / s) >= OTHER_VIEW else None


def view_words(wider: float) -> str:
    """'covers a 1.25x wider view than the gray shot' (or narrower), for :func:`other_view`."""
    return f"covers a {max(wider, 1 / wider):.2f}x {'wider' if wider > 1 else 'narrower'} view than the gray shot"


def _not_measured(gray_shape, reference_shape, f: dict) -> str:
    n, found = f.get("n_inliers") or 0, f.get("n_matches") or 0
    why = (f"too small to measure: under {MIN_MEASURE_SIDE} px a side"
           if too_small_to_measure(gray_shape, reference_shape) else
           f"only {n} of {found} matching details agreeing" if n >= MIN_INLIERS else
           "no matching details" if n == 0 else f"only {n} matching detail{'s' * (n != 1)}")
    return (f"the alignment of the two shots could not be measured ({why}): the cross-camera method is the "
            "one that can still try")


def pair_mode(gray_shape, reference_shape, facts: dict | None = None) -> tuple[str, str]:
    """(mode, reason) for a gray of ``gray_shape`` (H, W[, ...]) and a colour shot of
    ``reference_shape`` (h, w[, 3]); ``facts``: what the pair check measured
    (:meth:`colorstudio.core.checks.PairReport.to_dict`, or its facts while it is made), None
    when the pair was not checked: a same-size pair is then taken for a rectified one."""
    (H, W), (h, w) = tuple(gray_shape[:2]), tuple(reference_shape[:2])
    if min(H, W, h, w) <= 0:
        raise ValueError(f"empty image shape: gray {gray_shape}, reference {reference_shape}")
    f = facts or {}
    sizes = f"({w}x{h} vs {W}x{H})"
    if (turn := turned_upright(f)) is not None and not f.get("mirrored"):     # any size: said as a turn
        return "crosscam", f"the colour shot looks turned by {turn:.0f} degrees (turn it upright first)"
    if not same_size(gray_shape, reference_shape):
        if not same_aspect(gray_shape, reference_shape):
            return "crosscam", f"the colour shot has another shape {sizes}"
        scale = (W / w + H / h) / 2
        return "crosscam", (f"the colour shot is {max(scale, 1 / scale):.1f}x "
                            f"{'smaller' if scale > 1 else 'larger'} than the gray shot {sizes}")
    if facts is None:
        return "stereo", "the two shots have the same size (assumed a rectified dual-camera pair)"
    if f.get("identical"):
        return "stereo", "the colour shot is the same picture as the gray shot"
    if f.get("rectified") is None:
        return "crosscam", _not_measured(gray_shape, reference_shape, f)
    if f.get("mirrored"):              # its rows say nothing of the real pair
        return "crosscam", "the colour shot looks mirrored (flip it back first)"
    if (wider := other_view(f)) is not None:     # nor do a zoomed one's of two cameras side by side
        return "crosscam", f"the colour shot {view_words(wider)} (another lens or zoom)"
    if not f["rectified"]:
        off = f.get("vertical_offset_px")
        apart = (f"rows are {off:.1f} px apart" if off is not None and off > (f.get("rectify_tolerance_px") or 0)
                 else f"{100 * (f.get('rows_off_fraction') or 0):.0f}% of the matched points lie off their row")
        return "crosscam", (f"the pair is not a rectified stereo pair ({apart}), e.g. another viewpoint or "
                            "another moment")
    return "stereo", "the two shots have the same size and their rows are aligned"


def choose_mode(gray_shape, reference_shape, report=None) -> tuple[str, str]:
    """colorize's automatic choice: :func:`pair_mode` for a :class:`~colorstudio.core.checks.PairReport`
    (or None: not checked), the reason as "cross-camera mode: …"."""
    facts = None if report is None else report if isinstance(report, dict) else vars(report)
    mode, reason = pair_mode(gray_shape, reference_shape, facts)
    return mode, f"{MODE_NAMES[mode]}: {reason}"


def rows_aligned_rig(gray_shape, colour_shape, rectified) -> bool:
    """Whether CCDC starts its flow from SGBM's disparity for a pair that is not one same-size
    stereo pair (those always do): the pair check found the rows aligned (``rectified`` True,
    not merely unmeasured) and the colour shot has the gray's aspect, so it is a rig of a mono
    and a colour camera side by side, the colour one smaller or not. The engine
    (:func:`colorstudio.engine.crosscam.stereo_init_wanted`), the CCDC fine-tuner and its
    previews decide by this one rule, so the net is fine-tuned with the start it gets."""
    return rectified is True and same_aspect(gray_shape, colour_shape)
