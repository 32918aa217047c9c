"""The pair checks in words: what a photographer reads about a measured pair
(:func:`colorstudio.core.checks.check_pair` measures; :func:`describe` words it and suggests
a mode). Input: the facts dict the check measured (sizes, rows, parallax, tone)."""
from __future__ import annotations

# a rotation beyond this is a turned shot (90 or 180 degrees), not a tilt to rectify
TURNED_DEGREES = 20
# a pair whose matches lie this much within the tolerance of zero parallax has none to measure
NEAR_ZERO_SHARE = 0.75
# the scene this much larger or smaller in the colour shot: another lens or zoom (a stereo pair's
# depth moves the fitted scale by a few percent: the Motorcycle pair's is 0.98)
OTHER_VIEW = 1.07


def _fmt_size(size) -> str:
    return f"{size[0]}x{size[1]}"


def _size_message(f: dict) -> str | None:
    sx, sy = f["scale_factor"]
    if not f["size_mismatch"]:
        return None
    sizes = f"({_fmt_size(f['reference_size'])} vs {_fmt_size(f['gray_size'])})"
    if f["aspect_mismatch"] and turned_upright(f) is not None:      # its turn is said, not a stretch
        return f"The two shots have different shapes {sizes}."
    if f["aspect_mismatch"]:
        return (f"The two shots have different shapes {sizes}: the colour shot is scaled "
                f"{sx:.2f}x across and {sy:.2f}x down to fit the gray shot.")
    s = (sx + sy) / 2
    word = "smaller" if s >= 1 else "larger"
    if f"{max(s, 1 / s):.1f}" == "1.0":                 # a few pixels: not "1.0x smaller"
        return f"The colour shot is slightly {word} than the gray shot {sizes}."
    return f"The colour shot is {max(s, 1 / s):.1f}x {word} than the gray shot {sizes}."


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


def _view_message(wider: float) -> str:
    what = ("its rows and parallax follow from that, not from two cameras side by side" if wider > 1 else
            "the gray's edges lie outside it, so their colours are guessed")
    return (f"The colour shot {view_words(wider)} (another lens or zoom, or taken nearer or farther): {what}; "
            "the cross-camera method lines the two up.")


def _reframed_message(f: dict) -> str:
    covered = f.get("view_covered")
    shows = ("" if covered is None else
             "it shows all of the gray shot's view" if covered >= 0.97 else
             f"it shows about {100 * covered:.0f}% of the gray shot's view, the rest gets guessed colours")
    return ("The colour shot is framed differently (cropped, or from a camera of another shape)"
            f"{': ' + shows if shows else ''}. Rows and parallax are not measured between shots of "
            "different shapes; the cross-camera method lines the two up.")


def _geometry_messages(f: dict) -> list[str]:
    if f.get("mirrored"):       # its rows and parallax say nothing of the real pair
        return ["The colour shot looks mirrored, left and right swapped: flip it back and open the pair "
                "again; no method can line up a mirror image."]
    if (turn := turned_upright(f)) is not None:       # nor do a turned one's
        return [f"The colour shot looks turned by {turn:.0f} degrees: turn it upright first; its rows and "
                "parallax cannot be measured as it is."]
    if (wider := other_view(f)) is not None:          # nor do a zoomed one's
        return [_view_message(wider)]
    if f.get("aspect_mismatch"):                      # nor do a stretched one's (its size message says how)
        return [_reframed_message(f)]
    out = []
    if f["rectified"]:
        out.append(f"The pair is rectified: rows agree within {f['vertical_offset_px']:.1f} px.")
    else:
        detail = []
        if abs(f["vertical_shift_px"]) >= f["rectify_tolerance_px"]:
            detail.append(f"shifted {abs(f['vertical_shift_px']):.1f} px "
                          f"{'down' if f['vertical_shift_px'] > 0 else 'up'} in the colour shot")
        if abs(f["rotation_deg"]) >= 0.1:       # (a turn beyond TURNED_DEGREES: turned_upright, said alone)
            detail.append(f"tilted by {abs(f['rotation_deg']):.1f} degrees")
        if not detail and f["vertical_offset_px"] <= f["rectify_tolerance_px"] and f.get("rows_off_fraction"):
            detail.append(f"{100 * f['rows_off_fraction']:.0f}% of the matched points lie off their row")
        more = f" ({', '.join(detail)})" if detail else ""
        out.append(f"The pair is not rectified: rows differ by {f['vertical_offset_px']:.1f} px{more}; "
                   f"ColorStudio will rectify it for the stereo methods.")
    lo, hi = f["disparity_min"], f["disparity_max"]
    if f["colour_side"] == "unknown":
        near = f.get("parallax_near_zero_fraction")
        if max(abs(lo), abs(hi)) < max(1.0, f["rectify_tolerance_px"]) or (near or 0) >= NEAR_ZERO_SHARE:
            out.append("There is no measurable parallax: the shots are taken from the same point "
                       "or the scene is far away.")
        else:
            out.append(f"The parallax runs both ways ({lo:+.0f} to {hi:+.0f} px): the cameras are "
                       f"not parallel, or the shots were not taken at the same moment.")
    else:
        out.append(f"Parallax ranges from {lo:+.0f} to {hi:+.0f} px; the colour camera sits to the "
                   f"{f['colour_camera_position']} of the mono camera.")
    return out


def _tone_messages(f: dict) -> list[str]:
    out = []
    if f["exposure_stops"] is not None and abs(f["exposure_stops"]) >= 0.25:
        word = "brighter" if f["exposure_stops"] > 0 else "darker"
        effect = "fainter" if f["exposure_stops"] < 0 else "stronger"
        out.append(f"The colour shot is {abs(f['exposure_stops']):.1f} stops {word} than the gray shot "
                   f"(gain {f['exposure_gain']:.2f}); its colours are taken as they are, so they may come "
                   f"out {effect} than the scene's.")
    if f["tone_gamma"] is not None and abs(f["tone_gamma"] - 1) >= 0.1:
        out.append(f"The two cameras render tones differently (gamma {f['tone_gamma']:.2f} between them).")
    return out


def describe(f: dict, min_inliers: int, size_tolerance: float, min_side: int = 0) -> tuple[str, str, list[str]]:
    """(suggested mode, why, messages for a photographer) from the measured facts;
    ``min_inliers`` matches are needed to measure a pair, scales within ``size_tolerance``
    count as the same size, a shot below ``min_side`` px a side is not matched (the check's
    own thresholds)."""
    msgs = []
    if f["reference_is_gray"]:
        msgs.append("The reference has no colour (it is gray): there is nothing to take colours from; "
                    "colorize the gray photo on its own instead.")
    if f["identical"] and not f["reference_is_gray"]:     # a gray given twice has no colours to copy
        msgs.append("The colour shot is the same picture as the gray shot: its colours can be "
                    "copied directly.")
    size_msg = _size_message(f)
    if size_msg:
        msgs.append(size_msg)
    measured = f["rectified"] is not None
    if measured:
        if not f["identical"]:
            msgs += _geometry_messages(f)
        msgs += _tone_messages(f)
    elif min(f["reference_size"] + f["gray_size"]) < min_side:
        small = [f"the {which} ({w}x{h} px)" for which, (w, h) in (("gray shot", f["gray_size"]),
                                                                   ("colour shot", f["reference_size"]))
                 if min(w, h) < min_side]
        msgs.append(f"{' and '.join(small).capitalize()} {'is' if len(small) == 1 else 'are'} too small to "
                    f"measure how the two line up (at least {min_side} px a side).")
    elif f["n_inliers"] >= min_inliers:       # enough, but they agree as chance matches do
        msgs.append(f"Only {f['n_inliers']} of the {f['n_matches']} matching details found agree on how the "
                    f"shots line up, as chance matches do: they may not show the same scene, or one is too "
                    f"blurred, dark or featureless. Alignment could not be measured.")
    else:
        n = f["n_inliers"]
        found = "No matching details were" if n == 0 else "Only 1 matching detail was" if n == 1 else \
            f"Only {n} matching details were"
        msgs.append(f"{found} found between the two shots (at least "
                    f"{min_inliers} are needed): they may not show the same scene, or one is too blurred, "
                    f"dark or featureless. Alignment could not be measured.")
    sx, sy = f["scale_factor"]
    same_size = abs(sx - 1) <= size_tolerance and abs(sy - 1) <= size_tolerance
    if f["reference_is_gray"]:
        mode, why = "single", "the reference has no colour to give"
    elif f["identical"]:
        mode, why = "stereo", "the same picture: no parallax to bridge"
    elif not measured:
        mode, why = "crosscam", "the alignment could not be measured: the cross-camera method is the one that can still try"
    elif not same_size and f.get("aspect_mismatch"):
        mode, why = "crosscam", ("the colour shot looks turned: turn it upright first" if turned_upright(f)
                                 else "the colour shot has another shape")
    elif not same_size:
        scale = (sx + sy) / 2
        mode, why = "crosscam", (f"the colour shot has another resolution: {max(scale, 1 / scale):.1f}x "
                                 f"{'smaller' if scale > 1 else 'larger'}")
    elif f.get("mirrored"):
        mode, why = "crosscam", "the colour shot looks mirrored: flip it back first"
    elif turned_upright(f) is not None:
        mode, why = "crosscam", "the colour shot looks turned: turn it upright first"
    elif (wider := other_view(f)) is not None:
        mode, why = "crosscam", f"the colour shot {view_words(wider)}"
    elif not f["rectified"]:
        off_rows = f["vertical_offset_px"] > f["rectify_tolerance_px"]
        apart = (f"rows are {f['vertical_offset_px']:.1f} px apart" if off_rows
                 else f"{100 * (f.get('rows_off_fraction') or 0):.0f}% of the matched points lie off their row")
        mode, why = "crosscam", f"{apart}; the stereo methods would rectify the pair first"
    else:
        mode, why = "stereo", "same size and rectified"
    return mode, why, msgs


# how the suggested mode reads (colorize's automatic choice then treats the pair that way)
PAIR_KINDS = {"stereo": "Treated as a stereo pair", "crosscam": "Treated as a cross-camera pair",
              "single": "Better colorized on its own"}


def mode_sentence(mode: str, reason: str) -> str:
    """'Treated as a stereo pair (same size and rectified).' and the like."""
    return f"{PAIR_KINDS.get(mode, mode)} ({reason})."
