"""Transparency however a file stores it: an alpha channel, a palette entry, or one colour
marked transparent (a PNG's tRNS key on a gray or RGB image) is kept in the result; an alpha
that is opaque everywhere (an animated WebP, a palette key no pixel uses) is no transparency."""
from __future__ import annotations

import numpy as np
from PIL import Image

from colorstudio.core.imageio import load_photo
from colorstudio.engine.colorize import colorize_files


def _gray(h=40, w=48) -> np.ndarray:
    g = np.full((h, w), 120, np.uint8)
    g[:10, :12] = 7                              # the colour marked transparent
    return g


def test_a_colour_key_on_a_gray_or_rgb_png_is_alpha(tmp_path):
    g = _gray()
    Image.fromarray(g).save(tmp_path / "key_gray.png", transparency=7)
    Image.fromarray(np.dstack([g] * 3)).save(tmp_path / "key_rgb.png", transparency=(7, 7, 7))
    for name in ("key_gray.png", "key_rgb.png"):
        photo = load_photo(tmp_path / name)
        assert photo.is_gray and photo.alpha is not None
        assert np.array_equal(photo.alpha == 0, g == 7)
    out = colorize_files(tmp_path / "key_gray.png", None, tmp_path / "out.png", method="neutral")
    assert "output_notes" not in out.info
    written = np.asarray(Image.open(tmp_path / "out.png"))
    assert written.shape == (40, 48, 4) and np.array_equal(written[..., 3] == 0, g == 7)


def test_a_palette_image_with_its_own_alpha_keeps_it():
    from colorstudio.core.pixel_arrays import pillow_to_arrays

    g = _gray()
    pa = Image.fromarray(g).convert("P").convert("PA")
    pa.putalpha(Image.fromarray(np.where(g == 7, 0, 255).astype(np.uint8)))
    assert pa.mode == "PA"
    pixels, alpha, converted = pillow_to_arrays(pa)
    assert converted == "palette" and pixels.shape == (40, 48, 3)
    assert np.array_equal(alpha == 0, g == 7)


def test_an_alpha_opaque_everywhere_is_no_transparency(tmp_path):
    g = _gray()
    opaque = np.full_like(g, 255)
    frames = [Image.fromarray(np.dstack([g, g, g, opaque])), Image.fromarray(np.dstack([255 - g] * 3 + [opaque]))]
    frames[0].save(tmp_path / "anim.webp", save_all=True, append_images=frames[1:], lossless=True)
    Image.fromarray(g).convert("P").save(tmp_path / "unused_key.png", transparency=200)   # no pixel is 200
    Image.fromarray(np.dstack([g, np.full_like(g, 255)]), "LA").save(tmp_path / "opaque_la.png")
    for name in ("anim.webp", "unused_key.png", "opaque_la.png"):
        assert load_photo(tmp_path / name).alpha is None, name
    out = colorize_files(tmp_path / "anim.webp", None, tmp_path / "anim.jpg", method="neutral")
    assert not any("transparency" in n for n in out.info.get("output_notes", []))
    la = np.dstack([g, np.where(g == 7, 0, 255).astype(np.uint8)])
    Image.fromarray(la, "LA").save(tmp_path / "cut_out.png")
    assert np.array_equal(load_photo(tmp_path / "cut_out.png").alpha == 0, g == 7)   # a real one stays



def test_a_16_bit_gray_with_a_colour_key_keeps_it(tmp_path):
    g = np.full((40, 48), 30000, np.uint16)
    g[:10, :12] = 700
    Image.fromarray(g).save(tmp_path / "key16.png", transparency=700)
    photo = load_photo(tmp_path / "key16.png")
    assert photo.bit_depth == 16 and photo.alpha is not None
    assert np.array_equal(photo.alpha == 0, g == 700)
