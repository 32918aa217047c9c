"""The side-by-side photos' arrangement rule (Qt-free): a row, a column or two rows of two."""
from __future__ import annotations

import pytest

from colorstudio.gui.panel_grid import best_grid, cells, photo_scale


def test_the_scale_is_what_fits_one_cell():
    # 3 columns of 790x790: 263.3 px wide cells; a 741x500 photo fits at 263.3 / 741
    assert photo_scale((1, 3), (790, 790), (741, 500)) == pytest.approx(790 / 3 / 741)
    # titles and spacing come off each cell: 2x2 of 800x800, 4 px apart, 20 px titles
    assert photo_scale((2, 2), (800, 800), (100, 100), title_h=20, spacing=4) == pytest.approx((398 - 20) / 100)


def test_a_landscape_photo_in_a_square_area_goes_two_by_two():
    grid = best_grid(3, (790, 790), (741, 500), title_h=20, spacing=4)
    assert grid == (2, 2)
    assert photo_scale(grid, (790, 790), (741, 500), 20, 4) > 1.4 * photo_scale((1, 3), (790, 790), (741, 500), 20, 4)


def test_a_wide_window_keeps_one_row_and_a_tall_one_a_column():
    assert best_grid(3, (2400, 500), (741, 500), title_h=20) == (1, 3)
    assert best_grid(3, (500, 1800), (741, 500), title_h=20) == (3, 1)
    assert best_grid(3, (790, 790), (500, 741), title_h=20) == (1, 3)     # a portrait photo


def test_two_photos_and_ties():
    assert best_grid(2, (790, 790), (741, 500)) == (2, 1)
    assert best_grid(2, (1600, 500), (741, 500)) == (1, 2)
    assert best_grid(1, (300, 100), (100, 100)) == (1, 1)


def test_the_grid_kept_changes_only_for_one_clearly_better():
    """Within 3 % the grid kept stays: a window dragged across the boundary does not flip."""
    area = (300.0, 204.0)                          # 1x3: scale 1.00; 2x2: 1.02
    assert photo_scale((2, 2), area, (100, 100)) == pytest.approx(1.02)
    assert best_grid(3, area, (100, 100)) == (1, 3)
    assert best_grid(3, area, (100, 100), current=(2, 2)) == (2, 2)
    area = (300.0, 210.0)                          # 2x2: 1.05, clearly better
    assert best_grid(3, area, (100, 100), current=(1, 3)) == (2, 2)
    assert best_grid(3, (300.0, 196.0), (100, 100), current=(2, 2)) == (2, 2)    # 0.98 vs 1.0: kept
    assert best_grid(3, (300.0, 190.0), (100, 100), current=(2, 2)) == (1, 3)    # 0.95: row again
    assert best_grid(2, area, (100, 100), current=(2, 2)) in ((1, 2), (2, 1))   # a grid not of 2 photos


def test_cells_fill_row_by_row():
    assert cells(["gray", "reference", "result"], (2, 2)) == {"gray": (0, 0), "reference": (0, 1), "result": (1, 0)}
    assert cells(["gray", "result"], (2, 1)) == {"gray": (0, 0), "result": (1, 0)}
    assert cells(["gray", "reference", "result"], (1, 3))["result"] == (0, 2)
