"""The diagnostics dock keeps its plot items: another palette recolours them, a result with maps
in the same arrangement retitles them, and its colour bars make no hidden widgets (the menus of
pyqtgraph's plots, which made CCDC's five colour bars take ~150 ms in the GUI thread)."""
from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QApplication

from colorstudio.gui.diagnostics_dock import visibility_title
from test_diagnostics_dock import _rendered, stereo_like_diagnostics


def _show_tab(dock, title):
    dock.tabs.setCurrentIndex(list(dock.pages).index(title))


def _bar_ends(bar) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """The colours at the two ends of a colour bar, as drawn on screen."""
    image = bar.scene().views()[0].grab().toImage()
    box = bar.strip.mapRectToScene(bar.strip.rect())
    y = int(box.center().y())
    ends = (image.pixelColor(int(box.left()) + 3, y), image.pixelColor(int(box.right()) - 3, y))
    return tuple((c.red(), c.green(), c.blue()) for c in ends)


def test_another_palette_recolours_the_maps_and_bars_in_place(dock):
    dock.show_diagnostics(stereo_like_diagnostics(), {})
    _show_tab(dock, "Visibility")
    grid = dock.visibility
    bars, items = dict(grid.bars), dict(grid.items)
    assert max(_rendered(item)[..., 2].max() for item in items.values()) == 0        # red and green
    low, high = _bar_ends(bars[visibility_title("visibility_0")])
    assert low[0] > 200 > low[2] and high[1] > 200 > high[2]
    dock.set_palette("orange-blue")
    assert all(grid.bars[name] is bar for name, bar in bars.items())                  # not rebuilt
    assert all(grid.items[name] is item for name, item in items.items())
    assert max(_rendered(item)[..., 2].max() for item in items.values()) > 200       # blue now
    low, high = _bar_ends(bars[visibility_title("visibility_0")])
    assert low[0] > 200 > low[2] and high[2] > 200 > high[0]                         # orange … blue
    assert grid.caption.text == "orange −: colour shot less, blue +: more"
    assert dock.confidence.caption.text == "confidence (blue high)"


def test_a_tab_drawn_after_a_palette_change_is_drawn_in_the_new_colours(dock):
    dock.show_diagnostics(stereo_like_diagnostics(), {})       # Confidence in front: Visibility not drawn
    dock.set_palette("orange-blue")
    _show_tab(dock, "Visibility")
    assert max(_rendered(item)[..., 2].max() for item in dock.visibility.items.values()) > 200


def test_maps_in_the_same_arrangement_under_other_names_reuse_the_items(dock):
    dock.show_diagnostics({"confidence": np.random.default_rng(0).random((20, 30), np.float32)}, {})
    bar, item = dock.confidence.bars["confidence"], dock.confidence.items["confidence"]
    mask = (np.random.default_rng(1).random((20, 30)) > 0.3).astype(np.float32)
    dock.show_diagnostics({"confidence": mask}, {"method": "sgbm+gf"})              # another name, one map
    assert list(dock.confidence.items) == list(dock.confidence.bars) == ["matched (1) or filled in (0)"]
    assert dock.confidence.items["matched (1) or filled in (0)"] is item
    assert dock.confidence.bars["matched (1) or filled in (0)"] is bar and bar.levels() == (0.0, 1.0)
    assert dock.confidence.labels["matched (1) or filled in (0)"].text == "matched (1) or filled in (0)"
    np.testing.assert_array_equal(item.image, mask)


def test_the_colour_bars_make_no_hidden_widgets(dock):
    dock.show_diagnostics(stereo_like_diagnostics(), {})
    before = len(QApplication.allWidgets())
    _show_tab(dock, "Visibility")                             # five maps, each with its colour bar
    assert len(dock.visibility.bars) == 5
    made = len(QApplication.allWidgets()) - before
    assert made <= len(dock.visibility.items)   # a map's view box's menu (made even when off), no more:
                                                # a pg.ColorBarItem made ~44 widgets, the ~20 ms it took
