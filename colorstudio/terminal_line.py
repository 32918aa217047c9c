"""Text for one line of a terminal: what a file name or an error holds that a terminal would
act on (a line break, an escape sequence that colours or clears the screen, a bidirectional
override that turns the rest of the line around) is shown escaped (``\\n``, ``\\x1b``,
``\\u202e``), so each message stays one line that says which file it is about."""
from __future__ import annotations

import unicodedata

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_ACTED_ON = ("Cc", "Cf", "Zl", "Zp")      # control and format characters, line and paragraph separators


def _escaped(c: str) -> str:
    if c in _NAMED:
        return _NAMED[c]
    return f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}"


def terminal_line(text: str) -> str:
    """``text`` with every character a terminal would act on escaped."""
    return "".join(_escaped(c) if unicodedata.category(c) in _ACTED_ON else c for c in text)
