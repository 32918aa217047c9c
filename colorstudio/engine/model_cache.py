"""Loaded models kept per file version, each loaded once even when several threads ask for it
at the same moment (the app's warm-up and its first colorization both loaded CCDC, about a
second of CPU each). A version whose file has changed or gone since is let go when another is
loaded (a batch's private copy of its model, a fine-tuned model written again)."""
from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any, Callable, NamedTuple

_LOCKS: dict[Any, threading.Lock] = {}
_GUARD = threading.Lock()


class FileVersion(NamedTuple):
    """A model file as it is now: a cache key (``kind``: what the file is read as)."""
    path: str
    mtime_ns: int
    size: int
    kind: str = ""


def file_version(path: str | os.PathLike, kind: str = "") -> FileVersion:
    st = Path(path).stat()
    return FileVersion(str(Path(path).resolve()), st.st_mtime_ns, st.st_size, kind)


def _outdated(key) -> bool:
    if not isinstance(key, FileVersion):
        return False
    try:
        return file_version(key.path, key.kind) != key
    except OSError:
        return True


def load_once(cache: dict, key, load: Callable[[], Any], keep_one: bool = False):
    """``cache[key]``, made by ``load()`` by the first thread that asks; the others wait for
    it. ``keep_one``: the cache holds only the newest entry (a large model)."""
    value = cache.get(key)
    if value is not None:
        return value
    with _GUARD:
        lock = _LOCKS.setdefault(key, threading.Lock())
    with lock:
        value = cache.get(key)
        if value is None:
            value = load()
            if keep_one:
                cache.clear()
            for old in [k for k in list(cache) if _outdated(k)]:    # (a copy: other threads add theirs)
                cache.pop(old, None)
            cache[key] = value
        return value
