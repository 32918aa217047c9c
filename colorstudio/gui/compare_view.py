"""Gray | reference | result side by side, a before/after split, or the result alone (large),
with linked zoom and pan.

All views share one coordinate frame: the gray photo's full-resolution pixels. Each image is
shown from a (possibly downsampled) display copy scaled into that frame, so a reference
of another size (cross-camera pairs) lines up, "100%" means one full-resolution pixel per
screen pixel, and the pixel readout reports full-resolution values. A reference of another
aspect ratio keeps its own: it is fitted inside the frame, centred (``placed``), never
stretched. Zoomed in beyond a display copy's resolution, a full-resolution tile of the visible
region is laid over it (:mod:`colorstudio.gui.detail_layer`), so 100% shows the real pixels.
The readout is :mod:`colorstudio.gui.pixel_readout`, zoom and pan :mod:`colorstudio.gui.zoom_pan`.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QPen
from PySide6.QtWidgets import (QGraphicsItem, QGraphicsRectItem, QGridLayout, QLabel, QStackedWidget, QVBoxLayout,
                               QWidget)

from colorstudio.core.colour_management import is_srgb, profile_name
from colorstudio.gui.detail_layer import DetailLayer
from colorstudio.gui.detail_tiles import Tile
from colorstudio.gui.display import placed_in_frame
from colorstudio.gui.display_colour import DisplayColour
from colorstudio.gui.monitor_profile import MonitorProfile
from colorstudio.gui.panel_grid import best_grid, cells
from colorstudio.gui.pg_config import configure
from colorstudio.gui.pixel_readout import PixelReadout
from colorstudio.gui.split_modes import RESULT, SIDE_BY_SIDE, SPLIT, SplitModes
from colorstudio.gui.zoom_pan import ZoomPan

configure()

PANELS = ("gray", "reference", "result")
TITLES = {"gray": "Gray", "reference": "Reference", "result": "Result"}
FOCUS_FRAME = "QGraphicsView { border: 1px solid transparent; } QGraphicsView:focus { border: 1px solid #3d7bd9; }"
MIN_PHOTO_SIDE = 24        # px: pyqtgraph's 70 px canvases held three photos in a row 144 px wide
DETAIL_DELAY_MS = 40       # full-resolution tiles follow zoom/pan after this pause


class CompareView(SplitModes, DetailLayer, PixelReadout, ZoomPan, QWidget):
    """Three linked views (side-by-side mode), or one view: with a draggable split line, or
    the result alone."""

    pixelInfo = Signal(str)   # readout text under the mouse ('' when outside the images)
    zoomChanged = Signal(float)   # the zoom after a change (1.0 = 100 %), see zoom_factor

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.mode = SIDE_BY_SIDE
        self.frame_wh = (1, 1)                 # the gray's full-resolution (W, H)
        self.full: dict[str, np.ndarray | None] = {p: None for p in PANELS}
        self.raw: dict[str, np.ndarray | None] = {p: None for p in PANELS}     # the display copies given
        self._values_space = ""                 # the readout's note of a space other than sRGB
        self.colour = DisplayColour(self)      # what is shown: the copies converted for the monitor
        self._split_stale = self._split_line_reset = False
        self.shown: dict[str, np.ndarray | None] = {p: None for p in PANELS}
        # the split view's "before" side: the gray, or another result (display copy, full, label)
        self.before: tuple[np.ndarray, np.ndarray, str] | None = None
        self._before_shown: np.ndarray | None = None   # its display copy as shown (converted)
        self._after_name = "result"
        self.showing_before = False            # the result alone: its before side shown instead
        self._hover: tuple | None = None       # (scene, scene position) of the mouse's last move
        self._exact_move: tuple | None = None  # the same with its fraction, from the viewport's last move
        # the whole photo is shown and kept so through resizes, a new grid and new images, until
        # the user zooms or pans (pyqtgraph's own auto-range is switched off by the linked views
        # as they resize one after another, so it cannot be what says "fitting")
        self.fitting = True
        self._kept_view: tuple[QPointF, float] | None = None     # (centre, zoom) a resize keeps

        self.side = QWidget()
        self.grid_layout = QGridLayout(self.side)    # a row, a column or 2x2: :meth:`arrange`
        self.grid_layout.setContentsMargins(0, 0, 0, 0)
        self.grid_layout.setSpacing(4)
        self.grid: tuple[int, int] | None = None
        self.panel_shown = {p: True for p in PANELS}  # hidden: the reference of a single gray
        self.side.installEventFilter(self)            # resized: arranged again
        self.views: dict[str, pg.ViewBox] = {}
        self.images: dict[str, pg.ImageItem] = {}
        self.titles: dict[str, QLabel] = {}
        self.details: dict[str, pg.ImageItem] = {}     # full-resolution tiles over the display copies
        self._tile_keys: dict[str, tuple | None] = {}      # the tiles on screen
        self._tile_wanted: dict[str, tuple | None] = {}    # the tiles asked for (being converted)
        self._tile_asked: dict[str, Tile] = {}             # …and those tiles, kept while they cover the view
        self.canvases: list[pg.GraphicsView] = []
        self.columns: dict[str, QWidget] = {}
        for name in PANELS:
            column = QVBoxLayout()
            column.setSpacing(2)
            title = QLabel(TITLES[name])
            title.setTextFormat(Qt.TextFormat.PlainText)   # a model card's name: "<img src=…>" was drawn
            title.setAlignment(Qt.AlignmentFlag.AlignCenter)
            title.setMinimumWidth(MIN_PHOTO_SIDE)     # a row of photos may be squeezed for a moment
            canvas = pg.GraphicsView()                # before arrange() stacks them: never the window
            canvas.setMinimumSize(MIN_PHOTO_SIDE, MIN_PHOTO_SIDE)
            canvas.setAccessibleName(f"{TITLES[name]} photo")
            vb = pg.ViewBox(lockAspect=True, invertY=True, enableMenu=False)
            canvas.setCentralItem(vb)
            item = pg.ImageItem(axisOrder="row-major")
            vb.addItem(item)
            detail = pg.ImageItem(axisOrder="row-major")
            detail.setZValue(1)
            vb.addItem(detail)
            self.details[name] = detail
            column.addWidget(title)
            column.addWidget(canvas, 1)
            holder = QWidget(self.side)
            holder.setLayout(column)
            column.setContentsMargins(0, 0, 0, 0)
            self.columns[name] = holder
            self.views[name], self.images[name], self.titles[name] = vb, item, title
            self.canvases.append(canvas)
        for canvas in self.canvases:          # keyboard users see which view the arrow keys move
            canvas.setStyleSheet(FOCUS_FRAME)
        for name in ("reference", "result"):
            self.views[name].setXLink(self.views["gray"])
            self.views[name].setYLink(self.views["gray"])

        self.split = QWidget()
        split_layout = QVBoxLayout(self.split)
        split_layout.setContentsMargins(0, 0, 0, 0)
        split_layout.setSpacing(2)
        self.split_title = QLabel("")
        self.split_title.setTextFormat(Qt.TextFormat.PlainText)
        self.split_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.split_title.setWordWrap(True)     # one line of 332 px held every window that wide, split view or not
        self.split_canvas = pg.GraphicsView()
        self.split_canvas.setStyleSheet(FOCUS_FRAME)
        self.split_view = pg.ViewBox(lockAspect=True, invertY=True, enableMenu=False)
        self.split_canvas.setCentralItem(self.split_view)
        split_layout.addWidget(self.split_title)
        split_layout.addWidget(self.split_canvas, 1)
        self.split_before = pg.ImageItem(axisOrder="row-major")
        self.split_after = pg.ImageItem(axisOrder="row-major")
        self.split_before_detail = pg.ImageItem(axisOrder="row-major")
        self.split_after_detail = pg.ImageItem(axisOrder="row-major")
        for z, item in enumerate((self.split_before, self.split_before_detail)):
            item.setZValue(z)
            self.split_view.addItem(item)
        # the result's side, clipped at the line: its display copy is cut at a whole display
        # pixel (2.4 photo pixels on a 5000 px photo) and its tile at a whole photo pixel, which
        # showed it up to 8 screen pixels past the line at 1600 %
        self.split_clip = QGraphicsRectItem()
        self.split_clip.setFlag(QGraphicsItem.GraphicsItemFlag.ItemClipsChildrenToShape)
        self.split_clip.setPen(QPen(Qt.PenStyle.NoPen))
        self.split_clip.setZValue(2)
        self.split_view.addItem(self.split_clip)
        for z, item in enumerate((self.split_after, self.split_after_detail)):
            item.setZValue(z)
            item.setParentItem(self.split_clip)
        self.details["split_before"], self.details["split_after"] = self.split_before_detail, self.split_after_detail
        self.split_line = pg.InfiniteLine(pos=0, angle=90, movable=True,
                                          pen=pg.mkPen("#ffcc00", width=2),
                                          hoverPen=pg.mkPen("#ffffff", width=3))
        self.split_line.setZValue(10)
        self.split_view.addItem(self.split_line)
        self.split_line.sigPositionChanged.connect(self._update_split)

        self.stack = QStackedWidget()
        self.stack.addWidget(self.side)
        self.stack.addWidget(self.split)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

        self._readout_canvases = self.canvases + [self.split_canvas]
        for canvas in self._readout_canvases:
            canvas.scene().sigMouseMoved.connect(self._mouse_moved)
            canvas.scene().sigMouseClicked.connect(self._mouse_clicked)
            canvas.installEventFilter(self)       # leaving a view empties the readout
            canvas.viewport().installEventFilter(self)    # the mouse's exact position
        self._viewport_canvas = {canvas.viewport(): canvas for canvas in self._readout_canvases}
        self._detail_timer = QTimer(self)
        self._detail_timer.setSingleShot(True)
        self._detail_timer.setInterval(DETAIL_DELAY_MS)
        self._detail_timer.timeout.connect(self.refresh_details)
        for vb in (self.views["gray"], self.split_view):
            vb.sigRangeChanged.connect(lambda *_: (self._detail_timer.start(), self.refresh_readout()))
            vb.sigResized.connect(lambda *_: self._detail_timer.start())
        self._refit_timer = QTimer(self)
        self._refit_timer.setSingleShot(True)
        self._refit_timer.setInterval(0)
        self._refit_timer.timeout.connect(self._refit)
        for vb in (*self.views.values(), self.split_view):
            vb.sigResized.connect(lambda *_: self._refit_timer.start())
            vb.sigRangeChangedManually.connect(self._zoomed_by_hand)     # the wheel, a drag
        self.set_split_before(None)
        self.arrange()

    # ------------------------------------------------------------------ layout
    def arrange(self) -> None:
        """Put the visible photos in a row, a column or two rows of two, whichever shows the
        photo largest here (:func:`colorstudio.gui.panel_grid.best_grid`). Equal cells: linked
        views then show the same part at the same zoom."""
        shown = [p for p in PANELS if self.panel_shown[p]]
        size = self.side.size()
        title_h = self.titles["gray"].sizeHint().height() + 2
        grid = best_grid(len(shown), (size.width(), size.height()), self.frame_wh, title_h,
                         self.grid_layout.spacing(), current=self.grid)
        if grid == self.grid:
            return
        self.grid = grid
        for holder in self.columns.values():
            self.grid_layout.removeWidget(holder)
        for name, (r, c) in cells(shown, grid).items():
            self.grid_layout.addWidget(self.columns[name], r, c)
        for i in range(3):
            self.grid_layout.setRowStretch(i, 1 if i < grid[0] else 0)
            self.grid_layout.setColumnStretch(i, 1 if i < grid[1] else 0)
        self._refit_timer.start()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt API
        if watched is self.side and event.type() == QEvent.Type.Resize:
            self.arrange()
        return super().eventFilter(watched, event)

    # ------------------------------------------------------------------ content
    def set_frame(self, width: int, height: int) -> None:
        """The coordinate frame: the gray photo's full-resolution size (other photos: the split
        view compares with the gray again)."""
        self.frame_wh = (int(width), int(height))
        self._limit_zooms()
        self.split_line.setBounds((0, width))
        self.set_split_before(None)
        self.arrange()

    def set_image(self, panel: str, shown: np.ndarray | None, full: np.ndarray | None = None) -> None:
        """Show ``shown`` (uint8 display copy) in ``panel``; ``full`` is read by the pixel readout.
        On a monitor with its own profile the picture appears once converted
        (:mod:`colorstudio.gui.display_colour`); until then the panel keeps what it showed."""
        self.raw[panel] = shown
        self.full[panel] = full if full is not None else shown
        self.refresh_readout()              # a still mouse's values are of this picture now
        self._forget_tiles(panel)
        if panel == "gray":
            self._split_line_reset = True
        if panel == "result" and self.mode == RESULT:
            self.showing_before = False        # a new result is what the user wants to see
            self._split_title()
        self.colour.request(f"image:{panel}", shown, lambda pixels: self._put_image(panel, pixels))

    def _put_image(self, panel: str, shown: np.ndarray | None) -> None:
        self.shown[panel] = shown
        item = self.images[panel]
        if shown is None:
            item.clear()
        else:
            item.setImage(shown, autoLevels=False, levels=None)  # uint8: no rescale
            item.setRect(QRectF(*self.placed(panel)))
        if panel == "result" and self.mode == RESULT:
            self._split_title()
        if panel in ("gray", "result"):
            self._split_stale = True
            if self.mode != SIDE_BY_SIDE:   # the hidden split view is filled when it is shown
                self._refresh_split()
        self._set_tile(panel, None)
        self._detail_timer.start()
        self._refit_timer.start()           # a new photo of another size, while fitting

    def placed(self, panel: str) -> tuple[float, float, float, float]:
        """Where ``panel``'s image lies in the frame (x, y, w, h): the whole frame, or for a
        reference of another aspect ratio the largest rect of its own shape, centred."""
        image = self.full[panel] if self.full[panel] is not None else self.raw[panel]
        return placed_in_frame((0, 0) if image is None else image.shape, self.frame_wh)

    def set_monitor(self, monitor: MonitorProfile | None = None, photo_icc: bytes | None = ...) -> None:
        """Show the pictures for ``monitor`` (None: keep it) and photos in the RGB profile
        ``photo_icc`` (None: sRGB; left out: keep it), converting what is shown now again."""
        before = (self.colour.monitor, self.colour.photo_icc)
        if monitor is not None:
            self.colour.monitor = monitor
        if photo_icc is not ...:
            self.colour.photo_icc = photo_icc
        if (self.colour.monitor, self.colour.photo_icc) == before:
            return
        icc = self.colour.photo_icc
        self._values_space = "" if is_srgb(icc) else f"values in {profile_name(icc)}"
        for panel in PANELS:
            if self.raw[panel] is not None:
                self.colour.request(f"image:{panel}", self.raw[panel],
                                    lambda pixels, p=panel: self._put_image(p, pixels))
        if self.before is not None:
            self._colour_before(self.before[0])
        self._tile_wanted.clear()               # cut and converted again
        self._tile_asked.clear()
        self._detail_timer.start()

    def show_panel(self, panel: str, visible: bool) -> None:
        """Hide a side-by-side column (e.g. the reference of a single gray photo)."""
        self.panel_shown[panel] = bool(visible)
        self.columns[panel].setVisible(visible)
        self.grid = None                       # the others take its place
        self.arrange()

    def set_title(self, panel: str, text: str) -> None:
        self.titles[panel].setText(text)

    def clear(self) -> None:
        for panel in PANELS:
            self.set_image(panel, None)

    # ------------------------------------------------------------------ modes
    def set_mode(self, mode: str) -> None:
        """Switch between side by side, the split and the result alone, keeping the zoom and the
        centre."""
        if mode not in (SIDE_BY_SIDE, SPLIT, RESULT):
            raise ValueError(mode)
        source = self.active_view()
        fitting = self.fitting
        center, zoom = source.viewRect().center(), self.zoom_factor()
        self.mode = mode
        self.showing_before = False
        self.clear_readout()                # its values were of the panels shown before
        self.stack.setCurrentIndex(0 if mode == SIDE_BY_SIDE else 1)
        self._detail_timer.start()          # the new view's tiles, even if its range stays
        if mode != SIDE_BY_SIDE:
            self.split_line.setVisible(mode == SPLIT)
            self._split_title()
            if self._split_stale:
                self._refresh_split()
            else:
                self._update_split()
        target = self.active_view()
        if target is source:
            return
        if fitting or zoom <= 0:
            self.fit()
        else:
            QTimer.singleShot(0, lambda: self._zoom_to(target, center, zoom))
