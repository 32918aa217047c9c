"""An ICC profile for a HEIF's colour tag (nclx), so that such photos are colour-managed too.

HEIF/HEIC photos state their colour space either with an ICC profile or with an *nclx* box:
code points for the primaries and the tone curve (ITU-T H.273), the way video does. Many
phones write nclx, often for Display P3. Pillow-heif reports the nclx box (with the
primaries' chromaticities worked out) but no profile, and without one the app would read
the photo's numbers as sRGB and its colours would come out duller. Here an ICC v2 matrix/TRC
profile is written for it (a few hundred bytes), which the rest of the app uses like an
embedded one (:mod:`colorstudio.core.colour_management`), and which the result carries.

Supported tone curves: sRGB (13), BT.709 and its equals (1, 6, 14, 15), gamma 2.2 (4) and
2.8 (5), linear (8). HDR curves (PQ 16, HLG 18) and others give no profile: the numbers are
then taken as sRGB, as for any untagged photo. Primaries BT.709 with the sRGB curve are sRGB
itself and need no profile.
"""
from __future__ import annotations

from colorstudio.core.icc_writer import SRGB_CURVE, colorants_d50, para_curve, rgb_profile

# ICC 'para' curves: (function type, parameters), see ICC.1 10.18
_CURVES = {
    13: ("sRGB", 3, SRGB_CURVE),
    1: ("BT.709", 3, (1 / 0.45, 1 / 1.099, 0.099 / 1.099, 1 / 4.5, 0.081)),
    4: ("gamma 2.2", 0, (2.2,)),
    5: ("gamma 2.8", 0, (2.8,)),
    8: ("linear", 0, (1.0,)),
}
for _same_as_709 in (6, 14, 15):
    _CURVES[_same_as_709] = _CURVES[1]
PRIMARY_NAMES = {1: "BT.709", 9: "BT.2020", 11: "DCI-P3", 12: "Display P3"}


def icc_from_nclx(nclx: dict | None) -> bytes | None:
    """ICC profile bytes for pillow-heif's ``info["nclx_profile"]``, or None (no tag, sRGB,
    or a curve not supported)."""
    if not nclx:
        return None
    primaries, transfer = int(nclx.get("color_primaries", 2)), int(nclx.get("transfer_characteristics", 2))
    if transfer not in _CURVES or primaries == 2:              # 2: unspecified
        return None
    if primaries == 1 and transfer == 13:
        return None                                            # sRGB itself
    try:
        xy = [(float(nclx[f"color_primary_{c}_x"]), float(nclx[f"color_primary_{c}_y"]))
              for c in ("red", "green", "blue", "white")]
    except (KeyError, TypeError, ValueError):
        return None
    colorants = colorants_d50(xy[:3], xy[3])
    if colorants is None:
        return None
    curve_name, kind, params = _CURVES[transfer]
    curve_words = "" if transfer == 13 else f", {curve_name} curve"        # sRGB's curve: Display P3's own
    name = f"{PRIMARY_NAMES.get(primaries, f'primaries {primaries}')}{curve_words} (HEIF colour tag)"
    return rgb_profile(name, colorants, para_curve(kind, params))
