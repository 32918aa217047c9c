"""Minimal ICC v2 profiles built byte by byte for the tests (no profile files needed on the
machine): a matrix/TRC RGB display profile (e.g. Display P3's primaries) and a gray one."""
from __future__ import annotations

import struct

D50 = (0.9642, 1.0, 0.8249)
# Colorants adapted to D50 (Bradford), as in the published profiles.
DISPLAY_P3 = ((0.5151, 0.2412, -0.0011), (0.2919, 0.6922, 0.0419), (0.1571, 0.0666, 0.7841))
SRGB = ((0.4361, 0.2225, 0.0139), (0.3851, 0.7169, 0.0971), (0.1431, 0.0606, 0.7141))


def _s15f16(v: float) -> bytes:
    return struct.pack(">i", round(v * 65536))


def _xyz(xyz) -> bytes:
    return b"XYZ " + b"\0" * 4 + b"".join(_s15f16(v) for v in xyz)


def _desc(text: str) -> bytes:
    ascii_ = text.encode("ascii") + b"\0"
    return (b"desc" + b"\0" * 4 + struct.pack(">I", len(ascii_)) + ascii_
            + struct.pack(">II", 0, 0) + struct.pack(">HB", 0, 0) + b"\0" * 67)


def _gamma(g: float) -> bytes:
    return b"curv" + b"\0" * 4 + struct.pack(">IH", 1, round(g * 256)) + b"\0" * 2


def _profile(space: bytes, tags: list[tuple[bytes, bytes]]) -> bytes:
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


def rgb_profile(name: str, colorants=DISPLAY_P3, gamma: float = 2.2) -> bytes:
    r, g, b = colorants
    return _profile(b"RGB ", [(b"desc", _desc(name)), (b"wtpt", _xyz(D50)), (b"rXYZ", _xyz(r)),
                              (b"gXYZ", _xyz(g)), (b"bXYZ", _xyz(b)), (b"rTRC", _gamma(gamma)),
                              (b"gTRC", _gamma(gamma)), (b"bTRC", _gamma(gamma))])


def gray_profile(name: str = "Gray Gamma 2.2", gamma: float = 2.2) -> bytes:
    return _profile(b"GRAY", [(b"desc", _desc(name)), (b"wtpt", _xyz(D50)), (b"kTRC", _gamma(gamma))])
