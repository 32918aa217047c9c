"""The results colorized for the photo (pair) open now, so that methods can be compared by
switching between them in the same view (no Qt).

Each entry holds full-resolution arrays (a 12 MP result about 250 MB, a 48 MP one 1 GB), so
only the last ``LIMIT`` are kept, and fewer when they would hold more than ``MAX_BYTES``. A
strength change replaces its result's entry; opening other photos clears the list.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

LIMIT = 3
MAX_BYTES = 2 << 30


@dataclass
class Entry:
    shown: Any            # jobs.ShownResult
    name: str             # the method, or the user's model, that made it


class ResultHistory:
    def __init__(self, limit: int = LIMIT, max_bytes: int = MAX_BYTES):
        self.limit, self.max_bytes = limit, max_bytes
        self.entries: list[Entry] = []

    def clear(self) -> None:
        self.entries = []

    def add(self, shown, name: str) -> None:
        """A new colorization: last in the list; the oldest go beyond the limits (the new one stays)."""
        self.entries = (self.entries + [Entry(shown, name)])[-self.limit:]
        while len(self.entries) > 1 and sum(_bytes(e.shown) for e in self.entries) > self.max_bytes:
            self.entries.pop(0)

    def replace(self, old, new) -> None:
        """``new`` (the same colorization at another strength) takes ``old``'s place, if listed."""
        for entry in self.entries:
            if entry.shown is old:
                entry.shown = new

    def index(self, shown) -> int:
        return next((i for i, e in enumerate(self.entries) if e.shown is shown), -1)

    def labels(self) -> list[str]:
        """What the list shows: the method (or model), with its colour strength if it has one."""
        out = []
        for e in self.entries:
            c = e.shown.colorization
            strength = f" · strength ×{c.info['saturation']:.2f}" if c.working is not None else ""
            out.append(f"{e.name}{strength}")
        return out

    def names(self) -> list[str]:
        """Short names for titles: the method (or model), with its :meth:`labels` detail only
        where two kept results share a method (say, hsv2stage at two strengths)."""
        plain = [e.name for e in self.entries]
        return [label if plain.count(name) > 1 else name for name, label in zip(plain, self.labels())]


def _bytes(shown) -> int:
    """The memory a result holds: its full-resolution arrays."""
    c = shown.colorization
    return sum(getattr(a, "nbytes", 0) for a in (c.rgb, c.chroma))
