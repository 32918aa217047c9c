"""Whether this machine has the memory to colorize a photo, asked before the work.

A 150-megapixel gray (a medium-format monochrome back) needs about 5.5 GB: on a laptop with less
free, the system would kill the program part way. The need is measured, not derived: the peak
resident memory of ``colorstudio colorize`` at 24 and 96 megapixels, session 28 (ensemble for a
single gray, ccdc for a pair with a 4x smaller colour shot; 8-bit PNG and 16-bit TIFF out):
1.19-1.39 GB and 3.10-3.36 GB, 26-30 bytes per gray pixel over a 0.5-0.8 GB base (Python,
torch, the models); ``neutral`` (no torch) 0.72 GB at 24 MP, 2.99 GB at 96 MP (16-bit TIFF).
:func:`estimated_bytes` rounds them up. (Until the conversion of the result to 8 or 16 bits
went by bands of rows: 44 bytes per pixel, 4.71-4.94 GB at 96 MP.) What the process holds already
(the decoded photo, torch and models loaded earlier, as in the app) counts as part of the need,
but not the photo's own part: that is needed anew.
"""
from __future__ import annotations

import os
from pathlib import Path

from colorstudio.errors import ImageTooLargeError

BASE_BYTES = {True: 700_000_000, False: 150_000_000}   # learned method (torch + models) or not
BYTES_PER_GRAY_PIXEL = 32         # the photo, its float gray, chroma, the float result, the written one
# the reference as floats (soon reduced to a working size), and what its size costs the method (a
# same-size pair, session 43: ccdc peaked at 1.49-1.55 GB at 12 MP and 1.87-1.89 GB at 24 MP)
BYTES_PER_REFERENCE_PIXEL = 40
MEMINFO = "/proc/meminfo"
STATM = "/proc/self/statm"
CGROUP = "/sys/fs/cgroup"


def estimated_bytes(gray_pixels: int, reference_pixels: int = 0, learned: bool = True) -> int:
    """Peak resident memory of a whole colorization (start to written result) of a gray of
    ``gray_pixels``, with a reference of ``reference_pixels``, by a learned method or not."""
    return int(BASE_BYTES[bool(learned)] + BYTES_PER_GRAY_PIXEL * gray_pixels
               + BYTES_PER_REFERENCE_PIXEL * reference_pixels)


def _read_int(path: str | os.PathLike) -> int | None:
    try:
        return int(Path(path).read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def available_bytes(meminfo: str | os.PathLike = MEMINFO, cgroup: str | os.PathLike = CGROUP) -> int | None:
    """Memory the system can give this program before it kills it: free memory (Linux's
    MemAvailable, which counts reclaimable cache) plus free swap, and no more than a container's
    (cgroup v2) limit leaves; None where it cannot be read (other systems: not checked)."""
    try:
        fields = dict(line.split(":", 1) for line in Path(meminfo).read_text().splitlines() if ":" in line)
        kib = int(fields["MemAvailable"].split()[0]) + int(fields.get("SwapFree", "0 kB").split()[0])
    except (OSError, KeyError, ValueError, IndexError):
        return None
    free = kib * 1024
    limit, used = _read_int(Path(cgroup) / "memory.max"), _read_int(Path(cgroup) / "memory.current")
    if limit is not None and used is not None:          # "max" (no limit) does not parse: None
        free = min(free, max(0, limit - used))
    return free


def resident_bytes(statm: str | os.PathLike = STATM) -> int:
    """What this process holds in memory now (0 where it cannot be read)."""
    try:
        return int(Path(statm).read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, AttributeError):
        return 0


def _gb(n: float, digits: int = 1) -> str:
    return f"{n / 1e9:.{digits}f} GB"


def check_memory(name: str, gray_size: tuple[int, int], reference_size: tuple[int, int] | None = None,
                 learned: bool = True, available=None, resident=None) -> None:
    """A one-line ImageTooLargeError when colorizing ``name`` (a gray of ``gray_size`` (w, h),
    with a reference of ``reference_size``) would need more memory than is free: the
    :func:`estimated_bytes` less what the process holds already (``resident()``, default
    :func:`resident_bytes`) against ``available()`` (default :func:`available_bytes`)."""
    free = (available or available_bytes)()
    if free is None:
        return
    w, h = gray_size
    total = estimated_bytes(w * h, reference_size[0] * reference_size[1] if reference_size else 0, learned)
    # what the process holds counts, but the photo's own part is needed anew whatever it holds (a
    # batch held 0.8-1.27 GB between 12 MP pairs, and each grew it by 0.5-0.9 GB)
    need = max(total - (resident or resident_bytes)(), total - BASE_BYTES[bool(learned)])
    if need > free:
        digits = 1 if round(need / 1e8) != round(free / 1e8) else 2     # never "0.8 GB ... 0.8 GB"
        raise ImageTooLargeError(f"{name}: {w}x{h} needs about {_gb(need, digits)} more memory to colorize "
                                 f"and {_gb(free, digits)} is free; close other programs, or reduce the photo")
