"""Watches the user's models folder, so the picker follows a model added, renamed or deleted
there (by hand, by the CLI, by another window) at once."""
from __future__ import annotations

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

from colorstudio import paths


class ModelsFolderWatch(QObject):
    changed = Signal()          # once per burst of file events (a save makes several)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.watcher = QFileSystemWatcher([str(paths.user_models_dir())], self)
        self.settle = QTimer(self, singleShot=True, interval=300, timeout=self._settled)
        self.watcher.directoryChanged.connect(self.settle.start)

    def _settled(self) -> None:
        folder = str(paths.user_models_dir())    # made again if it was deleted: watched again
        if folder not in self.watcher.directories():
            self.watcher.addPath(folder)
        self.changed.emit()
