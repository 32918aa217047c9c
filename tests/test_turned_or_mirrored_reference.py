"""A colour shot turned by 90 degrees or mirrored: no method undoes it, so colorize says so in
its warning (as `check` does) instead of quietly writing wrong colours."""
from __future__ import annotations

import numpy as np
import pytest

from colorstudio import paths
from colorstudio.core.imageio import load_photo, with_pixels
from colorstudio.engine.colorize import colorize


@pytest.fixture(scope="module")
def example():
    return (load_photo(paths.examples_dir() / "motorcycle_mono.png"),
            load_photo(paths.examples_dir() / "motorcycle_color.jpg"))


@pytest.mark.parametrize("how, words", [("mirrored", "looks mirrored"), ("turned", "looks turned by")])
def test_a_mirrored_or_turned_colour_shot_is_named_in_the_warning(example, how, words):
    gray, colour = example
    pixels = colour.pixels[:, ::-1] if how == "mirrored" else np.rot90(colour.pixels)
    result = colorize(gray, with_pixels(colour, np.ascontiguousarray(pixels)), method=None)
    assert words in result.info.get("warning", "")


def test_the_upright_pair_gets_no_such_warning(example):
    result = colorize(*example)
    assert "warning" not in result.info


def test_a_stereo_method_picked_for_a_smaller_colour_shot_is_warned_about(example):
    import cv2

    gray, colour = example
    h, w = colour.pixels.shape[:2]
    small = with_pixels(colour, cv2.resize(colour.pixels, (w // 3, h // 3), interpolation=cv2.INTER_AREA))
    picked = colorize(gray, small, method="cyclecnn")
    assert "made for same-size stereo pairs" in picked.info.get("warning", ""), picked.info
    assert "3.0x smaller" in picked.info["warning"]
    assert "warning" not in colorize(gray, small, method="ccdc").info       # made for it
    assert "warning" not in colorize(*example, method="cyclecnn").info       # a stereo pair
    from colorstudio import paths                 # a stereo model file given without a method
    by_file = colorize(gray, small, model=paths.models_dir() / "cyclecnn.safetensors")
    assert by_file.method == "cyclecnn" and "made for same-size stereo pairs" in by_file.info.get("warning", "")
    larger = with_pixels(colour, cv2.resize(colour.pixels, (w * 2, h * 2), interpolation=cv2.INTER_CUBIC))
    assert "warning" not in colorize(gray, larger, method="cyclecnn").info  # reduced, it does as well
