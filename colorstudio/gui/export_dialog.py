"""Export options: where, which format, 8 or 16 bit, JPEG quality, and the diagnostics too."""
from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout,
                               QHBoxLayout, QLabel, QLineEdit, QPushButton, QSpinBox, QWidget)

from colorstudio.core.file_names import name_too_long
from colorstudio.core.imageio import READ_EXTENSIONS
from colorstudio.core.output_formats import EIGHT_BIT_ONLY, FORMAT_ALIASES, WRITE_EXTENSIONS

# what the engine writes (core.output_formats.WRITE_EXTENSIONS, one spelling each)
FORMATS = [(".png", "PNG (lossless, 8/16 bit)"), (".tif", "TIFF (lossless, 8/16 bit)"),
           (".jpg", "JPEG (8 bit)"), (".webp", "WebP (8 bit)"), (".bmp", "BMP (lossless, 8 bit)")]
SIXTEEN_BIT = tuple(ext for ext in WRITE_EXTENSIONS if ext not in EIGHT_BIT_ONLY)
# image formats the engine neither writes nor reads (those it reads count too), which a system's
# table of image types may not know
UNWRITABLE_IMAGES = {".jxl", ".jp2", ".psd", ".svg", ".ico", ".exr", ".hdr", ".raw"}


def _diagnostics_dir(result: Path) -> Path:
    """The diagnostics' folder beside a result written with them ('<name>_diagnostics')."""
    return result.with_name(result.stem + "_diagnostics")


def unwritable_image_extension(path: Path) -> str | None:
    """``path``'s extension if it names an image format the engine cannot write ('.gif',
    '.heic'), else None (a writable format, or dots of the name's own: 'photo.final')."""
    ext = path.suffix.lower()
    if not ext or ext in WRITE_EXTENSIONS:
        return None
    known = ext in READ_EXTENSIONS or ext in UNWRITABLE_IMAGES or \
        (mimetypes.guess_type("x" + ext)[0] or "").startswith("image/")
    return ext if known else None


def with_format(path: Path, fmt: str) -> Path:
    """``path`` as a file of format ``fmt``: an image extension it has is replaced, else ``fmt``
    is added, never put in place of what follows a dot of the name ('2021.06.14_colorized' is
    not '2021.06')."""
    return path.with_name((path.stem if path.suffix.lower() in WRITE_EXTENSIONS else path.name) + fmt)


@dataclass
class ExportOptions:
    path: Path
    bit_depth: int | None      # None = as the gray input
    jpeg_quality: int
    diagnostics_dir: Path | None


class ExportDialog(QDialog):
    def __init__(self, suggested: Path, fmt: str = ".png", bit_depth: int = 0, jpeg_quality: int = 95,
                 input_bit_depth: int = 8, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Export result")
        self.input_bit_depth = input_bit_depth
        self.suggested = suggested
        self.path_edit = QLineEdit(str(with_format(suggested, fmt)))
        self.path_edit.setAccessibleName("File")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        self.path_edit.editingFinished.connect(self._format_from_name)
        row.addWidget(browse)
        self.problem_label = QLabel("")            # why Save cannot write this name
        self.problem_label.setTextFormat(Qt.TextFormat.PlainText)
        self.problem_label.setStyleSheet("color: #ff8a80;")
        self.problem_label.setWordWrap(True)       # "… end the name with .png, .tif, .jpg, .w" was cut
        self.problem_label.setVisible(False)
        self.path_edit.textChanged.connect(self._clear_problem)
        self.format_box = QComboBox()
        for ext, label in FORMATS:
            self.format_box.addItem(label, ext)
        self.format_box.setCurrentIndex(max(0, self.format_box.findData(fmt)))
        self.format_box.currentIndexChanged.connect(self._format_changed)
        self.depth_box = QComboBox()
        self.depth_box.addItem(f"as the gray photo ({input_bit_depth} bit)", 0)
        self.depth_box.addItem("8 bit", 8)
        self.depth_box.addItem("16 bit", 16)
        self.depth_box.setCurrentIndex(max(0, self.depth_box.findData(bit_depth)))
        self.quality = QSpinBox()
        self.quality.setRange(1, 100)
        self.quality.setValue(jpeg_quality)
        self.diagnostics = QCheckBox("also write the diagnostics (PNG maps + JSON)")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("File:", row)
        form.addRow("", self.problem_label)
        form.addRow("Format:", self.format_box)
        form.addRow("Bit depth:", self.depth_box)
        form.addRow("JPEG/WebP quality:", self.quality)
        form.addRow("", self.diagnostics)
        form.addRow(buttons)
        self.setMinimumWidth(560)
        self._format_changed()

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export result", self.path_edit.text(),
                                              "Images (" + " ".join("*" + e for e in WRITE_EXTENSIONS) + ")")
        if path:
            self.path_edit.setText(path)
            self._format_from_name()

    def _format_from_name(self) -> None:
        """A file name typed or browsed with a format's extension chooses that format (its bit
        depth and quality boxes with it); an image format that cannot be written is said."""
        ext = Path(self.path_edit.text().strip()).suffix.lower()
        i = self.format_box.findData(FORMAT_ALIASES.get(ext, ext))
        if i >= 0 and i != self.format_box.currentIndex():
            self.format_box.setCurrentIndex(i)
        self._show_problem(self.problem())

    def problem(self) -> str:
        """Why Save cannot write the typed name, in one line ('' when it can)."""
        path = Path(self.path_edit.text().strip())
        if (too_long := name_too_long(path)) is not None:
            return too_long
        if self.diagnostics.isChecked() and (too_long := name_too_long(_diagnostics_dir(self._file_path()))):
            return f"{too_long} (the diagnostics' folder, named after the file: choose a shorter name)"
        ext = unwritable_image_extension(path)
        if ext is None:
            return ""
        choices = ", ".join(e for e, _ in FORMATS[:-1]) + " or " + FORMATS[-1][0]
        return f"{path.name}: {ext[1:].upper()} cannot be written; end the name with {choices}"

    def _clear_problem(self) -> None:
        self._show_problem("")

    def _show_problem(self, text: str) -> None:
        self.problem_label.setText(text)
        self.problem_label.setVisible(bool(text))

    def accept(self) -> None:
        """Save: refused, with the reason under the name, for a format that cannot be written."""
        self._format_from_name()
        if not self.problem():
            super().accept()

    def _file_path(self) -> Path:
        """The File field as a file: an empty field or a folder gets the suggested file name, a
        name without an image extension the chosen format's. A bare or relative name is in the
        suggested folder (not in whatever folder the app was started from)."""
        text = self.path_edit.text().strip()
        path = Path(text).expanduser() if text else self.suggested.parent
        if not path.is_absolute():
            path = self.suggested.parent / path
        if not text or not path.name or (name_too_long(path) is None and path.is_dir()):
            return path / with_format(self.suggested, self.format_box.currentData()).name
        if path.suffix.lower() not in WRITE_EXTENSIONS:
            path = with_format(path, self.format_box.currentData())
        return path

    def _format_changed(self) -> None:
        ext = self.format_box.currentData()
        path = self._file_path()
        if FORMAT_ALIASES.get(path.suffix.lower(), path.suffix.lower()) != ext:     # .tiff stays .tiff
            self.path_edit.setText(str(with_format(path, ext)))
        elif str(path) != self.path_edit.text():
            self.path_edit.setText(str(path))
        self.depth_box.setEnabled(ext in SIXTEEN_BIT)
        self.quality.setEnabled(ext in (".jpg", ".webp"))

    def options(self) -> ExportOptions:
        self._format_from_name()             # a name typed just before Save
        ext = self.format_box.currentData()
        path = self._file_path()
        depth = self.depth_box.currentData() if ext in SIXTEEN_BIT else None   # 8 bits: what the format holds
        diag = _diagnostics_dir(path) if self.diagnostics.isChecked() else None
        return ExportOptions(path, depth or None, int(self.quality.value()), diag)
