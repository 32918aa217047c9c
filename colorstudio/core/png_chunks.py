"""A PNG's chunks read by seeking from one to the next: a tag is found without decoding the
pixels (Pillow decodes a whole PNG to look for an eXIf chunk stored after the image data)."""
from __future__ import annotations

import struct

SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_chunk(path, kind: bytes, before_image_data: bool = False) -> bytes | None:
    """The data of the first ``kind`` chunk (e.g. b"eXIf", b"cICP"), or None (not a PNG, no
    such chunk, a damaged file). ``before_image_data``: stop at the first IDAT, where chunks
    that describe how to decode the image must be."""
    try:
        with open(path, "rb") as f:
            if f.read(8) != SIGNATURE:
                return None
            while True:
                head = f.read(8)
                if len(head) < 8:
                    return None
                length, found = struct.unpack(">I4s", head)
                if found == b"IEND" or (before_image_data and found == b"IDAT"):
                    return None
                if found == kind:
                    data = f.read(length)
                    return data if len(data) == length else None
                f.seek(length + 4, 1)         # the chunk and its CRC, unread
    except (OSError, struct.error):
        return None


PIXEL_CHUNKS = (b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND")   # what decoding the pixels needs


def pixel_chunks_only(data):
    """A PNG file's bytes (a uint8 numpy array) with only :data:`PIXEL_CHUNKS`: the metadata
    chunks (profile, EXIF, text) are read elsewhere, and libpng under OpenCV prints warnings
    about them on the terminal ("libpng warning: eXIf: invalid"). The same array when there is
    nothing to drop, or when the chunks cannot be followed (the decoder then says what is wrong)."""
    import numpy as np

    raw = memoryview(data).cast("B")
    if bytes(raw[:8]) != SIGNATURE:
        return data
    keep, pos, dropped = [slice(0, 8)], 8, False
    while pos + 8 <= len(raw):
        length, kind = struct.unpack(">I4s", raw[pos:pos + 8])
        end = pos + 12 + length
        if end > len(raw):
            return data
        if kind in PIXEL_CHUNKS:
            keep.append(slice(pos, end))
        else:
            dropped = True
        pos = end
        if kind == b"IEND":
            break
    else:
        return data                   # no IEND: a cut file, for the decoder to judge
    return np.concatenate([data[s] for s in keep]) if dropped else data
