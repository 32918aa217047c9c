"""Colour maps that turn diagnostic arrays into RGB pictures (numpy only).

Shared by the CLI's ``--diagnostics`` PNGs and the GUI, so both show the same colours.
All functions return float32 (H, W, 3) RGB in [0, 1].
"""
from __future__ import annotations

import cv2
import numpy as np

from colorstudio.core.color import ycbcr_to_rgb


def confidence_scale(m: np.ndarray) -> float:
    """The confidence shown as full green: the 99th percentile of M (at most 1).

    The GCA curve fit normalises its weights, so only M's relative values matter and a trained
    net may keep it small everywhere (the shipped cyclecnn: median about 0.03). Shown on [0, 1]
    such a map is uniformly red; relative to its own top it shows where the curve is trusted."""
    m = np.asarray(m, np.float32)
    finite = m[np.isfinite(m)]
    return float(min(1.0, max(np.percentile(finite, 99) if finite.size else 1.0, 1e-6)))


# The two colours of the confidence and visibility maps: low / negative, high / positive.
# Red and green are the papers' (Cycle CNN's Fig. 15, CCDC's Fig. 3), but about one man in
# twelve cannot tell them apart; orange and blue differ for every kind of colour vision.
PALETTES = {"red-green": ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0)),
            "orange-blue": ((1.0, 0.5, 0.0), (0.0, 0.45, 1.0))}
DEFAULT_PALETTE = "red-green"
PALETTE_NAMES = {"red-green": ("red", "green"), "orange-blue": ("orange", "blue")}
MIDDLE_NAMES = {"red-green": "yellow", "orange-blue": "near white"}     # both colours at full strength


def _ends(palette: str) -> tuple[np.ndarray, np.ndarray]:
    if palette not in PALETTES:
        raise ValueError(f"diagnostic colours: {palette!r} (one of {', '.join(PALETTES)})")
    low, high = PALETTES[palette]
    return np.asarray(low, np.float32), np.asarray(high, np.float32)


def confidence_to_rgb(m: np.ndarray, scale: float = 1.0, palette: str = DEFAULT_PALETTE) -> np.ndarray:
    """Confidence M / scale: low -> both colours -> high; with the papers' palette red (low) ->
    yellow -> green (high), as Cycle CNN's Fig. 15."""
    low, high = _ends(palette)
    m = np.clip(np.asarray(m, np.float32) / max(float(scale), 1e-6), 0.0, 1.0)
    a = np.clip(2.0 * (1.0 - m), 0.0, 1.0)[..., None]
    b = np.clip(2.0 * m, 0.0, 1.0)[..., None]
    return np.clip(a * low + b * high, 0.0, 1.0)


def signed_scale(v: np.ndarray) -> float:
    """The magnitude a signed map shows at full colour: the 99th percentile of its finite |v|
    (their largest when that is 0; > 0 always)."""
    finite = np.abs(np.asarray(v, np.float32)[np.isfinite(v)])
    scale = float(np.percentile(finite, 99)) if finite.size else 0.0
    return scale if scale > 0 else (float(finite.max()) if finite.size and finite.max() > 0 else 1e-6)


def scalar_range(x: np.ndarray) -> tuple[float, float]:
    """The values a scalar map's colour map spans: its finite values' 1st and 99th percentiles
    (lo < hi always)."""
    finite = np.asarray(x, np.float32)[np.isfinite(x)]
    if finite.size == 0:
        return 0.0, 1.0
    lo, hi = (float(v) for v in np.percentile(finite, [1, 99]))
    return (lo, hi) if hi > lo else (lo, lo + 1e-6)


def flow_scale(flow: np.ndarray, magnitude: np.ndarray | None = None) -> float:
    """The flow length shown at full saturation: the 99th percentile of the finite lengths."""
    if magnitude is None:
        magnitude = np.hypot(flow[..., 0], flow[..., 1])
    finite = magnitude[np.isfinite(magnitude)]
    return float(np.percentile(finite, 99)) if finite.size else 1.0


def signed_to_rgb(v: np.ndarray, scale: float | None = None, palette: str = DEFAULT_PALETTE) -> np.ndarray:
    """Signed map: negative -> red, positive -> green (the papers' palette; orange and blue
    with the other), zero -> black.

    For CCDC visibility maps (V0 = warp(reference luma) - gray, as the paper's Fig. 3 colours
    them): red where the warped reference is darker than the gray, green where brighter. Strong
    colour either way marks what the warp could not match, e.g. what one view does not show
    (a bright object only the gray sees shows red; a dark one, green): a difference of
    brightness, not by itself which view hides the content.
    ``scale`` is the magnitude shown at full intensity (default: 99th percentile of |v|).
    """
    v = np.asarray(v, np.float32)
    scale = max(signed_scale(v) if scale is None else scale, 1e-6)
    t = np.clip(v / scale, -1.0, 1.0)
    low, high = _ends(palette)
    return np.clip(t, -1, 0)[..., None] * -low + np.clip(t, 0, 1)[..., None] * high


def scalar_to_rgb(x: np.ndarray, lo: float | None = None, hi: float | None = None) -> np.ndarray:
    """Any scalar map (disparity, entropy, residue) with the perceptual 'turbo' colour map."""
    x = np.asarray(x, np.float32)
    own_lo, own_hi = scalar_range(x)
    lo = own_lo if lo is None else lo
    hi = own_hi if hi is None else hi
    t = np.clip((np.nan_to_num(x, nan=lo) - lo) / max(hi - lo, 1e-6), 0, 1)
    bgr = cv2.applyColorMap((t * 255).astype(np.uint8), cv2.COLORMAP_TURBO)
    return bgr[..., ::-1].astype(np.float32) / 255.0


def flow_to_rgb(flow: np.ndarray, max_magnitude: float | None = None) -> np.ndarray:
    """Optical flow (H, W, 2) as the usual colour wheel: hue = direction, saturation = magnitude."""
    flow = np.asarray(flow, np.float32)
    mag, ang = cv2.cartToPolar(flow[..., 0], flow[..., 1])
    if max_magnitude is None:
        max_magnitude = flow_scale(flow, mag)
    hsv = np.zeros(flow.shape[:2] + (3,), np.float32)
    hsv[..., 0] = ang * (180.0 / np.pi)  # OpenCV float HSV: H in degrees [0, 360)
    hsv[..., 1] = np.clip(mag / max(max_magnitude, 1e-6), 0, 1)
    hsv[..., 2] = 1.0
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)


def hue_to_rgb(hue: np.ndarray, saturation: np.ndarray | None = None) -> np.ndarray:
    """A hue map (H, W) in [0, 1) as its colours at full brightness: hue is circular, so a
    colour bar would put red at both ends; the colours themselves read directly. Without
    ``saturation`` at full saturation (the hue the method chose), else at that saturation."""
    hue = np.asarray(hue, np.float32)
    hsv = np.ones(hue.shape + (3,), np.float32)
    hsv[..., 0] = np.mod(hue, 1.0) * 360.0   # OpenCV float HSV: H in degrees [0, 360)
    if saturation is not None:
        hsv[..., 1] = np.clip(np.asarray(saturation, np.float32), 0, 1)
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)


def marked_over(picture: np.ndarray, marked: np.ndarray, base: np.ndarray) -> np.ndarray:
    """``picture``'s colours where ``marked``, elsewhere the photo ``base`` (its luma (H, W) in
    [0, 1]) dimmed to a dark gray, so what is marked is found on the photo."""
    dim = (0.12 + 0.5 * np.clip(np.asarray(base, np.float32), 0, 1))[..., None]
    return np.where(np.asarray(marked, bool)[..., None], np.asarray(picture, np.float32), dim).astype(np.float32)


def chroma_to_rgb(chroma: np.ndarray) -> np.ndarray:
    """A (Cb, Cr) map in [0, 1] as its colours at middle luma (mid-gray where it is neutral)."""
    ycc = np.dstack([np.full(chroma.shape[:2], 0.5, np.float32), np.asarray(chroma, np.float32)])
    return np.clip(ycbcr_to_rgb(ycc), 0, 1)


def to_rgb(name: str, value: np.ndarray, palette: str = DEFAULT_PALETTE) -> np.ndarray | None:
    """The picture for a named diagnostic, or None if it is not a picture. ``palette``: the two
    colours of the confidence, visibility and occlusion maps (:data:`PALETTES`)."""
    value = np.asarray(value)
    if value.ndim == 3 and value.shape[2] == 2 and name.startswith("flow"):
        return flow_to_rgb(value)
    if value.ndim == 3 and value.shape[2] == 2 and name.startswith("chroma"):
        return chroma_to_rgb(value)
    if value.ndim == 3 and value.shape[2] == 3:
        return np.clip(value.astype(np.float32), 0, 1)
    if value.ndim != 2:
        return None
    if name.startswith("hue"):
        return hue_to_rgb(value)
    if name.startswith("confidence"):
        return confidence_to_rgb(value, confidence_scale(value), palette)
    if name.startswith("visibility"):
        return signed_to_rgb(value, palette=palette)
    if name.startswith("occlusion"):      # -1 / 0 or 0 / +1 (core.occlusion): the colours at full strength
        return signed_to_rgb(value, scale=1.0, palette=palette)
    return scalar_to_rgb(value)


# what the scalar maps measure (the PNGs' turbo colour map runs from blue, low, to dark red, high)
UNITS = {"disparity": "gray pixels, x in the colour shot minus x in the gray (the expected value of V_W); "
                      "along the rectified rows when the pair was rectified (info.json: rectification)",
         "entropy": "nats, of the disparity weights V_W (0: all on one candidate)",
         "residue": "chroma (0..1), the length of the refinement's (Cb, Cr) change"}


def legend(name: str, value: np.ndarray, palette: str = DEFAULT_PALETTE) -> dict | None:
    """What the colours of :func:`to_rgb`'s picture of a named diagnostic stand for (the values
    each map is stretched to are its own, so a PNG alone cannot tell them), or None if it is not
    a picture. For info.json beside the PNGs."""
    value = np.asarray(value)
    low, high = PALETTE_NAMES[palette]
    if value.ndim < 2 or to_rgb(name, value[:2, :2], palette) is None:     # the picture's own rule, on 4 pixels
        return None
    if value.ndim == 3 and value.shape[2] == 2 and name.startswith("flow"):
        return {"shows": "where each gray pixel's match lies in the colour shot, in gray pixels: hue = direction "
                         "(red: right, yellow-green: down, cyan: left, violet: up), saturation = length",
                "full_saturation_at_px": round(flow_scale(value.astype(np.float32)), 3)}
    if value.ndim == 3:
        return {"shows": "colours (RGB)" if value.shape[2] == 3 else "chroma (Cb, Cr) at middle luma"}
    if name.startswith("hue"):
        return {"shows": "hue at full saturation"}
    if name.startswith("confidence"):
        top = confidence_scale(value)
        return {"shows": f"confidence, {low} (0) to {MIDDLE_NAMES[palette]} to {high} (at {top:.4g} and above: the "
                         "map's 99th percentile; the Cycle CNN's GCA confidence M, whose relative values alone matter, or a "
                         "classic method's 1 where it matched, 0 where it filled in)", "full_high_at": round(top, 6)}
    if name.startswith("visibility"):
        top = signed_scale(value)
        if name == "visibility_0":
            what = ("V0 = the moved colour shot's luma, tone-matched to the gray, minus the gray's (0..1 luma): "
                    f"{low} where the moved shot is darker, {high} where brighter, black where they agree (after "
                    "the tone match, so a camera's other tone curve does not show)")
        else:
            what = ("the mean over channels of the moved colour shot's features minus the gray's, at this scale: "
                    f"{low} below, {high} above, black where they agree; the sign says nothing of brightness")
        return {"shows": what, "full_colour_at": round(top, 6)}
    if name.startswith("occlusion"):
        share = round(float((value != 0).mean()), 4)
        how = ("no match confirmed: the flows there and back disagree, or the match lies outside the frame; "
               "black elsewhere")
        if name == "occlusion_colour_shot":
            return {"shows": f"the colour shot, stretched to the gray's size and shape: {high} where no match for it "
                             f"was found in the gray, mostly what the gray does not see ({how})",
                    "share_not_seen_by_gray": share}
        return {"shows": f"the gray: {low} where no match for it was found in the colour shot, mostly what the "
                         f"colour shot does not see, where the colour is guessed ({how})",
                "share_not_seen_by_colour_shot": share}
    lo, hi = scalar_range(value)
    return {"shows": "turbo colour map, blue (low) to dark red (high)", "range": [round(lo, 6), round(hi, 6)],
            "units": UNITS.get(name.split("_")[0], "")}
