"""A dock's panel in a scroll area: on a small screen (or beside the other docks) the panel
scrolls instead of squeezing its controls over each other or widening the window past the
screen."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QScrollArea, QWidget


def in_scroll_area(panel: QWidget, *, across: bool) -> QScrollArea:
    """``panel`` in a frameless scroll area, scrolling down and, when ``across``, across. The
    area is no Tab stop of its own (focus on it showed nothing: a keyboard user lost track)."""
    area = QScrollArea()
    area.setWidget(panel)
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    if not across:
        area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return area
