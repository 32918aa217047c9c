"""Linked views in one coordinate frame, downsampled display, split line, pixel readout."""
from __future__ import annotations

import numpy as np
import pytest

from colorstudio.gui.compare_view import CompareView
from colorstudio.gui.display import display_image, downsample


@pytest.fixture
def view(qtbot):
    v = CompareView()
    qtbot.addWidget(v)
    v.resize(900, 400)
    v.show()
    return v


def test_large_images_are_shown_downsampled_in_the_full_resolution_frame(view):
    full = (np.arange(3000 * 4000) % 251).astype(np.uint8).reshape(3000, 4000)
    shown = display_image(full, 1000)
    assert shown.shape == (750, 1000)
    view.set_frame(4000, 3000)
    view.set_image("gray", shown, full)
    item = view.images["gray"]
    assert item.mapRectToParent(item.boundingRect()).width() == pytest.approx(4000)
    # the readout reads the full-resolution array, not the display copy
    assert view.readout(1234.2, 2000.7).startswith("x 1234  y 2000")
    assert f"gray {full[2000, 1234]}" in view.readout(1234.2, 2000.7)
    assert view.readout(-1, 5) == "" and view.readout(4000, 5) == ""


def test_a_smaller_reference_is_stretched_over_the_gray_frame(view):
    view.set_frame(800, 600)
    view.set_image("gray", np.zeros((600, 800), np.uint8))
    ref = np.zeros((150, 200, 3), np.uint8)
    ref[75, 100] = (10, 20, 30)
    view.set_image("reference", ref)
    assert "reference 10 20 30" in view.readout(401, 301)


def test_views_are_linked(view, qtbot):
    view.set_frame(400, 300)
    for name in ("gray", "reference", "result"):
        view.set_image(name, np.zeros((300, 400, 3), np.uint8))
    view.views["result"].setRange(xRange=(100, 200), yRange=(50, 150), padding=0)
    qtbot.wait(20)
    for name in ("gray", "reference"):
        (x0, x1), _ = view.views[name].viewRange()
        assert x0 == pytest.approx(100, abs=1) and x1 == pytest.approx(200, abs=1)


def test_split_line_reveals_the_result_up_to_its_position(view):
    view.set_frame(200, 100)
    view.set_image("gray", np.full((100, 200), 50, np.uint8))
    view.set_image("result", np.full((50, 100, 3), 200, np.uint8))   # display copy at half size
    view.set_mode("split")
    assert view.split_line.value() == pytest.approx(100)             # starts in the middle
    view.set_split_position(0.3)
    assert view.split_after.image.shape == (50, 30, 3)
    rect = view.split_after.mapRectToParent(view.split_after.boundingRect())
    assert rect.width() == pytest.approx(60)
    view.set_split_position(0.0)
    assert view.split_after.image is None


def test_downsample_keeps_nan_holes_and_dtypes():
    a = np.ones((400, 400), np.float32)
    a[:200, :200] = np.nan
    d = downsample(a, 100)
    assert d.shape == (100, 100) and np.isnan(d[:50, :50]).all() and np.isfinite(d[50:, 50:]).all()
    assert downsample(np.zeros((10, 20, 3), np.uint16), 100).dtype == np.uint16
    assert display_image(np.full((10, 10), 65535, np.uint16)).max() == 255
