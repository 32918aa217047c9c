"""What colour a "gray" input holds, and that the engine, the CLI and the app say it."""
import subprocess
import sys

import cv2
import numpy as np
import pytest
from PIL import Image

from colorstudio.core.color import luma
from colorstudio.core.gray_input import classify_gray_input
from colorstudio.core.generator_steps import run_to_end
from colorstudio.core.photo import Photo
from colorstudio.engine.colorize import colorize
from colorstudio.errors import PairError


def _jpeg(rgb: np.ndarray, quality: int = 70) -> np.ndarray:
    """An RGB float image through an 8-bit JPEG (4:2:0), as a scan or export would be."""
    ok, buf = cv2.imencode(".jpg", np.rint(np.clip(rgb, 0, 1)[..., ::-1] * 255).astype(np.uint8),
                           [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return cv2.imdecode(buf, cv2.IMREAD_COLOR)[..., ::-1]


@pytest.fixture
def gray_scene(motorcycle_small):
    return luma(motorcycle_small[0])


def test_one_channel_and_neutral_rgb_need_no_message(gray_scene):
    assert classify_gray_input(np.rint(gray_scene * 255).astype(np.uint8)).kind == "gray"
    neutral = classify_gray_input(_jpeg(np.repeat(gray_scene[..., None], 3, -1)))
    assert neutral.kind == "neutral"
    assert neutral.message(pair=True) is None and neutral.message(pair=False) is None
    faint_cast = _jpeg(gray_scene[..., None] * np.array([0.96, 0.92, 0.93], np.float32))
    assert classify_gray_input(faint_cast).kind == "neutral"     # at most 4/255 of chroma


@pytest.mark.parametrize("weights, tint", [((1.0, 0.88, 0.72), "warm"),     # sepia
                                           ((0.7, 0.85, 1.0), "cool"),      # cyanotype
                                           ((1.0, 0.93, 0.88), "warm")])    # a light brown tone
def test_a_toned_print_is_one_tint(gray_scene, weights, tint):
    toned = _jpeg(gray_scene[..., None] * np.array(weights, np.float32))
    c = classify_gray_input(toned)
    assert (c.kind, c.tint) == ("toned", tint)
    assert f"one {tint} tint" in c.message(pair=False)


def test_sixteen_bit_is_scaled_like_eight_bit(gray_scene):
    toned = gray_scene[..., None] * np.array([1.0, 0.88, 0.72], np.float32)
    c8 = classify_gray_input(np.rint(toned * 255).astype(np.uint8))
    c16 = classify_gray_input(np.rint(toned * 65535).astype(np.uint16))
    assert c8.kind == c16.kind == "toned"
    assert c16.strength == pytest.approx(c8.strength, abs=2 / 255)


def test_a_colour_photo_and_a_gray_scene_with_one_coloured_object_are_colour(motorcycle_small, gray_scene):
    assert classify_gray_input(_jpeg(motorcycle_small[1])).kind == "colour"
    accent = np.repeat(gray_scene[..., None], 3, -1)
    h, w = gray_scene.shape
    accent[h // 3: h // 2, w // 3: w // 2] = (0.8, 0.2, 0.1)   # a red object on a gray scene
    c = classify_gray_input(_jpeg(accent))
    assert c.kind == "colour"
    assert "comes first" in c.message(pair=True)
    assert "re-invented" in c.message(pair=False)


def test_the_engine_says_what_it_did_with_the_colour(motorcycle_small, gray_scene):
    colour = Photo(pixels=np.rint(motorcycle_small[1] * 255).astype(np.uint8))
    gray = Photo(pixels=np.rint(gray_scene * 255).astype(np.uint8))
    with pytest.raises(PairError, match="they seem swapped"):     # its colour would be lost: refused
        colorize(colour, gray, method="dis+gf")
    assert "gray_input" not in colorize(gray, colour, method="dis+gf").info
    toned = Photo(pixels=_jpeg(gray_scene[..., None] * np.array([1.0, 0.88, 0.72], np.float32)))
    result = colorize(toned, colour, method="dis+gf")
    assert "tint is not kept" in result.info["gray_input"]
    np.testing.assert_allclose(luma(result.rgb), toned.gray_float(), atol=1.5 / 255)


def test_the_cli_prints_it(tmp_path, gray_scene):
    path = tmp_path / "sepia_scan.jpg"
    Image.fromarray(_jpeg(gray_scene[..., None] * np.array([1.0, 0.88, 0.72], np.float32))).save(path)
    p = subprocess.run([sys.executable, "-m", "colorstudio", "colorize", str(path), "-o", str(tmp_path / "o.png")],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert "one warm tint all over" in p.stderr


def test_the_app_lists_it_with_the_checks(tmp_path, gray_scene, motorcycle_small):
    from colorstudio.gui.jobs import open_inputs

    colour = tmp_path / "colour.png"
    Image.fromarray(np.rint(motorcycle_small[1] * 255).astype(np.uint8)).save(colour)
    gray = tmp_path / "gray.png"
    Image.fromarray(np.rint(gray_scene * 255).astype(np.uint8)).save(gray)
    assert any("re-invented" in m for m in run_to_end(open_inputs(colour, None)).checks)
    with pytest.raises(PairError, match="colour.png is in colour and gray.png is gray: they seem swapped"):
        run_to_end(open_inputs(colour, gray))          # refused as it opens, as Colorize would
    assert not any("colour" in m.lower() and "first" in m for m in run_to_end(open_inputs(gray, colour)).checks)


def test_a_batch_of_toned_scans_colorizes_them_and_says_so(tmp_path, gray_scene):
    from colorstudio.engine.batch import DONE, plan_batch, run_batch

    scans = tmp_path / "scans"
    scans.mkdir()
    for name, weights in (("aunt.jpg", (1.0, 0.88, 0.72)), ("harbour.jpg", (0.7, 0.85, 1.0))):
        Image.fromarray(_jpeg(gray_scene[..., None] * np.array(weights, np.float32))).save(scans / name)
    plan = plan_batch([scans], tmp_path / "out")
    assert len(plan.items) == 2 and not plan.unmatched
    messages = [p.message for p in run_to_end_collect(run_batch(plan, method="cheng"))]
    assert all(item.status == DONE for item in plan.items)
    assert any("aunt: written" in m and "warm tint" in m for m in messages)
    assert any("harbour: written" in m and "cool tint" in m for m in messages)


def run_to_end_collect(gen):
    out = []
    while True:
        try:
            out.append(next(gen))
        except StopIteration:
            return out


def test_colorstudio_check_lists_it(tmp_path, gray_scene, motorcycle_small, capsys):
    from colorstudio.cli import main

    scan, colour = tmp_path / "scan.jpg", tmp_path / "colour.png"
    Image.fromarray(_jpeg(gray_scene[..., None] * np.array([1.0, 0.88, 0.72], np.float32))).save(scan)
    Image.fromarray(np.rint(motorcycle_small[1] * 255).astype(np.uint8)).save(colour)
    assert main(["check", str(scan), str(colour)]) == 0
    assert "The gray photo has one warm tint all over" in capsys.readouterr().out


def test_a_pair_given_the_other_way_round_fails_in_the_cli_and_the_batch(tmp_path, motorcycle_small, gray_scene):
    Image.fromarray(np.rint(gray_scene * 255).astype(np.uint8)).save(tmp_path / "s_color.png")
    Image.fromarray(np.rint(motorcycle_small[1] * 255).astype(np.uint8)).save(tmp_path / "s_mono.png")
    run = [sys.executable, "-m", "colorstudio"]
    p = subprocess.run(run + ["colorize", str(tmp_path / "s_mono.png"), str(tmp_path / "s_color.png"),
                              "-o", str(tmp_path / "o.png"), "--method", "copy"], capture_output=True, text=True)
    assert p.returncode != 0 and "they seem swapped" in p.stderr and "Traceback" not in p.stderr
    assert not (tmp_path / "o.png").exists()
    p = subprocess.run(run + ["batch", str(tmp_path), "-o", str(tmp_path / "out"), "--method", "copy"],
                       capture_output=True, text=True)
    assert p.returncode != 0 and "names seem swapped" in p.stderr + p.stdout and "1 failed" in p.stderr + p.stdout
