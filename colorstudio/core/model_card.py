"""The JSON model card beside a weight file (``mycam.safetensors`` → ``mycam.json``), read
defensively: cards come from the user's models folder, and the app's picker reads them in the
GUI thread."""
from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path

CARD_MAX_BYTES = 4_000_000      # far more than any card: a FIFO or /dev/zero is not read for ever


def card_path(weights: str | Path) -> Path:
    """Where the card of ``weights`` lies (ValueError for a path with no name: '.', '', '/')."""
    return Path(weights).with_suffix(".json")


def read_card(weights: str | Path) -> dict:
    """The card beside ``weights``; {} when there is none, it is not a JSON object, or it is
    larger than any card or not a regular file."""
    try:
        path = card_path(weights)
        if not path.is_file() or path.stat().st_size > CARD_MAX_BYTES:
            return {}
        card = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):     # RecursionError: JSON nested 100 000 deep
        return {}
    return card if isinstance(card, dict) else {}


@contextmanager
def older_card_set_aside(weights: str | Path):
    """Around writing new weights over ``weights``: its older card is removed first (a stop
    between the weights and their own card left it describing the new weights), and put back
    when the write fails (the older weights are then still there, whole: their card too)."""
    path = card_path(weights)
    try:
        older = path.read_bytes() if path.is_file() and path.stat().st_size <= CARD_MAX_BYTES else None
    except OSError:
        older = None
    path.unlink(missing_ok=True)
    try:
        yield
    except BaseException:
        if older is not None and not path.exists():
            from colorstudio.core.atomic_files import atomic_write_bytes

            try:
                atomic_write_bytes(path, older)
            except OSError:
                pass
        raise
