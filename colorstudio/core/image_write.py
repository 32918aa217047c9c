"""Writing photographs: atomically (a temporary file in the target folder, then a rename),
with the ICC profile of the pixels written (the result's space; a gray-only profile is not put
into a colour image, see :mod:`colorstudio.core.colour_management`), the gray input's EXIF
(orientation reset to 1; its colour-space tags made to agree with the file's space, see
:func:`~colorstudio.core.exif_colour_space.exif_for_space`; its pixel size the one written),
bit depth and print resolution (:mod:`colorstudio.core.print_resolution`). Replacing a file
keeps its permission bits; a path that is a symbolic link is written through to its target.
"""
from __future__ import annotations

import errno
import io
import os
import stat
import struct
import tempfile
import zlib
from pathlib import Path
from typing import BinaryIO, Callable

import cv2
import numpy as np
from PIL import Image

from colorstudio.core.colour_management import is_srgb, profile_colour_space, profile_for_pixels, to_srgb
from colorstudio.core.exif_carry import fits_jpeg, text_tags, with_written_size
from colorstudio.core.exif_colour_space import exif_for_space
from colorstudio.core.file_names import name_too_long
from colorstudio.core.imageio import Photo
from colorstudio.core.print_resolution import Dpi, png_phys_chunk
from colorstudio.core.unfinished_writes import PART_SUFFIX, part_prefix
from colorstudio.errors import DiskFullError, OutputError

WRITE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp", ".bmp")
EIGHT_BIT_ONLY = (".jpg", ".jpeg", ".webp", ".bmp")   # formats that hold 8 bits a channel at most
NO_ALPHA = (".jpg", ".jpeg", ".bmp")                  # formats with no transparency
FORMAT_ALIASES = {".tiff": ".tif", ".jpeg": ".jpg"}   # another spelling of a format's extension
FORMAT_NAMES = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".tif": "TIFF", ".tiff": "TIFF",
                ".webp": "WebP", ".bmp": "BMP"}
Writer = Callable[[BinaryIO], object]   # writes a whole file's content to an open binary file
# pixels a side the format (PNG: libpng, OpenCV's encoder, by default) can hold
MAX_SIDE = {".jpg": 65535, ".jpeg": 65535, ".webp": 16383, ".png": 1_000_000}
_UMASK = os.umask(0)
os.umask(_UMASK)


_BAND_VALUES = 1 << 20          # float values converted at a time (4 MB of temporaries)


def to_dtype(img: np.ndarray, bit_depth: int) -> np.ndarray:
    """Float [0,1] -> uint8/uint16 with rounding; integer input passes through. Converted in
    bands of rows: the float temporaries of a whole 96 MP result were 3 x 1.15 GB at once."""
    if img.dtype in (np.uint8, np.uint16):
        return img
    scale = np.float32(65535.0 if bit_depth == 16 else 255.0)
    img = np.asarray(img, np.float32)
    out = np.empty(img.shape, np.uint16 if bit_depth == 16 else np.uint8)
    row_values = max(1, int(np.prod(img.shape[1:], dtype=np.int64)))
    rows = max(1, _BAND_VALUES // row_values)
    for r in range(0, img.shape[0], rows):
        band = img[r:r + rows] * scale
        np.rint(band, out=band)
        np.clip(band, 0, scale, out=band)
        out[r:r + rows] = band
    return out


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


_PNG_IHDR_END = 8 + 8 + 13 + 4          # signature + the IHDR chunk


def _png_writer(png: np.ndarray, icc: bytes | None, exif: bytes | None, dpi: Dpi | None) -> Writer:
    """Writes an encoded PNG (a uint8 array) with pHYs/iCCP/eXIf chunks right after its IHDR,
    from the array itself: no copy of a 48 MP 16-bit PNG made while holding the interpreter."""
    extra = _png_chunk(b"pHYs", png_phys_chunk(dpi)) if dpi else b""
    if icc:
        extra += _png_chunk(b"iCCP", b"ICC Profile\x00\x00" + zlib.compress(icc))
    if exif:
        extra += _png_chunk(b"eXIf", exif[6:] if exif.startswith(b"Exif\x00\x00") else exif)
    view = memoryview(png).cast("B")

    def write(f: BinaryIO) -> None:
        f.write(view[:_PNG_IHDR_END])
        f.write(extra)
        f.write(view[_PNG_IHDR_END:])
    return write


def sixteen_to_eight(a: np.ndarray) -> np.ndarray:
    """uint16 -> uint8, rounded (x / 257 to the nearest level, as :func:`to_dtype` rounds; a shift
    by 8 bits cut up to a whole level off), in bands of rows as :func:`to_dtype` converts."""
    out = np.empty(a.shape, np.uint8)
    rows = max(1, _BAND_VALUES // max(1, int(np.prod(a.shape[1:], dtype=np.int64))))
    for r in range(0, a.shape[0], rows):
        out[r:r + rows] = (a[r:r + rows].astype(np.uint32) + 128) // 257
    return out


def _encode(pixels: np.ndarray, alpha: np.ndarray | None, ext: str, icc: bytes | None,
            exif: bytes | None, jpeg_quality: int, dpi: Dpi | None = None) -> Writer:
    """What writes the image file to an open binary file (:func:`atomic_write`). Large 16-bit
    TIFF and PNG results are written from their arrays, not first copied into bytes: a 48 MP
    16-bit TIFF copied in memory held the interpreter, and so the app's window, for 0.36 s."""
    sixteen = pixels.dtype == np.uint16
    if ext in EIGHT_BIT_ONLY and sixteen:
        pixels = sixteen_to_eight(pixels)
        alpha = None if alpha is None else sixteen_to_eight(alpha)
        sixteen = False
    if ext in NO_ALPHA:
        alpha = None
    if alpha is not None:
        alpha = alpha.astype(pixels.dtype)
    if sixteen and ext in (".tif", ".tiff"):
        import tifffile

        arr = pixels if alpha is None else np.dstack([pixels if pixels.ndim == 3 else pixels[..., None], alpha])
        extratags = [(34675, 7, len(icc), icc, True)] if icc else []
        extratags += [(tag, "s", 0, text, True) for tag, text in text_tags(exif)]   # no Exif sub-IFD here
        photometric = "minisblack" if arr.ndim == 2 else "rgb"
        resolution = {"resolution": dpi, "resolutionunit": "INCH"} if dpi else {}
        return lambda f: tifffile.imwrite(f, np.ascontiguousarray(arr), photometric=photometric,
                                          extratags=extratags, metadata=None, software=False,
                                          extrasamples=[2] if alpha is not None else None, **resolution)
    if ext == ".png":  # OpenCV for 8 and 16 bit (12 MP RGB: 0.7 s vs Pillow's 4.1 s, 4% larger),
        arr = pixels if pixels.ndim == 2 else pixels[..., ::-1]   # metadata chunks added by hand
        if alpha is not None:
            arr = np.dstack([arr if arr.ndim == 3 else np.dstack([arr] * 3), alpha])
        ok, enc = cv2.imencode(".png", np.ascontiguousarray(arr))
        if not ok:
            raise OutputError(f"could not encode the {16 if sixteen else 8}-bit PNG")
        return _png_writer(enc, icc, exif, dpi)
    mode = "L" if pixels.ndim == 2 else "RGB"
    im = Image.fromarray(pixels, mode)
    if alpha is not None:
        im.putalpha(Image.fromarray(alpha, "L"))
    kwargs: dict = {}
    if icc:
        kwargs["icc_profile"] = icc
    if exif and ext in (".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff"):
        kwargs["exif"] = exif
    fmt = FORMAT_NAMES[ext].upper()       # Pillow's format names
    if dpi and fmt in ("JPEG", "TIFF", "BMP"):   # Pillow's WebP writer has no print resolution
        kwargs["dpi"] = dpi
    if fmt in ("JPEG", "WEBP"):
        kwargs["quality"] = int(jpeg_quality)
    if fmt == "WEBP" and jpeg_quality >= 100:
        kwargs["lossless"] = True  # quality 100 means lossless WebP
    buf = io.BytesIO()
    im.save(buf, fmt, **kwargs)
    data = buf.getvalue()
    return lambda f: f.write(data)


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (temp file in the same folder + rename)."""
    atomic_write(path, lambda f: f.write(data))


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically: a model card or a results file is never
    left half-written by a full disk or an interrupted run."""
    atomic_write_bytes(path, text.encode("utf-8"))


def check_output_path(path: str | os.PathLike, bit_depth: int | None = None) -> Path:
    """Refuse, before any work is done for it, an output that cannot be written: a name too long,
    an unknown format, a 16-bit depth asked of an 8-bit format, an existing folder's name, a folder
    that does not exist or cannot be written to."""
    text, path = os.fspath(path), Path(path)
    if (too_long := name_too_long(path)) is not None:
        raise OutputError(too_long)
    ext = path.suffix.lower()
    if path.is_dir() or text.endswith(("/", os.sep)):
        what = "is a folder" if path.is_dir() else "names a folder"
        raise OutputError(f"{text if text.endswith(('/', os.sep)) else path.name or text}: {what}; "
                          f"give the result a file name (e.g. {path / 'result.png'})")
    if ext not in WRITE_EXTENSIONS:
        raise OutputError(_unknown_format(path))
    _check_bit_depth(path, bit_depth)
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


def refuse_read_only(path: Path) -> None:
    """A one-line OutputError when ``path`` is a file its owner made read-only for this user:
    the temp-file-and-rename write would replace it all the same (the folder allows it), where
    ``cp`` or an editor refuses."""
    if path.is_file() and not os.access(path, os.W_OK):
        raise OutputError(f"{path.name}: the file is read-only; choose another name, or make it writable first")


def _check_bit_depth(path: Path, bit_depth: int | None) -> None:
    """A one-line OutputError for a 16-bit depth asked of an 8-bit format."""
    ext = path.suffix.lower()
    if bit_depth == 16 and ext in EIGHT_BIT_ONLY:
        raise OutputError(f"{path.name}: {FORMAT_NAMES[ext]} holds 8 bits a channel; "
                          "for 16 bits write .png or .tif")


QUALITY_RANGE = (1, 100)      # JPEG/WebP quality as the CLI and the app take it (Pillow's scale is 0-100)


def _check_quality(jpeg_quality) -> None:
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


def _unknown_format(path: Path) -> str:
    if not path.suffix:
        return f"{path.name}: the output name has no format extension; add one, e.g. {path.name}.png"
    return f"{path.name}: unknown output format '{path.suffix.lower()}' (use one of {', '.join(WRITE_EXTENSIONS)})"


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


def output_notes(path: str | os.PathLike, like: Photo | None, bit_depth: int | None = None) -> list[str]:
    """What writing ``like``'s result to ``path`` leaves out, in words for the user (the same
    rules as :func:`save_photo`): a 16-bit gray's depth in an 8-bit format, its transparency in
    a format without, EXIF larger than a JPEG holds. Empty when nothing is lost."""
    ext = Path(path).suffix.lower()
    if like is None or ext not in WRITE_EXTENSIONS:
        return []
    name, notes = FORMAT_NAMES[ext], []
    if ext in EIGHT_BIT_ONLY and (bit_depth or like.bit_depth) == 16:     # not when 8 was asked for
        notes.append(f"written with 8 bits a channel, as {name} holds no more (.png or .tif keep the gray's 16)")
    if like.alpha is not None and ext in NO_ALPHA:
        notes.append(f"transparency left out: {name} has none (.png, .tif or .webp keep it)")
    if like.exif is not None and ext in (".jpg", ".jpeg") and not fits_jpeg(like.exif):
        notes.append("EXIF left out: it is larger than the 64 KB a JPEG holds (.png or .tif keep it)")
    return notes


def save_photo(path: str | os.PathLike, rgb: np.ndarray, *, like: Photo | None = None,
               bit_depth: int | None = None, jpeg_quality: int = 95,
               alpha: np.ndarray | None = None, exclusive: bool = False) -> Path:
    """Write an RGB (or gray) image atomically (``exclusive``: see :func:`atomic_write`).

    ``rgb`` is float32 in [0, 1] or uint8/uint16. ``like`` (usually the gray input)
    gives the defaults for bit depth, alpha, ICC profile and EXIF.
    """
    path = Path(path)
    ext = path.suffix.lower()
    if ext not in WRITE_EXTENSIONS:
        raise OutputError(_unknown_format(path))
    _check_bit_depth(path, bit_depth)
    _check_quality(jpeg_quality)
    check_output_size(path, rgb.shape[1], rgb.shape[0])
    if bit_depth is None:        # the gray's, where the format holds it (a 16-bit gray's JPEG: rounded to 8)
        bit_depth = 8 if ext in EIGHT_BIT_ONLY or like is None else like.bit_depth
    pixels = to_dtype(rgb, bit_depth)
    if pixels.dtype == np.uint8 and bit_depth == 16:
        pixels = pixels.astype(np.uint16) * 257
    if alpha is None and like is not None:
        alpha = like.alpha
    if alpha is not None:
        alpha = alpha.astype(np.uint16) * 257 if (pixels.dtype == np.uint16 and alpha.dtype == np.uint8) \
            else sixteen_to_eight(alpha) if (pixels.dtype == np.uint8 and alpha.dtype == np.uint16) else alpha
    icc = profile_for_pixels(like.icc_profile, 1 if pixels.ndim == 2 else 3) if like is not None else None
    if ext == ".bmp" and icc is not None:      # BMP carries no profile: sRGB numbers, read as such
        pixels = to_srgb(pixels if pixels.dtype == np.uint8 else sixteen_to_eight(pixels), icc)
        icc = None
    exif = like.exif if like is not None else None
    if icc is None or profile_colour_space(icc) == "RGB":     # the EXIF's colour claim as the file's
        exif = exif_for_space(exif, srgb=is_srgb(icc))
    dpi = like.dpi if like is not None else None
    exif = with_written_size(exif, pixels.shape[1], pixels.shape[0], dpi)
    if exif is not None and ext in (".jpg", ".jpeg") and not fits_jpeg(exif):
        exif = None                                  # more than a JPEG's one EXIF segment holds
    atomic_write(path, _encode(pixels, alpha, ext, icc, exif, jpeg_quality, dpi), exclusive)
    return path


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
