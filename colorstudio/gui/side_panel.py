"""The left panel: what is open, the pair checks in plain words, the method picker, the colour
strength of single-gray methods, Colorize."""
from __future__ import annotations

import html

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel,
                               QProgressBar, QPushButton, QScrollArea, QSlider, QVBoxLayout, QWidget)

from colorstudio.engine import methods
from colorstudio.engine.learned_methods import saturation_for
from colorstudio.engine.model_catalog import AUTO_KEY, Choice
from colorstudio.errors import MethodError
from colorstudio.gui.elided_label import MiddleElidedLabel
from colorstudio.gui.scroll_areas import in_scroll_area


STRENGTH_MAX_PERCENT = 200     # the strength slider's range: 0 .. 2x the predicted saturation


class SidePanel(QWidget):
    colorizeRequested = Signal()
    cancelRequested = Signal()
    choiceChanged = Signal(str)   # the picker's key
    strengthChanged = Signal()    # the colour strength (or its default box) changed
    resultChosen = Signal(int)    # an earlier result of the open photos, by its place in the list
    beforeChosen = Signal(int)    # the split view's before side: -1 the gray, else a result's place
    linkRequested = Signal(str)   # a link of the first-start text: 'open' or 'sample'

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._choices: list[Choice] = []
        self._is_pair = True

        inputs = QGroupBox("Photos")
        form = QFormLayout(inputs)
        self.gray_label = MiddleElidedLabel("—")          # file names: plain text, shortened in the middle
        self.reference_label = MiddleElidedLabel("—")
        form.addRow("Gray:", self.gray_label)
        form.addRow("Reference:", self.reference_label)

        checks = self.checks_box = QGroupBox("Pair checks")
        self.checks_label = QLabel("A gray photo and its colour reference, or a gray photo alone: "
                                   "<a href='open'>open them</a> or drop them on the window. "
                                   "New here? <a href='sample'>Try the sample pair</a>.")
        self.checks_label.setWordWrap(True)
        self.checks_label.setTextFormat(Qt.TextFormat.RichText)
        self.checks_label.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse |
                                                  Qt.TextInteractionFlag.LinksAccessibleByKeyboard)   # Tab, Enter
        self.checks_label.linkActivated.connect(self.linkRequested)
        QVBoxLayout(checks).addWidget(self.checks_label)

        run = QGroupBox("Colorize")
        v = QVBoxLayout(run)
        self.picker = QComboBox()
        self.picker.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.picker.setMinimumContentsLength(18)
        self.picker.currentIndexChanged.connect(self._picked)
        self.summary = QLabel("")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet("color: #9e9e9e;")
        self.strength_box = QWidget()     # single grays only: the saturation factor
        strength = QVBoxLayout(self.strength_box)
        strength.setContentsMargins(0, 0, 0, 0)
        self.strength_default = QCheckBox("Default colour strength")
        self.strength_default.setChecked(True)
        self.strength_default.setToolTip("The saturation the benchmark found best for the method. "
                                         "Untick to choose: learned colorizers come out faint; "
                                         "more strength is more vivid and less often right.")
        self.strength_slider = QSlider(Qt.Orientation.Horizontal)
        self.strength_slider.setRange(0, STRENGTH_MAX_PERCENT)
        self.strength_slider.setValue(100)
        self.strength_slider.setEnabled(False)
        self.strength_slider.setAccessibleName("Colour strength")
        self.strength_label = QLabel("")
        self.strength_default.toggled.connect(self._strength_toggled)
        self.strength_slider.valueChanged.connect(self._strength_changed)
        row = QHBoxLayout()
        row.addWidget(self.strength_slider, 1)
        row.addWidget(self.strength_label)
        strength.addWidget(self.strength_default)
        strength.addLayout(row)
        self._strength_changed()
        buttons = QHBoxLayout()
        self.colorize_button = QPushButton("Colorize")
        self.colorize_button.setEnabled(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.colorize_button.clicked.connect(self.colorizeRequested)
        self.cancel_button.clicked.connect(self.cancelRequested)
        buttons.addWidget(self.colorize_button)
        buttons.addWidget(self.cancel_button)
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Colorize progress")
        self.progress.setRange(0, 100)
        self.progress.setTextVisible(True)
        self.progress.setFormat("")
        self.status = QLabel("")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        self.results_box = QWidget()      # two results or more: switch between them to compare
        results = QVBoxLayout(self.results_box)
        results.setContentsMargins(0, 6, 0, 0)
        self.results = QComboBox()
        self.results.setToolTip("The last results of these photos: pick one to compare it with the "
                                "others in the same view (Export writes the one shown)")
        self.results.activated.connect(self.resultChosen)
        self.before = QComboBox()
        self.before.setToolTip("The split view shows the result left of the line and this right of it")
        self.before.activated.connect(lambda i: self.beforeChosen.emit(i - 1))
        for label, box in (("Results of these photos:", self.results), ("Split view: the result against", self.before)):
            named = QLabel(label)
            named.setBuddy(box)                 # its name for a screen reader (else only its value)
            box.setAccessibleName(label.rstrip(":"))
            results.addWidget(named)
            results.addWidget(box)
        self.results_box.setVisible(False)
        picker_label = QLabel("&Method / model:")
        picker_label.setBuddy(self.picker)      # Alt+M
        self.picker.setAccessibleName("Method / model")   # else a screen reader says only its value
        v.addWidget(picker_label)
        v.addWidget(self.picker)
        v.addWidget(self.summary)
        v.addWidget(self.strength_box)
        v.addLayout(buttons)
        v.addWidget(self.progress)
        v.addWidget(self.status)
        v.addWidget(self.results_box)

        layout = QVBoxLayout(self)
        layout.addWidget(inputs)
        layout.addWidget(checks)
        layout.addWidget(run)
        layout.addStretch(1)

    def in_scroll_area(self) -> QScrollArea:
        """This panel in a frameless scroll area, for its dock: made short by a small screen (or
        the batch queue below), it scrolls its controls instead of squeezing them over each other."""
        area = in_scroll_area(self, across=False)
        # never narrower than the controls (with room for the vertical scroll bar): they would be cut
        area.setMinimumWidth(self.minimumSizeHint().width() + area.verticalScrollBar().sizeHint().width())
        return area

    # -- picker
    def set_choices(self, choices: list[Choice], is_pair: bool, selected_key: str = "") -> None:
        """Offer the choices that fit the input (pair or single); keep ``selected_key`` if it fits."""
        self._is_pair = is_pair
        self._choices = [c for c in choices if c.fits(is_pair)]
        self.picker.blockSignals(True)
        self.picker.clear()
        for c in self._choices:
            self.picker.addItem(c.label, c.key)
            self.picker.setItemData(self.picker.count() - 1, c.tooltip, Qt.ItemDataRole.ToolTipRole)
        keys = [c.key for c in self._choices]
        self.picker.setCurrentIndex(keys.index(selected_key) if selected_key in keys else
                                    keys.index(AUTO_KEY) if AUTO_KEY in keys else 0)
        self.picker.blockSignals(False)
        self._show_summary()

    def current_choice(self) -> Choice | None:
        i = self.picker.currentIndex()
        return self._choices[i] if 0 <= i < len(self._choices) else None

    def select(self, key: str) -> bool:
        i = self.picker.findData(key)
        if i >= 0:
            self.picker.setCurrentIndex(i)
        return i >= 0

    def _picked(self) -> None:
        self._show_summary()
        c = self.current_choice()
        if c is not None:
            self.choiceChanged.emit(c.key)

    def _show_summary(self) -> None:
        c = self.current_choice()
        self.summary.setText(c.tooltip if c else "")
        self.strength_box.setVisible(not self._is_pair and self._has_strength())
        self.strength_default.setText(f"Default colour strength (×{self.default_strength():.2f})")
        if self.strength_default.isChecked():   # the greyed slider shows where the default is
            self.strength_slider.setValue(round(100 * self.default_strength()))

    # -- colour strength (single grays)
    def saturation(self) -> float | None:
        """The saturation factor the user chose, or None for the method's default."""
        if self.strength_default.isChecked():
            return None
        return self.strength_slider.value() / 100.0

    def _has_strength(self) -> bool:
        """Whether the method picked for a single gray has a colour strength: the learned ones
        do, 'neutral' (the gray itself) does not."""
        c = self.current_choice()
        if c is not None and c.model is not None:
            return True
        try:
            method = methods.get(c.method) if c is not None and c.method else methods.default_for(methods.SINGLE)
        except (MethodError, ValueError):
            return True
        return method.learned

    def default_strength(self) -> float:
        """The benchmark's saturation factor for the method picked (Automatic: the default one)."""
        c = self.current_choice()
        name = c.method if c is not None and c.method else None
        if name is None:
            try:
                name = methods.default_for(methods.SINGLE).name
            except ValueError:
                return 1.0
        return saturation_for(name, None, c.model if c is not None else None)

    def show_strength(self, factor: float, is_default: bool) -> None:
        """Put the controls at a result's own strength (a result shown again), without asking
        for a change: the result keeps the strength it was made at."""
        blockers = [QSignalBlocker(w) for w in (self.strength_default, self.strength_slider)]
        self.strength_default.setChecked(is_default)
        self.strength_slider.setValue(round(100 * factor))
        del blockers
        self._show_strength_controls()

    def _strength_toggled(self, default: bool) -> None:
        # unticked: start from the method's own default; ticked: the greyed slider shows it again
        blocker = QSignalBlocker(self.strength_slider)        # one change, said once below
        self.strength_slider.setValue(round(100 * self.default_strength()))
        blocker.unblock()
        self._strength_changed()

    def _strength_changed(self) -> None:
        self._show_strength_controls()
        self.strengthChanged.emit()

    def _show_strength_controls(self) -> None:
        """The slider greyed with the default box, and its value written beside it."""
        default = self.strength_default.isChecked()
        self.strength_slider.setEnabled(not default)
        self.strength_label.setText("" if default else f"×{self.strength_slider.value() / 100:.2f}")

    # -- results of the open photos
    def show_results(self, labels: list[str], current: int, before: int = -1) -> None:
        """List the results to switch between (shown from two on), ``current`` selected, and
        what the split view compares with (``before``: -1 the gray, else a result's place)."""
        for box, items, index in ((self.results, labels, current),
                                  (self.before, ["the gray photo"] + labels, before + 1)):
            box.blockSignals(True)
            box.clear()
            box.addItems(items)
            box.setCurrentIndex(index)
            box.blockSignals(False)
        self.results_box.setVisible(len(labels) > 1)

    # -- inputs and checks
    def show_inputs(self, gray_text: str, reference_text: str, checks: list[str]) -> None:
        self.gray_label.set_full_text(gray_text)
        self.reference_label.set_full_text(reference_text or "none (single gray photo)")
        self.checks_box.setTitle("Pair checks" if reference_text else "Checks")
        if checks:
            items = "".join(f"<li>{html.escape(m, quote=False)}</li>" for m in checks)
            self.checks_label.setText(f"<ul style='margin-left:-20px'>{items}</ul>")
        else:
            self.checks_label.setText("No reference: the colours are invented from the gray alone."
                                      if not reference_text else "No problems found.")
        # the welcome's links are gone: no Tab stop that shows nothing
        self.checks_label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.checks_label.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    # -- running state
    def set_running(self, running: bool) -> None:
        self.colorize_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        self.picker.setEnabled(not running)
        self.strength_box.setEnabled(not running)
        self.results_box.setEnabled(not running)

    def set_progress(self, fraction: float, message: str) -> None:
        self.progress.setValue(int(round(100 * max(0.0, min(1.0, fraction)))))
        # nothing to say at 0 (a job cancelled or failed: the status line says it; "0%" read as
        # if a job had run and done nothing)
        self.progress.setFormat(f"%p%  {message}" if fraction > 0 or message else "")
        self.status.setText("")

    def set_status(self, text: str) -> None:
        self.status.setText(text)

