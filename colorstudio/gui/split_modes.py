"""The compare view's single-view modes (a mixin of :class:`colorstudio.gui.compare_view.CompareView`):
the before/after split, where the result covers the view left of a draggable line and the
"before" side (the gray, or another result) the rest, and the result alone, which is the same
view with the line hidden at the right edge, or at the left one while the before side is shown
(:meth:`SplitModes.toggle_before`, a blink comparison).

It uses the view's ``frame_wh``, ``raw``/``shown``/``full`` images, ``colour`` (the monitor
conversion), ``mode``, ``split_line``,
``split_title``, the split image items and the detail timer.
"""
from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QRectF

# the result alone is the split view with its line at the right edge, hidden (the split
# line's own position is kept for when the split comes back)
SIDE_BY_SIDE, SPLIT, RESULT = "side", "split", "result"


class SplitModes:
    """The split and the result alone; see the module docstring."""

    def set_split_before(self, shown: np.ndarray | None, full: np.ndarray | None = None, label: str = "",
                         after: str = "result") -> None:
        """What the split view shows right of the line: another result (its display copy,
        its full-resolution array, a label), to compare two results; None: the gray. ``after``
        names the result left of the line in the title."""
        same = (self.before[0] if self.before else None) is shown
        if not same:
            self.before = None if shown is None else (shown, full if full is not None else shown, label)
            self._tile_asked.pop("split_before", None)
        self.set_result_name(after)
        if not same:
            self._colour_before(shown)         # nothing to redraw for the same before side

    def _colour_before(self, shown: np.ndarray | None) -> None:
        """Convert the before side for the monitor (see ``colour``), then redraw the split."""
        self.colour.request("before", shown, self._put_before)

    def _put_before(self, shown: np.ndarray | None) -> None:
        self._before_shown = shown
        self._split_stale = True
        if self.mode != SIDE_BY_SIDE:
            self._refresh_split()

    def set_result_name(self, name: str) -> None:
        """How the split view and the result alone name the result (e.g. its method)."""
        self._after_name = name
        self._split_title()

    def _split_title(self) -> None:
        before = self.before[2] if self.before else "gray"
        if self.mode == RESULT and self.shown["result"] is None:
            self.split_title.setText("No result yet: the gray is shown    — Colorize: Ctrl+R")
        elif self.mode == RESULT and self.showing_before:
            self.split_title.setText(f"Before ({before})    — \\: back to the result ({self._after_name})")
        elif self.mode == RESULT:
            self.split_title.setText(f"Result ({self._after_name})    — \\: show the {before}, "
                                     "2: split, 1: side by side")
        else:
            self.split_title.setText(f"After ({self._after_name})   |   Before ({before})"
                                     "    — drag the yellow line")

    def _before(self, raw: bool = False) -> tuple[np.ndarray | None, np.ndarray | None]:
        """(display copy as shown, or as given if ``raw``; full-resolution array) of the split
        view's before side."""
        if self.before is None:
            return (self.raw if raw else self.shown)["gray"], self.full["gray"]
        return (self.before[0] if raw else self._before_shown), self.before[1]

    def _refresh_split(self) -> None:
        """Redraw the split view: its before side, the line (centred for new photos), the result."""
        reset_line, self._split_line_reset, self._split_stale = self._split_line_reset, False, False
        before = self._before()[0]
        w, h = self.frame_wh
        if before is None:
            self.split_before.clear()
        else:
            self.split_before.setImage(before, autoLevels=False, levels=None)  # uint8: no rescale
            self.split_before.setRect(QRectF(0, 0, w, h))
        if reset_line or not (0 < self.split_line.value() < w):
            self.split_line.blockSignals(True)
            self.split_line.setValue(w / 2)
            self.split_line.blockSignals(False)
        self._update_split()

    def _update_split(self) -> None:
        """The result covers the left part of the split view, up to the line."""
        self._detail_timer.start()      # the full-resolution tile follows the line
        result = self.shown["result"]
        if result is None:
            self.split_after.clear()
            return
        w, h = self.frame_wh
        x = self._split_x()
        self.split_clip.setRect(QRectF(0, 0, x, h))         # the result ends exactly at the line
        cols = min(result.shape[1], math.ceil(x / w * result.shape[1]))
        if cols <= 0:
            self.split_after.clear()
            return
        self.split_after.setImage(np.ascontiguousarray(result[:, :cols]), autoLevels=False, levels=None)
        self.split_after.setRect(QRectF(0, 0, cols * w / result.shape[1], h))

    def _split_x(self) -> float:
        """Where the result ends in the split view: the line; the result alone: the right edge,
        or the left one while its before side is shown (:meth:`toggle_before`)."""
        w = self.frame_wh[0]
        if self.mode == RESULT:
            return 0.0 if self.showing_before else float(w)
        return float(np.clip(self.split_line.value(), 0, w))

    def toggle_before(self) -> None:
        """The result alone: show its before side (the gray, or the result chosen to compare
        with) in its place, or the result again: a blink comparison at any zoom."""
        if self.mode != RESULT:
            return
        self.showing_before = not self.showing_before
        self._split_title()
        self._update_split()

    def set_split_position(self, fraction: float) -> None:
        """Place the split line at ``fraction`` (0..1) of the width."""
        self.split_line.setValue(float(np.clip(fraction, 0, 1)) * self.frame_wh[0])
