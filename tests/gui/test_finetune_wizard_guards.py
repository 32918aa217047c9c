"""The fine-tune wizard's guards: no Back to the settings while a run uses them, the card says
what the weights were trained on, the device of the box's latest choice, and no thread left
running when the app quits."""
from __future__ import annotations

import time

from PySide6.QtWidgets import QWizard

from colorstudio.gui import finetune_pages
from colorstudio.gui.devices import DeviceInfo
from colorstudio.gui.finetune_wizard import SETTINGS

from finetune_helpers import go_to_settings, start_long_training, two_step_trainer


def test_no_back_to_the_settings_while_training_and_a_new_plan_trains_again(qtbot, wizard, pairs_folder):
    events = []
    page = start_long_training(qtbot, wizard, pairs_folder, events)
    back = wizard.button(QWizard.WizardButton.BackButton)
    assert not back.isEnabled()
    page.cancel()
    qtbot.waitUntil(lambda: page.worker is None, timeout=10000)
    assert back.isEnabled()
    trained = page.trained_plan
    wizard.back()
    assert wizard.currentId() == SETTINGS
    network = wizard.settings_page.network
    network.setCurrentIndex(network.findData("cyclecnn"))       # the other network, and its crop
    page.trainer = two_step_trainer(events, delay=0.01, steps=3)
    wizard.next()       # another plan, in the other network's own run folder: it trains again, unasked
    qtbot.waitUntil(lambda: page.outcome is not None, timeout=10000)
    assert page.trained_plan == wizard.plan and page.trained_plan.method != trained.method
    assert (trained.method, trained.crop) == ("ccdc", None) and page.trained_plan.crop is not None


def test_the_device_of_the_latest_choice_is_the_one_used(qtbot, wizard, pairs_folder, monkeypatch):
    go_to_settings(qtbot, wizard, pairs_folder)

    def slow_detect(preference):
        yield None
        time.sleep(0.4)
        return DeviceInfo("cuda" if preference == "cuda" else "cpu", preference, f"chose {preference}")

    monkeypatch.setattr(finetune_pages, "detect_steps", slow_detect)
    box = wizard.settings_page.device_box
    box.setCurrentIndex(box.findData("cuda"))        # a detection starts…
    assert not wizard.settings_page.isComplete()     # …and Next waits for it
    box.setCurrentIndex(box.findData("cpu"))         # changed while it runs
    qtbot.waitUntil(lambda: wizard.settings_page.device is not None, timeout=10000)
    assert wizard.settings_page.device.name == "cpu"
    assert wizard.settings_page.device_label.text() == "chose cpu"
    assert wizard.settings_page.isComplete()


def test_quitting_while_the_device_is_detected_leaves_no_thread_running(qtbot, window, monkeypatch):
    def slow_detect(preference):
        yield None
        time.sleep(0.5)
        return DeviceInfo("cpu", "CPU", "CPU")

    monkeypatch.setattr(finetune_pages, "detect_steps", slow_detect)
    window.open_finetune_wizard()
    window.wizard.settings_page._detect()
    detecting = window.wizard.settings_page.worker
    assert detecting is not None and detecting.isRunning()
    window.force_close = True
    window.close()
    assert not detecting.isRunning()          # a QThread running when Python exits aborts it


def test_back_during_the_evaluation_returns_at_once_and_its_answer_is_not_heard(qtbot, wizard, pairs_folder,
                                                                             monkeypatch):
    from colorstudio.gui import finetune_evaluation
    from colorstudio.gui.finetune_wizard import EVALUATION, TRAINING

    wizard.training_page.trainer = two_step_trainer([], delay=0.01, steps=2)
    go_to_settings(qtbot, wizard, pairs_folder)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.training_page.isComplete(), timeout=10000)

    def slow_evaluation(*args, **kwargs):
        yield finetune_evaluation.Progress(0.1, "pair 1 of 1")
        time.sleep(1.5)                               # one pair, colorized twice
        raise AssertionError("an evaluation left behind was heard")

    monkeypatch.setattr(finetune_evaluation, "evaluate", slow_evaluation)
    wizard.next()
    assert wizard.currentId() == EVALUATION
    page = wizard.evaluation_page
    running = page.worker
    qtbot.waitUntil(lambda: page.status.text() == "pair 1 of 1", timeout=5000)
    started = time.perf_counter()
    wizard.back()
    assert time.perf_counter() - started < 1.2 and wizard.currentId() == TRAINING   # not the 1.5 s step
    qtbot.waitUntil(lambda: running.isFinished(), timeout=5000)
    qtbot.wait(100)
    assert page.result is None and "could not run" not in page.status.text()


def test_a_typed_folder_that_is_not_there_says_why_next_is_greyed(qtbot, tmp_path):
    from colorstudio.gui.finetune_pages import FolderPage

    page = FolderPage()
    qtbot.addWidget(page)
    page.edit.setText(str(tmp_path / "nowhere"))
    assert not page.isComplete() and page.missing.text() == f"there is no folder {tmp_path / 'nowhere'}"
    (tmp_path / "file.jpg").write_bytes(b"x")
    page.edit.setText(str(tmp_path / "file.jpg"))
    assert not page.isComplete() and "is not a folder" in page.missing.text()
    page.edit.setText(str(tmp_path))
    assert page.isComplete() and page.missing.text() == ""


def test_the_settings_page_says_what_a_budget_buys(qtbot):
    """A 1-minute budget gives a handful of steps on a CPU: the page says so before training."""
    from colorstudio.gui.finetune_pages import SettingsPage

    page = SettingsPage()
    qtbot.addWidget(page)
    page.network.setCurrentIndex(page.network.findData("cyclecnn"))
    page.minutes.setValue(1)
    assert page.length_hint.text().startswith("About 45 steps on a 2-core CPU")
    assert "will hardly change" in page.length_hint.text()
    page.network.setCurrentIndex(page.network.findData("ccdc"))
    page.minutes.setValue(20)
    assert page.length_hint.text().startswith("About 2000 steps") and "hardly" not in page.length_hint.text()
    page.budget_steps.setChecked(True)
    page.steps.setValue(100)
    assert page.length_hint.text().startswith("The gains measured for this network took 1030 steps")
    from colorstudio.gui.devices import DeviceInfo

    page.budget_time.setChecked(True)
    page.minutes.setValue(1)
    page._detected(DeviceInfo("cuda", "a GPU", "GPU found: a GPU"))     # a GPU: its pace is not known
    assert page.length_hint.text() == ""
    page.stop_detection()


def test_a_gpu_chosen_but_absent_is_said_as_colorize_treats_it_not_as_no_gpu(monkeypatch):
    # the About box said "no GPU found — training on the CPU" while every Colorize refused the choice
    import pytest
    import torch

    from colorstudio.engine.device import torch_device
    from colorstudio.errors import MethodError
    from colorstudio.gui.devices import detect

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    info = detect("cuda")
    assert info.device == "cpu" and "a CUDA GPU is chosen" in info.message
    assert "colorizing refuses it" in info.message and "training" not in detect("auto").message
    with pytest.raises(MethodError, match="not available"):
        torch_device("cuda")
