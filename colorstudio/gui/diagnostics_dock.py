"""The diagnostics dock: what the method can show about itself, one tab per kind.

- Confidence: the GCA confidence map M, green high / red low, with a colour bar (a classic
  method's: where it matched, 1, or filled in, 0).
- Curve: the tone curve from the colour camera's luma to the mono's (the histogram match, then
  GCA's learned curve T) — 64 nodes, the interpolated curve, a 2-D histogram of the
  (colour-camera luma, mono luma) pixel pairs it was fitted on, the identity line.
- Occlusion (CCDC and the Cycle CNN; in front for CCDC): which shot does not see what
  (core.occlusion): over the gray, red where the colour shot does not see it; over the colour
  shot, green where the gray does not.
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
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QDockWidget, QLabel, QPlainTextEdit, QTabWidget, QVBoxLayout, QWidget

from colorstudio.core import diagnostic_maps as maps
from colorstudio.gui.diagnostic_plots import (CONFIDENCE_CMAP, SCALAR_CMAP, SIGNED_CMAP, CurvePlot, MapGrid, TopHolder,
                                              confidence_cmap, signed_cmap)
from colorstudio.gui.display import is_mask, is_picture_key, picture_key, underlay_key

UNCERTAINTY_NAMES = ("entropy", "uncertainty")
# titles in plain words for the engine's map names (the names themselves otherwise)
MAP_TITLES = {"residue": "size of the colour refinement's change (chroma, 0-1)",
              "entropy": "entropy of the disparity weights (nats)"}
MATCHED_TITLE = "matched (1) or filled in (0)"    # a classic method's confidence: where it found a match
VISIBILITY_SCALES = {"0": "V0, the image", "1": "V1, 1/2 size", "2": "V2, 1/4 size", "3": "V3, 1/8 size",
                     "4": "V4, 1/16 size"}     # short: two maps side by side in a narrow dock
FLOW_CAPTION = " (hue: direction, strength: length)"


def occlusion_titles(low: str, high: str) -> dict[str, str]:
    """The occlusion maps' titles, saying what their colour means (core.occlusion; short: the
    dock is narrow)."""
    return {"occlusion": f"the gray; {low}: unmatched (colour guessed)",     # whole in a 300 px dock
            "occlusion_colour_shot": f"the colour shot; {high}: unmatched"}


def visibility_title(key: str) -> str:
    """'visibility_0' -> what the map is, in words (the key itself when unknown)."""
    return VISIBILITY_SCALES.get(key.rpartition("_")[2], key) if key.startswith("visibility_") else key


def visibility_caption(low: str, high: str) -> str:
    """What a visibility map's two colours mean (core.diagnostic_maps.signed_to_rgb): V0 in luma
    (less: darker), V1–V4 in features, whose sign says nothing of brightness (the tab's tip)."""
    return f"{low} −: colour shot less, {high} +: more"   # short: it sets the dock's least width


TAB_TIPS = {"Confidence": "Where the method trusts its match (Cycle CNN: the GCA confidence map M)",
            "Curve": "The tone curve from the colour camera's luma to the mono camera's: the histogram match, then "
                     "GCA's learned curve T",
            "Visibility": "CCDC's visibility maps: where the moved colour shot does not match the gray, per scale. "
                          "V0 compares lumas (less: the colour shot is darker there); V1–V4 compare the "
                          "network's features, whose sign says nothing of brightness",
            "Occlusion": "Which shot does not see what: where no match for the gray was found in the colour shot "
                         "(its colour there is guessed), and where none for the colour shot was found in the gray",
            "Disparity": "How far each pixel's match lies in the colour shot (pixels; along the rectified rows "
                         "when the pair was rectified, see Info)",
            "Uncertainty": "How spread the network's disparity weights are (entropy): high where it is unsure; "
                           "a flat, featureless area may read low and still be matched by chance",
            "Flow": "How the colour shot was moved onto the gray",
            "Colour": "The hue and saturation the single-gray method predicted",
            "Other": "Other maps the method made", "Info": "The method's facts: sizes, time, settings"}


# the tab names a narrow dock shows (Qt's own shortening made "Oc…" of Occlusion and "O…" of Other)
SHORT_TAB_NAMES = {"Confidence": "Conf.", "Occlusion": "Occl.", "Visibility": "Vis.", "Disparity": "Disp.",
                   "Uncertainty": "Unc."}


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


class DiagnosticsDock(QDockWidget):
    """Shows a colorization's diagnostics (arrays already downsampled for display)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Diagnostics", parent)
        self.setObjectName("diagnostics_dock")
        self.tabs = QTabWidget()
        self.palette = maps.DEFAULT_PALETTE
        self.confidence = MapGrid(CONFIDENCE_CMAP, "confidence (green high)")
        self.curve = CurvePlot()
        self.visibility = MapGrid(SIGNED_CMAP, visibility_caption("red", "green"))
        self.occlusion = MapGrid(SIGNED_CMAP, "")
        self._show_occlusion = None        # redraws the occlusion map (its title names the colours)
        self.disparity = MapGrid(SCALAR_CMAP, "disparity (px)")
        self.uncertainty = MapGrid(SCALAR_CMAP, "uncertainty (0: one disparity)")
        self.flow = MapGrid(SCALAR_CMAP, "")
        self.colour = MapGrid(SCALAR_CMAP, "")
        self.other = MapGrid(SCALAR_CMAP, "")
        self.info = QPlainTextEdit(readOnly=True)
        self.info.setAccessibleName("Method facts")
        self.empty = QLabel("Colorize a photo to see what the method measured.")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.pages = {"Confidence": self.confidence, "Curve": self.curve, "Occlusion": self.occlusion,
                      "Visibility": self.visibility, "Disparity": self.disparity, "Uncertainty": self.uncertainty,
                      "Flow": self.flow, "Colour": self.colour, "Other": self.other, "Info": self.info}
        for title, page in self.pages.items():
            i = self.tabs.addTab(TopHolder(page) if isinstance(page, (MapGrid, CurvePlot)) else page, title)
            self.tabs.setTabToolTip(i, f"{title}: {TAB_TIPS[title]}")
        self.tabs.setElideMode(Qt.TextElideMode.ElideRight)    # (see _fit_tab_names)
        self.tabs.setUsesScrollButtons(False)                  # tabs hidden behind arrows only when needed
        self.tabs.tabBar().setStyleSheet("QTabBar::tab { padding: 4px 3px; }")   # 7 short names in 250 px
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.empty)
        layout.addWidget(self.tabs)
        self.setWidget(box)
        self.shown: set[str] = set()
        self._looked_at = ""
        self._pending: dict[str, Any] = {}
        self.tabs.currentChanged.connect(self._tab_changed)
        self.tabs.installEventFilter(self)
        self.clear()

    def clear(self) -> None:
        """Hide everything (the plot items are kept and reused by the next result, and the tab
        looked at stays in front for it)."""
        if self.shown:
            self._looked_at = self.title_at(self.tabs.currentIndex())
        self.info.setPlainText("")
        self._set_visible_tabs(set())   # none until the next result's: shown with the last result's
        self.tabs.setVisible(False)     # (all ten at first) the tab bar widened the window for a moment
        self.empty.setVisible(True)

    def title_at(self, index: int) -> str:
        """The full name of the tab at ``index`` (its text may be the short one)."""
        return list(self.pages)[index] if 0 <= index < len(self.pages) else ""

    def _set_visible_tabs(self, titles: set[str]) -> None:
        for i, title in enumerate(self.pages):
            self.tabs.setTabVisible(i, title in titles)
        self.shown = titles
        self._fit_tab_names()

    def _fit_tab_names(self) -> None:
        """The visible tabs' full names when they fit the dock's width, else the short ones; when
        even those do not (a large font), scroll buttons: Qt's shortening made "C… Cu… O…" of them."""
        bar = self.tabs.tabBar()
        visible = [i for i, title in enumerate(self.pages) if title in self.shown]

        def fit(names: dict[str, str]) -> bool:        # the tabs' widths as the style draws them
            for i, title in enumerate(self.pages):
                self.tabs.setTabText(i, names.get(title, title))
            return sum(bar.tabSizeHint(i).width() for i in visible) <= self.tabs.width()

        scroll = not fit({}) and not fit(SHORT_TAB_NAMES)
        self.tabs.setUsesScrollButtons(scroll)
        self.tabs.setElideMode(Qt.TextElideMode.ElideNone if scroll else Qt.TextElideMode.ElideRight)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt API
        if watched is self.tabs and event.type() == QEvent.Type.Resize:   # shown, laid out or resized
            self._fit_tab_names()
        return super().eventFilter(watched, event)

    def show_diagnostics(self, diagnostics: dict[str, Any], info: dict[str, Any] | None = None,
                         frame_wh: tuple[int, int] | None = None) -> None:
        """Fill the tabs from a diagnostics dict (name -> array or JSON-able).

        Only the tab in front is drawn now; the others when they are first shown (:meth:`render`),
        so a new result never holds the GUI thread for long.
        """
        arrays = {k: v for k, v in diagnostics.items() if isinstance(v, np.ndarray) and not is_picture_key(k)}
        todo: dict[str, Any] = {}
        conf = {k: v for k, v in arrays.items() if k.startswith("confidence") and v.ndim == 2}
        if conf:
            conf = {MATCHED_TITLE if is_mask(v) else k: v for k, v in conf.items()}
            conf_ranges = {k: (0.0, maps.confidence_scale(v)) for k, v in conf.items()}  # relative
            todo["Confidence"] = lambda: self.confidence.show_maps(conf, conf_ranges, frame_wh, columns=1)
        curve = diagnostics.get("curve")
        if isinstance(curve, dict) and len(curve.get("x", [])):
            todo["Curve"] = lambda: self.curve.show_curve(curve)
        vis = {k: v for k, v in sorted(arrays.items()) if k.startswith("visibility") and v.ndim == 2}
        if vis:   # each scale its own range: V1..V4 are far weaker than V0 and would look black
            titled = {visibility_title(k): v for k, v in vis.items()}
            ranges = {k: (-s, s) for k, s in ((k, maps.signed_scale(v)) for k, v in titled.items())}
            todo["Visibility"] = lambda: self.visibility.show_maps(titled, ranges, frame_wh, columns=2)
        occlusion = {k: arrays[k] for k in ("occlusion", "occlusion_colour_shot")
                     if k in arrays and arrays[k].ndim == 2}
        self._show_occlusion = None
        if occlusion:
            def show_occlusion():       # -1 / 0 and 0 / +1: the colour map's ends, no bar
                titles = occlusion_titles(*maps.PALETTE_NAMES[self.palette])
                shown = {titles[k]: self._over_its_photo(k, v, diagnostics) for k, v in occlusion.items()}
                self.occlusion.show_maps(shown, (-1.0, 1.0), frame_wh, columns=1, with_bar=False)
                self._show_occlusion = show_occlusion
            todo["Occlusion"] = show_occlusion
        disp = {k: v for k, v in arrays.items() if k.startswith("disparity") and v.ndim == 2}
        if not disp and isinstance(arrays.get("flow"), np.ndarray) and arrays["flow"].ndim == 3:
            disp = {"horizontal flow (= disparity)": arrays["flow"][..., 0]}
        if disp:
            todo["Disparity"] = lambda: self.disparity.show_maps(disp, maps.scalar_range(
                np.concatenate([v.ravel() for v in disp.values()])), frame_wh, columns=1)
        unc = {MAP_TITLES.get(k, k): v for k, v in arrays.items() if k.startswith(UNCERTAINTY_NAMES) and v.ndim == 2}
        if unc:
            todo["Uncertainty"] = lambda: self.uncertainty.show_maps(unc, maps.scalar_range(
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
        # other (Cb, Cr) maps, e.g. cheng's chroma before its bilateral filter: their colours
        chromas = {k: v for k, v in arrays.items() if v.ndim == 3 and v.shape[2] == 2 and k not in flows}
        if hues or chromas:
            def show_colour():
                pictures = {k: maps.hue_to_rgb(v) for k, v in hues.items()}
                if hues and isinstance(sat, np.ndarray) and sat.shape == next(iter(hues.values())).shape:
                    pictures["hue at its saturation"] = maps.hue_to_rgb(next(iter(hues.values())), sat)
                pictures.update({k.replace("_", " "): maps.chroma_to_rgb(v) for k, v in chromas.items()})
                self.colour.show_maps(pictures, (0, 1), frame_wh, columns=1, with_bar=False)
            todo["Colour"] = show_colour
        mapped = ("confidence", "visibility", "occlusion", "disparity") + UNCERTAINTY_NAMES
        used = {k for k in arrays if k.startswith(mapped) and arrays[k].ndim == 2} | set(flows) | set(hues)
        if hues and isinstance(sat, np.ndarray):
            used.add("saturation")
        rest = {MAP_TITLES.get(k, k): v for k, v in arrays.items() if k not in used and v.ndim == 2}
        if rest:
            todo["Other"] = lambda: self.other.show_maps(rest, maps.scalar_range(
                np.concatenate([v.ravel() for v in rest.values()])), frame_wh, columns=2)
        notes = {k: v for k, v in diagnostics.items()
                 if not isinstance(v, np.ndarray) and k != "curve" and not is_picture_key(k)}
        self.info.setPlainText(facts_text({**(info or {}), **notes}))
        self._pending = todo
        self.empty.setVisible(False)
        self.tabs.setVisible(True)
        titles = set(todo) | {"Info"}
        looked_at = self.title_at(self.tabs.currentIndex()) if self.shown else self._looked_at
        self.tabs.blockSignals(True)
        self._set_visible_tabs(titles)
        front = looked_at if looked_at in titles else \
            next(t for t in ("Confidence", "Curve", "Occlusion", "Visibility", "Disparity", "Flow", "Colour", "Other",
                             "Info")
                 if t in titles)       # the tab the user was looking at stays in front
        self.tabs.setCurrentIndex(list(self.pages).index(front))
        self.tabs.blockSignals(False)
        self.render(front)

    def _over_its_photo(self, name: str, value: np.ndarray, diagnostics: dict[str, Any]) -> np.ndarray:
        """An occlusion map drawn over the photo it lies on (the gray, or the colour shot), when
        the view was given that photo (gui.display.display_diagnostics' underlays); else the map."""
        base = diagnostics.get(underlay_key(name))
        if not isinstance(base, np.ndarray) or base.shape != value.shape:
            return value
        return maps.marked_over(maps.to_rgb(name, value, self.palette), value != 0, base)

    def set_palette(self, palette: str) -> None:
        """The confidence, visibility and occlusion maps' two colours (maps.PALETTES): what is shown is
        recoloured in place (no new plot items: fast), what is drawn later is drawn in them."""
        low, high = maps.PALETTE_NAMES[palette]
        self.palette = palette
        self.confidence.recolour(confidence_cmap(palette), f"confidence ({high} high)")
        self.visibility.recolour(signed_cmap(palette), visibility_caption(low, high))
        self.occlusion.recolour(signed_cmap(palette), "")
        if self._show_occlusion is not None:       # its title names the colours
            self._show_occlusion()

    def render(self, title: str) -> None:
        """Draw a tab's content if it has not been drawn for the current result."""
        job = self._pending.pop(title, None)
        if job is not None:
            job()

    def _tab_changed(self, index: int) -> None:
        if index >= 0:
            self.render(self.title_at(index))
