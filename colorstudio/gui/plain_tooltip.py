"""A tooltip that shows its text as it is. Qt takes a tooltip for rich text when it looks like
markup: a file named ``<b>x</b>.png`` showed in bold, one with ``<img src=…>`` would load that
file; file names and messages are never markup."""
from __future__ import annotations

import html


def plain_tooltip(text: str) -> str:
    """``text`` escaped for a tooltip, its line breaks and spaces kept ('' stays '': no tip)."""
    return f"<p style='white-space:pre'>{html.escape(text)}</p>" if text else ""
