"""The diagnostics dock holds the maps and the learned curve with the right shapes and colours."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
import pytest

from colorstudio.core.diagnostic_maps import confidence_to_rgb
from colorstudio.gui.curve_math import interpolate_curve, pair_histogram
from colorstudio.gui.diagnostics_dock import CONFIDENCE_CMAP, visibility_title


def stereo_like_diagnostics(h=40, w=60, seed=0):
    rng = np.random.default_rng(seed)
    x = np.arange(0, 256, 4, dtype=np.float64)                 # 64 nodes
    y = 255 * (x / 255) ** 0.8                                   # a gamma-like tone difference
    ref = rng.uniform(0, 255, 2000)
    mono = np.clip(255 * (ref / 255) ** 0.8 + rng.normal(0, 4, ref.size), 0, 255)
    d = {
        "confidence": rng.uniform(0, 1, (h, w)).astype(np.float32),
        "disparity": rng.uniform(-30, -5, (h, w)).astype(np.float32),
        "entropy": rng.uniform(0, 3, (h, w)).astype(np.float32),
        "residue": rng.normal(0, 0.02, (h, w)).astype(np.float32),
        "curve": {"x": x.tolist(), "y": y.tolist(), "pairs": np.stack([ref, mono], 1).tolist(),
                  "weights": rng.uniform(0, 1, ref.size).tolist()},
    }
    for s in range(5):
        d[f"visibility_{s}"] = rng.normal(0, 0.1, (h >> s, w >> s)).astype(np.float32)
    return d


def test_empty_dock_explains_itself(dock):
    assert not dock.tabs.isVisible() and dock.empty.isVisible()


def test_maps_and_curve_have_the_right_shapes(dock):
    dock.show_diagnostics(stereo_like_diagnostics(), {"method": "cyclecnn"}, frame_wh=(120, 80))
    assert {"Confidence", "Curve", "Visibility", "Disparity", "Uncertainty", "Other", "Info"} <= dock.shown
    assert dock.title_at(dock.tabs.currentIndex()) == "Confidence"
    assert dock.curve.nodes.getData()[0].size == 0            # other tabs are drawn when shown
    for title in ("Curve", "Visibility", "Disparity", "Uncertainty", "Other"):
        dock.tabs.setCurrentIndex(list(dock.pages).index(title))
    conf = dock.confidence.items["confidence"]
    assert conf.image.shape == (40, 60)
    assert conf.boundingRect().width() == 60 and conf.mapRectToParent(conf.boundingRect()).width() == 120
    top = np.percentile(stereo_like_diagnostics()["confidence"], 99)
    assert tuple(dock.confidence.bars["confidence"].levels()) == pytest.approx((0.0, top))   # its own units
    assert [dock.visibility.items[visibility_title(f"visibility_{s}")].image.shape for s in range(5)] == \
        [(40, 60), (20, 30), (10, 15), (5, 7), (2, 3)]
    for bar in dock.visibility.bars.values():
        lo, hi = bar.levels()
        assert lo == pytest.approx(-hi) and hi > 0                  # signed, symmetric
    assert dock.disparity.bar is not None and not dock.disparity.bars   # one range, one bar
    assert dock.disparity.items["disparity"].image.shape == (40, 60)
    assert dock.uncertainty.items["entropy of the disparity weights (nats)"].image.shape == (40, 60)
    assert list(dock.other.items) == ["size of the colour refinement's change (chroma, 0-1)"]   # in words
    nx, ny = dock.curve.nodes.getData()
    assert len(nx) == 64 and nx[0] == 0 and nx[-1] == 252
    cx, cy = dock.curve.curve.getData()
    assert len(cx) == 256 and np.all(np.isfinite(cy))
    assert dock.curve.histogram.image.shape == (128, 128) and dock.curve.histogram.image.max() == 1.0
    assert [label.text for _, label in dock.curve.legend.items] == \
        ["identity", "tone curve", "64 nodes", "pixel pairs (brighter: more)"]
    ix, iy = dock.curve.identity.getData()
    assert list(ix) == [0, 255] and list(iy) == [0, 255]
    assert "method: cyclecnn" in dock.info.toPlainText()


def test_confidence_colours_are_green_high_red_low(dock):
    lut = CONFIDENCE_CMAP.getLookupTable(0.0, 1.0, 256)
    assert lut[0][0] > 200 and lut[0][1] < 30          # low -> red
    assert lut[-1][1] > 200 and lut[-1][0] < 30        # high -> green
    assert np.allclose(lut[128][:3] / 255, confidence_to_rgb(np.array([128 / 255]))[0], atol=0.02)


def test_confidence_is_shown_relative_to_its_top_with_that_range_on_its_bar(dock):
    diagnostics = {"confidence": np.linspace(0, 0.04, 600, dtype=np.float32).reshape(20, 30)}
    dock.show_diagnostics(diagnostics, {})
    lo, hi = dock.confidence.items["confidence"].levels
    assert lo == 0 and hi == pytest.approx(np.percentile(diagnostics["confidence"], 99))
    assert tuple(dock.confidence.bars["confidence"].levels()) == pytest.approx((0.0, hi))   # the bar says 0…0.0396
    assert dock.confidence.caption.text == "confidence (green high)"


def test_a_classic_methods_matched_mask_is_called_what_it_is(dock):
    mask = (np.random.default_rng(0).random((20, 30)) > 0.3).astype(np.float32)
    dock.show_diagnostics({"confidence": mask}, {"method": "sgbm+gf"})
    assert list(dock.confidence.items) == ["matched (1) or filled in (0)"]
    assert tuple(dock.confidence.bars["matched (1) or filled in (0)"].levels()) == (0.0, 1.0)


@pytest.mark.parametrize("width", [260, 300, 420])
def test_the_colour_bars_and_every_tab_fit_a_narrow_dock(qtbot, dock, width):
    """The bars lie under the maps, so a narrow dock shrinks the maps, not the bars; tab names
    are shortened rather than hidden behind scroll arrows."""
    dock.resize(width, 700)
    dock.show_diagnostics(stereo_like_diagnostics(), {}, frame_wh=(120, 80))
    for title, grid in (("Confidence", dock.confidence), ("Visibility", dock.visibility)):
        dock.tabs.setCurrentIndex(list(dock.pages).index(title))
        qtbot.wait(10)
        inside = grid.rect()
        bars = list(grid.bars.values())
        assert bars and grid.caption is not None
        columns = 2 if title == "Visibility" else 1
        for item in bars + [grid.caption]:
            box = grid.mapFromScene(item.sceneBoundingRect()).boundingRect()
            assert inside.contains(box), (title, box, inside)
        for bar in bars:
            assert bar.sceneBoundingRect().width() > 0.6 * grid.width() / columns
    bar = dock.tabs.tabBar()
    visible = [i for i in range(bar.count()) if bar.isTabVisible(i)]
    assert not dock.tabs.usesScrollButtons() and bar.tabRect(visible[-1]).right() <= bar.width()
    # seven names in 300 px: Qt's own shortening made "Oc…" of Occlusion and "O…" of Other
    names = [bar.tabText(i) for i in visible]
    assert not any("…" in n for n in names), names
    assert (width > 300 or names[0] == "Conf.") and [dock.title_at(i) for i in visible][0] == "Confidence"
    dock.tabs.setCurrentIndex(list(dock.pages).index("Curve"))
    qtbot.wait(10)
    curve = dock.curve
    assert curve.ci.effectiveSizeHint(Qt.SizeHint.MinimumSize).width() <= dock.tabs.width()     # was 344 px
    dock.resize(800, 700)                                          # room for the full names: given them
    qtbot.waitUntil(lambda: bar.tabText(visible[0]) == "Confidence", timeout=2000)


def test_at_a_large_font_the_short_tab_names_scroll_rather_than_shrink_to_a_letter(qtbot):
    """At GNOME's 11 pt the tabs read "C… Cu… O… Di…": the short names did not fit either, and
    the padding the fit was measured with was smaller than the style's."""
    from PySide6.QtWidgets import QApplication

    from colorstudio.gui.diagnostics_dock import DiagnosticsDock

    usual = QApplication.font()
    large = QApplication.font()
    large.setPointSizeF(usual.pointSizeF() * 1.5)
    QApplication.setFont(large)          # as a desktop's font reaches the app, before its windows
    try:
        dock = DiagnosticsDock()
        qtbot.addWidget(dock)
        dock.resize(300, 700)
        dock.show()
        dock.show_diagnostics(stereo_like_diagnostics(), {}, frame_wh=(120, 80))
        bar = dock.tabs.tabBar()
        visible = [i for i in range(bar.count()) if bar.isTabVisible(i)]
        qtbot.waitUntil(dock.tabs.usesScrollButtons, timeout=2000)
        assert [bar.tabText(i) for i in visible][0] == "Conf." and dock.tabs.elideMode() == Qt.TextElideMode.ElideNone
        assert all(bar.tabRect(i).width() >= bar.tabSizeHint(i).width() for i in visible)     # none cut short
    finally:
        QApplication.setFont(usual)


def test_a_new_result_replaces_the_old_tabs(dock):
    dock.show_diagnostics(stereo_like_diagnostics(), {})
    dock.show_diagnostics({"flow": np.zeros((10, 12, 2), np.float32)}, {})
    assert dock.shown == {"Flow", "Disparity", "Info"}
    dock.render("Flow")
    assert dock.flow.bar is None and next(iter(dock.flow.items.values())).image.shape == (10, 12, 3)


def test_curve_interpolation_follows_the_nodes():
    x = np.arange(0, 256, 4)
    y = 0.5 * x + 10
    t = interpolate_curve(np.array([0, 100, 200, 255]), x, y)
    assert t == pytest.approx([10 + 0.5 * v for v in (0, 100, 200, 255)], abs=2.5)
    y_gaps = y.astype(float).copy()
    y_gaps[10:20] = np.nan                                 # nodes without support are skipped
    assert np.all(np.isfinite(interpolate_curve(np.arange(256), x, y_gaps)))


def test_pair_histogram_orientation():
    hist = pair_histogram([[200, 50]] * 10, bins=8)       # reference 200 (x), mono 50 (y)
    row, col = np.unravel_index(hist.argmax(), hist.shape)
    assert (row, col) == (50 * 8 // 256, 200 * 8 // 256)


def _rendered(item) -> np.ndarray:
    """The RGB pixels the ImageItem draws (its lookup table and levels applied), uint8. Read
    pixel by pixel: its image is indexed (the bytes are lookup-table indices) and its rows are
    not 4-byte aligned, which QImage's conversions misread."""
    item.render()
    q = item.qimage
    argb = np.array([[q.pixel(x, y) for x in range(q.width())] for y in range(q.height())], np.uint32)
    return np.stack([(argb >> 16) & 255, (argb >> 8) & 255, argb & 255], axis=-1).astype(np.uint8)


def test_chengs_chroma_before_its_filter_is_shown_in_the_colour_tab(dock):
    """cheng's (Cb, Cr) map before the bilateral filter was written by the CLI and the export but
    dropped by the dock (its Other tab takes 2-D maps only)."""
    chroma = np.dstack([np.full((40, 60), 0.3, np.float32), np.full((40, 60), 0.7, np.float32)])
    hue = np.zeros((40, 60), np.float32)
    dock.show_diagnostics({"hue": hue, "chroma_before_bilateral": chroma}, {"method": "cheng"})
    dock.tabs.setCurrentIndex(list(dock.pages).index("Colour"))
    assert "chroma before bilateral" in dock.colour.items and "Other" not in dock.shown


def test_each_visibility_scale_uses_its_own_colour_range(dock):
    rng = np.random.default_rng(1)
    sigmas = [0.3, 0.02, 3e-3, 4e-4, 5e-5]                      # V0 >> V1 >> ... >> V4
    vis = {f"visibility_{s}": rng.normal(0, sigma, (40 >> s, 60 >> s)).astype(np.float32)
           for s, sigma in enumerate(sigmas)}
    dock.show_diagnostics(vis, {})
    dock.tabs.setCurrentIndex(list(dock.pages).index("Visibility"))
    for key, v in vis.items():
        name = visibility_title(key)                              # titled in words, not by the key
        assert name != key and name.startswith(f"V{key[-1]}, ")
        item = dock.visibility.items[name]
        lo, hi = item.getLevels()
        assert lo == pytest.approx(-hi) and hi == pytest.approx(np.percentile(np.abs(v), 99), rel=1e-5)
        red_or_green = _rendered(item).max(axis=-1).astype(float)   # black at 0, bright at ±range
        assert red_or_green.mean() > 50, name                       # not black: N(0, s) -> ~80
        assert np.percentile(red_or_green, 95) > 180, name
        assert tuple(dock.visibility.bars[name].levels()) == pytest.approx((lo, hi))    # its bar, its units


def test_single_gray_hue_is_shown_as_its_colours_in_the_colour_tab(dock):
    from colorstudio.core.diagnostic_maps import hue_to_rgb, to_rgb

    hue = np.tile(np.linspace(0, 1, 60, endpoint=False, dtype=np.float32), (40, 1))
    sat = np.full((40, 60), 0.25, np.float32)
    rgb = hue_to_rgb(np.array([[0.0, 1 / 3, 2 / 3, 0.999]], np.float32))[0]
    np.testing.assert_allclose(rgb[:3], np.eye(3), atol=1e-5)          # red, green, blue
    np.testing.assert_allclose(rgb[3], rgb[0], atol=0.02)              # hue wraps around
    np.testing.assert_allclose(to_rgb("hue", hue), hue_to_rgb(hue))    # the CLI's PNG alike
    dock.show_diagnostics({"hue": hue, "saturation": sat}, {"method": "hsv2stage"})
    assert "Colour" in dock.shown and "Other" not in dock.shown
    dock.tabs.setCurrentIndex(list(dock.pages).index("Colour"))
    assert dock.title_at(dock.tabs.currentIndex()) == "Colour"
    pictures = dock.colour.items
    assert set(pictures) == {"hue", "hue at its saturation"} and dock.colour.bar is None
    np.testing.assert_allclose(pictures["hue"].image, hue_to_rgb(hue))
    weak = pictures["hue at its saturation"].image
    assert weak.min() >= 0.74 and np.allclose(weak.max(-1), 1.0)      # pale: saturation 0.25


def test_the_flow_tab_shows_the_warped_reference_beside_the_flow(dock):
    warped = np.random.default_rng(2).random((10, 12, 3)).astype(np.float32)
    dock.show_diagnostics({"flow": np.zeros((10, 12, 2), np.float32), "warped_reference": warped}, {})
    dock.render("Flow")
    titles = list(dock.flow.items)
    assert titles[0].startswith("flow (hue: direction") and "moved onto the gray" in titles[1]
    np.testing.assert_allclose(dock.flow.items[titles[1]].image, warped, atol=1e-6)


def test_the_info_tab_leaves_out_empty_lists():
    from colorstudio.gui.diagnostics_dock import facts_text

    text = facts_text({"method": "ccdc", "ignored_options": [], "seconds": 2.345678, "working_size": [64, 48]})
    assert text.splitlines() == ["method: ccdc", "seconds: 2.346", "working size: [64, 48]"]


def test_the_maps_can_be_redrawn_in_orange_and_blue(qtbot, window):
    """View ▸ Diagnostic colours: the dock redraws what it shows, and the choice is kept."""
    dock = window.diagnostics
    dock.show_diagnostics(stereo_like_diagnostics(), {})
    dock.tabs.setCurrentIndex(list(dock.pages).index("Visibility"))
    blue_before = max(_rendered(item)[..., 2].max() for item in dock.visibility.items.values())
    window.set_diagnostics_palette("orange-blue")
    assert window.settings.diagnostics_palette == "orange-blue" and window.palette_actions["orange-blue"].isChecked()
    dock.tabs.setCurrentIndex(list(dock.pages).index("Visibility"))
    blue_after = max(_rendered(item)[..., 2].max() for item in dock.visibility.items.values())
    assert blue_before == 0 and blue_after > 200
    assert dock.visibility.label == "orange −: colour shot less, blue +: more"
    assert dock.confidence.label == "confidence (blue high)"


def test_a_signed_maps_bar_labels_both_sides_however_small_its_range(dock):
    from colorstudio.gui.diagnostic_plots import symmetric_ticks

    assert symmetric_ticks(0.00066) == [(-0.0002, "−0.0002"), (0.0, "0"), (0.0002, "0.0002")]
    assert symmetric_ticks(0.2) == [(-0.1, "−0.1"), (0.0, "0"), (0.1, "0.1")]
    vis = {"visibility_4": np.random.default_rng(3).normal(0, 3e-4, (10, 15)).astype(np.float32)}
    dock.show_diagnostics(vis, {})
    ticks = dock.visibility.bars[visibility_title("visibility_4")].axis._tickLevels[0]
    assert [label for _, label in ticks][1] == "0" and len(ticks) == 3


def test_a_signed_bars_labels_are_all_drawn_on_a_narrow_dock(dock, qtbot):
    """Ticks near a bar's end were placed (±0.05 on a ±0.057 bar) but not drawn: pyqtgraph hides
    a label that would run past the bar, and only "0" was left."""
    from PySide6.QtGui import QImage, QPainter

    dock.resize(320, 700)
    rng = np.random.default_rng(0)
    tops = (0.0572, 0.07, 0.09, 0.3, 0.55, 0.95)
    maps = {}
    for i, top in enumerate(tops):
        v = rng.uniform(-1, 1, (40, 60)).astype(np.float32)
        maps[f"visibility_{i}"] = v * top / np.percentile(np.abs(v), 99)
    dock.show_diagnostics(maps, {})
    dock.tabs.setCurrentIndex(list(dock.pages).index("Visibility"))
    qtbot.wait(100)
    for name, bar in dock.visibility.bars.items():
        painter = QPainter(image := QImage(10, 10, QImage.Format.Format_ARGB32))
        drawn = [spec[2] for spec in bar.axis.generateDrawSpecs(painter)[2]]
        painter.end()
        assert len(drawn) == 3 and drawn[1] == "0", (name, drawn)


def test_a_large_matched_mask_stays_a_mask_on_screen(dock):
    from colorstudio.gui.display import display_diagnostics

    mask = (np.random.default_rng(4).random((400, 1200)) > 0.3).astype(np.float32)     # sgbm's, 1200 px wide
    shown = display_diagnostics({"confidence": mask})
    assert max(shown["confidence"].shape) <= 1024 and set(np.unique(shown["confidence"])) == {0.0, 1.0}
    dock.show_diagnostics(shown, {"method": "sgbm+gf"})
    assert list(dock.confidence.items) == ["matched (1) or filled in (0)"]


def test_the_tab_looked_at_stays_in_front_for_the_next_result_even_after_a_clear(dock):
    dock.show_diagnostics(stereo_like_diagnostics(), {})
    dock.tabs.setCurrentIndex(list(dock.pages).index("Curve"))
    dock.clear()                                     # a new photo opened: its result comes later
    assert not dock.tabs.isVisible() and dock.empty.isVisible()
    dock.show_diagnostics(stereo_like_diagnostics(seed=1), {})
    assert dock.title_at(dock.tabs.currentIndex()) == "Curve"
    dock.clear()
    dock.show_diagnostics({"flow": np.zeros((10, 12, 2), np.float32)}, {})   # no Curve: the first it has
    assert dock.title_at(dock.tabs.currentIndex()) == "Disparity"
