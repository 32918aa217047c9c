"""A bad-input corpus, generated on the fly: the files a photographer can throw at ColorStudio.

``write_corpus(folder)`` writes every file and returns the :class:`Case` list. A case is a gray
(and maybe a reference) with what must happen: ``"ok"`` (a correct result), ``"error"`` (a
one-line ColorStudioError) or ``"either"`` (one of the two — e.g. a truncated JPEG that Pillow may
still decode). Images are small (<= 96x128) so every case is cheap.
"""
from __future__ import annotations

import hashlib
import io
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

H, W = 64, 96          # the corpus' usual size (rows, columns)
PAIR_METHOD = "dis+gf"  # a cheap classic pair method for most cases
SINGLE_METHOD = "neutral"


@dataclass
class Case:
    name: str
    gray: Path
    reference: Path | None
    expect: str                     # "ok", "error" or "either"
    size_wh: tuple[int, int] | None = None   # the result's expected (width, height) when ok
    method: str | None = None       # None: the cheap default for the kind (PAIR_METHOD/SINGLE_METHOD)

    @property
    def cli_method(self) -> str:
        return self.method or (PAIR_METHOD if self.reference is not None else SINGLE_METHOD)


def scene(h: int = H, w: int = W, seed: int = 0) -> np.ndarray:
    """A colourful smooth scene with edges: RGB uint8 (h, w, 3)."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    img = np.stack([128 + 100 * np.sin(xx / 9 + seed), 128 + 100 * np.cos(yy / 7),
                    128 + 90 * np.sin((xx + yy) / 13)], axis=2)
    for _ in range(4):
        cy, cx, r = rng.integers(0, h), rng.integers(0, w), rng.integers(4, max(5, h // 3))
        img[(yy - cy) ** 2 + (xx - cx) ** 2 < r * r] = rng.integers(0, 255, 3)
    return np.clip(img, 0, 255).astype(np.uint8)


def gray_of(rgb: np.ndarray) -> np.ndarray:
    return np.rint(rgb @ np.array([0.299, 0.587, 0.114], np.float32)).astype(np.uint8)


def _png_bytes(arr: np.ndarray, mode: str | None = None) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(arr, mode).save(buf, "PNG")
    return buf.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def bomb_png(width: int = 30000, height: int = 30000) -> bytes:
    """A tiny PNG whose header claims ``width`` x ``height`` (a decompression bomb)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def hashes(folder: Path) -> dict[str, str]:
    """Content hash of every file under ``folder`` (relative name -> sha256)."""
    return {str(p.relative_to(folder)): sha256(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def write_corpus(folder: Path) -> list[Case]:
    """Write the corpus into ``folder`` and return its cases."""
    folder.mkdir(parents=True, exist_ok=True)
    rgb = scene()
    gray = gray_of(rgb)
    ref = scene(seed=0)[:, ::-1].copy()  # any colourful view of the same size
    f = folder

    def save(name: str, arr: np.ndarray, mode: str | None = None, **kw) -> Path:
        p = f / name
        Image.fromarray(arr, mode).save(p, **kw)
        return p

    good_gray = save("good_mono.png", gray)
    good_ref = save("good_color.png", ref)
    cases = [Case("good pair", good_gray, good_ref, "ok", (W, H)),
             Case("good single", good_gray, None, "ok", (W, H))]

    (f / "zero.png").write_bytes(b"")
    cases.append(Case("zero-byte gray", f / "zero.png", good_ref, "error"))
    cases.append(Case("zero-byte reference", good_gray, f / "zero.png", "error"))

    jpg = io.BytesIO()
    Image.fromarray(gray).save(jpg, "JPEG", quality=90)
    (f / "trunc.jpg").write_bytes(jpg.getvalue()[: len(jpg.getvalue()) // 2])
    png = _png_bytes(gray)
    (f / "trunc.png").write_bytes(png[: len(png) // 2])
    tif = io.BytesIO()
    Image.fromarray(ref).save(tif, "TIFF")
    (f / "trunc.tif").write_bytes(tif.getvalue()[: len(tif.getvalue()) // 2])
    cases += [Case("truncated JPEG gray", f / "trunc.jpg", None, "either", (W, H)),
              Case("truncated PNG gray", f / "trunc.png", good_ref, "error"),
              Case("truncated TIFF reference", good_gray, f / "trunc.tif", "either", (W, H))]
    try:                                            # the phones' HEIC (pillow-heif, a dependency)
        import pillow_heif  # noqa: F401  (registers the HEIF opener on import of imageio)
        import colorstudio.core.imageio  # noqa: F401

        heic = io.BytesIO()
        Image.fromarray(ref).save(heic, "HEIF", quality=90)
        (f / "phone.heic").write_bytes(heic.getvalue())
        (f / "trunc.heic").write_bytes(heic.getvalue()[: len(heic.getvalue()) // 2])
        cases += [Case("HEIC reference", good_gray, f / "phone.heic", "ok", (W, H)),
                  Case("truncated HEIC reference", good_gray, f / "trunc.heic", "error")]
    except ImportError:
        pass
    try:                                            # camera RAW (rawpy, a dependency)
        import rawpy  # noqa: F401

        from raw_files import bayer_dng

        dng = bayer_dng(f / "colour.dng", ref.astype(np.float64) * 12)   # 8-bit scene -> 12-bit sensor
        (f / "trunc.dng").write_bytes(dng.read_bytes()[: dng.stat().st_size // 3])
        (f / "text.nef").write_text("not a raw file")
        cases += [Case("DNG reference", good_gray, dng, "ok", (W, H)),
                  Case("truncated DNG reference", good_gray, f / "trunc.dng", "error"),
                  Case("text named .nef", f / "text.nef", None, "error")]
    except ImportError:
        pass

    (f / "really_png.jpg").write_bytes(png)
    cases.append(Case("PNG named .jpg", f / "really_png.jpg", good_ref, "ok", (W, H)))
    (f / "notes.png").write_text("this is a text file, not a photograph\n" * 20)
    cases.append(Case("text file as gray", f / "notes.png", good_ref, "error"))
    cases.append(Case("text file as reference", good_gray, f / "notes.png", "error"))
    (f / "notes.txt").write_text("hello")
    cases.append(Case("unknown extension", f / "notes.txt", None, "error"))

    save("one.png", np.zeros((1, 1), np.uint8))
    cases.append(Case("1x1 gray", f / "one.png", None, "error"))
    cases.append(Case("1x1 reference", good_gray, f / "one.png", "error"))
    save("strip.png", gray[:12, :])
    cases.append(Case("12-row strip gray (below 16 px)", f / "strip.png", good_ref, "error"))
    # the smallest accepted sizes, through every matcher (DIS and SGBM have their own minimums)
    save("tiny_mono.png", gray[:16, :16])
    save("tiny_color.png", np.ascontiguousarray(ref[:16, :16]))
    save("thin_mono.png", np.ascontiguousarray(np.tile(gray[:16], (1, 4))))
    save("thin_color.png", np.ascontiguousarray(np.tile(ref[:16], (1, 4, 1))))
    for method in ("ccdc", "sgbm+gf", "dis+gf", "cyclecnn"):
        cases.append(Case(f"16x16 pair ({method})", f / "tiny_mono.png", f / "tiny_color.png", "ok", (16, 16),
                          method=method))
    cases.append(Case("16-row panorama pair (ccdc)", f / "thin_mono.png", f / "thin_color.png", "ok",
                      (4 * W, 16), method="ccdc"))
    (f / "bomb.png").write_bytes(bomb_png())
    cases.append(Case("30000x30000 header (bomb) gray", f / "bomb.png", good_ref, "error"))
    cases.append(Case("30000x30000 header (bomb) reference", good_gray, f / "bomb.png", "error"))

    Image.fromarray(ref).convert("CMYK").save(f / "cmyk.jpg", "JPEG", quality=95)
    cases.append(Case("CMYK JPEG reference", good_gray, f / "cmyk.jpg", "ok", (W, H)))
    Image.fromarray(gray.astype(np.uint16) * 257).save(f / "gray16.png")
    cases.append(Case("16-bit gray", f / "gray16.png", good_ref, "ok", (W, H)))
    import cv2
    cv2.imwrite(str(f / "ref16.png"), (ref.astype(np.uint16) * 257)[..., ::-1])
    cases.append(Case("16-bit colour reference", good_gray, f / "ref16.png", "ok", (W, H)))
    Image.fromarray(ref).quantize(64).save(f / "palette.png")
    cases.append(Case("palette reference", good_gray, f / "palette.png", "ok", (W, H)))
    Image.fromarray(gray).convert("P").save(f / "gray_palette.png")
    cases.append(Case("palette gray", f / "gray_palette.png", None, "ok", (W, H)))
    la = np.dstack([gray, np.full_like(gray, 200)])
    Image.fromarray(la, "LA").save(f / "alpha_gray.png")
    cases.append(Case("gray with alpha", f / "alpha_gray.png", good_ref, "ok", (W, H)))
    rgba = np.dstack([ref, np.full((H, W), 128, np.uint8)])
    Image.fromarray(rgba, "RGBA").save(f / "alpha_ref.png")
    cases.append(Case("reference with alpha", good_gray, f / "alpha_ref.png", "ok", (W, H)))

    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    Image.fromarray(gray).save(f / "rotated.jpg", "JPEG", quality=95, exif=exif.tobytes())
    cases.append(Case("EXIF-rotated gray (single)", f / "rotated.jpg", None, "ok", (H, W)))
    cases.append(Case("EXIF-rotated gray with an upright reference", f / "rotated.jpg", good_ref,
                      "either", (H, W)))

    small_ref = np.asarray(Image.fromarray(ref).resize((W // 2, H // 2), Image.BICUBIC))
    save("half_ref.png", small_ref)
    cases.append(Case("reference at half size", good_gray, f / "half_ref.png", "either", (W, H)))
    save("square_ref.png", scene(H, H, seed=3))
    cases.append(Case("reference with another aspect", good_gray, f / "square_ref.png", "either", (W, H)))
    save("tall_ref.png", scene(W, H, seed=4))
    cases.append(Case("portrait reference for a landscape gray", good_gray, f / "tall_ref.png", "either", (W, H)))
    save("big_gray.png", gray_of(scene(H * 2, W * 2, seed=5)))
    cases.append(Case("gray twice the reference's size", f / "big_gray.png", good_ref, "either", (2 * W, 2 * H)))

    save("same_a.png", ref)
    cases.append(Case("identical colour images as the pair", f / "same_a.png", f / "same_a.png", "either", (W, H)))
    save("twin_mono.png", gray)
    save("twin_color.png", gray)
    cases.append(Case("identical gray images as the pair", f / "twin_mono.png", f / "twin_color.png", "ok", (W, H)))
    save("gray_as_colour.png", np.dstack([gray] * 3))
    cases.append(Case("gray 'colour' reference", good_gray, f / "gray_as_colour.png", "ok", (W, H)))
    cases.append(Case("colour photo as a single gray", good_ref, None, "either", (W, H)))
    (f / "a_folder.png").mkdir(exist_ok=True)
    cases.append(Case("folder named like an image", f / "a_folder.png", None, "error"))
    cases.append(Case("missing file", f / "does_not_exist.png", good_ref, "error"))
    cases.append(Case("single gray with the default learned method", good_gray, None, "ok", (W, H),
                      method="hsv2stage"))
    cases.append(Case("pair with the default learned method", good_gray, good_ref, "ok", (W, H),
                      method="ccdc"))
    return cases
