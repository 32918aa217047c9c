"""The confidence and visibility maps in the papers' red/green or in orange/blue, which people
with red-green colour blindness can tell apart."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image

from colorstudio.core import diagnostic_maps as maps
from colorstudio.engine.diagnostics_io import write_diagnostics

# Machado et al. 2009, deuteranopia at severity 1, on linear RGB
DEUTERANOPIA = np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                         [-0.011820, 0.042940, 0.968881]])


def _seen_by_deuteranope(rgb) -> np.ndarray:
    linear = np.where(np.asarray(rgb) <= 0.04045, np.asarray(rgb) / 12.92, ((np.asarray(rgb) + 0.055) / 1.055) ** 2.4)
    return DEUTERANOPIA @ linear


def _yellow_blue(rgb) -> float:
    r, g, b = _seen_by_deuteranope(rgb)
    return (r + g) / 2 - b


def test_the_papers_colours_are_unchanged_and_orange_blue_ends_differ_for_a_deuteranope():
    v = np.linspace(-1, 1, 9, dtype=np.float32)[None]
    t = np.clip(v, -1, 1)
    np.testing.assert_allclose(maps.signed_to_rgb(v, 1.0)[0], np.stack([np.clip(-t, 0, 1), np.clip(t, 0, 1),
                                                                         np.zeros_like(t)], -1)[0])
    m = np.linspace(0, 1, 5, dtype=np.float32)[None]
    np.testing.assert_allclose(maps.confidence_to_rgb(m)[0, :, :2],
                               np.stack([np.clip(2 * (1 - m), 0, 1), np.clip(2 * m, 0, 1)], -1)[0])
    red, green = maps.PALETTES["red-green"]
    orange, blue = maps.PALETTES["orange-blue"]
    assert np.sign(_yellow_blue(red)) == np.sign(_yellow_blue(green))       # both yellowish to them
    assert np.sign(_yellow_blue(orange)) != np.sign(_yellow_blue(blue))     # yellow against blue
    with pytest.raises(ValueError, match="diagnostic colours"):
        maps.signed_to_rgb(v, 1.0, palette="purple")


def test_exported_diagnostics_use_the_chosen_colours(tmp_path):
    signed = np.tile(np.linspace(-1, 1, 32, dtype=np.float32), (8, 1))
    result = SimpleNamespace(diagnostics={"visibility_0": signed, "confidence": (signed + 1) / 2},
                             method="ccdc", seconds=0.1, info={})
    for palette in maps.PALETTES:
        write_diagnostics(result, tmp_path / palette, palette)
    papers = np.asarray(Image.open(tmp_path / "red-green" / "visibility_0.png"))
    safe = np.asarray(Image.open(tmp_path / "orange-blue" / "visibility_0.png"))
    assert papers[..., 2].max() == 0 and safe[:, -1, 2].min() > 200      # positive: blue instead of green
    assert np.asarray(Image.open(tmp_path / "orange-blue" / "confidence.png"))[:, -1, 2].min() > 200
