"""The fine-tune wizard walked through: folder → checks → settings → training → evaluation → save.

The folder checks, device detection, evaluation (cycle PSNR/SSIM with classic methods) and
saving are the real code. The training engine (colorstudio.training.finetune) is replaced by a
2-step generator in the shape the adapter maps (step, losses, lr, seconds, eta, preview);
test_finetune_real_engine.py walks the wizard with the real engine (2 steps on tiny pairs);
test_finetune_wizard_runs.py stops, pauses, resumes and replaces its runs.
"""
from __future__ import annotations

import json
import time

import numpy as np
import pytest

from colorstudio.engine import model_catalog
from colorstudio.errors import ModelError
from colorstudio.gui import model_saving
from colorstudio.gui import training_adapter as ta
from colorstudio.gui.finetune_wizard import EVALUATION, SAVE, TRAINING

from finetune_helpers import STAND_IN_WEIGHTS, finishing_trainer, go_to_settings, two_step_trainer


def test_walk_through_trains_evaluates_and_saves_a_model(qtbot, wizard, pairs_folder, monkeypatch):
    events = []
    wizard.training_page.trainer = two_step_trainer(events)
    go_to_settings(qtbot, wizard, pairs_folder)
    summary = wizard.checks_page.summary.text()
    assert "3 pair(s) found" in summary and "usable" in summary
    device_text = wizard.settings_page.device_label.text()
    assert "no GPU found — the CPU is used" in device_text or "GPU found" in device_text
    page = wizard.settings_page
    assert page.minutes.isEnabled() and not page.steps.isEnabled()       # each box with its choice
    page.budget_steps.setChecked(True)
    assert page.steps.isEnabled() and not page.minutes.isEnabled()
    wizard.settings_page.steps.setValue(2)
    assert page.method() == "ccdc" and not page.crop.isEnabled()       # the default pair method's own crops
    page.network.setCurrentIndex(page.network.findData("cyclecnn"))
    assert page.crop.isEnabled() and page.base.itemText(0) == "The shipped Cycle CNN model"
    wizard.settings_page.crop.setCurrentIndex(2)
    wizard.next()
    assert wizard.currentId() == TRAINING
    plan = wizard.plan
    assert plan.steps == 2 and plan.minutes is None and plan.crop == (128, 256) and plan.method == "cyclecnn"
    assert len(plan.train_pairs) == 2 and len(plan.held_out) == 1       # one pair held apart
    qtbot.waitUntil(lambda: wizard.training_page.isComplete(), timeout=20000)
    page = wizard.training_page
    assert set(page.curves) == {"structure", "cycle", "smoothness"}
    xs, ys = page.curves["structure"].getData()
    assert list(xs) == [1, 2] and ys[1] == pytest.approx(0.5)
    assert page.preview.image.shape == (24, 32, 3)
    assert "Finished: 2 steps" in page.status.text()
    assert events == ["generator closed"]
    # the engine's stereo model is not needed to walk the evaluation: compare two classic methods
    monkeypatch.setattr(wizard, "evaluation_inputs",
                        lambda: (wizard.plan.held_out, ("dis", None), ("dis+gf", None)))
    wizard.next()
    assert wizard.currentId() == EVALUATION
    qtbot.waitUntil(lambda: wizard.evaluation_page.result is not None, timeout=30000)
    ev = wizard.evaluation_page.result
    assert np.isfinite(ev.before.cycle_psnr) and np.isfinite(ev.after.cycle_psnr)
    assert 0 < ev.after.cycle_ssim <= 1
    assert ev.after.cycle_psnr_blocks > ev.after.cycle_psnr          # block means: the noise averaged out
    assert "16-pixel blocks" in wizard.evaluation_page.status.text()
    table = wizard.evaluation_page.table
    assert table.rowCount() == 2                  # one pair + the mean
    name = table.item(0, 0).text()                # its name whole (was "IMG_2023_00…"), the table no taller
    assert table.columnWidth(0) >= table.fontMetrics().horizontalAdvance(name)      # than its rows
    assert table.maximumHeight() < 200
    assert wizard.evaluation_page.images[1].image.ndim == 3
    wizard.next()
    assert wizard.currentId() == SAVE
    suggested = wizard.save_page.name.text()         # after the pairs' folder, and free
    assert suggested == f"{wizard.checks_page.result.folder.name}-finetuned" and wizard.save_page.isComplete()
    assert "default pair method (ccdc, not fine-tuned)" in wizard.save_page.advice.text()
    wizard.save_page.name.setText("my camera v1")
    assert wizard.save_page.isComplete()
    with qtbot.waitSignal(wizard.modelSaved, timeout=5000) as blocker:
        wizard.accept()
    saved = blocker.args[0]
    assert saved.name == "my_camera_v1.safetensors" and saved.read_bytes() == STAND_IN_WEIGHTS
    listed = model_catalog.user_models()
    assert [c.label for c in listed] == ["my camera v1 (your model, cyclecnn)"]
    assert listed[0].model == saved


def test_saved_model_appears_in_the_main_window_picker(qtbot, window, tmp_path):
    weights = tmp_path / "w.safetensors"
    weights.write_bytes(STAND_IN_WEIGHTS)
    window.open_finetune_wizard()
    path = model_saving.save_model(weights, "studio pair")
    window.wizard.modelSaved.emit(path)
    keys = [window.side.picker.itemData(i) for i in range(window.side.picker.count())]
    assert f"model:{path}" in keys
    assert window.side.current_choice().model == path
    window.wizard.force_close = True
    window.wizard.close()


def test_without_the_training_engine_the_page_says_what_is_missing(qtbot, wizard, pairs_folder, monkeypatch):
    monkeypatch.setitem(ta.TRAINING_MODULES, "ccdc", "colorstudio.training.no_such_loop")
    go_to_settings(qtbot, wizard, pairs_folder)
    wizard.next()
    text = wizard.training_page.status.text()
    assert "not available in this build" in text and "no_such_loop" in text
    assert not wizard.training_page.start_button.isEnabled()
    assert not wizard.training_page.isComplete()


def test_a_folder_without_pairs_cannot_go_on(qtbot, wizard, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "readme.txt").write_text("nothing")
    wizard.folder_page.edit.setText(str(empty))
    wizard.next()
    qtbot.waitUntil(lambda: wizard.checks_page.result is not None, timeout=10000)
    assert not wizard.checks_page.isComplete()
    assert "Nothing to train on" in wizard.checks_page.summary.text()


def test_model_names_are_checked(tmp_path):
    assert all(model_saving.valid_model_name(bad) for bad in ("", "../evil", "a/b"))
    assert model_saving.valid_model_name("my camera-2 v1.0") is None
    for device in ("CON", "aux", "nul.v2", "COM1", "lpt9 ", "COM¹"):        # CON.safetensors cannot be made on Windows
        assert "Windows keeps for a device" in model_saving.valid_model_name(device)
    assert model_saving.valid_model_name("console") is model_saving.valid_model_name("com10") is None
    weights = tmp_path / "w.safetensors"
    weights.write_bytes(b"x")
    model_saving.save_model(weights, "twice", folder=tmp_path)
    with pytest.raises(ModelError):
        model_saving.save_model(weights, "twice", folder=tmp_path)


def test_the_suggested_model_name_is_usable_and_free(tmp_path):
    folder = tmp_path / "models"
    folder.mkdir()
    assert model_saving.free_model_name("iPhone 15 (dual)", folder) == "iPhone-15-dual-finetuned"
    assert model_saving.valid_model_name(model_saving.free_model_name("iPhone 15 (dual)", folder)) is None
    model_saving.model_path_for("pairs-finetuned", folder).write_bytes(b"taken")
    assert model_saving.free_model_name("pairs", folder) == "pairs-finetuned-2"
    assert model_saving.free_model_name("ÿ/++", folder) == model_saving.free_model_name("", folder) == "my-camera-finetuned"


def test_the_total_loss_is_also_drawn_as_a_trailing_mean(qtbot):
    from colorstudio.gui.finetune_run_pages import SMOOTHING_STEPS, TrainingPage, trailing_mean

    np.testing.assert_allclose(trailing_mean([4, 2, 0, 6], 2), [4, 3, 1, 3])
    np.testing.assert_allclose(trailing_mean([1, 2, 3], 10), [1, 1.5, 2])
    page = TrainingPage()
    qtbot.addWidget(page)
    totals = [0.3, 0.02, 0.29, 0.03] * 5                           # batch-1 losses jump
    for step, total in enumerate(totals, 1):
        page._update(ta.TrainUpdate(step, 20, {"total": total, "cycle": total / 10}, 1e-4, step, None))
    page._update(ta.TrainUpdate(20, 20, {}, 1e-4, 20.0, 0.0))      # the final preview: no loss, no point
    page._update(ta.TrainUpdate(0, 20, {}, 0.0, 0.0, None, message="checking pair 2 of 6 (bee_mono.png)"))
    assert page.status.text() == "Getting ready: checking pair 2 of 6 (bee_mono.png)…"
    xs, ys = page.smoothed.getData()
    assert list(xs) == list(range(1, 21)) and ys[-1] == pytest.approx(np.mean(totals[-SMOOTHING_STEPS:]))
    assert np.ptp(ys[SMOOTHING_STEPS:]) < 0.01 < np.ptp(page.curves["total"].getData()[1])
    assert set(page.curves) == {"total", "cycle"}


def test_the_training_device_does_not_change_the_apps(qtbot, wizard):
    before = wizard.settings.device
    box = wizard.settings_page.device_box
    box.setCurrentIndex(box.findData("cpu" if before != "cpu" else "auto"))
    wizard.force_close = True
    wizard.close()
    assert wizard.settings.device == before          # Tools ▸ Compute device is the app's own


def test_a_full_disk_while_saving_is_a_model_error_and_leaves_no_file(tmp_path, monkeypatch):
    import shutil

    from colorstudio.errors import ModelError

    weights = tmp_path / "w.safetensors"
    weights.write_bytes(b"w" * 1000)
    folder = tmp_path / "models"
    folder.mkdir()

    def disk_full(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(shutil, "copyfileobj", disk_full)
    with pytest.raises(ModelError, match="No space left on device"):
        model_saving.save_model(weights, "studio pair", folder=folder)
    assert list(folder.iterdir()) == []              # no weights, no card without weights, no .part


def test_start_from_offers_the_chosen_networks_models(qtbot, wizard, isolated_user_dir):
    import shutil

    from colorstudio import paths
    from colorstudio.gui.finetune_pages import SettingsPage

    folder = paths.user_models_dir()
    shutil.copy(paths.models_dir() / "cheng.safetensors", folder / "mine_cheng.safetensors")
    (folder / "mine_stereo.safetensors").write_bytes(STAND_IN_WEIGHTS)   # no card, no net named: cyclecnn
    (folder / "not_a_model.safetensors").write_bytes(b"x")              # no header: not offered
    shutil.copy(paths.models_dir() / "ccdc.safetensors", folder / "mine_ccdc.safetensors")
    page = SettingsPage()
    qtbot.addWidget(page)
    page.initializePage()
    offered = lambda: [page.base.itemData(i) for i in range(page.base.count())]     # noqa: E731
    assert offered() == [None, folder / "mine_ccdc.safetensors"]       # CCDC first: the shipped one, the user's
    page.network.setCurrentIndex(page.network.findData("cyclecnn"))
    assert folder / "mine_stereo.safetensors" in offered() and folder / "not_a_model.safetensors" not in offered()
    assert not {folder / "mine_cheng.safetensors", folder / "mine_ccdc.safetensors"} & set(offered())
    page.stop_detection()


def test_the_default_network_is_ccdc_and_its_model_is_saved_as_one(qtbot, wizard, pairs_folder, monkeypatch):
    wizard.training_page.trainer = two_step_trainer([])
    go_to_settings(qtbot, wizard, pairs_folder)
    wizard.settings_page.budget_steps.setChecked(True)
    wizard.settings_page.steps.setValue(2)
    wizard.next()
    plan = wizard.plan
    assert (plan.method, plan.crop, plan.base_model) == ("ccdc", None, None)
    qtbot.waitUntil(lambda: wizard.training_page.isComplete(), timeout=20000)
    assert wizard.evaluation_inputs()[1:] == (("ccdc", None), ("ccdc", plan.weights_out))
    monkeypatch.setattr(wizard, "evaluation_inputs", lambda: (plan.held_out, ("dis", None), ("dis+gf", None)))
    wizard.next()
    qtbot.waitUntil(lambda: wizard.evaluation_page.result is not None, timeout=30000)
    wizard.next()
    assert wizard.currentId() == SAVE and "ccdc, not fine-tuned" in wizard.save_page.advice.text()
    wizard.save_page.name.setText("my ccdc")
    assert wizard.save()
    card = json.loads(wizard.save_page.saved.with_suffix(".json").read_text())
    assert card["method"] == "ccdc" and card["finetuned_from"] == "shipped ccdc"
    (choice,) = [c for c in model_catalog.user_models() if c.model == wizard.save_page.saved]
    assert choice.method == "ccdc"


def test_the_saved_card_lists_the_pairs_the_engine_trained_on(qtbot, wizard, pairs_folder, monkeypatch):
    """The engine may leave out a pair the check passed (it reads the files again): the card
    says what was trained on, not what was planned."""
    wizard.training_page.trainer = two_step_trainer([], card={"data": {"pairs": ["pair0"], "skipped": ["pair1: x"]}})
    go_to_settings(qtbot, wizard, pairs_folder)
    wizard.settings_page.budget_steps.setChecked(True)
    wizard.settings_page.steps.setValue(2)
    wizard.next()
    assert len(wizard.plan.train_pairs) == 2
    qtbot.waitUntil(lambda: wizard.training_page.isComplete(), timeout=20000)
    monkeypatch.setattr(wizard, "evaluation_inputs", lambda: (wizard.plan.held_out, ("dis", None), ("dis+gf", None)))
    wizard.next()
    qtbot.waitUntil(lambda: wizard.evaluation_page.result is not None, timeout=30000)
    wizard.next()
    wizard.save_page.name.setText("what it learnt from")
    assert wizard.save()
    card = json.loads(wizard.save_page.saved.with_suffix(".json").read_text())
    assert card["finetune"]["pairs"] == ["pair0"]
    assert card["finetune"]["held_apart"] == [p.gray.stem for p in wizard.plan.held_out]     # as the engine names
    assert all(name.endswith("_mono") for name in card["finetune"]["held_apart"])          # its pairs


def test_a_ccdc_evaluation_shows_the_fine_tuners_own_score_and_no_cycle_cnn_text(qtbot, wizard, pairs_folder,
                                                                               monkeypatch):
    card = {"data": {"validation_pairs": 1},
            "finetune": {"validation_before": {"chroma_psnr": 45.73}, "validation_after": {"chroma_psnr": 46.94},
                         "kept": "the starting weights averaged with those of step 2 (0.5 of each)"}}
    wizard.training_page.trainer = finishing_trainer([True], card)
    go_to_settings(qtbot, wizard, pairs_folder)
    assert wizard.settings_page.method() == "ccdc"
    wizard.next()
    qtbot.waitUntil(lambda: wizard.training_page.isComplete(), timeout=10000)
    assert "45.73 dB before, 46.94 dB after" in wizard.training_page.status.text()
    monkeypatch.setattr(wizard, "evaluation_inputs", lambda: (wizard.plan.held_out, ("dis", None), ("dis+gf", None)))
    wizard.next()
    page = wizard.evaluation_page
    assert page.engine_scores.isVisibleTo(page) and "45.73 dB before, 46.94 dB after" in page.engine_scores.text()
    assert "Cycle CNN" not in page.explained.text() and "held apart from training" in page.subTitle()
    qtbot.waitUntil(lambda: page.result is not None, timeout=30000)


def test_back_from_the_checks_does_not_wait_for_the_pair_being_checked(qtbot, wizard, pairs_folder, monkeypatch):
    from colorstudio.gui import finetune_pages
    from colorstudio.gui.finetune_wizard import FOLDER

    real = finetune_pages.scan_folder

    def slow_scan(*args):
        time.sleep(1.0)                                # a large pair being read
        return (yield from real(*args))

    monkeypatch.setattr(finetune_pages, "scan_folder", slow_scan)
    waited = []
    monkeypatch.setattr(finetune_pages.GeneratorWorker, "stop", lambda self, timeout_ms=5000: waited.append(1))
    wizard.folder_page.edit.setText(str(pairs_folder))
    wizard.next()
    wizard.back()
    assert wizard.currentId() == FOLDER and not waited and wizard.checks_page.worker is None
    qtbot.wait(1500)                                   # the late answer of the stopped check is not heard
    assert wizard.checks_page.result is None


def test_the_wizard_fits_the_screen_it_opens_on(wizard):
    screen = wizard.screen().availableGeometry()
    assert wizard.width() <= screen.width() and wizard.height() <= screen.height() * 0.9 + 1


@pytest.mark.parametrize("learned, passed", [(True, {"model": "m.safetensors", "device": "cuda"}),
                                             (False, {"model": "m.safetensors"})])
def test_the_evaluation_runs_learned_methods_on_the_fine_tunes_device(monkeypatch, learned, passed):
    from types import SimpleNamespace

    from colorstudio.engine import colorize as engine_colorize
    from colorstudio.gui import finetune_evaluation

    seen = []
    method = SimpleNamespace(learned=learned, load=lambda: lambda g, r, **o: seen.append(o))
    monkeypatch.setattr(engine_colorize, "resolve_method", lambda name, has_ref, model: method)
    finetune_evaluation._method_fn("x", "m.safetensors", "cuda")(None, None)
    assert seen == [passed]                 # a classic method takes no device


def test_the_wizard_gives_the_evaluation_its_device(qtbot, wizard, pairs_folder, monkeypatch):
    wizard.training_page.trainer = two_step_trainer([])
    go_to_settings(qtbot, wizard, pairs_folder)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.training_page.isComplete(), timeout=20000)
    monkeypatch.setattr(wizard, "evaluation_inputs", lambda: (wizard.plan.held_out, ("dis", None), ("dis+gf", None)))
    wizard.next()
    assert wizard.evaluation_page.device == wizard.plan.device
    qtbot.waitUntil(lambda: wizard.evaluation_page.result is not None, timeout=30000)
