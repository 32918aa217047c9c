"""What every colorization method returns."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class ChromaResult:
    """Predicted chroma for a gray image, plus what the method can show about itself.

    chroma:      (H, W, 2) float32, Cb and Cr in [0, 1] (0.5 = neutral), same H, W as the gray.
    diagnostics: name -> array (maps at any resolution, e.g. "confidence" (h, w) in [0,1],
                 "disparity" (h, w) in pixels of the gray, "visibility_0" (h, w) signed,
                 "flow" (h, w, 2)) or JSON-able dicts/lists (e.g. "curve").
    info:        small JSON-able facts (method name, working size, disparity range, ...).
    working:     what a colour-strength change needs (single-gray learned methods), or None.
    reduced:     (h, w, 2) float32 Cb/Cr at a reduced size, in the gray's frame, with ``chroma``
                 None: the result of a learned method asked to leave its last step, bringing the
                 chroma to the gray's full size (detail_upsample_chroma, guided by the gray), to
                 the caller (option ``defer_full_size``), so that a screen can show it first.
    """

    chroma: np.ndarray | None
    diagnostics: dict[str, Any] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)
    working: WorkingChroma | None = None   # single-gray learned methods: see WorkingChroma
    reduced: np.ndarray | None = None


@dataclass
class WorkingChroma:
    """A single-gray method's chroma at its working size *before* its saturation factor, with
    the working gray it was predicted for: enough to give the result another colour strength
    without running the method again (:func:`colorstudio.engine.colorize.with_saturation`).

    gray:   (h, w) float32 [0, 1], the reduced gray the method worked on.
    chroma: (h, w, 2) float32 Cb/Cr [0, 1], filtered, not yet saturated.
    """

    gray: np.ndarray
    chroma: np.ndarray
