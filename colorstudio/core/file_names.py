"""File names a file system takes: at most :data:`NAME_MAX_BYTES` bytes a part. Asking the
system about a longer one raises "File name too long" (Python 3.10-3.11 even from
``Path.exists``), which must reach the user as one line, before any work."""
from __future__ import annotations

import os
from pathlib import Path


NAME_MAX_BYTES = 255   # a file name's limit on ext4, APFS, NTFS (in UTF-16 units there, near enough)


def fit_name(stem: str, room: int) -> str:
    """``stem`` cut to at most ``room`` bytes of UTF-8 (whole characters only)."""
    raw = os.fsencode(stem)
    return stem if len(raw) <= room else raw[:room].decode("utf-8", "ignore")


def name_too_long(path: str | os.PathLike) -> str | None:
    """A one-line reason when a part of ``path`` is longer than a file system takes
    (:data:`NAME_MAX_BYTES`; asking the system about it raised "File name too long"), else None."""
    for part in Path(path).parts:
        if len(os.fsencode(part)) > NAME_MAX_BYTES:
            shown = part if len(part) <= 40 else part[:30] + "…" + part[-8:]
            return f"{shown}: the name is {len(os.fsencode(part))} bytes long; a file system takes at most {NAME_MAX_BYTES}"
    return None
