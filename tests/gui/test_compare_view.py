"""Linked views in one coordinate frame, downsampled display, split line, pixel readout."""
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


def test_100_percent_on_a_large_photo_shows_full_resolution_pixels(view, qtbot):
    from PySide6.QtCore import QPointF

    rng = np.random.default_rng(0)
    full = rng.integers(0, 256, (2000, 3000), dtype=np.uint8)      # noise: every pixel differs
    colour = rng.random((2000, 3000, 3), dtype=np.float32)
    shown = display_image(full)
    assert shown.shape == (1365, 2048)                                # the display copy is smaller
    view.set_frame(3000, 2000)
    view.set_image("gray", shown, full)
    view.set_image("result", display_image(colour), colour)
    view.fit()
    qtbot.wait(100)
    assert view.details["gray"].image is None                         # fitted: the copy is enough
    assert not view.shows_detail("gray") and not view.shows_detail("result")
    view.actual_size()
    assert view.zoom_factor() == pytest.approx(1.0, rel=1e-3)
    assert view.shows_detail("gray") and view.shows_detail("result")
    vb = view.views["gray"]
    for panel, source in (("gray", full), ("result", colour)):
        tile = view.details[panel]
        assert tile.image is not None, panel
        rect = tile.mapRectToParent(tile.boundingRect())              # frame units covered by the tile
        assert rect.width() / tile.image.shape[1] == pytest.approx(1.0)   # 1 image px per frame px
        assert rect.contains(vb.viewRect())                           # it covers what is seen
        x, y = int(rect.left()) + 7, int(rect.top()) + 5
        expected = source[y, x] if source.dtype == np.uint8 else np.rint(source[y, x] * 255)
        assert np.array_equal(tile.image[5, 7], expected), panel      # the real pixel, not the copy's
    # 1 frame px per screen px and 1 image px per frame px: 1 image px per screen px
    scene_per_image_px = vb.mapViewToScene(QPointF(1, 0)).x() - vb.mapViewToScene(QPointF(0, 0)).x()
    assert scene_per_image_px == pytest.approx(1.0, rel=1e-3)
    # the readout under the mouse reports full-resolution coordinates and values
    centre = vb.viewRect().center()
    texts = []
    view.pixelInfo.connect(texts.append)
    view.canvases[0].scene().sigMouseMoved.emit(vb.mapViewToScene(centre))
    cx, cy = int(centre.x()), int(centre.y())
    assert texts and texts[-1].startswith(f"x {cx}  y {cy}") and f"gray {full[cy, cx]}" in texts[-1]
    # fitting again drops the tiles (memory back to the display copies)
    view.fit()
    qtbot.waitUntil(lambda: view.details["gray"].image is None, timeout=2000)


def test_on_a_hidpi_screen_100_percent_is_one_photo_pixel_per_device_pixel(view, qtbot, monkeypatch):
    full = np.random.default_rng(2).integers(0, 256, (2000, 3000), dtype=np.uint8)
    view.set_frame(3000, 2000)
    view.set_image("gray", display_image(full), full)
    view.fit()
    monkeypatch.setattr(view, "pixel_ratio", lambda: 2.0)            # a Retina / 200 % screen
    vb = view.views["gray"]
    view.actual_size()
    assert view.zoom_factor() == pytest.approx(1.0, rel=1e-3)
    assert vb.viewRect().width() == pytest.approx(2 * vb.size().width(), rel=1e-3)   # not 2x2 blocks
    tile = view.details["gray"]
    rect = tile.mapRectToParent(tile.boundingRect())
    assert rect.width() / tile.image.shape[1] == pytest.approx(1.0)   # every photo pixel in the tile
    # at 80 % the logical pixels (0.4 per photo pixel) would not magnify the display copy
    # (0.4 x 3000 / 2048 = 0.59), but the device pixels do (1.17): a tile at the device's
    # resolution instead of the copy stretched over twice its pixels
    view._zoom_to(vb, vb.viewRect().center(), 0.8)
    view.refresh_details()
    assert view.zoom_factor() == pytest.approx(0.8, rel=1e-3) and view.shows_detail("gray")
    rect = tile.mapRectToParent(tile.boundingRect())
    assert rect.width() / tile.image.shape[1] == pytest.approx(1 / 0.8, rel=0.01)   # 1 tile px per device px


def test_split_view_detail_stops_at_the_line(view, qtbot):
    full = np.random.default_rng(1).integers(0, 256, (2000, 3000), dtype=np.uint8)
    colour = np.zeros((2000, 3000, 3), np.float32)
    view.set_frame(3000, 2000)
    view.set_image("gray", display_image(full), full)
    view.set_image("result", display_image(colour), colour)
    view.fit()
    view.set_mode("split")
    view.actual_size()                                                # centred on the line (x 1500)
    after, before = view.details["split_after"], view.details["split_before"]
    assert before.image is not None and after.image is not None
    assert view.shows_detail("result") and view.shows_detail("gray")
    right = after.mapRectToParent(after.boundingRect()).right()
    assert right == pytest.approx(1500, abs=1)
    view.set_split_position(0.0)
    qtbot.waitUntil(lambda: view.details["split_after"].image is None, timeout=2000)


def test_the_result_alone_fills_the_view_and_the_split_comes_back_as_it_was(view, qtbot):
    from colorstudio.gui.compare_view import RESULT, SIDE_BY_SIDE, SPLIT

    full = np.random.default_rng(3).integers(0, 256, (2000, 3000), dtype=np.uint8)
    colour = np.random.default_rng(4).random((2000, 3000, 3), dtype=np.float32)
    view.set_frame(3000, 2000)
    view.set_image("gray", display_image(full), full)
    view.set_image("result", display_image(colour), colour)
    view.fit()
    view.set_mode(SPLIT)
    view.set_split_position(0.3)
    view.set_mode(RESULT)
    assert view.stack.currentIndex() == 1 and not view.split_line.isVisible()
    after = view.split_after
    assert after.image.shape == view.shown["result"].shape               # the whole result, no gray
    assert after.mapRectToParent(after.boundingRect()).width() == pytest.approx(3000)
    assert view.split_title.text().startswith("Result (result)")
    view.fit()
    qtbot.wait(100)
    view.actual_size()                                                    # at 100 %: the real pixels,
    qtbot.waitUntil(lambda: view.details["split_after"].image is not None, timeout=2000)
    tile = view.details["split_after"]
    assert tile.mapRectToParent(tile.boundingRect()).contains(view.split_view.viewRect())   # everywhere
    assert view.details["split_before"].image is None                    # the hidden side costs nothing
    assert view.shows_detail("result")
    vb = view.split_view
    centre = vb.viewRect().center()
    text = view.readout(centre.x(), centre.y())
    assert "result" in text and "gray" in text                            # the readout still names both
    view.toggle_before()                                                  # the backslash key: the gray in its place
    assert view.showing_before and view.split_after.image is None
    assert view.split_title.text().startswith("Before (gray)")
    qtbot.waitUntil(lambda: view.details["split_before"].image is not None, timeout=2000)
    assert view.details["split_after"].image is None and view.shows_detail("gray")
    view.toggle_before()                                                  # and back
    assert not view.showing_before and view.split_after.image.shape == view.shown["result"].shape
    view.toggle_before()
    view.set_image("result", display_image(colour), colour)              # a new result is shown at once
    assert not view.showing_before and view.split_after.image is not None
    view.set_mode(SPLIT)                                                  # the split as it was left
    assert view.split_line.isVisible() and view.split_line.value() == pytest.approx(900)
    assert view.split_title.text().startswith("After (result)")
    view.set_mode(SIDE_BY_SIDE)
    assert view.stack.currentIndex() == 0


def test_result_alone_before_any_result_shows_the_grays_own_pixels_at_100_percent(view, qtbot):
    from colorstudio.gui.compare_view import RESULT

    full = np.random.default_rng(6).integers(0, 256, (2000, 3000), dtype=np.uint8)
    view.set_frame(3000, 2000)
    view.set_image("gray", display_image(full), full)
    view.set_mode(RESULT)                                   # the mode a user last left it in
    assert view.split_title.text().startswith("No result yet")
    view.fit()
    qtbot.wait(100)
    view.actual_size()
    qtbot.waitUntil(lambda: view.details["split_before"].image is not None, timeout=2000)
    assert view.shows_detail("gray")


def test_z_and_a_double_click_toggle_fit_and_100_percent_where_the_mouse_is(view, qtbot):
    from types import SimpleNamespace

    from PySide6.QtCore import QPointF

    full = np.random.default_rng(5).integers(0, 256, (2000, 3000), dtype=np.uint8)
    view.set_frame(3000, 2000)
    view.set_image("gray", display_image(full), full)
    view.fit()
    qtbot.wait(100)
    vb = view.views["gray"]
    scene = view.canvases[0].scene()
    scene.sigMouseMoved.emit(vb.mapViewToScene(QPointF(2500, 400)))   # the mouse over a detail
    assert view.point_under_mouse().x() == pytest.approx(2500, abs=1)
    view.toggle_zoom()                                                # Z: 100 % there
    assert view.zoom_factor() == pytest.approx(1.0, rel=1e-3)
    assert vb.viewRect().center().x() == pytest.approx(2500, abs=1)
    assert vb.viewRect().center().y() == pytest.approx(400, abs=1)
    view.toggle_zoom()                                                # Z again: fit
    qtbot.waitUntil(lambda: view.zoom_factor() < 0.5, timeout=2000)
    clicks = []
    event = SimpleNamespace(double=lambda: True, accept=lambda: clicks.append(1),
                            scenePos=lambda: vb.mapViewToScene(QPointF(600, 1500)))
    scene.sigMouseClicked.emit(event)                                 # a double click: 100 % there
    assert clicks and view.zoom_factor() == pytest.approx(1.0, rel=1e-3)
    assert vb.viewRect().center().x() == pytest.approx(600, abs=1)
    single = SimpleNamespace(double=lambda: False, accept=lambda: clicks.append(2),
                             scenePos=lambda: vb.mapViewToScene(QPointF(10, 10)))
    scene.sigMouseClicked.emit(single)                                # a single click: nothing
    assert clicks == [1] and vb.viewRect().center().x() == pytest.approx(600, abs=1)
    under = vb.mapViewToScene(QPointF(700, 1500))                      # the mouse stays in place while
    scene.sigMouseMoved.emit(under)                                   # the view zooms: Z takes the
    view.toggle_zoom()                                                # photo point under it now
    qtbot.waitUntil(lambda: view.zoom_factor() < 0.5, timeout=2000)
    expected = vb.mapSceneToView(under)
    view.toggle_zoom()
    assert vb.viewRect().center().x() == pytest.approx(expected.x(), abs=1)
    scene.sigMouseMoved.emit(vb.mapViewToScene(QPointF(-50, 10)))     # off the photo: none
    assert view.point_under_mouse() is None
    from PySide6.QtCore import QEvent

    scene.sigMouseMoved.emit(vb.mapViewToScene(QPointF(700, 1500)))
    texts = []
    view.pixelInfo.connect(texts.append)
    view.leaveEvent(QEvent(QEvent.Type.Leave))                        # the mouse left the views
    assert view.point_under_mouse() is None and texts == [""]


def test_a_pan_within_the_tiles_margin_cuts_no_new_tile(view, qtbot, monkeypatch):
    from colorstudio.gui import detail_tiles

    full = np.random.default_rng(7).integers(0, 256, (2000, 3000, 3), dtype=np.uint8)
    view.set_frame(3000, 2000)
    view.set_image("gray", display_image(full.mean(-1).astype(np.uint8)), full)   # a colour photo shown as gray
    view.fit()
    qtbot.wait(100)
    view.actual_size()
    qtbot.waitUntil(lambda: view.details["gray"].image is not None, timeout=2000)
    first = view._tile_asked["gray"]
    assert first.pixels.ndim == 2                                  # the luma, as the copy shows
    cuts = []
    real = detail_tiles.to_uint8
    monkeypatch.setattr(detail_tiles, "to_uint8", lambda a: (cuts.append(a.shape), real(a))[1])
    vb = view.views["gray"]
    r = vb.viewRect()
    vb.setRange(xRange=(r.left() + 0.1 * r.width(), r.right() + 0.1 * r.width()),
                yRange=(r.top(), r.bottom()), padding=0)         # 10 % of the view: inside the 25 % margin
    view.refresh_details()
    assert view._tile_asked["gray"] is first and not cuts
    vb.setRange(xRange=(r.left() + 0.6 * r.width(), r.right() + 0.6 * r.width()),
                yRange=(r.top(), r.bottom()), padding=0)         # beyond it: a new cut
    view.refresh_details()
    assert view._tile_asked["gray"] is not first and len(cuts) == 1


def test_a_large_cut_is_made_off_the_gui_thread_and_arrives(view, qtbot, monkeypatch):
    import threading

    from colorstudio.gui import detail_tiles

    monkeypatch.setattr(detail_tiles, "CUT_LATER_PIXELS", 1000)     # every cut here counts as large
    threads = []
    real = detail_tiles._cut
    monkeypatch.setattr(detail_tiles, "_cut", lambda *a: (threads.append(threading.get_ident()), real(*a))[1])
    full = np.random.default_rng(3).integers(0, 256, (2000, 3000), dtype=np.uint8)
    view.set_frame(3000, 2000)
    view.set_image("gray", display_image(full), full)
    view.fit()
    qtbot.wait(100)
    view.actual_size()
    assert view.shows_detail("gray")                               # asked for: counts as shown
    qtbot.waitUntil(lambda: view.details["gray"].image is not None, timeout=5000)
    assert threads and threading.get_ident() not in threads        # cut in the pool
    tile = view.details["gray"]
    rect = tile.mapRectToParent(tile.boundingRect())
    x, y = int(rect.left()) + 7, int(rect.top()) + 5
    assert tile.image[5, 7] == full[y, x]                          # the real pixel


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


def test_the_readout_is_emptied_when_the_mode_changes_or_the_mouse_leaves_a_view(view, qtbot):
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

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
    view.set_mode("split")                                       # other panels: not the last values
    assert texts[-1] == ""
    view.set_mode("side")
    scene.sigMouseMoved.emit(vb.mapViewToScene(QPointF(200, 150)))
    assert texts[-1] != ""
    QApplication.sendEvent(view.canvases[0], QEvent(QEvent.Type.Leave))   # onto a title or the gap
    assert texts[-1] == ""


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
