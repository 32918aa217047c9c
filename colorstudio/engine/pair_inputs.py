"""The first steps every use of a gray (and its colour shot) takes, in one order, so colorize,
`colorstudio check` and the app's opening measure and refuse the same things: the sizes
checked, the gray brought to the result's colour space, what colour the gray holds, a pair
given the other way round refused, and the colour shot in RGB as the methods see it."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from colorstudio.core.colour_management import gray_in_result_space, reference_rgb
from colorstudio.core.gray_input import GrayInputColour, black_and_white_only, classify_gray_input
from colorstudio.core.photo import Photo
from colorstudio.core.size_limits import check_pair_size, check_size
from colorstudio.errors import PairError, UnsupportedImageError

SWAPPED_PAIR = ("the gray photo is in colour and its reference is gray: they seem swapped (give the gray "
                "photo first, then the colour one)")


class SwappedPairError(PairError):
    """A colour photo given as the gray and a gray one as its reference (said as
    :data:`SWAPPED_PAIR`; a caller that knows how the files were given names them,
    :func:`swapped_files`)."""

    def __init__(self):
        super().__init__(SWAPPED_PAIR)


def swapped_files(gray_name: str, reference_name: str, who: str = "they") -> str:
    """SWAPPED_PAIR said of the two files (the app's opening, a batch's item paired by names)."""
    return f"{gray_name} is in colour and {reference_name} is gray: {who} seem swapped"


@dataclass
class PreparedInputs:
    gray: Photo                        # in the result's colour space (an Adobe RGB gray's tones in sRGB)
    gray_colour: GrayInputColour       # gray, neutral, toned or colour
    reference_rgb: np.ndarray | None   # float32 (h, w, 3) in the result's space, as the methods see it
    colour_note: str | None            # how the colour shot was converted, when it was


def prepare_inputs(gray: Photo, reference: Photo | None, space: str = "auto") -> PreparedInputs:
    """``gray`` and ``reference`` (None: a single gray) made ready for a method or a pair check;
    ``space``: the result's colour space ("auto" or "srgb"). Raises the one-line errors: a photo
    too large or too small, a pair too long and thin, :class:`SwappedPairError`."""
    check_size(gray)
    if reference is not None:
        check_size(reference)
    check_pair_size(gray, reference)     # a strip too long and thin for OpenCV's matchers
    gray = gray_in_result_space(gray, reference, space)
    refuse_black_and_white(gray)
    gray_colour = classify_gray_input(gray.pixels)
    if reference is not None and reference.is_gray and gray_colour.kind == "colour":
        raise SwappedPairError()         # nothing to do but lose colour
    ref_rgb, colour_note = reference_rgb(reference, gray, space) if reference is not None else (None, None)
    return PreparedInputs(gray, gray_colour, ref_rgb, colour_note)


def refuse_black_and_white(gray: Photo) -> None:
    """A one-line error for a gray of pure black and white only, or all one of them: colour
    cannot go on it without changing the photo (colorize, check and the app's opening alike)."""
    if black_and_white_only(gray.pixels):
        flat = int(gray.pixels.min()) == int(gray.pixels.max())
        what = ("is all " + ("black" if not gray.pixels.max() else "white")) if flat else \
            "holds only pure black and white (a 1-bit image?)"
        raise UnsupportedImageError(f"{gray.name} {what}: colour cannot go on it without changing the "
                                    "photo" + ("" if flat else "; use a gray scan"))
