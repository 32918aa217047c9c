"""An opened image file's pixels and metadata, each file by the decoder that reads it right
(:func:`colorstudio.core.imageio.load_photo` reads files with this): tifffile for the TIFF
layouts OpenCV's 16-bit reader gets wrong and for a picture that is not the first page;
pillow-heif at 16 bits for a 10- or 12-bit HEIF; OpenCV for other TIFFs and 16-bit colour or
gray+alpha PNG (Pillow reduces them to 8 bits); Pillow for the rest.
"""
from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
from PIL import Image

from colorstudio.core.colour_management import cmyk_image_to_srgb
from colorstudio.core.exif_carry import exif_to_carry
from colorstudio.core.exif_colour_space import icc_from_exif
from colorstudio.core.exif_read import exif_orientation, readable_exif
from colorstudio.core.file_kinds import full_picture_page, stored_bits
from colorstudio.core.nclx_profile import avif_nclx, icc_from_nclx, png_cicp
from colorstudio.core.pixel_arrays import decode_heif_deep, decode_with_opencv, float_to_16bit, orient, pillow_to_arrays
from colorstudio.core.png_gamma_profile import icc_from_png_gamma
from colorstudio.core.print_resolution import dpi_of
from colorstudio.core.tiff_fallback import opencv_misreads, read_tiff


GRAY_MODES = ("1", "L", "LA", "I", "I;16", "I;16B", "I;16L", "I;16N")


def counts_turned(pixels: np.ndarray, alpha: np.ndarray | None, orientation: int):
    """tifffile's pixels (and alpha) as integer counts (float as 16-bit), turned by ``orientation``."""
    if pixels.dtype.kind == "f":         # float16/32/64 (an HDR or a scientific export)
        pixels = float_to_16bit(pixels)
        alpha = None if alpha is None else float_to_16bit(alpha)
    pixels = orient(pixels, orientation)
    return pixels, None if alpha is None else orient(alpha, orientation)


def embedded_profile(im: Image.Image, path: Path, exif) -> bytes | None:
    """The colour profile an opened image states, in whatever way its format states it (None: sRGB)."""
    fmt = im.format
    if fmt == "PNG" and (cicp := png_cicp(path)) is not None:     # PNG 3rd edition: cICP over iCCP
        return icc_from_nclx(cicp, "PNG")
    return (im.info.get("icc_profile") or icc_from_nclx(im.info.get("nclx_profile"))   # HEIF: either
            or (icc_from_nclx(avif_nclx(path), "AVIF") if fmt == "AVIF" else None)     # AVIF: either
            or (icc_from_png_gamma(im.info, gray=im.mode in GRAY_MODES) if fmt == "PNG" else None)
            or icc_from_exif(exif))                                                  # a camera's Adobe RGB


def decode_opened(im: Image.Image, path: Path):
    """Pixels, alpha and metadata of an opened image (orientation applied), and its print
    resolution; a TIFF's of its full-size page (:func:`full_picture_page`)."""
    fmt = im.format
    page = full_picture_page(im)            # a TIFF left on that page
    exif = readable_exif(im)
    icc = embedded_profile(im, path, exif)
    orientation = exif_orientation(exif)
    try:
        exif_bytes = exif_to_carry(exif) if len(exif) else None
    except (ValueError, TypeError, struct.error, OverflowError):   # tags Pillow cannot write back
        exif_bytes = None
    dpi = dpi_of(im, orientation)
    turn = 1 if fmt == "TIFF" else orientation   # libtiff (OpenCV's and Pillow's) has turned a TIFF
    misread = fmt == "TIFF" and opencv_misreads(im.tag_v2)
    if fmt == "TIFF" and (page or misread) and (decoded := read_tiff(path)) is not None:
        pixels, alpha, own_icc, tiff_turn = decoded
        pixels, alpha = counts_turned(pixels, alpha, tiff_turn)
        cmyk = im.mode == "CMYK"                     # brought to RGB by the plain formula
        return pixels, alpha, None if cmyk else own_icc or icc, exif_bytes, fmt, "CMYK" if cmyk else None, dpi
    if fmt == "HEIF" and stored_bits(im, path) > 8 and (deep := decode_heif_deep(path)) is not None:
        pixels, alpha = deep
        return orient(pixels, turn), None if alpha is None else orient(alpha, turn), icc, exif_bytes, fmt, None, dpi
    deep_gray_alpha = fmt == "PNG" and im.mode == "LA" and stored_bits(im, path) == 16   # Pillow's LA is 8-bit
    opencv_tiff = fmt == "TIFF" and not page and not misread and im.mode != "CMYK"   # CMYK: by its profile below
    if opencv_tiff or (fmt == "PNG" and (im.mode in ("RGB", "RGBA") or deep_gray_alpha)):
        decoded = decode_with_opencv(path, turn, only_16bit_colour=fmt == "PNG")
        drops_alpha = decoded is not None and decoded[1] is None and im.mode in ("LA", "RGBA")
        if decoded is not None and not drops_alpha:   # OpenCV reads a gray+alpha TIFF as gray
            return decoded[0], decoded[1], icc, exif_bytes, fmt, None, dpi
    im.load()
    if im.mode == "CMYK" and (managed := cmyk_image_to_srgb(im, icc)) is not None:
        return orient(np.asarray(managed).copy(), turn), None, None, exif_bytes, fmt, "CMYK (by its profile)", dpi
    pixels, alpha, converted = pillow_to_arrays(im)
    pixels = orient(pixels, turn)
    alpha = None if alpha is None else orient(alpha, turn)
    return pixels, alpha, icc, exif_bytes, fmt, converted, dpi
