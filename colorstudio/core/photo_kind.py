"""Whether a photo file is gray or colour (from a small decode, never a full one), and whether
it can be read at all: what :mod:`colorstudio.core.pairs` sorts files by."""
from __future__ import annotations

import os
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np
from PIL import Image

from colorstudio.core.gray_input import classify_gray_input
from colorstudio.core.imageio import image_size
from colorstudio.errors import ColorStudioError

GRAY, COLOUR = "gray", "colour"
_GRAY_MODES = ("1", "L", "LA", "I", "F", "I;16", "I;16B", "I;16L", "I;16N")
_THUMB = 256  # long side used to decide gray vs colour


# what files were found to be, by (path, modified and change time, size, inode): looking through a folder again (the
# queue replans when its output folder or Skip box changes) does not decode its PNGs again
_KNOWN: OrderedDict[tuple, str] = OrderedDict()
_KNOWN_MAX = 20000
_KNOWN_LOCK = threading.Lock()


def classify_file(path: str | os.PathLike) -> str:
    """'gray' or 'colour' from a small decode (JPEG draft / thumbnail; a PNG or a TIFF decoded
    whole), remembered for a file unchanged since. An RGB file that is gray to the eye (a faint
    cast, one tint all over) counts as gray.

    Raises an :class:`~colorstudio.errors.InputFileError` subclass (or OSError) if the
    file cannot be read.
    """
    path = Path(path)
    image_size(path)  # existence, header, pixel-count guard, with one-line messages
    st = path.stat()
    # the change time too: `cp -p` over a file of the same size keeps its modified time, not that
    key = (str(path.resolve()), st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino)
    with _KNOWN_LOCK:
        if key in _KNOWN:
            _KNOWN.move_to_end(key)
            return _KNOWN[key]
    kind = _look(path)
    with _KNOWN_LOCK:
        _KNOWN[key] = kind
        if len(_KNOWN) > _KNOWN_MAX:
            _KNOWN.popitem(last=False)
    return kind


def _look(path: Path) -> str:
    with Image.open(path) as im:
        if im.mode in _GRAY_MODES:
            return GRAY
        if im.mode == "P":
            im = im.convert("RGB")
        im.draft("RGB", (_THUMB * 2, _THUMB * 2))  # JPEG: decode at 1/2..1/8 scale
        im.thumbnail((_THUMB, _THUMB))
        arr = np.asarray(im.convert("RGB"))
    return COLOUR if classify_gray_input(arr).kind == "colour" else GRAY


def classify_reason(path: Path) -> tuple[str | None, str | None]:
    """(:func:`classify_file`'s answer, None), or (None, why the file cannot be read)."""
    try:
        return classify_file(path), None
    except ColorStudioError as e:
        return None, str(e)
    except Exception as e:  # any decoder failure is a bad file, not a crash
        return None, f"{path.name}: cannot be read ({type(e).__name__}: {e})"


def check_readable(path: Path) -> str | None:
    """None if the file's header reads as an image ColorStudio takes, else why not (one line)."""
    try:
        image_size(path)
    except ColorStudioError as e:
        return str(e)
    except Exception as e:
        return f"{path.name}: cannot be read ({type(e).__name__}: {e})"
    return None
