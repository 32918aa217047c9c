"""The compare view at 100 %: full-resolution tiles cut where the view looks (off the GUI thread
when large), HiDPI screens, the split line's detail, the result alone, fit <-> 100 % by Z or a
double click."""
from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtCore import QPointF

from colorstudio.gui.display import display_image


def drawn_photo_pixel(view, device: tuple[int, int], ratio: float) -> tuple[int, int]:
    """The gray's pixel Qt draws at 100 % in the window's device pixel ``device``: the picture
    (its full-resolution tile when shown) placed with its corner on a whole device pixel, a
    half rounded away from zero (measured under Xvfb at 100–200 % screens)."""
    canvas, vb, tile = view.canvases[0], view.views["gray"], view.details["gray"]
    shown = tile.isVisible() and tile.image is not None
    corner_in_frame = tile.mapToParent(QPointF(0, 0)) if shown else QPointF(0, 0)
    corner = canvas.viewportTransform().map(vb.mapViewToScene(corner_in_frame))
    offset = canvas.viewport().mapTo(canvas.window(), QPointF(0, 0))
    first = [math.copysign(math.floor(abs(v) + 0.5), v)
             for v in ((corner.x() + offset.x()) * ratio, (corner.y() + offset.y()) * ratio)]
    return (round(corner_in_frame.x()) + device[0] - int(first[0]),
            round(corner_in_frame.y()) + device[1] - int(first[1]))


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
    at = vb.mapViewToScene(centre)
    view.canvases[0].scene().sigMouseMoved.emit(at)
    # the photo pixel drawn in the screen pixel there
    canvas = view.canvases[0]
    offset = canvas.viewport().mapTo(canvas.window(), QPointF(0, 0))
    mouse = canvas.viewportTransform().map(at)
    cx, cy = drawn_photo_pixel(view, (math.floor(mouse.x() + offset.x()), math.floor(mouse.y() + offset.y())), 1.0)
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


@pytest.mark.parametrize("ratio", [1.25, 1.5, 2.0])
def test_on_a_scaled_screen_the_readout_names_the_photo_pixel_drawn_under_the_mouse(view, qtbot, monkeypatch,
                                                                                    ratio):
    """Qt's scene position drops the fraction of a logical pixel the mouse's has (at 200 % the
    readout named the pixel below or beside the one under the pointer in 32 of 40 places under
    Xvfb), and a view starting a fraction of a device pixel into the window was counted from
    its own corner. Now: 40 of 40 at 100, 125, 150, 175 and 200 % under Xvfb, also at 170–410 %
    zoom and with the picture half a device pixel off."""
    from PySide6.QtCore import QEvent, QPointF, Qt
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    full = np.random.default_rng(3).integers(0, 256, (600, 900), dtype=np.uint8)
    view.set_frame(900, 600)
    view.set_image("gray", display_image(full), full)
    view.fit()
    monkeypatch.setattr(view, "pixel_ratio", lambda: ratio)
    view.actual_size()
    texts = []
    view.pixelInfo.connect(texts.append)
    viewport = view.canvases[0].viewport()
    corner = viewport.mapTo(viewport.window(), QPointF(0, 0))     # the view's place in the window
    for shift in (0.0, 0.5, 0.25):                                # also a picture half a device pixel off
        view.views["gray"].translateBy(x=shift, y=shift)
        for dx, dy in ((0, 0), (1, 1), (2, 3), (5, 7), (-3, 4)):
            device = (round((viewport.width() / 2 + corner.x()) * ratio) + dx,
                      round((viewport.height() / 2 + corner.y()) * ratio) + dy)
            at = QPointF(device[0] / ratio - corner.x(), device[1] / ratio - corner.y())   # with its fraction
            move = QMouseEvent(QEvent.Type.MouseMove, at, viewport.mapToGlobal(at), Qt.MouseButton.NoButton,
                               Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
            QApplication.sendEvent(viewport, move)
            col, row = drawn_photo_pixel(view, device, ratio)
            assert texts and texts[-1].startswith(f"x {col}  y {row}"), (shift, device, texts[-1])
            assert f"gray {full[row, col]}" in texts[-1]


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


def fitted_gray(view, qtbot, shape, seed):
    """A noise gray of ``shape`` shown alone and fitted."""
    full = np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)
    view.set_frame(shape[1], shape[0])
    view.set_image("gray", display_image(full), full)
    view.fit()
    qtbot.wait(100)
    return full


def test_z_and_a_double_click_toggle_fit_and_100_percent_where_the_mouse_is(view, qtbot):
    from types import SimpleNamespace

    from PySide6.QtCore import QPointF

    full = fitted_gray(view, qtbot, (2000, 3000), 5)
    vb = view.views["gray"]
    scene = view.canvases[0].scene()
    screen_px = 1 / view.zoom_factor()         # photo pixels per screen pixel at fit: the mouse's precision
    scene.sigMouseMoved.emit(vb.mapViewToScene(QPointF(2500, 400)))   # the mouse over a detail
    assert view.point_under_mouse().x() == pytest.approx(2500, abs=screen_px)
    view.toggle_zoom()                                                # Z: 100 % there
    assert view.zoom_factor() == pytest.approx(1.0, rel=1e-3)
    assert vb.viewRect().center().x() == pytest.approx(2500, abs=screen_px)
    assert vb.viewRect().center().y() == pytest.approx(400, abs=screen_px)
    view.toggle_zoom()                                                # Z again: fit
    qtbot.waitUntil(lambda: view.zoom_factor() < 0.5, timeout=2000)
    clicks = []
    event = SimpleNamespace(double=lambda: True, accept=lambda: clicks.append(1),
                            scenePos=lambda: vb.mapViewToScene(QPointF(600, 1500)))
    scene.sigMouseClicked.emit(event)                                 # a double click: 100 % there
    assert clicks and view.zoom_factor() == pytest.approx(1.0, rel=1e-3)
    assert vb.viewRect().center().x() == pytest.approx(600, abs=screen_px)
    single = SimpleNamespace(double=lambda: False, accept=lambda: clicks.append(2),
                             scenePos=lambda: vb.mapViewToScene(QPointF(10, 10)))
    scene.sigMouseClicked.emit(single)                                # a single click: nothing
    assert clicks == [1] and vb.viewRect().center().x() == pytest.approx(600, abs=screen_px)
    under = vb.mapViewToScene(QPointF(700, 1500))                      # the mouse stays in place while
    scene.sigMouseMoved.emit(under)                                   # the view zooms: Z takes the
    view.toggle_zoom()                                                # photo point under it now
    qtbot.waitUntil(lambda: view.zoom_factor() < 0.5, timeout=2000)
    expected = vb.mapSceneToView(under)
    view.toggle_zoom()
    assert vb.viewRect().center().x() == pytest.approx(expected.x(), abs=screen_px)
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


def test_a_resize_keeps_the_zoom_and_centre_of_the_side_by_side_views(view, qtbot):
    """The linked, aspect-locked views each widened their range as the grid resized them in
    turn: 100 % fell to 0.2 % over a few resizes and the photo drifted off the view."""
    view.set_frame(1001, 777)
    for name in ("gray", "reference", "result"):
        view.set_image(name, np.zeros((777, 1001, 3), np.uint8))
    view.resize(1300, 700)
    qtbot.wait(50)
    view.actual_size(QPointF(400, 300))
    for size in ((1400, 700), (1400, 900), (1400, 700), (1300, 700)) * 2:   # row <-> 2x2 and back
        view.resize(*size)
        qtbot.wait(30)
    assert view.zoom_factor() == pytest.approx(1.0, rel=1e-3)
    centre = view.views["gray"].viewRect().center()
    assert centre.x() == pytest.approx(400, abs=1) and centre.y() == pytest.approx(300, abs=1)
    view.pan_by(0.25, 0)                                   # the arrow keys: that place is kept
    moved = view.views["gray"].viewRect().center()
    view.resize(1400, 900)
    qtbot.wait(30)
    assert view.views["gray"].viewRect().center().x() == pytest.approx(moved.x(), abs=1)


def test_the_readout_names_the_pixel_drawn_under_the_mouse_at_a_fractional_offset(view, qtbot):
    """At 100 % centred on a fractional point (a double click's), the readout mapped the screen
    pixel's corner and named the photo pixel above or left of the one drawn there."""
    import re

    y, x = np.mgrid[0:777, 0:1001]
    full = ((x * 7 + y * 13) % 256).astype(np.uint8)        # neighbours always differ
    view.set_frame(1001, 777)
    view.set_image("gray", full, full)
    view.actual_size(QPointF(500.7, 300.6))
    qtbot.wait(50)
    canvas, vb = view.canvases[0], view.views["gray"]
    picture = canvas.viewport().grab().toImage()      # (the canvas has a 1 px focus frame around it)
    texts = []
    view.pixelInfo.connect(texts.append)
    origin = vb.mapViewToScene(vb.viewRect().topLeft())
    for dx, dy in ((20, 20), (57, 33), (101, 80), (140, 151)):
        at = QPointF(int(origin.x()) + dx, int(origin.y()) + dy)      # a mouse position: whole pixels
        canvas.scene().sigMouseMoved.emit(at)
        shown = picture.pixelColor(canvas.mapFromScene(at)).red()
        read = int(re.search(r"gray (\d+)", texts[-1]).group(1))
        assert read == shown, (dx, dy, texts[-1], shown)


def test_the_result_side_of_the_split_ends_at_the_line_at_any_zoom(view, qtbot):
    view.set_frame(300, 200)
    view.set_image("gray", np.zeros((200, 300), np.uint8))
    view.set_image("result", np.dstack([np.full((200, 300), 255, np.uint8), np.zeros((200, 300, 2), np.uint8)]))
    view.set_mode("split")
    view.set_split_position(0.502)                                   # the line at x 150.6: a cut at 151
    view._zoom_to(view.split_view, QPointF(150, 100), 16.0)          # 1600 %
    qtbot.wait(100)
    picture = view.split_canvas.viewport().grab().toImage()
    line = view.split_canvas.mapFromScene(view.split_view.mapViewToScene(QPointF(view.split_line.value(), 100)))
    row = line.y()
    reds = [c for c in range(picture.width())
            if (lambda p: p.red() > 200 and p.green() < 60)(picture.pixelColor(c, row))]
    assert reds and max(reds) <= line.x() + 1                        # the line's pen covers +-1 px


def test_the_zoom_stops_at_6400_percent_and_an_eighth_of_the_fitted_photo(view, qtbot):
    # unbounded, a wheel spun on took the photo to 0.001 % or 400 000 %, with no way back but Fit
    from colorstudio.gui.zoom_limits import MOST_ZOOM, zoom_range

    fitted_gray(view, qtbot, (600, 800), 0)
    fit, vb = view.zoom_factor(), view.views["gray"]
    for _ in range(60):
        view.zoom_by(1.25)                                   # Ctrl++ held down
    assert view.zoom_factor() == pytest.approx(MOST_ZOOM, rel=1e-3)
    view.fit()
    qtbot.wait(50)
    for _ in range(100):
        vb.scaleBy(s=(2, 2))                                 # what the wheel does, outwards
    assert fit / 9 < view.zoom_factor() < fit / 7
    r, size = vb.viewRect(), vb.size()
    assert r.width() / r.height() == pytest.approx(size.width() / size.height(), rel=1e-3)   # square pixels
    for _ in range(100):
        vb.scaleBy(s=(0.5, 0.5))                             # and inwards
    assert view.zoom_factor() == pytest.approx(MOST_ZOOM, rel=1e-3)
    assert zoom_range((1000, 800), (8, 8)) == (1.0, 200.0)             # a tiny photo: fitted, and 100 %
    assert zoom_range((1000, 800), (8000, 6000)) == (1000 / 8000 / 8, MOST_ZOOM)


def test_a_cut_of_many_bytes_is_left_to_a_worker_and_a_crop_is_reduced_without_a_copy():
    """A float RGB result's pixels cost 12 times a gray's: a 3 MP cut of one at 70 % took
    40-120 ms in the GUI thread, under the 4 MP rule that counted pixels only."""
    from colorstudio.gui import detail_tiles

    result = np.zeros((2400, 3200, 3), np.float32)
    gray = np.zeros((2400, 3200), np.uint8)
    visible = (0.0, 0.0, 1400.0, 1050.0)                        # about 3 MP with the margin, at 70 %
    for full, later in ((result, True), (gray, False)):
        tile = detail_tiles.detail_tile(full, (768, 1024, 3) if full.ndim == 3 else (768, 1024), (3200, 2400),
                                        visible, zoom=0.7)
        assert (tile.pixels is None) == later
    crop = result[10:1000, 20:1500]
    assert detail_tiles._rows_apart(crop) is crop                  # OpenCV takes a crop's row steps
    four = np.zeros((50, 60, 4), np.float32)[..., :3]
    assert detail_tiles._rows_apart(four).flags.c_contiguous        # channels apart: copied
