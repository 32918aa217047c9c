"""What the fine-tune wizard needs from the engine, in one place (no Qt).

- :func:`scan_folder`: find the user's camera pairs and check each (real: discovery + pair checks).
- :func:`training_steps`: the fine-tuning run, as a generator of :class:`TrainUpdate` — **the one
  place wired to** the engine's fine-tuners (:data:`TRAINING_MODULES`: CCDC's, or the Cycle CNN's
  self-supervised one).

The before/after comparison is :mod:`colorstudio.gui.finetune_evaluation`; saving the model
where the method picker finds it, :mod:`colorstudio.gui.model_saving`.
"""
from __future__ import annotations

import importlib
import importlib.util
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Generator, Iterator

import numpy as np

from colorstudio import paths
from colorstudio.core.imageio import load_photo
from colorstudio.core.pairs import PairItem, discover
from colorstudio.engine.progress import Progress
from colorstudio.errors import ColorStudioError
from colorstudio.training.pair_size import MIN_TRAINING_SIDE, too_small, training_size

# the network fine-tuned -> the engine module that does it (each has finetune() and resumable())
TRAINING_MODULES = {"ccdc": "colorstudio.training.finetune_ccdc", "cyclecnn": "colorstudio.training.finetune"}
DEFAULT_METHOD = "ccdc"     # the default pair method
FALLBACK_METHOD = "dis+gf"  # "before" when there is no learned base model


def ships(method: str) -> bool:
    """Whether this build ships the weights of ``method`` (the model a fine-tune starts from)."""
    return (paths.models_dir() / f"{method}.safetensors").is_file()


class TrainingUnavailable(ColorStudioError):
    """This build has no fine-tuning engine."""


# ------------------------------------------------------------------ folder checks
@dataclass
class PairCheck:
    item: PairItem
    gray_size: tuple[int, int]
    usable: bool
    line: str                              # one line for the summary
    rectified: bool | None = None
    disparity: tuple[float, float] | None = None


@dataclass
class FolderSummary:
    folder: Path
    checks: list[PairCheck]
    skipped: list[tuple[Path, str]]        # files that are not part of a pair, with the reason

    @property
    def usable(self) -> list[PairItem]:
        return [c.item for c in self.checks if c.usable]

    def split(self) -> tuple[list[PairItem], list[PairItem]]:
        """(training pairs, held-apart pairs): every 5th usable pair is held apart (at least one
        when there are two or more)."""
        usable = self.usable
        if len(usable) < 2:
            return usable, list(usable)
        held = usable[4::5] or usable[-1:]
        return [p for p in usable if p not in held], held

    def lines(self) -> list[str]:
        """The summary in plain words."""
        usable = self.usable
        out = [f"{len(self.checks)} pair(s) found in {self.folder.name}; {len(usable)} usable for fine-tuning."]
        sizes = sorted({c.gray_size for c in self.checks})
        if sizes:
            out.append("Sizes: " + ", ".join(f"{w}×{h}" for w, h in sizes[:4]) + (" …" if len(sizes) > 4 else ""))
        rect = [c.rectified for c in self.checks]
        if rect:
            out.append(f"Rectified: {sum(r is True for r in rect)} of {len(rect)}"
                       + (f" ({sum(r is None for r in rect)} could not be measured)" if None in rect else ""))
        spans = [c.disparity for c in self.checks if c.disparity]
        if spans:
            out.append(f"Parallax range: {min(s[0] for s in spans):.0f} to {max(s[1] for s in spans):.0f} px")
        if self.skipped:
            out.append(f"{len(self.skipped)} file(s) skipped (not part of a pair).")
        if len(usable) == 1:
            out.append("Only one usable pair: it is used both to train and to evaluate, so the "
                       "evaluation will look better than it is. Add more pairs if you can.")
        if not usable:
            out.append("Nothing to train on: the folder needs gray+colour pairs from your camera "
                       "(named x_mono + x_color, x_L + x_R, or in mono/ and color/ folders).")
        return out


SHIPPED_MAX_DISPARITY = 64     # the shipped stereo model's candidates (a fine-tuned base keeps them)


def _check_one(item: PairItem) -> PairCheck:
    from colorstudio.core.checks import check_pair

    try:
        gray, ref = load_photo(item.gray), load_photo(item.reference)
    except ColorStudioError as e:
        return PairCheck(item, (0, 0), False, f"{item.name}: {e}")
    report = check_pair(gray.gray_float(), ref.rgb_float())
    problems = []
    if report.reference_is_gray:
        problems.append("the reference has no colour")
    if report.identical:
        problems.append("both shots are the same picture")
    if report.rectified is False:
        problems.append(f"not rectified (rows {report.vertical_offset_px:.1f} px apart)")
    if report.rectified is None:
        problems.append("alignment could not be measured (too few matching details)")
    disparity = None
    if report.disparity_min is not None and report.disparity_max is not None:
        disparity = (float(report.disparity_min), float(report.disparity_max))
    size, _, _ = training_size(gray.pixels.shape[:2], disparity or (None, None), SHIPPED_MAX_DISPARITY)
    if too_small(size):       # as training would find (it says the same and leaves the pair out)
        problems.append(f"{size[0]}x{size[1]} px at training size is too small to fine-tune on "
                        f"(at least {MIN_TRAINING_SIDE} px a side)")
    usable = (not report.reference_is_gray and not report.identical and report.rectified is not False
              and not too_small(size))
    if problems:
        line = f"{item.name}: " + "; ".join(problems) + ("" if usable else " — left out")
    else:
        line = f"{item.name}: rectified" + (f", parallax {disparity[0]:.0f}..{disparity[1]:.0f} px" if disparity else "")
    return PairCheck(item, gray.size, usable, line, report.rectified, disparity)


def scan_folder(folder: str | Path) -> Generator[Progress, None, FolderSummary]:
    """Find and check the pairs in ``folder`` (a worker job)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ColorStudioError(f"{folder}: not a folder")
    yield Progress(0.02, "looking for pairs")
    found = discover([folder])
    pairs = [i for i in found.items if i.reference is not None]
    skipped = list(found.unmatched) + [(i.gray, "a gray photo without a colour partner")
                                       for i in found.items if i.reference is None]
    checks = []
    for n, item in enumerate(pairs):
        yield Progress(0.05 + 0.95 * n / max(1, len(pairs)), f"checking {item.name}")
        checks.append(_check_one(item))
    yield Progress(1.0, "checked")
    return FolderSummary(folder, checks, skipped)


# ------------------------------------------------------------------ training
@dataclass
class FineTunePlan:
    train_pairs: list[PairItem]
    held_out: list[PairItem]
    base_model: Path | None                # None: the shipped model (or from scratch if none ships)
    run_dir: Path                          # checkpoints + log; a later run with the same dir resumes
    minutes: float | None = 10.0           # a time budget ...
    steps: int | None = None               # ... or a number of steps
    device: str = "auto"
    crop: tuple[int, int] | None = (256, 512)   # (height, width): the Cycle CNN paper's; None: the
                                                # fine-tuner's own (CCDC: 160 x 160)
    method: str = "cyclecnn"               # the network fine-tuned: a key of TRAINING_MODULES
    go_on: bool = False                    # the user stopped this run and resumes it: its checkpoint
                                           # is taken up even with its budget spent (it then writes its model)

    @property
    def weights_out(self) -> Path:
        return self.run_dir / "finetuned.safetensors"


@dataclass
class TrainUpdate:
    step: int
    total_steps: int | None
    losses: dict[str, float]
    lr: float | None
    seconds: float
    eta: float | None                      # seconds left, if known
    preview: np.ndarray | None = None      # (h, w, 3) float [0,1] or uint8: a validation result
    message: str = ""


@dataclass
class TrainOutcome:
    weights: Path | None
    steps: int
    seconds: float
    finished: bool                         # False: stopped early (checkpoint kept in run_dir)
    info: dict = field(default_factory=dict)


def training_module(method: str = DEFAULT_METHOD):
    """The engine's fine-tuner of ``method``, or :class:`TrainingUnavailable` saying what is missing."""
    name = TRAINING_MODULES[method]
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as e:
        if e.name in (name, "torch"):
            raise TrainingUnavailable(
                f"fine-tuning is not available in this build ({e.name} is missing)") from None
        raise


def training_available(method: str = DEFAULT_METHOD) -> tuple[bool, str]:
    """Whether the engine's fine-tuner of ``method`` is installed, without importing it (and torch:
    the wizard asks on the GUI thread)."""
    for name in (TRAINING_MODULES[method], "torch"):
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            return False, f"fine-tuning is not available in this build ({name} is missing)"
    return True, ""


def to_update(obj: Any, started: float) -> TrainUpdate:
    """Map whatever the training generator yields onto a :class:`TrainUpdate`."""
    get = (obj.get if isinstance(obj, dict) else lambda k, d=None: getattr(obj, k, d))
    losses = get("losses") or {}
    if not losses and get("loss") is not None:
        losses = {"loss": get("loss")}
    losses = {str(k): float(v) for k, v in dict(losses).items()
              if v is not None and math.isfinite(float(v))}
    seconds = get("seconds")
    if seconds is None and get("minutes") is not None:
        seconds = 60.0 * float(get("minutes"))
    return TrainUpdate(step=int(get("step", 0) or 0), total_steps=get("total_steps"),
                       losses=losses, lr=get("lr"),
                       seconds=float(seconds if seconds is not None else time.monotonic() - started),
                       eta=get("eta"), preview=get("preview"), message=str(get("message", "") or ""))


def _real_trainer(plan: FineTunePlan) -> Iterator:
    """THE wiring point: start the engine's fine-tuning generator for ``plan``."""
    loop = training_module(plan.method)
    pairs = [(p.gray, p.reference) for p in plan.train_pairs]
    # go on with a run stopped half-way with these settings (or one the user stopped just now,
    # even at the end of its budget); a finished run, or one with other pairs, base model or
    # crop, starts afresh (it was trained 0 more steps before)
    resume = plan.go_on or loop.resumable(plan.run_dir, plan.base_model, pairs, plan.crop, plan.minutes, plan.steps)
    return loop.finetune(
        pairs=pairs, validation=[(p.gray, p.reference) for p in plan.held_out],
        base_model_path=plan.base_model, out=plan.weights_out, run_dir=plan.run_dir,
        minutes=plan.minutes, max_steps=plan.steps, device=plan.device, crop=plan.crop,
        resume=resume)


def training_steps(plan: FineTunePlan, trainer: Callable[[FineTunePlan], Iterator] | None = None
                   ) -> Generator[TrainUpdate, None, TrainOutcome]:
    """Run the fine-tuning, yielding :class:`TrainUpdate`; closing the generator stops it
    (the engine keeps its checkpoint in ``plan.run_dir``; the same run dir resumes)."""
    plan.run_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    gen = (trainer or _real_trainer)(plan)
    last = TrainUpdate(0, plan.steps, {}, None, 0.0, None)
    finished = False
    try:
        while True:
            try:
                obj = next(gen)
            except StopIteration:
                finished = True
                break
            last = to_update(obj, started)
            yield last
    finally:
        gen.close()
    weights = plan.weights_out if plan.weights_out.is_file() else None
    # a resumed run's own seconds count what it trained before too ("18 steps in 0:17" undersold it)
    return TrainOutcome(weights, last.step, max(time.monotonic() - started, last.seconds or 0.0), finished)
