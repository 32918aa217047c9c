"""File names a file system takes: at most :data:`NAME_MAX_BYTES` bytes a part, and a whole
path of less than :data:`PATH_MAX_BYTES`. Asking the system about a longer one raises "File
name too long" (Python 3.10-3.11 even from ``Path.exists``), which must reach the user as one
line, before any work."""
from __future__ import annotations

import os
import sys
from pathlib import Path


NAME_MAX_BYTES = 255   # a file name's limit on ext4, APFS, NTFS (in UTF-16 units there, near enough)
PATH_MAX_BYTES = 1024 if sys.platform == "darwin" else 4096     # a path the system is given, whole


def fit_name(stem: str, room: int) -> str:
    """``stem`` cut to at most ``room`` bytes as the file system stores it, at a whole UTF-8
    character. Its bytes are kept as they are: a name that is not UTF-8 (surrogate-escaped) or a
    system whose names are not (Python's ASCII mode) keeps its bytes, not a re-decoded copy."""
    raw = os.fsencode(stem)
    if len(raw) <= room:
        return stem
    end = room
    while end > 0 and raw[end] & 0xC0 == 0x80:    # a UTF-8 continuation byte: back to its start
        end -= 1
    return os.fsdecode(raw[:end])


def name_too_long(path: str | os.PathLike) -> str | None:
    """A one-line reason when a part of ``path`` is longer than a file system takes
    (:data:`NAME_MAX_BYTES`), or the whole of it longer than the system takes
    (:data:`PATH_MAX_BYTES`; asking the system about either raised "File name too long"), else None."""
    for part in Path(path).parts:
        if len(os.fsencode(part)) > NAME_MAX_BYTES:
            return f"{_shown(part)}: the name is {len(os.fsencode(part))} bytes long; a file system takes at most {NAME_MAX_BYTES}"
    if (length := len(os.fsencode(os.fspath(path)))) >= PATH_MAX_BYTES:
        return (f"{_shown(os.fspath(path))}: the path is {length} bytes long; the system takes less than "
                f"{PATH_MAX_BYTES} (move the files to a shallower folder)")
    return None


def _shown(text: str) -> str:
    return text if len(text) <= 40 else text[:30] + "…" + text[-8:]
