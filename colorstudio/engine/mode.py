"""Which pair mode fits a gray + colour pair: 'stereo' (a rectified same-size dual-camera
pair, which the Cycle CNN takes too) or 'crosscam' (a smaller colour shot, or one from another
viewpoint or moment). CCDC, the default, colorizes both. No torch; the reason comes back in
plain words for the user.
"""
from __future__ import annotations

from colorstudio.core.check_messages import other_view, turned_upright, view_words
from colorstudio.core.checks import MIN_INLIERS, MIN_MEASURE_SIDE, same_aspect, same_size, too_small_to_measure


def choose_mode(gray_shape, reference_shape, report=None) -> tuple[str, str]:
    """(mode, reason) for a gray of ``gray_shape`` (H, W[, ...]) and a reference of
    ``reference_shape`` (h, w[, 3]).

    'crosscam' when either side differs by more than ~10%, or when ``report`` (a
    :class:`colorstudio.core.checks.PairReport` from ``check_pair``, optional) says the pair
    is not rectified or its alignment could not be measured; otherwise 'stereo'.
    Without a report, same-size pairs are assumed to be rectified stereo pairs.
    """
    (H, W), (h, w) = tuple(gray_shape[:2]), tuple(reference_shape[:2])
    if min(H, W, h, w) <= 0:
        raise ValueError(f"empty image shape: gray {gray_shape}, reference {reference_shape}")
    sx, sy = W / w, H / h
    if not same_size(gray_shape, reference_shape):
        if not same_aspect(gray_shape, reference_shape):
            shape = f"the colour shot has another shape ({w}x{h} vs {W}x{H})"
        elif sx > 1:
            shape = f"the colour shot is {(sx + sy) / 2:.1f}x smaller than the gray shot ({w}x{h} vs {W}x{H})"
        else:
            shape = f"the colour shot is {2 / (sx + sy):.1f}x larger than the gray shot ({w}x{h} vs {W}x{H})"
        return "crosscam", f"cross-camera mode: {shape}"
    if report is None:
        return "stereo", "stereo mode: the two shots have the same size (assumed a rectified dual-camera pair)"
    if getattr(report, "identical", False):
        return "stereo", "stereo mode: the colour shot is the same picture as the gray shot"
    rectified = getattr(report, "rectified", None)
    if rectified is None:
        n, found = getattr(report, "n_inliers", 0), getattr(report, "n_matches", 0)
        why = (f"too small to measure: under {MIN_MEASURE_SIDE} px a side"
               if too_small_to_measure(gray_shape, reference_shape) else
               f"only {n} of {found} matching details agreeing" if n >= MIN_INLIERS else
               f"only {n} matching detail{'s' * (n != 1)}")
        return "crosscam", (f"cross-camera mode: the alignment of the two shots could not be measured "
                            f"({why}): the cross-camera method is the one that can still try")
    if getattr(report, "mirrored", False):      # its rows say nothing of the real pair (as `check` says)
        return "crosscam", "cross-camera mode: the colour shot looks mirrored (flip it back first)"
    if (turn := turned_upright({"rotation_deg": getattr(report, "rotation_deg", None)})) is not None:
        return "crosscam", f"cross-camera mode: the colour shot looks turned by {turn:.0f} degrees (turn it upright first)"
    view = {key: getattr(report, key, None) for key in ("view_scale", "rectified", "mirrored", "rotation_deg")}
    if (wider := other_view(view)) is not None:     # its rows say nothing of two cameras side by side
        return "crosscam", f"cross-camera mode: the colour shot {view_words(wider)} (another lens or zoom)"
    if not rectified:
        off = getattr(report, "vertical_offset_px", None)
        rows = f" (rows are {off:.1f} px apart)" if off is not None else ""
        return "crosscam", (f"cross-camera mode: the pair is not a rectified stereo pair{rows}, "
                            f"e.g. another viewpoint or another moment")
    return "stereo", "stereo mode: the two shots have the same size and their rows are aligned"


def rows_aligned_rig(gray_shape, colour_shape, rectified) -> bool:
    """Whether CCDC starts its flow from SGBM's disparity for a pair that is not one same-size
    stereo pair (those always do): the pair check found the rows aligned (``rectified`` True,
    not merely unmeasured) and the colour shot has the gray's aspect, so it is a rig of a mono
    and a colour camera side by side, the colour one smaller or not. The engine
    (:func:`colorstudio.engine.crosscam.stereo_init_wanted`), the CCDC fine-tuner and its
    previews decide by this one rule, so the net is fine-tuned with the start it gets."""
    return rectified is True and same_aspect(gray_shape, colour_shape)
