"""Linked views in one coordinate frame, downsampled display, split line, pixel readout, the
grid and fitting (at 100 %: test_compare_view_detail.py)."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF

from colorstudio.gui.display import display_image, downsample


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


def test_a_colour_photo_shown_as_its_gray_reads_out_its_gray(view):
    rgb = np.zeros((60, 80, 3), np.uint8)
    rgb[...] = (200, 100, 50)                    # luma 0.299*200 + 0.587*100 + 0.114*50 = 124.2
    view.set_frame(80, 60)
    view.set_image("gray", np.full((60, 80), 124, np.uint8), rgb)
    assert "gray 124" in view.readout(10, 10) and "200" not in view.readout(10, 10)


def test_a_smaller_reference_of_the_same_shape_is_scaled_over_the_gray_frame(view):
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
    qtbot.wait(20)                           # the photos shown and fitted, then the user zooms
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


def test_a_reference_of_another_aspect_ratio_is_fitted_not_stretched(view, qtbot):
    rng = np.random.default_rng(3)
    view.set_frame(4000, 2252)                                   # a 16:9 gray…
    view.set_image("gray", display_image(np.zeros((2252, 4000), np.uint8)), np.zeros((2252, 4000), np.uint8))
    ref = rng.integers(0, 256, (2000, 3000, 3), dtype=np.uint8)  # …and a 3:2 colour shot
    view.set_image("reference", display_image(ref), ref)
    item = view.images["reference"]
    rect = item.mapRectToParent(item.boundingRect())
    assert rect.width() / rect.height() == pytest.approx(1.5, rel=1e-3)         # its own shape
    assert rect.height() == pytest.approx(2252) and rect.center().x() == pytest.approx(2000)   # centred
    x0 = rect.left()
    assert view.readout(x0 - 5, 1000).count("reference") == 0                  # beside it: no value
    col, row = 1500, 1000
    fx, fy = x0 + (col + 0.5) * rect.width() / 3000, (row + 0.5) * rect.height() / 2000
    assert "reference " + " ".join(str(v) for v in ref[row, col]) in view.readout(fx, fy)
    view.fit()
    view.actual_size(QPointF(2000, 1126))                        # 100 %: its full-resolution tile
    qtbot.waitUntil(lambda: view.details["reference"].image is not None, timeout=3000)
    tile = view.details["reference"]
    trect = tile.mapRectToParent(tile.boundingRect())
    assert trect.left() >= x0 - 1e-6 and trect.right() <= rect.right() + 1e-6
    c0 = round((trect.left() - x0) * 3000 / rect.width())
    r0 = round(trect.top() * 2000 / rect.height())
    assert np.array_equal(tile.image[5, 7], ref[r0 + 5, c0 + 7])               # lies where the copy does
    (gx, _), (rx, _) = view.views["gray"].viewRange(), view.views["reference"].viewRange()
    assert gx == pytest.approx(rx, abs=1)                        # zoom and pan still shared


def _hovering_a_flat_90(view, qtbot):
    """Three 400 x 300 panels of value 90, fitted, the mouse moved onto (200, 150) of the gray's
    view: (the readout texts emitted, that view, its scene)."""
    view.set_frame(400, 300)
    for name in ("gray", "reference", "result"):
        view.set_image(name, np.full((300, 400, 3), 90, np.uint8))
    view.fit()
    qtbot.wait(50)
    texts = []
    view.pixelInfo.connect(texts.append)
    vb, scene = view.views["gray"], view.canvases[0].scene()
    scene.sigMouseMoved.emit(vb.mapViewToScene(QPointF(200, 150)))
    assert "result 90 90 90" in texts[-1]
    return texts, vb, scene


def test_the_readout_is_emptied_when_the_mode_changes_or_the_mouse_leaves_a_view(view, qtbot):
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    texts, vb, scene = _hovering_a_flat_90(view, qtbot)
    view.set_mode("split")                                       # other panels: not the last values
    assert texts[-1] == ""
    view.set_mode("side")
    scene.sigMouseMoved.emit(vb.mapViewToScene(QPointF(200, 150)))
    assert texts[-1] != ""
    QApplication.sendEvent(view.canvases[0], QEvent(QEvent.Type.Leave))   # onto a title or the gap
    assert texts[-1] == ""


def test_the_readout_follows_a_picture_or_a_view_that_changes_under_a_still_mouse(view, qtbot):
    """Switching to another kept result ([ ]) or panning with the keys left the values of the
    picture and the point the mouse had been over."""
    texts, _, _ = _hovering_a_flat_90(view, qtbot)
    ramp = np.tile(np.arange(400, dtype=np.uint8)[None, :, None] // 2, (300, 1, 3))
    view.set_image("result", ramp)                               # another result, the mouse still
    x = int(view.point_under_mouse().x())
    assert texts[-1].endswith(f"result {x // 2} {x // 2} {x // 2}")
    view.pan_by(0.125, 0)                                        # the view moves under it
    p = view.point_under_mouse()
    assert texts[-1] == view.readout(p.x(), p.y()) and f"x {int(p.x())}" in texts[-1] and int(p.x()) != 200


def test_a_landscape_pair_is_arranged_two_by_two_and_a_single_gray_in_a_column(view, qtbot):
    view.resize(800, 790)
    view.show()
    view.set_frame(741, 500)
    qtbot.waitUntil(lambda: view.grid == (2, 2) and view.columns["result"].geometry().top() > 0)
    geo = {p: view.columns[p].geometry() for p in ("gray", "reference", "result")}
    assert geo["gray"].top() == geo["reference"].top() < geo["result"].top()
    assert geo["gray"].left() == geo["result"].left() < geo["reference"].left()
    assert geo["gray"].width() > 350                      # not a third of 800
    view.show_panel("reference", False)                   # a single gray: two photos
    qtbot.waitUntil(lambda: view.grid == (2, 1))
    assert not view.columns["reference"].isVisible()
    view.resize(1800, 400)                                # a wide window: one row again
    qtbot.waitUntil(lambda: view.grid == (1, 2))
    view.show_panel("reference", True)
    qtbot.waitUntil(lambda: view.grid == (1, 3))
    assert view.columns["reference"].isVisible()


def _shows_whole_photo(vb, w, h) -> bool:
    """The view shows the whole frame and no more than a fit's padding around it."""
    r = vb.viewRect()
    inside = r.left() <= 0.5 and r.top() <= 0.5 and r.right() >= w - 0.5 and r.bottom() >= h - 0.5
    snug = r.width() <= w * 1.08 or r.height() <= h * 1.08
    return inside and snug


def test_a_fitted_view_stays_fitted_through_resizes_new_grids_and_results(view, qtbot):
    """The grid moves the three views into cells of new shapes one after another, and pyqtgraph's
    linked views switch their auto-range off as they do: the fit is the view's own state."""
    view.set_frame(741, 500)
    for name in ("gray", "reference"):
        view.set_image(name, np.zeros((500, 741, 3), np.uint8))
    view.fit()
    for size in ((800, 790), (1800, 400), (600, 900), (1300, 700)):     # 2x2, row, column, ...
        view.resize(*size)
        qtbot.waitUntil(lambda: _shows_whole_photo(view.views["gray"], 741, 500), timeout=3000)
    view.set_image("result", np.zeros((500, 741, 3), np.uint8))          # a result arrives
    view.resize(800, 790)
    qtbot.waitUntil(lambda: view.grid == (2, 2) and _shows_whole_photo(view.views["result"], 741, 500),
                    timeout=3000)
    view.set_frame(400, 900)                                              # a portrait photo opened
    view.set_image("gray", np.zeros((900, 400), np.uint8))
    qtbot.waitUntil(lambda: _shows_whole_photo(view.views["gray"], 400, 900), timeout=3000)
    view.zoom_by(2.0)                                                     # a zoom ends the fitting
    assert not view.fitting
    zoomed = view.views["gray"].viewRect()
    view.resize(820, 800)
    qtbot.wait(100)
    assert not _shows_whole_photo(view.views["gray"], 400, 900)
    assert view.views["gray"].viewRect().width() < zoomed.width() * 1.2


def test_a_16_bit_photo_is_shown_with_the_levels_the_readout_gives():
    # the display cut 16 bits to 8 (v >> 8), the readout rounded: one level apart on 16256 levels
    from colorstudio.gui.display import to_uint8

    levels = np.arange(65536, dtype=np.uint16)
    np.testing.assert_array_equal(to_uint8(levels), np.rint(levels / 65535 * 255).astype(np.uint8))
    assert to_uint8(np.array([33024], np.uint16))[0] == 128
