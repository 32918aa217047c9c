"""Stereo mono+colour colorization with the Cycle CNN at any image size.

1. The reference is resized to the gray's size; the pair checks give the disparity range and
   the colour camera's side (overridable); an unrectified pair is rectified first and the
   result mapped back to the gray's own geometry.
2. The nets run at a working resolution (``working_pixels``, and small enough that the
   disparity span fits the model's candidates); the reference is pre-shifted so that the
   disparities start near 0.
3. The predicted chroma is cleaned of the reference's noise by the guided filter at the working
   size (:func:`denoise_chroma`), then brought to full size guided by the full-resolution gray
   (bicubic plus the gray's own detail, :func:`colorstudio.core.guided.detail_upsample_chroma`);
   the luma of the output is the gray itself (done by the caller).
Diagnostics: GCA confidence, the tone curve (the histogram match then GCA's curve: 64 nodes +
the pixel pairs it was fitted on, :func:`_curve_json`),
disparity (expected value of V_W, gray pixels), entropy of V_W, refinement residue, and which shot
does not see what (the occlusion maps of :mod:`colorstudio.core.occlusion`, as CCDC gives:
:func:`occlusion_maps`).
"""
from __future__ import annotations

import math
import os

import cv2
import numpy as np
import torch

from colorstudio.core.baselines import checked_max_disparity
from colorstudio.core.color import rgb_to_ycbcr
from colorstudio.core.guided import default_radius, detail_upsample_chroma, guided_filter
from colorstudio.core.luma_matching import luma_matching, unmatch_luma
from colorstudio.core.occlusion import OcclusionMap, shot_occlusion_map
from colorstudio.core.rectify import shift_columns
from colorstudio.core.result import ChromaResult
from colorstudio.engine.cpu_threads import LoadWindow, inference_threads, torch_threads
from colorstudio.engine.device import on_device, to_cpu, torch_device
from colorstudio.engine.model_cache import file_version, load_once
from colorstudio.errors import MethodError, PairError
from colorstudio.nets.gca import apply_curve
from colorstudio.nets.inference import for_inference
from colorstudio.nets.registry import load_model
from colorstudio.nets.weights_file import require_model_file

DEFAULT_WORKING_PIXELS = 350_000  # +0.6-0.9 dB on Motorcycle over 160k (benchmarks/stereo_motorcycle.py)
# A pair with no measurable parallax (a far scene, one viewpoint) is searched this far (gray
# px) on both sides of zero: with zero on the edge of the candidates the weighted average can
# only lean inwards and placed colour ~1.5 px off (+2.3-2.9 dB chroma PSNR on three such
# pairs). A measured side keeps the range on its side: crossing zero there cost 0.3-1.8 dB.
PAST_ZERO_PX = 4.0
_CACHE: dict[tuple, torch.nn.Module] = {}
_IGNORED = {"saturation", "mode"}


def get_model(path: str | os.PathLike | None):
    """The Cycle CNN from ``path`` (default: the shipped weights), cached per file version, in
    its inference form (:func:`colorstudio.nets.inference.for_inference`)."""
    if path is None:
        from colorstudio.engine.learned_methods import weight_file

        path = weight_file("cyclecnn")
    path = require_model_file(path, "cyclecnn")
    return load_once(_CACHE, file_version(path), lambda: for_inference(load_model(path, kind="cyclecnn")),
                     keep_one=True)


OTHER_SIDE = {"left": "right", "right": "left"}


def _disparity_range(gray, ref, side, max_disparity, min_disparity, report=None):
    """(side 'left'|'right', d_lo, d_hi) of x_ref - x_gray in gray pixels to search, and the
    pair report. A user's ``max_disparity``/``min_disparity`` (magnitudes) are taken as they
    are; an estimated range gets a margin but crosses to the other camera side only when the
    check measured no side (by :data:`PAST_ZERO_PX`, :func:`past_zero_for`). ``report``: the
    pair's check when the caller has it."""
    from colorstudio.core.checks import check_pair

    report = check_pair(gray, ref) if report is None else report
    if side is None:
        side = report.colour_side if report.colour_side in ("left", "right") else "right"
    return (side, *_search_range(side, report.disparity_min, report.disparity_max, max_disparity,
                                 min_disparity, past_zero=past_zero_for(report)), report)


def _checked_disparities(max_disparity, min_disparity, width: int) -> tuple[float | None, float | None]:
    """The user's disparity magnitudes, refused in one line when not positive (0 <= min < max),
    the largest held to the gray's width (no match lies further: 100000 squeezed the working
    size to 16 x 16 px)."""
    max_disparity = checked_max_disparity(max_disparity)
    if max_disparity is not None:
        max_disparity = min(max_disparity, float(width))
    if min_disparity is not None and not 0 <= float(min_disparity) < (max_disparity or float(width)):
        raise MethodError(f"min_disparity must be at least 0 and below max_disparity, got {min_disparity}")
    return max_disparity, min_disparity


def past_zero_for(report) -> float:
    """How far past zero parallax to search: :data:`PAST_ZERO_PX` when the check measured no
    camera side (a far scene, one viewpoint), else 0."""
    return 0.0 if report.colour_side in ("left", "right") else PAST_ZERO_PX


def _search_range(side, lo, hi, max_disparity=None, min_disparity=None,
                  past_zero: float = 0.0) -> tuple[float, float]:
    """(d_lo, d_hi) to search on ``side`` for measured disparities ``lo``..``hi`` (None when
    unknown: 0..64 px), or the user's magnitudes ``min_disparity``..``max_disparity``.
    ``past_zero``: how far (px) the range may reach to the other side of zero parallax."""
    sign = 1.0 if side == "right" else -1.0
    if max_disparity is not None:
        a, b = float(min_disparity or 0), float(max_disparity)
        return (a, b) if side == "right" else (-b, -a)
    if lo is None or hi is None or not np.isfinite([lo, hi]).all():
        lo, hi = (0.0, 64.0) if side == "right" else (-64.0, 0.0)
    margin = 0.15 * (hi - lo) + 4          # a measured zero span (the same photo twice) gets +-4 px
    lo, hi = lo - margin, hi + margin
    z = past_zero
    return (max(lo, -z), max(hi, 1.0)) if sign > 0 else (min(lo, -1.0), min(hi, z))


def _rectified_range(quality: dict, side: str, side_given: bool,
                     past_zero: float = 0.0) -> tuple[str, float, float]:
    """(side, d_lo, d_hi) measured on the rectified pair: rectifying moves the disparities
    (a tilted reference's whole range can change sign), so the range measured before no
    longer holds. The side follows the rectified disparities unless the user gave it.
    ``past_zero``: as for :func:`_search_range` (a far scene stays one once rectified)."""
    lo, hi = quality.get("disparity_min"), quality.get("disparity_max")
    if not side_given and lo is not None and hi is not None:
        side = "right" if lo >= -0.5 else "left" if hi <= 0.5 else side
    return (side, *_search_range(side, lo, hi, past_zero=past_zero))


def colorize_stereo(gray: np.ndarray, reference: np.ndarray, model=None, max_disparity=None,
                    min_disparity=None, side=None, match_side=None,
                    working_pixels: int = DEFAULT_WORKING_PIXELS,
                    rectify: bool = True, use_gca: bool = True, use_refine: bool = True,
                    match_tone: bool = True, fast_volume: bool = True, device=None,
                    defer_full_size: bool = False, pair_report=None,
                    **options) -> ChromaResult:
    """Chroma (H, W, 2) for ``gray`` (H, W) from a colour ``reference`` (h, w, 3); see module doc.

    ``side``: where the colour camera is, 'left' or 'right' (as ``--side`` and the sgbm
    method); ``match_side``: where the gray's matches lie in the reference, 'right' when
    x_ref > x_gray (the nets' and :func:`colorstudio.core.checks.check_pair`'s ``colour_side``),
    which is the opposite. Give one or none (measured). ``info`` reports both.
    ``fast_volume``: search the largest disparity range that needs no candidate padding
    (60 px for the shipped model: 16 low-resolution candidates instead of 17 padded to 24) when
    the pair's disparity span allows the same working size as the trained 64 px.
    ``device``: where the nets run (None: the CPU; see :mod:`colorstudio.engine.device`).
    ``defer_full_size``: leave the last step, the upsampling to the gray's size, to the caller
    (:class:`colorstudio.core.result.ChromaResult`, ``reduced``).
    ``diagnostics`` (option): False leaves out the occlusion maps (:func:`occlusion_maps`) and their
    shares (the other diagnostics come with the nets' work).
    ``pair_report``: :func:`colorstudio.core.checks.check_pair` of this very ``gray`` and
    ``reference``, when the caller has it (the engine has), so the pair is not checked twice.
    ``threads`` (option): torch threads; default: the cores other programs leave free
    (:func:`colorstudio.engine.cpu_threads.inference_threads`)."""
    unknown = set(options) - _IGNORED - {"max_pixels", "threads", "diagnostics"}
    if unknown:
        raise MethodError(f"cyclecnn does not know the option(s): {', '.join(sorted(unknown))}")
    if reference is None:
        raise MethodError("cyclecnn needs a colour reference")
    if gray.ndim != 2 or reference.ndim != 3 or reference.shape[2] != 3:
        raise PairError(f"cyclecnn needs a gray (H, W) and an RGB reference (h, w, 3), "
                        f"not {gray.shape} and {reference.shape}")
    window = LoadWindow()                  # what other programs use while the pair is prepared
    dev = torch_device(device)
    net = get_model(model)
    H, W = gray.shape
    shot = reference                       # the colour shot at its own size (the occlusion maps)
    if reference.shape[:2] != (H, W):
        reference = cv2.resize(reference, (W, H), interpolation=cv2.INTER_CUBIC)
    if side is not None:
        if side not in OTHER_SIDE:
            raise MethodError(f"side must be 'left' or 'right', got {side!r}")
        if match_side is not None and match_side != OTHER_SIDE[side]:
            raise MethodError(f"side={side!r} (the colour camera) and match_side={match_side!r} disagree")
        match_side = OTHER_SIDE[side]      # a camera to the right sees things further left
    side_given = match_side is not None
    max_disparity, min_disparity = _checked_disparities(max_disparity, min_disparity, W)
    if shot.shape[:2] != (H, W):          # the report was of the colour shot at its own size
        pair_report = None
    match_side, d_lo, d_hi, report = _disparity_range(gray, reference, match_side, max_disparity, min_disparity,
                                                      pair_report)
    rect = None
    info = {"device": str(dev)}
    if ignored := sorted(k for k in set(options) & {"saturation"} if options[k] is not None):
        info["ignored_options"] = ignored            # said to the user, as the other methods do
    from colorstudio.core.rectify import needs_rectification, rectify_pair

    if rectify and needs_rectification(report):
        rect = rectify_pair(gray, reference)
        info["rectification"] = rect.quality
        if rect.applied:
            gray_w, ref_w = rect.gray_rect, rect.reference_rect
            if max_disparity is None:
                match_side, d_lo, d_hi = _rectified_range(rect.quality, match_side, side_given, past_zero_for(report))
        else:
            rect = None
    info.update(side=OTHER_SIDE[match_side], match_side=match_side, disparity_range=[round(d_lo, 1), round(d_hi, 1)])
    if rect is None:
        gray_w, ref_w = gray, reference

    # working scale: bounded pixels, and the disparity span must fit the candidates. When the
    # span allows the same scale, search only as many candidates as the 3-D U-Net takes without
    # padding (60 px instead of 64: a third less volume work). A smaller scale would cost more
    # than it saves (Motorcycle: -0.26 dB at 7% fewer pixels per side).
    span = max(d_hi - d_lo, 1.0)

    def scale_for(max_d: int) -> float:
        return min(1.0, math.sqrt(working_pixels / (gray_w.shape[0] * gray_w.shape[1])), (max_d - 4) / span)

    max_d = net.cfg.max_disparity
    if fast_volume and scale_for(net.wac.unpadded_disparity(max_d)) >= scale_for(max_d):
        max_d = net.wac.unpadded_disparity(max_d)
    # the nets' smallest input is 16 px a side: a span wider than the candidates allow at that
    # size is searched in part rather than the gray squeezed out of its shape
    scale = max(scale_for(max_d), min(1.0, 16 / min(gray_w.shape)))
    wh = (max(16, round(gray_w.shape[1] * scale)), max(16, round(gray_w.shape[0] * scale)))
    sx = wh[0] / gray_w.shape[1]
    g_small = cv2.resize(gray_w, wh, interpolation=cv2.INTER_AREA)
    r_small = cv2.resize(ref_w, wh, interpolation=cv2.INTER_AREA)
    offset = int(math.floor(d_lo * sx)) - 1 if match_side == "right" else int(math.ceil(d_hi * sx)) + 1
    r_small = shift_columns(r_small, offset)
    info.update(working_size=list(wh), offset_px=offset, scale=round(sx, 4), searched_disparity=max_d)

    g_t = torch.from_numpy(np.ascontiguousarray(g_small, np.float32))[None, None]
    r_ycc = rgb_to_ycbcr(np.clip(r_small, 0, 1))
    tone = luma_matching(r_ycc[..., 0], g_small) if match_tone else None
    if tone is not None:  # the classic matchers' global tone alignment: the reference luma gets the
        r_ycc[..., 0] = np.interp(r_ycc[..., 0], *tone).astype(np.float32)  # gray's histogram (chroma untouched)
    r_t = torch.from_numpy(r_ycc).permute(2, 0, 1)[None].contiguous()
    info["threads"] = threads = inference_threads(options.get("threads"), load=window.load)
    with torch.no_grad(), torch_threads(threads):
        out = to_cpu(on_device(net, dev)(g_t.to(dev), r_t.to(dev), max_d, match_side, use_gca, use_refine,
                                         keep_weights=False))
    info["candidates"] = int(out["candidates"])
    chroma_small = out["chroma"][0].permute(1, 2, 0).clamp(0, 1).numpy()
    disparity = (out["disparity"][0, 0].numpy() + offset) / sx
    diagnostics = {"disparity": disparity.astype(np.float32),
                   "entropy": out["entropy"][0, 0].numpy().astype(np.float32)}
    if "residue" in out:
        diagnostics["residue"] = np.linalg.norm(out["residue"][0].numpy(), axis=0).astype(np.float32)
    if "confidence" in out:
        diagnostics["confidence"] = out["confidence"][0, 0].numpy().astype(np.float32)
        diagnostics["curve"] = _curve_json(out, g_small, net.gca.cfg.sigma, tone)

    wh_gray = (max(16, round(gray.shape[1] * scale)), max(16, round(gray.shape[0] * scale)))
    if options.get("diagnostics", True):      # what only a viewer needs
        maps = occlusion_maps(gray if rect is not None else g_small, shot, wh_gray)   # g_small: the gray at wh_gray
        diagnostics.update(maps.diagnostics())
        info.update(maps.facts())
    if rect is not None:     # the chroma and the maps back to the gray's own geometry
        chroma_small = _unrectified(chroma_small, rect, gray_w.shape, gray.shape, wh_gray)
        for name in ("disparity", "entropy", "residue", "confidence"):
            if name in diagnostics:
                diagnostics[name] = _unrectified(diagnostics[name], rect, gray_w.shape, gray.shape, wh_gray)
    guide = g_small if rect is None else gray     # after rectification g_small is in the rectified geometry
    chroma_small = denoise_chroma(chroma_small, guide)
    if defer_full_size and chroma_small.shape[:2] != gray.shape:
        return ChromaResult(None, diagnostics, info, reduced=chroma_small.astype(np.float32))
    chroma = detail_upsample_chroma(chroma_small, gray)
    return ChromaResult(chroma=chroma.astype(np.float32, copy=False), diagnostics=diagnostics, info=info)


def occlusion_maps(gray: np.ndarray, shot: np.ndarray, wh: tuple[int, int]) -> OcclusionMap:
    """Which shot does not see what, at the working size ``wh`` in the gray's own geometry (not
    the rectified one): DIS's flow from the gray to the colour shot (at its own size when
    smaller) and back, checked against each other
    (:func:`colorstudio.core.occlusion.shot_occlusion_map`). The same maps as CCDC's, so a pair's
    red and green do not depend on the method; the Cycle CNN's own disparity goes one way only,
    so it cannot check itself."""
    g = cv2.resize(gray, wh, interpolation=cv2.INTER_AREA) if gray.shape[::-1] != wh else gray
    if shot.shape[1] > wh[0] or shot.shape[0] > wh[1]:
        shot = cv2.resize(shot, wh, interpolation=cv2.INTER_AREA)
    return shot_occlusion_map(g, shot)


def _unrectified(small: np.ndarray, rect, rect_shape: tuple, gray_shape: tuple, wh: tuple[int, int]) -> np.ndarray:
    """A working-size image on the rectified canvas, at working size in the gray's geometry."""
    from colorstudio.core.rectify import unrectify

    on_canvas = cv2.resize(small, (rect_shape[1], rect_shape[0]), interpolation=cv2.INTER_LINEAR)
    return cv2.resize(unrectify(on_canvas, rect, gray_shape), wh, interpolation=cv2.INTER_AREA).astype(np.float32)


def denoise_chroma(chroma_small: np.ndarray, gray: np.ndarray) -> np.ndarray:
    """Cycle CNN's chroma is a weighted average of the reference's pixels, their noise
    included: the guided filter (the gray, area-reduced to the chroma's size, as the guide)
    takes it out at the working size, before the upsampling (which does not smooth)."""
    h, w = chroma_small.shape[:2]
    guide = cv2.resize(gray, (w, h), interpolation=cv2.INTER_AREA) if gray.shape != (h, w) else gray
    return np.clip(guided_filter(guide, chroma_small, default_radius((h, w))), 0.0, 1.0)


def _curve_json(out: dict, gray_small: np.ndarray, sigma: float, tone=None, max_pairs: int = 5000) -> dict:
    """The tone curve from the colour camera's luma to the mono camera's, on the 0..255 scale:
    64 nodes ``x`` (0, 4, .., 252, the colour camera's own luma) with values ``y``, and a
    subsample of the (colour-camera luma, mono luma) pixel pairs it was fitted on (``pairs``,
    ``weights``: the confidence M). It is the two steps the reference's luma went through: the
    histogram matching to the gray (``tone_match``, None when it is off) and then GCA's own curve
    (``gca``: its 64 nodes on the matched luma, each node's ``support`` the share of the
    confidence-weighted pixels near it). Without the matching, the curve is GCA's alone."""
    xm, ym, support = out["curve"]
    matched_y = out["wac_ycc"][0, 0].numpy().ravel()         # the reference's matched luma, aligned
    nodes = xm.reshape(-1).numpy().astype(np.float64)        # 0 .. 252/255
    at_nodes = np.interp(nodes, *tone) if tone is not None else nodes      # where each lands, matched
    y = apply_curve(torch.from_numpy(at_nodes.astype(np.float32)).view(1, 1, 1, -1), xm, ym, support, sigma)
    colour_y = unmatch_luma(matched_y, tone) if tone is not None else matched_y
    weight = out["confidence"][0, 0].numpy().ravel()
    rng = np.random.default_rng(0)
    pick = rng.choice(colour_y.size, size=min(max_pairs, colour_y.size), replace=False)
    gca = {"x": (nodes * 255).round(3).tolist(), "y": (ym[0].numpy() * 255).round(3).tolist(),
           "support": support[0].numpy().round(4).tolist()}
    return {"x": (nodes * 255).round(3).tolist(),
            "y": (y.reshape(-1).numpy() * 255).round(3).tolist(),
            "sigma": float(sigma),
            "pairs": np.stack([colour_y[pick], gray_small.ravel()[pick]], 1).__mul__(255).round(2).tolist(),
            "weights": weight[pick].round(4).tolist(),
            "gca": gca,
            "tone_match": None if tone is None else {"x": (nodes * 255).round(3).tolist(),
                                                     "y": (at_nodes * 255).round(3).tolist()},
            "about": "0..255 luma. x: the colour camera's luma, y: the mono camera's luma it gives "
                     "(the tone match, then GCA's curve); pairs: (colour-camera luma aligned by the "
                     "weighted average, mono luma); weights: GCA's confidence M of each pair."}
