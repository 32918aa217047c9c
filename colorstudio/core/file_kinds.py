"""What an image file is, beyond what Pillow says: the format its first bytes announce (to call
a file Pillow cannot open "damaged" rather than "not an image"), and how many pictures it holds
(to say that only the first page or frame is used), which TIFF page is the picture (not a
thumbnail stored first), and how many bits a channel it stores (to say when fewer are read)."""
from __future__ import annotations

import warnings
from pathlib import Path

from PIL import Image

from colorstudio.core.png_chunks import png_chunk

_SIGNATURES = ((b"\x89PNG\r\n\x1a\n", "PNG"), (b"\xff\xd8\xff", "JPEG"), (b"II*\x00", "TIFF"),
               (b"MM\x00*", "TIFF"), (b"GIF8", "GIF"))


def format_by_signature(path: Path) -> str | None:
    """The format a file's first bytes announce (PNG, JPEG, TIFF, GIF, BMP, WebP), or None."""
    try:
        with open(path, "rb") as f:
            head = f.read(12)
    except OSError:
        return None
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WebP"
    if head[:2] == b"BM" and head[6:10] == b"\x00\x00\x00\x00":     # "BM", file size, 4 reserved zero bytes
        return "BMP"
    return next((name for magic, name in _SIGNATURES if head.startswith(magic)), None)


MAX_PAGES_LOOKED_AT = 64
NEW_SUBFILE_TYPE, BITS_PER_SAMPLE = 254, 258     # TIFF tags
REDUCED_IMAGE = 1          # TIFF NewSubfileType bit: a reduced-size copy (a thumbnail, a preview)


def _is_reduced_copy(im: Image.Image) -> bool:
    """Whether the TIFF page ``im`` is on is a reduced-size copy of another (a thumbnail)."""
    return bool(int(im.tag_v2.get(NEW_SUBFILE_TYPE, 0)) & REDUCED_IMAGE)


def picture_count(im: Image.Image) -> int:
    """How many pictures an opened file holds, the one read included (after decoding it): a GIF's
    or an animated WebP's frames, a TIFF's pages that are not reduced-size copies of another
    (a thumbnail page is no second picture). A camera JPEG's MPF preview (Pillow's "MPO") is
    not counted either. 1 when it cannot tell: a broken page list is no reason to refuse the
    picture already read."""
    if im.format == "MPO":
        return 1
    try:
        with warnings.catch_warnings():        # "Corrupt EXIF data" of a broken next page
            warnings.simplefilter("ignore")
            return _pictures(im)
    except Exception:  # noqa: BLE001 - Pillow raises TypeError, KeyError, ... on broken page lists
        return 1


def _pictures(im: Image.Image) -> int:
    n = int(getattr(im, "n_frames", 1))
    if im.format != "TIFF" or n <= 1:
        return max(1, n)
    pages = 0
    for i in range(min(n, MAX_PAGES_LOOKED_AT)):
        im.seek(i)
        pages += not _is_reduced_copy(im)
    return max(1, pages)


def full_picture_page(im: Image.Image) -> int:
    """The page of an opened TIFF that holds the picture: the first that is not a reduced-size
    copy (some scanners and older apps store the thumbnail first); ``im`` is left on it. 0 for
    any other format, or when it cannot tell (a broken page list)."""
    if im.format != "TIFF":
        return 0
    page = 0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for i in range(min(int(im.n_frames), MAX_PAGES_LOOKED_AT)):
                im.seek(i)
                if not _is_reduced_copy(im):
                    page = i
                    break
    except Exception:  # noqa: BLE001 - Pillow raises TypeError, KeyError, ... on broken page lists
        page = 0
    if im.tell() != page:
        im.seek(page)
    return page


def stored_bits(im: Image.Image, path: Path) -> int:
    """Bits a channel the opened file stores its pixels with (8 when it cannot tell): a TIFF's
    BitsPerSample (of the page ``im`` is on), a HEIF's bit depth (10 for a phone's HDR shot),
    a PNG's header."""
    try:
        if im.format == "TIFF":
            bits = im.tag_v2.get(BITS_PER_SAMPLE, 8)
            return int(max(bits) if isinstance(bits, tuple) else bits)
        if im.format == "HEIF":
            return int(im.info.get("bit_depth", 8))
        if im.format == "PNG" and (header := png_chunk(path, b"IHDR", before_image_data=True)):
            return header[8] if len(header) == 13 else 8
    except (TypeError, ValueError):
        pass
    return 8
