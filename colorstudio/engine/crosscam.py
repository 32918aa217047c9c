"""Cross-camera colorization (CCDC): a high-resolution gray + a smaller colour shot taken from
another viewpoint or at another moment, at any size ratio (not only powers of two).

Pipeline: the gray is area-resized to a working size (at most ``max_pixels``); the reference
is kept at its own size (area-reduced only if it is larger than the working size) and its
luma is histogram-matched to the gray (the cameras differ in tone); OpenCV DIS flow between
the gray and the bicubic-upsampled reference luma initialises the net's flow (when the rows of
the two shots are aligned, SGBM's disparity replaces DIS's horizontal flow where SGBM matched);
the net predicts Cb/Cr at the working size (averaged over mirrored pairs on small images, and
over three working scales when the flow starts from DIS only); the chroma is brought to full
size guided by the full-resolution gray (bicubic plus the gray's own detail,
:func:`colorstudio.core.guided.detail_upsample_chroma`; 1.2-1.5 dB above the guided filter at
2x-6x, ``python -m colorstudio.bench.upsampling``). The output luma is the gray itself.
"""
from __future__ import annotations

import math
import os
from pathlib import Path

import cv2
import numpy as np
import torch

from colorstudio.core.baselines import DIS_PRESETS, dis_flow, sgbm_disparity
from colorstudio.core.luma_matching import luma_matching, match_luma, unmatch_luma
from colorstudio.core.color import rgb_to_ycbcr, ycbcr_to_rgb
from colorstudio.core.guided import detail_upsample_chroma, guided_upsample_chroma
from colorstudio.core.occlusion import flow_planes, occlusion_map
from colorstudio.core.result import ChromaResult
from colorstudio.core.size_limits import MIN_SIDE
from colorstudio.engine.cpu_threads import LoadWindow, inference_threads, torch_threads
from colorstudio.engine.device import on_device, to_cpu, torch_device
from colorstudio.engine.model_cache import FileVersion, file_version, load_once
from colorstudio.errors import MethodError, ModelError
from colorstudio.nets.ccdc import CCDC, CCDCConfig
from colorstudio.nets.weights_file import build_net, load_weights, require_model_file

MODEL_NAME = "ccdc"
_OPTIONS = {"max_pixels", "guided", "preset", "flip_average", "multiscale", "threads",
            "device", "init", "mode", "defer_full_size", "diagnostics"}
FLIP_AVERAGE_MAX_PIXELS = 400_000   # flip_average="auto" is on up to this working size
# flip_average: (flipped tensor dims, flow sign (x, y)) of the mirrored passes averaged with the
# plain one, in the order they are added. Left-right only: +0.1-0.3 dB; adding up-down and both:
# +0.04-0.11 dB more in every group of the cross-camera benchmark (47 of 56 pairs better), for
# twice the net time. With 'auto', only as many as keep the net's work within what the largest
# working size takes (:func:`mirrorings_within`).
MIRRORINGS = (((3,), (-1.0, 1.0)), ((2,), (1.0, -1.0)), ((2, 3), (-1.0, -1.0)))
# multiscale: the working sizes (per side, relative to the first) averaged with it when the
# initial flow is DIS only. Synthesized viewpoint/temporal pairs, two draws: +0.03-0.6 dB at 4x,
# +0.27-0.46 at 8x; on rectified Motorcycle (SGBM's disparity) -0.24 at 4x, so off with SGBM.
# The coarser passes come back to the working size by the guided filter, which smooths them:
# bringing them back with detail_upsample_chroma instead was a wash (-0.08 to +0.11 dB per group).
COARSER_SCALES = (0.8, 0.64)
MIN_COARSE_SIDE = 32    # px: a coarser pass smaller than this is skipped (DIS needs 12 px, the net 16)
_SHARED = {"side", "max_disparity", "saturation"}       # accepted, not used here
INITS = ("auto", "flow", "stereo")
_CACHE: dict[FileVersion, tuple[CCDC, dict]] = {}


# ---------------------------------------------------------------- model loading
def load_ccdc(path: str | os.PathLike | None = None) -> tuple[CCDC, dict]:
    """(net in eval mode, safetensors metadata); cached per file (path, mtime, size)."""
    if path is None:
        from colorstudio.engine.learned_methods import weight_file
        path = weight_file(MODEL_NAME)
    path = require_model_file(path, MODEL_NAME)
    return load_once(_CACHE, file_version(path), lambda: read_ccdc(path))


def read_ccdc(path: Path) -> tuple[CCDC, dict]:
    """The net and metadata of a CCDC weight file, read and checked now (not cached)."""
    tensors, config, meta = load_weights(path, MODEL_NAME)
    net = build_net(path, MODEL_NAME, config, CCDCConfig, CCDC, tensors=tensors)
    try:
        net.load_state_dict(tensors, strict=True)
    except RuntimeError:
        raise ModelError(f"{path.name} does not match the 'ccdc' network it claims to be") from None
    return net.eval().to(memory_format=torch.channels_last), meta   # ~1.4x faster on CPU


def _resolve(model) -> tuple[CCDC, str]:
    if isinstance(model, CCDC):
        return model.eval(), "(in memory)"
    net, _ = load_ccdc(model)
    return net, Path(model).name if model is not None else "ccdc.safetensors"


# ---------------------------------------------------------------- shared with training
MIN_WORKING_SIDE = 16     # OpenCV's DIS flow fails on 8 or 12 rows, works from 16 (the input minimum)


def working_size(shape_hw: tuple[int, int], max_pixels: int) -> tuple[int, int]:
    """(h, w) with h * w <= max_pixels and the gray's aspect ratio (never enlarged), but each
    side at least :data:`MIN_WORKING_SIDE` px (or the gray's own): the flow fails below it."""
    h, w = shape_hw
    s = min(1.0, math.sqrt(float(max_pixels) / (h * w)))
    return (max(min(MIN_WORKING_SIDE, h), round(h * s)), max(min(MIN_WORKING_SIDE, w), round(w * s)))


def reference_at_most(reference: np.ndarray, size_hw: tuple[int, int]) -> np.ndarray:
    """The reference area-reduced so that neither side exceeds ``size_hw`` (else unchanged)."""
    h, w = reference.shape[:2]
    s = min(1.0, size_hw[0] / h, size_hw[1] / w)
    if s >= 1.0:
        return reference
    return cv2.resize(reference, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA)


def initial_flow(gray_w: np.ndarray, ref_luma: np.ndarray, preset: str = "medium") -> np.ndarray:
    """OpenCV DIS flow (H, W, 2) from the gray (H, W) to the reference luma (h, w, any size,
    tone-matched), in gray pixels: the match of gray (x, y) is at (x, y) + flow.

    The reference is bicubic-upsampled to (H, W); the gray is blurred to a similar
    sharpness (sigma grows with the size ratio) so the matcher compares like with like
    (:func:`colorstudio.core.occlusion.flow_planes`).
    """
    return dis_flow(*flow_planes(gray_w, ref_luma), preset)


def stereo_initial_flow(gray_w: np.ndarray, ref_luma: np.ndarray, preset: str = "medium",
                        dis: np.ndarray | None = None) -> np.ndarray:
    """:func:`initial_flow` for a pair whose rows are aligned: where SGBM finds a match, its
    disparity replaces DIS's horizontal flow (Motorcycle, 6 cells: +0.38 dB mean chroma PSNR
    with the same weights, better in every cell; synthesized stereo pairs +0.08 +- 0.05).
    Where SGBM finds none (occlusions, the border) DIS's flow stays. ``dis``: DIS's flow for
    this pair if already computed (left as it is)."""
    flow = initial_flow(gray_w, ref_luma, preset) if dis is None else dis.copy()
    H, W = gray_w.shape
    ref_up = ref_luma if ref_luma.shape == (H, W) else cv2.resize(ref_luma, (W, H), interpolation=cv2.INTER_CUBIC)
    disparity, valid, _ = sgbm_disparity(gray_w, np.clip(ref_up, 0, 1))
    flow[..., 0] = np.where(valid, disparity, flow[..., 0])
    return flow


def network_inputs(gray_w: np.ndarray, reference: np.ndarray, preset: str = "medium",
                   stereo: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(reference YCbCr (h, w, 3) with its luma matched to the gray, initial flow (H, W, 2)).

    gray_w: (H, W) float32 [0, 1] at the working size; reference: (h, w, 3) RGB [0, 1],
    already no larger than the working size. stereo: a rectified pair
    (:func:`stereo_initial_flow`).
    """
    ycc = rgb_to_ycbcr(np.asarray(reference, np.float32)).astype(np.float32)
    ycc[..., 0] = match_luma(ycc[..., 0], gray_w)
    flow = (stereo_initial_flow if stereo else initial_flow)(gray_w, ycc[..., 0], preset)
    return ycc, flow


def stereo_init_wanted(gray_w: np.ndarray, ref: np.ndarray, options: dict,
                       input_shapes: tuple[tuple, tuple] | None = None) -> tuple[bool, str]:
    """(use :func:`stereo_initial_flow`?, why) from the ``init`` option: 'flow' (DIS only),
    'stereo', or 'auto' (default): yes when the rows of the two shots are aligned. That is
    stereo mode (the ``mode`` option if given, as the engine passes the mode it chose, else
    :func:`colorstudio.engine.colorize.choose_pair_mode`), or a smaller colour shot of the same
    aspect whose rows :func:`colorstudio.core.checks.check_pair` finds aligned (a rectified rig
    with a lower-resolution colour camera). ``input_shapes``: the (gray, reference) shapes as
    given, when ``ref`` has already been reduced to the working size (which can make a larger
    colour shot look like one of the same size)."""
    value = str(options.get("init") or "auto").strip().lower()
    if value not in INITS:
        raise MethodError(f"init must be one of {', '.join(INITS)}, got {options.get('init')!r}")
    if value != "auto":
        return value == "stereo", f"init={value}"
    mode = options.get("mode")
    if mode is None:
        from colorstudio.engine.colorize import choose_pair_mode

        mode = choose_pair_mode(gray_w, ref)[0]
    if mode == "stereo":
        return True, "stereo mode"
    if _scaled_rectified_pair(gray_w, ref, input_shapes):
        return True, "crosscam mode, rows aligned (a rectified rig with a smaller colour camera)"
    return False, f"{mode} mode"


def _scaled_rectified_pair(gray_w: np.ndarray, ref: np.ndarray, input_shapes=None) -> bool:
    """A reference of another size but the same aspect whose rows are aligned with the gray's.
    (Same-size pairs are the pair mode's business: crosscam mode means they are not aligned.)"""
    from colorstudio.core.checks import check_pair
    from colorstudio.core.pair_mode import rows_aligned_rig
    from colorstudio.core.pair_shapes import same_aspect, same_size

    gray_shape, ref_shape = input_shapes or (gray_w.shape, ref.shape)
    if same_size(gray_shape, ref_shape) or not same_aspect(gray_w.shape, ref.shape):
        return False                   # (not worth a check: the rule below would say no)
    return rows_aligned_rig(gray_w.shape, ref.shape, check_pair(gray_w, ref).rectified)


def net_work_budget(max_working_pixels: int) -> float:
    """Pixels the net may process for one pair: what a pair at the largest working size takes
    (one pass at each of the three working scales, no mirrorings)."""
    return max_working_pixels * (1.0 + sum(s * s for s in COARSER_SCALES))


def mirrorings_within(pass_pixels: float, budget: float) -> tuple:
    """The first of :data:`MIRRORINGS` that fit: each mirroring repeats ``pass_pixels`` (the net's
    work for one unmirrored pass over every working scale run), and the total stays within
    ``budget``. Without it a 0.4 MP pair from another viewpoint (four mirrorings x three
    scales) took longer than a 6 MP one (one working size of 1 MP x three scales). A pair whose
    rows are aligned runs one scale, so it keeps more mirrorings (Motorcycle's 0.37 MP: all
    four, 1.5 MP of net work)."""
    extra = int(budget // max(pass_pixels, 1.0)) - 1
    return MIRRORINGS[:max(0, min(len(MIRRORINGS), extra))]


def _to_tensor(a: np.ndarray) -> torch.Tensor:
    """(H, W) or (H, W, C) -> (1, C, H, W) float32 in channels-last memory (faster convs)."""
    a = np.ascontiguousarray(a[..., None] if a.ndim == 2 else a, np.float32)
    return torch.from_numpy(a).permute(2, 0, 1)[None]


# ---------------------------------------------------------------- the method
def _warped_reference(warped_ycc: torch.Tensor, ref: np.ndarray, gray_w: np.ndarray) -> np.ndarray:
    """The reference as the net moved it, (h, w, 3) RGB: the net moved it with its luma matched
    to the gray's (:func:`network_inputs`); shown in its own brightness, as the colour shot has it."""
    warped = warped_ycc[0].permute(1, 2, 0).numpy().copy()
    own_luma = rgb_to_ycbcr(np.asarray(ref, np.float32))[..., 0]
    warped[..., 0] = unmatch_luma(warped[..., 0], luma_matching(own_luma, gray_w))
    return np.clip(ycbcr_to_rgb(warped), 0, 1).astype(np.float32)


def _check(gray, reference, options) -> tuple[np.ndarray, np.ndarray, list[str]]:
    unknown = set(options) - _OPTIONS - _SHARED
    if unknown:
        raise MethodError(f"method 'ccdc' has no option(s) {', '.join(sorted(unknown))}; "
                          f"it accepts {', '.join(sorted(_OPTIONS))}")
    gray = np.asarray(gray, np.float32)
    if gray.ndim != 2 or gray.size == 0:
        raise MethodError(f"method 'ccdc' needs a 2-D gray image, got shape {gray.shape}")
    if min(gray.shape) < MIN_SIDE:
        raise MethodError(f"method 'ccdc' needs a gray of at least {MIN_SIDE}x{MIN_SIDE} pixels, "
                          f"got {gray.shape[1]}x{gray.shape[0]}")
    if reference is None:
        raise MethodError("method 'ccdc' needs a colour reference photo")
    reference = np.asarray(reference, np.float32)
    if reference.ndim != 3 or reference.shape[2] != 3 or min(reference.shape[:2]) < 2:
        raise MethodError(f"method 'ccdc' needs an RGB reference, got shape {reference.shape}")
    if preset := options.get("preset"):
        if preset not in DIS_PRESETS:
            raise MethodError(f"DIS preset must be one of {', '.join(DIS_PRESETS)}, got {preset!r}")
    ignored = sorted(k for k in set(options) & _SHARED if options[k] is not None)
    return np.clip(gray, 0, 1), np.clip(reference, 0, 1), ignored


def _is_auto(value) -> bool:
    return value is None or (isinstance(value, str) and value.strip().lower() == "auto")


def _flag(value, default: bool, name: str) -> bool:
    """An on/off option given as a bool or as text ('auto', 'yes', 'off', ...)."""
    if _is_auto(value):
        return default
    if isinstance(value, str):
        text = value.strip().lower()
        if text not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
            raise MethodError(f"option '{name}' must be auto, on or off, got {value!r}")
        return text in ("1", "true", "yes", "on")
    return bool(value)


def _net_pass(net: CCDC, gray_w: np.ndarray, ref: np.ndarray, preset: str, stereo: bool,
              mirrorings: tuple, dev) -> tuple[np.ndarray, dict]:
    """(chroma (h, w, 2) at the gray's size, the plain pass's outputs on the CPU with its inputs'
    "reference_luma" and DIS's flow, "dis_flow") of one working size, averaged with the pair mirrored as
    in ``mirrorings`` (some of :data:`MIRRORINGS`)."""
    ref_ycc, dis = network_inputs(gray_w, ref, preset)
    flow0 = stereo_initial_flow(gray_w, ref_ycc[..., 0], preset, dis=dis) if stereo else dis
    g_t, r_t = _to_tensor(gray_w).to(dev), _to_tensor(ref_ycc).to(dev)
    init = _to_tensor(flow0).to(dev) if net.cfg.classic_init else None
    out = net(g_t, r_t, init)
    chroma_t = out["chroma"]
    for dims, signs in mirrorings:                    # flow negated along the mirrored axes
        unflip = lambda t: torch.flip(t, dims)
        init_m = None if init is None else unflip(init) * torch.tensor(signs, device=dev).view(1, 2, 1, 1)
        chroma_t = chroma_t + unflip(net(unflip(g_t), unflip(r_t), init_m)["chroma"])
    chroma_t = chroma_t / (1 + len(mirrorings))
    out = to_cpu(out)
    out.update(reference_luma=ref_ycc[..., 0], dis_flow=dis)     # for the occlusion map
    return np.clip(chroma_t[0].permute(1, 2, 0).cpu().numpy(), 0.0, 1.0), out


def colorize_crosscam(gray, reference, model=None, **options) -> ChromaResult:
    """Chroma (H, W, 2) for a gray (H, W) float32 [0,1] from a colour shot (h, w, 3) float32
    RGB [0,1] of any size (usually 2x-8x smaller) taken from elsewhere or at another moment.

    model: None (models/ccdc.safetensors), a path, or a CCDC module. Options:
    ``max_pixels`` (working size bound, default from the model config); ``guided`` (how the
    working-size chroma reaches full size: 'auto'/True (default): bicubic plus the gray's own
    detail, :func:`colorstudio.core.guided.detail_upsample_chroma`; False: bilinear);
    ``preset`` (DIS preset for the initial flow: 'medium' default, 'fast', 'ultrafast');
    ``flip_average`` (also run the pair mirrored left-right, up-down and both, and average: 'auto'
    (default: up to 0.4 MP working size, as many of the three as keep the net's work within
    :func:`net_work_budget`), True (all three), False);
    ``multiscale`` (also run it at the coarser working sizes :data:`COARSER_SCALES` and average:
    'auto' (default: when the initial flow is DIS only), True, False); ``threads`` (torch
    threads; default: the cores other programs leave free, see
    :func:`colorstudio.engine.cpu_threads.inference_threads`); ``device`` (where the net
    runs; None: the CPU; see :mod:`colorstudio.engine.device`); ``init`` (the initial flow:
    'flow' (DIS), 'stereo' (SGBM + DIS, for rectified pairs) or 'auto' (default: 'stereo' when
    the rows are aligned; see :func:`stereo_init_wanted`)); ``mode`` ('stereo' | 'crosscam', the
    pair mode if known); ``defer_full_size`` (leave the last step, the guided upsampling to the
    gray's size, to the caller: :class:`colorstudio.core.result.ChromaResult`, ``reduced``);
    ``diagnostics`` (False: without the two occlusion maps, their shares and the warped reference).
    Diagnostics: "visibility_0" (h, w) signed V0 = warp(I2^Y) - I1 at the working size,
    "visibility_1".."visibility_4" (channel means of V_i at 1/2 .. 1/16 of it), "flow"
    (h, w, 2) in gray pixels, "warped_reference" (h, w, 3) RGB, "occlusion" (h, w): -1 where the
    colour shot does not see the gray's pixel, else 0; "occlusion_colour_shot" (h, w), in the colour
    shot's frame at the working size: +1 where the gray does not see it, else 0
    (:func:`colorstudio.core.occlusion.occlusion_map`; the two shares are in the info).
    """
    gray, reference, ignored = _check(gray, reference, options)
    window = LoadWindow()                  # what other programs use while the pair is prepared
    dev = torch_device(options.get("device"))
    net, model_name = _resolve(model)
    H, W = gray.shape
    h, w = working_size((H, W), int(options.get("max_pixels") or net.cfg.max_working_pixels))
    gray_w = gray if (h, w) == (H, W) else cv2.resize(gray, (w, h), interpolation=cv2.INTER_AREA)
    ref = reference_at_most(reference, (h, w))
    stereo, init_reason = stereo_init_wanted(gray_w, ref, options, (gray.shape, reference.shape)) \
        if net.cfg.classic_init else (False, "")
    scales = COARSER_SCALES if _flag(options.get("multiscale"), default=not stereo, name="multiscale") else ()
    scales = tuple(s for s in scales if min(round(h * s), round(w * s)) >= MIN_COARSE_SIDE)   # else skipped
    if _is_auto(options.get("flip_average")):
        pass_pixels = h * w * (1.0 + sum(s * s for s in scales))
        mirrorings = mirrorings_within(pass_pixels, net_work_budget(net.cfg.max_working_pixels)) \
            if h * w <= FLIP_AVERAGE_MAX_PIXELS else ()
    else:
        mirrorings = MIRRORINGS if _flag(options.get("flip_average"), False, "flip_average") else ()
    preset = options.get("preset") or "medium"
    threads = inference_threads(options.get("threads"), load=window.load)
    with torch.inference_mode(), torch_threads(threads):
        net = on_device(net, dev)
        chroma_w, out = _net_pass(net, gray_w, ref, preset, stereo, mirrorings, dev)
        for s in scales:      # the same pair at a coarser working size, back to this one by the gray
            size = (round(h * s), round(w * s))
            gray_s = cv2.resize(gray_w, size[::-1], interpolation=cv2.INTER_AREA)
            chroma_s, _ = _net_pass(net, gray_s, reference_at_most(ref, size), preset, stereo, mirrorings, dev)
            chroma_w = chroma_w + guided_upsample_chroma(chroma_s, gray_w)
        chroma_w = chroma_w / (1 + len(scales))
    guided = _flag(options.get("guided"), default=(h, w) != (H, W), name="guided")
    deferred = guided and bool(options.get("defer_full_size")) and (h, w) != (H, W)
    if deferred:
        chroma = None
    elif guided:
        chroma = detail_upsample_chroma(chroma_w, gray)
    else:
        chroma = chroma_w if (h, w) == (H, W) else cv2.resize(chroma_w, (W, H), interpolation=cv2.INTER_LINEAR)
    scale = w / W
    vis = out["visibility"]
    diagnostics = {f"visibility_{i}": v[0].mean(0).numpy().astype(np.float32) for i, v in enumerate(vis)}
    diagnostics["flow"] = (out["flows"][0][0].permute(1, 2, 0).numpy() / np.float32(scale)).astype(np.float32)
    occlusion = None
    if _flag(options.get("diagnostics"), default=True, name="diagnostics"):     # what only a viewer needs
        diagnostics["warped_reference"] = _warped_reference(out["warped_ref"], ref, gray_w)
        # which shot does not see what: DIS's flow checked against DIS's flow back (SGBM's start, when
        # taken, is not a flow of that kind)
        occlusion = occlusion_map(gray_w, out["reference_luma"], out["dis_flow"], preset)
        diagnostics.update(occlusion.diagnostics())
    info = {"method": "ccdc", "model": model_name, "working_size": [w, h],
            "reference_size": [int(reference.shape[1]), int(reference.shape[0])],
            "scale_factor": [round(W / reference.shape[1], 3), round(H / reference.shape[0], 3)],
            "initial_flow": ("SGBM + DIS" if stereo else "DIS") if net.cfg.classic_init else "none",
            "initial_flow_reason": init_reason, "guided_upsampling": guided,
            "flip_average": bool(mirrorings), "mirrorings": len(mirrorings), "scales": [1.0, *scales],
            "threads": threads, "device": str(dev), **(occlusion.facts() if occlusion else {})}
    if ignored:
        info["ignored_options"] = ignored
    if deferred:
        return ChromaResult(None, diagnostics, info, reduced=np.ascontiguousarray(chroma_w, np.float32))
    return ChromaResult(np.ascontiguousarray(chroma, np.float32), diagnostics, info)
