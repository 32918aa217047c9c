"""Small ICC v2 profiles written byte by byte: an RGB matrix/TRC display profile (three
primaries' XYZ and a tone curve) or a gray one. Used for a HEIF's colour tag
(:mod:`colorstudio.core.nclx_profile`) and by the tests, so no profile files are needed."""
from __future__ import annotations

import struct

import numpy as np

D50 = (0.9642, 1.0, 0.8249)
_BRADFORD = np.array([[0.8951, 0.2664, -0.1614], [-0.7502, 1.7135, 0.0367], [0.0389, -0.0685, 1.0296]])
SRGB_CURVE = (2.4, 1 / 1.055, 0.055 / 1.055, 1 / 12.92, 0.04045)   # sRGB's tone curve as 'para' type 3


def _s15f16(v: float) -> bytes:
    return struct.pack(">i", int(round(v * 65536)))


def xyz_tag(xyz) -> bytes:
    return b"XYZ " + b"\0" * 4 + b"".join(_s15f16(v) for v in xyz)


def gamma_curve(gamma: float) -> bytes:
    """A pure power-law tone curve ('curv' with one entry)."""
    return b"curv" + b"\0" * 4 + struct.pack(">IH", 1, round(gamma * 256)) + b"\0" * 2


def para_curve(kind: int, params) -> bytes:
    """A parametric tone curve ('para', ICC.1 10.18): kind 0 is Y = X^g; kind 3 is
    Y = (aX + b)^g for X >= d, else cX, with params (g, a, b, c, d)."""
    return b"para" + b"\0" * 4 + struct.pack(">HH", kind, 0) + b"".join(_s15f16(v) for v in params)


def desc_tag(text: str) -> bytes:
    ascii_ = text.encode("ascii", "replace") + b"\0"
    return (b"desc" + b"\0" * 4 + struct.pack(">I", len(ascii_)) + ascii_
            + struct.pack(">II", 0, 0) + struct.pack(">HB", 0, 0) + b"\0" * 67)


def rgb_profile(name: str, colorants, curve: bytes) -> bytes:
    """A display profile: ``colorants`` the R, G, B primaries' XYZ adapted to D50 (rows),
    ``curve`` one tone curve tag for the three channels."""
    r, g, b = colorants
    return profile(b"RGB ", [(b"desc", desc_tag(name)), (b"wtpt", xyz_tag(D50)), (b"rXYZ", xyz_tag(r)),
                             (b"gXYZ", xyz_tag(g)), (b"bXYZ", xyz_tag(b)), (b"rTRC", curve),
                             (b"gTRC", curve), (b"bTRC", curve)])


def gray_profile(name: str, curve: bytes) -> bytes:
    return profile(b"GRAY", [(b"desc", desc_tag(name)), (b"wtpt", xyz_tag(D50)), (b"kTRC", curve)])


def profile(space: bytes, tags: list[tuple[bytes, bytes]]) -> bytes:
    """Header, tag table and tag data of a 'mntr' profile of data colour space ``space``."""
    table_size = 4 + 12 * len(tags)
    offset, entries, data = 128 + table_size, b"", b""
    for sig, body in tags:
        body += b"\0" * (-len(body) % 4)
        entries += sig + struct.pack(">II", offset + len(data), len(body))
        data += body
    size = 128 + table_size + len(data)
    header = (struct.pack(">I", size) + b"lcms" + struct.pack(">I", 0x02100000) + b"mntr" + space
              + b"XYZ " + b"\0" * 12 + b"acsp" + b"\0" * 24 + struct.pack(">I", 0)
              + b"".join(_s15f16(v) for v in D50) + b"\0" * 48)
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + entries + data


def colorants_d50(rgb_xy, white_xy) -> np.ndarray | None:
    """The primaries' XYZ (rows R, G, B) for a white of Y = 1, adapted to D50 (Bradford)."""
    def xyz(x, y):
        return np.array([x / y, 1.0, (1 - x - y) / y])

    try:
        m = np.stack([xyz(*p) for p in rgb_xy], axis=1)        # columns: R, G, B (unscaled)
        white = xyz(*white_xy)
        m = m * np.linalg.solve(m, white)                       # scaled so that R+G+B = white
        cone_src, cone_dst = _BRADFORD @ white, _BRADFORD @ np.array(D50)
        adapt = np.linalg.inv(_BRADFORD) @ np.diag(cone_dst / cone_src) @ _BRADFORD
        out = (adapt @ m).T
    except (ZeroDivisionError, np.linalg.LinAlgError):
        return None
    return out if np.all(np.isfinite(out)) else None
