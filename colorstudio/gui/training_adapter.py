"""The fine-tune wizard's training run (no Qt): :func:`training_steps`, a generator of
:class:`TrainUpdate` — **the one place wired to** the engine's fine-tuners
(:data:`TRAINING_MODULES`: CCDC's, or the Cycle CNN's self-supervised one).

The folder checks are :mod:`colorstudio.gui.finetune_pair_checks`; the before/after comparison,
:mod:`colorstudio.gui.finetune_evaluation`; saving the model where the method picker finds it,
:mod:`colorstudio.gui.model_saving`.
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
from colorstudio.core.pairs import PairItem
from colorstudio.errors import ColorStudioError
from colorstudio.training import run_identity

# the network fine-tuned -> the engine module that does it (each has finetune() and resumable())
TRAINING_MODULES = {"ccdc": "colorstudio.training.finetune_ccdc", "cyclecnn": "colorstudio.training.finetune"}
DEFAULT_METHOD = "ccdc"     # the default pair method
FALLBACK_METHOD = "dis+gf"  # "before" when there is no learned base model


def ships(method: str) -> bool:
    """Whether this build ships the weights of ``method`` (the model a fine-tune starts from)."""
    return (paths.models_dir() / f"{method}.safetensors").is_file()


def offered_networks() -> tuple[str, ...]:
    """The networks the wizard offers to fine-tune: CCDC when its weights ship (it starts from
    them), the Cycle CNN always (it can start from nothing)."""
    return tuple(m for m in TRAINING_MODULES if m != "ccdc" or ships("ccdc"))


class TrainingUnavailable(ColorStudioError):
    """This build has no fine-tuning engine."""


# ------------------------------------------------------------------ training
@dataclass
class FineTunePlan:
    train_pairs: list[PairItem]
    held_out: list[PairItem]
    base_model: Path | None                # None: the shipped model (or from scratch if none ships)
    run_dir: Path                          # checkpoints + log; a later run of the same settings goes on
    minutes: float | None = 10.0           # a time budget ...
    steps: int | None = None               # ... or a number of steps
    device: str = "auto"
    crop: tuple[int, int] | None = (256, 512)   # (height, width): the Cycle CNN paper's; None: the
                                                # fine-tuner's own (CCDC: 160 x 160)
    method: str = "cyclecnn"               # the network fine-tuned: a key of TRAINING_MODULES

    @property
    def weights_out(self) -> Path:
        return self.run_dir / "finetuned.safetensors"

    def run_key(self) -> str:
        """The key the engine's fine-tuner gives this plan's run (torch-free: see run_identity)."""
        return run_identity.network_key(self.method, self.base_model, [(p.gray, p.reference) for p in self.train_pairs],
                                        None, self.crop, [(p.gray, p.reference) for p in self.held_out])

    def same_run(self, other: "FineTunePlan") -> bool:
        """Whether ``other`` goes on with this plan's run (the same run folder and the engine's
        run key: only its budget or device differ), so that a run stopped or finished on this
        plan is resumed, not replaced."""
        return self.run_dir == other.run_dir and self.run_key() == other.run_key()


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
    run_note: str = ""                     # the run folder's stopped run: resumed, or replaced and why
    finishing: bool = False                # the steps are done: the run scores and writes its model


@dataclass
class TrainOutcome:
    weights: Path | None
    steps: int
    seconds: float                         # training time (a resumed run's earlier part included)
    finished: bool                         # False: stopped early (checkpoint kept in run_dir)
    info: dict = field(default_factory=dict)   # the engine's model card of the written model

    def engine_scores(self) -> str:
        """What the fine-tuner itself measured, in words: CCDC's held-apart chroma PSNR (pairs
        synthesized from held-apart colour shots, whose colours are known) before and after, and
        what it kept; '' when the card has no such score (the Cycle CNN's are cycle scores)."""
        ft = self.info.get("finetune") or {}
        before, after = (ft.get(k, {}).get("chroma_psnr") if isinstance(ft.get(k), dict) else None
                         for k in ("validation_before", "validation_after"))
        if before is None or after is None:
            return ""
        on = "the training pairs: none was held apart" if not (self.info.get("data") or {}).get("validation_pairs") \
            else "held-apart pairs"
        return f"Chroma PSNR on {on} (their colours known): {before:.2f} dB before, {after:.2f} dB after."

    def kept_the_start(self) -> bool:
        """The engine judged the run gone wrong and wrote the starting weights unchanged."""
        return (self.info.get("finetune") or {}).get("kept_start_unchanged") is True


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
                       eta=get("eta"), preview=get("preview"), message=str(get("message", "") or ""),
                       run_note=str(get("run_note", "") or ""), finishing=bool(get("finishing", False)))


def _real_trainer(plan: FineTunePlan) -> Iterator:
    """THE wiring point: start the engine's fine-tuning generator for ``plan``."""
    loop = training_module(plan.method)
    pairs = [(p.gray, p.reference) for p in plan.train_pairs]
    held = [(p.gray, p.reference) for p in plan.held_out]
    # go on with the run of these settings (one whose budget is spent writes its model at once);
    # one with other pairs, base model, crop or held-apart pairs is replaced by a fresh run (the
    # engine says which once it has checked the pairs: run_note)
    resume = loop.resumable(plan.run_dir, plan.base_model, pairs, plan.crop, validation=held)
    return loop.finetune(
        pairs=pairs, validation=held,
        base_model_path=plan.base_model, out=plan.weights_out, run_dir=plan.run_dir,
        minutes=plan.minutes, max_steps=plan.steps, device=plan.device, crop=plan.crop,
        resume=resume)


def training_steps(plan: FineTunePlan, trainer: Callable[[FineTunePlan], Iterator] | None = None
                   ) -> Generator[TrainUpdate, None, TrainOutcome]:
    """Run the fine-tuning, yielding :class:`TrainUpdate`; closing the generator stops it
    (the engine keeps its checkpoint in ``plan.run_dir``; the same settings go on with it)."""
    from colorstudio.training.run_lock import RunFolderLock

    lock = RunFolderLock(plan.run_dir).claim()      # the same settings in a second window: refused
    started = time.monotonic()
    last = TrainUpdate(0, plan.steps, {}, None, 0.0, None)
    finished, card, gen = False, None, None
    try:
        gen = (trainer or _real_trainer)(plan)      # (it reads the checkpoint and the pairs at once)
        while True:
            try:
                obj = next(gen)
            except StopIteration as stop:
                finished, card = True, stop.value
                break
            last = to_update(obj, started)
            yield last
    finally:
        if gen is not None:
            gen.close()
        lock.release()
    weights = plan.weights_out if plan.weights_out.is_file() else None
    # the engine's training time, a resumed run's earlier part included (not this call's wall time:
    # "18 steps in 0:17" undersold a resumed run)
    return TrainOutcome(weights, last.step, last.seconds or 0.0, finished, card if isinstance(card, dict) else {})
