"""The fine-tune wizard's run pages: training (live loss curves, step/ETA, validation preview,
pause/stop) and evaluation (before/after cycle PSNR/SSIM, a side-by-side example)."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QProgressBar, QPushButton, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWizardPage)

from colorstudio.gui import finetune_evaluation
from colorstudio.gui import training_adapter as ta
from colorstudio.gui.display import display_image
from colorstudio.gui.error_dialog import show_error, user_message
from colorstudio.gui.monitor_profile import SRGB
from colorstudio.gui.pg_config import configure
from colorstudio.gui.workers import GeneratorWorker

configure()
LOSS_COLOURS = ["#4fc3f7", "#ffb74d", "#81c784", "#e57373", "#ba68c8", "#fff176"]
STOPPING = "Stopping after the current step (the checkpoint is kept)…"
PAUSED = "  — paused"
SMOOTHING_STEPS = 10     # the total loss is also drawn as its mean over this many steps (batch-1 losses jump)


def trailing_mean(values: np.ndarray, k: int) -> np.ndarray:
    """Each value replaced by the mean of it and the up to ``k - 1`` values before it."""
    c = np.cumsum(np.concatenate([[0.0], np.asarray(values, float)]))
    n = np.arange(1, len(values) + 1)
    start = np.maximum(n - k, 0)
    return (c[n] - c[start]) / (n - start)


def format_seconds(s: float | None) -> str:
    """'m:ss' or 'h:mm:ss'; '—' when unknown."""
    if s is None:
        return "—"
    s = int(round(s))
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


class TrainingPage(QWizardPage):
    stateChanged = Signal()

    def __init__(self):
        super().__init__()
        self.setTitle("Training")
        self.setSubTitle("Loss curves, progress and a validation preview update live. Pause or stop "
                         "at any time: the checkpoint is kept, and the same folder and settings go on with it.")
        self.plot = pg.PlotWidget()
        self.plot.setLabel("bottom", "step")
        self.plot.setLabel("left", "loss")
        legend = self.plot.addLegend(offset=(-10, 10))
        legend.setBrush(pg.mkBrush(25, 25, 25, 200))     # readable where it lies over the curves
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.history: dict[str, list[tuple[int, float]]] = {}
        self.smoothed: pg.PlotDataItem | None = None
        self.preview_view = pg.GraphicsLayoutWidget()
        self.preview_view.addLabel("validation preview", row=0, col=0).setMaximumHeight(22)
        self.preview_box = self.preview_view.addViewBox(row=1, col=0, lockAspect=True, invertY=True,
                                                        enableMenu=False)
        self.preview = pg.ImageItem(axisOrder="row-major")
        self.preview_box.addItem(self.preview)
        self.monitor = SRGB                  # the preview is shown for it (the main window's choice)
        self.run_note = QLabel("")            # the run folder's stopped run: resumed, or replaced and why
        self.run_note.setWordWrap(True)
        self.status = QLabel("")
        self.status.setWordWrap(True)         # a finished run's scores and verdict take two lines
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Training progress")
        self.progress.setRange(0, 1000)
        self.start_button = QPushButton("Start")
        self.pause_button = QPushButton("Pause")
        self.cancel_button = QPushButton("Stop")
        self.start_button.clicked.connect(self.start)
        self.pause_button.clicked.connect(self.toggle_pause)
        self.cancel_button.clicked.connect(self.cancel)
        buttons = QHBoxLayout()
        for b in (self.start_button, self.pause_button, self.cancel_button):
            buttons.addWidget(b)
        buttons.addWidget(self.progress, 1)
        plots = QHBoxLayout()
        plots.addWidget(self.plot, 3)
        plots.addWidget(self.preview_view, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(plots, 1)
        layout.addWidget(self.run_note)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.plan: ta.FineTunePlan | None = None
        self.trained_plan: ta.FineTunePlan | None = None    # the plan the outcome was trained on
        self.worker: GeneratorWorker | None = None
        self.outcome: ta.TrainOutcome | None = None
        self.last: ta.TrainUpdate | None = None
        self.reached = 0             # the step this plan's run reached (kept across a Stop and a new budget)
        self.trainer = None          # tests inject a generator factory here (default: the engine's)
        self.finishing = False       # the steps are done and the model is being scored and written
        self._update_buttons()

    def set_plan(self, plan: ta.FineTunePlan) -> None:
        """The plan of the next run. Weights trained on another plan are not this plan's outcome;
        the steps and curves of another run (not :meth:`FineTunePlan.same_run`) are not this one's."""
        if self.worker is None and plan != self.plan:
            self.outcome = None
            if self.plan is None or not self.plan.same_run(plan):
                self.last, self.reached = None, 0
                self._clear_curves()
        self.plan = plan

    def initializePage(self) -> None:  # noqa: N802 - Qt API
        available, why = (True, "") if self.trainer is not None else ta.training_available(self.plan.method)
        if not available:
            self.status.setText(f"<b>{why}.</b> The checks and settings above are kept; "
                                "fine-tuning needs the training engine.")
            self.start_button.setEnabled(False)
            return
        if self.outcome is None and self.worker is None:
            self.start()

    def is_running(self) -> bool:
        return self.worker is not None and not self.worker.isFinished()

    def start(self) -> None:
        if self.plan is None or self.worker is not None:
            return
        self.outcome = None
        self.trained_plan = self.plan
        # the engine goes on with the run of this plan when its folder holds one (after a Stop:
        # Resume; its time may have run out meanwhile: it then writes its model at once)
        self.run_note.setText("")
        self.worker = GeneratorWorker(ta.training_steps, self.plan, self.trainer, min_interval=0.1,
                                      always_emit=lambda u: u.preview is not None or bool(u.run_note) or u.finishing).start_with(
            progress=self._update, finished=self._finished, cancelled=self._stopped, errored=self._failed)
        self.status.setText("Starting…")
        self._update_buttons()

    def toggle_pause(self) -> None:
        if self.worker is None:
            return
        if self.worker.toggle_pause():
            self.status.setText(self.status.text() + PAUSED)
        self._update_buttons()

    def cancel(self) -> None:
        if self.worker is not None:
            self.status.setText(STOPPING)
            self.worker.abort()

    def stop(self, timeout_ms: int = 30000) -> None:
        """Stop the run (the wizard closes). Once it scores and writes its model it is left to
        end by itself (seconds): stopping then would only throw the trained model away."""
        if self.worker is not None and not self.finishing:
            self.status.setText(STOPPING)
            self.worker.stop(timeout_ms)

    def trained_steps(self) -> int:
        """The step this plan's run reached (0: none yet), a resumed run's earlier steps included."""
        return self.reached

    def _clear_curves(self) -> None:
        for item in [*self.curves.values(), *([self.smoothed] if self.smoothed is not None else [])]:
            self.plot.removeItem(item)
        self.curves, self.history, self.smoothed = {}, {}, None

    def _update(self, u: ta.TrainUpdate) -> None:
        if u.losses and any(h and h[-1][0] >= u.step for h in self.history.values()):
            self._clear_curves()                  # steps count from 1 again: a run started afresh
        self.last = u
        if u.step > 0:
            self.reached = u.step
        if u.run_note:
            self.run_note.setText(u.run_note[:1].upper() + u.run_note[1:] + ".")
        for name, value in u.losses.items():
            self.history.setdefault(name, []).append((u.step, value))
            if name not in self.curves:
                colour = LOSS_COLOURS[len(self.curves) % len(LOSS_COLOURS)]
                self.curves[name] = self.plot.plot([], [], pen=pg.mkPen(colour, width=1), name=name)
            xs, ys = (np.asarray(v, float) for v in zip(*self.history[name]))
            self.curves[name].setData(xs, ys)
            if name == "total":
                if self.smoothed is None:
                    self.smoothed = self.plot.plot([], [], pen=pg.mkPen("#ffffff", width=3),
                                                   name=f"total, mean of {SMOOTHING_STEPS} steps")
                self.smoothed.setData(xs, trailing_mean(ys, SMOOTHING_STEPS))
        if u.preview is not None:
            picture = self.monitor.convert(display_image(np.asarray(u.preview), 512))   # 512 px: a few ms
            self.preview.setImage(picture, autoLevels=False, levels=None)
        if self.worker is not None and self.worker.abort_requested:
            return                                # the status says it is stopping
        if u.finishing:                           # nothing left to stop: the model is being scored and written
            self.finishing = True
            if self.worker is not None and self.worker.is_paused:    # paused just before: Continue is off now
                self.worker.resume()
            self.progress.setValue(1000)
            self.status.setText(f"Trained {u.step} steps in {format_seconds(u.seconds)}: {u.message}…")
            self._update_buttons()
            return
        if u.step == 0:                           # before the first step
            self.status.setText(f"Getting ready: {u.message}…" if u.message else "Getting ready…")
            return
        total = f" of {u.total_steps}" if u.total_steps else ""
        lr = f" · lr {u.lr:.2g}" if u.lr else ""
        self.status.setText(f"Step {u.step}{total} · {format_seconds(u.seconds)} elapsed · "
                            f"ETA {format_seconds(u.eta)}{lr}" + (f" · {u.message}" if u.message else ""))
        if u.eta is not None and u.seconds + u.eta > 0:
            self.progress.setValue(int(1000 * u.seconds / (u.seconds + u.eta)))
        elif u.total_steps:
            self.progress.setValue(int(1000 * u.step / u.total_steps))
        if self.worker is not None and self.worker.is_paused:   # a step that ends after Pause
            self.status.setText(self.status.text() + PAUSED)

    def _finished(self, outcome: ta.TrainOutcome) -> None:
        self.worker = None
        self.outcome = outcome
        self.finishing = False
        self.progress.setValue(1000)
        text = f"Finished: {outcome.steps} steps, {format_seconds(outcome.seconds)} of training."
        if outcome.engine_scores():
            text += " " + outcome.engine_scores()
        if outcome.kept_the_start():
            text = ("<b>The trained weights scored far below the starting model, so the fine-tuner kept the "
                    "starting model unchanged: saving it gives you nothing new.</b> " + text
                    + " Try more or other pairs, or a shorter run.")
        self.status.setText(text)
        self._update_buttons()

    def _stopped(self) -> None:
        self.worker = None
        self.finishing = False
        if self.trained_steps():
            self.status.setText(f"Stopped at step {self.trained_steps()}. The checkpoint is kept in "
                                f"{self.plan.run_dir}; press Resume to go on.")
        else:                   # stopped while getting ready: no step, no checkpoint of this run
            self.status.setText("Stopped before the first step: nothing was trained. Press Start to begin.")
        self._update_buttons()

    def _failed(self, exc: BaseException) -> None:
        self.worker = None
        self.finishing = False
        self.status.setText(f"Training failed: {user_message(exc) or exc}")      # as its dialog says it
        show_error(self, exc, context="fine-tuning")
        self._update_buttons()

    def _update_buttons(self) -> None:
        running = self.worker is not None
        self.start_button.setEnabled(not running and self.plan is not None and
                                     (self.outcome is None or not self.outcome.finished))
        stopped = not running and self.trained_steps() > 0 and (self.outcome is None or not self.outcome.finished)
        self.start_button.setText("Resume" if stopped else "Start")
        self.pause_button.setEnabled(running and not self.finishing)
        self.pause_button.setText("Continue" if running and self.worker.is_paused else "Pause")
        self.cancel_button.setEnabled(running and not self.finishing)
        self.stateChanged.emit()          # first: the wizard locks Back while a run goes on,
        self.completeChanged.emit()       # then it redraws its buttons

    def isComplete(self) -> bool:  # noqa: N802 - Qt API
        return self.worker is None and self.outcome is not None and self.outcome.weights is not None


def verdict(ev: finetune_evaluation.Evaluation) -> str:
    """The held-apart pairs' change in words: both cycle scores, and how far to trust them."""
    blocks = ev.after.cycle_psnr_blocks - ev.before.cycle_psnr_blocks
    pixels = ev.after.cycle_psnr - ev.before.cycle_psnr
    return (f"Cycle PSNR on 16-pixel blocks {blocks:+.2f} dB, per pixel {pixels:+.2f} dB. These need no "
            f"ground truth and follow it only loosely (README, fine-tuning): compare the pictures too.")


def fit_table_to_rows(table: QTableWidget) -> None:
    """Columns as wide as their contents (a pair's name was cut to "IMG_2023_00…" beside empty
    space) and the table as tall as its rows, so the pictures below get the rest of the page."""
    table.resizeColumnsToContents()
    rows = sum(table.rowHeight(r) for r in range(table.rowCount()))
    bar = table.horizontalScrollBar().sizeHint().height()
    table.setMaximumHeight(table.horizontalHeader().height() + rows + 2 * table.frameWidth() + bar)


class EvaluationPage(QWizardPage):
    def __init__(self):
        super().__init__()
        self.setTitle("Evaluation")
        self.setSubTitle("Cycle PSNR on pairs held apart from training: each gray is coloured, then the "
                         "colour shot is coloured back from that result and compared with itself.")
        self.engine_scores = QLabel("")       # what the fine-tuner measured (CCDC: with known colours)
        self.engine_scores.setWordWrap(True)
        self.explained = QLabel("")
        self.explained.setWordWrap(True)
        self.explained.setStyleSheet("color: #9e9e9e;")
        self.table = QTableWidget(0, 7)
        self.table.setHorizontalHeaderLabels(["Pair", "blocks before", "blocks after", "pixels before",
                                              "pixels after", "SSIM before", "SSIM after"])
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.view = pg.GraphicsLayoutWidget()
        self.boxes, self.images = [], []
        for col, title in enumerate(("before", "after")):
            self.view.addLabel(title, row=0, col=col)
            vb = self.view.addViewBox(row=1, col=col, lockAspect=True, invertY=True, enableMenu=False)
            item = pg.ImageItem(axisOrder="row-major")
            vb.addItem(item)
            self.boxes.append(vb)
            self.images.append(item)
        self.boxes[1].setXLink(self.boxes[0])
        self.boxes[1].setYLink(self.boxes[0])
        layout = QVBoxLayout(self)
        layout.addWidget(self.engine_scores)
        layout.addWidget(self.status)
        layout.addWidget(self.table)
        layout.addWidget(self.explained)
        layout.addWidget(self.view, 1)
        self.result: finetune_evaluation.Evaluation | None = None
        self.worker: GeneratorWorker | None = None
        self.inputs = None           # (held_out, before (method, model), after (method, model))
        self.device: str | None = None   # where the learned methods run: the fine-tune's device
        self.set_run("cyclecnn", None, True)

    def set_run(self, method: str, outcome: ta.TrainOutcome | None, held_apart: bool) -> None:
        """The run evaluated: its network (the texts), the fine-tuner's own scores, and whether
        pairs were held apart (one pair: the training pair is scored, and said to be)."""
        on = ("pairs held apart from training" if held_apart
              else "the training pair (only one pair: none could be held apart, so the scores flatter the model)")
        self.setSubTitle(f"Cycle PSNR on {on}: each gray is coloured, then the colour shot is coloured back "
                         "from that result and compared with itself.")
        noise = ("The 16-pixel-block score ignores the colour shot's pixel noise; the per-pixel one also "
                 "rewards copying that noise")
        self.explained.setText(noise + (", which the Cycle CNN's fine-tuning deliberately unlearns."
                                        if method == "cyclecnn" else "."))
        scores = outcome.engine_scores() if outcome is not None else ""
        self.engine_scores.setText("<b>The fine-tuner's own score</b> (on pairs made of your colour shots, whose "
                                   f"true colours it knows: trust it over the cycle scores below). {scores}"
                                   if scores else "")
        self.engine_scores.setVisible(bool(scores))

    def initializePage(self) -> None:  # noqa: N802 - Qt API
        self.result = None
        self.status.setText("Evaluating…")
        worker = GeneratorWorker(finetune_evaluation.evaluate, *self.inputs, device=self.device)
        self.worker = worker.start_with(             # one left behind by Back or Close is not heard
            progress=lambda p: self.worker is worker and self.status.setText(p.message),
            finished=lambda ev: self.worker is worker and self._done(ev),
            errored=lambda exc: self.worker is worker and self._failed(exc))

    def _failed(self, exc: BaseException) -> None:
        self.worker = None
        self.status.setText(f"The evaluation could not run: {user_message(exc) or exc}. You can still save the model.")
        self.completeChanged.emit()

    def _done(self, ev: finetune_evaluation.Evaluation) -> None:
        self.worker = None
        self.result = ev
        rows = [(name, b, a) for name, b, a in ev.per_pair] + [("mean", ev.before, ev.after)]
        self.table.setRowCount(len(rows))
        for r, (name, b, a) in enumerate(rows):
            for c, text in enumerate((name, f"{b.cycle_psnr_blocks:.2f} dB", f"{a.cycle_psnr_blocks:.2f} dB",
                                      f"{b.cycle_psnr:.2f} dB", f"{a.cycle_psnr:.2f} dB",
                                      f"{b.cycle_ssim:.3f}", f"{a.cycle_ssim:.3f}")):
                self.table.setItem(r, c, QTableWidgetItem(text))
        fit_table_to_rows(self.table)
        self.status.setText(f"Before: {ev.before_label}. After: {ev.after_label}. {verdict(ev)}")
        for item, img in zip(self.images, (ev.example_before, ev.example_after)):
            item.setImage(display_image(img, 768), autoLevels=False, levels=None)  # uint8: no rescale
        self.boxes[0].autoRange(padding=0)
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 - Qt API
        return self.worker is None

    def cleanupPage(self) -> None:  # noqa: N802 - Qt API
        """Back or Close: the evaluation stops after its current pair, without waiting for it
        (quitting the app waits for it, see GeneratorWorker.stop_all)."""
        if self.worker is not None:
            self.worker.abort()
            self.worker = None
