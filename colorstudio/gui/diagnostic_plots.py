"""The diagnostics dock's pictures: maps with their colour bars (:class:`MapGrid`), the GCA
curve (:class:`CurvePlot`), and the colour maps of :mod:`colorstudio.core.diagnostic_maps` as
pyqtgraph ones (the CLI's PNGs and the app show the same colours)."""
from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFontMetrics, QImage, QPixmap
from PySide6.QtWidgets import QGraphicsLinearLayout, QWidget

from colorstudio.core import diagnostic_maps as maps
from colorstudio.gui.curve_math import DEFAULT_SIGMA, interpolate_curve, pair_histogram
from colorstudio.gui.pg_config import configure

configure()


def _colormap(rgb_of: callable, lo: float, hi: float, n: int = 256) -> pg.ColorMap:
    """A pyqtgraph colour map sampled from one of the numpy colour functions."""
    values = np.linspace(lo, hi, n, dtype=np.float32)
    rgb = np.asarray(rgb_of(values[None, :]))[0]
    return pg.ColorMap(np.linspace(0, 1, n), (np.clip(rgb, 0, 1) * 255).astype(np.uint8))


def confidence_cmap(palette: str = maps.DEFAULT_PALETTE) -> pg.ColorMap:
    return _colormap(lambda m: maps.confidence_to_rgb(m, palette=palette), 0.0, 1.0)


def signed_cmap(palette: str = maps.DEFAULT_PALETTE) -> pg.ColorMap:
    return _colormap(lambda v: maps.signed_to_rgb(v, scale=1.0, palette=palette), -1.0, 1.0)


CONFIDENCE_CMAP, SIGNED_CMAP = confidence_cmap(), signed_cmap()
SCALAR_CMAP = _colormap(lambda v: maps.scalar_to_rgb(v, lo=0.0, hi=1.0), 0.0, 1.0)



TICK_REACH = 0.7    # of a signed bar's half: a label nearer its end runs past it, and pyqtgraph hides it


def symmetric_ticks(top: float) -> list[tuple[float, str]]:
    """Ticks for a bar from -top to +top: 0 and the largest 1, 2 or 5 x 10^k within
    TICK_REACH x top on each side (pyqtgraph's own choice labels only 0 on a narrow bar of a tiny
    range; at 0.9 x top, ±0.05 on a ±0.057 bar was hidden as running past its ends)."""
    if not top > 0:
        return [(0.0, "0")]
    reach = TICK_REACH * top
    power = 10.0 ** np.floor(np.log10(reach))
    m = float(max(f * power for f in (1, 2, 5) if f * power <= reach))
    label = f"{m:.2g}"
    return [(-m, "−" + label), (0.0, "0"), (m, label)]


class GradientStrip(pg.GraphicsWidget):
    """A colour map drawn left to right over the strip, framed."""

    def __init__(self, height: int):
        super().__init__()
        self.pixmap = QPixmap()
        self.setMinimumHeight(height)
        self.setMaximumHeight(height)

    def set_colormap(self, cmap: pg.ColorMap) -> None:
        lut = np.ascontiguousarray(cmap.getLookupTable(nPts=256, alpha=True)[None])
        self.pixmap = QPixmap.fromImage(QImage(lut.data, 256, 1, 256 * 4, QImage.Format.Format_RGBA8888))
        self.update()

    def paint(self, painter, *args) -> None:
        painter.drawPixmap(self.rect(), self.pixmap, QRectF(self.pixmap.rect()))
        painter.setPen(pg.mkPen(pg.getConfigOption("foreground"), width=0))    # as the axis
        painter.drawRect(self.rect())


class ColourBar(pg.GraphicsWidget):
    """A horizontal colour bar: the colour map over an axis of the values at its ends (and a
    label under it); it sets the colour map and levels of the maps given to it.

    What :class:`pg.ColorBarItem` shows, and the methods of it the maps use, made ~10 times
    faster (that one is a whole PlotItem with menus: ~20 ms each, five for CCDC's maps).
    """

    def __init__(self, cmap: pg.ColorMap, label: str | None = None, height: int = 12):
        super().__init__()
        self.strip = GradientStrip(height)
        self.axis = pg.AxisItem("bottom", maxTickLength=-5)
        if label:
            self.axis.setLabel(label)
        layout = QGraphicsLinearLayout(Qt.Orientation.Vertical)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addItem(self.strip)
        layout.addItem(self.axis)
        self.setLayout(layout)
        self.values, self.images = (0.0, 1.0), []
        self.setColorMap(cmap)
        self.setLevels(self.values)

    def setImageItem(self, items: pg.ImageItem | list[pg.ImageItem]) -> None:  # noqa: N802 - ColorBarItem's
        self.images = list(items) if isinstance(items, (list, tuple)) else [items]
        for item in self.images:
            item.setColorMap(self.cmap)

    def setColorMap(self, cmap: pg.ColorMap) -> None:  # noqa: N802
        self.cmap = cmap
        self.strip.set_colormap(cmap)
        for item in self.images:
            item.setColorMap(cmap)

    def setLevels(self, values: tuple[float, float]) -> None:  # noqa: N802
        self.values = (float(values[0]), float(values[1]))
        self.axis.setRange(*self.values)
        for item in self.images:
            item.setLevels(self.values)

    def levels(self) -> tuple[float, float]:
        return self.values


class TopHolder(QWidget):
    """Holds one widget at the top, as tall as its ``height_for(width)`` asks (at most full height),
    so maps keep their aspect without wasting the dock's height on empty axes."""

    def __init__(self, child: QWidget):
        super().__init__()
        self.child = child
        child.setParent(self)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet("background-color: #202124;")   # the plots' background, below them too

    def place(self) -> None:
        w, h = self.width(), self.height()
        wanted = self.child.height_for(w) if hasattr(self.child, "height_for") else None
        self.child.setGeometry(0, 0, w, h if not wanted else min(h, int(wanted)))

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self.place()


class MapGrid(pg.GraphicsLayoutWidget):
    """One or more maps, each an ImageItem in a ViewBox under its title, with colour bars lying
    under the maps (so a narrow dock squeezes the maps, never the bars).

    The maps share one value range (one bar at the bottom shows it), or each has its own (a bar
    under each map shows its range, in the map's own units, and a caption at the bottom says
    what the colours mean). Showing as many maps in the same arrangement again only swaps the
    pictures and titles, and another colour map only recolours them (no new items: fast).
    """

    TITLE_H, BAR_H, CAPTION_H = 20, 34, 20     # pixels: a title, a bar with its tick labels, a caption
    MARGIN, SPACING = 4, 4                     # around and between the layout's cells

    def __init__(self, cmap: pg.ColorMap, label: str):
        super().__init__()
        self.cmap, self.label = cmap, label
        self.items: dict[str, pg.ImageItem] = {}
        self.views: dict[str, pg.ViewBox] = {}
        self.labels: dict[str, pg.LabelItem] = {}
        self.bars: dict[str, ColourBar] = {}     # one per map (each its own range)
        self.bar: ColourBar | None = None        # or one for all (a shared range)
        self.caption: pg.LabelItem | None = None
        self._layout_key: tuple | None = None
        self._shape = (0, 1, False, False, (1, 1))

    def height_for(self, width: int) -> int | None:
        """Height that shows the maps at their aspect ratio for this width (None: any)."""
        n, columns, with_bar, shared, (h, w) = self._shape
        if n == 0:
            return None
        cols, rows = min(columns, n), (n + columns - 1) // columns
        own_bars = with_bar and not shared
        map_h = (width - 2 * self.MARGIN - (cols - 1) * self.SPACING) / cols * h / w
        per_row = self.TITLE_H + map_h + (self.BAR_H if own_bars else 0)
        bottom = (self.BAR_H if shared else self.CAPTION_H) if with_bar else 0
        cells = rows * (3 if own_bars else 2) + (1 if with_bar else 0)
        return int(rows * per_row + bottom + 2 * self.MARGIN + (cells - 1) * self.SPACING + 2)

    def _horizontal_bar(self, label: str | None) -> ColourBar:
        bar = ColourBar(self.cmap, label or None)
        bar.setMaximumHeight(self.BAR_H + (16 if label else 0))
        return bar

    def recolour(self, cmap: pg.ColorMap, label: str) -> None:
        """Show the maps in another colour map, ``label`` saying what it means: the items, bars
        and layout stay."""
        if bool(label) != bool(self.label):
            self._layout_key = None              # a caption to add or drop: built anew at the next show
        self.cmap, self.label = cmap, label
        bars = list(self.bars.values()) + ([self.bar] if self.bar is not None else [])
        for bar in bars:
            bar.setColorMap(cmap)                # and its maps
        if not bars:
            for item in self.items.values():
                item.setColorMap(cmap)
        if self.caption is not None:
            self.caption.setText(label)
        if self.bar is not None:
            self.bar.axis.setLabel(label)

    def _retitle(self, names: list[str]) -> None:
        """The items of the maps shown, in order, under new names."""
        old = list(self.items)
        for name, was in zip(names, old):
            self.labels[was].setText(name)
        self.items, self.views, self.labels = ({new: d[was] for new, was in zip(names, old)}
                                               for d in (self.items, self.views, self.labels))
        if self.bars:
            self.bars = {new: self.bars[was] for new, was in zip(names, old)}

    def _build(self, names: list[str], columns: int, with_bar: bool, shared: bool) -> None:
        self.clear()
        self.ci.layout.setContentsMargins(*(self.MARGIN,) * 4)
        self.ci.layout.setSpacing(self.SPACING)
        self.items, self.views, self.labels, self.bars, self.bar, self.caption = {}, {}, {}, {}, None, None
        own_bars = with_bar and not shared
        per_row = 3 if own_bars else 2
        for i, name in enumerate(names):
            r, c = divmod(i, columns)
            label = self.addLabel(name, row=per_row * r, col=c)
            label.setMaximumHeight(self.TITLE_H)
            vb = self.addViewBox(row=per_row * r + 1, col=c, lockAspect=True, invertY=True, enableMenu=False)
            self.ci.layout.setRowStretchFactor(per_row * r + 1, 1)
            item = pg.ImageItem(axisOrder="row-major")
            if not with_bar:
                item.setColorMap(self.cmap)
            vb.addItem(item)
            if own_bars:                        # linked: the bar's levels are the map's
                self.bars[name] = self._horizontal_bar(None)
                self.bars[name].setImageItem(item)
                self.addItem(self.bars[name], row=per_row * r + 2, col=c)
            self.items[name], self.views[name], self.labels[name] = item, vb, label
        if not names or not with_bar:
            return
        bottom, span = per_row * ((len(names) + columns - 1) // columns), min(columns, len(names))
        if shared:
            self.bar = self._horizontal_bar(self.label)
            self.bar.setImageItem(list(self.items.values()))
            self.addItem(self.bar, row=bottom, col=0, colspan=span)
        elif self.label:
            self.caption = self.addLabel(self.label, row=bottom, col=0, colspan=span, size="8pt")
            self.caption.setMaximumHeight(self.CAPTION_H)

    def show_maps(self, named: dict[str, np.ndarray], values: tuple[float, float] | dict[str, tuple[float, float]],
                  frame_wh: tuple[int, int] | None = None, columns: int = 2, with_bar: bool = True) -> None:
        """Show the maps: 2-D float maps through the colour map, (h, w, 3) RGB [0,1] as they are.

        ``values``: the (lo, hi) shown at the ends of the colour map, shared by all maps, or one
        per map name (each map then has its own bar).
        """
        shared = not isinstance(values, dict)
        key = (len(named), columns, with_bar, shared)
        if key != self._layout_key:
            self._build(list(named), columns, with_bar, shared)
            self._layout_key = key
        elif list(named) != list(self.items):
            self._retitle(list(named))
        for name, arr in named.items():
            item = self.items[name]
            arr = np.asarray(arr, np.float32)
            levels = values if shared else values[name]
            item.setImage(arr, autoLevels=False, levels=(0.0, 1.0) if arr.ndim == 3 else levels)
            if name in self.bars:
                self.bars[name].setLevels(levels)
                # a signed map: -m, 0, +m always labelled, however small (else pyqtgraph's choice)
                self.bars[name].axis.setTicks([symmetric_ticks(levels[1])] if levels[0] == -levels[1] else None)
            w, h = frame_wh or (arr.shape[1], arr.shape[0])
            item.setRect(QRectF(0, 0, w, h))
            self.views[name].setDefaultPadding(0.01)
            self.views[name].enableAutoRange()
        if self.bar is not None:
            self.bar.setLevels(values)
        self._shape = (len(named), columns, with_bar, shared,
                       next(iter(named.values())).shape[:2] if named else (1, 1))
        self._fit_titles()
        if isinstance(self.parent(), TopHolder):
            self.parent().place()

    def _fit_titles(self) -> None:
        """Each title shortened (…) to its column's width, the full ones in the tooltip: a title
        wider than a narrow dock (the occlusion maps', 330 px) held the maps wider than the view,
        which cut off their right side."""
        n, columns = getattr(self, "_shape", (0, 1))[:2]       # (resized by its own __init__ first)
        if not n:
            return
        cols = min(columns, n)
        room = int((self.width() - 2 * self.MARGIN - (cols - 1) * self.SPACING) / cols) - 8
        shortened = False
        for name, label in self.labels.items():
            text = QFontMetrics(label.item.font()).elidedText(name, Qt.TextElideMode.ElideRight, max(room, 40))
            shortened |= text != name
            if label.text != text:
                label.setText(text)
        self.setToolTip("\n".join(self.labels) if shortened else "")

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._fit_titles()


class CurvePlot(pg.GraphicsLayoutWidget):
    """The tone curve from the colour camera's luma to the mono's (the tone match, then GCA's
    curve T; engine.stereo._curve_json): pair histogram, identity line, interpolated curve, 64 nodes."""

    def __init__(self):
        super().__init__()
        self.plot = self.addPlot(title="Tone curve")     # short: a 260 px dock shows it whole (the axes say which)
        self.plot.setLabel("bottom", "colour-camera luma (0–255)")
        self.plot.setLabel("left", "mono-camera luma (0–255)")
        self.plot.setAspectLocked(True)
        self.plot.setRange(xRange=(0, 255), yRange=(0, 255), padding=0.02)
        # under the plot: over it, it hid the curve's highlights (top left) or its
        # shadows (bottom), and in a 300 px dock it covered half the plot
        self.legend = pg.LegendItem()
        self.addItem(self.legend, row=1, col=0)
        self.histogram = pg.ImageItem(axisOrder="row-major")
        self.histogram.setLookupTable(pg.colormap.get("magma").getLookupTable(nPts=256))
        self.histogram.setRect(QRectF(0, 0, 256, 256))
        self.plot.addItem(self.histogram)
        self.identity = self.plot.plot([0, 255], [0, 255],
                                       pen=pg.mkPen("#9e9e9e", width=1, style=Qt.PenStyle.DashLine))
        self.curve = self.plot.plot([], [], pen=pg.mkPen("#4fc3f7", width=2))
        self.nodes = pg.ScatterPlotItem(size=5, brush=None, pen=pg.mkPen("#ffeb3b", width=1))
        self.plot.addItem(self.nodes)
        self.curve.setZValue(self.nodes.zValue() + 1)    # hollow nodes under the curve: both seen
        # the histogram behind, in the legend by a stand-in with no points of its own
        pairs = pg.ScatterPlotItem(symbol="s", size=9, brush=pg.mkBrush("#f1605d"), pen=None)
        for item, name in ((self.identity, "identity"), (self.curve, "tone curve"), (self.nodes, "64 nodes"),
                           (pairs, "pixel pairs (brighter: more)")):
            self.legend.addItem(item, name)

    def height_for(self, width: int) -> int:
        """A square plot (the axes are locked 1:1) plus its title, axes and the legend below, not the whole dock."""
        return int(width + 40 + self.legend.boundingRect().height())

    def show_curve(self, curve: dict[str, Any]) -> None:
        nx = np.asarray(curve.get("x", []), np.float64).ravel()
        ny = np.asarray(curve.get("y", []), np.float64).ravel()
        keep = np.isfinite(nx) & np.isfinite(ny)
        self.nodes.setData(nx[keep], ny[keep])
        xs = np.arange(256, dtype=np.float64)
        ys = interpolate_curve(xs, nx, ny, float(curve.get("sigma", DEFAULT_SIGMA)))
        self.curve.setData(xs, ys)
        pairs = curve.get("pairs")
        if pairs is not None and len(pairs):
            hist = pair_histogram(pairs, curve.get("weights"))
            self.histogram.setImage(hist, autoLevels=False, levels=(0, 1))
            self.histogram.setRect(QRectF(0, 0, 256, 256))
        else:
            self.histogram.clear()
