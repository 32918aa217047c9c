"""Stereo colorization with the Cycle CNN at any input size.

The nets run at a working resolution (``working_pixels``); their chroma is brought back to the
gray's full size by guided upsampling with the full-resolution gray as guide, so the output
luma is the gray itself. The camera side and the disparity range come from
:func:`colorstudio.core.checks.check_pair` (overridable); the reference is pre-shifted by the
smallest disparity so the network's candidates cover [d_min, d_max].
"""
from __future__ import annotations

import json
import math
import threading
import time
from pathlib import Path

import cv2
import numpy as np
import torch

from colorstudio.core.color import rgb_to_ycbcr
from colorstudio.core.guided import guided_upsample_chroma
from colorstudio.core.result import ChromaResult
from colorstudio.errors import MethodError, ModelError, PairError
from colorstudio.nets.registry import load_model

WORKING_PIXELS = 350_000        # nets' input size (gray pixels) unless the caller asks otherwise
MAX_CANDIDATES = 128            # disparity candidates the engine lets the model search
CURVE_SAMPLES = 5000
_CACHE: dict[tuple, torch.nn.Module] = {}
_LOCK = threading.Lock()


def default_model_path() -> Path:
    from colorstudio.engine.learned_methods import weight_file
    return Path(weight_file("cyclecnn"))


def get_model(model=None) -> torch.nn.Module:
    """A CycleCNN from a path (cached per path and modification time), or the default one."""
    if isinstance(model, torch.nn.Module):
        return model.eval()
    path = Path(model) if model is not None else default_model_path()
    if not path.is_file():
        raise ModelError(f"model file not found: {path}")
    key = (str(path.resolve()), path.stat().st_mtime_ns)
    with _LOCK:
        if key not in _CACHE:
            _CACHE[key] = load_model(path, kind="cyclecnn")
        return _CACHE[key]


def _estimate_geometry(gray: np.ndarray, reference: np.ndarray) -> dict:
    """Camera side and disparity percentiles (gray px) from the pair check; {} if unknown."""
    try:
        from colorstudio.core.checks import check_pair
    except ImportError:
        return {}
    try:
        rep = check_pair(gray, reference)
    except Exception:                    # a failed estimate falls back to the defaults
        return {}
    side = rep.colour_side
    if side == "unknown":
        side = None
        if rep.disparity_median is not None:
            side = "right" if rep.disparity_median >= 0 else "left"
    return {"side": side, "lo": rep.disparity_min, "hi": rep.disparity_max,
            "rectified": rep.rectified}


def _shift_reference(ref: np.ndarray, shift: int, side: str) -> np.ndarray:
    """Move reference content by ``shift`` px towards the gray's position (edge replicated):
    side 'right': out[x] = ref[x + shift]; 'left': out[x] = ref[x - shift]."""
    if shift <= 0:
        return ref
    w = ref.shape[1]
    shift = min(shift, w - 1)
    if side == "right":
        idx = np.minimum(np.arange(w) + shift, w - 1)
    else:
        idx = np.maximum(np.arange(w) - shift, 0)
    return ref[:, idx]


def _resize(img: np.ndarray, w: int, h: int) -> np.ndarray:
    if img.shape[1] == w and img.shape[0] == h:
        return img
    shrink = w < img.shape[1]
    return cv2.resize(img, (w, h), interpolation=cv2.INTER_AREA if shrink else cv2.INTER_CUBIC)


def _check_inputs(gray, reference):
    if reference is None:
        raise MethodError("cyclecnn needs a colour reference shot")
    gray = np.asarray(gray, np.float32)
    reference = np.asarray(reference, np.float32)
    if gray.ndim != 2 or reference.ndim != 3 or reference.shape[2] != 3:
        raise PairError(f"need a gray image (H, W) and a colour reference (h, w, 3); "
                        f"got {gray.shape} and {reference.shape}")
    if min(gray.shape) < 16 or min(reference.shape[:2]) < 8:
        raise PairError("the images are too small for stereo colorization (under 16 px)")
    return gray, reference


def curve_diagnostic(out: dict, gray_w: np.ndarray, rng_seed: int = 0) -> dict:
    """JSON-able GCA curve: 64 nodes (x, y, support) on the 0..1 scale and up to 5000
    (colour-camera luma, mono luma, weight) pixel pairs it was fitted on."""
    xm, ym, support = (t.detach().cpu().numpy() for t in out["curve"])
    cy = out["wac_ycc"][0, 0].detach().cpu().numpy().ravel()
    m = out["confidence"][0, 0].detach().cpu().numpy().ravel()
    g = gray_w.ravel()
    n = min(CURVE_SAMPLES, g.size)
    idx = np.random.default_rng(rng_seed).choice(g.size, n, replace=False)
    r = lambda a: [round(float(v), 4) for v in a]
    return {"nodes": {"x": r(xm), "y": r(ym[0]), "support": r(support[0])},
            "samples": {"colour_luma": r(cy[idx]), "mono_luma": r(g[idx]), "weight": r(m[idx])},
            "scale": "0..1 (x 255 for the papers' scale)", "sigma_255": 5.0}


def _colorize_rectified(gray, reference, geo: dict, **kwargs) -> ChromaResult | None:
    """Rectify an unrectified pair, colorize it and map the result back to the gray's
    geometry; None when rectification is not possible or not needed."""
    from colorstudio.core.rectify import rectify_pair, unrectify
    try:
        rect = rectify_pair(gray, reference)
    except PairError:
        return None
    if not rect.applied:
        return None
    res = colorize_stereo(rect.gray_rect, rect.reference_rect, rectify=False, **kwargs)
    chroma = np.clip(unrectify(res.chroma, rect, gray.shape), 0.0, 1.0).astype(np.float32)
    res.info["rectification"] = rect.quality
    res.info["diagnostics_geometry"] = "rectified canvas (working size)"
    return ChromaResult(chroma=chroma, diagnostics=res.diagnostics, info=res.info)


def colorize_stereo(gray, reference, model=None, max_disparity=None, side=None,
                    working_pixels: int = WORKING_PIXELS, min_disparity=None,
                    use_refine: bool = True, rectify: bool | str = "auto", **options) -> ChromaResult:
    """Colorize a mono shot with the colour shot of a stereo/dual camera.

    gray: (H, W) float32 [0,1]; reference: (h, w, 3) float32 RGB [0,1] (any size, resized to
    the gray's geometry). model: a .safetensors path (default: models/cyclecnn.safetensors).
    max_disparity / min_disparity: |x_ref - x_gray| range in gray px; side: 'right'
    (reference content at larger x) or 'left'; all estimated when None. rectify: "auto"
    rectifies a pair whose rows do not line up (result mapped back), True forces, False never.
    Returns chroma (H, W, 2) and diagnostics "confidence", "curve", "disparity" (signed, gray
    px), "entropy" (nats), "residue" (|refinement| in chroma units), all at working size.
    """
    if options:
        raise MethodError(f"cyclecnn: unknown option(s) {', '.join(sorted(options))}")
    t0 = time.perf_counter()
    gray, reference = _check_inputs(gray, reference)
    net = get_model(model)
    H, W = gray.shape
    geo = {}
    if side is None or max_disparity is None or rectify is not False:
        geo = _estimate_geometry(gray, reference)
    if rectify is True or (rectify == "auto" and geo.get("rectified") is False):
        done = _colorize_rectified(gray, reference, geo, model=model, max_disparity=max_disparity,
                                   side=side, working_pixels=working_pixels,
                                   min_disparity=min_disparity, use_refine=use_refine)
        if done is not None:
            done.info["seconds"] = round(time.perf_counter() - t0, 3)
            return done
    side = side or geo.get("side") or "right"
    if side not in ("left", "right"):
        raise MethodError(f"side must be 'left' or 'right', not {side!r}")
    sign = 1 if side == "right" else -1
    lo_est = hi_est = None
    if geo.get("lo") is not None:
        a, b = sign * geo["lo"], sign * geo["hi"]
        lo_est, hi_est = min(a, b), max(a, b)
    trained = int(net.cfg.max_disparity)
    hi = float(max_disparity if max_disparity is not None else
               (hi_est * 1.15 + 4 if hi_est is not None else trained * max(1.0, W / 1000)))
    lo = float(min_disparity if min_disparity is not None else
               (max(0.0, lo_est * 0.85 - 4) if lo_est is not None else 0.0))
    lo = max(0.0, min(lo, hi))

    scale = min(1.0, math.sqrt(working_pixels / float(H * W)))
    if (hi - lo) * scale > MAX_CANDIDATES:           # keep the search within the budget
        scale = MAX_CANDIDATES / (hi - lo)
    w, h = max(16, round(W * scale)), max(16, round(H * scale))
    sx = w / W
    gray_w = _resize(gray, w, h)
    ref_w = np.clip(_resize(reference, w, h), 0.0, 1.0)
    shift = int(math.floor(lo * sx))
    ref_w = _shift_reference(ref_w, shift, side)
    search = max(8, int(math.ceil((hi - lo) * sx)) + 2)

    g_t = torch.from_numpy(np.ascontiguousarray(gray_w))[None, None]
    r_t = torch.from_numpy(np.ascontiguousarray(rgb_to_ycbcr(ref_w))).permute(2, 0, 1)[None]
    with torch.no_grad():
        out = net(g_t, r_t, search, side, use_gca=True, use_refine=use_refine)
    chroma_w = out["chroma"][0].clamp(0, 1).permute(1, 2, 0).numpy().astype(np.float32)
    chroma = guided_upsample_chroma(chroma_w, gray) if (h, w) != (H, W) else chroma_w
    disparity = ((out["disparity"][0, 0].numpy() + sign * shift) / sx).astype(np.float32)
    residue = out.get("residue")
    diagnostics = {
        "confidence": out["confidence"][0, 0].numpy().astype(np.float32),
        "curve": curve_diagnostic(out, gray_w),
        "disparity": disparity,
        "entropy": out["entropy"][0, 0].numpy().astype(np.float32),
        "residue": (residue[0].norm(dim=0).numpy().astype(np.float32) if residue is not None
                    else np.zeros((h, w), np.float32)),
    }
    info = {"method": "cyclecnn", "working_size": [w, h], "scale": round(sx, 4), "side": side,
            "disparity_range": [round(lo, 2), round(hi, 2)], "candidates": int(out["weights"].shape[1]),
            "pre_shift_px": shift, "estimated": bool(geo),
            "model": str(model) if isinstance(model, (str, Path)) else ("default" if model is None else "module"),
            "seconds": round(time.perf_counter() - t0, 3)}
    json.dumps(info)
    return ChromaResult(chroma=np.ascontiguousarray(chroma, np.float32), diagnostics=diagnostics, info=info)
