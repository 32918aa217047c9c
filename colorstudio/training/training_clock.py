"""Training time against a budget of steps and/or minutes, for both fine-tuners (the Cycle CNN's
:mod:`~colorstudio.training.stereo_loop` and :mod:`~colorstudio.training.finetune_ccdc`).

The time a consumer holds the training generator at a yield (the app's Pause, a preview) and
time set aside (scoring after the last step) is not training: it does not use up the budget."""
from __future__ import annotations

import time
from contextlib import contextmanager
from typing import Iterator


class TrainingClock:
    def __init__(self, seconds_before: float, steps: int | None, minutes: float | None):
        """``seconds_before``: the training time of the run resumed (0 for a new one); the budget:
        ``steps`` (in all, with the run's earlier ones) and/or ``minutes``."""
        self.steps, self.minutes = steps, minutes
        self._before, self._start, self._aside = seconds_before, time.perf_counter(), 0.0

    def elapsed(self) -> float:
        """Seconds of training, the resumed run's included."""
        return self._before + time.perf_counter() - self._start - self._aside

    def finished(self, step: int) -> bool:
        return ((self.steps is not None and step >= self.steps)
                or (self.minutes is not None and self.elapsed() >= 60 * self.minutes))

    def seconds_left(self, step: int) -> float | None:
        """What is left of the budget at the pace so far, None without a budget."""
        left = [60 * self.minutes - self.elapsed()] if self.minutes is not None else []
        if self.steps is not None:
            left.append((self.steps - step) * self.elapsed() / max(step, 1))
        return max(0.0, min(left)) if left else None

    def fraction_done(self, step: int) -> float:
        """The part of the budget used, 0..1 (the larger of steps and minutes)."""
        done = [step / self.steps] if self.steps else []
        if self.minutes:
            done.append(self.elapsed() / (60 * self.minutes))
        return min(1.0, max(done, default=0.0))

    @contextmanager
    def set_aside(self) -> Iterator[None]:
        """Time not counted as training: ``with clock.set_aside(): yield progress`` (a pause, then
        perhaps a close: Stop) or work done after the training."""
        began = time.perf_counter()
        try:
            yield
        finally:
            self._aside += time.perf_counter() - began
