"""Watches the user's models folder, so the picker follows a model added, renamed or deleted
there (by hand, by the CLI, by another window) at once. The model files are watched too: a
model copied from a slow disk appears in the folder before its header is written (the picker
leaves it out then) and is offered once its writes settle. The user folder above it is watched
as well: a models folder moved away (a file manager's "delete" to the Trash is a move) sends no
event of its own, and the watch stayed on the moved folder while the picker offered its models."""
from __future__ import annotations

import os

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

from colorstudio import paths
from colorstudio.engine.model_catalog import model_files


def _identity(folder) -> tuple[int, int] | None:
    """Which folder is at that path now (device, inode); None when there is none."""
    try:
        st = os.stat(folder)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


class ModelsFolderWatch(QObject):
    changed = Signal()          # once per burst of file events (a save makes several)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.watcher = QFileSystemWatcher(self)
        self._watched: tuple[int, int] | None = None      # the folder the watch is on
        self.settle = QTimer(self, singleShot=True, interval=300, timeout=self._settled)
        self.watcher.directoryChanged.connect(self.settle.start)
        self.watcher.fileChanged.connect(self.settle.start)
        self._watch_folder()
        self._watch_files()

    def _watch_folder(self) -> None:
        """The models folder at its path now (made again if it was deleted), and the folder above it."""
        folder = paths.user_models_dir()
        if str(folder.parent) not in self.watcher.directories():
            self.watcher.addPath(str(folder.parent))
        now, watched = _identity(folder), str(folder) in self.watcher.directories()
        if now != self._watched or not watched:  # moved away, or made anew (perhaps on the deleted
            if watched:                          # one's inode, whose watch Qt dropped): watch the new one
                self.watcher.removePath(str(folder))
            if now is not None:
                self.watcher.addPath(str(folder))
            self._watched = now

    def _watch_files(self) -> None:
        files = {str(p) for p in model_files(paths.user_models_dir())} - set(self.watcher.files())
        if files:
            self.watcher.addPaths(sorted(files))

    def _settled(self) -> None:
        self._watch_folder()
        self._watch_files()                      # (a removed file leaves the watch by itself)
        self.changed.emit()
