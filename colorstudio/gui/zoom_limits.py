"""How far the photo views zoom: out to an eighth of the fitted photo (or 100 % for a photo
smaller than that), in to 6400 % (a photo pixel 64 screen pixels wide), or twice the fitted
size for a photo so small that fitting it is more. Unbounded, a wheel spun on took the
photo to 0.001 % or to 400 000 %, with no way back but Fit."""
from __future__ import annotations

import pyqtgraph as pg

MOST_ZOOM = 64.0            # device pixels per photo pixel: 6400 %
LEAST_OF_FIT = 1 / 8        # zoomed out to an eighth of the fitted photo at most


def zoom_range(view_wh: tuple[float, float], frame_wh: tuple[int, int]) -> tuple[float, float]:
    """(least, most) zoom (device pixels per photo pixel) for a view of ``view_wh`` device
    pixels showing a photo of ``frame_wh``."""
    (w, h), (fw, fh) = view_wh, frame_wh
    fit = min(w / max(fw, 1), h / max(fh, 1))
    return min(1.0, fit * LEAST_OF_FIT), max(MOST_ZOOM, 2.0 * fit)


def limit_zoom(vb: pg.ViewBox, frame_wh: tuple[int, int], pixel_ratio: float) -> tuple[float, float] | None:
    """Bound the wheel's and the keys' zoom of ``vb`` (pyqtgraph's range limits, in photo
    pixels, for the view's present size); returns (least, most) zoom, None before it has a size."""
    w, h = vb.size().width() * pixel_ratio, vb.size().height() * pixel_ratio
    if min(w, h, *frame_wh) <= 0:
        return None
    least, most = zoom_range((w, h), frame_wh)
    vb.setLimits(minXRange=w / most, maxXRange=w / least, minYRange=h / most, maxYRange=h / least)
    return least, most
