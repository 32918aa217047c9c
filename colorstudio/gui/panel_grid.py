"""How the side-by-side photos are arranged: in one row, one column, or two rows of two,
whichever shows the photo largest in the space there is.

Three columns suit a tall photo or a wide window, but a landscape photo in the usual window
(the side panel and the diagnostics beside it) becomes a thin strip in each: the motorcycle
example, 741x500, was 246 px wide in a 790x790 area, and 395 px in two rows of two. The
cells stay equal, so the linked views show the same part of the photo at the same zoom.
Qt-free, so the rule is tested without a window.
"""
from __future__ import annotations

# (rows, columns) tried for 1, 2 and 3 visible photos, the first preferred on a tie
GRIDS = {1: ((1, 1),), 2: ((1, 2), (2, 1)), 3: ((1, 3), (3, 1), (2, 2))}
TIE = 1.03       # another grid must show the photo this much larger (3 %) to replace the one kept


def photo_scale(grid: tuple[int, int], area_wh: tuple[float, float], frame_wh: tuple[int, int],
                title_h: float = 0.0, spacing: float = 0.0) -> float:
    """Screen pixels per photo pixel when the photo fits one cell of ``grid`` in ``area_wh``
    (each cell loses ``title_h`` to its title; cells are ``spacing`` apart)."""
    rows, cols = grid
    cell_w = (area_wh[0] - spacing * (cols - 1)) / cols
    cell_h = (area_wh[1] - spacing * (rows - 1)) / rows - title_h
    w, h = max(frame_wh[0], 1), max(frame_wh[1], 1)
    return max(0.0, min(cell_w / w, cell_h / h))


def best_grid(panels: int, area_wh: tuple[float, float], frame_wh: tuple[int, int],
              title_h: float = 0.0, spacing: float = 0.0, current: tuple[int, int] | None = None) -> tuple[int, int]:
    """The (rows, columns) of :data:`GRIDS` that shows ``panels`` photos largest. The grid kept
    (``current`` if it is one of them, else a row) is replaced only by one clearly (:data:`TIE`)
    better, so a window dragged across the boundary does not flip back and forth."""
    grids = GRIDS[max(1, min(panels, 3))]
    best = current if current in grids else grids[0]
    best_scale = photo_scale(best, area_wh, frame_wh, title_h, spacing)
    for grid in grids:
        scale = photo_scale(grid, area_wh, frame_wh, title_h, spacing)
        if scale > best_scale * TIE:
            best, best_scale = grid, scale
    return best


def cells(order: list[str], grid: tuple[int, int]) -> dict[str, tuple[int, int]]:
    """(row, column) of each name in ``order``, filled row by row."""
    cols = grid[1]
    return {name: divmod(i, cols) for i, name in enumerate(order)}
