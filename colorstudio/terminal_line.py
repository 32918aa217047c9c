"""Text for one line of a terminal: what a file name or an error holds that a terminal would
act on (a line break, an escape sequence that colours or clears the screen, a bidirectional
override that turns the rest of the line around) is shown escaped (``\\n``, ``\\x1b``,
``\\u202e``), so each message stays one line that says which file it is about."""
from __future__ import annotations

import unicodedata

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_ACTED_ON = ("Cc", "Zl", "Zp")      # control characters, line and paragraph separators
# the bidirectional controls: marks, embeddings, overrides, isolates (not the joiners that
# emoji and Persian names hold, nor a soft hyphen)
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _escaped(c: str) -> str:
    if c in _NAMED:
        return _NAMED[c]
    return f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}"


def terminal_line(text: str) -> str:
    """``text`` with every character a terminal would act on escaped."""
    return "".join(_escaped(c) if c in _BIDI or unicodedata.category(c) in _ACTED_ON else c for c in text)
