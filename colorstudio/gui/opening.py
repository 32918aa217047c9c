"""What the app opens for the files the user chose together (menu, drop, command line; no Qt).

Discovery pairs files by their names (``x_mono`` + ``x_color``, ...). When the user picks
exactly two image files and discovery finds no pair in them, the choice itself says "these
two go together": the gray one is the target and the colour one the reference. Two gray or
two colour files cannot form a pair: they open as single photos (two grays go to the batch
queue, of two colour photos the first is shown) and a one-line note says why.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Generator

from colorstudio.core.pairs import Discovery, Looking, PairItem, discover_steps
from colorstudio.core.photo_kind import COLOUR, GRAY, classify_file
from colorstudio.errors import ColorStudioError


@dataclass
class Opening:
    """Discovery's result, adjusted for files chosen together, and a note for the status bar."""

    found: Discovery
    note: str = ""          # one line ('' when there is nothing to explain)


def _kind(path: Path) -> str | None:
    """'gray' / 'colour' from a cheap header + thumbnail decode, None if unreadable."""
    try:
        return classify_file(path)
    except (ColorStudioError, OSError, ValueError):
        return None


def chosen_together(inputs: list[Path], found: Discovery) -> Opening:
    """Pair two explicitly chosen files by their content when their names did not pair them."""
    if len(inputs) != 2 or not all(p.is_file() for p in inputs) or found.pairs:
        return Opening(found)
    if inputs[0].resolve() == inputs[1].resolve():
        return Opening(found)
    kinds = [_kind(p) for p in inputs]
    if None in kinds:                       # an unreadable file: discovery already says why
        return Opening(found)
    a, b = inputs
    if set(kinds) == {GRAY, COLOUR}:
        gray, colour = (a, b) if kinds[0] == GRAY else (b, a)
        note = f"Opened as a pair: {gray.name} is gray (the photo to colorize), {colour.name} is the colour reference."
        return Opening(Discovery([PairItem(gray, colour, gray.stem)], []), note)
    if kinds == [GRAY, GRAY]:
        return Opening(found, f"{a.name} and {b.name} are both gray, so they are not a pair "
                              f"(a pair needs a colour reference): opened as single photos.")
    return Opening(Discovery([PairItem(a, None, a.stem)], []),
                   f"{a.name} and {b.name} are both in colour, so they are not a pair (one must be the "
                   f"gray photo): showing {a.name} alone, re-colorized from its gray version.")


def opening_steps(inputs: list[Path]) -> Generator[Looking, None, Opening]:
    """:func:`~colorstudio.core.pairs.discover_steps` + :func:`chosen_together` as a worker job
    (reads file headers, and the pixels of photos without a partner)."""
    inputs = [Path(p) for p in inputs]
    return chosen_together(inputs, (yield from discover_steps(inputs)))
