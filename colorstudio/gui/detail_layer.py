"""The compare view's full-resolution layer (a mixin of :class:`colorstudio.gui.compare_view.CompareView`).

Zoomed in beyond a display copy's resolution, a tile cut from the full-resolution array
(:func:`colorstudio.gui.detail_tiles.detail_tile`) is laid over the visible region of each
view, converted for the monitor like the display copies (``colour``). A large cut is made in
the same worker threads, so a zoom step never holds the GUI thread. A tile asked for counts as
shown while it is cut or converted (:meth:`DetailLayer.shows_detail`).

It uses the view's ``mode``, ``frame_wh``, ``placed``, ``raw``/``full`` images, ``columns``, ``details``
(the tiles' image items), ``colour``, the split's before side and line, and ``zoomChanged``.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF

from colorstudio.gui.detail_tiles import Tile, detail_tile
from colorstudio.gui.split_modes import RESULT, SIDE_BY_SIDE


def _with_split_twin(name: str) -> list[str]:
    """A side-by-side panel's tile name and the split view's tile of the same image (the gray
    is the split's before side unless a result is, the result its after side)."""
    return [name] + {"gray": ["split_before"], "result": ["split_after"]}.get(name, [])


class DetailLayer:
    """Full-resolution tiles over zoomed-in views; see the module docstring."""

    def refresh_details(self) -> None:
        """Lay full-resolution tiles over the views zoomed in beyond their display copies."""
        self._detail_timer.stop()
        vb = self.active_view()
        r = vb.viewRect()
        visible, zoom = (r.left(), r.top(), r.right(), r.bottom()), self.zoom_factor()
        self.zoomChanged.emit(zoom)
        shape = lambda a: None if a is None else a.shape   # noqa: E731
        if self.mode == SIDE_BY_SIDE:
            for panel in self.columns:          # the side-by-side panels
                tile = None
                if not self.columns[panel].isHidden():
                    tile = detail_tile(self.full[panel], shape(self.raw[panel]), self.frame_wh, visible, zoom,
                                       current=self._tile_asked.get(panel), placed=self.placed(panel))
                self._set_tile(panel, tile)
            return
        before_raw, before_full = self._before(raw=True)
        before_hidden = self.mode == RESULT and not self.showing_before and self.shown["result"] is not None
        self._set_tile("split_before", None if before_hidden else      # no result yet: the gray is shown
                       detail_tile(before_full, shape(before_raw), self.frame_wh, visible, zoom,
                                   current=self._tile_asked.get("split_before")))
        line = self._split_x()
        self._set_tile("split_after", detail_tile(self.full["result"], shape(self.raw["result"]),
                                                  self.frame_wh, visible, zoom, x_max=line,
                                                  current=self._tile_asked.get("split_after"))
                       if line > 0 else None)

    def shows_detail(self, panel: str) -> bool:
        """Whether ``panel`` is zoomed in beyond its display copy now (a full-resolution tile
        lies over it, or is on its way from the monitor conversion; for the result, in either
        view mode)."""
        return any(self._tile_keys.get(n) is not None or self._tile_wanted.get(n) is not None
                   for n in _with_split_twin(panel))

    def _forget_tiles(self, name: str) -> None:
        """A new array in ``name``: its tiles (and its split twin's) are never reused; a tile
        knows its array by ``id`` only, which a new array may get once the old one is freed."""
        for n in _with_split_twin(name):
            self._tile_asked.pop(n, None)

    def _set_tile(self, name: str, tile: Tile | None) -> None:
        for n in _with_split_twin(name) if tile is None else [name]:
            if tile is None:
                self._tile_wanted[n] = None
                self._tile_asked.pop(n, None)
                self.colour.request(f"tile:{n}", None, lambda _, n=n: self._put_tile(n, None, None))
            elif tile.key != self._tile_wanted.get(n):
                self._tile_wanted[n] = tile.key
                self._tile_asked[n] = tile
                put = lambda pixels, n=n, t=tile: self._put_tile(n, t, pixels)   # noqa: E731
                if tile.pixels is None:          # a large cut: made off the GUI thread
                    self.colour.request_made(f"tile:{n}", tile.cut, put)
                else:
                    self.colour.request(f"tile:{n}", tile.pixels, put)

    def _put_tile(self, name: str, tile: Tile | None, pixels: np.ndarray | None) -> None:
        item = self.details[name]
        if tile is None:
            if self._tile_keys.get(name) is not None:
                item.clear()
            self._tile_keys[name] = None
        else:
            item.setImage(pixels, autoLevels=False, levels=None)   # uint8: no rescale
            item.setRect(QRectF(*tile.rect))
            self._tile_keys[name] = tile.key
