"""Minimal ICC v2 profiles for the tests (no profile files needed on the machine): a
matrix/TRC RGB display profile (e.g. Display P3's primaries) and a gray one, written by
:mod:`colorstudio.core.icc_writer`."""
from __future__ import annotations

from colorstudio.core import icc_writer

D50 = icc_writer.D50
# Colorants adapted to D50 (Bradford), as in the published profiles.
DISPLAY_P3 = ((0.5151, 0.2412, -0.0011), (0.2919, 0.6922, 0.0419), (0.1571, 0.0666, 0.7841))
SRGB = ((0.4361, 0.2225, 0.0139), (0.3851, 0.7169, 0.0971), (0.1431, 0.0606, 0.7141))


def rgb_profile(name: str, colorants=DISPLAY_P3, gamma: float = 2.2) -> bytes:
    return icc_writer.rgb_profile(name, colorants, icc_writer.gamma_curve(gamma))


def gray_profile(name: str = "Gray Gamma 2.2", gamma: float = 2.2) -> bytes:
    return icc_writer.gray_profile(name, icc_writer.gamma_curve(gamma))
