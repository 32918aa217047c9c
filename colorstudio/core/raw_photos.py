"""Camera RAW files (DNG, CR2/CR3, NEF, ARW, RAF, ORF, RW2, PEF, SRW) through LibRaw (rawpy).

A monochrome body (a Leica Monochrom, a Pentax K-3 Monochrome, an achromatic back) records
only RAW worth the name, and the colour camera beside it often RAW too. Each file is developed
the same plain way: the camera's white balance, LibRaw's AHD demosaicing (none for a sensor
without a colour filter array), sRGB primaries and tone curve, 16 bits per channel, the file's
rotation applied, no automatic brightening (the two shots keep their exposures; the methods
match tones themselves). A monochrome sensor gives a gray photo, and every result is sRGB (no
ICC profile). The capture metadata of TIFF-based RAW files (DNG, CR2, NEF, ARW, PEF, ...) is
carried to the result (:func:`raw_exif`: camera, date, exposure, lens, GPS; not the maker's
private notes); CR3 and RAF keep none.
"""
from __future__ import annotations

import os
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from colorstudio.core.size_limits import megapixels
from colorstudio.errors import ImageTooLargeError, TruncatedImageError, UnreadableImageError

RAW_EXTENSIONS = (".dng", ".cr2", ".cr3", ".nef", ".arw", ".raf", ".orf", ".rw2", ".pef", ".srw")
_TURNED = (5, 6, 7, 8)              # LibRaw flips that swap width and height
# IFD0 tags worth keeping: Make, Model, DateTime, Artist, Copyright (not the RAW's own layout tags)
_DESCRIPTIVE_TAGS = (0x010F, 0x0110, 0x0132, 0x013B, 0x8298)
_EXIF_IFD, _GPS_IFD, _MAKER_NOTE = 0x8769, 0x8825, 0x927C


def raw_supported() -> bool:
    try:
        import rawpy  # noqa: F401
    except ImportError:
        return False
    return True


def is_raw(path: Path) -> bool:
    return path.suffix.lower() in RAW_EXTENSIONS


@contextmanager
def _libraw_said():
    """LibRaw prints its complaints ("Unexpected end of file") on the C-level stderr, which
    would add a line to the app's one-line error: they are caught here, into the yielded list,
    and told in that line instead."""
    said: list[str] = []
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):   # no stderr (a windowed app): nothing to catch
        yield said
        return
    with tempfile.TemporaryFile() as caught:
        os.dup2(caught.fileno(), 2)
        try:
            yield said
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            caught.seek(0)
            said.extend(caught.read().decode("utf-8", "replace").splitlines())


def _replay(said: list[str]) -> None:
    """What was caught and is not told in an error goes to stderr after all (another thread
    of the app may have written it meanwhile)."""
    if said and sys.stderr is not None:
        sys.stderr.write("\n".join(said) + "\n")


def _why(error: Exception, said: list[str], path: Path) -> str:
    """LibRaw's own words about ``path`` if it printed any ("<path>: Unexpected end of file"),
    else the exception's (bytes decoded). Other caught lines are passed on to stderr."""
    prefix = f"{path}: "
    words = [line[len(prefix):].strip() for line in said if line.startswith(prefix)]
    _replay([line for line in said if not line.startswith(prefix)])
    if any(words):
        return next(w for w in words if w)
    text = error.args[0] if error.args else error
    return text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)


def _end(failure: Exception | None, said: list[str], path: Path) -> None:
    """After a LibRaw call: its failure as the one-line error, else what was caught replayed."""
    if failure is not None:                 # said only now: LibRaw's words are in once its block ends
        raise TruncatedImageError(f"{path.name}: the RAW file is truncated or damaged "
                                  f"({_why(failure, said, path)})") from None
    _replay(said)


def _open(path: Path, max_pixels: int):
    import rawpy

    failure = None
    with _libraw_said() as said:
        try:
            raw = rawpy.imread(str(path))
        except (rawpy.LibRawFileUnsupportedError, rawpy.LibRawIOError):
            raise UnreadableImageError(f"{path.name}: not a RAW file LibRaw can read") from None
        except (rawpy.LibRawError, OSError) as e:
            failure = e
    _end(failure, said, path)
    s = raw.sizes
    if s.width * s.height > max_pixels:
        raw.close()
        raise ImageTooLargeError(f"{path.name}: {s.width}x{s.height} is {megapixels(s.width * s.height)} "
                                 f"megapixels, above the limit of {megapixels(max_pixels)} MP "
                                 f"(set COLORSTUDIO_MAX_PIXELS to raise it)")
    return raw


def raw_size(path: Path, max_pixels: int) -> tuple[int, int]:
    """(width, height) of the developed photo, without developing it."""
    with _open(path, max_pixels) as raw:
        s = raw.sizes
        return (s.height, s.width) if s.flip in _TURNED else (s.width, s.height)


def develop_raw(path: Path, max_pixels: int) -> np.ndarray:
    """The developed pixels: (H, W) uint16 for a monochrome sensor, else (H, W, 3) uint16 sRGB."""
    import rawpy

    rgb, failure = None, None
    with _open(path, max_pixels) as raw, _libraw_said() as said:
        try:
            rgb = raw.postprocess(output_bps=16, use_camera_wb=True, no_auto_bright=True,
                                  output_color=rawpy.ColorSpace.sRGB, gamma=(2.4, 12.92))
        except (rawpy.LibRawError, MemoryError) as e:
            failure = e
    _end(failure, said, path)
    return np.ascontiguousarray(rgb[..., 0] if rgb.shape[2] == 1 else rgb)


def raw_exif(path: Path) -> bytes | None:
    """The capture metadata of a TIFF-based RAW file as EXIF bytes for the result, or None where
    there is none or it cannot be read. The file is a TIFF, which is what EXIF data is, so
    Pillow's EXIF reader parses it whole (Pillow cannot open most RAW files as images)."""
    from PIL import Image

    try:
        src = Image.Exif()
        src.load(path.read_bytes())
        out = Image.Exif()
        for tag in _DESCRIPTIVE_TAGS:
            if tag in src:
                out[tag] = src[tag]
        for ifd in (_EXIF_IFD, _GPS_IFD):
            entries = {k: v for k, v in src.get_ifd(ifd).items() if k != _MAKER_NOTE}
            if entries:
                out.get_ifd(ifd).update(entries)
        return out.tobytes() if len(out) or out.get_ifd(_EXIF_IFD) or out.get_ifd(_GPS_IFD) else None
    except Exception:       # not TIFF-based (CR3, RAF) or unusual: the result has no EXIF
        return None
