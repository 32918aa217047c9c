"""The files a batch or a drop looks at in a folder: visible ones (no dot-file or dot-folder),
below linked folders too (each real folder once: a link loop ends), without a batch's own
output folder when it lies inside the input."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable


def _is_hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


# a drive's own folder no user reads (ext4's lost+found): not worth a word when it cannot be listed
SYSTEM_FOLDERS = frozenset({"lost+found"})


def _below(folder: Path, unreadable: list[tuple[Path, str]]) -> Iterable[Path]:
    """Every path below ``folder``, through linked folders too (a ``color/`` linked from
    elsewhere is a colour folder), each real folder once (a link loop ends), hidden folders
    (.Trashes, .Spotlight-V100) not entered; a folder that cannot be listed goes to
    ``unreadable`` with the system's reason."""
    def refused(e: OSError) -> None:
        where = Path(e.filename or folder)
        if where.name not in SYSTEM_FOLDERS:
            unreadable.append((where, e.strerror or str(e)))

    seen: set[Path] = set()
    for root, dirs, names in os.walk(folder, onerror=refused, followlinks=True):
        real = Path(root).resolve()
        if real in seen:
            dirs[:] = []
            continue
        seen.add(real)
        dirs[:] = [d for d in dirs if not d.startswith(".")]     # their files are left out anyway
        yield from (Path(root) / n for n in names)


def _inside(path: Path, folder: Path, resolved: dict[Path, Path]) -> bool:
    """Whether ``path`` lies in ``folder`` (resolved): its own folder resolved once for all its
    files (``resolved`` keeps them), and the file itself only when it is a link (two resolves a
    file made planning a folder of 10 000 files 1 s slower)."""
    parent = resolved.get(path.parent)
    if parent is None:
        parent = resolved[path.parent] = path.parent.resolve()
    return parent.is_relative_to(folder) or (path.is_symlink() and path.resolve().is_relative_to(folder))


def visible_files(folder: Path, recursive: bool, exclude: Path | None = None,
                  unreadable: list[tuple[Path, str]] | None = None,
                  not_files: list[Path] | None = None) -> list[Path]:
    """The visible files of ``folder`` (and below), none inside ``exclude`` (a batch's output
    folder, an absolute resolved path). Folders that cannot be listed (no permission) are
    added to ``unreadable`` as (folder, reason), and what is neither a file nor a folder (a pipe,
    a device, a link to nothing) to ``not_files``, not passed over in silence."""
    unreadable = [] if unreadable is None else unreadable
    if recursive:
        found = _below(folder, unreadable)
    else:
        try:
            found = list(folder.iterdir())
        except OSError as e:
            unreadable.append((folder, e.strerror or str(e)))
            found = []
    found = [p for p in found if not _is_hidden(p, folder)]
    here = folder.resolve()
    if exclude is not None and exclude != here and exclude.is_relative_to(here):   # exclude: resolved
        # only an output folder strictly below the input is left out: one that is the input
        # folder itself or above it (`batch trip -o .`) would leave nothing to colorize
        parents: dict[Path, Path] = {}
        found = [p for p in found if not _inside(p, exclude, parents)]
    if not_files is not None:
        not_files += [p for p in found if not p.is_file() and not p.is_dir()]
    return sorted(p for p in found if p.is_file())
