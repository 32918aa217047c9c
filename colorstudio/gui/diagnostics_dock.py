"""The diagnostics dock: what the method can show about itself, one tab per kind.

- Confidence: the GCA confidence map M, green high / red low, with a colour bar.
- Curve: the learned intensity curve T — 64 nodes, the interpolated curve, a 2-D histogram
  of the (colour-camera luma, mono luma) pixel pairs it was fitted on, the identity line.
- Visibility: CCDC visibility maps per scale, signed (red negative / green positive).
- Colour (single-gray methods): the predicted hue as its colours (hue is circular: no bar)
  and the hue at its predicted saturation.
- Disparity, Uncertainty (attention entropy), Flow, Other maps (e.g. colour residue).
- Info: the method's facts (working size, time, ...).
Colours are those of :mod:`colorstudio.core.diagnostic_maps` (shared with the CLI's PNGs).
"""
from __future__ import annotations

import json
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtWidgets import QDockWidget, QLabel, QPlainTextEdit, QTabWidget, QVBoxLayout, QWidget

from colorstudio.core import diagnostic_maps as maps
from colorstudio.gui.curve_math import DEFAULT_SIGMA, interpolate_curve, pair_histogram
from colorstudio.gui.display import is_picture_key, picture_key
from colorstudio.gui.pg_config import configure

configure()

UNCERTAINTY_NAMES = ("entropy", "uncertainty")
# titles in plain words for maps of the Other tab (the engine's names otherwise)
OTHER_TITLES = {"residue": "size of the colour refinement's change (chroma, 0-1)"}
VISIBILITY_SCALES = {"0": "V0, the image", "1": "V1, 1/2 size", "2": "V2, 1/4 size", "3": "V3, 1/8 size",
                     "4": "V4, 1/16 size"}     # short: two maps side by side in a narrow dock
FLOW_CAPTION = " (hue: direction, strength: length)"


def visibility_title(key: str) -> str:
    """'visibility_0' -> what the map is, in words (the key itself when unknown)."""
    return VISIBILITY_SCALES.get(key.rpartition("_")[2], key) if key.startswith("visibility_") else key


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
PALETTE_WORDS = {"red-green": ("red", "green"), "orange-blue": ("orange", "blue")}
SCALAR_CMAP = _colormap(lambda v: maps.scalar_to_rgb(v, lo=0.0, hi=1.0), 0.0, 1.0)


def _robust_range(a: np.ndarray) -> tuple[float, float]:
    finite = a[np.isfinite(a)]
    if finite.size == 0:
        return 0.0, 1.0
    lo, hi = (float(v) for v in np.percentile(finite, [1, 99]))
    return (lo, hi) if hi > lo else (lo, lo + 1e-6)


def symmetric_scale(a: np.ndarray) -> float:
    """The 99th percentile of |a| (finite values; > 0): a signed map's ± range."""
    finite = np.abs(a[np.isfinite(a)])
    scale = float(np.percentile(finite, 99)) if finite.size else 0.0
    return scale if scale > 0 else (float(finite.max()) if finite.size and finite.max() > 0 else 1e-6)


def facts_text(facts: dict[str, Any]) -> str:
    """``key: value`` lines (lists and dicts compact) for the Info tab; empty lists and dicts
    ("ignored options: []") say nothing and are left out."""
    lines = []
    for key, value in facts.items():
        if isinstance(value, (list, tuple, dict)) and not value:
            continue
        if isinstance(value, float):
            value = f"{value:.4g}"
        elif isinstance(value, (list, tuple, dict)):
            value = json.dumps(value, default=str)
        lines.append(f"{str(key).replace('_', ' ')}: {value}")
    return "\n".join(lines)


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
    """One or more maps with a colour bar; each map is an ImageItem in a ViewBox under a title.

    The maps share one value range (the bar shows it), or each has its own (the bar then shows
    the fraction of each map's range, and each title its range). Showing maps with the same
    names again only swaps the pictures (no new items: fast).
    """

    def __init__(self, cmap: pg.ColorMap, label: str):
        super().__init__()
        self.cmap, self.label = cmap, label
        self.items: dict[str, pg.ImageItem] = {}
        self.views: dict[str, pg.ViewBox] = {}
        self.labels: dict[str, pg.LabelItem] = {}
        self.bar: pg.ColorBarItem | None = None
        self._layout_key: tuple | None = None
        self._shape = (0, 1, False, (1, 1))

    def height_for(self, width: int) -> int | None:
        """Height that shows the maps at their aspect ratio for this width (None: any)."""
        n, columns, with_bar, (h, w) = self._shape
        if n == 0:
            return None
        cols, rows = min(columns, n), (n + columns - 1) // columns
        bar_w = 110 if with_bar else 0
        return int(rows * ((width - bar_w) / cols * h / w + 30) + 10)

    def _build(self, names: list[str], columns: int, with_bar: bool, shared: bool) -> None:
        self.clear()
        self.items, self.views, self.labels, self.bar = {}, {}, {}, None
        for i, name in enumerate(names):
            r, c = divmod(i, columns)
            label = self.addLabel(name, row=2 * r, col=c)
            label.setMaximumHeight(22)
            vb = self.addViewBox(row=2 * r + 1, col=c, lockAspect=True, invertY=True, enableMenu=False)
            self.ci.layout.setRowStretchFactor(2 * r + 1, 1)
            item = pg.ImageItem(axisOrder="row-major")
            if not shared:
                item.setColorMap(self.cmap)     # not linked to the bar: each keeps its own levels
            vb.addItem(item)
            self.items[name], self.views[name], self.labels[name] = item, vb, label
        if names and with_bar:
            self.bar = pg.ColorBarItem(values=(0, 1), colorMap=self.cmap, interactive=False,
                                       label=self.label if shared else f"{self.label}, per map",
                                       width=14)
            if shared:
                self.bar.setImageItem(list(self.items.values()))
            rows = (len(names) + columns - 1) // columns
            self.addItem(self.bar, row=0, col=min(columns, len(names)), rowspan=2 * rows)

    def show_maps(self, named: dict[str, np.ndarray], values: tuple[float, float] | dict[str, tuple[float, float]],
                  frame_wh: tuple[int, int] | None = None, columns: int = 2, with_bar: bool = True) -> None:
        """Show the maps: 2-D float maps through the colour map, (h, w, 3) RGB [0,1] as they are.

        ``values``: the (lo, hi) shown at the ends of the colour map, shared by all maps, or one
        per map name (symmetric ranges then put the bar at -1..1, else 0..1, of each range).
        """
        shared = not isinstance(values, dict)
        key = (tuple(named), columns, with_bar, shared)
        if key != self._layout_key:
            self._build(list(named), columns, with_bar, shared)
            self._layout_key = key
        for name, arr in named.items():
            item = self.items[name]
            arr = np.asarray(arr, np.float32)
            levels = values if shared else values[name]
            item.setImage(arr, autoLevels=False, levels=(0.0, 1.0) if arr.ndim == 3 else levels)
            if not shared:
                lo, hi = levels
                self.labels[name].setText(f"{name}  ±{hi:.2g}" if lo == -hi else f"{name}  {lo:.3g}…{hi:.3g}")
            w, h = frame_wh or (arr.shape[1], arr.shape[0])
            item.setRect(QRectF(0, 0, w, h))
            self.views[name].setDefaultPadding(0.01)
            self.views[name].enableAutoRange()
        if self.bar is not None:
            symmetric = not shared and all(lo == -hi for lo, hi in values.values())
            self.bar.setLevels(values if shared else ((-1.0, 1.0) if symmetric else (0.0, 1.0)))
        self._shape = (len(named), columns, with_bar, next(iter(named.values())).shape[:2] if named else (1, 1))
        if isinstance(self.parent(), TopHolder):
            self.parent().place()


class CurvePlot(pg.GraphicsLayoutWidget):
    """The GCA curve: pair histogram, identity line, interpolated curve, 64 nodes."""

    def __init__(self):
        super().__init__()
        self.plot = self.addPlot(title="Learned intensity curve T (GCA)")
        self.plot.setLabel("bottom", "colour-camera luma (0–255)")
        self.plot.setLabel("left", "mono-camera luma (0–255)")
        self.plot.setAspectLocked(True)
        self.plot.setRange(xRange=(0, 255), yRange=(0, 255), padding=0.02)
        self.plot.addLegend(offset=(10, 10))
        self.histogram = pg.ImageItem(axisOrder="row-major")
        self.histogram.setLookupTable(pg.colormap.get("magma").getLookupTable(nPts=256))
        self.histogram.setRect(QRectF(0, 0, 256, 256))
        self.plot.addItem(self.histogram)
        self.identity = self.plot.plot([0, 255], [0, 255], name="identity",
                                       pen=pg.mkPen("#9e9e9e", width=1, style=Qt.PenStyle.DashLine))
        self.curve = self.plot.plot([], [], name="curve T", pen=pg.mkPen("#4fc3f7", width=2))
        self.nodes = pg.ScatterPlotItem(size=6, brush=pg.mkBrush("#ffeb3b"), pen=None, name="64 nodes")
        self.plot.addItem(self.nodes)          # named: the legend lists it by itself

    def height_for(self, width: int) -> int:
        """A square plot (the axes are locked 1:1) plus its title and axes, not the whole dock."""
        return int(width + 40)

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


class DiagnosticsDock(QDockWidget):
    """Shows a colorization's diagnostics (arrays already downsampled for display)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Diagnostics", parent)
        self.setObjectName("diagnostics_dock")
        self.tabs = QTabWidget()
        self.palette = maps.DEFAULT_PALETTE
        self._last: tuple | None = None            # the diagnostics shown, to redraw in other colours
        self.confidence = MapGrid(CONFIDENCE_CMAP, "confidence (green high)")
        self.curve = CurvePlot()
        self.visibility = MapGrid(SIGNED_CMAP, "red −, green +")
        self.disparity = MapGrid(SCALAR_CMAP, "disparity (px)")
        self.uncertainty = MapGrid(SCALAR_CMAP, "uncertainty")
        self.flow = MapGrid(SCALAR_CMAP, "")
        self.colour = MapGrid(SCALAR_CMAP, "")
        self.other = MapGrid(SCALAR_CMAP, "value")
        self.info = QPlainTextEdit(readOnly=True)
        self.info.setAccessibleName("Method facts")
        self.empty = QLabel("Colorize a photo to see what the method measured.")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.pages = {"Confidence": self.confidence, "Curve": self.curve, "Visibility": self.visibility,
                      "Disparity": self.disparity, "Uncertainty": self.uncertainty, "Flow": self.flow,
                      "Colour": self.colour, "Other": self.other, "Info": self.info}
        for title, page in self.pages.items():
            self.tabs.addTab(TopHolder(page) if isinstance(page, (MapGrid, CurvePlot)) else page, title)
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.empty)
        layout.addWidget(self.tabs)
        self.setWidget(box)
        self.shown: set[str] = set()
        self._pending: dict[str, Any] = {}
        self.tabs.currentChanged.connect(self._tab_changed)
        self.clear()

    def clear(self) -> None:
        """Hide everything (the plot items are kept and reused by the next result)."""
        self.info.setPlainText("")
        self.shown = set()
        self.tabs.setVisible(False)
        self.empty.setVisible(True)

    def _set_visible_tabs(self, titles: set[str]) -> None:
        for i in range(self.tabs.count()):
            self.tabs.setTabVisible(i, self.tabs.tabText(i) in titles)
        self.shown = titles

    def show_diagnostics(self, diagnostics: dict[str, Any], info: dict[str, Any] | None = None,
                         frame_wh: tuple[int, int] | None = None) -> None:
        """Fill the tabs from a diagnostics dict (name -> array or JSON-able).

        Only the tab in front is drawn now; the others when they are first shown (:meth:`render`),
        so a new result never holds the GUI thread for long.
        """
        self._last = (diagnostics, info, frame_wh)
        arrays = {k: v for k, v in diagnostics.items() if isinstance(v, np.ndarray) and not is_picture_key(k)}
        todo: dict[str, Any] = {}
        conf = {k: v for k, v in arrays.items() if k.startswith("confidence") and v.ndim == 2}
        if conf:
            conf_ranges = {k: (0.0, maps.confidence_scale(v)) for k, v in conf.items()}  # relative
            todo["Confidence"] = lambda: self.confidence.show_maps(conf, conf_ranges, frame_wh, columns=1)
        curve = diagnostics.get("curve")
        if isinstance(curve, dict) and len(curve.get("x", [])):
            todo["Curve"] = lambda: self.curve.show_curve(curve)
        vis = {k: v for k, v in sorted(arrays.items()) if k.startswith("visibility") and v.ndim == 2}
        if vis:   # each scale its own range: V1..V4 are far weaker than V0 and would look black
            titled = {visibility_title(k): v for k, v in vis.items()}
            ranges = {k: (-s, s) for k, s in ((k, symmetric_scale(v)) for k, v in titled.items())}
            todo["Visibility"] = lambda: self.visibility.show_maps(titled, ranges, frame_wh, columns=2)
        disp = {k: v for k, v in arrays.items() if k.startswith("disparity") and v.ndim == 2}
        if not disp and isinstance(arrays.get("flow"), np.ndarray) and arrays["flow"].ndim == 3:
            disp = {"horizontal flow (= disparity)": arrays["flow"][..., 0]}
        if disp:
            todo["Disparity"] = lambda: self.disparity.show_maps(disp, _robust_range(
                np.concatenate([v.ravel() for v in disp.values()])), frame_wh, columns=1)
        unc = {k: v for k, v in arrays.items() if k.startswith(UNCERTAINTY_NAMES) and v.ndim == 2}
        if unc:
            todo["Uncertainty"] = lambda: self.uncertainty.show_maps(unc, _robust_range(
                np.concatenate([v.ravel() for v in unc.values()])), frame_wh, columns=1)
        flows = {k: v for k, v in arrays.items() if k.startswith("flow") and v.ndim == 3 and v.shape[2] == 2}
        if flows:
            def show_flow():
                pictures = {k: diagnostics.get(picture_key(k)) for k in flows}
                pictures = {k + FLOW_CAPTION: p if isinstance(p, np.ndarray) else maps.flow_to_rgb(flows[k])
                            for k, p in pictures.items()}
                warped = diagnostics.get("warped_reference")
                if isinstance(warped, np.ndarray) and warped.ndim == 3:    # what the flow does
                    pictures["the colour shot moved onto the gray by the flow"] = np.clip(warped, 0, 1)
                # a colour wheel: hue = direction, saturation = length; no bar
                self.flow.show_maps(pictures, (0, 1), frame_wh, columns=1, with_bar=False)
            todo["Flow"] = show_flow
        hues = {k: v for k, v in arrays.items() if k.startswith("hue") and v.ndim == 2}
        sat = arrays.get("saturation")
        if hues:
            def show_colour():
                pictures = {k: maps.hue_to_rgb(v) for k, v in hues.items()}
                if isinstance(sat, np.ndarray) and sat.shape == next(iter(hues.values())).shape:
                    pictures["hue at its saturation"] = maps.hue_to_rgb(next(iter(hues.values())), sat)
                self.colour.show_maps(pictures, (0, 1), frame_wh, columns=1, with_bar=False)
            todo["Colour"] = show_colour
        used = set(conf) | set(vis) | set(disp) | set(unc) | set(flows) | set(hues)
        if hues and isinstance(sat, np.ndarray):
            used.add("saturation")
        rest = {OTHER_TITLES.get(k, k): v for k, v in arrays.items() if k not in used and v.ndim == 2}
        if rest:
            todo["Other"] = lambda: self.other.show_maps(rest, _robust_range(
                np.concatenate([v.ravel() for v in rest.values()])), frame_wh, columns=2)
        notes = {k: v for k, v in diagnostics.items()
                 if not isinstance(v, np.ndarray) and k != "curve" and not is_picture_key(k)}
        self.info.setPlainText(facts_text({**(info or {}), **notes}))
        self._pending = todo
        self.empty.setVisible(False)
        self.tabs.setVisible(True)
        titles = set(todo) | {"Info"}
        looked_at = self.tabs.tabText(self.tabs.currentIndex()) if self.tabs.currentIndex() >= 0 else ""
        self.tabs.blockSignals(True)
        self._set_visible_tabs(titles)
        front = looked_at if looked_at in titles else \
            next(t for t in ("Confidence", "Curve", "Visibility", "Disparity", "Flow", "Colour", "Other", "Info")
                 if t in titles)       # the tab the user was looking at stays in front
        self.tabs.setCurrentIndex(list(self.pages).index(front))
        self.tabs.blockSignals(False)
        self.render(front)

    def set_palette(self, palette: str) -> None:
        """The confidence and visibility maps' two colours (maps.PALETTES); what is shown is
        redrawn in them."""
        low, high = PALETTE_WORDS[palette]
        self.palette = palette
        for grid, cmap, label in ((self.confidence, confidence_cmap(palette), f"confidence ({high} high)"),
                                  (self.visibility, signed_cmap(palette), f"{low} −, {high} +")):
            grid.cmap, grid.label, grid._layout_key = cmap, label, None     # rebuilt at the next show
        if self._last is not None and self.shown:
            self.show_diagnostics(*self._last)

    def render(self, title: str) -> None:
        """Draw a tab's content if it has not been drawn for the current result."""
        job = self._pending.pop(title, None)
        if job is not None:
            job()

    def _tab_changed(self, index: int) -> None:
        if index >= 0:
            self.render(self.tabs.tabText(index))
