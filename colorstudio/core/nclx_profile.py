"""An ICC profile for a HEIF's or AVIF's colour tag (nclx), so that such photos are colour-managed too.

HEIF/HEIC photos state their colour space either with an ICC profile or with an *nclx* box:
code points for the primaries and the tone curve (ITU-T H.273), the way video does. Many
phones write nclx, often for Display P3. Pillow-heif reports the nclx box (with the
primaries' chromaticities worked out) but no profile, and without one the app would read
the photo's numbers as sRGB and its colours would come out duller. Here an ICC v2 matrix/TRC
profile is written for it (a few hundred bytes), which the rest of the app uses like an
embedded one (:mod:`colorstudio.core.colour_management`), and which the result carries.

Supported tone curves: sRGB (13), BT.709 and its equals (1, 6, 14, 15), gamma 2.2 (4) and
2.8 (5), linear (8). HDR curves (PQ 16, HLG 18) and others give no profile: the numbers are
then taken as sRGB, as for any untagged photo. An AVIF's tag is read from the file
(:func:`avif_nclx`), as Pillow does not report it; its primaries must be one of
:data:`PRIMARIES_XY`. Primaries BT.709 with the sRGB curve are sRGB
itself and need no profile.
"""
from __future__ import annotations

import struct

from colorstudio.core.icc_writer import SRGB_CURVE, colorants_d50, para_curve, rgb_profile
from colorstudio.core.png_chunks import png_chunk

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


def icc_from_nclx(nclx: dict | None, container: str = "HEIF") -> bytes | None:
    """ICC profile bytes for pillow-heif's ``info["nclx_profile"]`` (or :func:`avif_nclx`'s),
    or None (no tag, sRGB, or a curve not supported)."""
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
    name = f"{PRIMARY_NAMES.get(primaries, f'primaries {primaries}')}{curve_words} ({container} colour tag)"
    return rgb_profile(name, colorants, para_curve(kind, params))


# H.273 colour primaries as chromaticities (red, green, blue, white), for a file that gives
# only the code points (AVIF): BT.709 (sRGB's), BT.2020, DCI-P3 (its own white), Display P3.
PRIMARIES_XY = {
    1: ((0.64, 0.33), (0.30, 0.60), (0.15, 0.06), (0.3127, 0.3290)),
    9: ((0.708, 0.292), (0.170, 0.797), (0.131, 0.046), (0.3127, 0.3290)),
    11: ((0.680, 0.320), (0.265, 0.690), (0.150, 0.060), (0.314, 0.351)),
    12: ((0.680, 0.320), (0.265, 0.690), (0.150, 0.060), (0.3127, 0.3290)),
}
_META_LIMIT = 4 << 20       # an AVIF's metadata box is a few kB; more is not a photo's


def avif_nclx(path) -> dict | None:
    """The nclx colour tag of an AVIF file (the 'colr' box in its 'meta' box), in pillow-heif's
    form, or None (no tag, unknown primaries, or not readable). Pillow's AVIF reader reports
    an ICC profile but not this tag."""
    try:
        with open(path, "rb") as f:
            meta = _top_level_box(f, b"meta")
    except (OSError, struct.error):           # unreadable, or cut inside a box header
        return None
    at = -1 if meta is None else meta.find(b"colrnclx")
    if at < 0 or len(meta) < at + 14:
        return None
    primaries, transfer, _matrix = struct.unpack(">HHH", meta[at + 8:at + 14])
    return _nclx_of(primaries, transfer)


def png_cicp(path) -> dict | None:
    """The cICP colour tag of a PNG (PNG 3rd edition: H.273 primaries, transfer, matrix,
    full-range flag; written by HDR and wide-gamut tools instead of an ICC profile), in
    pillow-heif's nclx form, or None. Pillow does not report this chunk. Only the chunks
    before the first IDAT are read."""
    data = png_chunk(path, b"cICP", before_image_data=True)
    return _nclx_of(data[0], data[1]) if data is not None and len(data) >= 4 else None


def _nclx_of(primaries: int, transfer: int) -> dict | None:
    """pillow-heif's nclx form of H.273 code points (None: primaries not known here)."""
    if primaries not in PRIMARIES_XY:
        return None
    nclx = {"color_primaries": primaries, "transfer_characteristics": transfer}
    for colour, (x, y) in zip(("red", "green", "blue", "white"), PRIMARIES_XY[primaries]):
        nclx[f"color_primary_{colour}_x"], nclx[f"color_primary_{colour}_y"] = x, y
    return nclx


def _top_level_box(f, kind: bytes) -> bytes | None:
    """The payload of the first top-level ISO-BMFF box of type ``kind`` in the open file."""
    while True:
        head = f.read(8)
        if len(head) < 8:
            return None
        size, box = struct.unpack(">I4s", head)
        header = 8
        if size == 1:                                  # a 64-bit size follows
            size, header = struct.unpack(">Q", f.read(8))[0], 16
        if box == kind:
            length = (size - header) if size else _META_LIMIT
            return f.read(min(length, _META_LIMIT))
        if size == 0 or size < header:                 # to the end of the file, or damaged
            return None
        f.seek(size - header, 1)
