"""File names a file system takes: at most :data:`NAME_MAX_BYTES` bytes a part, and a whole
path of less than :data:`PATH_MAX_BYTES` (on Windows 260 characters, unless its long paths are
switched on). Asking the system about a longer one raises "File name too long" (Python
3.10-3.11 even from ``Path.exists``; on Windows "cannot find the path"), which must reach the
user as one line, before any work."""
from __future__ import annotations

import os
import sys
from pathlib import Path


NAME_MAX_BYTES = 255   # a file name's limit on ext4, APFS, NTFS (in UTF-16 units there, near enough)
PATH_MAX_BYTES = 1024 if sys.platform == "darwin" else 4096     # a path the system is given, whole
WINDOWS_PATH_CHARS, WINDOWS_LONG_PATH_CHARS = 260, 32767        # Windows' (UTF-16 units, the absolute path)


def fit_name(stem: str, room: int) -> str:
    """``stem`` cut to at most ``room`` bytes as the file system stores it, at a whole UTF-8
    character. Its bytes are kept as they are: a name that is not UTF-8 (surrogate-escaped) or a
    system whose names are not (Python's ASCII mode) keeps its bytes, not a re-decoded copy."""
    raw = os.fsencode(stem)
    if len(raw) <= room:
        return stem
    end = room       # a UTF-8 character is at most 4 bytes: back over 3 continuation bytes at most
    while end > room - 3 and raw[end] & 0xC0 == 0x80:   # (Latin-1's ° ± ½ are such bytes too)
        end -= 1
    return os.fsdecode(raw[:end])


def name_too_long(path: str | os.PathLike) -> str | None:
    """A one-line reason when a part of ``path`` is longer than a file system takes
    (:data:`NAME_MAX_BYTES`), or the whole of it longer than the system takes
    (:data:`PATH_MAX_BYTES`, Windows' 260 characters; asking the system about either raised
    "File name too long"), else None."""
    for part in Path(path).parts:
        if len(os.fsencode(part)) > NAME_MAX_BYTES:
            return f"{_shown(part)}: the name is {len(os.fsencode(part))} bytes long; a file system takes at most {NAME_MAX_BYTES}"
    length, limit, unit = _path_length(path)
    if length >= limit:
        return (f"{_shown(os.fspath(path))}: the path is {length} {unit} long; the system takes less than "
                f"{limit} (move the files to a shallower folder)")
    return None


def _path_length(path: str | os.PathLike) -> tuple[int, int, str]:
    """The whole path's length, the system's limit and their unit."""
    if sys.platform != "win32":
        return len(os.fsencode(os.fspath(path))), PATH_MAX_BYTES, "bytes"
    length = len(os.path.abspath(os.fspath(path)).encode("utf-16-le")) // 2
    return length, WINDOWS_LONG_PATH_CHARS if windows_long_paths() else WINDOWS_PATH_CHARS, "characters"


def windows_long_paths() -> bool:
    """Whether Windows takes paths past 260 characters (LongPathsEnabled, Windows 10 and later)."""
    try:
        import winreg

        with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, r"SYSTEM\CurrentControlSet\Control\FileSystem") as key:
            return winreg.QueryValueEx(key, "LongPathsEnabled")[0] == 1
    except (ImportError, OSError):
        return False


def _shown(text: str) -> str:
    return text if len(text) <= 40 else text[:30] + "…" + text[-8:]
