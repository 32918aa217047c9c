"""Loaded models kept per file version, each loaded once even when several threads ask for it
at the same moment (the app's warm-up and its first colorization both loaded CCDC, about a
second of CPU each)."""
from __future__ import annotations

import threading
from typing import Any, Callable

_LOCKS: dict[Any, threading.Lock] = {}
_GUARD = threading.Lock()


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
            cache[key] = value
        return value
