"""The batch queue's looking through dropped photos (a mixin of
:class:`colorstudio.gui.batch_panel.BatchPanel`): the files and folders added are looked through
in a worker (:func:`colorstudio.engine.batch.plan_batch_steps`), which says how far it got; a
plan made again (photos added, another output folder, the skip box ticked) replaces the one
being made, and keeps what already ran in the queue (:func:`colorstudio.engine.batch.merge_plans`).
Cancel stops the looking and leaves the queue as it was, or empties one made for other settings.

Its state, set up by the panel: ``planner`` (the worker, None when not looking), ``_pending``
(paths added meanwhile, looked through next), ``_inputs_planned`` and ``_planned_for`` (the
inputs and the (output folder, skip) the queue's plan was made for). It uses the panel's
``inputs``, ``plan``, ``table``, ``status``, ``skip_box``, ``out_edit``, ``fixed_out``,
``monitor``, ``out_dir``, ``is_running``, ``clear``, ``_show_total``, ``_update_buttons`` and
its ``planned`` signal.
"""
from __future__ import annotations

from pathlib import Path

from colorstudio.engine.batch import BatchPlan, merge_plans, plan_batch_steps
from colorstudio.gui.batch_table import queue_sentence
from colorstudio.gui.error_dialog import show_error
from colorstudio.gui.workers import GeneratorWorker


class BatchPlanning:
    """Looking through what was added, in a worker; see the module docstring."""

    def add_inputs(self, paths: list[Path | str]) -> None:
        """Add files/folders; discovery runs in a worker, ``planned`` is emitted when the table is
        filled. While a batch runs they wait, and are looked through when it ends."""
        self._pending += [Path(p) for p in paths]
        if self.is_running():
            n = len(self._pending)             # files or folders: their photos are counted when looked through
            self.status.setText(f"{n} more file{'s' * (n != 1)} or folder{'s' * (n != 1)} to look through "
                                "when this batch ends")
        elif self.planner is None:
            self._replan()

    def _replan(self) -> None:
        if self.is_running():
            return
        if self.planner is not None:        # one for settings changed since: unheard, and stopped
            self.planner.abort()
        self.inputs += [p for p in self._pending if p not in self.inputs]
        self._pending = []
        self.status.setText("Looking for pairs…")
        made_for = (self.out_dir(), self.skip_box.isChecked())
        planner = GeneratorWorker(plan_batch_steps, list(self.inputs), made_for[0], skip_existing=made_for[1],
                                  min_interval=0.1, always_emit=lambda looking: looking.done == 0)     # a new stage
        heard = lambda f: lambda *a: f(*a) if self.planner is planner else None   # not one cleared or cancelled
        self.planner = planner.start_with(
            progress=heard(lambda looking: self.status.setText(looking.message.capitalize() + "…")),
            finished=heard(lambda plan: self._planned(plan, made_for)), errored=heard(self._plan_failed))
        self._update_buttons()

    def _stop_planning(self) -> None:
        """Cancel while the photos are looked through: the queue stays as it was before they were
        added (a folder of a thousand PNGs takes minutes to look through)."""
        self.planner.abort()
        self.planner = None
        self._pending = []
        if not self.plan.items or self._planned_for == (self.out_dir(), self.skip_box.isChecked()):
            self.inputs = list(self._inputs_planned)
            self.status.setText("Stopped looking for pairs: the queue is as it was")
        else:           # the queue was made for another output folder or skip setting: it would mislead
            self.clear()
            self.status.setText("Stopped looking for pairs: the queue is empty (it was made for other settings)")
        self._update_buttons()

    def _plan_failed(self, exc: BaseException) -> None:
        self.planner = None
        self.status.setText("")
        show_error(self, exc, context="batch")
        self._update_buttons()

    def _planned(self, plan: BatchPlan, made_for: tuple) -> None:
        self.planner = None
        if made_for != (self.out_dir(), self.skip_box.isChecked()):
            self._replan()          # the folder was changed and changed back meanwhile: no replan was asked
            return
        self._inputs_planned, self._planned_for = list(self.inputs), made_for
        self.plan = merge_plans(self.plan, plan)
        if self.fixed_out is None:
            self.out_edit.setPlaceholderText(str(plan.out_dir))
        self.table.fill(self.plan, self.monitor)
        self.status.setText(queue_sentence(plan))
        self._show_total()                   # items added to a finished queue: no longer 100 %
        if self._pending:
            self._replan()
        self._update_buttons()
        self.planned.emit()
