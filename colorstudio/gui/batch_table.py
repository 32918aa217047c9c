"""The batch queue's table: one row per item (name with the written result's picture, kind,
status, a progress bar, output or message), then one per skipped file."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QImage, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (QApplication, QHeaderView, QStyle, QStyledItemDelegate, QStyleOptionProgressBar,
                               QTableWidget, QTableWidgetItem)

from colorstudio.core.atomic_files import free_path
from colorstudio.engine.batch import DONE, ENDED, FAILED, QUEUED, RUNNING, SKIPPED, BatchItem, BatchPlan
from colorstudio.gui.monitor_profile import MonitorProfile
from colorstudio.gui.plain_tooltip import plain_tooltip

CANCELLED, PAUSED = "cancelled", "paused"
COLUMNS = ("Name", "Kind", "Status", "Progress", "Output / message")
STATUS, PROGRESS, OUTPUT = 2, 3, 4            # the columns the running batch updates
STATUS_COLOURS = {DONE: "#66bb6a", FAILED: "#ef5350", SKIPPED: "#ffa726", RUNNING: "#4fc3f7",
                  CANCELLED: "#bdbdbd"}
STATUS_WORDS = (QUEUED, RUNNING, DONE, FAILED, SKIPPED, CANCELLED, PAUSED)


class ProgressDelegate(QStyledItemDelegate):
    """Draws the Progress column (an int 0..100 in the DisplayRole) as a progress bar."""

    def paint(self, painter, option, index) -> None:
        value = index.data(Qt.ItemDataRole.DisplayRole)
        if value in (None, ""):
            return super().paint(painter, option, index)
        bar = QStyleOptionProgressBar()
        bar.rect = QRect(option.rect.adjusted(2, 3, -2, -3))
        bar.minimum, bar.maximum, bar.progress = 0, 100, int(value)
        bar.text, bar.textVisible = f"{int(value)}%", True
        QApplication.style().drawControl(QStyle.ControlElement.CE_ProgressBar, bar, painter)


def output_text(item: BatchItem) -> str:
    """What the last column says of an item: its error, or where its result went and with which
    method, or where it goes (the free name it will take when its own is taken: a batch never
    writes over a file)."""
    if item.status in (FAILED, SKIPPED):
        return item.error or item.status
    if item.written is not None:           # and how: the method (a fallback too) and the notes
        return f"{item.written}  ({item.how})" if item.how else str(item.written)
    return str(free_path(item.output))


class BatchTable(QTableWidget):
    """``rowOpened(row)``: a row double-clicked, or Enter pressed on it."""

    rowOpened = Signal(int)

    def __init__(self, parent=None):
        super().__init__(0, len(COLUMNS), parent)
        self.setHorizontalHeaderLabels(COLUMNS)
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        header = self.horizontalHeader()
        # sized once a fill is done (_fit_columns), not to their contents on every change: each
        # status change re-measured the whole column (14 ms an update at 500 rows, 3.6 s a refill)
        for col, mode in enumerate((QHeaderView.ResizeMode.Interactive,) * 3 +
                                   (QHeaderView.ResizeMode.Fixed, QHeaderView.ResizeMode.Stretch)):
            header.setSectionResizeMode(col, mode)
        self.setColumnWidth(PROGRESS, 110)
        self._user_sized: set[int] = set()     # columns the user dragged wider or narrower: refills keep them
        self._fitting = False
        header.sectionResized.connect(self._section_resized)
        self.setIconSize(QSize(48, 36))     # each written result's picture, beside its name
        self.verticalHeader().setDefaultSectionSize(40)
        self.setItemDelegateForColumn(PROGRESS, ProgressDelegate(self))
        self.setToolTip("Double-click a row (or press Enter on it) to look at it and, once written, its result")
        self.cellDoubleClicked.connect(lambda row, _column: self.rowOpened.emit(row))
        for key in ("Return", "Enter"):       # Enter on a row (not `activated`: a double click emits it too)
            QShortcut(QKeySequence(key), self, context=Qt.ShortcutContext.WidgetShortcut,
                      activated=lambda: self.rowOpened.emit(self.currentRow()))
        self.setTabKeyNavigation(False)     # Tab leaves the table for the buttons
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)   # a long path keeps its file's name in view

    def fill(self, plan: BatchPlan, monitor: MonitorProfile) -> None:
        rows = [(i.name, i.kind, i.status, 100 if i.status == DONE else "", output_text(i)) for i in plan.items]
        rows += [(p.name, "—", SKIPPED, "", reason) for p, reason in plan.unmatched]
        self.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                self.set_cell(r, c, value)
        self.show_thumbnails(plan, monitor)
        self._fit_columns([row[0] for row in rows], [row[1] for row in rows])

    def _fit_columns(self, names: list[str], kinds: list[str]) -> None:
        """The name column as wide as the longest name and a result's picture beside it, the
        kind's as its longest, the status's as the longest status there is; a column the user
        sized keeps the user's width."""
        metrics, padding = self.fontMetrics(), 18

        def width(col: int, texts, extra: int = 0) -> None:
            if col in self._user_sized:
                return
            widest = max((metrics.horizontalAdvance(t) for t in texts), default=0)
            self.setColumnWidth(col, max(metrics.horizontalAdvance(COLUMNS[col]), widest + extra) + padding)

        self._fitting = True
        try:
            width(0, names, extra=self.iconSize().width())
            width(1, kinds)
            width(STATUS, STATUS_WORDS)
        finally:
            self._fitting = False

    def _section_resized(self, col: int, _old: int, _new: int) -> None:
        if not self._fitting and col in (0, 1, STATUS) and self.horizontalHeader().sectionResizeMode(
                col) == QHeaderView.ResizeMode.Interactive:
            self._user_sized.add(col)

    def set_cell(self, row: int, col: int, value) -> None:
        cell = self.item(row, col)
        if cell is None:
            cell = QTableWidgetItem()
            self.setItem(row, col, cell)
        cell.setData(Qt.ItemDataRole.DisplayRole, value)
        if col == STATUS:
            cell.setForeground(QColor(STATUS_COLOURS.get(str(value), "#e0e0e0")))
        if col == OUTPUT:
            cell.setToolTip(plain_tooltip(str(value)))

    def show_thumbnails(self, plan: BatchPlan, monitor: MonitorProfile) -> None:
        """Each written result's picture beside its name, for ``monitor`` (View ▸ Monitor profile)."""
        for row, item in enumerate(plan.items):
            self.set_thumbnail(row, item if item.status == DONE else None, monitor)

    def set_thumbnail(self, row: int, item: BatchItem | None, monitor: MonitorProfile) -> None:
        """The written result's picture beside its name (none before it is written), shown
        for the monitor's profile (a 96 px picture: converted at once)."""
        cell = self.item(row, 0)
        if cell is None:
            return
        if item is None or item.thumbnail is None:
            cell.setIcon(QIcon())
            return
        pixels = np.ascontiguousarray(monitor.convert(item.thumbnail, item.thumbnail_profile))
        h, w = pixels.shape[:2]
        image = QImage(pixels.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()  # owns its pixels
        cell.setIcon(QIcon(QPixmap.fromImage(image)))

    def statuses(self) -> list[str]:
        """The Status column, top to bottom."""
        return [self.item(r, STATUS).text() for r in range(self.rowCount())]


def queue_sentence(plan: BatchPlan) -> str:
    """What a planned queue holds, as the CLI says it: queued, already done, skipped, left out."""
    waiting = sum(i.status not in ENDED for i in plan.items)
    ran = len(plan.items) - waiting
    found = (f"{waiting} item{'s' * (waiting != 1)} queued" if plan.items else
             "Nothing to colorize: no pairs or gray photos found" if not plan.already_there else
             "Nothing left to colorize")
    return (found
            + (f" ({ran} already done)" if ran else "")
            + (f", {len(plan.unmatched)} file(s) skipped" if plan.unmatched else "")
            + (f", {len(plan.earlier_results)} earlier result(s) left out" if plan.earlier_results else "")
            + (f", {len(plan.already_there)} already colorized there, left out" if plan.already_there else ""))
