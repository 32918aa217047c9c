"""A CMYK colour shot is read through its own CMYK profile, not Pillow's plain formula."""
from __future__ import annotations

import base64
import io

import numpy as np
import pytest
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


@pytest.mark.parametrize("ext", ["jpg", "tif"])     # an 8-bit TIFF went to OpenCV's plain formula
def test_a_cmyk_reference_is_read_through_its_profile(tmp_path, ext):
    patches = np.array([[255, 0, 0, 0], [0, 255, 0, 0], [0, 0, 0, 200]], np.uint8)      # C100, M100, K78
    cmyk = Image.fromarray(np.repeat(np.repeat(patches[None], 16, 0), 16, 1), "CMYK")
    cmyk.save(tmp_path / f"ref.{ext}", icc_profile=PRESS_CMYK_ICC, **({"quality": 98} if ext == "jpg" else {}))
    managed = np.asarray(ImageCms.profileToProfile(Image.open(tmp_path / f"ref.{ext}"),
                                                   ImageCms.ImageCmsProfile(io.BytesIO(PRESS_CMYK_ICC)),
                                                   ImageCms.createProfile("sRGB"), outputMode="RGB"))
    photo = load_photo(tmp_path / f"ref.{ext}")
    assert photo.converted_from == "CMYK (by its profile)" and photo.icc_profile is None   # now sRGB
    for i in range(3):
        assert np.abs(photo.pixels[8, 16 * i + 8].astype(int) - managed[8, 16 * i + 8]).max() <= 4
    assert photo.pixels[8, 8, 1] < 200          # C100 is no (0, 255, 255) cyan


def test_a_cmyk_file_without_a_profile_still_reads(tmp_path):
    """Without a profile, inks read as a photographer sees them: C100 cyan, M100 magenta,
    Y100 yellow, no ink white paper, K100 black (Pillow stores its CMYK JPEGs inverted, as
    Adobe's do, and marks them so: reading them uninverted would swap paper and ink)."""
    patches = np.array([[255, 0, 0, 0], [0, 255, 0, 0], [0, 0, 255, 0], [0, 0, 0, 0], [0, 0, 0, 255]],
                       np.uint8)                           # C100, M100, Y100, paper, K100
    cmyk = np.repeat(np.repeat(patches[None], 16, 0), 16, 1)
    Image.fromarray(cmyk, "CMYK").save(tmp_path / "plain.jpg", quality=95)
    photo = load_photo(tmp_path / "plain.jpg")
    assert photo.converted_from == "CMYK" and photo.pixels.shape == (16, 80, 3)
    assert photo.icc_profile is None and photo.pixels.dtype == np.uint8
    cyan, magenta, yellow, paper, black = (photo.pixels[8, 16 * i + 8].astype(int) for i in range(5))
    assert cyan[0] < 30 and cyan[1] > 225 and cyan[2] > 225
    assert magenta[1] < 30 and magenta[0] > 225 and magenta[2] > 225
    assert yellow[2] < 30 and yellow[0] > 225 and yellow[1] > 225
    assert (paper >= 250).all()
    assert (black <= 5).all()


def test_a_cmyk_reference_without_a_profile_is_said_to_be_approximate(tmp_path, capsys):
    """Its colours come from the plain formula, not a press profile: the user is told, in the
    CLI's notes as in the app's checks (both from reading_notes); with its profile nothing is said."""
    from colorstudio.cli import main
    from colorstudio.core.photo import reading_notes

    rng = np.random.default_rng(3)
    gray = (rng.random((48, 64)) * 255).astype(np.uint8)
    Image.fromarray(gray).save(tmp_path / "gray.png")
    cmyk = np.stack([255 - gray, gray // 2, gray // 3, np.zeros_like(gray)], axis=2)
    Image.fromarray(cmyk, "CMYK").save(tmp_path / "ref.tif")
    Image.fromarray(cmyk, "CMYK").save(tmp_path / "managed.tif", icc_profile=PRESS_CMYK_ICC)
    assert reading_notes(load_photo(tmp_path / "managed.tif")) == []
    code = main(["colorize", str(tmp_path / "gray.png"), str(tmp_path / "ref.tif"), "-o", str(tmp_path / "out.png"),
                 "--method", "dis+gf"])
    out = capsys.readouterr().err
    assert code == 0 and "ref.tif is a CMYK file without a usable colour profile" in out and "may be off" in out
