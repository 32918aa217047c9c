"""The engine as the GUI uses it: generator protocol, chroma-only output, 16-bit, alpha."""
import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from colorstudio.core.color import luma
from colorstudio.core.imageio import load_photo
from colorstudio.core.photo import Photo
from colorstudio.engine.colorize import colorize, colorize_steps, save_result
from colorstudio.engine.diagnostics_io import write_diagnostics
from colorstudio.engine.progress import Progress
from colorstudio.errors import MethodError, OutputError
from generator_steps import steps_and_result


def _photos(motorcycle_small, bits=8):
    left, right = motorcycle_small
    scale = 65535 if bits == 16 else 255
    dtype = np.uint16 if bits == 16 else np.uint8
    gray = Photo(pixels=np.rint(luma(left) * scale).astype(dtype))
    ref = Photo(pixels=np.rint(right * 255).astype(np.uint8))
    return gray, ref


def test_steps_yield_progress_then_return_the_result(motorcycle_small):
    gray, ref = _photos(motorcycle_small)
    steps, result = steps_and_result(colorize_steps(gray, ref, method="dis+gf"))
    assert steps and all(isinstance(p, Progress) for p in steps)
    fractions = [p.fraction for p in steps]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert result.method == "dis+gf" and result.rgb.shape == gray.pixels.shape + (3,)


def test_cancel_between_yields_runs_nothing_more(motorcycle_small, monkeypatch):
    gray, ref = _photos(motorcycle_small)
    gen = colorize_steps(gray, ref, method="dis+gf")
    next(gen)
    gen.close()  # cancelled before the method ran
    with pytest.raises(StopIteration):
        next(gen)


def test_output_luma_is_the_gray_even_at_16_bit(motorcycle_small, tmp_path):
    gray, ref = _photos(motorcycle_small, bits=16)
    result = colorize(gray, ref, method="dis")
    np.testing.assert_allclose(luma(result.rgb), gray.to_float(), atol=2e-3)
    out = load_photo(save_result(result, tmp_path / "o.png"))
    assert out.bit_depth == 16


def test_odd_sized_gray_with_alpha(tmp_path, motorcycle_small):
    left, right = motorcycle_small
    g = np.rint(luma(left[:37, :53]) * 255).astype(np.uint8)
    a = np.full_like(g, 200)
    gray = Photo(pixels=g, alpha=a)
    result = colorize(gray, Photo(pixels=np.rint(right * 255).astype(np.uint8)), method="sgbm+gf")
    assert result.rgb.shape == (37, 53, 3)
    saved = Image.open(save_result(result, tmp_path / "o.png"))
    assert saved.mode == "RGBA" and saved.size == (53, 37)


def test_refuses_to_write_over_its_inputs(small_pair_files):
    gray_path, ref_path = small_pair_files
    result = colorize(load_photo(gray_path), load_photo(ref_path), method="copy")
    with pytest.raises(OutputError):
        save_result(result, ref_path)


def test_method_kind_must_match_the_input(motorcycle_small):
    gray, ref = _photos(motorcycle_small)
    with pytest.raises(MethodError):
        colorize(gray, None, method="dis")
    with pytest.raises(MethodError):
        colorize(gray, ref, method="neutral")


def test_gray_reference_gives_a_warning_not_a_crash(motorcycle_small):
    gray, _ = _photos(motorcycle_small)
    result = colorize(gray, gray, method="dis+gf")
    assert "warning" in result.info
    np.testing.assert_allclose(result.chroma, 0.5, atol=0.01)


def test_diagnostics_are_written_as_png_and_json(motorcycle_small, tmp_path):
    gray, ref = _photos(motorcycle_small)
    result = colorize(gray, ref, method="dis")
    result.diagnostics["curve"] = {"x": [0, 4], "y": [0, 5]}
    result.diagnostics["confidence"] = np.linspace(0, 1, 20, dtype=np.float32).reshape(4, 5)
    files = {p.name: p for p in write_diagnostics(result, tmp_path / "d")}
    assert {"curve.json", "confidence.png", "info.json"} <= set(files)
    assert json.loads(files["curve.json"].read_text())["y"] == [0, 5]
    conf = np.asarray(Image.open(files["confidence.png"]))
    assert conf[0, 0, 0] > conf[0, 0, 1] and conf[-1, -1, 1] > conf[-1, -1, 0]  # red low, green high


def test_cheng_diagnostics_are_pictures_not_a_json_of_numbers(motorcycle_small, tmp_path):
    gray, _ = _photos(motorcycle_small)
    result = colorize(gray, None, method="cheng")
    files = {p.name: p for p in write_diagnostics(result, tmp_path / "d")}
    assert {"hue.png", "saturation.png", "chroma_before_bilateral.png", "info.json"} <= set(files)
    assert not any(name.endswith(".json") and name != "info.json" for name in files)
    before = np.asarray(Image.open(files["chroma_before_bilateral.png"]))
    assert before.ndim == 3 and before.shape[2] == 3 and before.std() > 1    # its colours


def test_a_small_valued_confidence_map_is_shown_relative_to_its_top(motorcycle_small, tmp_path):
    """The shipped net's M lies near 0.03 everywhere; on an absolute scale it would be all red."""
    gray, ref = _photos(motorcycle_small)
    result = colorize(gray, ref, method="dis")
    result.diagnostics["confidence"] = np.linspace(0, 0.04, 100, dtype=np.float32).reshape(10, 10)
    files = {p.name: p for p in write_diagnostics(result, tmp_path / "d")}
    conf = np.asarray(Image.open(files["confidence.png"])).astype(int)
    assert conf[-1, -1, 1] > 200 and conf[-1, -1, 0] < 30          # its top is green
    assert conf[0, 0, 0] > 200 and conf[0, 0, 1] < 30              # its bottom red


def test_pair_mode_is_chosen_from_the_sizes_and_explained(motorcycle_small):
    import cv2

    gray, ref = _photos(motorcycle_small)
    same = colorize(gray, ref)
    assert same.info["mode"] == "stereo" and "stereo" in same.info["mode_reason"]
    small = Photo(pixels=cv2.resize(ref.pixels, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA))
    cross = colorize(gray, small)
    assert cross.info["mode"] == "crosscam" and "smaller" in cross.info["mode_reason"]
    assert cross.rgb.shape == gray.pixels.shape + (3,)
    forced = colorize(gray, ref, options={"mode": "crosscam"})
    assert forced.info["mode"] == "crosscam" and "user" in forced.info["mode_reason"]


def test_classic_methods_are_there_even_when_learned_methods_were_imported_first():
    code = ("import colorstudio.engine.learned_methods\n"
            "from colorstudio.engine import methods\n"
            "print(methods.get('dis+gf').name, methods.get('cyclecnn').name)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["dis+gf", "cyclecnn"]
