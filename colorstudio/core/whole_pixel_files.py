"""Files a strict reader refuses although every pixel in them can be decoded, as libjpeg and
libpng read them: a JPEG missing only its final end-of-image marker, a PNG whose ancillary
(metadata) chunk has a bad checksum. Pillow refuses both unless its process-wide
``LOAD_TRUNCATED_IMAGES`` is set, which would also let a truly cut file through (its missing
part filled with gray); these functions mend only the files that lose nothing.
"""
from __future__ import annotations

import io
import struct
import warnings
import zlib
from pathlib import Path

import numpy as np
from PIL import Image

from colorstudio.core.png_chunks import SIGNATURE as PNG_SIGNATURE

_JPEG_START, _JPEG_END = b"\xff\xd8\xff", b"\xff\xd9"
# stuffed 0xFF bytes: one-bits, where the decoder pads a cut scan with zero-bits
_ONE_BITS = b"\xff\x00" * 8


def mended_file(path: Path) -> bytes | None:
    """The bytes of ``path`` mended so that a strict reader decodes them (:func:`jpeg_with_end`,
    :func:`png_without_bad_ancillary_chunks`), or None when the file is not one of those (a cut
    file stays cut: the caller's error stands)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if data.startswith(_JPEG_START):
        return jpeg_with_end(data)
    if data.startswith(PNG_SIGNATURE):
        return png_without_bad_ancillary_chunks(data)
    return None


def _decoded(data: bytes) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Image.open(io.BytesIO(data)) as im:
            im.load()
            return np.asarray(im)


def jpeg_with_end(data: bytes) -> bytes | None:
    """A JPEG whose end-of-image marker alone is missing, with it added; None when more is missing.

    Its last scan is decoded twice, once ended by the marker (the decoder pads missing bits
    with zeros) and once with one-bits before it: a scan that is whole decodes the same both
    ways, as its last code needs none of the padding; a cut one does not."""
    if data.rstrip(b"\x00").endswith(_JPEG_END):
        return None
    try:
        ended = _decoded(data + _JPEG_END)
        padded = _decoded(data + _ONE_BITS + _JPEG_END)
    except (OSError, ValueError, SyntaxError, EOFError, struct.error):
        return None
    return data + _JPEG_END if np.array_equal(ended, padded) else None


def png_without_bad_ancillary_chunks(data: bytes) -> bytes | None:
    """A PNG without the ancillary chunks (text, time, ...: lower-case first letter) whose
    checksum is wrong, as libpng reads it (it warns and skips them); None when no such chunk
    was dropped, or a critical chunk (header, palette, image data) is itself damaged."""
    keep, pos, dropped = [data[:8]], 8, False
    while pos + 12 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        end = pos + 12 + length
        if end > len(data):
            return None
        (crc,) = struct.unpack(">I", data[end - 4:end])
        whole = zlib.crc32(data[pos + 4:end - 4]) & 0xFFFFFFFF == crc
        if whole:
            keep.append(data[pos:end])
        elif kind[0] & 0x20:                 # ancillary: the picture does not need it
            dropped = True
        else:
            return None
        pos = end
        if kind == b"IEND":
            break
    return b"".join(keep) if dropped else None
