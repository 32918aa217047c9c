"""The left panel: what is open, the pair checks in plain words, the method picker, Colorize."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QProgressBar,
                               QPushButton, QVBoxLayout, QWidget)

from colorstudio.gui.model_catalog import AUTO_KEY, Choice


class SidePanel(QWidget):
    colorizeRequested = Signal()
    cancelRequested = Signal()
    choiceChanged = Signal(str)   # the picker's key

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._choices: list[Choice] = []
        self._is_pair = True

        inputs = QGroupBox("Photos")
        form = QFormLayout(inputs)
        self.gray_label = QLabel("—")
        self.reference_label = QLabel("—")
        for label in (self.gray_label, self.reference_label):
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow("Gray:", self.gray_label)
        form.addRow("Reference:", self.reference_label)

        checks = QGroupBox("Pair checks")
        self.checks_label = QLabel("Open a gray photo and its colour reference\n"
                                   "(File ▸ Open, or drop them on the window).")
        self.checks_label.setWordWrap(True)
        self.checks_label.setTextFormat(Qt.TextFormat.RichText)
        QVBoxLayout(checks).addWidget(self.checks_label)

        run = QGroupBox("Colorize")
        v = QVBoxLayout(run)
        self.picker = QComboBox()
        self.picker.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.picker.setMinimumContentsLength(18)
        self.picker.currentIndexChanged.connect(self._picked)
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet("color: #9e9e9e;")
        buttons = QHBoxLayout()
        self.colorize_button = QPushButton("Colorize")
        self.colorize_button.setDefault(True)
        self.colorize_button.setEnabled(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.colorize_button.clicked.connect(self.colorizeRequested)
        self.cancel_button.clicked.connect(self.cancelRequested)
        buttons.addWidget(self.colorize_button)
        buttons.addWidget(self.cancel_button)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setTextVisible(True)
        self.progress.setFormat("")
        self.status = QLabel("")
        self.status.setWordWrap(True)
        v.addWidget(QLabel("Method / model:"))
        v.addWidget(self.picker)
        v.addWidget(self.summary)
        v.addLayout(buttons)
        v.addWidget(self.progress)
        v.addWidget(self.status)

        layout = QVBoxLayout(self)
        layout.addWidget(inputs)
        layout.addWidget(checks)
        layout.addWidget(run)
        layout.addStretch(1)

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

    # -- inputs and checks
    def show_inputs(self, gray_text: str, reference_text: str, checks: list[str]) -> None:
        self.gray_label.setText(gray_text)
        self.reference_label.setText(reference_text or "none (single gray photo)")
        if checks:
            items = "".join(f"<li>{_escape(m)}</li>" for m in checks)
            self.checks_label.setText(f"<ul style='margin-left:-20px'>{items}</ul>")
        else:
            self.checks_label.setText("No reference: the colours are invented from the gray alone."
                                      if not reference_text else "No problems found.")

    # -- running state
    def set_running(self, running: bool) -> None:
        self.colorize_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        self.picker.setEnabled(not running)

    def set_progress(self, fraction: float, message: str) -> None:
        self.progress.setValue(int(round(100 * max(0.0, min(1.0, fraction)))))
        self.progress.setFormat(f"%p%  {message}")
        self.status.setText("")

    def set_status(self, text: str) -> None:
        self.status.setText(text)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
