"""Refusing, before any work is done for it, an output that cannot be written, with a one-line
:class:`~colorstudio.errors.OutputError`: a name too long, an unknown format, a 16-bit depth
asked of an 8-bit format, a JPEG/WebP quality out of range, a picture larger than its format
holds, a folder that does not exist or cannot be written to, a read-only file
(:func:`check_output_path`, :func:`check_output_size`).
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

from colorstudio.core.atomic_files import refuse_read_only
from colorstudio.core.file_names import name_too_long
from colorstudio.core.output_formats import EIGHT_BIT_ONLY, FORMAT_NAMES, MAX_SIDE, WRITE_EXTENSIONS
from colorstudio.errors import OutputError


def check_output_path(path: str | os.PathLike, bit_depth: int | None = None) -> Path:
    """Refuse, before any work is done for it, an output that cannot be written: a name too long,
    an unknown format, a 16-bit depth asked of an 8-bit format, an existing folder's name, a folder
    that does not exist or cannot be written to."""
    text, path = os.fspath(path), Path(path)
    if (too_long := name_too_long(path)) is not None:
        raise OutputError(too_long)
    if path.is_dir() or text.endswith(("/", os.sep)):
        what = "is a folder" if path.is_dir() else "names a folder"
        raise OutputError(f"{text if text.endswith(('/', os.sep)) else path.name or text}: {what}; "
                          f"give the result a file name (e.g. {path / 'result.png'})")
    check_format(path)
    check_bit_depth(path, bit_depth)
    check_writable_folder(path.parent if str(path.parent) else Path("."), f"{path.name}: ")
    refuse_read_only(path)
    return path


def check_output_size(path: Path, width: int, height: int) -> None:
    """A one-line OutputError when ``path``'s format cannot hold a picture this size (a WebP
    holds at most 16383 px a side): said before the work too, as the result's size is the gray's."""
    ext = Path(path).suffix.lower()
    side_limit = MAX_SIDE.get(ext)
    if side_limit is not None and max(width, height) > side_limit:
        raise OutputError(f"{Path(path).name}: {ext[1:].upper()} holds at most {side_limit} px a side and "
                          f"this result is {width}x{height}; choose {'.tif' if ext == '.png' else '.png or .tif'}")


def check_bit_depth(path: Path, bit_depth: int | None) -> None:
    """A one-line OutputError for a 16-bit depth asked of an 8-bit format."""
    ext = path.suffix.lower()
    if bit_depth == 16 and ext in EIGHT_BIT_ONLY:
        raise OutputError(f"{path.name}: {FORMAT_NAMES[ext]} holds 8 bits a channel; "
                          "for 16 bits write .png or .tif")


QUALITY_RANGE = (1, 100)      # JPEG/WebP quality as the CLI and the app take it (Pillow's scale is 0-100)


def check_quality(jpeg_quality) -> None:
    """A one-line OutputError for a quality that is not a whole number in :data:`QUALITY_RANGE`
    (Pillow would take 500 silently, clipped, and 0 gives a picture of blocks)."""
    low, high = QUALITY_RANGE
    if isinstance(jpeg_quality, bool) or not isinstance(jpeg_quality, (int, np.integer)) \
            or not low <= jpeg_quality <= high:
        raise OutputError(f"JPEG/WebP quality {jpeg_quality!r} is not a whole number from {low} to {high}")


def check_writable_folder(folder: Path, prefix: str = "") -> None:
    """A one-line OutputError (starting with ``prefix``) unless ``folder`` exists and a file
    can be made in it."""
    if not folder.is_dir():
        raise OutputError(f"{prefix}the output folder {folder} "
                          + ("is a file, not a folder" if folder.exists() else "does not exist"))
    try:
        tempfile.TemporaryFile(dir=folder).close()
    except OSError as e:
        raise OutputError(f"{prefix}cannot write to the output folder {folder} ({e.strerror})") from None


def check_format(path: Path) -> None:
    """A one-line OutputError for an output name whose extension is no format written
    (:data:`WRITE_EXTENSIONS`)."""
    if path.suffix.lower() in WRITE_EXTENSIONS:
        return
    if not path.suffix:
        raise OutputError(f"{path.name}: the output name has no format extension; add one, e.g. {path.name}.png")
    raise OutputError(f"{path.name}: unknown output format '{path.suffix.lower()}' "
                      f"(use one of {', '.join(WRITE_EXTENSIONS)})")
