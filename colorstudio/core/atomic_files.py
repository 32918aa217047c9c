"""Writing files atomically: into a temporary file in the target folder, then renamed, so a
reader never sees a half-written file and a failure or Ctrl-C leaves none behind
(:func:`atomic_write`, :func:`atomic_write_bytes`, :func:`atomic_write_text`). Replacing a file
keeps its permission bits; a path that is a symbolic link is written through to its target; a
file made read-only is refused (:func:`refuse_read_only`); an exclusive write never replaces
what is there (:class:`NameTaken`). Also: a name nothing is at yet (:func:`free_path`), and
whether two paths name one file (:func:`same_file`).
"""
from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable

from colorstudio.core.unfinished_writes import PART_SUFFIX, part_prefix, remove_stale_parts_of
from colorstudio.errors import DiskFullError, OutputError

Writer = Callable[[BinaryIO], object]   # writes a whole file's content to an open binary file
_UMASK = os.umask(0)
os.umask(_UMASK)


class NameTaken(OutputError):
    """An exclusive write found its name taken meanwhile (another batch writing the same folder)."""


def _claim(tmp: str, path: Path) -> None:
    """``tmp`` becomes ``path`` only if nothing is there (NameTaken otherwise): a hard link,
    which fails on an existing name, else, where the file system has none, the name made
    exclusively first and then replaced."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise NameTaken(f"{path.name}: taken meanwhile") from None
    except OSError:                      # no hard links here (FAT, some network shares)
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        except FileExistsError:
            raise NameTaken(f"{path.name}: taken meanwhile") from None
        try:
            os.replace(tmp, path)
        except BaseException:        # a stop between the two: the empty name made here goes too
            os.unlink(path)
            raise
        return
    os.unlink(tmp)


def atomic_write(path: str | os.PathLike, write: Writer, exclusive: bool = False) -> None:
    """``write(f)`` into a temp file in ``path``'s folder, then renamed to ``path``: a reader
    never sees a half-written file, and a failure or Ctrl-C leaves none behind. ``exclusive``:
    never replace what is at ``path``, even what appeared there while writing (:class:`NameTaken`)."""
    path = _through_links(Path(path))
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"{path.name}: the output folder {folder} does not exist")
    refuse_read_only(path)
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode) & 0o777 if path.is_file() else 0o666 & ~_UMASK
    except OSError:
        mode = 0o666 & ~_UMASK
    remove_stale_parts_of(path)      # what writers of this name killed outright left (their room too)
    try:
        fd, tmp = tempfile.mkstemp(prefix=part_prefix(path.name), suffix=PART_SUFFIX, dir=folder)
    except PermissionError:
        raise OutputError(f"{path.name}: the output folder {folder} is not writable") from None
    except OSError as e:
        raise OutputError(f"{path.name}: cannot write to {folder} ({e.strerror})") from None
    try:
        os.close(fd)
        with open(tmp, "wb") as f:         # by its name: writers such as tifffile want one
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)   # mkstemp makes 0600: the replaced file's bits, else the usual ones
        if exclusive:
            _claim(tmp, path)
        else:
            os.replace(tmp, path)
    except BaseException as e:        # Ctrl-C or a full disk mid-write: no .part file left behind
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if not isinstance(e, OSError) or isinstance(e, NameTaken):
            raise
        why = e.strerror or str(e)
        if e.errno is None and " requested and " in why:     # numpy's short write (tifffile's TIFFs)
            why = f"only part of it could be written, {why} bytes: is the disk full?"
        full = e.errno in (errno.ENOSPC, errno.EDQUOT)
        raise (DiskFullError if full else OutputError)(f"{path.name}: cannot be written ({why})") from None


def _through_links(path: Path) -> Path:
    """The file a symbolic link (or a chain of them) points to, where the write goes so the link
    stays a link; ``path`` itself when it is none, or when the link points to no file (a write
    there would make a file wherever the link says, outside the folder the user chose: the link
    itself is replaced, as before)."""
    if not path.is_symlink() or not path.is_file():
        return path
    return Path(os.path.realpath(path))


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (temp file in the same folder + rename)."""
    atomic_write(path, lambda f: f.write(data))


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically: a model card or a results file is never
    left half-written by a full disk or an interrupted run."""
    atomic_write_bytes(path, text.encode("utf-8"))


def refuse_read_only(path: Path) -> None:
    """A one-line OutputError when ``path`` is a file its owner made read-only for this user:
    the temp-file-and-rename write would replace it all the same (the folder allows it), where
    ``cp`` or an editor refuses."""
    if path.is_file() and not os.access(path, os.W_OK):
        raise OutputError(f"{path.name}: the file is read-only; choose another name, or make it writable first")


def same_file(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    """Whether two paths name one file (spelled differently, a link, a hard link)."""
    a, b = Path(a), Path(b)
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except (OSError, RuntimeError):
        return False


def free_path(path: str | os.PathLike, folder: bool = False) -> Path:
    """``path`` if nothing is there yet, else ``stem-2.ext``, ``stem-3.ext``, ... (``folder``:
    ``name-2``, ``name-3``: a folder's name has no extension, whatever dots it holds)."""
    path = Path(path)
    taken = lambda p: p.exists() or p.is_symlink()     # noqa: E731 - a dangling link is something there too
    if not taken(path):
        return path
    n = 2
    while True:
        cand = path.with_name(f"{path.name}-{n}" if folder else f"{path.stem}-{n}{path.suffix}")
        if not taken(cand):
            return cand
        n += 1
