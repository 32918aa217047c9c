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
