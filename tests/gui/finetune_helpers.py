"""The fine-tune wizard tests' helpers: a stand-in training engine and the walk to the settings page."""
from __future__ import annotations

import time
from contextlib import contextmanager

import numpy as np

from colorstudio.gui import training_adapter as ta
from colorstudio.gui.finetune_wizard import CHECKS, SETTINGS

from gui_helpers import STAND_IN_WEIGHTS


def two_step_trainer(events, delay=0.05, steps=None, card=None):
    """A stand-in engine: ``steps`` quick steps, then the weights written and ``card`` (the
    engine's model card) returned."""
    def trainer(plan: ta.FineTunePlan):
        n = steps or plan.steps or 2
        try:
            for step in range(1, n + 1):
                time.sleep(delay)
                yield {"step": step, "total_steps": n, "lr": 1e-3, "seconds": step * delay,
                       "eta": (n - step) * delay,
                       "losses": {"structure": 1.0 / step, "cycle": 0.5 / step, "smoothness": 0.1},
                       "preview": np.full((24, 32, 3), 0.5, np.float32)}
            plan.weights_out.write_bytes(STAND_IN_WEIGHTS)
            return card
        finally:
            events.append("generator closed")
    return trainer


def go_to_settings(qtbot, wizard, folder):
    wizard.folder_page.edit.setText(str(folder))
    assert wizard.folder_page.isComplete()
    wizard.next()
    assert wizard.currentId() == CHECKS
    qtbot.waitUntil(lambda: wizard.checks_page.isComplete(), timeout=30000)
    wizard.next()
    assert wizard.currentId() == SETTINGS
    qtbot.waitUntil(lambda: wizard.settings_page.device is not None, timeout=60000)


def start_long_training(qtbot, wizard, folder, events: list, delay: float = 0.03, steps_done: int = 1):
    """Walk to the training page with a stand-in run of 10 000 steps; return the page once
    ``steps_done`` steps are done."""
    wizard.training_page.trainer = two_step_trainer(events, delay=delay, steps=10_000)
    go_to_settings(qtbot, wizard, folder)
    wizard.next()
    page = wizard.training_page
    qtbot.waitUntil(lambda: page.last is not None and page.last.step >= steps_done, timeout=10000)
    return page


def finishing_trainer(release, card):
    """Two steps, then the engine's finishing updates; it waits for ``release`` before it writes."""
    def trainer(plan: ta.FineTunePlan):
        for step in (1, 2):
            yield {"step": step, "total_steps": 2, "lr": 1e-3, "seconds": 0.1 * step, "eta": 0.1 * (2 - step),
                   "losses": {"total": 1.0 / step}}
        yield {"step": 2, "total_steps": 2, "seconds": 0.2, "eta": 0.0, "message": "scoring the trained model",
               "finishing": True}
        while not release:
            time.sleep(0.02)
        yield {"step": 2, "total_steps": 2, "seconds": 0.2, "eta": 0.0, "message": "writing the model",
               "finishing": True}
        plan.weights_out.write_bytes(STAND_IN_WEIGHTS)
        return card
    return trainer


@contextmanager
def finishing_run(qtbot, wizard, folder, card):
    """Walk to the training page with :func:`finishing_trainer` (``card``); inside, the run has
    done its steps and is scoring its model (the page, ``finishing``); leaving lets it write."""
    release = []
    wizard.training_page.trainer = finishing_trainer(release, card)
    go_to_settings(qtbot, wizard, folder)
    wizard.next()
    page = wizard.training_page
    try:
        qtbot.waitUntil(lambda: page.finishing, timeout=10000)
        yield page
    finally:
        release.append(True)
