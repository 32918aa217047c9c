"""Help ▸ About: versions of ColorStudio and its libraries, the compute device, the folders used."""
from __future__ import annotations

import platform
from importlib import metadata

import cv2
import numpy as np
import pyqtgraph as pg
import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

import colorstudio
from colorstudio import paths
from colorstudio.gui.devices import DeviceInfo, detect_steps
from colorstudio.gui.workers import GeneratorWorker


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def versions() -> dict[str, str]:
    return {
        "ColorStudio": colorstudio.__version__,
        "Python": platform.python_version(),
        "Qt": qVersion(),
        "PySide6": PySide6.__version__,
        "pyqtgraph": pg.__version__,
        "NumPy": np.__version__,
        "OpenCV": cv2.__version__,
        "PyTorch": _version("torch"),
        "Platform": f"{platform.system()} {platform.release()} ({platform.machine()})",
    }


class AboutDialog(QDialog):
    def __init__(self, device_preference: str = "auto", parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("About ColorStudio")
        rows = "".join(f"<tr><td><b>{k}</b></td><td>&nbsp;{v}</td></tr>" for k, v in versions().items())
        self.text = QLabel(
            f"<h2>ColorStudio {colorstudio.__version__}</h2>"
            "<p>Colorizes gray photographs: mono+colour stereo pairs, cross-camera pairs "
            "and single gray photos. Everything runs on this computer.</p>"
            f"<table>{rows}</table>"
            f"<p><b>Models:</b> {paths.models_dir()}<br><b>Your data:</b> {paths.user_dir()}<br>"
            f"<b>Log file:</b> {paths.log_file()}</p>")
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setWordWrap(True)
        self.device = QLabel("Compute device: detecting…")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(self.device)
        layout.addWidget(buttons)
        self.worker = GeneratorWorker(detect_steps, device_preference).start_with(   # importing torch takes seconds
            finished=self._device_found, errored=lambda e: self.device.setText(f"Compute device: unknown ({e})"))

    def _device_found(self, info: DeviceInfo) -> None:
        # a CPU's message names it and its threads already ("CPU (2 threads) — … on the CPU (2 threads)")
        said = info.message if info.message and info.device == "cpu" else \
            f"{info.name} — {info.message}" if info.message else info.name
        self.device.setText(f"<b>Compute device:</b> {said}")

    def done(self, result: int) -> None:  # noqa: D401 - Qt API
        self.worker.stop(10000)
        super().done(result)
