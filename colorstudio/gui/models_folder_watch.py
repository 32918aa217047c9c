"""Watches the user's models folder, so the picker follows a model added, renamed or deleted
there (by hand, by the CLI, by another window) at once. The model files are watched too: a
model copied from a slow disk appears in the folder before its header is written (the picker
leaves it out then) and is offered once its writes settle."""
from __future__ import annotations

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

from colorstudio import paths
from colorstudio.engine.model_catalog import model_files


class ModelsFolderWatch(QObject):
    changed = Signal()          # once per burst of file events (a save makes several)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.watcher = QFileSystemWatcher([str(paths.user_models_dir())], self)
        self.settle = QTimer(self, singleShot=True, interval=300, timeout=self._settled)
        self.watcher.directoryChanged.connect(self.settle.start)
        self.watcher.fileChanged.connect(self.settle.start)
        self._watch_files()

    def _watch_files(self) -> None:
        files = {str(p) for p in model_files(paths.user_models_dir())} - set(self.watcher.files())
        if files:
            self.watcher.addPaths(sorted(files))

    def _settled(self) -> None:
        folder = str(paths.user_models_dir())    # made again if it was deleted: watched again
        if folder not in self.watcher.directories():
            self.watcher.addPath(folder)
        self._watch_files()                      # (a removed file leaves the watch by itself)
        self.changed.emit()
