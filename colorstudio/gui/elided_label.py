"""A label for a file's name that shortens it in the middle to the room it gets ("2024-06-14_Fa…
DSC04567_mono.png": the start and the end, which tell names apart, stay), each of its lines
alike, the whole text in its tooltip. A long name without spaces cannot wrap: in a word-wrapped label it
held the side panel 113 px wider than its dock, which then cut the panel's right side off."""
from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QLabel, QSizePolicy

from colorstudio.gui.plain_tooltip import plain_tooltip

MIN_CHARACTERS = 12     # the narrowest it asks for: this many average characters


class MiddleElidedLabel(QLabel):
    """Lines of plain text, each elided in the middle to the label's width."""

    def __init__(self, text: str = ""):
        super().__init__()
        self.setTextFormat(Qt.TextFormat.PlainText)       # a file named "<b>x" is not markup
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)    # to copy a name
        self._full = ""
        self.set_full_text(text)

    def full_text(self) -> str:
        return self._full

    def set_full_text(self, text: str) -> None:
        self._full = text
        self._elide()
        self.updateGeometry()          # another number of lines

    def minimumSizeHint(self) -> QSize:
        metrics = self.fontMetrics()
        return QSize(metrics.averageCharWidth() * MIN_CHARACTERS, metrics.lineSpacing() * self._lines())

    def sizeHint(self) -> QSize:
        metrics = self.fontMetrics()
        widest = max(metrics.horizontalAdvance(line) for line in self._full.split("\n"))
        return QSize(widest + 2, metrics.lineSpacing() * self._lines())

    def _lines(self) -> int:
        return self._full.count("\n") + 1

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        metrics, room = self.fontMetrics(), max(self.width(), 1)
        shown = "\n".join(metrics.elidedText(line, Qt.TextElideMode.ElideMiddle, room)
                          for line in self._full.split("\n"))
        super().setText(shown)
        self.setToolTip(plain_tooltip(self._full) if shown != self._full else "")
