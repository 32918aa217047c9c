"""A CMYK colour shot is read through its own CMYK profile, not Pillow's plain formula."""
from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image, ImageCms

from colorstudio.core.imageio import load_photo

# a small made-up press profile (paper and inks as Lab, an A2B0 table over the 16 CMYK corners)
PRESS_CMYK_ICC = base64.b64decode(
    "AAAB2GxjbXMCEAAAcHJ0ckNNWUtMYWIgAAAAAAAAAAAAAAAAYWNzcAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAPbW"
    "AAEAAAAA0y0AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAADZGVzYwAAAKgAAABs"
    "d3RwdAAAARQAAAAUQTJCMAAAASgAAACwZGVzYwAAAAAAAAAQVGVzdCBwcmVzcyBDTVlLAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAWFlaIAAAAAAAAPbW"
    "AAEAAAAA0y1tZnQyAAAAAAQDAgAAAQAAAAAAAAAAAAAAAAAAAAEAAAAAAAAAAAAAAAAAAAABAAAAAgACAAD//wAA//8AAP//"
    "AAD///JAgAB+ACjNgACAAOLzewDdACRkfo+VhXpmygB9AAlFkEt/r3GUwli0yAfYjOeEr4xAWwBOAAyoeSRy9IJ3WjClTwq2"
    "ecuFDj+XlEdhhgJtgZV8+TnykSCUwwIOgS6A8wAA//8AAP//AAD//w==")


def test_a_cmyk_reference_is_read_through_its_profile(tmp_path):
    patches = np.array([[255, 0, 0, 0], [0, 255, 0, 0], [0, 0, 0, 200]], np.uint8)      # C100, M100, K78
    cmyk = Image.fromarray(np.repeat(np.repeat(patches[None], 16, 0), 16, 1), "CMYK")
    cmyk.save(tmp_path / "ref.jpg", icc_profile=PRESS_CMYK_ICC, quality=98)
    managed = np.asarray(ImageCms.profileToProfile(Image.open(tmp_path / "ref.jpg"),
                                                   ImageCms.ImageCmsProfile(io.BytesIO(PRESS_CMYK_ICC)),
                                                   ImageCms.createProfile("sRGB"), outputMode="RGB"))
    photo = load_photo(tmp_path / "ref.jpg")
    assert photo.converted_from == "CMYK (by its profile)" and photo.icc_profile is None   # now sRGB
    for i in range(3):
        assert np.abs(photo.pixels[8, 16 * i + 8].astype(int) - managed[8, 16 * i + 8]).max() <= 4
    assert photo.pixels[8, 8, 1] < 200          # C100 is no (0, 255, 255) cyan


def test_a_cmyk_file_without_a_profile_still_reads(tmp_path):
    Image.fromarray(np.full((8, 8, 4), (0, 255, 0, 0), np.uint8), "CMYK").save(tmp_path / "plain.jpg")
    photo = load_photo(tmp_path / "plain.jpg")
    assert photo.converted_from == "CMYK" and photo.pixels.shape == (8, 8, 3)
