"""The pair checks in words: what a photographer reads about a measured pair
(:func:`colorstudio.core.checks.check_pair` measures; :func:`describe` words it and suggests
a mode). Input: the facts dict the check measured (sizes, rows, parallax, tone)."""
from __future__ import annotations

from colorstudio.core.pair_mode import other_view, pair_mode, turned_upright, view_words

# a pair whose matches lie this much within the tolerance of zero parallax has none to measure
NEAR_ZERO_SHARE = 0.75


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


def describe(f: dict, min_inliers: int, min_side: int = 0) -> tuple[str, str, list[str]]:
    """(suggested mode, why, messages for a photographer) from the measured facts;
    ``min_inliers`` matches are needed to measure a pair, a shot below ``min_side`` px a side
    is not matched (the check's own thresholds). The mode is colorize's automatic choice
    (:func:`colorstudio.core.pair_mode.pair_mode`), or 'single' for a colour shot with no colour."""
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
    if f["reference_is_gray"]:       # (colorize returns the gray then, with a warning)
        mode, why = "single", "the reference has no colour to give"
    else:
        (w, h), (rw, rh) = f["gray_size"], f["reference_size"]
        mode, why = pair_mode((h, w), (rh, rw), f)
    return mode, why, msgs


# how the suggested mode reads (colorize's automatic choice treats the pair that way; a pair
# 'better colorized on its own' is given back as its gray, with a warning)
PAIR_KINDS = {"stereo": "Treated as a stereo pair", "crosscam": "Treated as a cross-camera pair",
              "single": "Better colorized on its own"}


def mode_sentence(mode: str, reason: str) -> str:
    """'Treated as a stereo pair: the two shots have the same size and their rows are aligned.'
    and the like."""
    return f"{PAIR_KINDS.get(mode, mode)}: {reason}."
