"""The main window's result views: a new colorization, the earlier results of the open photos
(to compare methods in the same view), the colour strength slider's changes, and a batch's
written file.

A mixin of :class:`colorstudio.gui.main_window.MainWindow`: it uses the window's compare view,
side panel, diagnostics dock, result history, live strength and job slot.
"""
from __future__ import annotations

import logging

from PySide6.QtCore import QTimer

from colorstudio.engine.batch import DONE, BatchItem
from colorstudio.gui import jobs
from colorstudio.gui.compare_view import SPLIT
from colorstudio.gui.error_dialog import user_message

log = logging.getLogger(__name__)


class ResultViews:
    def open_batch_item(self, item: BatchItem) -> None:
        """A batch row double-clicked: its photos, with the file the batch wrote once it is done."""
        if item.status != DONE or item.written is None or not item.written.exists():
            self.open_pair(item.gray, item.reference, item.name)
        elif self._idle():
            self._run(jobs.open_with_result, item.gray, item.reference, item.name, item.written, None,
                      self.settings.colour_space, on_done=self._show_reviewed)

    def _show_reviewed(self, reviewed: jobs.ReviewedResult) -> None:
        self._show_inputs(reviewed.opened, colorize=False)
        self.compare.set_image("result", reviewed.view, reviewed.pixels)
        self.compare.set_title("result", f"Result · {reviewed.path.name} (written by the batch)")
        self.batch_written = reviewed.path
        self.side.set_progress(1.0, "opened")
        self.side.set_status(f"Showing {reviewed.path.name} as the batch wrote it. Colorize to see the "
                             "diagnostics or to change the colour strength.")

    def _colorized(self, shown: jobs.ShownResult, name: str | None) -> None:
        self.history.add(shown, name or shown.colorization.method)
        self._show_result(shown)

    def show_other_result(self, step: int) -> None:
        """The previous (-1) or next (+1) of the kept results, round the list."""
        i, n = self.history.index(self.result), len(self.history.entries)
        if n > 1 and i >= 0 and self.worker is None:
            self._choose_result((i + step) % n)
        elif n <= 1:
            self.statusBar().showMessage("[ and ] switch between results of these photos: colorize them "
                                         "with another method first", 5000)

    def _choose_result(self, index: int) -> None:
        """An earlier result of these photos chosen in the side panel: shown again."""
        if 0 <= index < len(self.history.entries) and self.history.entries[index].shown is not self.result:
            shown = self.history.entries[index].shown
            own = jobs.own_strength(shown.colorization)
            if own is not None:           # it keeps its strength: the slider follows it, not it the slider
                self.side.show_strength(*own)
            self._show_result(shown)
            self.side.set_status(f"Showing the {self.history.entries[index].name} result again.")

    def _choose_before(self, index: int) -> None:
        """What the split view compares the result with: the gray (-1) or a kept result, which
        brings the split view up."""
        entries = self.history.entries
        self.before_result = entries[index].shown if 0 <= index < len(entries) else None
        self._list_results()
        if self.before_result is not None:
            self.set_mode(SPLIT)

    def _list_results(self) -> None:
        """The kept results in the side panel, and the split view's two sides, up to date."""
        names, shown = self.history.names(), self.history.index(self.result)
        before = self.history.index(self.before_result) if self.before_result is not None else -1
        after = names[shown] if shown >= 0 else "result"
        if before < 0:                       # the gray, or a result no longer kept
            self.before_result = None
            self.compare.set_split_before(None, after=after)
        else:
            b = self.before_result
            self.compare.set_split_before(b.result_view, b.colorization.rgb, names[before], after)
        self.side.show_results(self.history.labels(), shown, before)

    def _preview_result(self, view) -> None:
        """A new result of a large photo at display size, while the method brings it to full
        size. Not while zoomed in beyond the display copy (a sharp tile lies over it)."""
        if self.compare.shows_detail("result"):
            return
        if self.before_preview is None:      # what to show again if the job fails or is cancelled
            self.before_preview = (self.compare.raw["result"], self.compare.full["result"],
                                   self.compare.titles["result"].text())
        self.compare.set_image("result", view)
        self.compare.set_title("result", "Result · preview (the full size follows)")
        self.compare.set_result_name("preview: the full size follows")

    def _take_back_preview(self) -> None:
        """The job that showed a preview, or during which a colour-strength result arrived unshown,
        failed or was cancelled: the pane shows what it showed. If that was a result, its own
        pixels (what was on screen may have been a colour-strength preview, or the result at the
        strength before: its job ended unheard meanwhile), and the slider's strength is applied anew."""
        unshown, self.result_unshown = self.result_unshown, False
        if self.before_preview is None and not unshown:
            return
        view = full = None
        title = self.compare.titles["result"].text()
        if self.before_preview is not None:
            view, full, title = self.before_preview
            self.before_preview = None
        if self.result is not None:
            view, full = self.result.result_view, self.result.colorization.rgb
        self.compare.set_image("result", view, full)
        self.compare.set_title("result", title)
        self._list_results()
        if self.result is not None:
            self.strength.previewed = None
            self.strength.request()

    def _show_kept_result(self) -> None:
        """A job that made no new result ended (an export): a colour-strength result kept while it
        ran, not drawn over its progress, is drawn now (a Colorize's own result has replaced it)."""
        if self.result_unshown and self.result is not None:
            self.result_unshown = False
            self.compare.set_image("result", self.result.result_view, self.result.colorization.rgb)
            self._list_results()

    def _show_result(self, shown: jobs.ShownResult) -> None:
        self.before_preview = None
        self.result_unshown = False
        self.result = shown
        c = shown.colorization
        self.compare.set_image("result", shown.result_view, c.rgb)
        listed = self.history.index(shown)
        self.compare.set_title("result", f"Result · {self.history.entries[listed].name if listed >= 0 else c.method}")
        # the dock in its own event-loop turn: the result appears first, the loop never blocks long
        frame = self.inputs.frame_wh if self.inputs else None
        QTimer.singleShot(0, lambda: self.result is shown and self.diagnostics.show_diagnostics(
            shown.diagnostics_view, {"seconds": round(c.seconds, 3), **c.info}, frame))
        self.side.set_progress(1.0, "done")
        self.statusBar().showMessage("Hover for pixel values · 1: side by side · 2: before/after split · "
                                     "3: result alone (\\: before) · Z: fit ↔ 100% · [ ]: other results · "
                                     "Ctrl+E: export")
        self.side.set_status(f"Colorized with {c.made_by} in {c.seconds:.1f} s."
                             + (f" Warning: {c.info['warning']}." if c.info.get("warning") else ""))
        self._list_results()
        self.colorized.emit(shown)
        self.strength.request()     # the slider may have moved while the method ran

    def _show_restrengthened(self, shown: jobs.ShownResult) -> None:
        """A result re-saturated by the strength slider (LiveStrength)."""
        # an export made meanwhile (it applied the strength itself) keeps its confirmation
        written, bar = self.side.status.text().split(" Colour strength ×")[0], self.statusBar().currentMessage()
        self.history.replace(self.result, shown)
        if self.before_result is self.result:
            self.before_result = shown
        if self.worker is not None:          # a job started meanwhile: kept, not drawn over its progress
            self.result = shown              # (or a Colorize's preview; its own result comes next), and
            self.result_unshown = True       # drawn when the job ends without one (_show_kept_result,
            return                           # _take_back_preview)
        self._show_result(shown)
        c = shown.colorization
        applied = (f"Colour strength ×{c.info['saturation']:.2f} applied to the {c.method} result "
                   f"in {c.info['strength_seconds']:.2f} s.")
        self.side.set_status(f"{written} {applied}" if written.startswith("Written") else applied)
        if bar.startswith("Written"):
            self.statusBar().showMessage(bar, 8000)

    def _preview_strength(self, view) -> None:
        """A large photo at the new strength, at display size; the full size follows. Not while
        zoomed in beyond the display copy: the sharp tile stays until the full size is ready."""
        if not self.compare.shows_detail("result"):
            self.compare.set_image("result", view)
        self.side.set_status("Changing the colour strength…")

    def _strength_failed(self, exc: BaseException) -> None:
        log.warning("colour strength change failed: %s", exc)
        if self.result is not None:          # take back a preview shown before the failure
            self.compare.set_image("result", self.result.result_view, self.result.colorization.rgb)
        why = f": {line}" if (line := user_message(exc)) is not None else " (see the log)"
        self.side.set_status(f"The colour strength could not be changed{why}.")
