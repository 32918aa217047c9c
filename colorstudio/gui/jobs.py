"""The GUI's background jobs as plain generators (no Qt): open inputs, colorize, export.

Each yields :class:`~colorstudio.engine.progress.Progress` and returns a small bundle holding
the full-resolution data plus the downsampled display copies, so the GUI thread only has to
upload small uint8 arrays. Run them with :class:`colorstudio.gui.workers.GeneratorWorker`,
or drive them directly in tests.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generator

import numpy as np

from colorstudio.core.colour_management import result_profile
from colorstudio.core.diagnostic_maps import DEFAULT_PALETTE
from colorstudio.core.imageio import load_photo
from colorstudio.core.photo import Photo, reading_notes
from colorstudio.core.size_limits import check_size
from colorstudio.engine.colorize import (Colorization, colorize_steps, default_saturation_of, preview_with_saturation,
                                         reduced_gray, reduced_preview, with_saturation)
from colorstudio.engine.pair_inputs import SwappedPairError, prepare_inputs, swapped_files
from colorstudio.engine.progress import Progress, ReducedResult
from colorstudio.errors import PairError
from colorstudio.gui.display import MAX_DISPLAY_SIDE, display_diagnostics, display_image


@dataclass
class OpenedInputs:
    """A gray photo (and its colour reference) ready to show and colorize."""

    gray: Photo
    reference: Photo | None
    name: str
    gray_view: np.ndarray                  # uint8 (h, w) display copy
    reference_view: np.ndarray | None      # uint8 (h', w', 3) or (h', w') display copy
    checks: list[str] = field(default_factory=list)   # plain-words pair checks
    output_icc: bytes | None = None        # the result's RGB profile, the views' space (None: sRGB)
    colour_space: str = "auto"             # what it was opened for (engine option "colour_space")

    @property
    def is_pair(self) -> bool:
        return self.reference is not None

    @property
    def frame_wh(self) -> tuple[int, int]:
        return self.gray.size


@dataclass
class ReviewedResult:
    """A photo (pair) opened together with a result written earlier (by a batch)."""

    opened: OpenedInputs
    path: Path
    view: np.ndarray                       # uint8 display copy of the written result
    pixels: np.ndarray                     # its full-resolution pixels (the readout and 100 % tiles)


@dataclass
class ShownResult:
    """A colorization plus what the views show of it."""

    colorization: Colorization
    result_view: np.ndarray                # uint8 (h, w, 3)
    diagnostics_view: dict[str, Any]       # arrays downsampled to the dock's size
    _small_grays: dict[int, np.ndarray] = field(default_factory=dict, repr=False)

    def small_gray(self, long_side: int) -> np.ndarray:
        """The gray reduced to ``long_side`` as float, made once (the strength slider's previews)."""
        if long_side not in self._small_grays:
            self._small_grays[long_side] = reduced_gray(self.colorization, long_side)
        return self._small_grays[long_side]


def pair_checks(gray: Photo, reference_rgb_out: np.ndarray) -> list[str]:
    """The pair checks in plain words (rectified? scale? disparity range? tone difference?) on
    the reference as colorize sees it (in the output's colour space)."""
    from colorstudio.core.check_messages import mode_sentence
    from colorstudio.core.checks import check_pair

    report = check_pair(gray.gray_float(), reference_rgb_out)
    messages = list(report.messages)
    if not messages:
        messages.append("The two shots match well: same scene, aligned rows, similar tones.")
    messages.append(mode_sentence(report.suggested_mode, report.mode_reason))
    return messages


def open_inputs(gray_path: str | Path, reference_path: str | Path | None, name: str | None = None,
                max_side: int | None = None, space: str = "auto") -> Generator[Progress, None, OpenedInputs]:
    """Read the photo(s), run the pair checks, make the display copies; ``space``: the result's
    colour space to come ("auto" or "srgb", see :func:`~colorstudio.core.colour_management.output_profile`)."""
    max_side = max_side or MAX_DISPLAY_SIDE
    gray_path = Path(gray_path)
    yield Progress(0.05, f"reading {gray_path.name}")
    gray = load_photo(gray_path)
    check_size(gray)                 # said now, not when the user presses Colorize
    reference = None
    if reference_path is not None:
        reference_path = Path(reference_path)
        if reference_path.resolve() == gray_path.resolve():
            raise PairError(f"{gray_path.name}: the gray photo and the reference are the same file")
        yield Progress(0.35, f"reading {reference_path.name}")
        reference = load_photo(reference_path)
        check_size(reference)
    try:                             # shown, checked and refused as the engine will use them
        prepared = prepare_inputs(gray, reference, space)
    except SwappedPairError:
        raise PairError(swapped_files(gray_path.name, reference_path.name)
                        + "; open the gray photo as the gray and the colour one as its reference") from None
    gray, gray_colour, converted, colour_note = (prepared.gray, prepared.gray_colour, prepared.reference_rgb,
                                                 prepared.colour_note)
    yield Progress(0.6, "preparing the views")
    gray_view = display_image(gray.pixels if gray.is_gray else gray.gray_float(), max_side)
    reference_view = None
    if reference is not None:
        reference_view = display_image(converted if colour_note else reference.pixels, max_side)
    checks: list[str] = []
    if reference is not None:
        yield Progress(0.75, "checking the pair")
        checks = pair_checks(gray, converted)
        if colour_note:
            checks.append(f"Colour profile: {colour_note}.")
    if gray.tone_note:
        checks.append(f"Colour profile: {gray.tone_note}.")
    checks += [f"{note}." for note in reading_notes(gray, reference)]
    gray_note = gray_colour.sentence(pair=reference is not None)
    if gray_note:
        checks.append(gray_note)
    yield Progress(1.0, "opened")
    output_icc = result_profile(gray, reference, space)
    return OpenedInputs(gray, reference, name or gray_path.stem, gray_view, reference_view, checks, output_icc,
                        space)


def open_with_result(gray_path: str | Path, reference_path: str | Path | None, name: str | None,
                     result_path: str | Path, max_side: int | None = None, space: str = "auto"
                     ) -> Generator[Progress, None, ReviewedResult]:
    """Open the inputs (:func:`open_inputs`) and read a result written for them earlier."""
    opened = yield from open_inputs(gray_path, reference_path, name, max_side, space)
    result_path = Path(result_path)
    yield Progress(0.9, f"reading {result_path.name}")
    result = load_photo(result_path)
    if result.size != opened.frame_wh:
        raise PairError(f"{result_path.name} is {result.size[0]}×{result.size[1]}, not the size of "
                        f"{opened.gray.name} ({opened.frame_wh[0]}×{opened.frame_wh[1]}): not its result")
    return ReviewedResult(opened, result_path, display_image(result.pixels, max_side or MAX_DISPLAY_SIDE),
                          result.pixels)


def colorize_for_view(opened: OpenedInputs, method: str | None = None, model: str | Path | None = None,
                      options: dict | None = None, max_side: int | None = None
                      ) -> Generator[Progress, None, ShownResult]:
    """Colorize (the engine's generator), then make the display copies in the same thread.
    A photo larger than its display copy is shown at display size (:class:`ViewPreview`) as
    soon as a learned method's working-size chroma is there, before the full size."""
    max_side = max_side or MAX_DISPLAY_SIDE
    steps = colorize_steps(opened.gray, opened.reference, method, model, options)
    colorization = yield from _with_previews(steps, opened, max_side)
    yield Progress(1.0, "preparing the view")
    return _shown(colorization, max_side)


def _with_previews(steps: Generator, opened: OpenedInputs, max_side: int) -> Generator:
    """``steps``, each :class:`ReducedResult` of a photo larger than ``max_side`` turned into a
    :class:`ViewPreview`; returns what ``steps`` returns."""
    try:
        while True:
            try:
                step = next(steps)
            except StopIteration as stop:
                return stop.value
            if isinstance(step, ReducedResult) and _larger_than_view(opened.gray, max_side):
                view = reduced_preview(_display_gray(opened, max_side), step.chroma, max_side)
                step = ViewPreview(step.fraction, step.message, display_image(view, max_side))
            yield step
    finally:
        steps.close()          # a cancelled job stops the engine's generator too


def _display_gray(opened: OpenedInputs, max_side: int) -> np.ndarray:
    """The gray at display size as float: its display copy when that has this size (at 48 MP
    0.1-0.9 s quicker than converting the full-size gray; within half a level), else the full
    gray, which :func:`reduced_preview` reduces."""
    view = opened.gray_view
    if view.ndim == 2 and max(view.shape) == max_side:
        return view.astype(np.float32) / np.float32(255.0)
    return opened.gray.gray_float()


@dataclass
class ViewPreview(Progress):
    """A step carrying the display copy of a result not yet ready at full size (which the
    100 % view and the readout read): a new colorization's, or a new colour strength's."""

    view: np.ndarray | None = None         # uint8 (h, w, 3), the size of the result's display copy


def strength_change(colorization: Colorization | None, wanted: float | None) -> float | None:
    """The saturation factor that brings a result to the strength the user wants (``wanted``;
    None: its method's default), or None when there is nothing to change: it is there already,
    or it has no colour strength (pairs, classic methods)."""
    if colorization is None or colorization.working is None:
        return None
    factor = default_saturation_of(colorization) if wanted is None else wanted
    return None if abs(factor - colorization.info.get("saturation", factor)) < 1e-9 else factor


def own_strength(colorization: Colorization) -> tuple[float, bool] | None:
    """(the saturation factor a result was made at, whether that is its method's default), or
    None when it has no colour strength: what the strength controls show for a result shown again."""
    if colorization.working is None or "saturation" not in colorization.info:
        return None
    factor = float(colorization.info["saturation"])
    return factor, abs(factor - default_saturation_of(colorization)) < 1e-9


def needs_preview(shown: ShownResult, max_side: int | None = None) -> bool:
    """Whether the photo is larger than its display copy, so that a display-size preview of a
    strength change comes well before the full size."""
    return _larger_than_view(shown.colorization.gray, max_side or MAX_DISPLAY_SIDE)


def _larger_than_view(photo: Photo, max_side: int) -> bool:
    """The rule for every preview: the photo has more pixels per side than its display copy."""
    return max(photo.size) > max_side


def preview_for_view(shown: ShownResult, saturation: float | None, max_side: int | None = None
                     ) -> Generator[Progress, None, None]:
    """Only the :class:`ViewPreview` of :func:`restrength_for_view` (while the slider moves)."""
    max_side = max_side or MAX_DISPLAY_SIDE
    preview = preview_with_saturation(shown.colorization, saturation, max_side, gray=shown.small_gray(max_side))
    yield ViewPreview(1.0, "previewing the colour strength", display_image(preview, max_side))


def restrength_for_view(shown: ShownResult, saturation: float | None, max_side: int | None = None,
                        preview: bool = True) -> Generator[Progress, None, ShownResult]:
    """The shown single-gray result at another colour strength (None: its method's default),
    without running the method again (:func:`~colorstudio.engine.colorize.with_saturation`).
    A photo larger than the display copy gets a :class:`ViewPreview` first (unless
    ``preview`` is False: it is on screen already)."""
    max_side = max_side or MAX_DISPLAY_SIDE
    if preview and needs_preview(shown, max_side):
        yield from preview_for_view(shown, saturation, max_side)
    else:
        yield Progress(0.1, "changing the colour strength")
    colorization = with_saturation(shown.colorization, saturation)
    yield Progress(0.8, "preparing the view")
    return _shown(colorization, max_side)


# the maps drawn over a photo in the diagnostics dock, and which: the gray or the colour shot
UNDERLAID = {"occlusion": "gray", "occlusion_colour_shot": "reference"}


def _shown(colorization: Colorization, max_side: int | None) -> ShownResult:
    """A colorization with its display copies (made in the job's thread)."""
    photos = {name: getattr(colorization, which) for name, which in UNDERLAID.items()
              if name in colorization.diagnostics}
    underlays = {name: photo.pixels for name, photo in photos.items() if photo is not None}
    return ShownResult(colorization, display_image(colorization.rgb, max_side or MAX_DISPLAY_SIDE),
                       display_diagnostics(colorization.diagnostics, underlays=underlays))


def export_result(colorization: Colorization, out_path: str | Path, bit_depth: int | None,
                  jpeg_quality: int, diagnostics_dir: str | Path | None = None,
                  saturation: float | None = None, palette: str = DEFAULT_PALETTE) -> Generator[Progress, None, list[Path]]:
    """Write the full-resolution result (and optionally the diagnostics); returns the files.
    ``saturation``: a factor from :func:`strength_change`, applied first, so that the file has
    the strength the slider shows even when the live change has not caught up yet."""
    from colorstudio.engine.colorize import save_result

    colorization = yield from _at_strength(colorization, saturation)
    planned = None
    if diagnostics_dir is not None:         # a bad folder or file is refused before the result is written
        from colorstudio.engine.diagnostics_io import plan_diagnostics, write_planned

        planned = plan_diagnostics(colorization, diagnostics_dir, palette, keep=(Path(out_path),))
    yield Progress(0.1, f"writing {Path(out_path).name}")
    written = [save_result(colorization, out_path, bit_depth=bit_depth, jpeg_quality=jpeg_quality)]
    if planned is not None:
        yield Progress(0.7, "writing the diagnostics")
        written += write_planned(planned)
    return written


def export_diagnostics_now(colorization: Colorization, out_dir: str | Path, palette: str = DEFAULT_PALETTE,
                           keep: tuple[Path, ...] = ()) -> list[Path]:
    from colorstudio.engine.diagnostics_io import write_diagnostics

    return write_diagnostics(colorization, out_dir, palette, keep=keep)


def export_diagnostics(colorization: Colorization, out_dir: str | Path, saturation: float | None = None,
                       palette: str = DEFAULT_PALETTE) -> Generator[Progress, None, list[Path]]:
    """Write the diagnostics (``palette``: core.diagnostic_maps.PALETTES); ``saturation`` as for
    :func:`export_result`."""
    colorization = yield from _at_strength(colorization, saturation)
    yield Progress(0.1, "writing the diagnostics")
    return export_diagnostics_now(colorization, out_dir, palette)


def _at_strength(colorization: Colorization, saturation: float | None) -> Generator[Progress, None, Colorization]:
    if saturation is None:
        return colorization
    yield Progress(0.05, "applying the colour strength")
    return with_saturation(colorization, saturation)


def add_model_file(source: Path) -> Generator[Progress, None, tuple[Path, str]]:
    """Check a model file as its method loads it and copy it into the user's models folder:
    (the copy, its method). See :mod:`colorstudio.engine.model_import`."""
    from colorstudio.engine.model_import import add_model

    yield Progress(0.1, f"checking {Path(source).name}")
    return add_model(source)
