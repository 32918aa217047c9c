"""The main window: compare view in the middle, photos + checks + Colorize on the left,
diagnostics on the right, the batch queue below; File / View / Tools / Help menus."""
from __future__ import annotations

import gc
import logging
import sys
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDockWidget, QFileDialog, QFrame, QLabel, QMainWindow, QMessageBox, QWidget

from colorstudio import paths
from colorstudio.engine import model_catalog
from colorstudio.engine.batch import ENDED
from colorstudio.gui import batch_preferences, gui_thread_gc, jobs
from colorstudio.gui.batch_panel import BatchPanel
from colorstudio.gui.compare_view import CompareView
from colorstudio.gui.diagnostics_dock import DiagnosticsDock
from colorstudio.gui.dropping import paths_from_mime
from colorstudio.gui.error_dialog import describe, show_error
from colorstudio.gui.export_actions import ExportActions
from colorstudio.gui.live_strength import LiveStrength
from colorstudio.gui.macos_colour import tag_window_srgb
from colorstudio.gui.main_menus import MainMenus
from colorstudio.gui.model_actions import ModelActions
from colorstudio.gui.models_folder_watch import ModelsFolderWatch
from colorstudio.gui.monitor_menu import MonitorMenu
from colorstudio.gui.opening_actions import OpeningActions
from colorstudio.gui.result_history import ResultHistory
from colorstudio.gui.result_views import ResultViews
from colorstudio.gui.scroll_areas import in_scroll_area
from colorstudio.gui.settings import Settings
from colorstudio.gui.side_panel import SidePanel
from colorstudio.gui.workers import GeneratorWorker

log = logging.getLogger(__name__)
QUIT_WAIT_MS = 30000   # on quitting, how long all jobs together get to end (a training saves its checkpoint)
BUSY_DROP = "Busy: drop the photos again when the current job ends (or cancel it)."
BUSY_DROP_SHOWN_MS = 3000   # after the drag's last move over the window


def first_dock_widths(window_width: int) -> list[int]:
    """The side panel's and the diagnostics' widths at the first start: from about 1200 px up the
    photos keep at least half the window (at 1500 px: 280 and 390); below, the diagnostics keep
    the 300 px their maps and bars need."""
    return [min(280, window_width // 5), max(300, min(420, window_width * 26 // 100))]


class MainWindow(OpeningActions, MainMenus, MonitorMenu, ExportActions, ModelActions, ResultViews, QMainWindow):
    opened = Signal(object)        # jobs.OpenedInputs
    colorized = Signal(object)     # jobs.ShownResult
    jobFailed = Signal(object)     # the exception

    def __init__(self, settings: Settings | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.settings = settings or Settings()
        self.setWindowTitle("ColorStudio")
        self.setAcceptDrops(True)
        self.inputs: jobs.OpenedInputs | None = None
        self.result: jobs.ShownResult | None = None
        self.worker: GeneratorWorker | None = None
        self.warm_worker: GeneratorWorker | None = None   # see warm_up()
        self.auto_colorize = False          # colorize as soon as something is opened
        self.wizard = None

        self.compare = CompareView()
        self.setCentralWidget(self.compare)
        self.side = SidePanel()
        self.side.colorizeRequested.connect(self.colorize)
        self.side.cancelRequested.connect(self.cancel_job)
        self.side.choiceChanged.connect(lambda key: self.settings.set_model_choice(self._showing_pair(), key))
        self.side.linkRequested.connect(self._first_start_link)
        self.history = ResultHistory()
        self.side.resultChosen.connect(self._choose_result)
        self.side.beforeChosen.connect(self._choose_before)
        self.before_result: jobs.ShownResult | None = None   # the split view's before side, if a result
        self.before_preview: tuple | None = None   # the result pane before a new result's preview
        self.result_unshown = False   # self.result is not what the pane shows (kept during a job)
        self.batch_written: Path | None = None   # the batch's file shown as the result (not exported again)
        # the slider acts on the result shown, not on one a new result's preview has replaced
        self.strength = LiveStrength(lambda: self.result if self.before_preview is None else None,
                                     self.side.saturation, self._show_restrengthened,
                                     self._preview_strength, self)
        self.side.strengthChanged.connect(self.strength.request)
        self.strength.failed.connect(self._strength_failed)
        self.side_dock = self._dock("Colorize", "colorize_dock", self.side.in_scroll_area(), Qt.DockWidgetArea.LeftDockWidgetArea)
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)   # the batch
        # queue below takes the middle, not the Colorize panel's height (at 1366x768 it was crushed)
        self.diagnostics = DiagnosticsDock(self)
        self.diagnostics.set_palette(self.settings.diagnostics_palette)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.diagnostics)
        self.batch = BatchPanel(self.settings.output_dir, options=self.engine_options)
        self.batch.itemOpened.connect(self.open_batch_item)
        batch_preferences.restore_and_remember(self.batch, self.settings)
        self.batch_dock = self._dock("Batch", "batch_dock", in_scroll_area(self.batch, across=True),
                                     Qt.DockWidgetArea.BottomDockWidgetArea)   # its 6 buttons: 677 px
        self.batch_dock.hide()

        self.readout = QLabel("")
        self.statusBar().addPermanentWidget(self.readout)
        self.compare.pixelInfo.connect(self.readout.setText)
        readout_end = QFrame()             # the readout's last value is not read as the zoom
        readout_end.setFrameShape(QFrame.Shape.VLine)
        readout_end.setFrameShadow(QFrame.Shadow.Sunken)
        self.statusBar().addPermanentWidget(readout_end)
        self.zoom_label = QLabel("")
        self.zoom_label.setContentsMargins(6, 0, 6, 0)
        self.zoom_label.setToolTip("Zoom: screen pixels per photo pixel, 100% = one for one (Z: fit ↔ 100%)")
        self.statusBar().addPermanentWidget(self.zoom_label)
        self.compare.zoomChanged.connect(
            lambda zoom: self.zoom_label.setText(f"{zoom:.0%}" if self.inputs is not None and zoom > 0 else ""))
        self._build_menus()
        self.refresh_choices()
        self.models_watch = ModelsFolderWatch(self)       # the picker follows the models folder
        self.models_watch.changed.connect(self.refresh_choices)
        geometry, state = self.settings.window_geometry(), self.settings.window_state()
        if geometry is not None:
            self.restoreGeometry(geometry)
            self.follow_full_screen()          # quit in full screen: back in it, and the menu says so
        else:                       # the first start: 1500x900, or less on a smaller screen
            screen = self.screen().availableGeometry()
            self.resize(min(1500, screen.width() * 9 // 10), min(900, screen.height() * 9 // 10))
        if state is not None:
            self.restoreState(state)
        else:
            self.resizeDocks([self.side_dock, self.diagnostics], first_dock_widths(self.width()),
                             Qt.Orientation.Horizontal)
        self.set_mode(self.settings.view_mode)
        self.statusBar().showMessage("Open a gray photo and its colour reference, or drop them here.")

    def _dock(self, title: str, name: str, widget: QWidget, area) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def set_mode(self, mode: str) -> None:
        self.compare.set_mode(mode)
        self.mode_actions[mode].setChecked(True)
        self.settings.view_mode = mode

    # ------------------------------------------------------------------ picker
    def _showing_pair(self) -> bool:
        """Whether the picker offers pair methods: a pair is open, or nothing yet."""
        return self.inputs.is_pair if self.inputs else True

    def refresh_choices(self, select: str | None = None) -> None:
        options = model_catalog.choices()
        is_pair = self._showing_pair()
        self.side.set_choices(options, is_pair, select or self.settings.model_choice(is_pair))
        chosen = self.side.current_choice()
        if select and chosen is not None and chosen.key == select:   # e.g. a model just saved: it
            self.settings.set_model_choice(is_pair, select)            # stays chosen when photos open
        self.batch.refresh_methods(options)

    # ------------------------------------------------------------------ colorizing
    def colorize(self) -> None:
        if self.inputs is None:
            self.statusBar().showMessage("Open a gray photo first (File ▸ Open, or drop it on the window)", 5000)
            return
        if not self._idle():
            return
        choice = self.side.current_choice()
        method = choice.method if choice else None
        model = choice.model if choice else None
        name = choice.label if choice is not None and choice.model is not None else None
        options = {**self.engine_options(), "colour_space": self.inputs.colour_space}   # as the views
        self._run(jobs.colorize_for_view, self.inputs, method, model, options,
                  on_done=lambda shown: self._colorized(shown, name))

    def engine_options(self) -> dict:
        """Options every colorization gets: the device and the result's colour space from the
        settings (the device reaches learned methods only) and the colour strength the user
        chose (single-gray methods only)."""
        options = {"device": self.settings.device, "colour_space": self.settings.colour_space}
        saturation = self.side.saturation()
        if saturation is not None:
            options["saturation"] = saturation
        return options

    # ------------------------------------------------------------------ jobs
    def _idle(self) -> bool:
        if self.worker is not None:
            self.statusBar().showMessage("Busy: wait for the current job or cancel it.", 4000)
            return False
        return True

    def _run(self, func, *args, on_done) -> GeneratorWorker:
        worker = GeneratorWorker(func, *args, min_interval=0.05,
                                 always_emit=lambda step: isinstance(step, jobs.ViewPreview))
        self.worker = worker
        self.side.set_running(True)
        return worker.start_with(progress=self._on_progress,
                                 finished=lambda result: (self._job_done(worker), on_done(result),
                                                          self._show_kept_result()),
                                 errored=lambda exc: (self._job_done(worker), self._take_back_preview(),
                                                      self._on_error(exc)),
                                 cancelled=lambda: (self._job_done(worker), self._take_back_preview(),
                                                    self.side.set_progress(0, ""),
                                                    self.side.set_status("Cancelled.")))

    def warm_up(self) -> GeneratorWorker:
        """Load the default learned models in the background (torch import + weights), so the
        first colorization starts at once. Beside the job slot: the user can open and colorize
        meanwhile (the loaders' caches are shared). Failures are only logged: the job that
        needs the model will report them."""
        from colorstudio.engine.warm_up import warm_up

        # no collector pass walks the objects the warm-up makes (PyTorch, the models): frozen
        # at its end unwalked, see gui_thread_gc (the first pass after the start froze the window)
        resume_collector = gui_thread_gc.pause()

        def ended() -> None:
            freeze_startup_objects()
            resume_collector()

        self.warm_worker = GeneratorWorker(warm_up).start_with(
            finished=lambda names: (log.info("warmed up: %s", ", ".join(names) or "nothing"), ended()),
            errored=lambda exc: (log.warning("warm-up failed: %s", exc), ended()),
            cancelled=ended)
        return self.warm_worker

    def _on_progress(self, p) -> None:
        if isinstance(p, jobs.ViewPreview):
            self._preview_result(p.view)
        if p is not None and hasattr(p, "fraction"):
            self.side.set_progress(p.fraction, p.message)

    def _on_error(self, exc: BaseException) -> None:
        self.statusBar().clearMessage()          # e.g. an earlier job's "Added …" would contradict it
        self.side.set_progress(0, "")
        line, _ = describe(exc)
        self.side.set_status(line)
        show_error(self, exc)
        self.jobFailed.emit(exc)

    def _job_done(self, worker: GeneratorWorker) -> None:
        """The job's end, before its result is used (so the result handler may start the next job)."""
        if self.worker is not worker:
            return
        self.worker = None
        self.side.set_running(False)
        self.side.colorize_button.setEnabled(self.inputs is not None)

    def cancel_job(self) -> None:
        if self.worker is not None:
            self.worker.abort()
            self.side.cancel_button.setEnabled(False)      # asked once: the job ends at its next step
            self.side.set_status("Cancelling after the current step…")

    # ------------------------------------------------------------------ other actions
    def show_batch(self) -> None:
        if self.batch_dock.isHidden():     # opened: 40 % of the window (4 rows at 850 px), the photos keep the rest
            self.batch_dock.show()
            self.resizeDocks([self.batch_dock], [max(180, self.height() * 2 // 5)], Qt.Orientation.Vertical)
        self.batch_dock.raise_()
        self.batch.table.setFocus()      # keyboard users go on in the queue (Enter opens a row)

    def toggle_batch(self) -> None:
        """Ctrl+B: the queue shown (with the keyboard in it), or hidden again (the photos keep it);
        a queue behind another dock's tab is brought to the front, not hidden."""
        if self.batch_dock.isHidden() or self.batch_dock.visibleRegion().isEmpty():
            self.show_batch()
        else:
            self.batch_dock.hide()
            self.compare.setFocus()

    def choose_output_folder(self) -> None:
        current = str(self.settings.output_dir or Path.home())
        folder = QFileDialog.getExistingDirectory(self, "Output folder for results", current)
        if folder:
            self.settings.output_dir = folder
            self.batch.set_out_dir(Path(folder))

    def open_finetune_wizard(self) -> None:
        from colorstudio.gui.finetune_wizard import FineTuneWizard

        # a wizard closed while its training finishes its step is shown again, not replaced: a
        # second run would share its run folder and the two would overwrite each other's checkpoint
        if self.wizard is None or not (self.wizard.isVisible() or self.wizard.is_training()):
            if self.wizard is not None:
                self.wizard.deleteLater()          # closed and done: not kept as a hidden child
            self.wizard = FineTuneWizard(self.settings, self)
            self.wizard.modelSaved.connect(lambda path: self.refresh_choices(f"model:{path}"))
        self.wizard.training_page.monitor = self.compare.colour.monitor
        self.wizard.show()
        tag_window_srgb(int(self.wizard.winId()) if sys.platform == "darwin" else 0)   # its own window
        self.wizard.raise_()

    def show_about(self) -> None:
        from colorstudio.gui.about_dialog import AboutDialog

        AboutDialog(self.settings.device, self).open()

    def show_log(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(paths.log_file().parent)))

    # ------------------------------------------------------------------ drag and drop, closing
    # While a job runs (colorize, open, export) a drop on the window is refused, with the reason
    # in the status bar while the photos hang over it. Not kept to open later: opening replaces
    # the photos and the result being made, which the photographer is waiting to see, perhaps
    # minutes after they forgot the drop. The batch panel takes its own drops meanwhile.
    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt API
        if not paths_from_mime(event.mimeData()):
            return
        if self.worker is not None:
            event.ignore()
            # refused, Qt enters again at each move of the drag, which renews the message; the
            # leave goes to the view under the pointer, not here: the message times out by itself
            self.statusBar().showMessage(BUSY_DROP, BUSY_DROP_SHOWN_MS)
        else:
            event.acceptProposedAction()

    def dragLeaveEvent(self, event) -> None:  # noqa: N802 - Qt API
        if self.statusBar().currentMessage() == BUSY_DROP:
            self.statusBar().clearMessage()
        super().dragLeaveEvent(event)

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt API
        dropped = paths_from_mime(event.mimeData())
        if dropped and self.worker is not None:       # the job began during the drag
            event.ignore()
            self.statusBar().showMessage(BUSY_DROP, BUSY_DROP_SHOWN_MS)
        elif dropped:
            event.acceptProposedAction()
            QTimer.singleShot(0, lambda: self.open_paths(dropped))   # return to the drag source first

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt API
        training = self.wizard is not None and self.wizard.is_training()
        busy = self.worker is not None or self.batch.is_running() or training
        if busy and not getattr(self, "force_close", False):
            if training:
                what = "A fine-tuning run is running"
            elif self.batch.is_running():
                left = sum(i.status not in ENDED for i in self.batch.plan.items)
                what = f"The batch is running ({left} item{'s' * (left != 1)} to go)"
            else:
                what = "A job is running"           # colorizing, an export, adding a model
            answer = QMessageBox.question(self, "Stop and quit?", f"{what}. Stop it and quit?")
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
        self.settings.save_window(self.saveGeometry(), self.saveState())
        self.settings.sync()
        self.hide()                        # the user asked to quit: no frozen window while jobs end
        self.strength.stop(0)              # its timer; its job is stopped with the others below
        self.compare.colour.shutdown()
        # every job (colorize, warm-up, batch, strength, a training that saves its checkpoint,
        # a device detection…) is asked to stop at once, then all get one shared wait
        GeneratorWorker.stop_all(QUIT_WAIT_MS)
        if self.wizard is not None:
            self.wizard.force_close = True
            self.wizard.close()
        event.accept()


def freeze_startup_objects() -> None:
    """Keep what start-up made (modules, Qt, torch, the loaded models: about 230 000 objects)
    out of the garbage collector's full passes from now on. Such a pass holds the interpreter,
    GUI thread included, for about 0.1 s, and the worker's allocations set one off now and then
    during a colorization: the window stuttered (`benchmarks/gui_latency.py --single`: the event
    loop at most 87-103 ms late before, 11-25 ms after). Objects made later are collected as
    before."""
    gc.freeze()
