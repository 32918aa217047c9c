"""Which of a photo's EXIF tags its colorized result carries.

The result keeps what describes the *photograph* — camera, date, author, copyright, the Exif
sub-IFD (exposure, lens, capture time, colour space) and GPS — and drops what describes the
*file*. A TIFF's first IFD is both its EXIF and its image structure: copied into the result,
a gray TIFF's PhotometricInterpretation, ExtraSamples or gray ICC profile would override the
RGB layout the writer chose and give a file no reader can decode. XMP and Photoshop blocks are
dropped too: they can be larger than a JPEG's 64 KB EXIF segment and describe the old pixels.
So is an ImageDescription that is a layout record rather than words (tifffile's
``{"shape": [320, 480]}``, ImageJ's ``ImageJ=1.11a ...``, OME-XML): in the colour result it
would tell tifffile or ImageJ a shape or a stack the file does not have. The Exif sub-IFD's
PixelXDimension/PixelYDimension are set to the size written, and X/YResolution to the print
resolution written (:func:`with_written_size`).
"""
from __future__ import annotations

import json
import re

from PIL import Image, TiffImagePlugin

from colorstudio.core.print_resolution import RESOLUTION_UNIT, X_RESOLUTION, Y_RESOLUTION

ORIENTATION = 0x0112
EXIF_IFD, GPS_IFD = 0x8769, 0x8825
IMAGE_DESCRIPTION = 0x010E
PIXEL_X_DIMENSION, PIXEL_Y_DIMENSION = 0xA002, 0xA003
DESCRIPTIVE_IFD0_TAGS = frozenset({
    0x010D,   # DocumentName
    0x010E,   # ImageDescription
    0x010F,   # Make
    0x0110,   # Model
    ORIENTATION,
    X_RESOLUTION, Y_RESOLUTION, RESOLUTION_UNIT,   # print size
    0x0131,   # Software
    0x0132,   # DateTime
    0x013B,   # Artist
    0x013C,   # HostComputer
    0x8298,   # Copyright
    EXIF_IFD,
    GPS_IFD,
})
JPEG_EXIF_LIMIT = 65533 - 6   # an APP1 segment's payload, less the "Exif\0\0" header
TEXT_IFD0_TAGS = (0x010E, 0x010F, 0x0110, 0x0131, 0x0132, 0x013B, 0x013C, 0x8298)


def exif_to_carry(exif: Image.Exif) -> bytes | None:
    """The EXIF a result of this photo carries (orientation reset to 1), or None when none is left."""
    carried = Image.Exif()            # a copy: changing the image's own tags confuses its decoder
    carried.load(exif.tobytes())
    for tag in list(carried):
        if tag not in DESCRIPTIVE_IFD0_TAGS:
            del carried[tag]
    if IMAGE_DESCRIPTION in carried and describes_layout(carried[IMAGE_DESCRIPTION]):
        del carried[IMAGE_DESCRIPTION]
    if not len(carried):
        return None
    carried[ORIENTATION] = 1
    return carried.tobytes()


_SHAPED_TEXT = re.compile(r"\s*shape\s*=\s*\(")      # tifffile's older "shape=(320, 480)"


def describes_layout(description) -> bool:
    """Whether an ImageDescription records a file's layout for a program rather than saying
    something to a person: tifffile's JSON (with a "shape"), its older ``shape=(...)``,
    ImageJ's ``ImageJ=`` header, OME-XML. Bytes that are no text count as layout too."""
    if isinstance(description, bytes):
        try:
            description = description.decode("utf-8")
        except UnicodeDecodeError:
            return True
    if not isinstance(description, str):
        return True
    text = description.strip("\0").strip()
    if text.startswith("ImageJ=") or _SHAPED_TEXT.match(text) or (text.startswith("<?xml") and "<OME" in text):
        return True
    if text.startswith("{"):
        try:
            record = json.loads(text)
        except ValueError:
            return False
        return isinstance(record, dict) and "shape" in record
    return False


def with_written_size(exif: bytes | None, width: int, height: int, dpi: tuple[float, float] | None) -> bytes | None:
    """``exif`` made to agree with the file written: its Exif sub-IFD's PixelXDimension and
    PixelYDimension, where it has them, the size written (a photo turned by its orientation has
    them the other way round); its X/YResolution, where it has them, the print resolution
    written in the format's own field (``dpi``, as oriented)."""
    if not exif:
        return exif
    parsed = Image.Exif()
    parsed.load(exif)
    changed = False
    sub = parsed.get_ifd(EXIF_IFD)
    if any(t in sub for t in (PIXEL_X_DIMENSION, PIXEL_Y_DIMENSION)) and \
            (sub.get(PIXEL_X_DIMENSION), sub.get(PIXEL_Y_DIMENSION)) != (width, height):
        sub[PIXEL_X_DIMENSION], sub[PIXEL_Y_DIMENSION] = width, height
        changed = True
    if dpi and (X_RESOLUTION in parsed or Y_RESOLUTION in parsed):
        parsed[X_RESOLUTION], parsed[Y_RESOLUTION] = (TiffImagePlugin.IFDRational(d) for d in dpi)
        parsed[RESOLUTION_UNIT] = 2          # inch
        changed = True
    return parsed.tobytes() if changed else exif


def fits_jpeg(exif: bytes) -> bool:
    """Whether ``exif`` fits the one APP1 segment a JPEG gives it."""
    return len(exif) <= JPEG_EXIF_LIMIT


def text_tags(exif: bytes | None) -> list[tuple[int, str]]:
    """The first IFD's text tags (description, camera, software, date, artist, copyright) of
    carried EXIF, for a writer that cannot write an Exif sub-IFD (tifffile's 16-bit TIFF)."""
    if not exif:
        return []
    parsed = Image.Exif()
    parsed.load(exif)
    texts = {tag: parsed[tag].strip("\0") for tag in TEXT_IFD0_TAGS if isinstance(parsed.get(tag), str)}
    return [(tag, text) for tag, text in texts.items() if text and text.isascii()]
