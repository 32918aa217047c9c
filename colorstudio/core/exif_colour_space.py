"""The colour space a camera states in its EXIF tags instead of an embedded ICC profile.

A camera set to Adobe RGB often embeds no ICC profile in its JPEGs. It says so the DCF way
(Design rule for Camera File system 2.0, "optional colour space"): the EXIF ColorSpace tag
is 0xFFFF ("uncalibrated") and the Interoperability IFD's index is "R03". sRGB photos have
ColorSpace 1 and index "R98". Read as sRGB, an Adobe RGB photo's colours come out duller
(its green primary is far greener than sRGB's). So such a photo is given an Adobe RGB
(1998) profile written for it (:mod:`colorstudio.core.icc_writer`), which the rest of the
app uses like an embedded one (:mod:`colorstudio.core.colour_management`).

:func:`exif_for_space` does the reverse when a file is written: the EXIF copied from the gray
photo must not claim another space than the one the pixels are in.
"""
from __future__ import annotations

import functools

from PIL import Image

from colorstudio.core.icc_writer import colorants_d50, gamma_curve, rgb_profile

EXIF_IFD, INTEROP_IFD = 0x8769, 0xA005      # the Exif sub-IFD and its Interoperability IFD
COLOR_SPACE, INTEROP_INDEX = 0xA001, 0x0001
SRGB, UNCALIBRATED = 1, 0xFFFF
ADOBE_RGB_NAME = "Adobe RGB (1998)"
ADOBE_RGB_NONSTANDARD = 2     # ColorSpace value some cameras write for Adobe RGB (not in the EXIF standard)


@functools.lru_cache(maxsize=1)
def adobe_rgb_profile() -> bytes:
    """Adobe RGB (1998): its primaries and D65 white (Adobe's specification, 2005), gamma 563/256."""
    colorants = colorants_d50([(0.64, 0.33), (0.21, 0.71), (0.15, 0.06)], (0.3127, 0.3290))
    return rgb_profile(ADOBE_RGB_NAME, colorants, gamma_curve(563 / 256))


def icc_from_exif(exif: Image.Exif) -> bytes | None:
    """An ICC profile for the colour space ``exif`` states without one (Adobe RGB, the DCF
    way), else None: the photo is then read as sRGB, as any untagged photo."""
    try:
        details = exif.get_ifd(EXIF_IFD)
        said = details.get(COLOR_SPACE)
        if said == ADOBE_RGB_NONSTANDARD:      # some cameras write Adobe RGB as ColorSpace 2
            return adobe_rgb_profile()
        if said != UNCALIBRATED:
            return None
        index = exif.get_ifd(INTEROP_IFD).get(INTEROP_INDEX)
    except Exception:           # unusual EXIF: no claim taken from it
        return None
    if isinstance(index, bytes):
        index = index.decode("ascii", "replace")
    return adobe_rgb_profile() if isinstance(index, str) and index.strip("\0 ").upper() == "R03" else None


def exif_for_space(exif: bytes | None, srgb: bool) -> bytes | None:
    """``exif`` (raw EXIF of the gray photo) with its colour-space tags agreeing with the file
    written: in sRGB, ColorSpace 1 and index "R98" where it said Adobe RGB; in another
    space, ColorSpace 'uncalibrated' where it said sRGB, as cameras mark Adobe RGB, and no
    index "R98", so that viewers reading the tags before the profile do not take it for sRGB.
    Unusual EXIF is kept as it was."""
    if not exif:
        return exif
    try:
        tags = Image.Exif()
        tags.load(exif)
        details = tags.get_ifd(EXIF_IFD)
        said = details.get(COLOR_SPACE)
        if srgb and said in (UNCALIBRATED, ADOBE_RGB_NONSTANDARD):
            details[COLOR_SPACE] = SRGB
            interop = tags.get_ifd(INTEROP_IFD)
            if INTEROP_INDEX in interop:
                details[INTEROP_IFD] = {**interop, INTEROP_INDEX: "R98"}
        elif not srgb and said == SRGB:
            details[COLOR_SPACE] = UNCALIBRATED
            interop = tags.get_ifd(INTEROP_IFD)
            if interop.get(INTEROP_INDEX) == "R98":    # DCF's mark of an sRGB file: not this one
                details[INTEROP_IFD] = {k: v for k, v in interop.items() if k != INTEROP_INDEX}
        else:
            return exif
        return tags.tobytes()
    except Exception:
        return exif
