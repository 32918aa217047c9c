"""Progress objects yielded by the engine's generators (GUI workers and the CLI read them)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Progress:
    fraction: float   # 0..1 for this job
    message: str      # a short phrase for a status bar


@dataclass
class ReducedResult(Progress):
    """A step of a colorization carrying its chroma at the method's working size, before the
    last step brings it to the gray's full size: enough for a screen to show the result early
    (:func:`colorstudio.engine.colorize.reduced_preview`). Others read it as plain progress."""

    chroma: np.ndarray | None = None      # (h, w, 2) float32 Cb/Cr [0, 1], the gray's frame
