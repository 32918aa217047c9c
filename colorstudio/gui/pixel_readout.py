"""The compare view's pixel readout (a mixin of :class:`colorstudio.gui.compare_view.CompareView`).

Under the mouse, the full-resolution values of the gray, the reference and the result (and of
the split view's before side when it is on screen), as one line of text (``pixelInfo``). The
line is emptied when the mouse leaves a view or the photo, and when the view mode changes (the
panels it named are no longer those shown); it is made anew when a panel's picture changes or the
view moves under a still mouse.

It uses the view's ``mode``, ``frame_wh``, ``raw``/``full`` images, ``views``, ``split_view``,
``before``, ``showing_before``, ``_values_space`` and ``placed`` (where a panel lies in the frame).
"""
from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QEvent, QPointF

from colorstudio.core.color import luma
from colorstudio.gui.split_modes import SIDE_BY_SIDE, SPLIT


def value_text(arr: np.ndarray | None, x: float, y: float, placed: tuple[float, float, float, float],
               as_luma: bool = False) -> str:
    """The full-resolution value of ``arr`` at frame position (x, y), as text ('' if outside);
    ``placed``: the (x, y, w, h) of the frame the array covers; ``as_luma``: an RGB value as
    its luma (a colour photo opened alone is shown as its gray)."""
    if arr is None:
        return ""
    h, w = arr.shape[:2]
    px, py, pw, ph = placed
    col, row = int((x - px) * w / pw), int((y - py) * h / ph)
    if not (px <= x and py <= y and 0 <= col < w and 0 <= row < h):
        return ""
    v = arr[row, col]
    scale = 255.0 if arr.dtype.kind == "f" else (255.0 / 65535.0 if arr.dtype == np.uint16 else 1.0)
    vals = np.atleast_1d(np.asarray(v, np.float64) * scale)
    if as_luma and vals.size == 3:
        vals = np.atleast_1d(luma(vals))
    return " ".join(f"{int(round(c))}" for c in vals)


def _round_half_away(x: float) -> float:
    """x to a whole number, a half away from zero (as Qt places a picture on device pixels)."""
    return math.copysign(math.floor(abs(x) + 0.5), x)


class PixelReadout:
    """The values under the mouse; see the module docstring."""

    def readout(self, x: float, y: float) -> str:
        """Values of gray / reference / result at frame position (x, y)."""
        w, h = self.frame_wh
        if not (0 <= x < w and 0 <= y < h) or self.full["gray"] is None:
            return ""
        parts = [f"x {int(x)}  y {int(y)}"]
        for panel, label in (("gray", "gray"), ("reference", "reference"), ("result", "result")):
            shown_gray = self.raw[panel] is not None and self.raw[panel].ndim == 2
            text = value_text(self.full[panel], x, y, self.placed(panel), as_luma=shown_gray)
            if text:
                parts.append(f"{label} {text}")
        if self.before is not None and (self.mode == SPLIT or self.showing_before):   # it is on screen
            text = value_text(self.before[1], x, y, (0.0, 0.0, float(w), float(h)))
            if text:
                parts.append(f"{self.before[2]} {text}")
        if self._values_space:                   # the numbers are the photos', not sRGB's
            parts.append(self._values_space)
        return "   |   ".join(parts)

    def _frame_point(self, scene, scene_pos) -> QPointF | None:
        """The frame position at ``scene_pos`` of a shown view's ``scene``, if on the photo."""
        candidates = list(self.views.values()) if self.mode == SIDE_BY_SIDE else [self.split_view]
        for vb in candidates:
            if vb.scene() is scene and vb.sceneBoundingRect().contains(scene_pos):
                p = vb.mapSceneToView(self._drawn_pixel_centre(scene, scene_pos, self._drawn_corner(vb)))
                w, h = self.frame_wh
                return p if 0 <= p.x() < w and 0 <= p.y() < h else None
        return None

    def _drawn_corner(self, vb) -> QPointF:
        """The scene position of the top left corner of the picture ``vb`` draws: its
        full-resolution tile when one is shown, else the frame's."""
        for item in self.details.values():
            if item.getViewBox() is vb and item.isVisible() and item.image is not None:
                return vb.mapViewToScene(item.mapToParent(QPointF(0, 0)))
        return vb.mapViewToScene(QPointF(0, 0))

    def _drawn_pixel_centre(self, scene, scene_pos, corner_scene: QPointF) -> QPointF:
        """Where in the scene lies the centre of the photo pixel Qt drew in the screen (device)
        pixel the mouse is on. Device pixels count from the window's corner: at 125 % and 150 %
        a view starts a fraction of one into the window, and counted from the view's own corner
        the readout named the pixel below or beside the one under the mouse (14 of 40 right at
        150 %). Each device pixel shows the photo pixel at its centre; at 100 % Qt puts the
        picture's corner on a whole device pixel, rounding a half away from zero."""
        ratio = self.pixel_ratio()
        views = scene.views() if scene is not None else []
        if not views:
            return QPointF((math.floor(scene_pos.x() * ratio) + 0.5) / ratio,
                           (math.floor(scene_pos.y() * ratio) + 0.5) / ratio)
        view = views[0]
        to_viewport = view.viewportTransform()
        mouse, corner = to_viewport.map(scene_pos), to_viewport.map(corner_scene)
        offset = view.viewport().mapTo(view.window(), QPointF(0, 0))     # the view's place in the window
        one_to_one = abs(self.zoom_factor() - 1) < 1e-3

        def centre(at: float, start: float, offset: float) -> float:
            device = math.floor((at + offset) * ratio + 1e-4)    # (a mouse on pixel 851 at 125 %: 850.9999)
            drawn_from = (start + offset) * ratio
            shift = drawn_from - _round_half_away(drawn_from) if one_to_one else -1e-3
            return (device + 0.5 + shift) / ratio - offset

        point = QPointF(centre(mouse.x(), corner.x(), offset.x()), centre(mouse.y(), corner.y(), offset.y()))
        return to_viewport.inverted()[0].map(point)

    def point_under_mouse(self) -> QPointF | None:
        """The frame position under the mouse now (also after a zoom without a mouse move: the
        mouse's place in the view is kept, not the photo point it was over), if on the photo."""
        return None if self._hover is None else self._frame_point(*self._hover)

    def _mouse_moved(self, scene_pos) -> None:
        """pyqtgraph's move (its scene position rounded to a whole logical pixel): said by the
        viewport's own move already, unless it came another way."""
        scene = self.sender()
        if self.exact_scene_pos(scene, scene_pos) is not scene_pos:
            return
        self._hover = (scene, scene_pos)
        self._say_hover()

    def exact_scene_pos(self, scene, scene_pos) -> QPointF:
        """The mouse's scene position with its fraction of a logical pixel: pyqtgraph's (from Qt's
        graphics view) is rounded to a whole one, which on a 150–200 % screen at 100 % is half a
        photo pixel or more: the readout named the pixel below or beside the one under the mouse
        in 32 of 40 places at 200 %. The viewport's own move event keeps the fraction."""
        if self._exact_move is not None and self._exact_move[0] is scene:
            exact = self._exact_move[1]
            if abs(exact.x() - scene_pos.x()) <= 1 and abs(exact.y() - scene_pos.y()) <= 1:
                return exact
        return scene_pos

    def _viewport_moved(self, canvas, position: QPointF) -> None:
        """The mouse moved over a view (each move: the graphics view passes on only those that
        reach another whole logical pixel)."""
        inverse, _ = canvas.viewportTransform().inverted()
        self._exact_move = self._hover = (canvas.scene(), inverse.map(position))
        self._say_hover()

    def _say_hover(self) -> None:
        p = self.point_under_mouse()
        self.pixelInfo.emit("" if p is None else self.readout(p.x(), p.y()))

    def refresh_readout(self) -> None:
        """The values under a still mouse, anew: a panel's picture changed under it (another kept
        result, a new colour strength) or the view moved (Z, the keys): the line showed the old ones."""
        if self._hover is not None:
            self._say_hover()

    def clear_readout(self) -> None:
        """No values shown (and Z zooms at the view's centre) until the mouse moves on a photo."""
        self._hover = self._exact_move = None
        self.pixelInfo.emit("")

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt API
        """The mouse left one of the views (for a title or the gap between them, too), or moved
        over one's viewport (its exact position)."""
        if event.type() == QEvent.Type.Leave and watched in self._readout_canvases:
            self.clear_readout()
        elif event.type() == QEvent.Type.MouseMove and (canvas := self._viewport_canvas.get(watched)) is not None:
            self._viewport_moved(canvas, event.position())     # before the view makes it a scene move
        return super().eventFilter(watched, event)

    def leaveEvent(self, event) -> None:  # noqa: N802 - Qt API
        """The mouse left the photos: no readout, and Z zooms at the view's centre."""
        self.clear_readout()
        super().leaveEvent(event)
