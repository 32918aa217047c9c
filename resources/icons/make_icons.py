"""Draw the ColorStudio icon set with Pillow (run from anywhere; writes next to this file).

    python resources/icons/make_icons.py

Writes colorstudio_<N>.png for N in 16..512, colorstudio.ico (16..256, Windows) and
colorstudio.icns (16..512 + @2x, macOS). The motif: a rounded tile, its left half a gray
photograph, its right half the same scene in colour, a lens ring across the seam.
"""
from __future__ import annotations

import colorsys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
MASTER = 1024


def _scene(n: int) -> np.ndarray:
    """A colourful landscape: sky hue gradient, sun, hills. RGB float (n, n, 3) in [0, 1]."""
    y, x = np.mgrid[0:n, 0:n].astype(np.float32) / n
    img = np.zeros((n, n, 3), np.float32)
    for i, (h, s, v) in enumerate([(0.58, 0.55, 0.95), (0.05, 0.7, 0.98)]):
        w = y if i else 1 - y
        img += w[..., None] * np.array(colorsys.hsv_to_rgb(h, s, v), np.float32)
    sun = (x - 0.68) ** 2 + (y - 0.33) ** 2 < 0.012
    img[sun] = colorsys.hsv_to_rgb(0.13, 0.8, 1.0)
    hill1 = y > 0.62 + 0.08 * np.sin(x * 7.0)
    hill2 = y > 0.75 + 0.05 * np.cos(x * 11.0 + 1)
    img[hill1] = colorsys.hsv_to_rgb(0.33, 0.65, 0.62)
    img[hill2] = colorsys.hsv_to_rgb(0.42, 0.7, 0.42)
    return img


def master() -> Image.Image:
    n = MASTER
    rgb = _scene(n)
    gray = rgb @ np.array([0.299, 0.587, 0.114], np.float32)
    x = np.arange(n)[None, :]
    out = np.where((x < n // 2)[..., None], gray[..., None], rgb)
    tile = Image.fromarray((np.clip(out, 0, 1) * 255).astype(np.uint8), "RGB").convert("RGBA")
    mask = Image.new("L", (n, n), 0)
    ImageDraw.Draw(mask).rounded_rectangle([40, 40, n - 40, n - 40], radius=190, fill=255)
    icon = Image.new("RGBA", (n, n), (0, 0, 0, 0))
    icon.paste(tile, (0, 0), mask)
    d = ImageDraw.Draw(icon)
    c, r = n // 2, int(n * 0.25)
    d.ellipse([c - r, c - r, c + r, c + r], outline=(255, 255, 255, 235), width=int(n * 0.045))
    d.line([c, 60, c, n - 60], fill=(255, 255, 255, 160), width=int(n * 0.012))
    return icon


def main() -> None:
    big = master()
    images = {s: big.resize((s, s), Image.LANCZOS) for s in SIZES}
    for s, im in images.items():
        im.save(HERE / f"colorstudio_{s}.png", optimize=True)
    images[256].save(HERE / "colorstudio.ico", sizes=[(s, s) for s in (16, 24, 32, 48, 64, 128, 256)])
    big.save(HERE / "colorstudio.icns")   # Pillow writes 16..512 and their @2x from the 1024 master
    print(f"wrote {len(SIZES)} PNGs, colorstudio.ico and colorstudio.icns to {HERE}")


if __name__ == "__main__":
    main()
