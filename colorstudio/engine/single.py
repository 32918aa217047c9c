"""Automatic colorization of a single gray photo: the two-stage HSV net and Deep Colorization.

Both work the same way around their nets: the gray is area-resized to a working size
(long side from the model's metadata, 192 px for the shipped weights), chroma is predicted
there, then brought to full size by guided upsampling with the full-resolution gray as the
guide; the luma of the result is the input itself. A ``saturation`` factor multiplies the
HSV saturation of the prediction (learned colorizers come out dull); its defaults below
were chosen by ``python -m colorstudio.bench.single_gray``.
"""
from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np
import torch

from colorstudio.core import cheng_features as cf
from colorstudio.core.color import compose, hsv_to_rgb, luma, rgb_to_hsv, rgb_to_ycbcr
from colorstudio.core.guided import guided_upsample_chroma
from colorstudio.core.joint_bilateral import joint_bilateral
from colorstudio.core.result import ChromaResult
from colorstudio.engine.device import torch_device
from colorstudio.errors import MethodError, ModelError
from colorstudio.nets.cheng_mlp import ChengConfig, ChengModel
from colorstudio.nets.hsv2stage import MULTIPLE, HSV2Stage, HSV2StageConfig, tanh_to_hs
from colorstudio.nets.weights_file import load_weights

DEFAULT_SATURATION_HSV2STAGE = 0.75  # chosen by the benchmark (see models/hsv2stage.json)
DEFAULT_SATURATION_CHENG = 1.0       # chosen by the benchmark (see models/cheng.json)
DEFAULT_WORKING_LONG_SIDE = 192
MIN_WORKING_SHORT_SIDE = 32

_CACHE: dict[tuple, tuple[torch.nn.Module, dict]] = {}


# ---------------------------------------------------------------- model loading
def _default_path(name: str) -> Path:
    from colorstudio.engine.learned_methods import weight_file
    return weight_file(name)


def load_model(name: str, path: str | os.PathLike | None = None) -> tuple[torch.nn.Module, dict]:
    """(net in eval mode, safetensors metadata) for "hsv2stage" or "cheng"; cached per file."""
    path = Path(path) if path is not None else _default_path(name)
    if path is None or not path.is_file():
        raise ModelError(f"no weights for '{name}': {path} does not exist")
    st = path.stat()
    key = (name, str(path.resolve()), st.st_mtime_ns, st.st_size)
    if key not in _CACHE:
        tensors, config, meta = load_weights(path, name)
        net = HSV2Stage(HSV2StageConfig.from_dict(config)) if name == "hsv2stage" \
            else ChengModel(ChengConfig.from_dict(config))
        try:
            net.load_state_dict(tensors, strict=True)
        except RuntimeError:
            raise ModelError(f"{path.name} does not match the '{name}' network it claims to be") from None
        _CACHE[key] = (net.eval(), meta)
    return _CACHE[key]


def _resolve(name: str, model) -> tuple[torch.nn.Module, dict]:
    if isinstance(model, torch.nn.Module):
        return model.eval(), {}
    return load_model(name, model)


# ---------------------------------------------------------------- shared helpers
def _check_gray(gray: np.ndarray) -> np.ndarray:
    gray = np.asarray(gray)
    if gray.ndim != 2 or gray.size == 0:
        raise MethodError(f"single-gray colorization needs a gray (H, W) image, got shape {gray.shape}")
    gray = gray.astype(np.float32, copy=False)
    if not np.all(np.isfinite(gray)):
        raise MethodError("the gray image contains NaN or infinite values")
    return np.clip(gray, 0.0, 1.0)


def working_gray(gray: np.ndarray, long_side: int) -> np.ndarray:
    """Area-resize so the long side is <= ``long_side`` (tiny images are enlarged to 32 px short side)."""
    h, w = gray.shape
    scale = min(1.0, long_side / max(h, w))
    scale = max(scale, MIN_WORKING_SHORT_SIDE / min(h, w))
    if scale == 1.0:
        return gray
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return cv2.resize(gray, size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)


def hs_to_chroma(hue: np.ndarray, sat: np.ndarray, gray: np.ndarray) -> np.ndarray:
    """Cb/Cr (H, W, 2) in [0,1] of the colour with this hue, HSV saturation and luma ``gray``.

    V is set so that the BT.601 luma of hsv_to_rgb(h, s, V) equals the gray (capped at 1).
    """
    unit = hsv_to_rgb(np.stack([hue, sat, np.ones_like(hue)], axis=-1))
    v = np.clip(gray / np.maximum(luma(unit), 1e-3), 0.0, 1.0)
    return rgb_to_ycbcr(unit * v[..., None])[..., 1:]


def mean_hue_saturation(*hs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Average of (2, H, W) hue/saturation predictions as colour vectors (s cos h, s sin h):
    hues that disagree average to a lower saturation, as their chroma would."""
    angle = [2 * np.pi * x[0] for x in hs]
    c = np.mean([x[1] * np.cos(a) for x, a in zip(hs, angle)], axis=0)
    s = np.mean([x[1] * np.sin(a) for x, a in zip(hs, angle)], axis=0)
    return (np.arctan2(s, c) / (2 * np.pi)) % 1.0, np.hypot(c, s)


def apply_saturation(gray: np.ndarray, chroma: np.ndarray, factor: float) -> np.ndarray:
    """Scale the HSV saturation of compose(gray, chroma) by ``factor``; returns new Cb/Cr."""
    if factor == 1.0:
        return chroma
    hsv = rgb_to_hsv(compose(gray, chroma))
    return hs_to_chroma(hsv[..., 0], np.clip(hsv[..., 1] * factor, 0, 1), gray)


def _check_saturation(saturation) -> float:
    try:
        s = float(saturation)
    except (TypeError, ValueError):
        raise MethodError(f"saturation must be a number, got {saturation!r}") from None
    if not 0.0 <= s <= 4.0:
        raise MethodError(f"saturation must be between 0 and 4, got {s:g}")
    return s


def _finish(chroma_work: np.ndarray, gray: np.ndarray, info: dict, diagnostics: dict) -> ChromaResult:
    chroma = guided_upsample_chroma(chroma_work, gray)
    info.update(working_size=list(chroma_work.shape[1::-1]), size=[gray.shape[1], gray.shape[0]])
    return ChromaResult(chroma=chroma.astype(np.float32), diagnostics=diagnostics, info=info)


# ---------------------------------------------------------------- the two methods
@torch.no_grad()
def colorize_hsv2stage(gray: np.ndarray, reference: np.ndarray | None = None, model=None,
                       saturation: float | None = None, device=None, **options) -> ChromaResult:
    """Two-stage pyramidal HSV net. gray (H, W) float32 [0,1] -> ChromaResult (H, W, 2) Cb/Cr.

    The net sees the photo and its mirror image; their predictions are averaged as colour
    vectors (see :func:`mean_hue_saturation`; +0.07 dB at equal colourfulness on the benchmark).

    model: a weight file (default models/hsv2stage.safetensors) or an HSV2Stage module.
    saturation: HSV saturation factor (None = the benchmark's default).
    device: where the net runs (None: the CPU; see :mod:`colorstudio.engine.device`).
    ``reference`` is ignored (single-gray method).
    """
    gray = _check_gray(gray)
    dev = torch_device(device)
    saturation = _check_saturation(DEFAULT_SATURATION_HSV2STAGE if saturation is None else saturation)
    net, meta = _resolve("hsv2stage", model)
    g = working_gray(gray, int(meta.get("working_long_side", DEFAULT_WORKING_LONG_SIDE)))
    h, w = g.shape
    ph, pw = -h % MULTIPLE, -w % MULTIPLE
    padded = np.pad(g, ((0, ph), (0, pw)), mode="symmetric")
    both = np.stack([padded, padded[:, ::-1]])[:, None]       # the photo and its mirror image
    _, fine = net.to(dev)(torch.from_numpy(np.ascontiguousarray(both)).to(dev))
    hs = tanh_to_hs(fine).cpu().numpy()
    hue, sat = mean_hue_saturation(hs[0, :, :h, :w], hs[1, :, :, ::-1][:, :h, :w])
    sat = np.clip(sat * saturation, 0, 1)
    chroma = hs_to_chroma(hue, sat, g)
    info = {"method": "hsv2stage", "saturation": saturation, "device": str(dev),
            "ignored_options": sorted(options)}
    return _finish(chroma, gray, info, {"hue": hue, "saturation": sat})


@torch.no_grad()
def colorize_cheng(gray: np.ndarray, reference: np.ndarray | None = None, model=None,
                   saturation: float | None = None, bilateral: bool = True,
                   device=None, **options) -> ChromaResult:
    """Deep Colorization. gray (H, W) float32 [0,1] -> ChromaResult (H, W, 2) Cb/Cr.

    The net of the cluster nearest to the gray's global descriptor predicts each pixel's
    chroma from its 7x7 patch + DAISY features; then joint bilateral filtering (guide: gray).
    ``device``: where the net runs (None: the CPU; see :mod:`colorstudio.engine.device`).
    """
    gray = _check_gray(gray)
    dev = torch_device(device)
    saturation = _check_saturation(DEFAULT_SATURATION_CHENG if saturation is None else saturation)
    net, meta = _resolve("cheng", model)
    g = working_gray(gray, int(meta.get("working_long_side", DEFAULT_WORKING_LONG_SIDE)))
    cluster = cf.nearest_cluster(cf.global_descriptor(g), net.centroids.cpu().numpy())
    feats = cf.pixel_features(g, context=net.cfg.context)
    feats = torch.from_numpy(feats.reshape(-1, feats.shape[-1]))
    net = net.to(dev)
    pred = torch.cat([net(chunk.to(dev), cluster).cpu() for chunk in feats.split(65536)]).numpy()
    chroma = np.clip(pred.reshape(g.shape + (2,)) + 0.5, 0, 1).astype(np.float32)
    raw = chroma
    if bilateral:
        chroma = joint_bilateral(chroma, g)
    chroma = apply_saturation(g, chroma, saturation)
    info = {"method": "cheng", "cluster": int(cluster), "saturation": saturation,
            "bilateral": bool(bilateral), "device": str(dev), "ignored_options": sorted(options)}
    return _finish(chroma, gray, info, {"chroma_before_bilateral": raw})
