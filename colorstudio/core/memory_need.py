"""Whether this machine has the memory to colorize a photo, asked before the work.

A 150-megapixel gray (a medium-format monochrome back) needs about 7 GB: on a laptop with less
free, the system would kill the program part way, or swap for minutes. The need is measured,
not derived: the peak resident memory of ``colorstudio colorize`` (ensemble for a single gray,
ccdc for a pair with a 4x smaller colour shot, 8- and 16-bit output) at 24 and 96 megapixels,
session 28: 1.56 / 1.81 GB and 4.71 / 4.94 GB, i.e. 44 bytes per gray pixel over a 0.5-0.8 GB
base (Python, torch, the models). :func:`estimated_bytes` rounds both up.
"""
from __future__ import annotations

import os
from pathlib import Path

from colorstudio.errors import ImageTooLargeError

BASE_BYTES = 800_000_000          # the interpreter, torch and the models
BYTES_PER_GRAY_PIXEL = 48         # full-size gray, chroma, result and their temporaries
BYTES_PER_REFERENCE_PIXEL = 16    # the reference as floats (it is soon reduced to a working size)
MEMINFO = "/proc/meminfo"


def estimated_bytes(gray_pixels: int, reference_pixels: int = 0) -> int:
    """Peak memory to colorize a gray of ``gray_pixels`` (with a reference of
    ``reference_pixels``), from start to the written result."""
    return int(BASE_BYTES + BYTES_PER_GRAY_PIXEL * gray_pixels + BYTES_PER_REFERENCE_PIXEL * reference_pixels)


def available_bytes(meminfo: str | os.PathLike = MEMINFO) -> int | None:
    """Memory the system can give this program without killing it: free memory (Linux's
    MemAvailable) plus free swap; None where it cannot be read (other systems: not checked)."""
    try:
        fields = dict(line.split(":", 1) for line in Path(meminfo).read_text().splitlines() if ":" in line)
        kib = int(fields["MemAvailable"].split()[0]) + int(fields.get("SwapFree", "0 kB").split()[0])
    except (OSError, KeyError, ValueError, IndexError):
        return None
    return kib * 1024


def gigabytes(n: float) -> str:
    return f"{n / 1e9:.1f} GB"


def check_memory(name: str, gray_size: tuple[int, int], reference_size: tuple[int, int] | None = None,
                 available=None) -> None:
    """A one-line ImageTooLargeError when colorizing ``name`` (a gray of ``gray_size`` (w, h),
    with a reference of ``reference_size``) would need more memory than ``available()``
    (default :func:`available_bytes`)."""
    free = (available or available_bytes)()
    w, h = gray_size
    need = estimated_bytes(w * h, reference_size[0] * reference_size[1] if reference_size else 0)
    if free is not None and need > free:
        raise ImageTooLargeError(f"{name}: {w}x{h} needs about {gigabytes(need)} of memory to colorize and "
                                 f"{gigabytes(free)} is free; close other programs, or reduce the photo")
