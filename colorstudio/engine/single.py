"""Automatic colorization of a single gray photo: the two-stage HSV net (by default the shipped
HSV nets averaged), Deep Colorization, and their ensemble (the chroma of the HSV nets and of
Deep Colorization, averaged).

All work the same way around their nets: the gray is area-resized to a working size
(long side from the model's metadata, 192 px for the shipped weights), chroma is predicted
there, then brought to full size guided by the full-resolution gray (bicubic plus the gray's
own detail, :func:`colorstudio.core.guided.detail_upsample_chroma`); the luma of the result
is the input itself. A ``saturation`` factor multiplies the
HSV saturation of the prediction (learned colorizers come out dull); its defaults
(``learned_methods.DEFAULT_SATURATION``) were chosen by ``python -m colorstudio.bench.single_gray``.
Those shared steps (no torch) are in :mod:`colorstudio.core.single_chroma`; this module holds
the nets: loading them and running them at the working size. ``defer_full_size`` (each method)
leaves the last step to the caller (:class:`colorstudio.core.result.ChromaResult`, ``reduced``).
"""
from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np
import torch

from colorstudio.core import cheng_features as cf
from colorstudio.core.result import ChromaResult
from colorstudio.core.single_chroma import (check_gray, check_saturation, filtered, finish, hs_to_chroma,
                                            hue_vectors, vectors_to_hue_saturation, working_gray)
from colorstudio.engine.cpu_threads import at_measured_threads
from colorstudio.engine.device import on_device, torch_device
from colorstudio.engine.model_cache import file_version, load_once
from colorstudio.engine.learned_methods import saturation_for
from colorstudio.errors import MethodError, ModelError
from colorstudio.nets.cheng_mlp import ChengConfig, ChengModel
from colorstudio.nets.hsv2stage import MULTIPLE, HSV2Stage, HSV2StageConfig, tanh_to_hs
from colorstudio.nets.weights_file import build_net, load_weights, require_model_file

DEFAULT_WORKING_LONG_SIDE = 192
MAX_WORKING_LONG_SIDE = 1024     # a model card asking for more is refused
# the HSV net also sees the photo at these multiples of its working size (test-time
# augmentation: +0.14 dB at colourfulness 0.6 on the benchmark, at 3x the net's 0.03 s)
TTA_SCALES = (0.75, 1.0, 1.25)
_CACHE: dict[tuple, tuple[torch.nn.Module, dict]] = {}


# ---------------------------------------------------------------- model loading
def _default_path(name: str) -> Path:
    from colorstudio.engine.learned_methods import weight_file
    return weight_file(name)


def _check_feature_length(net: ChengModel) -> None:
    if net.cfg.in_dim != cf.feature_dim(net.cfg.context):
        raise ValueError(f"in_dim {net.cfg.in_dim} is not the feature length {cf.feature_dim(net.cfg.context)}")


def load_model(name: str, path: str | os.PathLike | None = None) -> tuple[torch.nn.Module, dict]:
    """(net in eval mode, safetensors metadata) for "hsv2stage" or "cheng"; cached per file."""
    path = require_model_file(path if path is not None else _default_path(name), name)
    return load_once(_CACHE, file_version(path, name), lambda: read_model(name, path))


def read_model(name: str, path: Path) -> tuple[torch.nn.Module, dict]:
    """:func:`load_model` without its cache: the file read and checked now."""
    tensors, config, meta = load_weights(path, name)
    long_side = str(meta.get("working_long_side", DEFAULT_WORKING_LONG_SIDE))
    # the shipped nets work at 192 px; at 4096 one took 4x the memory of a 1 MP photo's whole run
    if not (long_side.isdigit() and 32 <= int(long_side) <= MAX_WORKING_LONG_SIDE):
        raise ModelError(f"{path.name} has an invalid working size ({long_side!r}; 32 to {MAX_WORKING_LONG_SIDE} px)")
    net = build_net(path, name, config, HSV2StageConfig, HSV2Stage, tensors=tensors) if name == "hsv2stage" \
        else build_net(path, name, config, ChengConfig, ChengModel, check=_check_feature_length, tensors=tensors)
    try:
        net.load_state_dict(tensors, strict=True)
    except RuntimeError:
        raise ModelError(f"{path.name} does not match the '{name}' network it claims to be") from None
    return net.eval(), meta


def _resolve(name: str, model) -> tuple[torch.nn.Module, dict]:
    if isinstance(model, torch.nn.Module):
        return model.eval(), {}
    return load_model(name, model)


# ---------------------------------------------------------------- the methods
def _net_hue_vectors(net: torch.nn.Module, g: np.ndarray, dev) -> list[np.ndarray]:
    """The HSV net's colour vectors (H, W, 2) for the working gray ``g`` and for its mirror
    image (flipped back), one batch."""
    h, w = g.shape
    padded = np.pad(g, ((0, -h % MULTIPLE), (0, -w % MULTIPLE)), mode="symmetric")
    both = np.stack([padded, padded[:, ::-1]])[:, None]
    _, fine = on_device(net, dev)(torch.from_numpy(np.ascontiguousarray(both)).to(dev))
    hs = tanh_to_hs(fine).cpu().numpy()
    return [hue_vectors(hs[0, :, :h, :w]), hue_vectors(hs[1, :, :, ::-1][:, :h, :w])]


@torch.no_grad()
def _hsv_net_vectors(net: torch.nn.Module, meta: dict, at, g: np.ndarray | None, dev) -> np.ndarray:
    """One HSV net's colour vectors (H, W, 2) at the size of ``g`` (None: the net's working
    size): the photo and its mirror image at TTA_SCALES x the working size, averaged.
    ``at(long_side)`` -> the gray reduced to that long side."""
    long_side = int(meta.get("working_long_side", DEFAULT_WORKING_LONG_SIDE))
    g = at(long_side) if g is None else g
    vectors = []
    for factor in TTA_SCALES:
        for v in _net_hue_vectors(net, at(round(long_side * factor)), dev):
            vectors.append(v if v.shape[:2] == g.shape else
                           cv2.resize(v, g.shape[::-1], interpolation=cv2.INTER_LINEAR))
    return np.mean(vectors, axis=0)


def gray_reducer(gray: np.ndarray):
    """``at(long_side)`` -> the gray area-reduced to that long side, each size computed once
    (reducing 60 MP takes 0.3 s) and shared by all the nets that see it."""
    reduced: dict[int, np.ndarray] = {}

    def at(side: int) -> np.ndarray:
        if side not in reduced:
            reduced[side] = working_gray(gray, side)
        return reduced[side]
    return at


def _hsv_nets_working(gray: np.ndarray, models, dev, at=None) -> tuple[np.ndarray, list[np.ndarray]]:
    """(working gray, one working chroma per HSV net) at saturation factor 1.

    ``models``: a weight file, a module or None (the shipped hsv2stage), or a list of those.
    Each net's colour vectors (:func:`_hsv_net_vectors`, at the first net's working size)
    are turned into chroma. ``at``: a :func:`gray_reducer` of ``gray`` (a new one if None).
    """
    at = at or gray_reducer(gray)
    models = list(models) if isinstance(models, (list, tuple)) else [models]
    if not models:
        raise MethodError("no HSV net to run")
    g, chromas = None, []
    for model in models:
        net, meta = _resolve("hsv2stage", model)
        if g is None:
            g = at(int(meta.get("working_long_side", DEFAULT_WORKING_LONG_SIDE)))
        hue, sat = vectors_to_hue_saturation(_hsv_net_vectors(net, meta, at, g, dev))
        chromas.append(hs_to_chroma(hue, sat, g))
    return g, chromas


@torch.no_grad()
def _cheng_view(net: ChengModel, g: np.ndarray, cluster: int, dev) -> np.ndarray:
    """The MLP's chroma offsets (H, W, 2) for one working gray ``g``."""
    feats = cf.pixel_features(g, context=net.cfg.context)
    feats = torch.from_numpy(feats.reshape(-1, feats.shape[-1]))
    pred = torch.cat([net(chunk.to(dev), cluster).cpu() for chunk in feats.split(65536)]).numpy()
    return pred.reshape(g.shape + (2,))


def _cheng_working(gray: np.ndarray, model, dev, working: np.ndarray | None = None,
                   at=None, tta: bool = True) -> tuple[np.ndarray, np.ndarray, int]:
    """(working gray, working chroma before the bilateral filter and the saturation, cluster)
    of Deep Colorization; ``working``: the reduced gray to run on (the ensemble passes
    its HSV nets', so that all predict at one size), else reduced to the model's working size.

    ``tta``: the MLP also sees the mirror image and the gray at TTA_SCALES x the working size
    (``at``: a :func:`gray_reducer` of ``gray``), the six predictions averaged at the working
    size: +0.09 dB at colourfulness 0.6 on a tuning split of the training photos (4 seeds).
    """
    net, meta = _resolve("cheng", model)
    net = on_device(net, dev)
    at = at or gray_reducer(gray)
    asked = int(meta.get("working_long_side", DEFAULT_WORKING_LONG_SIDE))
    g = working if working is not None else at(asked)
    # the views' sizes follow the long side asked for, not g's: a thin strip's is stretched
    # up to MAX_STRIP_ENLARGEMENT times it, and its views were then as many times larger again
    base = min(max(g.shape), asked)
    cluster = cf.nearest_cluster(cf.global_descriptor(g), net.centroids.cpu().numpy())
    views = []
    for factor in TTA_SCALES if tta else (1.0,):
        view = g if factor == 1.0 else at(round(base * factor))
        for mirrored in (False, True) if tta else (False,):
            pred = _cheng_view(net, np.ascontiguousarray(view[:, ::-1]), cluster, dev)[:, ::-1] \
                if mirrored else _cheng_view(net, view, cluster, dev)
            if pred.shape[:2] != g.shape:
                shrink = pred.shape[0] > g.shape[0]
                pred = cv2.resize(np.ascontiguousarray(pred), g.shape[::-1],
                                  interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR)
            views.append(pred)
    raw = np.clip(np.mean(views, axis=0) + 0.5, 0, 1).astype(np.float32)
    return g, raw, int(cluster)


# The HSV nets that hsv2stage (by default) and the ensemble average, each shipped as
# models/<name>.safetensors with its card: the paper-sized net, then nets of the same design
# at half the width (one per training seed). A name whose file is not there is left out.
SHIPPED_HSV_NETS = ("hsv2stage", "hsv2stage_small", "hsv2stage_small_seed1", "hsv2stage_small_seed2",
                    "hsv2stage_small_seed3", "hsv2stage_small_seed4")


def is_hsv_net_name(name) -> bool:
    """Whether a member name of the ensemble (or of the benchmark's models) names an HSV net:
    "hsv2stage" and any name starting with it."""
    return str(name).startswith("hsv2stage")


def shipped_hsv_nets() -> dict[str, str]:
    """name -> weight file of the SHIPPED_HSV_NETS that ship in models/."""
    from colorstudio import paths

    files = {name: paths.models_dir() / f"{name}.safetensors" for name in SHIPPED_HSV_NETS}
    return {name: str(path) for name, path in files.items() if path.is_file()}


@torch.no_grad()
@at_measured_threads
def colorize_hsv2stage(gray: np.ndarray, reference: np.ndarray | None = None, model=None,
                       saturation: float | None = None, device=None, defer_full_size: bool = False,
                       **options) -> ChromaResult:
    """Two-stage pyramidal HSV net. gray (H, W) float32 [0,1] -> ChromaResult (H, W, 2) Cb/Cr.

    The net sees the photo and its mirror image (+0.07 dB at equal colourfulness on the
    benchmark), each at three sizes (TTA_SCALES); the predictions are averaged as colour vectors,
    then joint-bilateral filtered at the working size (CHROMA_BILATERAL).

    model: a weight file or an HSV2Stage module, or a list of them (their chroma averaged, as
    the ensemble averages its members); None = every shipped HSV net (:func:`shipped_hsv_nets`).
    Runs of one recipe that differ only by their seed scored up to 0.56 dB apart on the
    benchmark, so the average of all is used rather than one run picked by its score (README).
    saturation: HSV saturation factor (None = the benchmark's default).
    device: where the net runs (None: the CPU; see :mod:`colorstudio.engine.device`).
    ``reference`` is ignored (single-gray method).
    """
    gray = check_gray(gray)
    dev = torch_device(device)
    default = saturation_for("hsv2stage", None, model)
    saturation = check_saturation(default if saturation is None else saturation)
    nets = shipped_hsv_nets() if model is None else {}
    g, chromas = _hsv_nets_working(gray, list(nets.values()) or model, dev)
    chroma = filtered(g, np.mean(chromas, axis=0))
    info = {"method": "hsv2stage", "saturation": saturation, "default_saturation": default,
            "device": str(dev), "ignored_options": sorted(options)}
    if nets:
        info["nets"] = list(nets)
    return finish(g, chroma, saturation, gray, info, defer_full_size=defer_full_size)


@torch.no_grad()
@at_measured_threads
def colorize_cheng(gray: np.ndarray, reference: np.ndarray | None = None, model=None,
                   saturation: float | None = None, bilateral: bool = True,
                   device=None, defer_full_size: bool = False, **options) -> ChromaResult:
    """Deep Colorization. gray (H, W) float32 [0,1] -> ChromaResult (H, W, 2) Cb/Cr.

    The net of the cluster nearest to the gray's global descriptor predicts each pixel's
    chroma from its 7x7 patch + DAISY features, for the photo and its mirror image at three
    sizes (averaged, :func:`_cheng_working`); then joint bilateral filtering (guide: gray).
    ``device``: where the net runs (None: the CPU; see :mod:`colorstudio.engine.device`).
    """
    gray = check_gray(gray)
    dev = torch_device(device)
    default = saturation_for("cheng", None, model)
    saturation = check_saturation(default if saturation is None else saturation)
    g, raw, cluster = _cheng_working(gray, model, dev)
    chroma = filtered(g, raw, bilateral)
    info = {"method": "cheng", "cluster": cluster, "saturation": saturation, "default_saturation": default,
            "bilateral": bool(bilateral), "device": str(dev), "ignored_options": sorted(options)}
    return finish(g, chroma, saturation, gray, info, {"chroma_before_bilateral": raw}, defer_full_size)


def ensemble_members(model=None) -> dict:
    """The ensemble's members, name -> weights (None: the shipped file of that name).

    Shipped: the HSV nets of :func:`shipped_hsv_nets` and cheng. ``model``: a dict naming
    its members: "hsv2stage" and "cheng" (default: their shipped weights), and any further
    HSV nets under names that start with "hsv2stage" (used only when given)."""
    if model is None:
        hsv = shipped_hsv_nets()
        return {"hsv2stage": None, **{n: f for n, f in hsv.items() if n != "hsv2stage"}, "cheng": None}
    if not isinstance(model, dict):
        raise MethodError("the ensemble runs the hsv2stage and cheng weights together; "
                          "--model applies to one of those methods, not to the ensemble")
    unknown = [n for n in model if n != "cheng" and not is_hsv_net_name(n)]
    if unknown:
        raise MethodError(f"the ensemble has no member {', '.join(sorted(map(str, unknown)))}")
    extra = {n: w for n, w in model.items() if n not in ("hsv2stage", "cheng")}
    return {"hsv2stage": model.get("hsv2stage"), **extra, "cheng": model.get("cheng")}


def load_hsv_nets() -> None:
    """Load the shipped HSV nets into the cache (the app's warm-up of hsv2stage)."""
    for weights in shipped_hsv_nets().values():
        load_model("hsv2stage", weights)


def load_ensemble() -> None:
    """Load the members' shipped weights into the cache (the app's warm-up)."""
    load_hsv_nets()
    load_model("cheng")


@torch.no_grad()
@at_measured_threads
def colorize_ensemble(gray: np.ndarray, reference: np.ndarray | None = None, model=None,
                      saturation: float | None = None, device=None, defer_full_size: bool = False,
                      **options) -> ChromaResult:
    """The members' chroma averaged (:func:`ensemble_members`). gray (H, W) float32 [0,1] ->
    ChromaResult (H, W, 2).

    The members err differently (whole-image HSV nets of two widths and several seeds, an MLP
    per pixel), so where one invents a colour the others do not, the mean is fainter; see the
    README for the numbers. The mean is taken at the working size and filtered once
    (CHROMA_BILATERAL: the filter is linear, so this equals filtering each member), then
    ``saturation`` (HSV, default by the benchmark), then the upsampling to full size.
    ``model``: None (the shipped weights) or {"hsv2stage": file or module, "cheng": ...,
    optionally more HSV nets under names starting with "hsv2stage": ...}.
    """
    gray = check_gray(gray)
    dev = torch_device(device)
    saturation = check_saturation(saturation_for("ensemble", saturation))
    members = ensemble_members(model)
    at = gray_reducer(gray)
    g, chromas = _hsv_nets_working(gray, [members[n] for n in members if n != "cheng"], dev, at)
    _, cheng_raw, cluster = _cheng_working(gray, members["cheng"], dev, g, at)
    chroma = filtered(g, np.mean(chromas + [cheng_raw], axis=0))
    info = {"method": "ensemble", "members": list(members), "cluster": cluster,
            "saturation": saturation, "device": str(dev), "ignored_options": sorted(options)}
    return finish(g, chroma, saturation, gray, info, defer_full_size=defer_full_size)
