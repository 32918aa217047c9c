"""The fine-tune wizard's runs stopped, paused, closed, resumed and replaced: what it asks before
it throws work away, and what its training page says meanwhile.

As in test_finetune_wizard.py, the training engine is replaced by stand-in generators in the
shape the adapter maps (step, losses, lr, seconds, eta, preview); the rest is the real code.
"""
from __future__ import annotations

import time

import numpy as np
from PySide6.QtWidgets import QMessageBox

from colorstudio.gui import training_adapter as ta
from colorstudio.gui.finetune_wizard import TRAINING

from finetune_helpers import STAND_IN_WEIGHTS, finishing_run, go_to_settings, start_long_training, two_step_trainer


def test_closing_during_training_asks_then_stops_cleanly(qtbot, wizard, pairs_folder, monkeypatch):
    events = []
    wizard.force_close = False
    start_long_training(qtbot, wizard, pairs_folder, events, delay=1.5)     # long steps, as on a CPU
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: (asked.append(a[2]), QMessageBox.StandardButton.No)[1])
    wizard.close()
    assert wizard.isVisible() and wizard.is_training()                   # said no: keeps training
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: (asked.append(a[2]), QMessageBox.StandardButton.Yes)[1])
    t0 = time.monotonic()
    wizard.close()
    assert time.monotonic() - t0 < 1.0 and not wizard.isVisible()      # gone at once: the step ends
    assert len(asked) == 2 and "checkpoint" in asked[0]                 # in the background
    qtbot.waitUntil(lambda: not wizard.is_training(), timeout=10000)
    assert events == ["generator closed"]
    assert not wizard.isVisible()


def test_pause_and_stop_keep_the_run_resumable(qtbot, wizard, pairs_folder):
    events = []
    page = start_long_training(qtbot, wizard, pairs_folder, events, steps_done=2)
    page.toggle_pause()
    assert page.pause_button.text() == "Continue"
    qtbot.wait(300)
    step = page.last.step
    qtbot.wait(300)
    assert page.last.step <= step + 1
    page.cancel()
    qtbot.waitUntil(lambda: page.worker is None, timeout=10000)
    assert "Stopped at step" in page.status.text() and "press Resume to go on" in page.status.text()
    assert page.start_button.isEnabled() and page.start_button.text() == "Resume"
    assert not page.isComplete()
    assert events == ["generator closed"]


def test_reopening_the_wizard_while_its_training_ends_shows_that_one(qtbot, window, pairs_folder, monkeypatch):
    """A second wizard would start a second run in the same run folder beside the first."""
    window.open_finetune_wizard()
    first = window.wizard
    start_long_training(qtbot, first, pairs_folder, [], delay=1.5)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    first.close()
    assert not first.isVisible() and first.is_training()          # its step is still ending
    window.open_finetune_wizard()
    assert window.wizard is first and first.isVisible()
    assert first.currentId() == TRAINING and "Stopping" in first.training_page.status.text()   # not reset
    first.force_close = True
    qtbot.waitUntil(lambda: not first.is_training(), timeout=10000)
    first.close()
    window.open_finetune_wizard()                                  # its run over: a new wizard, and
    assert window.wizard is not first                              # the old one is not kept hidden
    from colorstudio.gui.finetune_wizard import FineTuneWizard
    qtbot.waitUntil(lambda: len(window.findChildren(FineTuneWizard)) == 1, timeout=5000)
    window.wizard.force_close = True
    window.wizard.close()


def test_a_finished_model_not_yet_saved_is_not_thrown_away_without_asking(qtbot, wizard, pairs_folder,
                                                                          monkeypatch):
    wizard.training_page.trainer = two_step_trainer([])
    go_to_settings(qtbot, wizard, pairs_folder)
    wizard.settings_page.budget_steps.setChecked(True)
    wizard.settings_page.steps.setValue(2)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.training_page.isComplete(), timeout=20000)
    assert wizard.has_unsaved_model()
    wizard.force_close = False
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: (asked.append(a[2]), QMessageBox.StandardButton.No)[1])
    wizard.reject()                                                       # Escape / Cancel
    assert wizard.isVisible() and asked and "not been saved" in asked[0]
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    wizard.reject()
    assert not wizard.isVisible()


def test_the_adapter_resumes_what_the_engine_calls_the_same_run(wizard, qtbot, pairs_folder, monkeypatch):
    """The same pairs, held-apart pairs, base and crop go on (a spent budget then writes its
    model at once: the engine's tests); the engine's resumable() is the one word on it."""
    go_to_settings(qtbot, wizard, pairs_folder)
    plan = wizard.make_plan()
    wizard.settings_page.stop_detection()
    calls = {}

    class Loop:
        same = True

        @staticmethod
        def resumable(*a, **k):
            calls["held_apart_asked"] = k["validation"]      # a run is resumed only with its own held-apart pairs
            return Loop.same

        @staticmethod
        def finetune(**kwargs):
            calls.update(kwargs)
            return iter(())

    monkeypatch.setattr(ta, "training_module", lambda method: Loop)
    ta._real_trainer(plan)
    assert calls["resume"] is True
    Loop.same = False
    ta._real_trainer(plan)
    assert calls["resume"] is False
    assert calls["held_apart_asked"] == calls["validation"] == [(p.gray, p.reference) for p in plan.held_out]


def test_a_stop_before_the_first_step_offers_start_not_resume(qtbot, wizard, pairs_folder):
    def slow_start(plan):           # getting ready for a long time (pairs measured, scores made)
        for i in range(200):
            time.sleep(0.05)
            yield {"step": 0, "message": f"checking pair {i}"}

    wizard.training_page.trainer = slow_start
    go_to_settings(qtbot, wizard, pairs_folder)
    wizard.next()
    page = wizard.training_page
    qtbot.waitUntil(lambda: page.last is not None, timeout=10000)
    page.cancel()
    qtbot.waitUntil(lambda: page.worker is None, timeout=10000)
    assert page.status.text() == "Stopped before the first step: nothing was trained. Press Start to begin."
    assert page.start_button.isEnabled() and page.start_button.text() == "Start"


def test_new_settings_ask_before_they_replace_a_model_not_saved(qtbot, wizard, pairs_folder, monkeypatch):
    from colorstudio.gui.finetune_wizard import SETTINGS

    wizard.training_page.trainer = two_step_trainer([])
    go_to_settings(qtbot, wizard, pairs_folder)
    page = wizard.settings_page
    page.network.setCurrentIndex(page.network.findData("cyclecnn"))
    page.budget_steps.setChecked(True)
    page.steps.setValue(2)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.training_page.isComplete(), timeout=20000)
    asked = []
    answer = QMessageBox.StandardButton.No
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: (asked.append(a[2]), answer)[1])
    wizard.back()
    page.steps.setValue(3)                       # a longer budget goes on with the same run: nothing to ask
    wizard.next()
    assert wizard.currentId() == TRAINING and not asked
    qtbot.waitUntil(lambda: wizard.training_page.isComplete(), timeout=20000)
    xs, _ = wizard.training_page.curves["structure"].getData()
    assert list(xs) == [1, 2, 3]                 # the stand-in trainer counts from 1 again: a new curve
    wizard.back()
    page.crop.setCurrentIndex((page.crop.currentIndex() + 1) % page.crop.count())   # another run, same folder
    wizard.next()
    assert wizard.currentId() == SETTINGS and "not been saved" in asked[0]   # said no: stays
    answer = QMessageBox.StandardButton.Yes
    wizard.next()
    assert wizard.currentId() == TRAINING and len(asked) == 2
    qtbot.waitUntil(lambda: wizard.training_page.isComplete(), timeout=20000)


def test_a_stop_while_a_resumed_run_gets_ready_keeps_the_run_it_resumes(qtbot, wizard, pairs_folder):
    events = []
    page = start_long_training(qtbot, wizard, pairs_folder, events, steps_done=3)
    page.cancel()
    qtbot.waitUntil(lambda: page.worker is None, timeout=10000)
    reached = page.trained_steps()

    def slow_start(plan):           # the resumed run, getting ready
        for i in range(200):
            time.sleep(0.05)
            yield {"step": 0, "message": "measuring pair 1 of 3"}

    page.trainer = slow_start
    page.start()
    qtbot.waitUntil(lambda: page.last is not None and page.last.step == 0, timeout=10000)
    page.cancel()
    qtbot.waitUntil(lambda: page.worker is None, timeout=10000)
    assert page.status.text().startswith(f"Stopped at step {reached}.") and page.start_button.text() == "Resume"


def test_the_page_keeps_saying_whether_the_folders_stopped_run_was_resumed_or_replaced(qtbot, wizard, pairs_folder):
    events = []
    steps = two_step_trainer(events)

    def trainer(plan):          # as the engine's fine-tuners: the note first, on the getting-ready updates
        note = "starting afresh: the run in R (step 7, 0:09 trained) is replaced, as it had other training pairs (1 added)"
        yield {"step": 0, "message": note, "run_note": note}
        yield {"step": 0, "message": "checking pair 1 of 3", "run_note": note}
        yield from steps(plan)

    wizard.training_page.trainer = trainer
    go_to_settings(qtbot, wizard, pairs_folder)
    wizard.next()
    page = wizard.training_page
    qtbot.waitUntil(page.isComplete, timeout=20000)
    assert page.run_note.text() == ("Starting afresh: the run in R (step 7, 0:09 trained) is replaced, "
                                    "as it had other training pairs (1 added).")
    assert "Finished: 2 steps" in page.status.text()          # the status goes on; the note stays
    wizard.back()                                              # another plan: a new run
    wizard.settings_page.budget_steps.setChecked(True)
    wizard.settings_page.steps.setValue(3)
    page.trainer = two_step_trainer(events)                    # with nothing to say about the folder
    wizard.next()
    qtbot.waitUntil(lambda: page.worker is None and page.isComplete(), timeout=20000)
    assert page.run_note.text() == ""


def test_a_run_left_by_an_earlier_wizard_is_replaced_only_once_asked(qtbot, wizard, pairs_folder, monkeypatch):
    import json as json_module

    import numpy as np
    from safetensors.numpy import save_file

    from colorstudio.gui.finetune_wizard import SETTINGS
    from colorstudio.training.run_identity import CHECKPOINT_FILE, network_key

    wizard.training_page.trainer = two_step_trainer([])
    go_to_settings(qtbot, wizard, pairs_folder)
    plan = wizard.make_plan()

    def left_behind(key):          # a checkpoint's header as the engine writes it (its state's JSON)
        plan.run_dir.mkdir(parents=True, exist_ok=True)
        save_file({"model.x": np.zeros(1, np.float32)}, str(plan.run_dir / CHECKPOINT_FILE),
                  metadata={"state": json_module.dumps({"step": 7, "seconds": 9.0, "run_key": key})})

    train = [(p.gray, p.reference) for p in plan.train_pairs]
    held = [(p.gray, p.reference) for p in plan.held_out]
    left_behind(network_key(plan.method, None, train[:-1], None, None, held))    # a pair fewer
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: (asked.append(a[2]), QMessageBox.StandardButton.No)[1])
    wizard.next()
    assert wizard.currentId() == SETTINGS and len(asked) == 1
    assert "stopped at step 7) had other training pairs (1 added)" in asked[0] and "replaces it" in asked[0]
    left_behind(plan.run_key())                # the same run: it goes on, nothing to ask
    wizard.next()
    assert wizard.currentId() == TRAINING and len(asked) == 1
    qtbot.waitUntil(lambda: wizard.training_page.isComplete(), timeout=20000)


GONE_WRONG = {"data": {"validation_pairs": 1},
              "finetune": {"validation_before": {"chroma_psnr": 31.5}, "validation_after": {"chroma_psnr": 31.5},
                           "kept_start_unchanged": True,
                           "kept": "the starting weights: the average with those of step 2 scored more than 1 dB "
                                   "below them on the held-apart pairs (a run gone wrong)"}}


def test_once_the_steps_are_done_stop_is_off_and_a_run_gone_wrong_is_said(qtbot, wizard, pairs_folder):
    with finishing_run(qtbot, wizard, pairs_folder, GONE_WRONG) as page:    # said at once, though it came 0 s after step 2
        assert "Trained 2 steps" in page.status.text() and "scoring the trained model" in page.status.text()
        assert not page.cancel_button.isEnabled() and not page.pause_button.isEnabled()   # nothing left to stop
        assert page.progress.value() == 1000
    qtbot.waitUntil(lambda: page.isComplete(), timeout=10000)
    text = page.status.text()
    assert "kept the starting model unchanged" in text and "nothing new" in text
    assert "31.50 dB before, 31.50 dB after" in text
    assert not page.finishing and page.outcome.kept_the_start()
    assert page.minimumSizeHint().width() < 700          # the long verdict wraps; it does not widen the wizard


def test_pause_is_still_said_after_the_step_it_waited_for(qtbot, wizard, pairs_folder):
    events = []
    page = start_long_training(qtbot, wizard, pairs_folder, events, delay=0.2, steps_done=1)
    page.toggle_pause()
    step = page.last.step
    qtbot.waitUntil(lambda: page.last.step > step, timeout=5000)     # the step under way ends and is shown
    assert page.status.text().endswith("— paused")
    page.cancel()
    qtbot.waitUntil(lambda: page.worker is None, timeout=10000)


def test_a_pause_just_before_the_run_scores_does_not_leave_it_stuck(qtbot, wizard, pairs_folder):
    def trainer(plan: ta.FineTunePlan):
        for step in (1, 2):                           # (a preview: each update is shown at once)
            yield {"step": step, "total_steps": 2, "seconds": 0.1 * step, "eta": 0.0, "losses": {"total": 1.0},
                   "preview": np.zeros((4, 4, 3), np.float32)}
        time.sleep(1.0)                               # the last scoring of the trained steps
        yield {"step": 2, "total_steps": 2, "seconds": 0.2, "eta": 0.0, "message": "scoring the trained model",
               "finishing": True}
        yield {"step": 2, "total_steps": 2, "seconds": 0.2, "eta": 0.0, "message": "writing the model",
               "finishing": True}
        plan.weights_out.write_bytes(STAND_IN_WEIGHTS)

    wizard.training_page.trainer = trainer
    go_to_settings(qtbot, wizard, pairs_folder)
    wizard.next()
    page = wizard.training_page
    qtbot.waitUntil(lambda: page.last is not None and page.last.step == 2, timeout=10000)
    page.toggle_pause()                               # Pause, then the run says it is finishing
    assert page.worker.is_paused and not page.finishing
    qtbot.waitUntil(lambda: page.isComplete(), timeout=10000)     # it went on: nothing left to pause
    assert "Finished: 2 steps" in page.status.text()


def test_closing_the_wizard_while_the_model_is_written_lets_it_be_written(qtbot, wizard, pairs_folder):
    with finishing_run(qtbot, wizard, pairs_folder, {}) as page:
        wizard.stop_training()                        # the wizard closes: the run is not stopped now
        assert not page.worker.abort_requested
    qtbot.waitUntil(lambda: page.isComplete(), timeout=10000)
    assert page.outcome.finished and page.outcome.weights.is_file()


def test_closing_while_the_model_is_scored_and_written_asks_once_whether_to_close_unsaved(
        qtbot, wizard, pairs_folder, monkeypatch):
    """Once the steps are done there is nothing left to stop: the title bar's close asks once,
    about closing without saving (not "Stop training?" twice, its checkpoint promised)."""
    with finishing_run(qtbot, wizard, pairs_folder, None) as page:
        wizard.force_close = False
        asked = []
        answer = [QMessageBox.StandardButton.No]
        monkeypatch.setattr(QMessageBox, "question", lambda parent, title, text, *a, **k: (
            asked.append((title, text)), answer[0])[1])
        wizard.close()
        assert wizard.isVisible() and len(asked) == 1          # said no: stays
        answer[0] = QMessageBox.StandardButton.Yes
        wizard.close()
        assert not wizard.isVisible() and len(asked) == 2
        assert all(title == "Close without saving?" for title, _ in asked)
        assert "being scored and written" in asked[0][1] and "checkpoint" not in asked[0][1]
    qtbot.waitUntil(lambda: page.worker is None, timeout=10000)
