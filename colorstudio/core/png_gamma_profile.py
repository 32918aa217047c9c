"""An ICC profile for a PNG's gAMA (and cHRM) chunks, so that such a PNG is colour-managed too.

Before ICC profiles, a PNG stated its tone curve with a gAMA chunk (the file's encoding
exponent: 0.45455 for a display gamma of 2.2) and its primaries and white with cHRM. Browsers
honour them; a linear 16-bit export (gAMA 1.0) read as sRGB numbers came out up to 62 levels
too dark. PNG's precedence is kept: cICP, then iCCP, then the sRGB chunk, then gAMA/cHRM
(:func:`colorstudio.core.opened_image.embedded_profile`). A gAMA of 2.2 with sRGB's primaries
(or none given) is what PNG calls sRGB-compatible: no profile, as for any sRGB photo.
"""
from __future__ import annotations

from colorstudio.core.icc_writer import colorants_d50, gamma_curve, gray_profile, rgb_profile
from colorstudio.core.nclx_profile import PRIMARIES_XY

SRGB_XY = PRIMARIES_XY[1]           # (red, green, blue, white)
SRGB_LIKE_GAMMA = (2.15, 2.25)      # display gammas taken for sRGB's curve (PNG's "sRGB-compatible")
CHROMATICITY_TOL = 0.005


def icc_from_png_gamma(info: dict, gray: bool) -> bytes | None:
    """A profile for Pillow's ``info`` of a PNG with a gAMA chunk (``gamma``) and perhaps cHRM
    (``chromaticity``: white x, y, then red, green, blue), or None (none, an sRGB chunk, or sRGB-like)."""
    gamma = info.get("gamma")
    if "srgb" in info or not isinstance(gamma, (int, float)) or not 0.05 <= gamma <= 5:
        return None
    display = 1.0 / gamma
    xy = _primaries(info.get("chromaticity"))
    same_primaries = xy is None or all(abs(a - b) <= CHROMATICITY_TOL
                                       for p, q in zip(xy, SRGB_XY) for a, b in zip(p, q))
    if SRGB_LIKE_GAMMA[0] <= display <= SRGB_LIKE_GAMMA[1] and (gray or same_primaries):
        return None
    name = f"gamma {display:.2f} (PNG gAMA)"
    if gray:
        return gray_profile(name, gamma_curve(display))
    colorants = colorants_d50((xy or SRGB_XY)[:3], (xy or SRGB_XY)[3])
    if colorants is None:
        return None
    return rgb_profile(name if same_primaries else f"{name[:-1]} and cHRM)", colorants, gamma_curve(display))


def _primaries(chromaticity) -> tuple | None:
    """cHRM's values as (red, green, blue, white) (x, y) pairs, or None when absent or unusable."""
    try:
        wx, wy, rx, ry, gx, gy, bx, by = (float(v) for v in chromaticity)
    except (TypeError, ValueError):
        return None
    xy = ((rx, ry), (gx, gy), (bx, by), (wx, wy))
    return xy if all(0 < y <= 1 and 0 <= x <= 1 for x, y in xy) else None
