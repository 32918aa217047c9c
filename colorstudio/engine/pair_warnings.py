"""What the engine warns about a pair before colorizing it (one line each, in plain words):
a colour shot that looks mirrored or turned, one that seems to show another scene, and a
stereo-only method given a pair of another shape. The warning lands in the result's
``info["warning"]``, which the CLI, the batch and the app show."""
from __future__ import annotations

from colorstudio.core.pair_mode import pair_mode, turned_upright
from colorstudio.core.pair_shapes import same_aspect
from colorstudio.core.feature_matching import MIN_INLIERS, SAME_SCENE_MIN_INLIERS, chance_matches
from colorstudio.engine.methods import Method

def geometry_warning(report) -> str | None:
    """What the pair check saw that no method undoes: a mirrored or turned colour shot (the
    result's colours are then wrong); None otherwise."""
    if report is None:
        return None
    if getattr(report, "mirrored", False):
        return "the colour shot looks mirrored, left and right swapped: flip it back first; the colours are wrong"
    if (turn := turned_upright({"rotation_deg": getattr(report, "rotation_deg", None)})) is not None:
        return f"the colour shot looks turned by {turn:.0f} degrees: turn it upright first; the colours are likely wrong"
    return None


def scene_warning(report) -> str | None:
    """A word when the pair check found (almost) nothing in common between the two shots: a
    colour shot of another scene (a wrong file paired, a folder's names mixed up) or a gray with
    no detail to match; an aligning method then paints the gray with colours from elsewhere.
    None when the shots match, are the same picture, the colour shot has no colour, or they are
    too small to be matched at all."""
    if report is None or report.identical or report.reference_is_gray or report.detector == "none":
        return None
    n = report.n_inliers
    if not chance_matches(n, report.n_matches) and n >= MIN_INLIERS:    # too few to measure: the
        return None                                                     # check says so too
    by_chance = chance_matches(n, report.n_matches) and n >= SAME_SCENE_MIN_INLIERS    # agreeing as chance would
    found = ("no matching detail" if n == 0 else f"only {n} of {report.n_matches} matching details agreeing"
             if by_chance else f"only {n} matching detail{'s' if n > 1 else ''}")
    return (f"{found} between the two shots: they may not show the same scene (or one is too dark, "
            f"blurred or featureless); if they do not, the colours are wrong")


def mode_mismatch_warning(method: Method, gray_shape, reference_shape) -> str | None:
    """A word when a stereo-only method runs on a pair whose colour shot is smaller or of
    another shape (what the automatic choice calls cross-camera; cyclecnn scored 10-13 dB below
    dis+gf on such pairs); None otherwise, also for a larger shot of the same shape (it is
    reduced to the gray's size and does as well as a same-size one). Needs no pair check."""
    if method.mode != "stereo":
        return None
    mode, reason = pair_mode(gray_shape, reference_shape)
    larger = all(r >= g for r, g in zip(reference_shape[:2], gray_shape[:2]))
    if mode == "stereo" or (larger and same_aspect(gray_shape, reference_shape)):
        return None
    return (f"{method.name} is made for same-size stereo pairs, and here {reason}: "
            f"the colours may be misplaced; ccdc (the default for such pairs) or dis+gf fit it better")
