"""Colour spaces of the photos: the result's space, and the reference's colour brought into it.

The result is the gray's own pixels as luma plus the reference's chroma. So the reference's
RGB numbers must mean what the output's numbers mean: a phone's colour shot is often Display
P3, a camera's Adobe RGB, and read as if it were sRGB its colours come out duller (P3 red
(1, 0, 0) is a redder red than sRGB's). Here:

- the **output space** of a pair (:func:`output_profile`) is the gray's ICC profile when that
  is an RGB profile; else the reference's RGB profile: a mono camera's gray has no colour
  space of its own, and so the colour shot's colours are kept whole (a phone's Display P3
  reds and greens), not clipped to sRGB's smaller gamut; else sRGB, written without a
  profile. A single gray's result is sRGB (:func:`result_profile`): the single-gray methods
  learned their colours from sRGB photos, and a phone's black-and-white shot is often an RGB
  file tagged Display P3, where those numbers would show more saturated than they are. (A gray-only profile cannot describe a colour image, so it is never written into
  one: :func:`profile_for_pixels`.) The result is written with that profile;
- a reference whose RGB profile differs from the output space is converted into it with
  littleCMS (Pillow's ``ImageCms``, relative colorimetric intent). A 16-bit reference is
  converted at 8 bits per channel (Pillow's transforms are 8-bit); it only lends its chroma,
  which the methods smooth far below that step.

No profile (or one that cannot be read) means sRGB, as everywhere else in the app. A gray
with a gray-only profile (Photoshop's "Dot Gain 20%", "Gray Gamma 2.2") is read with its
tones brought to sRGB's curve (:func:`gray_in_srgb_tones`, when the photo is loaded): read as
sRGB numbers a scanned print would look lighter than it is. The result's luma is then that
gray, as it looks. A gray without any profile is sRGB too: when the result takes the
reference's space, its levels are moved to the same tones on that space's curve
(:func:`gray_in_result_space`): unchanged for Display P3 (sRGB's curve), darker in the
deepest shadows for Adobe RGB (gamma 2.2), darker throughout for ProPhoto (gamma 1.8).
"""
from __future__ import annotations

import dataclasses
import functools
import io

import cv2
import numpy as np

from colorstudio.core.icc_tone_tables import gray_ramp_table, neutral_table_16, srgb_tones_profile

_SPACE_OFFSET = slice(16, 20)         # the ICC header's "data colour space" signature


def profile_colour_space(icc: bytes | None) -> str | None:
    """'RGB', 'GRAY', 'CMYK', ... from an ICC profile's header; None without a readable one."""
    if not icc or len(icc) < 128 or icc[36:40] != b"acsp":
        return None
    return icc[_SPACE_OFFSET].decode("ascii", "replace").strip() or None


def profile_for_pixels(icc: bytes | None, channels: int) -> bytes | None:
    """The profile to embed in an image of ``channels`` (1 or 3): ``icc`` if it describes
    that kind of image, else None (the file is then read as sRGB / plain gray)."""
    wanted = "RGB" if channels == 3 else "GRAY"
    return icc if profile_colour_space(icc) == wanted else None


def profile_name(icc: bytes | None) -> str:
    """The profile's description ('Display P3', ...), or 'sRGB' without one."""
    if not icc:
        return "sRGB"
    try:
        from PIL import ImageCms

        return ImageCms.getProfileDescription(open_profile(icc)).strip() or "unnamed"
    except Exception:       # a damaged profile: the pixels are taken as they are
        return "unreadable profile"


def is_srgb(icc: bytes | None) -> bool:
    """Whether ``icc`` means sRGB (no profile does): it converts 216 colours across the RGB
    cube to sRGB unchanged (within a level), whatever its name says; a profile littleCMS
    cannot use is judged by its name."""
    if icc is None:
        return True
    behaviour = _behaviour(icc)
    return behaviour == "srgb" or (behaviour == "unusable" and "srgb" in profile_name(icc).lower())


@functools.lru_cache(maxsize=32)
def _behaviour(icc: bytes) -> str:
    """'srgb' (216 colours across the RGB cube converted to sRGB unchanged, within a level),
    'other', or 'unusable' (littleCMS cannot convert with it: a damaged profile may have a
    valid header)."""
    levels = np.linspace(0, 255, 6).astype(np.uint8)
    cube = np.stack(np.meshgrid(levels, levels, levels, indexing="ij"), -1).reshape(1, -1, 3)
    try:
        out = convert_rgb(cube, icc, None)
    except Exception:
        return "unusable"
    return "srgb" if int(np.abs(out.astype(int) - cube).max()) <= 1 else "other"


@functools.lru_cache(maxsize=32)
def _usable_as_output(icc: bytes) -> bool:
    """Whether littleCMS can convert sRGB colours *into* ``icc`` (a scanner's input-only
    profile, or a damaged one, cannot: the result cannot be in that space)."""
    try:
        convert_rgb(np.zeros((1, 1, 3), np.uint8), None, icc)
    except Exception:
        return False
    return _behaviour(icc) != "unusable"        # and out of it


def open_profile(icc: bytes | None):
    """A littleCMS profile (Pillow's ``ImageCms``) of ``icc``; None: sRGB. Raises if damaged."""
    from PIL import ImageCms

    return ImageCms.ImageCmsProfile(io.BytesIO(icc)) if icc else ImageCms.createProfile("sRGB")


def convert_rgb(pixels: np.ndarray, source: bytes | None, target: bytes | None) -> np.ndarray:
    """uint8 RGB ``pixels`` from the profile ``source`` to ``target`` (None: sRGB), relative
    colorimetric intent. Raises if a profile cannot be used."""
    from PIL import Image

    return np.asarray(_profile_to_profile(Image.fromarray(np.ascontiguousarray(pixels)), source, target))


def _profile_to_profile(im, source: bytes | None, target: bytes | None):
    """A Pillow image (RGB, or CMYK with a CMYK ``source``) converted to RGB in ``target``."""
    from PIL import ImageCms

    return ImageCms.profileToProfile(im, open_profile(source), open_profile(target),
                                     renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC, outputMode="RGB")


OUTPUT_SPACES = ("auto", "srgb")   # the result's space: as above, or always sRGB (the web, unmanaged viewers)


def check_space(space: str) -> str:
    """``space`` if it is one of :data:`OUTPUT_SPACES`, else ValueError in one line."""
    if space not in OUTPUT_SPACES:
        raise ValueError(f"unknown colour space '{space}' (use {' or '.join(OUTPUT_SPACES)})")
    return space


def output_profile(gray_icc: bytes | None, reference_icc: bytes | None = None, space: str = "auto") -> bytes | None:
    """The RGB profile the result is in and is written with (None: sRGB, written without one):
    the gray's RGB profile, else the reference's (a pair whose gray has none), else sRGB; with
    ``space="srgb"`` always sRGB."""
    if check_space(space) == "srgb":
        return None
    own = profile_for_pixels(gray_icc, 3)
    if own is not None and _usable_as_output(own):    # a damaged or input-only one: as if none
        return own
    lent = profile_for_pixels(reference_icc, 3)
    return lent if lent is not None and _behaviour(lent) == "other" and _usable_as_output(lent) else None


def _spaces(reference_icc: bytes | None, gray_icc: bytes | None, colour: bool, space: str):
    """(source, target) profiles (None = sRGB) if the reference needs converting, else None."""
    source = profile_for_pixels(reference_icc, 3) if colour else None
    target = output_profile(gray_icc, reference_icc if colour else None, space)
    if not colour or source == target or (is_srgb(source) and is_srgb(target)):
        return None
    return source, target


def reference_in_output_space(reference_pixels: np.ndarray, reference_icc: bytes | None,
                              gray_icc: bytes | None, space: str = "auto") -> tuple[np.ndarray, str | None]:
    """(the reference as float32 RGB [0, 1] in the output's colour space, a one-line note of
    what was done to its colour space, or None when nothing: a conversion, or the result taking
    the reference's space). ``reference_pixels`` (H, W[, 3]) uint8/uint16; ``space``: see
    :func:`output_profile`."""
    pixels = reference_pixels
    scale = 65535.0 if pixels.dtype == np.uint16 else 255.0
    as_float = lambda p, s: (np.repeat(p[..., None], 3, 2) if p.ndim == 2 else p).astype(np.float32) / s
    spaces = _spaces(reference_icc, gray_icc, pixels.ndim == 3, space)
    if spaces is None:
        out = output_profile(gray_icc, reference_icc, space) if pixels.ndim == 3 else None
        lent = out is not None and out != profile_for_pixels(gray_icc, 3) and out
        note = (f"the result is in {profile_name(lent)}, the reference's colour space (the gray has none), "
                "so its colours are kept whole") if lent else None
        return as_float(pixels, scale), note
    source, target = spaces                                # None: sRGB
    try:
        eight = pixels if pixels.dtype == np.uint8 else np.rint(pixels / 257.0).astype(np.uint8)
        out = convert_rgb(eight, source, target)
    except Exception:       # a damaged or unusual profile: keep the pixels as they are
        return as_float(pixels, scale), f"the reference's colour profile could not be used ({profile_name(source)})"
    return as_float(out, 255.0), f"reference converted from {profile_name(source)} to {profile_name(target)}"


def cmyk_image_to_srgb(im, icc: bytes | None):
    """A Pillow CMYK image as RGB in sRGB through its own CMYK profile (relative colorimetric),
    or None when it has none littleCMS can use (the caller then takes Pillow's plain formula,
    which prints C100 as (0, 255, 255) where a press profile gives (0, 151, 218))."""
    if profile_colour_space(icc) != "CMYK":
        return None
    try:
        return _profile_to_profile(im, icc, None)
    except Exception:       # a damaged profile: the plain formula
        return None


def to_srgb(pixels: np.ndarray, icc: bytes | None) -> np.ndarray:
    """uint8 RGB ``pixels`` in the RGB profile ``icc`` converted to sRGB (relative
    colorimetric), for a file format that cannot carry a profile (BMP). Unchanged if ``icc``
    is sRGB or cannot be used."""
    if is_srgb(icc) or pixels.ndim != 3:
        return pixels
    try:
        return convert_rgb(pixels, icc, None)
    except Exception:       # a damaged profile: the numbers as they are
        return pixels


def result_profile(gray, reference, space: str = "auto") -> bytes | None:
    """:func:`output_profile` for a :class:`~colorstudio.core.photo.Photo` and its reference
    (None: a single gray photo, whose result is sRGB whatever its profile: the single-gray
    methods learned their colours from sRGB photos)."""
    if reference is None:
        check_space(space)
        return None
    return output_profile(gray.icc_profile, reference.icc_profile, space)


def gray_in_srgb_tones(pixels: np.ndarray, icc: bytes | None) -> tuple[np.ndarray, str | None]:
    """A gray photo's pixels (2-D uint8/uint16) with a gray-only profile brought to sRGB's tone
    curve, which the result is read with, and a one-line note of it (None when nothing was
    done). Photoshop's gray working spaces ("Dot Gain 20%", "Gray Gamma 1.8") put other tones
    on the same numbers: a scanned print read as sRGB would look lighter than it is. Any other
    image, or a profile within half a level of sRGB's curve, is returned as it is."""
    if pixels.ndim != 2 or profile_colour_space(icc) != "GRAY":
        return pixels, None
    sixteen = pixels.dtype == np.uint16
    try:
        lut = _gray_tone_lut(icc, sixteen)
    except Exception:       # a damaged profile: the numbers as they are
        return pixels, f"the gray's profile could not be used ({profile_name(icc)})"
    if lut is None:
        return pixels, None
    return _apply_levels(pixels, lut), f"the gray's {profile_name(icc)} tones were brought to sRGB's, so the result looks as the gray does"


@functools.lru_cache(maxsize=8)
def _gray_tone_lut(icc: bytes, sixteen: bool) -> np.ndarray | None:
    """Every level of a gray profile -> the level with the same tone on sRGB's curve (None:
    the same within half an 8-bit level)."""
    lut = gray_ramp_table(icc, srgb_tones_profile(), sixteen)      # (raises if damaged)
    top = 65535 if sixteen else 255
    same = np.abs(lut.astype(np.int64) - np.arange(top + 1)).max() <= (top + 1) // 512
    return None if same else lut


def gray_in_result_space(gray, reference=None, space: str = "auto"):
    """The :class:`~colorstudio.core.photo.Photo` ``gray`` with its tones in the result's
    space, when they are known to be in another:

    - its RGB profile is another space but the result is sRGB (:func:`result_profile`: a
      single gray, or the sRGB option; a toned scan's three channels too). A mono camera's
      JPEG tagged Adobe RGB puts darker shadows on the same numbers (gamma 2.2 against sRGB's
      curve, up to 9 levels); kept as they are, the result would look lighter than the gray;
    - it was read through a gray profile (its levels are sRGB's tones, ``srgb_tones``) and the
      result takes the reference's space, e.g. ProPhoto (gamma 1.8: up to 9 L* lighter).

    - it has no profile, which means sRGB, and the result takes the reference's space: an
      untagged gray beside a ProPhoto reference, kept as its numbers, would show up to 8 L* lighter.

    The photo comes back with the profile dropped (it no longer describes the pixels) and a
    note in ``tone_note``; else unchanged."""
    target = result_profile(gray, reference, space)
    if target is not None and _levels_are_srgb(gray):
        return _srgb_gray_into(gray, target)
    icc = gray.icc_profile
    if profile_colour_space(icc) != "RGB" or is_srgb(icc) or target is not None:
        return gray
    try:
        lut = _neutral_tone_lut(icc)
        if gray.pixels.ndim == 3 and gray.pixels.dtype == np.uint8:   # a toned scan: its colour too
            pixels = convert_rgb(gray.pixels, icc, None)
        else:                # (16-bit toned scans: each channel on the neutral curve, near neutral)
            pixels = gray.pixels if lut is None else _apply_levels(gray.pixels, _levels_table(icc, lut, gray.pixels.dtype))
    except Exception:       # a damaged profile: the numbers as they are
        return gray
    note = f"the gray's {profile_name(icc)} tones were brought to sRGB's, the result's space"
    return dataclasses.replace(gray, pixels=pixels, icc_profile=None,
                               tone_note=note if lut is not None else gray.tone_note)


def _levels_are_srgb(gray) -> bool:
    """Whether a gray's levels are sRGB's tones: read through its gray profile (``srgb_tones``),
    or without any profile (which means sRGB) and not moved yet (a moved one has its
    ``tone_note``)."""
    if gray.pixels.ndim == 2 and getattr(gray, "srgb_tones", False):
        return True
    return gray.icc_profile is None and gray.tone_note is None


def _srgb_gray_into(gray, target: bytes):
    """A gray whose levels are sRGB's tones, its levels moved to the same tones on the neutral
    axis of the RGB profile ``target`` (unchanged where the curves agree, or if unusable)."""
    try:
        lut = _neutral_tone_lut(target, into=True)     # sRGB levels -> target levels
    except Exception:
        return gray
    if lut is None:
        return dataclasses.replace(gray, srgb_tones=False)
    pixels = _apply_levels(gray.pixels, _levels_table(target, lut, gray.pixels.dtype, into=True))
    note = f"the gray's tones were brought to {profile_name(target)}'s, the result's space, so the result looks as the gray does"
    return dataclasses.replace(gray, pixels=pixels, icc_profile=None, srgb_tones=False, tone_note=note)


def _apply_levels(pixels: np.ndarray, lut: np.ndarray) -> np.ndarray:
    """uint8/uint16 pixels (a gray, or each channel alike) through a full table of their levels
    (256 or 65536 entries)."""
    return lut[pixels] if pixels.dtype == np.uint16 else cv2.LUT(pixels, lut)


def _levels_table(icc: bytes, lut: np.ndarray, dtype, into: bool = False) -> np.ndarray:
    """The full table of :func:`_neutral_tone_lut`'s ``lut`` for ``icc``: for 16-bit levels read
    from the profile's own tone curve where it has one (:mod:`colorstudio.core.icc_tone_tables`)."""
    if dtype == np.uint16 and (exact := neutral_table_16(icc, into)) is not None:
        return exact
    return _levels_for(lut, dtype)


def _levels_for(lut: np.ndarray, dtype) -> np.ndarray:
    """A float table over the 256 8-bit levels as a full uint8 or uint16 table."""
    if dtype == np.uint16:
        return np.rint(np.interp(np.arange(65536) / 257.0, np.arange(256), lut * 257.0)).astype(np.uint16)
    return np.rint(lut).astype(np.uint8)


@functools.lru_cache(maxsize=8)
def _neutral_tone_lut(icc: bytes, into: bool = False) -> np.ndarray | None:
    """The 256 neutral levels of an RGB profile -> their levels in sRGB (``into``: the other
    way, sRGB's levels -> the profile's); float; None: the same within a level, as Display P3's
    curve is sRGB's."""
    ramp = np.repeat(np.arange(256, dtype=np.uint8)[None, :, None], 3, axis=2)
    lut = (convert_rgb(ramp, None, icc) if into else convert_rgb(ramp, icc, None))[0].astype(np.float64).mean(axis=1)
    return None if np.abs(lut - np.arange(256)).max() <= 1.0 else lut


def reference_rgb(reference, gray, space: str = "auto") -> tuple[np.ndarray, str | None]:
    """:func:`reference_in_output_space` for two :class:`~colorstudio.core.photo.Photo`."""
    return reference_in_output_space(reference.pixels, reference.icc_profile, gray.icc_profile, space)
