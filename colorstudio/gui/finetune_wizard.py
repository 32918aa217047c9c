"""Tools ▸ Fine-tune on my camera pairs: a QWizard over the pages in :mod:`finetune_pages`.

The plan (pairs, base model, budget, device, crop) is built when leaving the settings page;
training runs in a worker; closing the wizard while it trains asks first, then stops cleanly
(the engine keeps its checkpoint: the same folder and settings go on with it later).
"""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QMessageBox, QWidget, QWizard

from colorstudio import paths
from colorstudio.errors import ColorStudioError
from colorstudio.gui import model_saving
from colorstudio.gui import training_adapter as ta
from colorstudio.gui.error_dialog import show_error
from colorstudio.gui.finetune_pages import ChecksPage, FolderPage, SavePage, SettingsPage
from colorstudio.gui.finetune_run_pages import EvaluationPage, TrainingPage
from colorstudio.gui.settings import Settings
from colorstudio.training import run_identity

FOLDER, CHECKS, SETTINGS, TRAINING, EVALUATION, SAVE = range(6)


def run_dir_for(folder: Path, base_model: Path | None = None, method: str = "cyclecnn") -> Path:
    """One run folder per pair folder, network and base model, so stopping and starting again
    resumes (a checkpoint of another base model cannot be continued)."""
    base = f"{base_model or 'shipped'}" + ("" if method == "cyclecnn" else f"|{method}")   # old run folders stay
    key = hashlib.sha1(f"{folder.resolve()}|{base}".encode()).hexdigest()[:10]
    return paths.user_dir() / "finetune-runs" / f"{folder.name}-{key}"


class FineTuneWizard(QWizard):
    modelSaved = Signal(object)   # Path of the saved .safetensors

    def __init__(self, settings: Settings | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.settings = settings or Settings()
        self.setWindowTitle("Fine-tune on my camera pairs")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        screen = (parent.screen() if parent is not None else self.screen()).availableGeometry()
        # 900 x 640, or less on a small screen: the button row stays on it under the title bar
        self.resize(min(900, screen.width() * 9 // 10), min(640, screen.height() * 9 // 10))
        self.folder_page = FolderPage()
        self.checks_page = ChecksPage(self.folder_page)
        self.settings_page = SettingsPage(self.settings.device, lambda: self.checks_page.result)
        self.training_page = TrainingPage()
        self.evaluation_page = EvaluationPage()
        self.save_page = SavePage()
        for page_id, page in enumerate((self.folder_page, self.checks_page, self.settings_page,
                                        self.training_page, self.evaluation_page, self.save_page)):
            self.setPage(page_id, page)
        self.plan: ta.FineTunePlan | None = None
        self.force_close = False
        self.training_page.stateChanged.connect(self._lock_settings_while_training)
        # the training's device is this run's: the app's own (Tools ▸ Compute device) stays as it is

    # ------------------------------------------------------------------ flow
    def _lock_settings_while_training(self) -> None:
        """No Back to the settings while a run uses them (QWizard offers no Back to a page
        before a commit page); after it, Back and Next again start from the new settings."""
        self.settings_page.setCommitPage(self.training_page.worker is not None)

    def validateCurrentPage(self) -> bool:  # noqa: N802 - Qt API
        page = self.currentId()
        if page == SETTINGS:
            plan = self.make_plan()
            if not self._may_leave_the_last_run(plan):
                return False
            self.plan = plan
            self.training_page.set_plan(self.plan)
            self.save_page.folder_name = self.checks_page.result.folder.name
        elif page == TRAINING:
            self.evaluation_page.inputs = self.evaluation_inputs()
            self.evaluation_page.device = self.plan.device
            self.evaluation_page.set_run(self.plan.method, self.training_page.outcome, bool(self.plan.held_out))
        elif page == SAVE:
            return self.save()
        return super().validateCurrentPage()

    def make_plan(self) -> ta.FineTunePlan:
        summary = self.checks_page.result
        minutes, steps = self.settings_page.budget()
        device = self.settings_page.device.device      # Next waits for the detection
        method, base = self.settings_page.method(), self.settings_page.base.currentData()
        train, held = summary.split(method)
        crop = tuple(self.settings_page.crop.currentData()) if method == "cyclecnn" else None
        return ta.FineTunePlan(train_pairs=train, held_out=held, base_model=base,
                               run_dir=run_dir_for(summary.folder, base, method), minutes=minutes, steps=steps,
                               device=device, crop=crop, method=method)

    def evaluation_inputs(self):
        base, method = self.plan.base_model, self.plan.method
        before = (method, base) if (base is not None or ta.ships(method)) else (ta.FALLBACK_METHOD, None)
        # one pair: none is held apart, and the training pair is scored (the page says so)
        return self.plan.held_out or self.plan.train_pairs, before, (method, self.training_page.outcome.weights)

    def save(self) -> bool:
        outcome, plan = self.training_page.outcome, self.training_page.trained_plan
        ev = self.evaluation_page.result
        used = (outcome.info.get("data") or {}).get("pairs")   # what the engine trained on (it may leave some out)
        card = {"description": self.save_page.note.text().strip(),       # beside the engine's own record
                "finetuned_from": str(plan.base_model or f"shipped {plan.method}"),  # (steps, minutes, device…)
                "finetune": {"pairs": used if isinstance(used, list) else [p.gray.stem for p in plan.train_pairs],
                             "held_apart": [p.gray.stem for p in plan.held_out],   # by the gray's name, as the
                             "steps": outcome.steps}}                               # engine names its pairs
        if ev is not None:
            card["finetune"]["evaluation"] = {
                "cycle_psnr_before": round(ev.before.cycle_psnr, 3), "cycle_psnr_after": round(ev.after.cycle_psnr, 3),
                "cycle_ssim_before": round(ev.before.cycle_ssim, 4), "cycle_ssim_after": round(ev.after.cycle_ssim, 4),
                "cycle_psnr_blocks_before": round(ev.before.cycle_psnr_blocks, 3),
                "cycle_psnr_blocks_after": round(ev.after.cycle_psnr_blocks, 3)}
        try:
            path = model_saving.save_model(outcome.weights, self.save_page.name.text(), json.loads(json.dumps(card)),
                                           method=plan.method)
        except ColorStudioError as e:
            show_error(self, e, context="saving the model")
            return False
        self.save_page.saved = path
        shutil.rmtree(plan.run_dir, ignore_errors=True)   # saved: the next run on this folder starts afresh
        self.modelSaved.emit(path)
        return True

    def _may_leave_the_last_run(self, plan: ta.FineTunePlan) -> bool:
        """Before a plan whose run takes over the run folder of this wizard's last run (the same
        folder, network and base model, but other pairs or crop): ask when that run would be
        lost (a trained model not saved, or a run stopped part-way). A new budget or device goes
        on with the same run; another network or base model has its own folder, where the last
        run stays (the same settings give it back)."""
        page = self.training_page
        last = page.trained_plan
        if last is None or last.run_dir != plan.run_dir:
            return self._may_replace_the_folders_run(plan)
        if last.same_run(plan):
            return True
        if self.has_unsaved_model():
            question = "The fine-tuned model has not been saved. Train with the new settings and discard it?"
        elif page.trained_steps() and (page.outcome is None or not page.outcome.finished):
            question = (f"The run stopped at step {page.trained_steps()} used other pairs or settings; training "
                        "with the new ones starts afresh and replaces it. Go on?")
        else:
            return True
        answer = QMessageBox.question(self, "Start a new run?", question)
        return answer == QMessageBox.StandardButton.Yes

    def _may_replace_the_folders_run(self, plan: ta.FineTunePlan) -> bool:
        """Ask before a run left in the plan's run folder by an earlier wizard (stopped, or
        finished and not saved) is replaced by a run of other pairs or settings; its checkpoint's
        key is read from the file's header, without torch."""
        state = run_identity.stored_state(plan.run_dir)
        old, new = run_identity.stored_key(state), plan.run_key()
        if old is None or old == new:          # none, or the same run: it goes on
            return True
        answer = QMessageBox.question(
            self, "Start a new run?",
            f"This folder's earlier run (stopped at step {state.get('step', 0)}) had "
            f"{', '.join(run_identity.differences(old, new))}. Training with these settings starts afresh "
            "and replaces it. Go on?")
        return answer == QMessageBox.StandardButton.Yes

    # ------------------------------------------------------------------ closing
    def is_training(self) -> bool:
        return self.training_page.is_running()

    def stop_training(self) -> None:
        """Ask the training to stop, without waiting: it ends after its current step (which can
        take seconds) and keeps its checkpoint in its worker thread, while the window closes at
        once (quitting the app waits for it)."""
        self.training_page.stop(0)

    def has_unsaved_model(self) -> bool:
        """A finished training whose model was not saved (it is overwritten by the next run)."""
        outcome = self.training_page.outcome
        return (outcome is not None and outcome.finished and outcome.weights is not None
                and self.save_page.saved is None)

    def _confirm_stop(self) -> bool:
        worker = self.training_page.worker
        stopping = worker is not None and worker.abort_requested      # asked once already
        if self.force_close or stopping:
            return True
        finishing = self.is_training() and self.training_page.finishing     # nothing left to stop
        if self.is_training() and not finishing:
            answer = QMessageBox.question(self, "Stop training?",
                                          "Training is running. Stop it? Its checkpoint is kept: the same "
                                          "folder and settings go on with it next time.")
            return answer == QMessageBox.StandardButton.Yes
        if finishing or self.has_unsaved_model():
            answer = QMessageBox.question(self, "Close without saving?",
                                          ("The training is done; its model is being scored and written (a few "
                                           "seconds) and " if finishing else "The fine-tuned model ")
                                          + "has not been saved. Close the wizard? "
                                          "(Its run is kept: the same folder, network and base model give "
                                          "it back next time, and a longer budget trains it further; other "
                                          "pairs or crop start over.)")
            return answer == QMessageBox.StandardButton.Yes
        return True

    def reject(self) -> None:
        if not self._confirm_stop():
            return
        self.stop_training()
        self.settings_page.stop_detection()
        for page in (self.checks_page, self.evaluation_page):
            page.cleanupPage()
        if self.is_training():     # ending its step: hidden, not reset, so that reopening the
            self.hide()            # wizard now shows this run stopping (the app reuses it)
            return
        super().reject()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt API
        # QDialog's own closeEvent calls reject(), which asks (once), stops the run and hides or
        # closes the wizard; the event is ignored when the user said no
        super().closeEvent(event)
