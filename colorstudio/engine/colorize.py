"""Colorize one gray photo, with or without a colour reference — the function the CLI,
the GUI and the batch all call.

The output luma is always the gray input itself; methods only predict chroma.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Generator

import numpy as np

from colorstudio import paths
from colorstudio.core.atomic_files import same_file
from colorstudio.core.color import compose
from colorstudio.core.colour_management import check_space, result_profile
from colorstudio.core.diagnostic_maps import DEFAULT_PALETTE
from colorstudio.core.generator_steps import run_to_end
from colorstudio.core.guided import detail_upsample_chroma
from colorstudio.core.image_write import output_notes, save_photo
from colorstudio.core.imageio import load_photo
from colorstudio.core.memory_need import check_memory
from colorstudio.core.output_checks import check_output_path, check_output_size
from colorstudio.core.photo import Photo, reading_notes
from colorstudio.core.resize import area_reduce
from colorstudio.core.result import ChromaResult, WorkingChroma
from colorstudio.core.single_chroma import resaturate, saturated_working
from colorstudio.engine import methods as registry
from colorstudio.engine.learned_methods import LEARNED, saturation_for
from colorstudio.engine.pair_inputs import prepare_inputs
from colorstudio.engine.pair_warnings import geometry_warning, mode_mismatch_warning, scene_warning
from colorstudio.engine.progress import Progress, ReducedResult
from colorstudio.errors import MethodError, ModelError, OutputError



@dataclass
class Colorization:
    rgb: np.ndarray                 # (H, W, 3) float32 [0, 1], luma == the gray
    chroma: np.ndarray              # (H, W, 2) float32 Cb/Cr [0, 1]
    method: str
    gray: Photo
    reference: Photo | None = None
    diagnostics: dict[str, Any] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    working: WorkingChroma | None = None    # single-gray learned methods: see with_saturation
    # the RGB profile rgb is in and is written with (None: sRGB): see core.colour_management.result_profile
    output_icc: bytes | None = None

    @property
    def made_by(self) -> str:
        """'ccdc', or 'ccdc (model mycam.safetensors)' when a model file was given: a user's
        fine-tuned model is named wherever the method is."""
        return self.method + (f" (model {self.info['model_file']})" if self.info.get("model_file") else "")


def choose_pair_mode(gray: np.ndarray, reference: np.ndarray, forced: str | None = None) -> tuple[str, str]:
    """('stereo' | 'crosscam', reason in plain words) for a gray + colour pair."""
    return _pair_mode_and_report(gray, reference, forced)[:2]


def _pair_mode_and_report(gray: np.ndarray, reference: np.ndarray, forced: str | None = None):
    """(mode, reason, the pair's check report or None). The pair is checked when it has one
    size (rectified?) or when the colour shot has the gray's shape turned by 90 degrees."""
    from colorstudio.core.checks import check_pair
    from colorstudio.core.pair_mode import choose_mode
    from colorstudio.core.pair_shapes import same_size

    if forced is not None:
        if forced not in ("stereo", "crosscam"):
            raise MethodError(f"unknown mode '{forced}' (use stereo or crosscam)")
        return forced, f"{'cross-camera' if forced == 'crosscam' else forced} mode: chosen by the user", None
    (H, W), (h, w) = gray.shape[:2], reference.shape[:2]
    turned = abs((W / H) * (w / h) - 1) < 0.05 and abs(W / H - 1) > 0.1
    report = check_pair(gray, reference) if same_size(gray.shape, reference.shape) or turned else None
    return (*choose_mode(gray.shape, reference.shape, report), report)


def resolve_method(name: str | None, has_reference: bool, model: str | Path | None = None,
                   mode: str | None = None) -> registry.Method:
    """The method to run: the named one, or the best available for the input (and pair mode)."""
    kind = registry.PAIR if has_reference else registry.SINGLE
    if model is not None and not Path(model).exists():    # said as it is, not as a method's missing weights
        raise ModelError(f"model file not found: {model}")
    if model is not None and not Path(model).is_file() and not Path(model).is_dir():   # (a folder: said below)
        raise ModelError(f"{model} is not a model file (a FIFO or a device, not a regular file)")
    if name is None and model is not None:
        from colorstudio.core.model_header import declared_model

        declared = declared_model(model)
        name = next((m.name for m, _ in LEARNED if m.name == declared), None)  # the file's own
    if name is None and model is not None:
        learned = [m for m, _ in LEARNED if m.kind == kind and (mode is None or m.mode in ("", mode))]
        if not learned:
            raise MethodError("--model needs a learned method for this kind of input")
        name = max(learned, key=lambda m: m.priority).name
    if name is None:
        return registry.default_for(kind, mode)
    try:
        method = registry.get(name)
    except MethodError:
        match = [m for m, _ in LEARNED if m.name == name]
        if not match or model is None:
            if match:
                raise ModelError(f"method '{name}' needs weights: none ship in models/, "
                                 f"pass --model FILE") from None
            raise
        method = match[0]
    if method.kind != kind:
        if has_reference:
            raise MethodError(f"method '{method.name}' colorizes a single gray photo; "
                              f"drop the reference or pick a pair method")
        raise MethodError(f"method '{method.name}' needs a colour reference; "
                          f"give one or pick a single-gray method")
    return method


def colorize_steps(gray: Photo, reference: Photo | None = None, method: str | None = None,
                   model: str | Path | None = None, options: dict | None = None
                   ) -> Generator[Progress, None, Colorization]:
    """Colorize as a generator: yields :class:`Progress`, returns the :class:`Colorization`.

    Stop iterating (or ``close()``) between yields to cancel. ``options["device"]`` (see
    :mod:`colorstudio.engine.device`) reaches learned methods only; classic ones run on the CPU.
    ``options["colour_space"]``: the result's colour space, "auto" (the photos', see
    :func:`~colorstudio.core.colour_management.output_profile`) or "srgb".
    ``options["diagnostics"]``: False leaves out the diagnostics only a viewer needs, for a
    caller that shows and writes none (``Method.optional_diagnostics``: the occlusion maps and
    ccdc's warped reference, about 0.1 s a pair at 1 MP); the other methods never see the option.
    """
    t0 = time.perf_counter()
    kwargs = dict(options or {})
    device = kwargs.pop("device", None)
    diagnostics = kwargs.pop("diagnostics", True)
    if not isinstance(diagnostics, bool):
        raise MethodError(f"the diagnostics option is True or False, not {diagnostics!r}")
    try:
        space = check_space(kwargs.pop("colour_space", None) or "auto")
    except ValueError as e:
        raise MethodError(str(e)) from None
    prepared = prepare_inputs(gray, reference, space)
    gray, gray_colour, ref_f, colour_note = (prepared.gray, prepared.gray_colour, prepared.reference_rgb,
                                             prepared.colour_note)
    gray_f = gray.gray_float()
    mode_info: dict = {}
    report = None
    asked_mode = kwargs.get("mode") if ref_f is not None else None
    if ref_f is not None and (method is None or asked_mode):
        mode, reason, report = _pair_mode_and_report(gray_f, ref_f, asked_mode)
        mode_info = {"mode": mode, "mode_reason": reason}
        kwargs["mode"] = mode          # the method need not check the pair again
    chosen = resolve_method(method, reference is not None, model, mode_info.get("mode"))
    missing_models = None
    if method is None and model is None and not chosen.learned:      # the default, yet a classic one
        missing_models = (f"no model was found in {paths.models_dir()}: "
                          + (f"the classic {chosen.name} was used" if reference is not None else
                             "the result is the gray itself (no single-gray model to colour it)"))
        if not asked_mode:             # a classic method has no modes: none to report as ignored
            kwargs.pop("mode", None)
            mode_info = {}
    if asked_mode and chosen.mode and chosen.mode != asked_mode:       # the user's mode, not one chosen here
        raise MethodError(f"method '{chosen.name}' colorizes {chosen.mode} pairs only, not in "
                          f"{asked_mode} mode: pick another method, or leave the mode out")
    pair_warning = None
    if ref_f is not None and not reference.is_gray and chosen.aligns:
        if report is None:             # not checked for the mode: checked for what it would warn of
            from colorstudio.core.checks import check_pair

            report = check_pair(gray_f, ref_f)
        pair_warning = geometry_warning(report) or scene_warning(report)
    if pair_warning is None and ref_f is not None and not asked_mode:     # the user's method (or model file)
        pair_warning = mode_mismatch_warning(chosen, gray_f.shape, ref_f.shape)
    check_memory(gray.name, gray.size, reference.size if reference is not None else None, chosen.learned)
    yield Progress(0.05, f"preparing ({chosen.name})")
    fn = chosen.load()
    if model is not None:
        if not chosen.learned:
            raise MethodError(f"method '{chosen.name}' takes no model file")
        kwargs["model"] = str(model)
        mode_info["model_file"] = Path(model).name
    if chosen.learned and device is not None:
        kwargs["device"] = device
    if not diagnostics and chosen.optional_diagnostics:
        kwargs["diagnostics"] = False
    if report is not None and chosen.pair_report:      # checked above on these very arrays
        kwargs["pair_report"] = report
    if chosen.learned:                 # their last step is done here, after a ReducedResult
        kwargs["defer_full_size"] = True
    yield Progress(0.1, f"running {chosen.name}")
    if reference is not None and reference.is_gray:   # no colour to take: not run (what a learned
        # method shows here it makes up: ccdc left faint colour while the warning said it stays gray)
        result = ChromaResult(np.full(gray_f.shape + (2,), 0.5, np.float32), info={"not_run": "gray reference"})
    else:
        result = fn(gray_f, ref_f, **kwargs)
    if result.chroma is None and result.reduced is not None:
        yield ReducedResult(0.6, "bringing the colours to full size", result.reduced)
        chroma = detail_upsample_chroma(result.reduced, gray_f).astype(np.float32, copy=False)
        result = replace(result, chroma=chroma, reduced=None)
    if result.chroma.shape != gray_f.shape + (2,):
        raise RuntimeError(f"{chosen.name} returned chroma of shape {result.chroma.shape}, "
                           f"expected {gray_f.shape + (2,)}")
    yield Progress(0.9, "composing the result")
    rgb = compose(gray_f, result.chroma)
    info = {"method": chosen.name, "width": gray_f.shape[1], "height": gray_f.shape[0],
            **mode_info, **result.info}
    gray_note = gray_colour.message(pair=reference is not None)
    if reference is not None and reference.is_gray:     # no mode was used: none is said
        info = {k: v for k, v in info.items() if k not in ("mode", "mode_reason")}
        info["warning"] = "the reference has no colour: the result stays gray; colorize the gray photo without it"
    elif gray_note:
        info["gray_input"] = gray_note
    if pair_warning and "warning" not in info:
        info["warning"] = pair_warning
    if missing_models and "warning" not in info:
        info["warning"] = missing_models
    if read_notes := reading_notes(gray, reference):      # pages or frames, bits a channel left out
        info["input_notes"] = read_notes
    notes = [n for n in (gray.tone_note, colour_note) if n]
    if notes:
        info["colour_management"] = "; ".join(notes)
    out = Colorization(rgb=rgb, chroma=result.chroma, method=chosen.name, gray=gray, reference=reference,
                       diagnostics=result.diagnostics, info=info, seconds=time.perf_counter() - t0,
                       working=result.working,
                       output_icc=result_profile(gray, reference, space))
    yield Progress(1.0, "done")
    return out


def colorize(gray: Photo, reference: Photo | None = None, method: str | None = None,
             model: str | Path | None = None, options: dict | None = None) -> Colorization:
    """Blocking form of :func:`colorize_steps`."""
    return run_to_end(colorize_steps(gray, reference, method, model, options))


def with_saturation(colorization: Colorization, saturation: float | None) -> Colorization:
    """The same single-gray colorization at another colour strength (HSV saturation factor;
    None: its method's default), without running the method again: the factor is applied to
    the working-size chroma the method kept, which is then brought to full size as the method
    does. Equals colorizing again with ``options={"saturation": saturation}``. Takes a fraction
    of a second where the method takes seconds: ``seconds`` stays the method's time, this step's
    is ``info["strength_seconds"]``."""
    t0 = time.perf_counter()
    saturation = _strength_factor(colorization, saturation)
    gray_f = colorization.gray.gray_float()
    chroma, diagnostics = resaturate(colorization.working, gray_f, saturation, colorization.diagnostics)
    return replace(colorization, rgb=compose(gray_f, chroma), chroma=chroma, diagnostics=diagnostics,
                   info={**colorization.info, "saturation": float(saturation),
                         "strength_seconds": round(time.perf_counter() - t0, 3)})


def preview_with_saturation(colorization: Colorization, saturation: float | None, long_side: int,
                            gray: np.ndarray | None = None) -> np.ndarray:
    """What :func:`with_saturation` gives, as a float RGB image reduced to ``long_side`` pixels
    on its long side: the same steps on the area-reduced gray, so a screen can show the new
    strength before the full-size result is ready (at 12 MP about a quarter of the time).
    ``gray``: the gray as float, already reduced (:func:`reduced_gray`: a slider's every preview
    converted the whole gray again, 0.2-0.6 s at 50 MP)."""
    saturation = _strength_factor(colorization, saturation)
    return reduced_preview(reduced_gray(colorization, long_side) if gray is None else gray,
                           saturated_working(colorization.working, saturation), long_side)


def reduced_gray(colorization: Colorization, long_side: int) -> np.ndarray:
    """The result's gray as float, area-reduced to ``long_side`` pixels on its long side (or
    whole when it is smaller)."""
    if long_side < 1:
        raise ValueError(f"a preview's long side must be at least 1 pixel, not {long_side}")
    gray = colorization.gray.gray_float()
    return area_reduce(gray, max(gray.shape) / long_side)


def reduced_preview(gray: np.ndarray, chroma: np.ndarray, long_side: int) -> np.ndarray:
    """A result whose chroma is still at a reduced size (a :class:`ReducedResult`'s, or a new
    colour strength's) as a float RGB image of ``long_side`` pixels on its long side: the last
    step done on the area-reduced gray instead of the full-size one, which at 12 MP and more
    takes a fraction of the time. gray: the full-size (H, W) float gray."""
    if long_side < 1:
        raise ValueError(f"a preview's long side must be at least 1 pixel, not {long_side}")
    gray_small = area_reduce(gray, max(gray.shape) / long_side)
    return compose(gray_small, detail_upsample_chroma(chroma, gray_small))


def _strength_factor(colorization: Colorization, saturation: float | None) -> float:
    """The factor to apply (None: the method's default), if the result has a colour strength to
    change (a learned single-gray method kept its working chroma); a MethodError otherwise."""
    if colorization.working is None:
        raise MethodError(f"{colorization.method} has no colour strength to change "
                          "(only the learned single-gray methods have)")
    return default_saturation_of(colorization) if saturation is None else saturation


def default_saturation_of(colorization: Colorization) -> float:
    """The colour strength a result's method gives when the user asks for none: the one its
    model file came with (one HSV net alone), else the method's."""
    own = colorization.info.get("default_saturation")
    return float(own) if own is not None else saturation_for(colorization.method)


def _refuse_an_input(out_path: Path, *inputs: Photo | None) -> None:
    """A one-line OutputError when ``out_path`` is one of the input photos' files."""
    for photo in inputs:
        if photo is not None and photo.path is not None and same_file(out_path, photo.path):
            raise OutputError(f"{out_path.name}: refusing to overwrite an input file; choose another output")


def save_result(colorization: Colorization, out_path: str | Path, bit_depth: int | None = None,
                jpeg_quality: int = 95, exclusive: bool = False) -> Path:
    """Write the result atomically; refuses to overwrite any of the inputs (``exclusive``:
    anything, :func:`colorstudio.core.atomic_files.atomic_write`)."""
    out_path = Path(out_path)
    _refuse_an_input(out_path, colorization.gray, colorization.reference)
    gray, icc = colorization.gray, colorization.output_icc
    like = gray if icc == gray.icc_profile else replace(gray, icc_profile=icc)   # written in its space
    return save_photo(out_path, colorization.rgb, like=like, bit_depth=bit_depth, jpeg_quality=jpeg_quality,
                      exclusive=exclusive)


def colorize_files(gray_path: str | Path, reference_path: str | Path | None, out_path: str | Path,
                   method: str | None = None, model: str | Path | None = None,
                   options: dict | None = None, diagnostics_dir: str | Path | None = None,
                   bit_depth: int | None = None, jpeg_quality: int = 95,
                   diagnostics_palette: str = DEFAULT_PALETTE) -> Colorization:
    """Blocking form of :func:`colorize_files_steps`."""
    return run_to_end(colorize_files_steps(gray_path, reference_path, out_path, method, model, options,
                                           diagnostics_dir, bit_depth, jpeg_quality, diagnostics_palette))


def colorize_files_steps(gray_path: str | Path, reference_path: str | Path | None, out_path: str | Path,
                         method: str | None = None, model: str | Path | None = None,
                         options: dict | None = None, diagnostics_dir: str | Path | None = None,
                         bit_depth: int | None = None, jpeg_quality: int = 95,
                         diagnostics_palette: str = DEFAULT_PALETTE) -> Generator[Progress, None, Colorization]:
    """Read, colorize, write (and optionally write the diagnostics, their confidence, visibility
    and occlusion maps in ``diagnostics_palette``), yielding the colorization's progress. An
    output that cannot be written is refused first, not after the work."""
    check_output_path(out_path, bit_depth)
    gray = load_photo(gray_path)
    check_output_size(Path(out_path), *gray.size)       # the result is the gray's size
    reference = load_photo(reference_path) if reference_path is not None else None
    _refuse_an_input(Path(out_path), gray, reference)       # before the work, and again as it is written
    if diagnostics_dir is not None:            # made (or refused) before the work, after the inputs are read
        from colorstudio.engine.diagnostics_io import prepare_diagnostics_folder

        prepare_diagnostics_folder(diagnostics_dir, out_path)
    result = yield from colorize_steps(gray, reference, method, model, options)
    planned = None
    if diagnostics_dir is not None:   # their names are known now: refused before the result is written
        from colorstudio.engine.diagnostics_io import plan_diagnostics, write_planned

        planned = plan_diagnostics(result, diagnostics_dir, diagnostics_palette, keep=(Path(out_path),))
    yield Progress(1.0, f"writing {Path(out_path).name}")
    written = save_result(result, out_path, bit_depth=bit_depth, jpeg_quality=jpeg_quality)
    if notes := output_notes(written, result.gray, bit_depth):
        result.info["output_notes"] = notes
    if planned is not None:
        write_planned(planned)
    return result
