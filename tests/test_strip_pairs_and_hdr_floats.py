"""A gray too long and thin for a pair is refused in one line (CLI, batch), not crashed on in
OpenCV; alone it is still colorized. Float TIFFs: 0..1 as it was, whole numbers 0..255 or
0..65535 as 8/16-bit counts, HDR (0..4, not whole numbers) bright with a note, not black."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import tifffile
from PIL import Image

from colorstudio.cli import main
from colorstudio.core.imageio import load_photo
from colorstudio.core.photo import Photo, reading_notes
from colorstudio.core.size_limits import PAIR_LONG_SIDE, PAIR_MAX_ASPECT, check_pair_size
from colorstudio.engine.colorize import colorize
from colorstudio.errors import PairError

RNG = np.random.default_rng(7)


def _strip_pair(folder: Path, stem: str, w: int, h: int, mono="_mono", colour="_color") -> tuple[Path, Path]:
    """A gray and a colour shot of one w x h scene (the colour one shifted 2 px), as PNG files."""
    folder.mkdir(parents=True, exist_ok=True)
    x = np.arange(w, dtype=np.float32)[None, :]
    y = np.arange(h, dtype=np.float32)[:, None]
    base = 0.5 + 0.25 * np.sin(x / 7) + 0.2 * np.cos(y / 3) + RNG.normal(0, 0.03, (h, w))
    rgb = np.clip(np.stack([base, 0.8 * np.roll(base, 3, 1), 1 - base], -1), 0, 1)
    c8 = np.rint(rgb * 255).astype(np.uint8)
    g8 = np.rint(c8 @ np.array([0.299, 0.587, 0.114])).astype(np.uint8)
    gray, col = folder / f"{stem}{mono}.png", folder / f"{stem}{colour}.png"
    Image.fromarray(g8).save(gray)
    Image.fromarray(np.roll(c8, 2, 1)).save(col)
    return gray, col


# ------------------------------------------------------------------ long strips in pairs
@pytest.mark.parametrize("method", [None, "dis+gf"])
def test_a_very_long_strip_pair_is_refused_in_one_line(tmp_path, capsys, method):
    gray, col = _strip_pair(tmp_path, "g", 100_000, 16)
    out = tmp_path / "x.png"
    code = main(["colorize", str(gray), str(col), "-o", str(out)] + (["--method", method] if method else []))
    err = capsys.readouterr().err.strip()
    assert code == 1, err
    assert err.splitlines() == [f"colorstudio: error: g_mono.png: 100000x16 is too long and thin for a pair "
                                f"(above {PAIR_LONG_SIDE} px long, at most {PAIR_MAX_ASPECT}:1): cut it into "
                                "shorter pieces, or colorize it without the colour shot"]
    assert not out.exists()


def test_a_batch_fails_the_strip_pair_with_that_line_and_goes_on(tmp_path, capsys):
    folder = tmp_path / "in"
    _strip_pair(folder, "strip", 100_000, 16)
    _strip_pair(folder, "good", 64, 48)
    out = tmp_path / "out"
    code = main(["batch", str(folder), "-o", str(out), "--method", "dis+gf"])
    err = capsys.readouterr().err
    assert code == 1, err                                  # one item failed
    fail = [line for line in err.splitlines() if "FAIL" in line]
    assert len(fail) == 1 and "strip" in fail[0] and "100000x16 is too long and thin for a pair" in fail[0]
    assert "internal error" not in err
    assert "summary: 1 written, 1 failed" in err
    assert [p.name for p in out.iterdir()] == ["good_colorized.png"]


def test_the_limit_is_a_long_side_and_a_shape_of_the_gray_only():
    def photo(w, h, name="g.png"):
        return Photo(pixels=np.zeros((h, w), np.uint8), path=Path(name))

    ref = Photo(pixels=np.zeros((16, 16, 3), np.uint8), path=Path("c.png"))
    for w, h in [(PAIR_LONG_SIDE, 16), (16, PAIR_LONG_SIDE), (22_360, 45), (40_000, 80), (35_000, 5_000)]:
        check_pair_size(photo(w, h), ref)                  # long, but not too thin: taken
    for w, h in [(PAIR_LONG_SIDE + 1, 16), (16, 20_000), (25_000, 49), (200_000, 16)]:
        with pytest.raises(PairError, match=f"{w}x{h} is too long and thin for a pair"):
            check_pair_size(photo(w, h), ref)
    check_pair_size(photo(200_000, 16), None)              # alone: any shape
    check_pair_size(ref, photo(200_000, 16))               # a long colour shot is reduced to the gray's size


@pytest.mark.parametrize("method", ["dis+gf", "sgbm+gf"])
@pytest.mark.parametrize("w, h", [(PAIR_LONG_SIDE, 16), (22_360, 45)])
def test_pairs_at_the_limit_are_colorized(tmp_path, method, w, h):
    gray, col = _strip_pair(tmp_path, "s", w, h)
    result = colorize(load_photo(gray), load_photo(col), method)
    assert result.rgb.shape == (h, w, 3)
    assert float(np.abs(result.chroma - 0.5).mean()) > 0.02      # coloured, not left gray


def test_a_gray_too_thin_for_a_pair_is_still_colorized_alone(tmp_path, capsys):
    gray, _ = _strip_pair(tmp_path, "long", 20_000, 16)
    out = tmp_path / "o.png"
    assert main(["colorize", str(gray), "-o", str(out), "--method", "neutral"]) == 0, capsys.readouterr().err
    assert Image.open(out).size == (20_000, 16)


# ------------------------------------------------------------------ float TIFFs
def _ramp(lo: float, hi: float) -> np.ndarray:
    return np.tile(np.linspace(lo, hi, 64, dtype=np.float32), (48, 1))


def test_a_0_to_1_float_tiff_reads_as_before(tmp_path):
    f = _ramp(0.0, 1.0)
    f[0, :2] = 1.2                                         # a few highlights above 1: clipped
    tifffile.imwrite(tmp_path / "f.tif", f)
    photo = load_photo(tmp_path / "f.tif")
    np.testing.assert_array_equal(photo.pixels, np.rint(np.clip(f, 0, 1) * 65535).astype(np.uint16))
    assert photo.range_note is None and reading_notes(photo) == []


@pytest.mark.parametrize("top, per_count", [(255, 257), (65535, 1)])
def test_whole_number_float_tiffs_read_as_8_or_16_bit_counts(tmp_path, top, per_count):
    f = np.rint(_ramp(0.0, top))
    tifffile.imwrite(tmp_path / "f.tif", f)
    photo = load_photo(tmp_path / "f.tif")
    np.testing.assert_array_equal(photo.pixels, f.astype(np.uint32) * per_count)
    assert photo.range_note is None


@pytest.mark.parametrize("colour", [False, True])      # Pillow's float gray; tifffile's float RGB
def test_an_hdr_float_tiff_is_read_bright_and_says_so(tmp_path, colour):
    f = RNG.uniform(0.0, 1.0, (48, 64)).astype(np.float32) ** 1.2 * 4.0    # 0..4, mean near 1.8
    assert 1.6 < f.mean() < 2.0
    white = float(np.percentile(f, 99.9))
    tifffile.imwrite(tmp_path / "hdr.tif", np.dstack([f, f * 0.9, f * 0.8]) if colour else f,
                     photometric="rgb" if colour else "minisblack")
    photo = load_photo(tmp_path / "hdr.tif")
    expected = np.clip(f / white, 0, 1)
    luma = photo.gray_float()
    if colour:
        expected = np.clip(np.dstack([f, f * 0.9, f * 0.8]) / white, 0, 1) @ np.array([0.299, 0.587, 0.114])
    assert luma.mean() == pytest.approx(float(expected.mean()), abs=0.01)
    assert luma.mean() > 0.3                               # not the near-black of a 0..255 reading
    assert reading_notes(photo) == [photo.range_note]
    assert "float pixels above 1.0" in photo.range_note and "brightest 0.1%" in photo.range_note


def test_the_hdr_note_reaches_the_user_and_the_result_is_bright(tmp_path, capsys):
    f = RNG.uniform(0.0, 4.0, (48, 64)).astype(np.float32)
    tifffile.imwrite(tmp_path / "hdr.tif", f)
    out = tmp_path / "o.png"
    assert main(["colorize", str(tmp_path / "hdr.tif"), "-o", str(out), "--method", "neutral"]) == 0
    assert "note: hdr.tif holds float pixels above 1.0 (HDR): scaled so the brightest 0.1%" in capsys.readouterr().err
    assert load_photo(out).gray_float().mean() == pytest.approx(0.5, abs=0.03)


@pytest.mark.parametrize("top", [255.0, 65535.0])
def test_counts_resampled_in_float_keep_their_scale_and_are_not_called_hdr(tmp_path, top):
    ramp = np.tile(np.linspace(0.1, 0.7, 64, dtype=np.float32), (48, 1)) * top + 0.37   # not whole numbers
    tifffile.imwrite(tmp_path / "f.tif", ramp)
    photo = load_photo(tmp_path / "f.tif")
    assert photo.range_note is None
    np.testing.assert_allclose(photo.pixels.mean() / 65535, ramp.mean() / top, atol=2e-3)


def test_a_small_working_size_keeps_the_rows_the_flow_needs():
    from colorstudio.engine.crosscam import MIN_WORKING_SIDE, working_size

    assert working_size((24, 3000), 16_384) == (MIN_WORKING_SIDE, 1431)    # 11 rows by the pixel count
    assert working_size((12, 40), 16_384) == (12, 40)                 # never enlarged


def test_a_ccdc_model_with_the_smallest_working_size_colours_a_long_thin_pair():
    import torch

    from colorstudio.engine.crosscam import colorize_crosscam
    from colorstudio.nets.ccdc import CCDC, CCDCConfig

    torch.manual_seed(0)
    net = CCDC(CCDCConfig(encoder_widths=(4, 4, 4, 4), flow_widths=(4, 4, 4, 4, 4), decoder_widths=(4, 4, 4, 4),
                          full_width=4, max_working_pixels=16_384)).eval()
    rng = np.random.default_rng(0)
    gray = rng.random((24, 3000), dtype=np.float32)
    chroma = colorize_crosscam(gray, rng.random((6, 750, 3), dtype=np.float32), model=net).chroma   # crashed in DIS
    assert chroma.shape == (24, 3000, 2) and np.isfinite(chroma).all()
