"""The fine-tune wizard's validation preview: a held-apart pair coloured by the model as it
trains, at the first step, then after every :data:`PREVIEW_EVERY_S` seconds of training, and at
the end. A preview that fails is left out (and logged): it never stops a run.

The Cycle CNN's is :func:`colorstudio.training.finetune.validation_preview`; CCDC's,
:class:`CCDCPreview`, colours the user's own held-apart shot.
"""
from __future__ import annotations

import logging
from dataclasses import replace
from typing import Callable, Generator

import numpy as np
import torch

from colorstudio.core.color import compose
from colorstudio.core.resize import area_reduce
from colorstudio.engine.crosscam import network_inputs, reference_at_most
from colorstudio.core.pair_mode import rows_aligned_rig
from colorstudio.nets.ccdc import CCDC
from colorstudio.training.pair_preparation import UserShot
from colorstudio.training.stereo_loop import TrainProgress, evaluation_mode

log = logging.getLogger(__name__)

PREVIEW_EVERY_S = 30.0      # 2 CPU cores: the Cycle CNN's about 0.5 s at 640 px, CCDC's 0.3-0.4 s
CCDC_PREVIEW_SIDE = 480     # CCDC's preview: the shot's long side (the wizard shows 512 px at most)


def safely(preview: Callable[[], np.ndarray]) -> np.ndarray | None:
    """``preview()``, or None (logged) when it fails."""
    try:
        return preview()
    except Exception:  # noqa: BLE001 - a picture for the wizard, never worth the run
        log.warning("the validation preview failed; training goes on", exc_info=True)
        return None


def with_previews(steps: Generator[TrainProgress, None, dict], preview, every_s: float = PREVIEW_EVERY_S
                  ) -> Generator[TrainProgress, None, dict]:
    """The training progress of ``steps``, with ``preview()`` attached at the first step and
    then once ``every_s`` seconds of training have passed; returns what ``steps`` returns.
    Closing it closes ``steps``, which keeps its checkpoint."""
    last = None
    try:
        while True:
            try:
                progress = next(steps)
            except StopIteration as stop:
                return stop.value
            if last is None or progress.seconds - last >= every_s:
                progress = replace(progress, preview=safely(preview))
                last = progress.seconds
            yield progress
    finally:
        steps.close()


def _tensor(a: np.ndarray, device) -> torch.Tensor:
    a = np.ascontiguousarray(a[..., None] if a.ndim == 2 else a, np.float32)
    return torch.from_numpy(a).permute(2, 0, 1)[None].to(device)


class CCDCPreview:
    """A user's shot (gray + colour, as taken) coloured by a CCDC net as it is now: (h, w, 3)
    float RGB, the gray as luma. The net's inputs (the initial flow included) are made once."""

    def __init__(self, shot: UserShot):
        self.gray = area_reduce(shot.mono, max(shot.mono.shape) / CCDC_PREVIEW_SIDE)
        reference = reference_at_most(shot.colour, self.gray.shape)
        stereo = rows_aligned_rig(shot.mono.shape, shot.colour.shape, shot.rectified)   # as the engine
        self.ref_ycc, self.flow = network_inputs(self.gray, reference, stereo=stereo)

    @torch.no_grad()
    def __call__(self, model: CCDC) -> np.ndarray:
        dev = next(model.parameters()).device
        with evaluation_mode(model):
            out = model(_tensor(self.gray, dev), _tensor(self.ref_ycc, dev),
                        _tensor(self.flow, dev) if model.cfg.classic_init else None)
        return compose(self.gray, out["chroma"][0].clamp(0, 1).permute(1, 2, 0).cpu().numpy())
