"""The compare view's zoom and pan (a mixin of :class:`colorstudio.gui.compare_view.CompareView`):
the whole photo (kept fitted through resizes until the user zooms or pans), 100 % (one
full-resolution pixel per device pixel), zoom in and out, fit <-> 100 % (the Z key, a double
click), and the keys: F fits, the arrows pan, Alt+Left/Right move the split line. A resize keeps
the zoom and centre shown before it; the zoom's bounds follow the view's size
(:func:`colorstudio.gui.zoom_limits.limit_zoom`).

It uses the view's ``mode``, ``frame_wh``, ``views`` and ``split_view``, ``fitting`` and
``_kept_view``, the ``full`` gray, the split line, the full-resolution tiles
(``refresh_details``) and the readout's mouse position (``point_under_mouse``, ``_frame_point``).
"""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer

from colorstudio.gui.split_modes import SIDE_BY_SIDE, SPLIT
from colorstudio.gui.zoom_limits import limit_zoom


class ZoomPan:
    """Zoom and pan of the active view; see the module docstring."""

    def _zoom_to(self, vb: pg.ViewBox, center: QPointF, zoom: float) -> None:
        """Show ``zoom`` device pixels per full-resolution pixel (1.0: 100 %) around ``center``."""
        self.fitting = False
        if (bounds := limit_zoom(vb, self.frame_wh, self.pixel_ratio())) is not None:
            zoom = min(max(zoom, bounds[0]), bounds[1])
        self._kept_view = (QPointF(center), zoom)
        size, ratio = vb.size(), self.pixel_ratio()
        w, h = max(1.0, size.width()) * ratio / zoom, max(1.0, size.height()) * ratio / zoom
        vb.setRange(QRectF(center.x() - w / 2, center.y() - h / 2, w, h), padding=0)

    def _remember_view(self) -> None:
        """The zoom and centre a resize keeps (after a wheel, a drag or the arrow keys)."""
        rect = self.active_view().viewRect()
        if not self.fitting and rect.width() > 0:
            self._kept_view = (rect.center(), self.zoom_factor())

    def active_view(self) -> pg.ViewBox:
        return self.views["gray"] if self.mode == SIDE_BY_SIDE else self.split_view

    def fit(self) -> None:
        """Show the whole photo (and keep fitting it when the window is resized, until a zoom)."""
        self.fitting = True
        self._kept_view = None
        vb = self.active_view()
        vb.setDefaultPadding(0.01)
        vb.enableAutoRange()
        vb.updateAutoRange()

    def actual_size(self, at: QPointF | None = None) -> None:
        """100%: one full-resolution pixel per screen pixel, centred on ``at`` (frame
        coordinates) or where the view is. Screen pixels are the device's: on a HiDPI screen
        (Retina, a 4K laptop at 200 % scaling) one photo pixel per physical pixel, as photo
        editors count 100 %, not a 2x2 block."""
        vb = self.active_view()
        rect = vb.viewRect()
        center = at if at is not None else (
            rect.center() if rect.width() > 0 else QPointF(*(s / 2 for s in self.frame_wh)))
        self._zoom_to(vb, center, 1.0)
        self.refresh_details()

    def toggle_zoom(self, at: QPointF | None = None) -> None:
        """Fit <-> 100 % (the Z key, a double click), 100 % centred on ``at`` (default: the
        photo point under the mouse, else the view's centre), as photo editors do."""
        if abs(self.zoom_factor() - 1.0) < 0.01:
            self.fit()
        else:
            self.actual_size(at if at is not None else self.point_under_mouse())

    def zoom_factor(self) -> float:
        """Device pixels per full-resolution pixel in the active view (1.0 = 100%). The
        full-resolution tiles are cut at this resolution, so a HiDPI screen gets sharp ones."""
        vb = self.active_view()
        rect = vb.viewRect()
        return vb.size().width() * self.pixel_ratio() / rect.width() if rect.width() > 0 else 0.0

    def pixel_ratio(self) -> float:
        """Device pixels per logical pixel on the view's screen (2.0 on most HiDPI screens)."""
        return float(self.devicePixelRatioF()) or 1.0

    def _mouse_clicked(self, event) -> None:
        """A double click on a photo: fit <-> 100 % there."""
        scene = self.sender()
        p = self._frame_point(scene, self.exact_scene_pos(scene, event.scenePos())) if event.double() else None
        if p is not None:
            event.accept()
            self.toggle_zoom(p)

    def zoom_by(self, factor: float) -> None:
        """Zoom in (``factor`` > 1) or out around the view's centre: View ▸ Zoom in/out."""
        vb, zoom = self.active_view(), self.zoom_factor()
        if zoom > 0 and self.full["gray"] is not None:
            self._zoom_to(vb, vb.viewRect().center(), zoom * factor)
            self.refresh_details()

    def _refit(self) -> None:
        """After a resize: the whole photo again, or the zoom and centre shown before it (the
        linked, aspect-locked views each widened their range as the grid resized them in turn:
        100 % fell to 0.2 % over a few resizes and the photo drifted off the view). The zoom's
        bounds follow the view's size."""
        self._limit_zooms()
        if self.fitting:
            self.fit()
        elif self._kept_view is not None:
            self._zoom_to(self.active_view(), *self._kept_view)

    def _limit_zooms(self) -> None:
        for vb in (*self.views.values(), self.split_view):
            limit_zoom(vb, self.frame_wh, self.pixel_ratio())

    def _zoomed_by_hand(self, *_) -> None:
        self.fitting = False
        QTimer.singleShot(0, self._remember_view)      # once the view has moved

    def pan_by(self, dx: float, dy: float) -> None:
        """Move the view by these fractions of its width and height (the arrow keys)."""
        self.fitting = False
        vb = self.active_view()
        rect = vb.viewRect()
        vb.translateBy(x=dx * rect.width(), y=dy * rect.height())
        self._remember_view()

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt API
        """F fits; the arrows move the view an eighth of it (with Shift half); in the split
        view Alt+Left/Right move the split line."""
        key, mods = event.key(), event.modifiers()
        step = 0.5 if mods & Qt.KeyboardModifier.ShiftModifier else 0.125
        arrows = {Qt.Key.Key_Left: (-step, 0), Qt.Key.Key_Right: (step, 0),
                  Qt.Key.Key_Up: (0, -step), Qt.Key.Key_Down: (0, step)}
        if key == Qt.Key.Key_F:
            self.fit()
        elif key in arrows and mods & Qt.KeyboardModifier.AltModifier and self.mode == SPLIT:
            w = self.frame_wh[0] or 1
            self.set_split_position(self.split_line.value() / w + arrows[key][0] / 5)
        elif key in arrows:
            self.pan_by(*arrows[key])
        else:
            super().keyPressEvent(event)
