"""The temp files results are written through (``.NAME.xxxxxxxx.part``, renamed to NAME when
whole: :func:`colorstudio.core.atomic_files.atomic_write`) and the ones a killed writer left.

A Ctrl-C or a full disk removes its own; a process killed outright (SIGKILL, a power cut) cannot,
and its hidden file stayed for good. A batch removes those in the folders it writes into, and
every write those of its own name (:func:`remove_stale_parts_of`), once they are older than any
write takes (another process may be writing into the same folder now)."""
from __future__ import annotations

import os
import re
import threading
import time
from pathlib import Path
from typing import Iterable

from colorstudio.core.file_names import fit_name

PART_SUFFIX = ".part"
STALE_AFTER_S = 600.0   # a 12 MP write takes a second: ten minutes untouched is a writer gone
# mkstemp's 8 random characters between the name and the suffix: ours, not a browser's x.part
_PART_NAME = re.compile(r"^\.(?P<name>.+)\.[a-z0-9_]{8}" + re.escape(PART_SUFFIX) + r"$")


def part_prefix(name: str) -> str:
    """The start of the temp name for a result named ``name``: it says whose it is but stays
    short (a legal 250-byte output name plus the random part and ".part" would pass the file
    system's 255 bytes); its extension kept (a later batch tells a result's temp file by it)."""
    suffix = os.path.splitext(name)[1]
    suffix = suffix if len(os.fsencode(suffix)) <= 20 else ""
    return f".{fit_name(name[:len(name) - len(suffix)], 200 - len(os.fsencode(suffix)))}{suffix}."


def unfinished_writes(folder: Path, extensions: tuple[str, ...], older_than_s: float = STALE_AFTER_S) -> list[Path]:
    """The temp files in ``folder`` (not below it) of results named ``*.ext`` (``extensions``:
    ``(".jpg", ".png")``) untouched for ``older_than_s`` seconds."""
    now, found = time.time(), []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    for entry in entries:
        ours = _PART_NAME.match(entry.name)
        try:
            if (ours and ours["name"].lower().endswith(extensions) and entry.is_file(follow_symlinks=False)
                    and now - entry.stat(follow_symlinks=False).st_mtime >= older_than_s):
                found.append(Path(entry.path))
        except OSError:
            continue
    return sorted(found)


def remove_unfinished_writes(folders: Iterable[Path], extensions: tuple[str, ...],
                             older_than_s: float = STALE_AFTER_S) -> list[Path]:
    """Remove the stale temp files of :func:`unfinished_writes` in each folder; the removed ones."""
    removed = []
    for folder in dict.fromkeys(folders):
        for path in unfinished_writes(folder, extensions, older_than_s):
            try:
                path.unlink()
            except OSError:
                continue
            removed.append(path)
    return removed


_STALE_BY_NAME: dict[str, dict[str, list[str]]] = {}   # folder -> name in the temp files -> stale ones
_STALE_LOCK = threading.Lock()


def remove_stale_parts_of(path: Path) -> None:
    """Remove the stale temp files killed writers of ``path``'s name left beside it (a result, a
    map, a checkpoint, a model written again under its name). A process lists a folder once, at
    its first write there (a folder of 20 000 photos is not listed again for each write), and
    touches only the temp files of the names it writes."""
    folder = os.path.abspath(path.parent if str(path.parent) else ".")
    with _STALE_LOCK:
        if folder not in _STALE_BY_NAME:
            _STALE_BY_NAME[folder] = _stale_by_name(folder)
        found = _STALE_BY_NAME[folder].pop(part_prefix(path.name)[1:-1], [])   # (a long name's is cut)
    now = time.time()
    for part in found:
        try:
            if now - os.stat(part, follow_symlinks=False).st_mtime >= STALE_AFTER_S:   # not written to since
                os.unlink(part)
        except OSError:
            continue


def _stale_by_name(folder: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return found
    for entry in entries:
        ours = _PART_NAME.match(entry.name)
        try:
            if (ours and entry.is_file(follow_symlinks=False)
                    and now - entry.stat(follow_symlinks=False).st_mtime >= STALE_AFTER_S):
                found.setdefault(ours["name"], []).append(entry.path)
        except OSError:
            continue
    return found
