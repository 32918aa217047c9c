"""The wizard's training adapter driving the real fine-tuning engine (2-step runs, tiny model)."""
from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import torch

from colorstudio import paths

from colorstudio.core.pairs import discover
from colorstudio.engine import model_catalog
from colorstudio.gui import training_adapter as ta
from colorstudio.gui.finetune_wizard import CHECKS, EVALUATION, SAVE, SETTINGS, TRAINING
from colorstudio.nets.cyclecnn import CycleCNN, CycleCNNConfig
from colorstudio.nets.gca import GCAConfig
from colorstudio.nets.refine import RefineConfig
from colorstudio.nets.registry import load_model, save_model
from colorstudio.nets.wac import WACConfig
from generator_steps import steps_and_result
from gui_helpers import write_pair


def tiny_cyclecnn() -> CycleCNN:
    torch.manual_seed(0)
    return CycleCNN(CycleCNNConfig(wac=WACConfig(features=4, res_blocks=1, unet=(4, 4, 4, 4)),
                                   gca=GCAConfig(features=4, res_blocks=1), refine=RefineConfig(features=4),
                                   max_disparity=32))


def test_two_real_training_steps_produce_a_loadable_model(tmp_path):
    folder = tmp_path / "cam"
    for i in range(3):
        write_pair(folder, f"shot{i}", h=120, w=160, shift=5, seed=20 + i)
    items = [i for i in discover([folder]).items if i.reference is not None]
    torch.manual_seed(0)
    cfg = CycleCNNConfig(wac=WACConfig(features=4, res_blocks=1, unet=(4, 4, 4, 4)),
                         gca=GCAConfig(features=4, res_blocks=1), refine=RefineConfig(features=4), max_disparity=32)
    base = save_model(CycleCNN(cfg), tmp_path / "base.safetensors", {"data": "test"})
    plan = ta.FineTunePlan(train_pairs=items[:2], held_out=items[2:], base_model=base,
                           run_dir=tmp_path / "run", minutes=None, steps=2, device="cpu", crop=(64, 96))
    updates, outcome = steps_and_result(ta.training_steps(plan))
    # before the first step, what is going on (the wizard's status line shows it)
    ready = [u.message for u in updates if u.step == 0]
    assert ready == [f"checking pair {i} of 3 ({p.gray.name})" for i, p in enumerate(items, 1)] + \
        ["scoring the model on the held-apart pairs before training"]
    updates = [u for u in updates if u.step > 0]
    assert [u.step for u in updates] == [1, 2, 2, 2] and updates[1].losses
    # then the run scores and writes its model: nothing left to stop (the page disables Stop)
    assert [u.finishing for u in updates] == [False, False, True, True]
    # a held-apart pair coloured by the model at the first step and once more at the end
    assert [u.preview is not None for u in updates] == [True, False, False, True] and not updates[-1].losses
    assert updates[0].preview.ndim == 3 and updates[0].preview.shape[2] == 3
    assert outcome.finished and outcome.weights == plan.weights_out
    load_model(outcome.weights)
    card = json.loads(outcome.weights.with_suffix(".json").read_text())
    assert outcome.info["finetune"] == card["finetune"]      # the engine's card reaches the wizard
    assert card["finetune"]["steps"] == 2
    # the same folder again: a longer budget goes on with that run; other pairs replace it
    def first_note(**changes):               # said once the pairs are checked, before training
        gen = ta.training_steps(replace(plan, **changes))
        note = next(u.run_note for u in gen if u.run_note or u.step)
        gen.close()
        return note

    assert first_note(steps=4).startswith("resuming the run stopped at step 2 (")
    assert first_note(steps=4, train_pairs=items[:1]).endswith("is replaced, as it had other training pairs (1 gone)")


def test_wizard_walk_through_with_the_real_training_engine(qtbot, window, tmp_path):
    """Folder → checks → settings → 2 real training steps → real evaluation → save → model picker."""
    folder = tmp_path / "my-camera"
    for i in range(3):
        write_pair(folder, f"shot{i}", h=96, w=128, shift=5, seed=30 + i)
    base = save_model(tiny_cyclecnn(), paths.user_models_dir() / "tiny_base.safetensors", {"data": "test"})
    window.open_finetune_wizard()
    wizard = window.wizard
    assert wizard.training_page.trainer is None                       # the real adapter, no stand-in
    wizard.folder_page.edit.setText(str(folder))
    wizard.next()
    assert wizard.currentId() == CHECKS
    qtbot.waitUntil(lambda: wizard.checks_page.isComplete(), timeout=30000)
    assert "3 pair(s) found" in wizard.checks_page.summary.text()
    wizard.next()
    assert wizard.currentId() == SETTINGS
    page = wizard.settings_page
    qtbot.waitUntil(lambda: page.device is not None, timeout=60000)
    page.network.setCurrentIndex(page.network.findData("cyclecnn"))   # CCDC's own walk: test_finetune_ccdc
    page.base.setCurrentIndex(next(i for i in range(page.base.count()) if page.base.itemData(i) == base))
    assert page.base.currentData() == base
    page.budget_steps.setChecked(True)
    page.steps.setValue(2)
    page.crop.setCurrentIndex(page.crop.count() - 1)                  # the smallest crop
    wizard.next()
    assert wizard.currentId() == TRAINING
    qtbot.waitUntil(lambda: wizard.training_page.isComplete(), timeout=60000)
    outcome = wizard.training_page.outcome
    assert outcome.finished and outcome.steps == 2 and outcome.weights == wizard.plan.weights_out
    curves = wizard.training_page.curves
    assert curves and all(len(c.getData()[0]) >= 1 for c in curves.values())
    wizard.next()
    assert wizard.currentId() == EVALUATION
    qtbot.waitUntil(lambda: wizard.evaluation_page.worker is None, timeout=60000)
    ev = wizard.evaluation_page.result
    assert ev is not None, wizard.evaluation_page.status.text()
    assert np.isfinite(ev.before.cycle_psnr) and np.isfinite(ev.after.cycle_psnr)
    wizard.next()
    assert wizard.currentId() == SAVE
    wizard.save_page.name.setText("my camera real")
    with qtbot.waitSignal(wizard.modelSaved, timeout=5000) as blocker:
        wizard.accept()
    saved = blocker.args[0]
    assert saved == paths.user_models_dir() / "my_camera_real.safetensors"
    assert load_model(saved).cfg.max_disparity == 32                 # a real, loadable Cycle CNN
    card = json.loads(saved.with_suffix(".json").read_text())
    assert card["finetune"]["steps"] == 2 and card["method"] == "cyclecnn"
    assert {"minutes", "cycle_pool", "device", "held_apart"} <= set(card["finetune"])   # the engine's record and the wizard's
    assert card["finetune"]["device"] == "cpu"                       # the device used, not the setting
    assert not wizard.plan.run_dir.exists()                          # saved: a next run starts afresh
    picker = window.side.picker
    assert f"model:{saved}" in [picker.itemData(i) for i in range(picker.count())]
    assert window.side.current_choice().model == saved               # and it is selected
    assert [c.model for c in model_catalog.user_models()][0] == saved
