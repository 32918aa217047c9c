"""The batch queue: drop files/folders, see what was found, colorize them all.

Uses the same engine generator as ``colorstudio batch`` (:func:`colorstudio.engine.batch.run_batch`)
in a :class:`GeneratorWorker`: pause stops pulling from it (the current step finishes), cancel
closes it; a bad item is marked failed with its one-line error and the batch goes on; results
are written to free names, never over anything. "Skip photos already colorized in the output
folder" leaves out the items whose result is there already (``colorstudio batch
--skip-existing``), so an interrupted batch goes on where it stopped. What is added is looked
through in a worker too (:mod:`colorstudio.gui.batch_planner`).
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFileDialog, QHBoxLayout, QLabel, QLineEdit, QProgressBar, QPushButton,
                               QVBoxLayout, QWidget)

from colorstudio import paths
from colorstudio.core.imageio import FILE_DIALOG_FILTER
from colorstudio.engine.batch import DONE, ENDED, FAILED, QUEUED, RUNNING, SKIPPED, BatchPlan, BatchProgress, run_batch
from colorstudio.engine.model_catalog import Choice, choices
from colorstudio.gui.batch_planner import BatchPlanning
from colorstudio.gui.batch_table import CANCELLED, OUTPUT, PAUSED, PROGRESS, STATUS, BatchTable, output_text
from colorstudio.gui.dropping import paths_from_mime
from colorstudio.gui.error_dialog import show_error
from colorstudio.gui.monitor_profile import SRGB, MonitorProfile
from colorstudio.gui.workers import GeneratorWorker


class BatchPanel(BatchPlanning, QWidget):
    """Queue table + controls. ``finishedBatch`` carries (done, failed) counts."""

    finishedBatch = Signal(int, int)
    planned = Signal()
    itemOpened = Signal(object)        # BatchItem: a row double-clicked, to look at in the main view
    outDirChanged = Signal(str)        # the output folder as typed or chosen ('': beside the photos)

    def __init__(self, out_dir: Path | None = None, parent: QWidget | None = None,
                 options: Callable[[], dict] | None = None):
        """``out_dir``: where results go; None = a ``colorized`` folder beside the first input.
        ``options()``: engine options for each run (e.g. the device from the settings)."""
        super().__init__(parent)
        self.options = options
        self.monitor = SRGB                  # the thumbnails are shown for it (set_monitor)
        self.setAcceptDrops(True)
        self.inputs: list[Path] = []
        self.fixed_out: Path | None = out_dir
        self.plan = BatchPlan(items=[], unmatched=[], out_dir=out_dir or Path())
        self.worker: GeneratorWorker | None = None
        self.running_text = ""
        # looking through what is added (BatchPlanning)
        self.planner: GeneratorWorker | None = None
        self._inputs_planned: list[Path] = []       # what the queue shows was found in
        self._planned_for: tuple = ()               # (output folder, skip) the queue's plan was made for
        self._pending: list[Path] = []

        self.out_edit = QLineEdit(str(out_dir) if out_dir else "")
        self.out_edit.setPlaceholderText("a 'colorized' folder beside the photos")
        self.out_edit.editingFinished.connect(self._out_dir_edited)
        self.browse_button = browse = QPushButton("Output folder…")
        browse.clicked.connect(self._browse_out)
        self.method_box = QComboBox()
        self.method_box.setToolTip("Automatic picks the best method for each item (pair or single gray)")
        self.method_box.setAccessibleName("Batch method")
        self.refresh_methods()
        self.skip_box = QCheckBox("&Skip photos already colorized in the output folder")
        self.skip_box.setToolTip("Leave out the photos whose result is in the output folder already "
                                 "(an interrupted batch goes on where it stopped). Unticked, they are "
                                 "colorized again, under a free name beside the earlier result.")
        self.skip_box.toggled.connect(self._skip_toggled)
        top = QHBoxLayout()
        out_label = QLabel("&Output:")
        out_label.setBuddy(self.out_edit)
        top.addWidget(out_label)
        top.addWidget(self.out_edit, 1)
        top.addWidget(browse)
        method_label = QLabel("Method:")
        method_label.setBuddy(self.method_box)        # Qt on Linux names a combo box by its value
        top.addWidget(method_label)
        top.addWidget(self.method_box)

        self.table = BatchTable()
        self.table.rowOpened.connect(self._row_opened)
        self.hint = QLabel("Drop photos or folders here (pairs are matched by name: x_mono + x_color, "
                           "x_L + x_R, mono/ + color/ folders, or a pairs.csv).")
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #9e9e9e;")

        self.add_button = QPushButton("Add…")
        self.add_button.setToolTip(self.hint.text())     # the hint itself is hidden once rows fill the table
        self.start_button = QPushButton("Start")
        self.pause_button = QPushButton("Pause")
        self.cancel_button = QPushButton("Cancel")
        self.clear_button = QPushButton("Clear")
        self.folder_button = QPushButton("Open output folder")
        self.folder_button.setToolTip("Show the results in the file manager")
        self.folder_button.clicked.connect(self.open_output_folder)
        self.add_button.clicked.connect(self._add_dialog)
        self.start_button.clicked.connect(self.start)
        self.pause_button.clicked.connect(self.toggle_pause)
        self.cancel_button.clicked.connect(self.cancel)
        self.clear_button.clicked.connect(self.clear)
        self.total = QProgressBar()
        self.total.setRange(0, 100)
        self.total.setFormat("")
        self.total.setAccessibleName("Batch progress")
        self.status = QLabel("")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        buttons = QHBoxLayout()
        for b in (self.add_button, self.start_button, self.pause_button, self.cancel_button, self.clear_button,
                  self.folder_button):
            buttons.addWidget(b)
        buttons.addWidget(self.total, 1)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.skip_box)
        layout.addWidget(self.hint)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        self._update_buttons()

    # ------------------------------------------------------------------ queue
    def refresh_methods(self, options: list[Choice] | None = None) -> None:
        current = self.method_box.currentData()
        self.method_box.clear()
        for c in options if options is not None else choices():
            label = "Automatic (best for each item)" if c.method is None else c.label
            self.method_box.addItem(label, c)
        if current is not None:
            self.select_method(current.key)

    def select_method(self, key: str) -> None:
        """Pick the method whose picker key is ``key`` (Automatic stays if it is not offered)."""
        for i in range(self.method_box.count()):
            if self.method_box.itemData(i).key == key:
                self.method_box.setCurrentIndex(i)

    def _row_opened(self, row: int) -> None:
        if 0 <= row < len(self.plan.items):         # the rows below them are skipped files
            self.itemOpened.emit(self.plan.items[row])

    def set_monitor(self, monitor: MonitorProfile) -> None:
        """Show the thumbnails for ``monitor`` (View ▸ Monitor profile)."""
        self.monitor = monitor
        self.table.show_thumbnails(self.plan, monitor)

    def out_dir(self) -> Path:
        """The chosen output folder, or ``colorized/`` beside the first input (for the bundled
        example pair, in the user's pictures: the app's own folder may be read-only). A
        relative folder typed in is taken beside the first input too, not in the folder the app
        was started from."""
        if self.inputs:
            first = self.inputs[0]
            beside = first if first.is_dir() else first.parent
            base = paths.results_home() if paths.in_examples(beside) else beside
        else:
            base = paths.results_home()
        return base / (self.fixed_out if self.fixed_out is not None else "colorized")   # an absolute one stays

    def open_output_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.out_dir())))

    def clear(self) -> None:
        if self.is_running():
            return
        if self.planner is not None:
            self.planner.abort()
            self.planner = None
        self.inputs, self._pending, self._inputs_planned = [], [], []
        self.plan = BatchPlan(items=[], unmatched=[], out_dir=self.out_dir())
        self.table.setRowCount(0)
        self.total.setValue(0)
        self.total.setFormat("")
        self.status.setText("")
        self._update_buttons()

    def statuses(self) -> list[str]:
        """The Status column, top to bottom (what a test reads)."""
        return self.table.statuses()

    # ------------------------------------------------------------------ output folder
    def set_out_dir(self, folder: Path | None) -> None:
        self.out_edit.setText(str(folder) if folder else "")
        self._out_dir_edited()

    def _browse_out(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Output folder", self.out_edit.text())
        if folder:
            self.set_out_dir(Path(folder))

    def _out_dir_edited(self) -> None:
        text = self.out_edit.text().strip()
        self.fixed_out = Path(text).expanduser() if text else None
        self.outDirChanged.emit(text)
        if self.out_dir() != self.plan.out_dir and self.inputs and not self.is_running():
            self._replan()

    def _skip_toggled(self, _checked: bool) -> None:
        if self.inputs and not self.is_running():
            self._replan()

    def _add_dialog(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, "Add photos", "",
                                                FILE_DIALOG_FILTER)
        if files:
            self.add_inputs([Path(f) for f in files])

    # ------------------------------------------------------------------ running
    def is_running(self) -> bool:
        return self.worker is not None

    def start(self) -> None:
        queued = [i for i in self.plan.items if i.status not in ENDED]
        if self.is_running() or self.planner is not None or not queued:
            return
        for item in queued:
            item.status = QUEUED
        choice: Choice | None = self.method_box.currentData()
        method = choice.method if choice else None
        model = choice.model if choice else None
        options = self.options() if self.options is not None else None
        self.worker = GeneratorWorker(
            run_batch, self.plan, method, model, options, min_interval=0.05,
            always_emit=lambda p: p.status != RUNNING or p.message.endswith("starting"),
        ).start_with(progress=self._on_progress, finished=lambda plan: self._finish(cancelled=False),
                     cancelled=lambda: self._finish(cancelled=True), errored=self._on_error)
        self.running_text = "Colorizing…" + (
            f" (single grays at colour strength ×{options['saturation']:.2f}, as set in the Colorize panel)"
            if options and options.get("saturation") is not None else "")
        self.status.setText(self.running_text)
        self._update_buttons()

    def toggle_pause(self) -> None:
        if self.worker is None:
            return
        paused = self.worker.toggle_pause()
        self.status.setText("Paused (the current step finishes first)" if paused else self.running_text)
        for row, item in enumerate(self.plan.items):       # the row said "running" for the whole pause
            if item.status == RUNNING:
                self.table.set_cell(row, STATUS, PAUSED if paused else RUNNING)
        self._update_buttons()

    def cancel(self) -> None:
        if self.planner is not None and self.worker is None:
            self._stop_planning()
        elif self.worker is not None:
            self.status.setText("Cancelling…")
            self.worker.abort()
            self.pause_button.setEnabled(False)              # asked once: it ends at its next step
            self.cancel_button.setEnabled(False)

    def _on_progress(self, p: BatchProgress) -> None:
        row = p.index
        item_fraction = p.fraction * p.total - p.index
        paused = p.status == RUNNING and self.worker is not None and self.worker.is_paused
        self.table.set_cell(row, STATUS, PAUSED if paused else p.status)   # a step that ends after Pause
        self.table.set_cell(row, PROGRESS, 100 if p.status == DONE else "" if p.status in (FAILED, SKIPPED)
                            else int(round(100 * max(0.0, min(1.0, item_fraction)))))
        self.table.set_cell(row, OUTPUT, output_text(p.item) if p.status != RUNNING else p.message)
        if p.status == DONE:
            self.table.set_thumbnail(row, p.item, self.monitor)
        self.total.setValue(int(round(100 * p.fraction)))
        self.total.setFormat(f"%p%  ({p.done} done, {p.failed} failed of {p.total})")

    def _on_error(self, exc: BaseException) -> None:
        self._finish(cancelled=True, stopped_by=exc)
        show_error(self, exc, context="batch")

    def _finish(self, cancelled: bool, stopped_by: BaseException | None = None) -> None:
        self.worker = None
        for r, item in enumerate(self.plan.items):
            if item.status == RUNNING:       # interrupted: it will run again on Start
                item.status = QUEUED
                self.table.set_cell(r, STATUS, CANCELLED)
                self.table.set_cell(r, PROGRESS, "")
                self.table.set_cell(r, OUTPUT, output_text(item))       # not the step it was at
        done, failed, meanwhile = (self._count(status) for status in (DONE, FAILED, SKIPPED))
        word = "Stopped by an error: " if stopped_by is not None else "Cancelled: " if cancelled else "Finished: "
        left = len(self.plan.unfinished_removed)        # hidden temp files a killed batch had left
        self.status.setText(word + f"{done} done, {failed} failed" + (f" — results in {self.plan.out_dir}" if done else "")
                            + (f"; {meanwhile} left out, written meanwhile by another batch" if meanwhile else "")
                            + (f"; removed {left} unfinished file(s) a batch killed mid-write had left" if left else ""))
        self._show_total()                   # a cancelled item's part-way progress is not counted
        self._update_buttons()
        self.finishedBatch.emit(done, failed)
        # photos added while it ran, or another output folder chosen meanwhile (Tools ▸ Choose the
        # output folder): the next Start works with them, as the panel shows
        if self._pending or (self.inputs and self.out_dir() != self.plan.out_dir):
            self._replan()

    def _show_total(self) -> None:
        """The overall bar from the items that ended (done, failed or skipped) of all in the queue."""
        items = self.plan.items
        done, failed = self._count(DONE), self._count(FAILED)
        ended = sum(i.status in ENDED for i in items)     # (skipped: written meanwhile by another batch)
        self.total.setValue(round(100 * ended / len(items)) if items else 0)
        self.total.setFormat(f"%p%  ({done} done, {failed} failed of {len(items)})" if ended else "")

    def _count(self, status: str) -> int:
        return sum(i.status == status for i in self.plan.items)

    def _update_buttons(self) -> None:
        running = self.is_running()
        queued = any(i.status not in ENDED for i in self.plan.items)
        self.start_button.setEnabled(not running and queued and self.planner is None)
        cancelling = running and self.worker.abort_requested
        self.pause_button.setEnabled(running and not cancelling)
        self.pause_button.setText("Resume" if running and self.worker.is_paused else "Pause")
        self.cancel_button.setEnabled(running and not cancelling or self.planner is not None)
        self.clear_button.setEnabled(not running)
        self.add_button.setEnabled(not running)
        self.out_edit.setEnabled(not running)
        self.browse_button.setEnabled(not running)
        self.method_box.setEnabled(not running)
        self.skip_box.setEnabled(not running)
        self.hint.setVisible(self.table.rowCount() == 0)     # its line goes to the rows on a small screen
        there = self.out_dir().is_dir()
        self.folder_button.setEnabled(there)
        self.folder_button.setToolTip("Show the results in the file manager" if there else
                                      f"{self.out_dir()} does not exist yet: the batch makes it")

    def stop(self, timeout_ms: int = 10000) -> None:
        """Cancel and wait (bounded): used when the window closes."""
        for w in (self.worker, self.planner):
            if w is not None:
                w.stop(timeout_ms)

    # ------------------------------------------------------------------ drag and drop
    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt API
        # also while a batch runs (what is dropped waits for it: add_inputs): a drop refused
        # here went on to the main window, which opened it in place of the photos shown
        if paths_from_mime(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt API
        paths = paths_from_mime(event.mimeData())
        if paths:
            self.add_inputs(paths)
            event.acceptProposedAction()
