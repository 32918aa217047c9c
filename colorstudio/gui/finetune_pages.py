"""The fine-tune wizard's pages before and after the run: folder → checks → settings, and save.
(The training and evaluation pages are in :mod:`finetune_run_pages`.)

Each long step runs in a :class:`GeneratorWorker` over a generator of
:mod:`colorstudio.gui.training_adapter`; pages only show what comes back.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtWidgets import (QButtonGroup, QComboBox, QFileDialog, QFormLayout, QGridLayout, QHBoxLayout,
                               QLabel, QLineEdit, QPlainTextEdit, QProgressBar, QPushButton, QRadioButton,
                               QSpinBox, QVBoxLayout, QWizardPage)

from colorstudio.gui import model_saving
from colorstudio.gui.finetune_pair_checks import FolderSummary, scan_folder
from colorstudio.gui import training_adapter as ta
from colorstudio.gui.devices import DeviceInfo, detect_steps
from colorstudio.gui.error_dialog import describe, show_error
from colorstudio.engine.model_catalog import user_models
from colorstudio.training.finetune_advice import VERSUS_DEFAULT, length_advice
from colorstudio.gui.workers import GeneratorWorker

CROPS = [((256, 512), "256 × 512 (as in the paper)"), ((192, 384), "192 × 384 (faster)"),
         ((128, 256), "128 × 256 (fastest, for a quick try)")]
NETWORKS = [("ccdc", "CCDC (the default pair method)"), ("cyclecnn", "Cycle CNN (stereo)")]
SHIPPED_LABEL = {"ccdc": "The shipped CCDC model", "cyclecnn": "The shipped Cycle CNN model"}


class FolderPage(QWizardPage):
    def __init__(self):
        super().__init__()
        self.setTitle("Your camera pairs")
        self.setSubTitle("Choose a folder of gray + colour shots from your dual camera.")
        about = QLabel("No ground truth is needed: CCDC learns from pairs made of your colour shots as "
                       "your camera takes them; the Cycle CNN by colouring each pair there and back again.")
        about.setWordWrap(True)                 # (a wizard's subtitle is cut, not wrapped, on narrow screens)
        self.missing = QLabel("")               # why Next stays greyed out for a typed folder
        self.edit = QLineEdit()
        self.edit.setPlaceholderText("a folder with x_mono + x_color (or x_L + x_R, or mono/ + color/) files")
        self.edit.setAccessibleName("Folder of camera pairs")
        self.edit.textChanged.connect(self.completeChanged)
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.edit, 1)
        row.addWidget(browse)
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addLayout(row)
        layout.addWidget(self.missing)
        layout.addStretch(1)

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder of camera pairs", self.edit.text())
        if folder:
            self.edit.setText(folder)

    def folder(self) -> Path:
        return Path(self.edit.text()).expanduser()

    def isComplete(self) -> bool:  # noqa: N802 - Qt API
        typed = bool(self.edit.text().strip())
        found = typed and self.folder().is_dir()
        self.missing.setText("" if found or not typed else
                             f"{self.folder()} is not a folder here" if self.folder().exists() else
                             f"there is no folder {self.folder()}")
        return found


class ChecksPage(QWizardPage):
    def __init__(self, folder_page: FolderPage):
        super().__init__()
        self.folder_page = folder_page
        self.setTitle("Checks and summary")
        self.setSubTitle("Each pair is checked for each network: colour in the colour shot, rectified rows, "
                         "parallax, sizes.")
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Pair checking progress")
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.details = QPlainTextEdit(readOnly=True)
        self.details.setAccessibleName("What the check found in each pair")
        layout = QVBoxLayout(self)
        layout.addWidget(self.progress)
        layout.addWidget(self.summary)
        layout.addWidget(self.details, 1)
        self.result: FolderSummary | None = None
        self.worker: GeneratorWorker | None = None

    def initializePage(self) -> None:  # noqa: N802 - Qt API
        self.result = None
        self.summary.setText("Checking…")
        self.details.clear()
        worker = GeneratorWorker(scan_folder, self.folder_page.folder(), ta.offered_networks(), min_interval=0.05)
        self.worker = worker.start_with(      # one left behind by Back or Cancel is not heard
            progress=lambda p: self.worker is worker and (self.progress.setValue(int(100 * p.fraction)),
                                                          self.progress.setFormat(f"%p%  {p.message}")),
            finished=lambda summary: self.worker is worker and self._done(summary),
            errored=lambda e: self.worker is worker and self._failed(e))
        self.completeChanged.emit()

    def _failed(self, exc: BaseException) -> None:
        self.worker = None
        self.summary.setText(describe(exc)[0])
        show_error(self, exc)

    def _done(self, summary: FolderSummary) -> None:
        self.worker = None
        self.result = summary
        self.progress.setValue(100)
        self.summary.setText("<br>".join(summary.lines()))
        self.details.setPlainText("\n".join([c.line for c in summary.checks] + summary.skipped_lines()))
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 - Qt API
        return self.result is not None and self.result.any_usable()

    def cleanupPage(self) -> None:  # noqa: N802 - Qt API
        """Back or Cancel: the check stops after its current pair, without waiting for it (a large
        pair takes seconds; quitting the app waits for it, see GeneratorWorker.stop_all)."""
        if self.worker is not None:
            self.worker.abort()
            self.worker = None


class SettingsPage(QWizardPage):
    def __init__(self, device_preference: str = "auto",
                 folder_summary: Callable[[], FolderSummary | None] = lambda: None):
        super().__init__()
        self.folder_summary = folder_summary     # the checks page's result: which pairs each network takes
        self.setTitle("Settings")
        self.setSubTitle("Choose the network and the model to start from, how long to train, and where.")
        self.network = QComboBox()
        offered = ta.offered_networks()
        for key, label in NETWORKS:
            if key in offered:
                self.network.addItem(label, key)
        self.network.setToolTip("CCDC learns from pairs made of your colour shots as your camera takes them; the "
                                "Cycle CNN from your pairs themselves, by its cycle objective. On simulated cameras "
                                "a fine-tuned CCDC came out ahead of a fine-tuned Cycle CNN in every comparison, "
                                "and 0.15 dB below to 0.21 dB above CCDC not fine-tuned on photos it never trained "
                                "on (README: fine-tuning).")
        self.network.currentIndexChanged.connect(self._network_changed)
        self.pairs_label = QLabel("")
        self.pairs_label.setWordWrap(True)
        self.base = QComboBox()
        self.budget_time = QRadioButton("Time budget (minutes):")
        self.budget_steps = QRadioButton("Number of steps:")
        self.budget_time.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.budget_time)
        group.addButton(self.budget_steps)
        self.minutes = QSpinBox()
        self.minutes.setRange(1, 24 * 60)
        self.minutes.setValue(20)
        self.steps = QSpinBox()
        self.steps.setRange(1, 1_000_000)
        self.steps.setValue(2000)
        self.steps.setEnabled(False)             # each box only with its choice
        self.minutes.setAccessibleName("Time budget in minutes")     # a screen reader said "spin box 20"
        self.steps.setAccessibleName("Number of steps")
        self.budget_time.toggled.connect(self.minutes.setEnabled)
        self.budget_steps.toggled.connect(self.steps.setEnabled)
        self.device_box = QComboBox()
        for key, label in (("auto", "Automatic"), ("cpu", "CPU"), ("cuda", "GPU (CUDA)"), ("mps", "Apple GPU (MPS)")):
            self.device_box.addItem(label, key)
        self.device_box.setCurrentIndex(max(0, self.device_box.findData(device_preference)))
        self.device_label = QLabel("Detecting the compute device…")
        self.device_label.setWordWrap(True)
        self.crop = QComboBox()
        for size, label in CROPS:
            self.crop.addItem(label, size)
        form = self.form = QFormLayout(self)
        form.addRow("Network:", self.network)
        form.addRow("", self.pairs_label)
        form.addRow("Start from:", self.base)
        grid = QGridLayout()
        grid.addWidget(self.budget_time, 0, 0)
        grid.addWidget(self.minutes, 0, 1)
        grid.addWidget(self.budget_steps, 1, 0)
        grid.addWidget(self.steps, 1, 1)
        form.addRow("Training length:", grid)
        self.length_hint = QLabel("")
        self.length_hint.setWordWrap(True)
        form.addRow("", self.length_hint)
        self.minutes.valueChanged.connect(self._hint_length)
        self.steps.valueChanged.connect(self._hint_length)
        self.budget_time.toggled.connect(self._hint_length)
        form.addRow("Device:", self.device_box)
        form.addRow("", self.device_label)
        self.crop.setToolTip("Cycle CNN: training crops are at most this size: a pair smaller than it at the "
                             "working scale is cropped to its own size (a multiple of 32 px). CCDC trains on "
                             "160 × 160 crops.")
        form.addRow("Crop size (at most):", self.crop)
        self.device: DeviceInfo | None = None
        self.worker: GeneratorWorker | None = None
        self._detect_again = False
        self.device_box.currentIndexChanged.connect(self._detect)

    def method(self) -> str:
        return self.network.currentData()

    def initializePage(self) -> None:  # noqa: N802 - Qt API
        summary = self.folder_summary()
        if summary is not None and not summary.usable(self.method()):     # start with a network that has pairs
            usable = [i for i in range(self.network.count()) if summary.usable(self.network.itemData(i))]
            if usable:
                self.network.setCurrentIndex(usable[0])
        self._network_changed()
        self._detect()

    def usable_pairs(self) -> bool:
        summary = self.folder_summary()
        return summary is None or bool(summary.usable(self.method()))

    def _hint_length(self) -> None:
        """What the budget buys on a CPU like this project's, against the steps the README's
        measured gains took: a 1-minute budget gives a handful of steps and an unchanged model."""
        by_time = self.budget_time.isChecked()
        device = getattr(self, "device", None)          # (while detecting: as on the CPU)
        on_cpu = device is None or device.device == "cpu"
        self.length_hint.setText(length_advice(self.method(), self.minutes.value() if by_time else None,
                                               None if by_time else self.steps.value(), on_cpu))

    def _network_changed(self) -> None:
        """The models to start from are the chosen network's: the shipped one and the user's."""
        method = self.method()
        self._hint_length()
        self.base.clear()
        if ta.ships(method):
            self.base.addItem(SHIPPED_LABEL[method], None)
        else:                                       # only the Cycle CNN can start from nothing
            self.base.addItem("From scratch (no stereo model ships in this build)", None)
        for choice in user_models():
            if choice.method == method:
                self.base.addItem(choice.label, choice.model)
        self.crop.setEnabled(method == "cyclecnn")
        self.form.setRowVisible(self.crop, method == "cyclecnn")       # CCDC trains on 160 x 160 crops
        summary = self.folder_summary()
        self.form.setRowVisible(self.pairs_label, summary is not None)
        if summary is not None:
            self.pairs_label.setText(summary.usable_line(method))
        self.completeChanged.emit()

    def _detect(self) -> None:
        """Find the device for the box's choice; a choice made during a detection is detected
        after it. Next waits until the device of the current choice is known."""
        self.device = None
        self.completeChanged.emit()
        if self.worker is not None:
            self._detect_again = True
            return
        self._detect_again = False
        self.device_label.setText("Detecting the compute device…")
        worker = GeneratorWorker(detect_steps, self.device_box.currentData())
        self.worker = worker.start_with(      # one the wizard stopped hearing (closed) is not heard
            finished=lambda info: self.worker is worker and self._detected(info),
            errored=lambda exc: self.worker is worker and self._detection_failed(exc))

    def _detected(self, info: DeviceInfo) -> None:
        self.worker = None
        if self._detect_again:               # the choice changed meanwhile: this answer is stale
            self._detect()
            return
        self.device = info
        self.device_label.setText(info.message or info.name)
        self._hint_length()                  # a GPU's pace is not the CPU's
        self.completeChanged.emit()

    def _detection_failed(self, exc: BaseException) -> None:
        self._detected(DeviceInfo("cpu", "CPU", f"Could not detect a device ({exc}); training runs on the CPU."))

    def stop_detection(self) -> None:
        """The wizard closes: a detection still running is left to end on its own (a first CUDA
        start can take seconds; quitting the app waits for it) and not heard."""
        if self.worker is not None:
            self.worker.abort()
            self.worker, self._detect_again = None, False

    def isComplete(self) -> bool:  # noqa: N802 - Qt API
        return self.device is not None and self.usable_pairs()

    def budget(self) -> tuple[float | None, int | None]:
        if self.budget_steps.isChecked():
            return None, int(self.steps.value())
        return float(self.minutes.value()), None


class SavePage(QWizardPage):
    def __init__(self):
        super().__init__()
        self.setTitle("Name and save")
        self.setSubTitle("The model is saved in your ColorStudio folder and appears in the method picker.")
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. my-phone-dual-camera")
        self.name.textChanged.connect(self._validate)
        self.note = QLineEdit()
        self.note.setPlaceholderText("optional description")
        self.problem = QLabel("")
        self.problem.setStyleSheet("color: #ef9a9a;")
        self.advice = QLabel("")
        self.advice.setWordWrap(True)
        form = self.form = QFormLayout(self)
        form.addRow("Name:", self.name)
        form.addRow("Description:", self.note)
        form.addRow("", self.problem)
        form.addRow("", self.advice)
        self.saved: Path | None = None
        self.folder_name = ""        # the pairs' folder: the suggested name comes from it

    def initializePage(self) -> None:  # noqa: N802 - Qt API
        self.advice.setText(VERSUS_DEFAULT)
        if not self.name.text().strip():
            self.name.setText(model_saving.free_model_name(self.folder_name))

    def _validate(self) -> None:
        problem = model_saving.valid_model_name(self.name.text())
        if problem is None and model_saving.model_path_for(self.name.text()).exists():
            problem = "a model with this name exists already"
        self.problem.setText(problem or "")
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 - Qt API
        return bool(self.name.text().strip()) and not self.problem.text()
