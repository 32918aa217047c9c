"""One fine-tune at a time in a run folder. Two runs given the same ``-o`` (or ``--resume`` of
one folder) both trained into one checkpoint and both said they wrote the model, one of the two
lost; the second is now refused at once. The lock is a file in the run folder holding the
process's id: one left by a process that is gone (killed, a power cut) is taken over."""
from __future__ import annotations

import os
from pathlib import Path

from colorstudio.errors import ColorStudioError

LOCK_NAME = ".running"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True                 # another user's process, or a system that cannot tell: held
    return True


def _holder(lock: Path) -> int | None:
    """The id of the process holding ``lock``, None when none that is alive does."""
    try:
        pid = int(lock.read_text(encoding="ascii").strip() or "0")
    except (OSError, ValueError):
        return None
    return pid if pid > 0 and pid != os.getpid() and _alive(pid) else None


class RunFolderLock:
    """Held from :meth:`claim` to :meth:`release` (the run folder is made if needed)."""

    def __init__(self, run_dir: str | Path):
        self.path = Path(run_dir) / LOCK_NAME
        self.held = False

    def claim(self) -> "RunFolderLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(2):           # a stale lock is taken over once
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                if (pid := _holder(self.path)) is not None:
                    raise ColorStudioError(f"another fine-tune (process {pid}) is training in {self.path.parent}: "
                                           "wait for it to end, or write to another -o") from None
                self.path.unlink(missing_ok=True)
                continue
            with os.fdopen(fd, "w", encoding="ascii") as f:
                f.write(str(os.getpid()))
            self.held = True
            return self
        raise ColorStudioError(f"{self.path.parent}: its lock cannot be taken; try again")

    def release(self) -> None:
        if self.held:
            self.held = False
            self.path.unlink(missing_ok=True)
