"""Which of a photo's EXIF tags its colorized result carries.

The result keeps what describes the *photograph* — camera, date, author, copyright, the Exif
sub-IFD (exposure, lens, capture time, colour space) and GPS — and drops what describes the
*file*. A TIFF's first IFD is both its EXIF and its image structure: copied into the result,
a gray TIFF's PhotometricInterpretation, ExtraSamples or gray ICC profile would override the
RGB layout the writer chose and give a file no reader can decode. XMP and Photoshop blocks are
dropped too: they can be larger than a JPEG's 64 KB EXIF segment and describe the old pixels.
"""
from __future__ import annotations

from PIL import Image

ORIENTATION = 0x0112
EXIF_IFD, GPS_IFD = 0x8769, 0x8825
DESCRIPTIVE_IFD0_TAGS = frozenset({
    0x010D,   # DocumentName
    0x010E,   # ImageDescription
    0x010F,   # Make
    0x0110,   # Model
    ORIENTATION,
    0x011A, 0x011B, 0x0128,   # XResolution, YResolution, ResolutionUnit (print size)
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
    if not len(carried):
        return None
    carried[ORIENTATION] = 1
    return carried.tobytes()


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
