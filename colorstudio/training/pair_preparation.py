"""A user's camera pair made ready for each fine-tuner, or refused with its reason (no torch).

The fine-tuners (:mod:`colorstudio.training.finetune`, :mod:`colorstudio.training.finetune_ccdc`)
and the fine-tune wizard's checks page call these same functions, so a pair the wizard calls
usable for a network is one its fine-tuner takes, and one it leaves out is refused for the
same reason, in the same words.

- Either network: the colour shot must have colour and not be the gray shot itself.
- The Cycle CNN (:func:`stereo_pair`) learns from the pair as it is: rectified rows (measured
  with the colour shot brought to the gray's size), and big enough at the size that fits its
  parallax into the model's candidates.
- CCDC (:func:`ccdc_shot`) learns from pairs made of the colour shot as the camera takes them,
  so any geometry will do as long as the colour shot is big enough at training scale.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from colorstudio.core.luma_matching import match_luma
from colorstudio.core.checks import ROWS_OFF_MAX, PairReport, check_pair
from colorstudio.core.feature_matching import chance_matches
from colorstudio.core.color import rgb_to_ycbcr
from colorstudio.core.colour_management import reference_rgb
from colorstudio.core.imageio import load_photo
from colorstudio.core.rectify import shift_columns
from colorstudio.core.resize import area_reduce
from colorstudio.errors import ColorStudioError
from colorstudio.training.pair_size import (CCDC_CROP, CCDC_MAX_SIDE, MAX_TRAINING_SIDE, MIN_TRAINING_SIDE,
                                            ccdc_colour_too_small, too_small, training_size)
from colorstudio.training.user_camera import colour_noise_k

NO_COLOUR = "the colour shot has no colour"
SAME_PICTURE = "both shots are the same picture"


class PairRefused(ColorStudioError):
    """A fine-tuner cannot learn from this pair: ``reason`` in plain words (``report``: the
    pair check it was refused on, when one was made)."""

    def __init__(self, name: str, reason: str, report: PairReport | None = None):
        super().__init__(f"{name}: {reason}; leave it out")
        self.reason, self.report = reason, report


def load_user_pair(gray_path, ref_path) -> tuple[np.ndarray, np.ndarray]:
    """(gray float32 (H, W), colour shot float32 RGB (h, w, 3)) as colorize sees them."""
    gray_photo = load_photo(gray_path)
    colour, _ = reference_rgb(load_photo(ref_path), gray_photo)
    return gray_photo.gray_float(), colour


def _refuse_uninformative(name: str, report: PairReport) -> None:
    if report.reference_is_gray:
        raise PairRefused(name, NO_COLOUR, report)
    if report.identical:
        raise PairRefused(name, SAME_PICTURE, report)


def _refuse_unmatched(name: str, report: PairReport) -> None:
    """Another scene (a wrong file paired) or shots too featureless to match: nothing to
    measure the camera on (its tone curve, parallax, side), nothing of it to learn."""
    if report.detector != "none" and chance_matches(report.n_inliers, report.n_matches):
        raise PairRefused(name, f"the two shots share too few matching details ({report.n_inliers} of "
                                f"{report.n_matches} agree): they do not seem to show the same scene, or "
                                f"are too featureless to learn from", report)


def _not_rectified(report: PairReport) -> str:
    """Why the check found the rows not aligned, in words."""
    if report.mirrored:
        return "the colour shot looks mirrored"
    offset, tolerance = report.vertical_offset_px or 0.0, report.rectify_tolerance_px or 0.0
    if offset <= tolerance and (report.rows_off_fraction or 0) > ROWS_OFF_MAX:   # "rows 0.0 px apart" said nothing
        return f"not rectified ({report.rows_off_fraction:.0%} of the matching details are off their row)"
    return f"not rectified (rows {offset:.1f} px apart)"


# ------------------------------------------------------------------ the Cycle CNN
@dataclass
class PreparedPair:
    """A user's pair at the training scale: gray (h,w), reference YCbCr (h,w,3) pre-shifted."""
    name: str
    gray: np.ndarray
    ref_ycc: np.ndarray
    side: str
    report: dict


def stereo_pair(name: str, gray: np.ndarray, ref: np.ndarray, max_disparity: int,
                max_side: int = MAX_TRAINING_SIDE) -> PreparedPair:
    """Check and scale a pair so its disparity span fits the model's candidates; raises
    :class:`PairRefused`. ``name``: the gray file's name (the pair is called by its stem)."""
    if ref.shape[:2] != gray.shape:
        ref = cv2.resize(ref, (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_CUBIC)
    report = check_pair(gray, ref)
    _refuse_uninformative(name, report)
    if report.rectified is False:
        raise PairRefused(name, _not_rectified(report), report)
    side = report.colour_side if report.colour_side in ("left", "right") else "right"
    size, scale, (lo, hi) = training_size(gray.shape, (report.disparity_min, report.disparity_max),
                                          max_disparity, max_side)
    if too_small(size):
        raise PairRefused(name, f"{size[0]}x{size[1]} px at training size is too small to fine-tune on "
                                f"(at least {MIN_TRAINING_SIDE} px a side)", report)
    _refuse_unmatched(name, report)
    g = cv2.resize(gray, size, interpolation=cv2.INTER_AREA)
    r = cv2.resize(ref, size, interpolation=cv2.INTER_AREA)
    sx = size[0] / gray.shape[1]
    offset = int(math.floor(lo * sx)) - 1 if side == "right" else int(math.ceil(hi * sx)) + 1
    ref_ycc = rgb_to_ycbcr(np.clip(shift_columns(r, offset), 0, 1))
    ref_ycc[..., 0] = match_luma(ref_ycc[..., 0], g)   # as the engine does (match_tone)
    return PreparedPair(Path(name).stem, g.astype(np.float32), ref_ycc, side, report.to_dict())


# ------------------------------------------------------------------ CCDC
@dataclass
class UserShot:
    name: str
    mono: np.ndarray            # (H, W) float32, long side at most CCDC_MAX_SIDE
    colour: np.ndarray          # (h, w, 3) float32 RGB, long side at most CCDC_MAX_SIDE (the scene to learn from)
    side: str                   # check_pair's colour_side
    disparity: float | None     # largest |disparity|, px of ``mono``
    rectified: bool | None      # the pair check's: rows aligned (None: not measured)
    size_factor: float          # how many times wider the mono shot is than the colour shot, as taken
    colour_noise: float | None  # k of the colour shot's noise (None: not measurable)


def ccdc_shot(name: str, gray: np.ndarray, colour: np.ndarray, max_side: int = CCDC_MAX_SIDE,
              crop: tuple[int, int] = CCDC_CROP) -> UserShot:
    """A user's pair at CCDC's training scale (each shot's long side at most ``max_side``),
    checked there; raises :class:`PairRefused`. ``name``: the gray file's name (the shot is
    called by its stem)."""
    factor = gray.shape[1] / colour.shape[1]
    small = ccdc_colour_too_small(colour.shape, crop, max_side)
    if small:
        raise PairRefused(name, small)
    at_most = lambda img: area_reduce(img, max(img.shape[:2]) / max_side)     # noqa: E731
    gray, colour = at_most(gray), np.clip(at_most(colour), 0, 1)
    report = check_pair(gray, colour)
    _refuse_uninformative(name, report)
    _refuse_unmatched(name, report)
    span = [abs(d) for d in (report.disparity_min, report.disparity_max) if d is not None]
    return UserShot(Path(name).stem, gray.astype(np.float32), colour.astype(np.float32), report.colour_side,
                    max(span) if span else None, report.rectified, factor, colour_noise_k(colour))


def held_apart_split(pairs: list, validation: list) -> tuple[list, list]:
    """(training pairs, held-apart pairs): ``validation`` when given, else every fifth pair
    (the 5th, 10th, ...), at least one when there are two or more, none when there is one (the
    fine-tuner then scores its training pair, and says so). The app's wizard and the CLI split alike."""
    if validation or len(pairs) < 2:
        return pairs, validation
    held = pairs[4::5] or pairs[-1:]
    return [p for p in pairs if not any(p is h for h in held)], held
