"""An opened image file's pixel data as numpy arrays (:mod:`colorstudio.core.imageio` reads
files with these): OpenCV's decoder where it keeps what Pillow would lose (16-bit colour PNG,
TIFF), pillow-heif's 16-bit decoding of a 10- or 12-bit HEIF (Pillow's is 8-bit), Pillow's modes brought to gray/RGB uint8/uint16 with alpha apart, float pixels as 16-bit
counts (HDR ones with their brightest 0.1% white), signed integers with their lowest value black,
and an EXIF orientation applied."""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from colorstudio.core.png_chunks import pixel_chunks_only


def orient(arr: np.ndarray, orientation: int) -> np.ndarray:
    """Apply an EXIF orientation (1..8) to an (H, W[, C]) array."""
    ops = {
        2: lambda a: a[:, ::-1],
        3: lambda a: a[::-1, ::-1],
        4: lambda a: a[::-1],
        5: lambda a: np.swapaxes(a, 0, 1),
        6: lambda a: np.swapaxes(a, 0, 1)[:, ::-1],
        7: lambda a: np.swapaxes(a, 0, 1)[::-1, ::-1],
        8: lambda a: np.swapaxes(a, 0, 1)[::-1],
    }
    return np.ascontiguousarray(ops[orientation](arr)) if orientation in ops else arr


def decode_with_opencv(path: Path, orientation: int, only_16bit_colour: bool
                        ) -> tuple[np.ndarray, np.ndarray | None] | None:
    """Pixels decoded by OpenCV, then turned by ``orientation``.

    Used for 16-bit colour PNG (Pillow reduces it to 8 bit) and for every TIFF (Pillow's
    handling of the TIFF orientation tag is not consistent across modes; libtiff applies it).
    """
    data = pixel_chunks_only(np.fromfile(str(path), dtype=np.uint8))
    try:
        arr = cv2.imdecode(data, cv2.IMREAD_UNCHANGED)
    except cv2.error:       # a layout OpenCV refuses (very wide strips, a cut float TIFF): Pillow's turn
        return None
    if arr is None or arr.dtype not in (np.uint8, np.uint16):
        return None
    if only_16bit_colour and (arr.dtype != np.uint16 or arr.ndim != 3):
        return None
    alpha = None
    if arr.ndim == 3 and arr.shape[2] == 4:
        alpha = orient(np.ascontiguousarray(arr[..., 3]), orientation)
        arr = arr[..., :3]
    if arr.ndim == 3 and arr.shape[2] == 3:
        arr = arr[..., ::-1]
    elif arr.ndim == 3:
        return None
    return orient(np.ascontiguousarray(arr), orientation), alpha


def decode_heif_deep(path: Path) -> tuple[np.ndarray, np.ndarray | None] | None:
    """The pixels of a HEIF stored with more than 8 bits a channel (a phone's 10-bit HEIC) as
    16-bit counts (0..65535: its 1023 is white), alpha apart, with the file's own rotation
    applied as pillow-heif's Pillow plugin applies it; None when pillow-heif cannot give them."""
    try:
        import pillow_heif

        heif = pillow_heif.open_heif(path, convert_hdr_to_8bit=False)
        bits = int(heif.info.get("bit_depth", 8))
        arr = np.asarray(heif)
    except Exception:   # noqa: BLE001 - pillow-heif missing or the file refused: Pillow's 8 bits stand
        return None
    if arr.dtype != np.uint16 or not 8 < bits < 16 or arr.ndim not in (2, 3):
        return None
    top = (1 << bits) - 1      # pillow-heif puts the counts in the high bits: 1023 << 6
    arr = ((arr >> (16 - bits)).astype(np.uint32) * 65535 + top // 2) // top
    arr = arr.astype(np.uint16)
    if arr.ndim == 3 and arr.shape[2] == 4:
        return np.ascontiguousarray(arr[..., :3]), np.ascontiguousarray(arr[..., 3])
    if arr.ndim == 3 and arr.shape[2] != 3:
        return None
    return np.ascontiguousarray(arr), None


WHOLE_SHARE = 0.99    # of the float pixels above 1.0: this many whole numbers is a file converted from 8/16 bit
# a 99.9th percentile between 2 and this, not in whole numbers, is HDR (scene-linear highlights a
# few stops over white); above it, 8- or 16-bit counts resampled in float (0..255, 0..65535)
HDR_HIGHEST = 64.0
_RANGE_NOTES: ContextVar[list[str] | None] = ContextVar("range_notes", default=None)


@contextmanager
def range_notes():
    """Within: a list that gets a few words for each change of a file's range of values made
    while reading it — an HDR float image's white (:func:`float_to_16bit`), a signed image's
    black (:func:`pillow_to_arrays`) — for a note to the user (:func:`colorstudio.core.imageio.load_photo`)."""
    notes: list[str] = []
    token = _RANGE_NOTES.set(notes)
    try:
        yield notes
    finally:
        _RANGE_NOTES.reset(token)


def _note_range(words: str) -> None:
    if (notes := _RANGE_NOTES.get()) is not None:
        notes.append(words)


def _float_range(arr: np.ndarray) -> tuple[float, bool]:
    """(the factor from float pixels to 16-bit counts, whether it reads them as HDR). Float
    TIFFs hold 0..1 (highlights up to 2: clipped); files converted from 8 or 16 bit hold 0..255
    or 0..65535 (whole numbers, or any numbers when the 99.9th percentile is above
    :data:`HDR_HIGHEST`); any other with pixels above 2.0 is HDR (scene-linear: 0..4, 0..50): its
    99.9th percentile is made white, the brightest 0.1% clipped. Judged by the 99.9th
    percentile, so a few bright pixels do not change the scale of the whole photo."""
    sample = np.nan_to_num(arr[:: max(1, arr.shape[0] // 256), :: max(1, arr.shape[1] // 256)],
                           nan=0.0, posinf=0.0, neginf=0.0)
    high = float(np.percentile(sample, 99.9)) if sample.size else 0.0
    if high <= 2.0:                  # 0..1, some highlights a little above (an edited file): clipped
        return 65535.0, False
    above = sample[sample > 1.0]
    whole = above.size > 0 and float(np.mean(above == np.rint(above))) >= WHOLE_SHARE
    if (whole and high <= 65535.0) or high > HDR_HIGHEST:     # 8/16-bit counts, resampled ones too
        return (65535.0 / 255.0 if high <= 255.0 else 1.0), False
    return 65535.0 / high, True


def float_to_16bit(arr: np.ndarray) -> np.ndarray:
    """Float pixels as 16-bit counts (:func:`_float_range`); NaN is black, +inf white. An HDR
    image's white is said to :func:`range_notes`' list, if one is open."""
    scale, hdr = _float_range(arr)
    if hdr:
        _note_range(f"holds float pixels above 1.0 (HDR): scaled so the brightest 0.1% "
                    f"(from {65535.0 / scale:.3g} up) are white")
    out = np.nan_to_num(np.asarray(arr, np.float32), nan=0.0, posinf=65535.0 / scale, neginf=0.0) * scale
    return np.clip(np.rint(out), 0, 65535).astype(np.uint16)


def _tiff_samples(im: Image.Image) -> tuple[int, int]:
    """(bits, SampleFormat: 1 unsigned, TIFF's default, 2 signed) of a TIFF; (0, 1) for any other file."""
    tags = getattr(im, "tag_v2", None)
    if tags is None:
        return 0, 1
    first = lambda v, default: (v[0] if isinstance(v, tuple) and v else default if v is None else v)   # noqa: E731
    return first(tags.get(258), 0), first(tags.get(339), 1)


def _raised_to_black(arr: np.ndarray) -> np.ndarray:
    """Signed samples with their lowest value black (not every value below 0), said in a range note."""
    if arr.size and (low := int(arr.min())) < 0:
        arr = arr.astype(np.int64) - low
        _note_range(f"holds signed values down to {low}: raised so that {low} is black")
    return arr


def pillow_to_arrays(im: Image.Image) -> tuple[np.ndarray, np.ndarray | None, str | None]:
    mode = im.mode
    converted = None
    alpha = None
    if mode in ("I;16", "I;16B", "I;16L", "I;16N"):
        arr = np.asarray(im, dtype=np.uint16).copy()
        key = im.info.get("transparency")          # a 16-bit gray PNG's colour key (tRNS)
        if isinstance(key, int):
            alpha = np.where(arr == key, 0, 65535).astype(np.uint16)
        return arr, alpha, None
    if mode in ("I", "F"):
        arr = np.asarray(im)
        if arr.dtype.kind == "f":
            return float_to_16bit(arr), None, mode
        if arr.dtype == np.int32 and _tiff_samples(im) == (32, 1):  # Pillow's "I" is signed: the
            arr = arr.view(np.uint32)                               # brighter half came out negative
        else:
            arr = _raised_to_black(arr)          # signed samples (a TIFF's SampleFormat 2)
        if arr.size and (high := int(arr.max())) > 65535:     # 32-bit integer counts: brightest = white
            arr = arr.astype(np.float64) * (65535.0 / high)
        return np.clip(arr, 0, 65535).astype(np.uint16), None, mode
    if mode == "L" and _tiff_samples(im) == (8, 2):    # signed 8-bit: Pillow gives the bytes, -1 as 255
        return _raised_to_black(np.asarray(im).view(np.int8)).astype(np.uint8), None, None
    if mode == "P":
        converted = "palette"
        im = im.convert("RGBA" if "transparency" in im.info else "RGB")
    elif mode == "CMYK":
        converted = "CMYK"
        im = im.convert("RGB")
    elif mode in ("1",):
        converted = "1-bit"
        im = im.convert("L")
    elif mode == "PA":
        converted = "palette"
        im = im.convert("RGBA")
    elif mode in ("L", "RGB") and "transparency" in im.info:    # a colour key (PNG tRNS) is alpha
        im = im.convert("LA" if mode == "L" else "RGBA")
    if im.mode == "LA":
        alpha = np.asarray(im.getchannel("A")).copy()
        im = im.convert("L")
    elif im.mode not in ("L", "RGB", "RGBA"):
        converted = mode
        im = im.convert("RGB")
    if im.mode == "RGBA":
        alpha = np.asarray(im.getchannel("A")).copy()
        im = im.convert("RGB")
    return np.asarray(im).copy(), alpha, converted
