"""One fine-tune at a time in a run folder. Two runs given the same ``-o`` (or ``--resume`` of
one folder) both trained into one checkpoint and both said they wrote the model, one of the two
lost; the second is now refused at once. The lock is the system's own on a file in the run
folder (``flock``; on Windows ``msvcrt.locking``): it ends with the process that holds it, also
when it is killed or the machine loses power, so no stale lock is ever waited for. The file
holds the process's id, for the message only."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from colorstudio.errors import ColorStudioError

LOCK_NAME = ".running"


def _try_lock(fd: int) -> bool:
    try:
        if sys.platform == "win32":
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _holder_said(path: Path) -> str:
    try:
        pid = path.read_text(encoding="ascii").strip()
    except OSError:
        pid = ""
    return f"process {pid}" if pid.isdigit() else "another process"


class RunFolderLock:
    """Held from :meth:`claim` to :meth:`release` (the run folder is made if needed)."""

    def __init__(self, run_dir: str | Path):
        self.path = Path(run_dir) / LOCK_NAME
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def claim(self) -> "RunFolderLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(3):
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            if not _try_lock(fd):
                os.close(fd)
                raise ColorStudioError(f"another fine-tune ({_holder_said(self.path)}) is training in "
                                       f"{self.path.parent}: wait for it to end, or write to another -o")
            try:                              # the file a releasing run removed as we opened it: again
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except OSError:
                same = False
            if not same and sys.platform != "win32":
                os.close(fd)
                continue
            try:                              # the id, for another run's message only
                os.ftruncate(fd, 0)
                os.write(fd, str(os.getpid()).encode("ascii"))
            except OSError:
                pass
            self._fd = fd
            return self
        raise ColorStudioError(f"{self.path.parent}: its lock cannot be taken; try again")

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        if sys.platform != "win32":
            self.path.unlink(missing_ok=True)     # first: a run opening it now makes a new one
            os.close(fd)
        else:                                      # (Windows removes no file that is open)
            os.close(fd)
            try:
                self.path.unlink(missing_ok=True)
            except OSError:
                pass
